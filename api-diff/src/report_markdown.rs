//! The report as Markdown, for a pull request description: a summary in bold, breaking
//! changes with the reason they break, compatible changes, description-only changes and the
//! generated code diff in collapsed `<details>` blocks.

use crate::change::Change;
use crate::kind::{Impact, Kind};
use crate::report::Report;
use crate::{classify, code_diff};

/// Renders `report`; description-only changes are listed only when `verbose`.
pub fn render(report: &Report, verbose: bool) -> String {
    let mut out = format!(
        "### API changes: {} {} → {}\n\n",
        code(&report.api),
        report.old.revision,
        report.new.revision
    );
    out.push_str(&format!(
        "Compared {} with {}.\n\n**{}**\n",
        code(&report.old.label),
        code(&report.new.label),
        report.summary()
    ));
    for impact in [Impact::Breaking, Impact::Compatible] {
        let listed: Vec<&Change> = report.with_impact(impact).collect();
        if listed.is_empty() {
            continue;
        }
        out.push_str(&format!("\n#### {} ({})\n\n", impact.heading(), listed.len()));
        for change in listed {
            out.push_str(&item(change, impact == Impact::Breaking));
        }
    }
    let descriptions: Vec<&Change> = report.with_impact(Impact::DescriptionOnly).collect();
    if verbose && !descriptions.is_empty() {
        out.push_str(&format!(
            "\n<details><summary>Description-only changes ({})</summary>\n\n",
            descriptions.len()
        ));
        for change in descriptions {
            out.push_str(&item(change, false));
        }
        out.push_str("\n</details>\n");
    }
    if let Some(files) = &report.code {
        out.push_str(&format!(
            "\n<details><summary>Generated code ({} files differ)</summary>\n\n",
            files.len()
        ));
        let diff = code_diff::render(files);
        let fence = fence_for(&diff);
        out.push_str(&format!("{fence}diff\n{diff}{fence}\n\n</details>\n"));
    }
    out
}

/// One list item: `` - `path`: label: `subject`: `old` → `new` ``, and for a breaking
/// change the reason in italics.
fn item(change: &Change, with_reason: bool) -> String {
    let mut text = format!("- {}: {}", code(&change.path), change.kind.label());
    if let Some(subject) = &change.subject {
        text.push_str(&format!(": {}", code(subject)));
    }
    if change.kind != Kind::DescriptionChanged {
        match (&change.old, &change.new) {
            (Some(old), Some(new)) => text.push_str(&format!(": {} → {}", code(old), code(new))),
            (Some(value), None) | (None, Some(value)) => text.push_str(&format!(": {}", code(value))),
            (None, None) => {}
        }
    }
    if with_reason {
        text.push_str(&format!(" — _{}_", classify::reason(change.kind)));
    }
    text.push('\n');
    text
}

/// `text` as an inline code span, with enough backticks to hold the backticks inside it.
fn code(text: &str) -> String {
    let longest = longest_backtick_run(text);
    let ticks = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// A code fence longer than any run of backticks in `text` (at least three).
fn fence_for(text: &str) -> String {
    "`".repeat(longest_backtick_run(text).max(2) + 1)
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("has ``` inside"), "````");
    }
}
