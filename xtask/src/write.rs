//! Bringing a directory in line with a generated crate, touching only what differs.

use std::path::Path;

use anyhow::{Context, Result};
use codegen::GeneratedCrate;

use crate::compare::{FileDiff, compare_dir, relative_path};

/// What [`write_dir`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files created or rewritten, relative to the directory.
    pub written: Vec<String>,
    /// Stale files deleted, relative to the directory.
    pub removed: Vec<String>,
    /// How many generated files were already up to date.
    pub unchanged: usize,
}

impl WriteReport {
    /// Whether nothing was written or deleted.
    pub fn is_noop(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

/// Writes the files of `expected` into `dir` whose content differs, and deletes the managed
/// files that `expected` no longer contains (see [`compare_dir`] for what is managed).
///
/// Running it twice in a row writes nothing the second time.
pub fn write_dir(expected: &GeneratedCrate, dir: &Path) -> Result<WriteReport> {
    let diffs = compare_dir(expected, dir)?;
    let mut report = WriteReport::default();
    for diff in &diffs {
        let full = dir.join(relative_path(diff.path())?);
        match diff {
            FileDiff::Changed { path, expected, .. } | FileDiff::Missing { path, expected } => {
                if let Some(parent) = full.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("could not create {}", parent.display()))?;
                }
                std::fs::write(&full, expected).with_context(|| format!("could not write {}", full.display()))?;
                report.written.push(path.clone());
            }
            FileDiff::Extra { path, .. } => {
                std::fs::remove_file(&full).with_context(|| format!("could not delete {}", full.display()))?;
                remove_empty_parents(&full, dir);
                report.removed.push(path.clone());
            }
        }
    }
    report.unchanged = expected.files.len() - (diffs.len() - report.removed.len());
    Ok(report)
}

/// Deletes the directories between `file` and `root` (exclusive) that are now empty.
fn remove_empty_parents(file: &Path, root: &Path) {
    let mut current = file.parent();
    while let Some(dir) = current {
        // `remove_dir` fails on a directory that is not empty, which ends the walk.
        if dir == root || !dir.starts_with(root) || std::fs::remove_dir(dir).is_err() {
            break;
        }
        current = dir.parent();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{sample_crate, write_files};

    #[test]
    fn writes_a_fresh_directory_then_nothing_the_second_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("generated");
        let expected = sample_crate();
        let first = write_dir(&expected, &out).expect("first write");
        assert_eq!(first.written.len(), expected.files.len());
        assert_eq!((first.removed.len(), first.unchanged), (0, 0));
        assert_eq!(compare_dir(&expected, &out).expect("compare"), vec![]);

        let lib = out.join("src/lib.rs");
        let modified = std::fs::metadata(&lib).and_then(|m| m.modified()).expect("mtime");
        let second = write_dir(&expected, &out).expect("second write");
        assert!(second.is_noop(), "{second:?}");
        assert_eq!(second.unchanged, expected.files.len());
        let after = std::fs::metadata(&lib).and_then(|m| m.modified()).expect("mtime");
        assert_eq!(modified, after, "an unchanged file was rewritten");
    }

    #[test]
    fn rewrites_only_changed_files_and_deletes_stale_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let expected = sample_crate();
        write_files(dir.path(), &expected.files);
        std::fs::write(dir.path().join("src/lib.rs"), "// old\n").expect("edit");
        std::fs::create_dir_all(dir.path().join("src/gone")).expect("mkdir");
        std::fs::write(dir.path().join("src/gone/old.rs"), "// stale\n").expect("stale");
        std::fs::write(dir.path().join("OLD.md"), "stale\n").expect("stale");
        std::fs::create_dir_all(dir.path().join("target")).expect("mkdir");
        std::fs::write(dir.path().join("target/keep.rs"), "x").expect("target");
        std::fs::write(dir.path().join(".gitignore"), "target\n").expect("hidden");

        let report = write_dir(&expected, dir.path()).expect("write");
        assert_eq!(report.written, vec!["src/lib.rs".to_owned()]);
        assert_eq!(report.removed, vec!["OLD.md".to_owned(), "src/gone/old.rs".to_owned()]);
        assert_eq!(report.unchanged, expected.files.len() - 1);
        assert!(!dir.path().join("src/gone").exists(), "the emptied directory stays");
        assert!(dir.path().join("target/keep.rs").exists());
        assert!(dir.path().join(".gitignore").exists());
        assert_eq!(compare_dir(&expected, dir.path()).expect("compare"), vec![]);
    }
}
