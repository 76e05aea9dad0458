//! The committed generated crates are exactly what the generator produces from the committed
//! documents. On a difference the test prints a unified diff and the command that fixes it.

use xtask::api::CRATES;
use xtask::{DEFAULT_MAX_DIFF_LINES, generate, render_diffs, stale_message, workspace};

#[test]
fn committed_crates_match_the_generator() {
    let root = workspace::root().expect("the workspace root is found");
    let mut report = String::new();
    for spec in CRATES {
        let (generated, diffs) = generate::check(spec, &root).expect("the document generates");
        assert!(
            generated.files.contains_key("src/lib.rs"),
            "{} has a crate root",
            spec.generated_dir
        );
        if !diffs.is_empty() {
            report.push_str(&render_diffs(&diffs, spec.generated_dir, DEFAULT_MAX_DIFF_LINES));
            report.push_str(&stale_message(spec.generated_dir));
            report.push('\n');
        }
    }
    assert!(report.is_empty(), "\n{report}");
}
