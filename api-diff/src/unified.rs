//! The one unified-diff renderer of the workspace: `api-diff --code` and the snapshot check of
//! the generated crates (in xtask) both show file differences through [`unified_diff`].

use std::time::Duration;

use similar::TextDiff;

/// Lines of unchanged context around each change.
pub const CONTEXT_LINES: usize = 3;

/// Gives up looking for a minimal diff after this long (the diff stays correct, only longer).
pub const DIFF_TIMEOUT: Duration = Duration::from_secs(2);

/// A unified diff from `old` to `new` with `---`/`+++` headers naming them `old_name` and
/// `new_name` (`/dev/null` for a missing side, as git writes it); empty when they are equal.
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    TextDiff::configure()
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(CONTEXT_LINES)
        .header(old_name, new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_three_lines_of_context_under_the_headers() {
        let old = "a\nb\nc\nd\ne\nf\ng\nOLD\n";
        let new = "a\nb\nc\nd\ne\nf\ng\nNEW\n";
        assert_eq!(
            unified_diff(old, new, "a/x", "b/x"),
            "--- a/x\n+++ b/x\n@@ -5,4 +5,4 @@\n e\n f\n g\n-OLD\n+NEW\n"
        );
        assert_eq!(unified_diff(old, old, "a/x", "b/x"), "");
    }
}
