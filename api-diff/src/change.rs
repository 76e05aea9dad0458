//! One change between two revisions of a Discovery document, and the counts of a report.

use std::fmt;

use crate::classify;
use crate::kind::{Impact, Kind};

/// One change, located by a path into the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub kind: Kind,
    /// Where: the path of the node in the document (`schemas.Foo.properties.bar`,
    /// `resources.archiveJobs.methods.cancel`, `auth.oauth2.scopes`). Keys that are not plain
    /// identifiers are quoted (`parameters["$.xgafv"]`).
    pub path: String,
    /// For a member of a list or of the scopes map at `path`: which one (an enum value, a
    /// scope URL).
    pub subject: Option<String>,
    /// The value before, if it matters (a type, a path template, a description).
    pub old: Option<String>,
    /// The value after, if it matters.
    pub new: Option<String>,
}

impl Change {
    /// A change of `kind` at `path`, with no details yet.
    pub fn at(kind: Kind, path: impl Into<String>) -> Self {
        Self {
            kind,
            path: path.into(),
            subject: None,
            old: None,
            new: None,
        }
    }

    /// Names the member of the list or map at `path` that changed.
    pub fn of(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Records the value before the change.
    pub fn before(mut self, old: impl Into<String>) -> Self {
        self.old = Some(old.into());
        self
    }

    /// Records the value after the change.
    pub fn after(mut self, new: impl Into<String>) -> Self {
        self.new = Some(new.into());
        self
    }

    /// Records the values before and after, either of which may be absent.
    pub fn values(mut self, old: Option<String>, new: Option<String>) -> Self {
        self.old = old;
        self.new = new;
        self
    }

    /// How the change affects users of the generated crate.
    pub fn impact(&self) -> Impact {
        classify::impact(self.kind)
    }

    /// The change without its path: `enum value added: CANCELLED`,
    /// `field type changed: string → integer (int64)`. Descriptions are long, so the old and
    /// new text of a [`Kind::DescriptionChanged`] is left out.
    pub fn message(&self) -> String {
        let mut text = self.kind.label().to_owned();
        if let Some(subject) = &self.subject {
            text.push_str(": ");
            text.push_str(subject);
        }
        if self.kind == Kind::DescriptionChanged {
            return text;
        }
        match (&self.old, &self.new) {
            (Some(old), Some(new)) => text.push_str(&format!(": {old} → {new}")),
            (Some(value), None) | (None, Some(value)) => text.push_str(&format!(": {value}")),
            (None, None) => {}
        }
        text
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message())
    }
}

/// How many changes of each impact a report holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Breaking changes.
    pub breaking: usize,
    /// Compatible changes.
    pub compatible: usize,
    /// Description-only changes (not counted as changes).
    pub description_only: usize,
}

impl Summary {
    /// Counts `changes` by impact.
    pub fn of(changes: &[Change]) -> Self {
        let mut summary = Self::default();
        for change in changes {
            match change.impact() {
                Impact::Breaking => summary.breaking += 1,
                Impact::Compatible => summary.compatible += 1,
                Impact::DescriptionOnly => summary.description_only += 1,
            }
        }
        summary
    }

    /// Breaking and compatible changes together (description-only ones are not counted).
    pub fn changes(&self) -> usize {
        self.breaking + self.compatible
    }

    /// How many changes have `impact`.
    pub fn count(&self, impact: Impact) -> usize {
        match impact {
            Impact::Breaking => self.breaking,
            Impact::Compatible => self.compatible,
            Impact::DescriptionOnly => self.description_only,
        }
    }
}

impl fmt::Display for Summary {
    /// `12 changes: 3 breaking, 9 compatible (+4 description-only)`; the parenthesis is left
    /// out when there is no description-only change.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.changes();
        let noun = if total == 1 { "change" } else { "changes" };
        write!(
            f,
            "{total} {noun}: {} breaking, {} compatible",
            self.breaking, self.compatible
        )?;
        if self.description_only > 0 {
            write!(f, " (+{} description-only)", self.description_only)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_show_subject_and_values_but_not_descriptions() {
        let change = Change::at(Kind::EnumValueAdded, "schemas.S.properties.state.enum").of("DONE");
        assert_eq!(
            change.to_string(),
            "schemas.S.properties.state.enum: enum value added: DONE"
        );
        let change = Change::at(Kind::FieldTypeChanged, "schemas.S.properties.n")
            .before("string")
            .after("integer (int32)");
        assert_eq!(change.message(), "field type changed: string → integer (int32)");
        let change = Change::at(Kind::FieldRemoved, "schemas.S.properties.n").before("string");
        assert_eq!(change.message(), "field removed: string");
        let change = Change::at(Kind::DescriptionChanged, "schemas.S.description")
            .before("old")
            .after("new");
        assert_eq!(change.message(), "description changed");
    }

    #[test]
    fn the_summary_line_counts_changes_and_descriptions_apart() {
        let summary = Summary {
            breaking: 3,
            compatible: 9,
            description_only: 4,
        };
        assert_eq!(
            summary.to_string(),
            "12 changes: 3 breaking, 9 compatible (+4 description-only)"
        );
        let one = Summary {
            breaking: 0,
            compatible: 1,
            description_only: 0,
        };
        assert_eq!(one.to_string(), "1 change: 0 breaking, 1 compatible");
        assert_eq!(Summary::default().to_string(), "0 changes: 0 breaking, 0 compatible");
    }
}
