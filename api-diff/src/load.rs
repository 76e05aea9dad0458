//! The two documents to compare, parsed as typed Discovery models.

use codegen::parse::{DISCOVERY_KIND, RestDescription};

use crate::error::{Error, Result};

/// One side of a comparison: where the document came from and its revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// The document's source as the report names it (a path or a URL).
    pub label: String,
    /// The document's `revision`.
    pub revision: String,
}

/// A Discovery document read for comparison.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// Where it came from, as reports name it.
    pub label: String,
    /// Its text (the generator reads it again for `--code`).
    pub text: String,
    /// Its typed model.
    pub doc: RestDescription,
}

impl Loaded {
    /// Parses `text` as a Discovery document named `label`.
    pub fn from_text(text: String, label: impl Into<String>) -> Result<Self> {
        let label = label.into();
        let doc = match codegen::parse::parse(&text) {
            Ok(doc) => doc,
            Err(source) => return Err(Error::Parse { label, source }),
        };
        if doc.kind != DISCOVERY_KIND {
            return Err(Error::Kind {
                label,
                kind: doc.kind,
                expected: DISCOVERY_KIND,
            });
        }
        if doc.name.is_empty() || doc.version.is_empty() {
            return Err(Error::Unnamed { label });
        }
        Ok(Self { label, text, doc })
    }

    /// `name:version`.
    pub fn api(&self) -> String {
        format!("{}:{}", self.doc.name, self.doc.version)
    }

    /// The side of a report this document is.
    pub fn side(&self) -> Side {
        let revision = if self.doc.revision.is_empty() {
            "(no revision)".to_owned()
        } else {
            self.doc.revision.clone()
        };
        Side {
            label: self.label.clone(),
            revision,
        }
    }
}

/// Refuses to compare documents of two different APIs or versions: every method and schema
/// would be reported as changed, which helps nobody.
pub fn check_same_api(old: &Loaded, new: &Loaded) -> Result<()> {
    if old.api() != new.api() {
        return Err(Error::DifferentApis {
            old_label: old.label.clone(),
            old_api: old.api(),
            new_label: new.label.clone(),
            new_api: new.api(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn loaded(value: serde_json::Value) -> Result<Loaded> {
        Loaded::from_text(value.to_string(), "doc.json")
    }

    #[test]
    fn reads_a_discovery_document() {
        let doc =
            loaded(json!({"kind": "discovery#restDescription", "name": "x", "version": "v1", "revision": "20240101"}))
                .expect("valid");
        assert_eq!(doc.api(), "x:v1");
        assert_eq!(
            doc.side(),
            Side {
                label: "doc.json".into(),
                revision: "20240101".into()
            }
        );
    }

    #[test]
    fn names_the_document_in_errors() {
        let error = Loaded::from_text("{oops".into(), "doc.json")
            .expect_err("bad")
            .to_string();
        assert!(
            error.starts_with("doc.json is not a valid Discovery document"),
            "{error}"
        );
        let error = loaded(json!({"kind": "other", "name": "x", "version": "v1"})).expect_err("kind");
        assert!(error.to_string().contains("`kind` is \"other\""), "{error}");
        let error = loaded(json!({"kind": "discovery#restDescription"})).expect_err("name");
        assert!(error.to_string().contains("no `name`"), "{error}");
        let error = loaded(json!({"kind": "discovery#restDescription", "name": "x", "version": "v1", "schemas": {"A": {"type": "strin"}}}))
            .expect_err("type");
        let Error::Parse { source, .. } = &error else {
            panic!("a parse error: {error:?}");
        };
        assert!(source.to_string().contains("schemas.A.type"), "{source}");
    }

    #[test]
    fn refuses_two_different_apis() {
        let one = loaded(json!({"kind": "discovery#restDescription", "name": "x", "version": "v1"})).expect("x");
        let two = loaded(json!({"kind": "discovery#restDescription", "name": "y", "version": "v1"})).expect("y");
        let error = check_same_api(&one, &two).expect_err("different").to_string();
        assert!(error.contains("x:v1") && error.contains("y:v1"), "{error}");
        check_same_api(&one, &one).expect("same");
    }
}
