//! The committed generated crates (every entry of `discovery/manifest.json`) are exactly what
//! the generator produces from the committed documents. On a difference the test prints a
//! unified diff and the command that fixes it.

use std::path::Path;

use xtask::manifest::{MANIFEST_PATH, Manifest};
use xtask::{DEFAULT_MAX_DIFF_LINES, compare_dir, render_diffs, stale_message};

#[test]
fn committed_crates_match_the_generator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root");
    let manifest = std::fs::read_to_string(root.join(MANIFEST_PATH)).expect("the manifest is readable");
    let manifest = Manifest::parse(&manifest).expect("the manifest is valid");
    assert!(
        manifest.apis.iter().any(|entry| entry.id() == "dataportability:v1"),
        "the reference API is listed"
    );
    let mut report = String::new();
    for entry in &manifest.apis {
        let document = std::fs::read_to_string(root.join(&entry.document)).expect("the document is readable");
        let generated = codegen::generate(&document, &entry.options()).expect("the document generates");
        assert!(
            generated.files.contains_key("src/lib.rs"),
            "{} has a crate root",
            entry.crate_dir
        );
        let diffs = compare_dir(&generated, &root.join(&entry.crate_dir)).expect("the directory is readable");
        if !diffs.is_empty() {
            report.push_str(&render_diffs(&diffs, &entry.crate_dir, DEFAULT_MAX_DIFF_LINES));
            report.push_str(&stale_message(&entry.crate_dir));
            report.push('\n');
        }
    }
    assert!(report.is_empty(), "\n{report}");
}
