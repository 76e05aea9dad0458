//! `cargo xtask fetch`: replace the committed Discovery document with a newer one.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::api::{ApiEntry, MANIFEST_PATH, Manifest};
use crate::changes::{self, ApiChanges};
use crate::document::{self, Document};
use crate::normalize;
use crate::revision::Revision;
use crate::source::Source;

/// Top-level keys that change on every publication without the API changing.
pub const VOLATILE_KEYS: &[&str] = &["etag", "revision"];

/// What `fetch` did.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchOutcome {
    /// The fetched document equals the committed one apart from [`VOLATILE_KEYS`]; nothing was written.
    Unchanged {
        /// The committed document's path, relative to the workspace root.
        path: String,
        /// The committed revision.
        committed: Revision,
        /// The fetched revision.
        fetched: Revision,
    },
    /// The document was written.
    Written {
        /// The document's path, relative to the workspace root.
        path: String,
        /// The revision it replaced, if there was a readable committed document.
        previous: Option<Revision>,
        /// The revision written.
        revision: Revision,
        /// What changed in the API (see [`changes`]).
        changes: ApiChanges,
    },
}

impl fmt::Display for FetchOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unchanged {
                path,
                committed,
                fetched,
            } if committed == fetched => {
                write!(f, "{path} is unchanged (revision {committed})")
            }
            Self::Unchanged {
                path,
                committed,
                fetched,
            } => write!(
                f,
                "{path} is unchanged: the fetched revision {fetched} differs from the committed \
                 revision {committed} only in {}",
                VOLATILE_KEYS.join("/")
            ),
            Self::Written {
                path,
                previous: Some(previous),
                revision,
                changes,
            } => {
                write!(f, "wrote {path} (revision {previous} → {revision})")?;
                for line in &changes.lines {
                    if line.is_empty() {
                        writeln!(f)?;
                    } else {
                        write!(f, "\n  {line}")?;
                    }
                }
                Ok(())
            }
            Self::Written {
                path,
                previous: None,
                revision,
                ..
            } => {
                write!(f, "wrote {path} (revision {revision}, no previous document)")
            }
        }
    }
}

/// Loads the document for `api` from `source`, checks it, and writes it normalized to the
/// committed path under `root`.
///
/// Refuses a revision older than the committed one unless `force`; writes nothing when the
/// document equals the committed one apart from [`VOLATILE_KEYS`].
pub fn fetch(api: &ApiEntry, root: &Path, source: &Source, force: bool) -> Result<FetchOutcome> {
    let text = source.load()?;
    fetch_text(api, root, &text, source, force)
}

/// The manifest entry a `--from` document is for: the one `selector` names, or else the one
/// whose `name:version` the document declares.
pub fn entry_for<'a>(
    manifest: &'a Manifest,
    selector: Option<&str>,
    text: &str,
    source: &Source,
) -> Result<&'a ApiEntry> {
    if selector.is_some() {
        return Ok(manifest.select(selector)?[0]);
    }
    let id = document::declared_id(text).with_context(|| format!("{source} is not a Discovery document"))?;
    manifest.apis.iter().find(|entry| entry.id() == id).with_context(|| {
        format!("{source} describes {id}, which is not in {MANIFEST_PATH}: add it with `cargo xtask add {id} --from {source}`")
    })
}

/// [`fetch`] with the document's text already loaded from `source`.
pub fn fetch_text(api: &ApiEntry, root: &Path, text: &str, source: &Source, force: bool) -> Result<FetchOutcome> {
    let fetched = document::parse(text, &source.to_string(), api)?;
    // A document the generator refuses (a hostile one included) is not written: nothing of
    // it lands in the repository.
    codegen::generate(text, &codegen::Options::default())
        .with_context(|| format!("refusing the document from {source}: the generator cannot use it"))?;
    let target = root.join(&api.document);
    let path = api.document.clone();
    let committed = read_committed(api, &target, force)?;

    let Some(committed) = committed else {
        write_document(&target, &fetched.value)?;
        return Ok(FetchOutcome::Written {
            path,
            previous: None,
            revision: fetched.revision,
            changes: ApiChanges::default(),
        });
    };
    if fetched.revision < committed.revision && !force {
        bail!(
            "refusing to replace {path}: the fetched revision {} (from {source}) is older than the \
             committed revision {}; pass --force to replace it anyway",
            fetched.revision,
            committed.revision
        );
    }
    if without_volatile_keys(&fetched.value) == without_volatile_keys(&committed.value) {
        return Ok(FetchOutcome::Unchanged {
            path,
            committed: committed.revision,
            fetched: fetched.revision,
        });
    }
    let changes = changes::summarize(&committed.value, &fetched.value);
    write_document(&target, &fetched.value)?;
    Ok(FetchOutcome::Written {
        path,
        previous: Some(committed.revision),
        revision: fetched.revision,
        changes,
    })
}

/// Reads the committed document, if any. An unreadable one is an error, or with `force`
/// is treated as absent so that it can be replaced.
fn read_committed(api: &ApiEntry, target: &Path, force: bool) -> Result<Option<Document>> {
    if !target.exists() {
        return Ok(None);
    }
    let origin = target.display().to_string();
    let loaded = std::fs::read_to_string(target)
        .with_context(|| format!("could not read the committed document {origin}"))
        .and_then(|text| document::parse(&text, &origin, api));
    match loaded {
        Ok(document) => Ok(Some(document)),
        Err(_) if force => Ok(None),
        Err(error) => Err(error.context(format!(
            "the committed document {origin} is unusable; pass --force to replace it"
        ))),
    }
}

/// The document with its sorted keys and without [`VOLATILE_KEYS`], for comparison.
fn without_volatile_keys(value: &Value) -> Value {
    let mut value = normalize::sorted(value);
    if let Value::Object(map) = &mut value {
        for key in VOLATILE_KEYS {
            map.remove(*key);
        }
    }
    value
}

/// Writes `value` normalized to `target`, through a temporary file so a failure leaves the
/// old document in place.
fn write_document(target: &Path, value: &Value) -> Result<()> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("could not create {}", parent.display()))?;
    }
    let temporary = target.with_extension("json.tmp");
    std::fs::write(&temporary, normalize::to_normalized_string(value))
        .with_context(|| format!("could not write {}", temporary.display()))?;
    std::fs::rename(&temporary, target)
        .with_context(|| format!("could not move {} to {}", temporary.display(), target.display()))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;
    use tempfile::TempDir;

    use super::*;
    use crate::api::dataportability_v1;
    use crate::test_support::{sample_document, serve_once};

    /// A workspace root in a temporary directory, and a place for input documents.
    struct Fixture {
        root: TempDir,
        inputs: TempDir,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                root: tempfile::tempdir().expect("tempdir"),
                inputs: tempfile::tempdir().expect("tempdir"),
            }
        }

        /// Writes `value` (compactly, unsorted) as an input file and returns its source.
        fn input(&self, name: &str, value: &Value) -> Source {
            let path = self.inputs.path().join(name);
            std::fs::write(&path, value.to_string()).expect("write input");
            Source::File(path)
        }

        fn fetch(&self, source: &Source, force: bool) -> Result<FetchOutcome> {
            fetch(&dataportability_v1(), self.root.path(), source, force)
        }

        fn target(&self) -> PathBuf {
            self.root.path().join(dataportability_v1().document)
        }

        fn committed_text(&self) -> String {
            std::fs::read_to_string(self.target()).expect("committed document")
        }
    }

    fn revision(text: &str) -> Revision {
        Revision::parse(text).expect("revision")
    }

    #[test]
    fn writes_a_first_document_normalized() {
        let fixture = Fixture::new();
        let document = sample_document("20240410", "e1");
        let outcome = fixture
            .fetch(&fixture.input("a.json", &document), false)
            .expect("fetch");
        assert_eq!(
            outcome,
            FetchOutcome::Written {
                path: dataportability_v1().document,
                previous: None,
                revision: revision("20240410"),
                changes: ApiChanges::default(),
            }
        );
        assert_eq!(fixture.committed_text(), normalize::to_normalized_string(&document));
        assert!(!fixture.target().with_extension("json.tmp").exists());
        assert_eq!(
            outcome.to_string(),
            "wrote discovery/dataportability.v1.json (revision 20240410, no previous document)"
        );
    }

    #[test]
    fn replaces_an_older_revision_and_reports_old_and_new() {
        let fixture = Fixture::new();
        fixture
            .fetch(&fixture.input("old.json", &sample_document("20240410", "e1")), false)
            .expect("first");
        let mut newer = sample_document("20260927", "e2");
        newer["title"] = json!("Data Portability API, renamed");
        let outcome = fixture
            .fetch(&fixture.input("new.json", &newer), false)
            .expect("second");
        assert_eq!(
            outcome.to_string(),
            "wrote discovery/dataportability.v1.json (revision 20240410 → 20260927)\n  \
             0 changes: 0 breaking, 0 compatible (+1 description-only)"
        );
        assert_eq!(fixture.committed_text(), normalize::to_normalized_string(&newer));
    }

    #[test]
    fn prints_the_semantic_report_of_what_changed() {
        let fixture = Fixture::new();
        fixture
            .fetch(&fixture.input("old.json", &sample_document("20240410", "e1")), false)
            .expect("first");
        let mut newer = sample_document("20260927", "e2");
        newer["schemas"].as_object_mut().expect("schemas").remove("Zeta");
        newer["schemas"]["Beta"] = json!({"id": "Beta", "type": "object"});
        let outcome = fixture
            .fetch(&fixture.input("new.json", &newer), false)
            .expect("second");
        assert_eq!(
            outcome.to_string(),
            "wrote discovery/dataportability.v1.json (revision 20240410 → 20260927)\n  \
             Breaking changes (1):\n    \
             - schemas.Zeta: schema removed: object\n\n  \
             Compatible changes (1):\n    \
             + schemas.Beta: schema added: object\n\n  \
             2 changes: 1 breaking, 1 compatible"
        );
    }

    #[test]
    fn a_document_the_generator_refuses_is_not_written() {
        let fixture = Fixture::new();
        let mut hostile = sample_document("20260927", "e2");
        hostile["resources"] = json!({"things\n[target.'cfg(all())'.dependencies]": {"methods": {}}});
        let error = format!(
            "{:#}",
            fixture
                .fetch(&fixture.input("hostile.json", &hostile), false)
                .expect_err("refused")
        );
        assert!(
            error.contains("the generator cannot use it") && error.contains("resources["),
            "{error}"
        );
        assert!(!fixture.target().exists());
    }

    #[test]
    fn refuses_an_older_revision_unless_forced() {
        let fixture = Fixture::new();
        let newer = sample_document("20260927", "e2");
        fixture.fetch(&fixture.input("new.json", &newer), false).expect("first");
        let mut older = sample_document("20240410", "e1");
        older["title"] = json!("Old title");
        let source = fixture.input("old.json", &older);

        let error = fixture.fetch(&source, false).expect_err("older").to_string();
        assert!(error.contains("20240410") && error.contains("20260927"), "{error}");
        assert!(error.contains("older") && error.contains("--force"), "{error}");
        assert_eq!(fixture.committed_text(), normalize::to_normalized_string(&newer));

        let outcome = fixture.fetch(&source, true).expect("forced");
        assert_eq!(
            outcome.to_string(),
            "wrote discovery/dataportability.v1.json (revision 20260927 → 20240410)\n  \
             0 changes: 0 breaking, 0 compatible (+1 description-only)"
        );
        assert_eq!(fixture.committed_text(), normalize::to_normalized_string(&older));
    }

    #[test]
    fn the_same_document_again_is_unchanged() {
        let fixture = Fixture::new();
        let source = fixture.input("a.json", &sample_document("20260927", "e"));
        fixture.fetch(&source, false).expect("first");
        let outcome = fixture.fetch(&source, false).expect("second");
        assert_eq!(
            outcome.to_string(),
            "discovery/dataportability.v1.json is unchanged (revision 20260927)"
        );
    }

    #[test]
    fn a_new_etag_and_revision_alone_is_unchanged_and_writes_nothing() {
        let fixture = Fixture::new();
        fixture
            .fetch(&fixture.input("a.json", &sample_document("20240410", "e1")), false)
            .expect("first");
        let before = fixture.committed_text();
        let outcome = fixture
            .fetch(&fixture.input("b.json", &sample_document("20260927", "e2")), false)
            .expect("second");
        assert!(matches!(outcome, FetchOutcome::Unchanged { .. }), "{outcome:?}");
        let message = outcome.to_string();
        assert!(
            message.contains("20240410") && message.contains("20260927"),
            "{message}"
        );
        assert_eq!(fixture.committed_text(), before);
    }

    #[test]
    fn an_invalid_document_is_rejected_and_nothing_written() {
        let fixture = Fixture::new();
        let mut other = sample_document("20260927", "e");
        other["name"] = json!("drive");
        let error = fixture
            .fetch(&fixture.input("drive.json", &other), false)
            .expect_err("drive");
        assert!(error.to_string().contains("expected dataportability:v1"), "{error}");
        assert!(!fixture.target().exists());
    }

    #[test]
    fn an_unusable_committed_document_needs_force() {
        let fixture = Fixture::new();
        std::fs::create_dir_all(fixture.target().parent().expect("parent")).expect("mkdir");
        std::fs::write(fixture.target(), "not json").expect("write");
        let source = fixture.input("a.json", &sample_document("20260927", "e"));
        let error = format!("{:#}", fixture.fetch(&source, false).expect_err("unusable"));
        assert!(error.contains("unusable") && error.contains("--force"), "{error}");
        fixture.fetch(&source, true).expect("forced");
        assert!(fixture.committed_text().starts_with("{\n"));
    }

    #[test]
    fn fetches_over_http_from_a_local_server() {
        let fixture = Fixture::new();
        let document = sample_document("20260927", "e");
        let url = serve_once("200 OK", document.to_string());
        let outcome = fixture.fetch(&Source::parse(&url).expect("url"), false).expect("fetch");
        assert!(matches!(outcome, FetchOutcome::Written { .. }), "{outcome:?}");
        assert_eq!(fixture.committed_text(), normalize::to_normalized_string(&document));
    }

    #[test]
    fn an_unreachable_url_names_the_url_and_suggests_from() {
        let fixture = Fixture::new();
        let url = "http://127.0.0.1:1/$discovery/rest?version=v1";
        let error = fixture
            .fetch(&Source::parse(url).expect("url"), false)
            .expect_err("offline");
        let message = format!("{error:#}");
        assert!(message.contains(url) && message.contains("--from FILE"), "{message}");
        assert!(!fixture.target().exists());
    }
}
