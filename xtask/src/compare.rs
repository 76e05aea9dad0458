//! Comparing a generated crate held in memory with the files of a directory on disk.
//!
//! Used by `cargo xtask generate` (to write only what changed, and by `--check`) and by the
//! snapshot test (`xtask/tests/snapshot.rs`).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use codegen::GeneratedCrate;

/// File extensions the generator owns in its output directory: a file with one of these
/// extensions that the generator no longer produces is stale.
pub const MANAGED_EXTENSIONS: &[&str] = &["rs", "md", "toml"];

/// Top-level entries of the output directory that are never looked at (Cargo's build output).
pub const IGNORED_TOP_LEVEL: &[&str] = &["target"];

/// One file that differs between the generated crate and the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileDiff {
    /// The file exists with other content.
    Changed {
        /// Path relative to the directory, with `/` separators.
        path: String,
        /// What the generator produces.
        expected: String,
        /// What is on disk.
        actual: String,
    },
    /// The generator produces the file but it is not on disk.
    Missing {
        /// Path relative to the directory, with `/` separators.
        path: String,
        /// What the generator produces.
        expected: String,
    },
    /// A managed file on disk that the generator does not produce.
    Extra {
        /// Path relative to the directory, with `/` separators.
        path: String,
        /// What is on disk.
        actual: String,
    },
}

impl FileDiff {
    /// The file's path relative to the directory.
    pub fn path(&self) -> &str {
        match self {
            Self::Changed { path, .. } | Self::Missing { path, .. } | Self::Extra { path, .. } => path,
        }
    }

    /// A one-word description: `changed`, `missing` or `extra`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Changed { .. } => "changed",
            Self::Missing { .. } => "missing",
            Self::Extra { .. } => "extra",
        }
    }
}

/// Compares every file of `expected` with `dir`, and lists the managed files in `dir` that
/// `expected` lacks. The result is sorted by path; it is empty when `dir` is up to date.
///
/// Hidden entries (names starting with `.`) and `dir/target` are ignored. A missing `dir`
/// counts as empty.
pub fn compare_dir(expected: &GeneratedCrate, dir: &Path) -> Result<Vec<FileDiff>> {
    let mut on_disk = managed_files(dir)?;
    let mut diffs = Vec::new();
    for (path, expected_text) in &expected.files {
        let full = dir.join(relative_path(path)?);
        on_disk.remove(path);
        if !full.is_file() {
            diffs.push(FileDiff::Missing {
                path: path.clone(),
                expected: expected_text.clone(),
            });
            continue;
        }
        let actual = read_text(&full)?;
        if actual != *expected_text {
            diffs.push(FileDiff::Changed {
                path: path.clone(),
                expected: expected_text.clone(),
                actual,
            });
        }
    }
    for (path, full) in on_disk {
        let actual = read_text(&full)?;
        diffs.push(FileDiff::Extra { path, actual });
    }
    diffs.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(diffs)
}

/// Turns a generated file's key (`src/resources/mod.rs`) into a relative path, refusing
/// anything that could leave the output directory.
pub fn relative_path(key: &str) -> Result<PathBuf> {
    let path = Path::new(key);
    let escapes = key.is_empty()
        || key.contains('\\')
        || key.split('/').any(|segment| matches!(segment, "" | "." | ".."))
        || path
            .components()
            .any(|component| !matches!(component, Component::Normal(_)));
    if escapes {
        bail!(
            "the generator produced an invalid file path {key:?} (must be relative, `/`-separated, without `.` or `..`)"
        );
    }
    Ok(path.to_path_buf())
}

/// The managed files under `dir`, keyed by their `/`-separated relative path.
fn managed_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut files = BTreeMap::new();
    if dir.is_dir() {
        walk(dir, "", &mut files)?;
    }
    Ok(files)
}

/// Collects managed files below `dir`, whose key prefix is `prefix` (empty at the top).
fn walk(dir: &Path, prefix: &str, files: &mut BTreeMap<String, PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("could not list {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("could not list {}", dir.display()))?;
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue; // Not a name the generator could have produced.
        };
        if name.starts_with('.') || (prefix.is_empty() && IGNORED_TOP_LEVEL.contains(&name.as_str())) {
            continue;
        }
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let file_type = entry
            .file_type()
            .with_context(|| format!("could not inspect {}", entry.path().display()))?;
        if file_type.is_dir() {
            walk(&entry.path(), &key, files)?;
        } else if file_type.is_file() && is_managed(&name) {
            files.insert(key, entry.path());
        }
    }
    Ok(())
}

/// Whether a file name has one of the [`MANAGED_EXTENSIONS`].
fn is_managed(name: &str) -> bool {
    Path::new(name)
        .extension()
        .and_then(|extension| extension.to_str())
        .is_some_and(|extension| MANAGED_EXTENSIONS.contains(&extension))
}

/// Reads a file as text; invalid UTF-8 is replaced so the file simply compares as different.
fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("could not read {}", path.display()))?;
    Ok(String::from_utf8(bytes).unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small hand-built generated crate with files at several depths.
    fn sample_crate() -> GeneratedCrate {
        let files = [
            ("Cargo.toml", "[package]\nname = \"sample\"\n"),
            ("README.md", "# sample\n"),
            (
                "src/lib.rs",
                "//! Sample.\n\npub mod resources;\n\npub fn one() -> u32 {\n    1\n}\n",
            ),
            ("src/resources/mod.rs", "pub mod jobs;\n"),
            ("src/resources/jobs.rs", "pub struct Jobs;\n"),
        ];
        GeneratedCrate {
            name: "sample".into(),
            files: files
                .iter()
                .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
                .collect(),
        }
    }

    /// Writes `files` (keyed by `/`-separated relative paths) under `dir`.
    fn write_files(dir: &Path, files: &BTreeMap<String, String>) {
        for (path, text) in files {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, text).expect("write");
        }
    }

    #[test]
    fn an_identical_directory_has_no_differences() {
        let dir = tempfile::tempdir().expect("tempdir");
        let expected = sample_crate();
        write_files(dir.path(), &expected.files);
        assert_eq!(compare_dir(&expected, dir.path()).expect("compare"), vec![]);
    }

    #[test]
    fn detects_changed_missing_and_extra_files_in_path_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let expected = sample_crate();
        write_files(dir.path(), &expected.files);
        std::fs::write(dir.path().join("src/lib.rs"), "// edited by hand\n").expect("edit");
        std::fs::remove_file(dir.path().join("src/resources/jobs.rs")).expect("remove");
        std::fs::write(dir.path().join("src/resources/old.rs"), "// stale\n").expect("extra");
        let diffs = compare_dir(&expected, dir.path()).expect("compare");
        let summary: Vec<(&str, &str)> = diffs.iter().map(|diff| (diff.kind(), diff.path())).collect();
        assert_eq!(
            summary,
            vec![
                ("changed", "src/lib.rs"),
                ("missing", "src/resources/jobs.rs"),
                ("extra", "src/resources/old.rs")
            ]
        );
        assert_eq!(
            diffs[0],
            FileDiff::Changed {
                path: "src/lib.rs".into(),
                expected: expected.files["src/lib.rs"].clone(),
                actual: "// edited by hand\n".into(),
            }
        );
    }

    #[test]
    fn ignores_target_hidden_and_unmanaged_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let expected = sample_crate();
        write_files(dir.path(), &expected.files);
        for path in [
            "target/debug/build.rs",
            ".hidden/x.rs",
            "src/.scratch.rs",
            "Cargo.lock",
            "notes.txt",
        ] {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, "x").expect("write");
        }
        assert_eq!(compare_dir(&expected, dir.path()).expect("compare"), vec![]);
    }

    #[test]
    fn a_missing_directory_means_every_file_is_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let diffs = compare_dir(&sample_crate(), &dir.path().join("absent")).expect("compare");
        assert_eq!(diffs.len(), sample_crate().files.len());
        assert!(diffs.iter().all(|diff| diff.kind() == "missing"));
    }

    #[test]
    fn refuses_paths_that_leave_the_directory() {
        for bad in [
            "",
            "/etc/passwd",
            "../x.rs",
            "src/../../x.rs",
            "src//x.rs",
            "./x.rs",
            "src/./x.rs",
            "src\\x.rs",
        ] {
            let error = relative_path(bad).expect_err(bad).to_string();
            assert!(error.contains("invalid file path"), "{error}");
        }
        assert_eq!(relative_path("src/lib.rs").expect("ok"), PathBuf::from("src/lib.rs"));
    }
}
