//! A `tracing` subscriber that records every span and event, for assertions.
//!
//! It is installed once as the global subscriber (a thread-local one races with other tests
//! over tracing's per-callsite interest cache), and each test reads what its own thread
//! recorded: the tests run the client on a current-thread runtime, so everything a call
//! traces happens on the test's thread. Every test of a binary that uses it must call
//! [`Capture::install`] before making calls.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, Once, PoisonError};
use std::thread::{self, ThreadId};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A span or an event: where it comes from and its fields, as text.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub name: &'static str,
    pub target: String,
    pub fields: BTreeMap<&'static str, String>,
    thread: ThreadId,
}

static SPANS: Mutex<Vec<Recorded>> = Mutex::new(Vec::new());
static EVENTS: Mutex<Vec<Recorded>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

/// What the current thread traced.
pub struct Capture {
    thread: ThreadId,
}

impl Capture {
    /// Makes sure the recorder is installed, and reads what this thread traces from now on.
    pub fn install() -> Self {
        INSTALL.call_once(|| tracing::subscriber::set_global_default(Recorder).expect("no other global subscriber"));
        // Each test runs on a thread of its own, and thread ids are never reused.
        Self {
            thread: thread::current().id(),
        }
    }

    /// The spans of this crate.
    pub fn spans(&self) -> Vec<Recorded> {
        self.own(&SPANS)
    }

    /// The events of this crate.
    pub fn events(&self) -> Vec<Recorded> {
        self.own(&EVENTS)
    }

    /// The events of this crate with this message.
    pub fn events_saying(&self, message: &str) -> Vec<Recorded> {
        self.events()
            .into_iter()
            .filter(|e| e.fields.get("message").is_some_and(|m| m == message))
            .collect()
    }

    /// Everything this thread recorded, from any crate, as one text, to search for secrets.
    pub fn everything(&self) -> String {
        let mine = |list: &Mutex<Vec<Recorded>>| -> Vec<Recorded> {
            let list = list.lock().unwrap_or_else(PoisonError::into_inner);
            list.iter().filter(|r| r.thread == self.thread).cloned().collect()
        };
        format!("{:?} {:?}", mine(&SPANS), mine(&EVENTS))
    }

    fn own(&self, list: &Mutex<Vec<Recorded>>) -> Vec<Recorded> {
        let list = list.lock().unwrap_or_else(PoisonError::into_inner);
        list.iter()
            .filter(|r| r.thread == self.thread && r.target.starts_with("discovery_runtime"))
            .cloned()
            .collect()
    }
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
    Recorded {
        name: metadata.name(),
        target: metadata.target().to_owned(),
        fields: BTreeMap::new(),
        thread: thread::current().id(),
    }
}

struct Recorder;

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut span = record(attributes.metadata());
        attributes.record(&mut Fields(&mut span.fields));
        let mut spans = SPANS.lock().unwrap_or_else(PoisonError::into_inner);
        spans.push(span);
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut spans = SPANS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(span) = spans.get_mut(id.into_u64() as usize - 1) {
            values.record(&mut Fields(&mut span.fields));
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut recorded = record(event.metadata());
        event.record(&mut Fields(&mut recorded.fields));
        EVENTS.lock().unwrap_or_else(PoisonError::into_inner).push(recorded);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
