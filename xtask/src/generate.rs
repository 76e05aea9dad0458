//! `cargo xtask generate`: regenerate the committed crates from their committed documents.

use std::path::Path;

use anyhow::{Context, Result};
use codegen::GeneratedCrate;

use crate::api::CrateSpec;
use crate::write::{WriteReport, write_dir};
use api_diff::{FileDiff, compare_dir};

/// Generates `api`'s crate in memory from its committed document under `root`.
pub fn generate_crate(api: &CrateSpec, root: &Path) -> Result<GeneratedCrate> {
    let path = root.join(api.document_path);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("could not read {} (run `cargo xtask fetch` first)", path.display()))?;
    codegen::generate(&text, &codegen::Options::with_runtime_path(api.runtime_path))
        .with_context(|| format!("could not generate a crate from {}", path.display()))
}

/// Regenerates `api`'s crate and writes what changed into its directory under `root`.
pub fn write(api: &CrateSpec, root: &Path) -> Result<(GeneratedCrate, WriteReport)> {
    let generated = generate_crate(api, root)?;
    let report = write_dir(&generated, &root.join(api.generated_dir))?;
    Ok((generated, report))
}

/// Regenerates `api`'s crate and compares it with its directory under `root`, writing nothing.
pub fn check(api: &CrateSpec, root: &Path) -> Result<(GeneratedCrate, Vec<FileDiff>)> {
    let generated = generate_crate(api, root)?;
    let diffs = compare_dir(&generated, &root.join(api.generated_dir))?;
    Ok((generated, diffs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::DATAPORTABILITY_V1_CRATE as DATAPORTABILITY_V1;

    /// A workspace root in a temporary directory holding a copy of the committed document.
    fn root_with_committed_document() -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("tempdir");
        let committed = crate::workspace::root()
            .expect("workspace root")
            .join(DATAPORTABILITY_V1.document_path);
        let copy = root.path().join(DATAPORTABILITY_V1.document_path);
        std::fs::create_dir_all(copy.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&committed, &copy).expect("copy the committed document");
        root
    }

    #[test]
    fn generates_the_committed_document_deterministically_and_idempotently() {
        let root = root_with_committed_document();
        let (generated, first) = write(&DATAPORTABILITY_V1, root.path()).expect("first generate");
        assert_eq!(first.written.len(), generated.files.len());
        assert!(generated.files.contains_key("Cargo.toml") && generated.files.contains_key("src/lib.rs"));
        let (_, diffs) = check(&DATAPORTABILITY_V1, root.path()).expect("check");
        assert_eq!(diffs, vec![]);
        let (_, second) = write(&DATAPORTABILITY_V1, root.path()).expect("second generate");
        assert!(second.is_noop(), "{second:?}");
    }

    #[test]
    fn a_missing_document_says_to_fetch_first() {
        let root = tempfile::tempdir().expect("tempdir");
        let error = format!("{:#}", check(&DATAPORTABILITY_V1, root.path()).expect_err("missing"));
        assert!(
            error.contains("dataportability.v1.json") && error.contains("cargo xtask fetch"),
            "{error}"
        );
    }

    #[test]
    fn a_broken_document_names_the_file() {
        let root = tempfile::tempdir().expect("tempdir");
        let path = root.path().join(DATAPORTABILITY_V1.document_path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, "{not json").expect("write");
        let error = format!("{:#}", write(&DATAPORTABILITY_V1, root.path()).expect_err("broken"));
        assert!(
            error.contains("could not generate a crate from") && error.contains("dataportability.v1.json"),
            "{error}"
        );
        assert!(!root.path().join(DATAPORTABILITY_V1.generated_dir).exists());
    }
}
