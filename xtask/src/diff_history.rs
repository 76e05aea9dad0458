//! `cargo xtask diff-history`: the reports between consecutive revisions of a document,
//! checked against committed snapshots (or written with `--bless`).
//!
//! For documents `A B C`, the reports `A..B` and `B..C` are rendered as verbose text
//! (`A..B.txt`) and JSON (`A..B.json`), named by the documents' file stems and labelled by
//! their file names only, so the snapshots do not depend on where the documents are. The
//! check needs the documents, which live outside the repository, so it runs in `.ci/run`
//! rather than in `cargo test`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use similar::TextDiff;

use api_diff::load::{Loaded, check_same_api};
use api_diff::report_text::TextOptions;
use api_diff::{Report, report_json, report_text};

use crate::source::Source;

/// Where the snapshots are committed, relative to the workspace root.
pub const DEFAULT_SNAPSHOTS: &str = "xtask/tests/history";

/// Arguments of `cargo xtask diff-history`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 every report matches its snapshot (or --bless wrote them), \
                        1 some differ, 2 error."
)]
pub struct HistoryArgs {
    /// The documents, oldest first; each is compared with the next.
    #[arg(required = true, num_args = 2.., value_name = "DOCUMENT")]
    pub documents: Vec<PathBuf>,
    /// The snapshot directory, relative to the workspace root.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_SNAPSHOTS)]
    pub snapshots: PathBuf,
    /// Write the reports into the snapshot directory (and delete stale ones) instead of checking.
    #[arg(long)]
    pub bless: bool,
}

/// One snapshot that does not match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The snapshot's content differs: a unified diff from the snapshot to the report.
    Changed {
        /// The snapshot's file name.
        name: String,
        /// The unified diff.
        diff: String,
    },
    /// There is no snapshot for a report.
    Missing {
        /// The snapshot's file name.
        name: String,
    },
    /// A snapshot that no report produces.
    Stale {
        /// The snapshot's file name.
        name: String,
    },
}

/// The reports of a series of documents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reports {
    /// Snapshot file name (`A..B.txt`, `A..B.json`) to content.
    pub files: BTreeMap<String, String>,
    /// Each pair's name (`A..B`) and summary line, oldest first.
    pub summaries: Vec<(String, String)>,
}

/// The reports of each consecutive pair of `documents`.
pub fn reports(documents: &[PathBuf]) -> Result<Reports> {
    if documents.len() < 2 {
        bail!("diff-history needs at least two documents");
    }
    let loaded = documents
        .iter()
        .map(|path| Ok(Loaded::from_text(Source::File(path.clone()).load()?, file_name(path))?))
        .collect::<Result<Vec<_>>>()?;
    let mut files = BTreeMap::new();
    let mut summaries = Vec::new();
    for (pair, old_new) in documents.windows(2).zip(loaded.windows(2)) {
        let [old, new] = old_new else { continue };
        check_same_api(old, new)?;
        let report = Report::new(old, new)?;
        let name = format!("{}..{}", file_stem(&pair[0]), file_stem(&pair[1]));
        let options = TextOptions {
            verbose: true,
            color: false,
        };
        files.insert(format!("{name}.txt"), report_text::render(&report, options));
        files.insert(format!("{name}.json"), report_json::render(&report));
        summaries.push((name, report.summary().to_string()));
    }
    Ok(Reports { files, summaries })
}

/// Compares `expected` with the `.txt` and `.json` files of `dir`.
pub fn check(expected: &BTreeMap<String, String>, dir: &Path) -> Result<Vec<Mismatch>> {
    let mut on_disk = snapshot_files(dir)?;
    let mut mismatches = Vec::new();
    for (name, text) in expected {
        match on_disk.remove(name) {
            None => mismatches.push(Mismatch::Missing { name: name.clone() }),
            Some(path) => {
                let actual =
                    std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))?;
                if actual != *text {
                    let diff = TextDiff::from_lines(actual.as_str(), text.as_str())
                        .unified_diff()
                        .context_radius(3)
                        .header(&format!("{name} (snapshot)"), &format!("{name} (regenerated)"))
                        .to_string();
                    mismatches.push(Mismatch::Changed {
                        name: name.clone(),
                        diff,
                    });
                }
            }
        }
    }
    mismatches.extend(on_disk.into_keys().map(|name| Mismatch::Stale { name }));
    Ok(mismatches)
}

/// Writes `expected` into `dir` and deletes the snapshots no report produces.
pub fn bless(expected: &BTreeMap<String, String>, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    for (name, path) in snapshot_files(dir)? {
        if !expected.contains_key(&name) {
            std::fs::remove_file(&path).with_context(|| format!("could not delete {}", path.display()))?;
        }
    }
    for (name, text) in expected {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?;
    }
    Ok(())
}

/// Runs `cargo xtask diff-history`: exit status 1 when a snapshot differs.
pub fn run(root: &Path, args: &HistoryArgs) -> Result<ExitCode> {
    let dir = root.join(&args.snapshots);
    let Reports {
        files: expected,
        summaries,
    } = reports(&args.documents)?;
    for (name, summary) in &summaries {
        println!("{name}: {summary}");
    }
    if args.bless {
        bless(&expected, &dir)?;
        println!("wrote {} snapshots to {}", expected.len(), args.snapshots.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mismatches = check(&expected, &dir)?;
    for mismatch in &mismatches {
        match mismatch {
            Mismatch::Changed { name, diff } => print!("changed: {name}\n{diff}"),
            Mismatch::Missing { name } => println!("missing: {name}"),
            Mismatch::Stale { name } => println!("stale: {name} (no report produces it)"),
        }
    }
    if mismatches.is_empty() {
        println!(
            "{} reports match their snapshots in {}",
            expected.len(),
            args.snapshots.display()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        let count = match mismatches.len() {
            1 => "1 snapshot".to_owned(),
            n => format!("{n} snapshots"),
        };
        println!(
            "{count} in {} differ from the regenerated reports: review the diff, then rerun the same command with --bless",
            args.snapshots.display()
        );
        Ok(ExitCode::from(1))
    }
}

/// The `.txt` and `.json` files of `dir` by name (none if `dir` does not exist).
fn snapshot_files(dir: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let mut files = BTreeMap::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in std::fs::read_dir(dir).with_context(|| format!("could not list {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("could not list {}", dir.display()))?
            .path();
        let is_snapshot = path.extension().is_some_and(|ext| ext == "txt" || ext == "json");
        if let (true, true, Some(name)) = (is_snapshot, path.is_file(), path.file_name().and_then(|n| n.to_str())) {
            files.insert(name.to_owned(), path.clone());
        }
    }
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |stem| stem.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use codegen::tiny_document::TinyDocument;
    use serde_json::{Value, json};

    use super::*;

    fn document(dir: &Path, name: &str, revision: &str, scopes: Value) -> PathBuf {
        let path = dir.join(name);
        let text = TinyDocument::new("x", "v1").revision(revision).scopes(scopes).text();
        std::fs::write(&path, text).expect("write");
        path
    }

    fn series(dir: &Path) -> Vec<PathBuf> {
        vec![
            document(dir, "x.1.json", "20240101", json!({"https://s/a": {}})),
            document(
                dir,
                "x.2.json",
                "20240202",
                json!({"https://s/a": {}, "https://s/b": {}}),
            ),
            document(dir, "x.json", "20240202", json!({"https://s/b": {}})),
        ]
    }

    #[test]
    fn renders_each_consecutive_pair_as_text_and_json() {
        let dir = tempfile::tempdir().expect("tempdir");
        let Reports { files, summaries } = reports(&series(dir.path())).expect("reports");
        let names: Vec<&str> = files.keys().map(String::as_str).collect();
        assert_eq!(names, ["x.1..x.2.json", "x.1..x.2.txt", "x.2..x.json", "x.2..x.txt"]);
        assert_eq!(
            summaries,
            vec![
                ("x.1..x.2".to_owned(), "1 change: 0 breaking, 1 compatible".to_owned()),
                ("x.2..x".to_owned(), "1 change: 1 breaking, 0 compatible".to_owned()),
            ]
        );
        let text = &files["x.1..x.2.txt"];
        assert!(
            text.starts_with("x:v1: revision 20240101 → 20240202\nold: x.1.json\nnew: x.2.json\n"),
            "{text}"
        );
        assert!(
            text.contains("  + auth.oauth2.scopes: scope added: https://s/b\n"),
            "{text}"
        );
    }

    #[test]
    fn bless_then_check_passes_and_a_difference_is_shown() {
        let docs = tempfile::tempdir().expect("tempdir");
        let snapshots = tempfile::tempdir().expect("tempdir");
        let files = reports(&series(docs.path())).expect("reports").files;
        assert_eq!(
            check(&files, snapshots.path()).expect("check").len(),
            files.len(),
            "everything is missing at first"
        );
        std::fs::write(snapshots.path().join("old..gone.txt"), "stale").expect("stale");
        bless(&files, snapshots.path()).expect("bless");
        assert!(!snapshots.path().join("old..gone.txt").exists());
        assert_eq!(check(&files, snapshots.path()).expect("check"), vec![]);

        std::fs::write(snapshots.path().join("x.2..x.txt"), "edited\n").expect("edit");
        std::fs::write(snapshots.path().join("extra.json"), "{}").expect("extra");
        let mismatches = check(&files, snapshots.path()).expect("check");
        assert_eq!(mismatches.len(), 2, "{mismatches:?}");
        let Mismatch::Changed { name, diff } = &mismatches[0] else {
            panic!("{mismatches:?}")
        };
        assert_eq!(name, "x.2..x.txt");
        assert!(diff.contains("-edited\n") && diff.contains("+x:v1: revision"), "{diff}");
        assert_eq!(
            mismatches[1],
            Mismatch::Stale {
                name: "extra.json".into()
            }
        );
    }

    #[test]
    fn needs_two_documents_of_the_same_api() {
        let dir = tempfile::tempdir().expect("tempdir");
        let one = document(dir.path(), "a.json", "20240101", json!({}));
        assert!(reports(std::slice::from_ref(&one)).is_err());
        let other = dir.path().join("b.json");
        std::fs::write(
            &other,
            json!({"kind": "discovery#restDescription", "name": "y", "version": "v1"}).to_string(),
        )
        .expect("write");
        let error = reports(&[one, other]).expect_err("different APIs").to_string();
        assert!(error.contains("x:v1") && error.contains("y:v1"), "{error}");
    }
}
