//! `--code`: generate the crate of both documents in memory and diff them file by file.

use codegen::GeneratedCrate;

use crate::error::{Error, Result};
use crate::load::Loaded;
use crate::unified::unified_diff;

/// What happened to one file of the generated crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileStatus {
    /// Only the new crate has it.
    Added,
    /// Only the old crate has it.
    Removed,
    /// Both have it, with different content.
    Changed,
}

impl FileStatus {
    /// `added`, `removed` or `changed`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }
}

/// One file that differs between the two generated crates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileChange {
    /// Path relative to the crate root, with `/` separators.
    pub path: String,
    /// Added, removed or changed.
    pub status: FileStatus,
    /// A unified diff (`--- a/path`, `+++ b/path`, `/dev/null` for a missing side).
    pub diff: String,
}

/// Generates the crates of `old` and `new` with the options `generated/` uses, and diffs them.
pub fn diff_documents(old: &Loaded, new: &Loaded, options: &codegen::Options) -> Result<Vec<FileChange>> {
    let generate = |loaded: &Loaded| {
        codegen::generate(&loaded.text, options).map_err(|source| Error::Generate {
            label: loaded.label.clone(),
            source,
        })
    };
    Ok(diff_crates(&generate(old)?, &generate(new)?))
}

/// The files that differ between two generated crates, in path order.
pub fn diff_crates(old: &GeneratedCrate, new: &GeneratedCrate) -> Vec<FileChange> {
    let mut paths: Vec<&String> = old.files.keys().chain(new.files.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter_map(|path| {
            let (before, after) = (old.files.get(path), new.files.get(path));
            let status = match (before, after) {
                (None, Some(_)) => FileStatus::Added,
                (Some(_), None) => FileStatus::Removed,
                (Some(before), Some(after)) if before != after => FileStatus::Changed,
                _ => return None,
            };
            let old_name = before.map_or_else(|| "/dev/null".to_owned(), |_| format!("a/{path}"));
            let new_name = after.map_or_else(|| "/dev/null".to_owned(), |_| format!("b/{path}"));
            let diff = unified_diff(
                before.map_or("", String::as_str),
                after.map_or("", String::as_str),
                &old_name,
                &new_name,
            );
            Some(FileChange {
                path: path.clone(),
                status,
                diff,
            })
        })
        .collect()
}

/// One line per file (`changed: src/lib.rs`), then every unified diff.
pub fn render(files: &[FileChange]) -> String {
    let mut out = String::new();
    for file in files {
        out.push_str(&format!("{}: {}\n", file.status.id(), file.path));
    }
    for file in files {
        out.push_str(&file.diff);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn krate(files: &[(&str, &str)]) -> GeneratedCrate {
        GeneratedCrate {
            name: "x".into(),
            files: files
                .iter()
                .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn diffs_added_removed_and_changed_files() {
        let old = krate(&[
            ("src/lib.rs", "a\nb\n"),
            ("src/gone.rs", "x\n"),
            ("README.md", "same\n"),
        ]);
        let new = krate(&[("src/lib.rs", "a\nc\n"), ("src/new.rs", "y\n"), ("README.md", "same\n")]);
        let files = diff_crates(&old, &new);
        let summary: Vec<(&str, FileStatus)> = files.iter().map(|f| (f.path.as_str(), f.status)).collect();
        assert_eq!(
            summary,
            vec![
                ("src/gone.rs", FileStatus::Removed),
                ("src/lib.rs", FileStatus::Changed),
                ("src/new.rs", FileStatus::Added)
            ]
        );
        assert_eq!(files[0].diff, "--- a/src/gone.rs\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n");
        assert_eq!(
            files[1].diff,
            "--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        );
        assert_eq!(files[2].diff, "--- /dev/null\n+++ b/src/new.rs\n@@ -0,0 +1 @@\n+y\n");
        let text = render(&files);
        assert!(
            text.starts_with("removed: src/gone.rs\nchanged: src/lib.rs\nadded: src/new.rs\n--- a/src/gone.rs\n"),
            "{text}"
        );
    }

    #[test]
    fn identical_crates_have_no_diff() {
        let same = krate(&[("src/lib.rs", "a\n")]);
        assert_eq!(diff_crates(&same, &same), vec![]);
    }
}
