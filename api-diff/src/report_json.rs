//! The report as JSON, for tools. The shape is stable; a change to it bumps
//! [`FORMAT_VERSION`]. Every key is always present (`null` when it does not apply):
//!
//! ```json
//! {
//!   "formatVersion": 1,
//!   "api": "dataportability:v1",
//!   "old": {"source": "discovery/dataportability.v1.json", "revision": "20240410"},
//!   "new": {"source": "new.json", "revision": "20260927"},
//!   "summary": {"changes": 2, "breaking": 1, "compatible": 1, "descriptionOnly": 1},
//!   "changes": [
//!     {
//!       "impact": "breaking",
//!       "kind": "scope-removed",
//!       "path": "auth.oauth2.scopes",
//!       "subject": "https://www.googleapis.com/auth/dataportability.businessmessaging.conversations",
//!       "old": null,
//!       "new": null,
//!       "message": "scope removed: https://www.googleapis.com/auth/dataportability.businessmessaging.conversations",
//!       "reason": "code naming the Scope variant no longer compiles"
//!     }
//!   ],
//!   "code": null
//! }
//! ```
//!
//! - `impact`: `breaking`, `compatible` or `description-only`; `kind`: one of the ids of
//!   [`Kind`](crate::Kind) (`method-added`, `field-type-changed`, ...).
//! - `path`: where the change is in the document; `subject`: the member of the list or map
//!   at `path` (an enum value, a scope URL); `old`/`new`: the values before and after when
//!   they matter (types, path templates, full descriptions).
//! - `changes` lists every change, description-only ones included, in document order;
//!   `summary.changes` counts the breaking and compatible ones.
//! - `code` is `null` without `--code`, else a list of `{"path", "status", "diff"}` with
//!   `status` `added`, `removed` or `changed` and `diff` a unified diff.

use serde_json::{Value, json};

use crate::change::Change;
use crate::classify;
use crate::load::Side;
use crate::report::Report;

/// The version of the JSON shape.
pub const FORMAT_VERSION: u32 = 1;

/// The report as a JSON value.
pub fn to_value(report: &Report) -> Value {
    let summary = report.summary();
    json!({
        "formatVersion": FORMAT_VERSION,
        "api": report.api,
        "old": side(&report.old),
        "new": side(&report.new),
        "summary": {
            "changes": summary.changes(),
            "breaking": summary.breaking,
            "compatible": summary.compatible,
            "descriptionOnly": summary.description_only,
        },
        "changes": report.changes.iter().map(change).collect::<Vec<_>>(),
        "code": report.code.as_ref().map(|files| {
            files
                .iter()
                .map(|file| json!({"path": file.path, "status": file.status.id(), "diff": file.diff}))
                .collect::<Vec<_>>()
        }),
    })
}

/// The report as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    // Serializing a `Value` cannot fail: its keys are strings and it holds no floats.
    let mut text = serde_json::to_string_pretty(&to_value(report))
        .unwrap_or_else(|error| unreachable!("serializing a JSON value failed: {error}"));
    text.push('\n');
    text
}

fn side(side: &Side) -> Value {
    json!({"source": side.label, "revision": side.revision})
}

fn change(change: &Change) -> Value {
    json!({
        "impact": change.impact().id(),
        "kind": change.kind.id(),
        "path": change.path,
        "subject": change.subject,
        "old": change.old,
        "new": change.new,
        "message": change.message(),
        "reason": classify::reason(change.kind),
    })
}
