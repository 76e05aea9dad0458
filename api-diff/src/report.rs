//! The report of a comparison: the changes between two labelled documents, and with `--code`
//! the diff of their generated crates.

use crate::change::{Change, Summary};
use crate::code_diff::FileChange;
use crate::error::{Error, Result};
use crate::kind::Impact;
use crate::load::{Loaded, Side};
use crate::model_diff::diff_resolved;
use crate::resolved;

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
    pub fn new(old: &Loaded, new: &Loaded) -> Result<Self> {
        let resolve = |loaded: &Loaded| {
            resolved::Resolved::of(&loaded.doc).map_err(|source| Error::Resolve {
                label: loaded.label.clone(),
                source,
            })
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
