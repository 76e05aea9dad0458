//! Rendering [`FileDiff`]s as short unified diffs for people to read.

use api_diff::unified::unified_diff;

use crate::compare::FileDiff;

/// The default cap on the number of diff lines [`render_diffs`] prints.
pub const DEFAULT_MAX_DIFF_LINES: usize = 200;

/// The command that regenerates the committed crate.
pub const FIX_COMMAND: &str = "cargo xtask generate";

/// Renders `diffs` for a directory shown as `label` (e.g. `generated`): one line per file
/// (`changed: generated/src/lib.rs`), then unified diffs from what is on disk to what the
/// generator produces, cut after `max_lines` lines with a note saying how many were cut.
pub fn render_diffs(diffs: &[FileDiff], label: &str, max_lines: usize) -> String {
    let mut out = String::new();
    for diff in diffs {
        out.push_str(&format!("{}: {label}/{}\n", diff.kind(), diff.path()));
    }
    let lines: Vec<String> = diffs
        .iter()
        .flat_map(|diff| file_diff(diff, label).lines().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    for line in lines.iter().take(max_lines) {
        out.push_str(line);
        out.push('\n');
    }
    if lines.len() > max_lines {
        out.push_str(&format!(
            "... {} more diff lines cut (showing the first {max_lines})\n",
            lines.len() - max_lines
        ));
    }
    out
}

/// The line that ends a failed check of `label`, naming the command that fixes it.
pub fn stale_message(label: &str) -> String {
    format!("{label}/ is stale: run `{FIX_COMMAND}`")
}

/// One file's unified diff, on-disk content first; a missing or extra file is compared with
/// `/dev/null`, as git does.
fn file_diff(diff: &FileDiff, label: &str) -> String {
    let shown = format!("{label}/{}", diff.path());
    let (old, new, old_name, new_name) = match diff {
        FileDiff::Changed { expected, actual, .. } => (
            actual.as_str(),
            expected.as_str(),
            format!("{shown} (on disk)"),
            format!("{shown} (generated)"),
        ),
        FileDiff::Missing { expected, .. } => (
            "",
            expected.as_str(),
            "/dev/null".to_owned(),
            format!("{shown} (generated)"),
        ),
        FileDiff::Extra { actual, .. } => (
            actual.as_str(),
            "",
            format!("{shown} (on disk)"),
            "/dev/null".to_owned(),
        ),
    };
    unified_diff(old, new, &old_name, &new_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed() -> FileDiff {
        FileDiff::Changed {
            path: "src/lib.rs".into(),
            expected: "a\nb\nc\nd\ne\nf\ng\nNEW\n".into(),
            actual: "a\nb\nc\nd\ne\nf\ng\nOLD\n".into(),
        }
    }

    #[test]
    fn renders_a_changed_file_with_context() {
        let text = render_diffs(&[changed()], "generated", DEFAULT_MAX_DIFF_LINES);
        assert_eq!(
            text,
            "changed: generated/src/lib.rs\n\
             --- generated/src/lib.rs (on disk)\n\
             +++ generated/src/lib.rs (generated)\n\
             @@ -5,4 +5,4 @@\n e\n f\n g\n-OLD\n+NEW\n"
        );
    }

    #[test]
    fn renders_missing_and_extra_files_against_dev_null() {
        let diffs = [
            FileDiff::Missing {
                path: "src/new.rs".into(),
                expected: "x\n".into(),
            },
            FileDiff::Extra {
                path: "src/old.rs".into(),
                actual: "y\n".into(),
            },
        ];
        let text = render_diffs(&diffs, "generated", DEFAULT_MAX_DIFF_LINES);
        assert!(
            text.starts_with("missing: generated/src/new.rs\nextra: generated/src/old.rs\n"),
            "{text}"
        );
        assert!(
            text.contains("--- /dev/null\n+++ generated/src/new.rs (generated)\n@@ -0,0 +1 @@\n+x\n"),
            "{text}"
        );
        assert!(
            text.contains("--- generated/src/old.rs (on disk)\n+++ /dev/null\n@@ -1 +0,0 @@\n-y\n"),
            "{text}"
        );
    }

    #[test]
    fn cuts_long_diffs_and_says_how_much() {
        let expected: String = (0..500).map(|i| format!("line {i}\n")).collect();
        let diffs = [FileDiff::Missing {
            path: "big.rs".into(),
            expected,
        }];
        let text = render_diffs(&diffs, "generated", 20);
        // The summary line, 20 diff lines, the note. The diff has 3 header lines and 500 others.
        assert_eq!(text.lines().count(), 22, "{text}");
        assert!(
            text.ends_with("... 483 more diff lines cut (showing the first 20)\n"),
            "{text}"
        );
    }

    #[test]
    fn the_stale_message_names_the_fix() {
        assert_eq!(
            stale_message("generated"),
            "generated/ is stale: run `cargo xtask generate`"
        );
    }
}
