//! `cargo xtask generate`: regenerate the committed crates from their committed documents.

use std::path::Path;

use anyhow::{Context, Result};
use codegen::GeneratedCrate;

use crate::api::ApiEntry;
use crate::compare::{FileDiff, compare_dir};
use crate::write::{WriteReport, write_dir};

/// Generates `api`'s crate in memory from its committed document under `root`.
pub fn generate_crate(api: &ApiEntry, root: &Path) -> Result<GeneratedCrate> {
    let path = root.join(&api.document);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("could not read {} (run `cargo xtask fetch` first)", path.display()))?;
    codegen::generate(&text, &api.options())
        .with_context(|| format!("could not generate a crate from {}", path.display()))
}

/// Regenerates `api`'s crate and writes what changed into its directory under `root`.
pub fn write(api: &ApiEntry, root: &Path) -> Result<(GeneratedCrate, WriteReport)> {
    let generated = generate_crate(api, root)?;
    let report = write_dir(&generated, &root.join(&api.crate_dir))?;
    Ok((generated, report))
}

/// Regenerates `api`'s crate and compares it with its directory under `root`, writing nothing.
pub fn check(api: &ApiEntry, root: &Path) -> Result<(GeneratedCrate, Vec<FileDiff>)> {
    let generated = generate_crate(api, root)?;
    let diffs = compare_dir(&generated, &root.join(&api.crate_dir))?;
    Ok((generated, diffs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::dataportability_v1;

    /// A workspace root in a temporary directory holding a copy of the committed document.
    fn root_with_committed_document() -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("tempdir");
        let committed = crate::workspace::root()
            .expect("workspace root")
            .join(dataportability_v1().document);
        let copy = root.path().join(dataportability_v1().document);
        std::fs::create_dir_all(copy.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&committed, &copy).expect("copy the committed document");
        root
    }

    #[test]
    fn generates_the_committed_document_deterministically_and_idempotently() {
        let root = root_with_committed_document();
        let (generated, first) = write(&dataportability_v1(), root.path()).expect("first generate");
        assert_eq!(first.written.len(), generated.files.len());
        assert!(generated.files.contains_key("Cargo.toml") && generated.files.contains_key("src/lib.rs"));
        let (_, diffs) = check(&dataportability_v1(), root.path()).expect("check");
        assert_eq!(diffs, vec![]);
        let (_, second) = write(&dataportability_v1(), root.path()).expect("second generate");
        assert!(second.is_noop(), "{second:?}");
    }

    #[test]
    fn a_missing_document_says_to_fetch_first() {
        let root = tempfile::tempdir().expect("tempdir");
        let error = format!("{:#}", check(&dataportability_v1(), root.path()).expect_err("missing"));
        assert!(
            error.contains("dataportability.v1.json") && error.contains("cargo xtask fetch"),
            "{error}"
        );
    }

    #[test]
    fn a_broken_document_names_the_file() {
        let root = tempfile::tempdir().expect("tempdir");
        let path = root.path().join(dataportability_v1().document);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, "{not json").expect("write");
        let error = format!("{:#}", write(&dataportability_v1(), root.path()).expect_err("broken"));
        assert!(
            error.contains("could not generate a crate from") && error.contains("dataportability.v1.json"),
            "{error}"
        );
        assert!(!root.path().join(dataportability_v1().crate_dir).exists());
    }
}
