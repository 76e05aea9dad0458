//! The semantic summary `cargo xtask fetch` prints when the fetched document differs from
//! the committed one: the report of [`api_diff`], without its header (fetch prints the
//! revisions itself).

use codegen::parse::RestDescription;
use serde_json::Value;

use api_diff::report_text::{self, TextOptions};
use api_diff::{self as diff, Summary};

/// What changed in an API, as the lines of a text report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiChanges {
    /// The report's lines (`Breaking changes (1):`, `  - auth.oauth2.scopes: scope removed: ...`,
    /// blank lines between sections) ending with the summary line; empty when nothing is reported.
    pub lines: Vec<String>,
    /// The counts by impact.
    pub summary: Summary,
}

impl ApiChanges {
    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Summarizes the differences between the committed document `old` and the fetched `new`.
///
/// Description-only changes are counted but not listed. A document the Discovery model cannot
/// read, or the generator cannot resolve, gives a one-line note instead of a report.
pub fn summarize(old: &Value, new: &Value) -> ApiChanges {
    let model = |value: &Value| serde_json::from_value::<RestDescription>(value.clone());
    let changes = match (model(old), model(new)) {
        (Ok(old), Ok(new)) => diff::diff(&old, &new).map_err(|error| error.to_string()),
        (Err(error), _) | (_, Err(error)) => Err(error.to_string()),
    };
    match changes {
        Ok(changes) => {
            let text = report_text::body(&changes, TextOptions::default());
            ApiChanges {
                lines: text.lines().map(str::to_owned).collect(),
                summary: Summary::of(&changes),
            }
        }
        Err(error) => ApiChanges {
            lines: vec![format!("(could not compare the documents: {error})")],
            summary: Summary::default(),
        },
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::sample_document;

    #[test]
    fn lists_the_changes_and_ends_with_the_summary_line() {
        let old = sample_document("20240410", "e1");
        let mut new = sample_document("20260927", "e2");
        new["schemas"]["Alpha"]["properties"]["c"] = json!({"type": "boolean"});
        new["schemas"]["Zeta"]["description"] = json!("Now documented.");
        let changes = summarize(&old, &new);
        assert_eq!(
            changes.lines,
            vec![
                "Compatible changes (1):",
                "  + schemas.Alpha.properties.c: field added: boolean",
                "",
                "1 change: 0 breaking, 1 compatible (+1 description-only)",
            ]
        );
        assert_eq!(changes.summary.compatible, 1);
    }

    #[test]
    fn an_unreadable_document_gives_a_note() {
        let old = sample_document("20240410", "e1");
        let mut new = sample_document("20260927", "e2");
        new["schemas"]["Alpha"]["type"] = json!("strin");
        let changes = summarize(&old, &new);
        assert_eq!(changes.lines.len(), 1);
        assert!(
            changes.lines[0].starts_with("(could not compare the documents:"),
            "{changes:?}"
        );
    }
}
