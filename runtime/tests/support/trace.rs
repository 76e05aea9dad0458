//! A `tracing` subscriber that records every span and event, for assertions.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::DefaultGuard;
use tracing::{Event, Metadata, Subscriber};

/// A span or an event: where it comes from and its fields, as text.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub name: &'static str,
    pub target: String,
    pub fields: BTreeMap<&'static str, String>,
}

/// What was recorded; clones share it.
#[derive(Clone, Default)]
pub struct Capture {
    spans: Arc<Mutex<Vec<Recorded>>>,
    events: Arc<Mutex<Vec<Recorded>>>,
}

impl Capture {
    /// Records everything traced on this thread until the guard is dropped.
    pub fn install() -> (Self, DefaultGuard) {
        let capture = Self::default();
        let guard = tracing::subscriber::set_default(capture.clone());
        (capture, guard)
    }

    /// The spans and events of this crate.
    pub fn spans(&self) -> Vec<Recorded> {
        own(&self.spans)
    }

    pub fn events(&self) -> Vec<Recorded> {
        own(&self.events)
    }

    /// Everything recorded by any crate, as one text, to search for secrets.
    pub fn everything(&self) -> String {
        let spans = self.spans.lock().unwrap_or_else(PoisonError::into_inner);
        let events = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        format!("{spans:?} {events:?}")
    }
}

fn own(list: &Mutex<Vec<Recorded>>) -> Vec<Recorded> {
    let list = list.lock().unwrap_or_else(PoisonError::into_inner);
    list.iter().filter(|r| r.target.starts_with("discovery_runtime")).cloned().collect()
}

struct Fields<'a>(&'a mut BTreeMap<&'static str, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }
}

fn record(metadata: &'static Metadata<'static>) -> Recorded {
    Recorded { name: metadata.name(), target: metadata.target().to_owned(), fields: BTreeMap::new() }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut span = record(attributes.metadata());
        attributes.record(&mut Fields(&mut span.fields));
        let mut spans = self.spans.lock().unwrap_or_else(PoisonError::into_inner);
        spans.push(span);
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(span) = spans.get_mut(id.into_u64() as usize - 1) {
            values.record(&mut Fields(&mut span.fields));
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut recorded = record(event.metadata());
        event.record(&mut Fields(&mut recorded.fields));
        self.events.lock().unwrap_or_else(PoisonError::into_inner).push(recorded);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
