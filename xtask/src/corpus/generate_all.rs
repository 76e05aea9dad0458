//! Generating every document of a corpus, in parallel, with per-document outcomes.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use codegen::{GeneratedCrate, Options};

/// What happened to one document.
#[derive(Debug)]
pub struct DocumentOutcome {
    /// The document's file stem, e.g. `storage.v1`.
    pub name: String,
    /// The generated crate, or why it could not be generated.
    pub result: Result<GeneratedCrate, String>,
    /// Set when the file is not an API's document (Google's directory list): it is skipped
    /// with this note, not counted as a failure.
    pub skipped: Option<String>,
}

/// The outcome of a corpus run.
#[derive(Debug)]
pub struct Summary {
    /// Every document, sorted by name.
    pub outcomes: Vec<DocumentOutcome>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl Summary {
    /// Documents that failed.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.outcomes
            .iter()
            .filter(|o| o.skipped.is_none())
            .filter_map(|o| o.result.as_ref().err().map(|e| (o.name.as_str(), e.as_str())))
    }

    /// Files that are not API documents, with why.
    pub fn skipped(&self) -> impl Iterator<Item = (&str, &str)> {
        self.outcomes
            .iter()
            .filter_map(|o| o.skipped.as_deref().map(|note| (o.name.as_str(), note)))
    }

    /// `413 generated, 0 failed, N files, M lines, T s`.
    pub fn line(&self) -> String {
        let crates: Vec<&GeneratedCrate> = self.outcomes.iter().filter_map(|o| o.result.as_ref().ok()).collect();
        let files: usize = crates.iter().map(|c| c.files.len()).sum();
        let lines: usize = crates
            .iter()
            .flat_map(|c| c.files.values())
            .map(|text| text.lines().count())
            .sum();
        let skipped = self.skipped().count();
        let skipped = if skipped == 0 {
            String::new()
        } else {
            format!(", {skipped} skipped")
        };
        format!(
            "{} generated, {} failed{skipped}, {files} files, {lines} lines, {:.1} s",
            crates.len(),
            self.failures().count(),
            self.elapsed.as_secs_f64()
        )
    }
}

/// Generates every `*.json` in `dir` with `jobs` threads. Each Rust file is parsed back with
/// `syn`; with `check_deterministic` each document is generated twice and the outputs must be
/// byte-identical. A failure is recorded for its document; the run goes on.
pub fn generate_all(dir: &Path, options: &Options, jobs: usize, check_deterministic: bool) -> Result<Summary> {
    let started = Instant::now();
    let documents = list_documents(dir)?;
    let next = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::with_capacity(documents.len()));
    std::thread::scope(|scope| {
        for _ in 0..jobs.max(1) {
            scope.spawn(|| {
                while let Some(path) = documents.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let outcome = generate_one(path, options, check_deterministic);
                    outcomes
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .push(outcome);
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Summary {
        outcomes,
        elapsed: started.elapsed(),
    })
}

fn list_documents(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read the corpus directory {}", dir.display()))?;
    let mut documents = Vec::new();
    for entry in entries {
        let path = entry.with_context(|| format!("cannot list {}", dir.display()))?.path();
        if path.extension().is_some_and(|e| e == "json") {
            documents.push(path);
        }
    }
    documents.sort();
    Ok(documents)
}

fn generate_one(path: &Path, options: &Options, check_deterministic: bool) -> DocumentOutcome {
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut skipped = None;
    let result = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))
        .and_then(|text| {
            let generated = codegen::generate(&text, options).map_err(|e| {
                if matches!(e, codegen::Error::DirectoryList) {
                    skipped = Some(e.to_string());
                }
                e.to_string()
            })?;
            for (file, content) in &generated.files {
                if file.ends_with(".rs") {
                    syn::parse_file(content).map_err(|e| format!("{file} does not parse: {e}"))?;
                }
            }
            if check_deterministic {
                let again = codegen::generate(&text, options).map_err(|e| e.to_string())?;
                if let Some(file) = generated
                    .files
                    .iter()
                    .find(|(f, c)| again.files.get(*f) != Some(c))
                    .map(|(f, _)| f)
                {
                    return Err(format!("{file} differs between two runs"));
                }
                if again.files.len() != generated.files.len() {
                    return Err("the second run produced a different set of files".to_owned());
                }
            }
            Ok(generated)
        });
    DocumentOutcome { name, result, skipped }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_failures_and_successes_per_document() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fixture = crate::workspace::root()
            .expect("root")
            .join("tests/fixtures/special_cases.json");
        std::fs::copy(&fixture, dir.path().join("good.v1.json")).expect("copy");
        std::fs::write(
            dir.path().join("bad.v1.json"),
            r#"{"name": "bad", "version": "v1", "rootUrl": "x", "schemas": {"A": {"$ref": "B"}}}"#,
        )
        .expect("write");
        std::fs::write(dir.path().join("notes.txt"), "not a document").expect("write");
        std::fs::write(
            dir.path().join("index.json"),
            r#"{"kind": "discovery#directoryList", "discoveryVersion": "v1", "items": []}"#,
        )
        .expect("write");

        let summary = generate_all(dir.path(), &Options::default(), 2, true).expect("runs");

        let names: Vec<&str> = summary.outcomes.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["bad.v1", "good.v1", "index"]);
        let skipped: Vec<_> = summary.skipped().collect();
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].0, "index");
        assert!(skipped[0].1.contains("directory list"), "{skipped:?}");
        let failures: Vec<_> = summary.failures().collect();
        assert_eq!(failures.len(), 1);
        assert!(
            failures[0]
                .1
                .contains(r#"schemas.A.$ref: $ref names an unknown schema "B""#),
            "{failures:?}"
        );
        assert!(
            summary
                .line()
                .starts_with("1 generated, 1 failed, 1 skipped, 9 files, "),
            "{}",
            summary.line()
        );
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let error = generate_all(Path::new("/no/such/corpus"), &Options::default(), 1, false).unwrap_err();
        assert!(format!("{error:#}").contains("/no/such/corpus"));
    }
}
