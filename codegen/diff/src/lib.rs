//! What changed between two revisions of a Discovery document, and what that means for code
//! that uses the generated crate; and how a generated crate differs from a directory.
//!
//! - [`diff`] compares two parsed documents and lists [`Change`]s, each located by a path
//!   (`schemas.PortabilityArchiveState.properties.state.enum`) and classified as breaking,
//!   compatible or description-only ([`classify`]). What each schema and parameter becomes in
//!   the generated crate (its Rust type, positional or setter, exposed or not) comes from
//!   codegen's resolved model ([`resolved`]), whose items keep their JSON paths; the document
//!   itself supplies the wording (`string (int64)`) and the facts that only reach doc comments.
//! - [`Report`] holds the changes of two labelled documents (and, with `--code`, the diff
//!   of the generated crates, [`code_diff`]); [`report_text`], [`report_markdown`] and
//!   [`report_json`] render it.
//! - [`compare`] and [`render_diffs()`]: compare a generated crate held in memory with a
//!   directory, and show the differences as short unified diffs.

pub mod change;
pub mod classify;
pub mod code_diff;
pub mod compare;
pub mod load;
mod model_diff;
mod pairs;
mod param_diff;
pub mod render_diffs;
pub mod report_json;
pub mod report_markdown;
pub mod report_text;
pub mod resolved;
mod resource_diff;
mod schema_diff;
mod shape;

#[cfg(test)]
mod tests;

pub use change::{Change, Impact, Kind, Summary};
pub use compare::{FileDiff, compare_dir};
pub use model_diff::{diff, diff_resolved};
pub use render_diffs::{DEFAULT_MAX_DIFF_LINES, FIX_COMMAND, render_diffs, stale_message};

use anyhow::Context;
use code_diff::FileChange;
use load::Loaded;

/// One side of a comparison: where the document came from and its revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// The document's source as the report names it (a path or a URL).
    pub label: String,
    /// The document's `revision`.
    pub revision: String,
}

/// The changes between two documents, ready to render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The API, `name:version` (e.g. `dataportability:v1`).
    pub api: String,
    /// The older document.
    pub old: Side,
    /// The newer document.
    pub new: Side,
    /// Every change, description-only ones included, in document order.
    pub changes: Vec<Change>,
    /// With `--code`: how the generated crate's files changed.
    pub code: Option<Vec<FileChange>>,
}

impl Report {
    /// Compares two loaded documents (without the code diff); fails, naming the document and
    /// the place in it, when the generator cannot resolve one of them.
    pub fn new(old: &Loaded, new: &Loaded) -> anyhow::Result<Self> {
        let resolve = |loaded: &Loaded| {
            resolved::Resolved::of(&loaded.doc)
                .with_context(|| format!("{} does not generate, so it cannot be compared", loaded.label))
        };
        let changes = diff_resolved(&old.doc, &new.doc, &resolve(old)?, &resolve(new)?);
        Ok(Self {
            api: format!("{}:{}", new.doc.name, new.doc.version),
            old: old.side(),
            new: new.side(),
            changes,
            code: None,
        })
    }

    /// The counts by impact.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.changes)
    }

    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.changes.iter().any(|change| change.impact() == Impact::Breaking)
    }

    /// The changes that have `impact`, in document order.
    pub fn with_impact(&self, impact: Impact) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |change| change.impact() == impact)
    }
}
