//! Compiling a sample of generated crates: one scratch workspace, sharing the project's
//! target directory and lock file, checked with `cargo check` and `cargo clippy -D warnings`.

use std::path::Path;

use anyhow::{Context, Result};
use codegen::GeneratedCrate;

/// One crate of the sample: the document's file stem and its generated crate.
#[derive(Debug)]
pub struct SampleCrate<'a> {
    /// The document's file stem, e.g. `storage.v1`; the crate's directory name.
    pub document: &'a str,
    /// The crate.
    pub generated: &'a GeneratedCrate,
}

/// Reads a sample list: one document name per line; `#` starts a comment.
pub fn read_sample_list(path: &Path) -> Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read the sample list {}", path.display()))?;
    Ok(text
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}

/// Writes `crates` into a scratch workspace at `scratch` and runs `cargo check` and
/// `cargo clippy -- -D warnings` on it, with `workspace_root`'s target directory and lock file;
/// then clippy again with one resource feature per crate (see `single_resource_feature`),
/// all crates in one cargo invocation.
pub fn compile_sample(workspace_root: &Path, scratch: &Path, crates: &[SampleCrate<'_>]) -> Result<()> {
    let crates_dir = scratch.join("crates");
    if crates_dir.exists() {
        std::fs::remove_dir_all(&crates_dir).with_context(|| format!("cannot clear {}", crates_dir.display()))?;
    }
    for sample in crates {
        for (path, content) in &sample.generated.files {
            let target = crates_dir.join(sample.document).join(path);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
            }
            std::fs::write(&target, content).with_context(|| format!("cannot write {}", target.display()))?;
        }
    }
    let members: Vec<String> = crates
        .iter()
        .map(|c| format!("    \"crates/{}\",", c.document))
        .collect();
    let manifest = format!(
        "[workspace]\nresolver = \"3\"\nmembers = [\n{}\n]\n",
        members.join("\n")
    );
    std::fs::write(scratch.join("Cargo.toml"), manifest).context("cannot write the scratch workspace manifest")?;
    // The same lock file resolves the same dependency versions, so the shared target
    // directory already holds them.
    std::fs::copy(workspace_root.join("Cargo.lock"), scratch.join("Cargo.lock")).context("cannot copy Cargo.lock")?;

    let target_dir = workspace_root.join("target");
    cargo(scratch, &target_dir, &["check", "--workspace", "--all-targets"])?;
    cargo(
        scratch,
        &target_dir,
        &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
    )?;
    let singles: Vec<(&str, String)> = crates
        .iter()
        .filter_map(|c| single_resource_feature(c.generated).map(|f| (c.generated.name.as_str(), f)))
        .collect();
    if !singles.is_empty() {
        let mut args = vec![
            "clippy".to_owned(),
            "--all-targets".to_owned(),
            "--no-default-features".to_owned(),
        ];
        for (package, _) in &singles {
            args.extend(["-p".to_owned(), (*package).to_owned()]);
        }
        let features: Vec<String> = singles.iter().map(|(p, f)| format!("{p}/{f}")).collect();
        args.extend(["--features".to_owned(), features.join(",")]);
        args.extend(["--".to_owned(), "-D".to_owned(), "warnings".to_owned()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cargo(scratch, &target_dir, &args)?;
    }
    Ok(())
}

/// The resource feature to compile a crate with alone: the one whose module is largest (the
/// most builders, and usually the most schemas), or `None` when the crate has no resources.
pub fn single_resource_feature(generated: &GeneratedCrate) -> Option<String> {
    let manifest = generated.files.get("Cargo.toml")?;
    let table = manifest.split("\n[features]\n").nth(1)?;
    table
        .lines()
        .filter_map(|line| line.strip_suffix(" = []"))
        .filter(|feature| *feature != codegen::resolve::features::UNREFERENCED_SCHEMAS)
        .max_by_key(|feature| {
            let module = generated.files.get(&format!("src/resources/{feature}.rs"));
            (module.map_or(0, String::len), std::cmp::Reverse(*feature))
        })
        .map(str::to_owned)
}

fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<()> {
    println!("running cargo {} in {}", args.join(" "), dir.display());
    crate::nested_cargo::run(dir, target_dir, args)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_single_feature_is_the_largest_resource() {
        let mut generated = codegen::GeneratedCrate::default();
        generated.files.insert(
            "Cargo.toml".to_owned(),
            "[package]\n\n[features]\ndefault = [\n    \"a\",\n    \"b\",\n]\na = []\nb = []\nunreferenced_schemas = []\n".to_owned(),
        );
        generated.files.insert("src/resources/a.rs".to_owned(), "x".to_owned());
        generated.files.insert("src/resources/b.rs".to_owned(), "xx".to_owned());
        assert_eq!(super::single_resource_feature(&generated).as_deref(), Some("b"));
        generated.files.clear();
        assert_eq!(super::single_resource_feature(&generated), None);
    }

    use super::*;

    #[test]
    fn the_sample_list_skips_comments_and_blank_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sample.txt");
        std::fs::write(&path, "# header\nstorage.v1  # media\n\n  gmail.v1\n").expect("write");
        assert_eq!(read_sample_list(&path).expect("reads"), ["storage.v1", "gmail.v1"]);
    }
}
