//! `/metrics`: the Prometheus text exposition format (version 0.0.4), written by hand: a few
//! gauges read from the store and this process's counters.
//!
//! The counters are per process: each process of a shared PostgreSQL database counts its own
//! calls, takeovers and bytes (a scrape of every process, summed by Prometheus, gives the
//! service's). The gauges read from the database (items, connections, archives) are the same
//! in every process.
//!
//! Google calls are counted per method and outcome, once per call as the worker saw it: the
//! API client retries an idempotent call (a `GET` answered 503) by itself, so such a call is
//! counted once, by its last answer. The outcome is the HTTP status (`200`, `429`, `503`, ...)
//! when there is one, else `timeout`, `transport` (no answer), `refused` (a refusal the export
//! library read from Google's answer: one export a day, one-time access used up, a grant
//! ended) or `error`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::oauth::OAuthError;
use crate::store::{Counts, Store};

/// Counters for `/metrics`, per process (each process of a shared database counts its own;
/// Prometheus sums them).
#[derive(Debug, Default)]
pub struct Metrics {
    /// Requests sent to Google's API and token endpoints (downloads not included).
    pub google_requests: AtomicU64,
    /// The same calls per (method, outcome): see [`GoogleCalls`].
    pub google_calls: GoogleCalls,
    /// Archives stored.
    pub exports: AtomicU64,
    /// Item steps that failed and will be tried again.
    pub step_failures: AtomicU64,
    /// Download bytes stored.
    pub bytes: AtomicU64,
}

impl Metrics {
    /// Adds `n` to `counter`.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one call to Google: `method` (`initiate`, `refresh`, ...) and its `outcome` (an
    /// HTTP status such as `200` or `503`, or `timeout`, `transport`, `refused`, `error`: see
    /// the module's documentation).
    pub fn google_call(&self, method: &'static str, outcome: impl Into<String>) {
        Self::add(&self.google_requests, 1);
        self.google_calls.add(method, outcome.into());
    }
}

/// Calls to Google per (method, outcome).
#[derive(Debug, Default)]
pub struct GoogleCalls(Mutex<BTreeMap<(&'static str, String), u64>>);

impl GoogleCalls {
    /// Counts one call.
    pub fn add(&self, method: &'static str, outcome: String) {
        let mut calls = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *calls.entry((method, outcome)).or_default() += 1;
    }

    /// Every (method, outcome) counted so far, with its count.
    pub fn snapshot(&self) -> Vec<((&'static str, String), u64)> {
        let calls = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        calls.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}

/// The outcome of a call of the API client.
pub fn api_outcome<T>(result: &Result<T, dataportability_v1::Error>) -> String {
    match result {
        Ok(_) => "200".to_owned(),
        Err(error) => api_error_outcome(error),
    }
}

fn api_error_outcome(error: &dataportability_v1::Error) -> String {
    if let Some(status) = error.status() {
        return status.as_u16().to_string();
    }
    match error {
        dataportability_v1::Error::Timeout { .. } => "timeout",
        dataportability_v1::Error::Transport { .. } => "transport",
        _ => "error",
    }
    .to_owned()
}

/// The outcome of a call through the export library.
pub fn export_outcome<T>(result: &Result<T, dataportability_export::Error>) -> String {
    use dataportability_export::Error;
    match result {
        Ok(_) => "200".to_owned(),
        Err(Error::Api(error)) => api_error_outcome(error),
        Err(Error::TooSoon { .. } | Error::Exhausted { .. } | Error::GrantEnded { .. }) => "refused".to_owned(),
        Err(_) => "error".to_owned(),
    }
}

/// The outcome of a call to the OAuth token or revocation endpoint.
pub fn oauth_outcome<T>(result: &Result<T, OAuthError>) -> String {
    match result {
        Ok(_) => "200".to_owned(),
        Err(OAuthError::InvalidGrant(_)) => "400".to_owned(),
        Err(OAuthError::Refused { status, .. }) => status.to_string(),
        Err(OAuthError::Network(_)) => "transport".to_owned(),
        Err(OAuthError::Config(_)) => "error".to_owned(),
    }
}

/// A label value as the text format wants it: `\`, `"` and newlines escaped.
pub fn escape(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            '"' => escaped.push_str("\\\""),
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// One metric family being written.
struct Family<'a> {
    text: &'a mut String,
    name: &'static str,
}

impl<'a> Family<'a> {
    fn new(text: &'a mut String, name: &'static str, kind: &str, help: &str) -> Self {
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}");
        Self { text, name }
    }

    /// A sample with `labels` (names are ours; values are escaped).
    fn sample(&mut self, labels: &[(&str, &str)], value: impl std::fmt::Display) {
        let name = self.name;
        if labels.is_empty() {
            let _ = writeln!(self.text, "{name} {value}");
            return;
        }
        let labels: Vec<String> = labels
            .iter()
            .map(|(label, v)| format!("{label}=\"{}\"", escape(v)))
            .collect();
        let _ = writeln!(self.text, "{name}{{{}}} {value}", labels.join(","));
    }
}

/// The exposition text: the store's `counts`, this process's counters `m` and the store's own
/// (transactions, leases taken over).
pub fn render(m: &Metrics, store: &dyn Store, counts: &Counts) -> String {
    let mut text = String::new();
    let per_status = |text: &mut String, name, help, values: &[(String, i64)]| {
        let mut family = Family::new(text, name, "gauge", help);
        for (status, n) in values {
            family.sample(&[("status", status)], n);
        }
    };
    per_status(
        &mut text,
        "dataportability_items",
        "Work items per status.",
        &counts.items,
    );
    per_status(
        &mut text,
        "dataportability_connections",
        "Connections per status.",
        &counts.connections,
    );
    let single = |text: &mut String, name, kind, help, value: u64| {
        Family::new(text, name, kind, help).sample(&[], value);
    };
    let positive = |n: i64| u64::try_from(n).unwrap_or(0);
    single(
        &mut text,
        "dataportability_archives",
        "gauge",
        "Archives stored.",
        positive(counts.archives),
    );
    single(
        &mut text,
        "dataportability_events",
        "counter",
        "The last event's sequence number.",
        positive(counts.last_event),
    );
    single(
        &mut text,
        "dataportability_items_min_round",
        "gauge",
        "The fewest exports completed by a granted item still exported.",
        positive(counts.min_round),
    );
    single(
        &mut text,
        "dataportability_google_requests_total",
        "counter",
        "Requests to Google's API and OAuth endpoints by this process.",
        m.google_requests.load(Ordering::Relaxed),
    );
    let mut calls = Family::new(
        &mut text,
        "dataportability_google_calls_total",
        "counter",
        "Calls to Google's API and OAuth endpoints by this process, per method and outcome (HTTP status, or timeout, transport, refused, error), after the client's own retries.",
    );
    for ((method, outcome), n) in m.google_calls.snapshot() {
        calls.sample(&[("method", method), ("status", &outcome)], n);
    }
    single(
        &mut text,
        "dataportability_leases_taken_over_total",
        "counter",
        "Items this process claimed whose previous lease had run out (a worker died or stalled).",
        store.leases_taken_over(),
    );
    single(
        &mut text,
        "dataportability_exports_total",
        "counter",
        "Exports completed by this process.",
        m.exports.load(Ordering::Relaxed),
    );
    single(
        &mut text,
        "dataportability_step_failures_total",
        "counter",
        "Item steps that failed and will be tried again.",
        m.step_failures.load(Ordering::Relaxed),
    );
    single(
        &mut text,
        "dataportability_archive_bytes_total",
        "counter",
        "Archive bytes stored by this process.",
        m.bytes.load(Ordering::Relaxed),
    );
    single(
        &mut text,
        "dataportability_db_transactions_total",
        "counter",
        "Database transactions committed by this process.",
        store.transactions(),
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        let mut text = String::new();
        Family::new(&mut text, "x_total", "counter", "X.").sample(&[("method", "m\"")], 2);
        assert_eq!(
            text,
            "# HELP x_total X.\n# TYPE x_total counter\nx_total{method=\"m\\\"\"} 2\n"
        );
    }
}
