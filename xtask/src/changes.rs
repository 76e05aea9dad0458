//! The seam for a semantic summary of how an API changed between two document revisions
//! (methods, schemas, fields, scopes added or removed).
//!
//! `cargo xtask fetch` calls [`summarize`] before it replaces the committed document and
//! prints whatever it returns. The API diff itself is a later task: for now the summary is
//! always empty, and only this module needs to change when it is written.

use serde_json::Value;

/// What changed in an API, one human-readable line per change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiChanges {
    /// Lines such as `+ method archiveJobs.cancel`; empty when nothing is reported.
    pub lines: Vec<String>,
}

impl ApiChanges {
    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Summarizes the differences between the committed document `old` and the fetched `new`.
///
/// Not implemented yet: returns an empty summary.
pub fn summarize(old: &Value, new: &Value) -> ApiChanges {
    let _ = (old, new);
    ApiChanges::default()
}
