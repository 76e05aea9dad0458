//! Structured logs: `tracing` events written by `tracing-subscriber`'s fmt layer to stderr, as
//! text or as one JSON object a line (`--log-format json`), filtered by `RUST_LOG` (an
//! `EnvFilter` directive such as `info` or `dataportability_server=debug`; default `info`).
//!
//! Each step of a work item runs in a span named `item` with the fields `connection_id`,
//! `group`, `round` (the window: the number of exports completed) and `job_id` (once Google
//! named the job), so every line a step writes carries them (in the JSON form, under `span`
//! and `spans`). The API client's own span `call` (method, attempt, status, latency) nests
//! inside it.
//!
//! Nothing secret is written: no token, code, key or webhook secret is ever a field or part of
//! a message, and URLs in error messages lose their query string ([`redact`]), which is where
//! a signed download URL keeps its signature. The `log` records of the HTTP libraries are not
//! collected.

use tracing::Span;
use tracing_subscriber::EnvFilter;

use crate::store::Item;

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object a line, with the current span and the list of spans.
    Json,
}

/// Installs the process's subscriber: `format`, the filter of `RUST_LOG` (else `info`).
pub fn init(format: LogFormat) -> Result<(), String> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(true).try_init(),
    };
    installed.map_err(|e| format!("the log subscriber: {e}"))
}

/// The span of one step of `item`.
pub fn item_span(item: &Item) -> Span {
    let span = tracing::info_span!(
        "item",
        connection_id = %item.connection_id,
        group = %item.group,
        round = item.round,
        job_id = tracing::field::Empty,
    );
    if let Some(job) = &item.job_id {
        span.record("job_id", job.as_str());
    }
    span
}

/// Records the job of the current item's span, once Google named it.
pub fn record_job(job: &str) {
    Span::current().record("job_id", job);
}

/// `text` with the query string of every `http://` or `https://` URL in it removed (a signed
/// download URL carries its signature there).
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = [rest.find("http://"), rest.find("https://")]
        .into_iter()
        .flatten()
        .min()
    {
        out.push_str(&rest[..start]);
        let url = &rest[start..];
        let end = url
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ')'))
            .unwrap_or(url.len());
        let (whole, after) = url.split_at(end);
        match whole.find('?') {
            Some(query) => {
                out.push_str(&whole[..query]);
                out.push_str("?REDACTED");
            }
            None => out.push_str(whole),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_of_urls_are_redacted() {
        assert_eq!(
            redact("GET https://storage.example/a.zip?X-Goog-Signature=abc&x=1 failed (https://b/c)"),
            "GET https://storage.example/a.zip?REDACTED failed (https://b/c)"
        );
        assert_eq!(
            redact("http://h/p?q and http://h/r"),
            "http://h/p?REDACTED and http://h/r"
        );
        assert_eq!(redact("no url"), "no url");
    }
}
