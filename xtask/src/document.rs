//! Checking that a text is the Discovery document of the API we expect.

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::api::ApiEntry;
use crate::revision::Revision;

pub use codegen::parse::DISCOVERY_KIND;

/// A parsed Discovery document that is known to describe the expected API.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The whole document.
    pub value: Value,
    /// Its `revision`.
    pub revision: Revision,
}

/// Parses `text` (read from `origin`, which error messages name) and checks that it is a
/// Discovery document for `api`: `kind`, `name`, `version` and a `revision` (any text: Google's
/// are dates, `securesourcemanager.v1`'s is `0`).
pub fn parse(text: &str, origin: &str, api: &ApiEntry) -> Result<Document> {
    let value: Value = serde_json::from_str(text).with_context(|| format!("{origin} is not valid JSON"))?;
    let Value::Object(map) = &value else {
        bail!("{origin} is not a Discovery document: the JSON is not an object");
    };
    let field = |key: &str| -> Result<&str> {
        match map.get(key) {
            Some(Value::String(text)) => Ok(text),
            Some(other) => bail!("{origin}: `{key}` should be a string, found {other}"),
            None => bail!(
                "{origin} is not a Discovery document for {}: it has no `{key}`",
                api.id()
            ),
        }
    };
    let kind = field("kind")?;
    if kind != DISCOVERY_KIND {
        bail!("{origin} is not a Discovery document: `kind` is {kind:?}, expected {DISCOVERY_KIND:?}");
    }
    let name = field("name")?;
    let version = field("version")?;
    if name != api.name || version != api.version {
        bail!("{origin} describes the API {name}:{version}, expected {}", api.id());
    }
    let revision = Revision::parse(field("revision")?).with_context(|| format!("{origin}: bad `revision`"))?;
    Ok(Document { value, revision })
}

/// The `name:version` a document's text declares.
pub fn declared_id(text: &str) -> Result<String> {
    let value: Value = serde_json::from_str(text).context("it is not valid JSON")?;
    match (value.get("name"), value.get("version")) {
        (Some(Value::String(name)), Some(Value::String(version))) => Ok(format!("{name}:{version}")),
        _ => bail!("it has no string `name` and `version`"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::dataportability_v1;
    use crate::test_support::sample_document;

    fn error_for(value: &Value) -> String {
        let text = value.to_string();
        format!(
            "{:#}",
            parse(&text, "doc.json", &dataportability_v1()).expect_err("invalid")
        )
    }

    #[test]
    fn accepts_the_expected_api() {
        let value = sample_document("20260927", "\"abc\"");
        let document = parse(&value.to_string(), "doc.json", &dataportability_v1()).expect("valid document");
        assert_eq!(document.revision.as_str(), "20260927");
        assert_eq!(document.value, value);
    }

    #[test]
    fn rejects_text_that_is_not_json() {
        let error = format!(
            "{:#}",
            parse("{oops", "doc.json", &dataportability_v1()).expect_err("bad")
        );
        assert!(error.starts_with("doc.json is not valid JSON"), "{error}");
        assert!(error.contains("line 1"), "{error}");
    }

    #[test]
    fn rejects_json_that_is_not_an_object() {
        assert!(error_for(&json!([1, 2])).contains("not an object"));
    }

    #[test]
    fn rejects_a_wrong_or_missing_kind() {
        let mut value = sample_document("20260927", "e");
        value["kind"] = json!("discovery#directoryList");
        let error = error_for(&value);
        assert!(error.contains("`kind` is \"discovery#directoryList\""), "{error}");
        assert!(error.contains("discovery#restDescription"), "{error}");
        value.as_object_mut().expect("object").remove("kind");
        assert!(error_for(&value).contains("it has no `kind`"));
    }

    #[test]
    fn rejects_another_api_or_version() {
        let mut value = sample_document("20260927", "e");
        value["name"] = json!("drive");
        let error = error_for(&value);
        assert!(
            error.contains("describes the API drive:v1, expected dataportability:v1"),
            "{error}"
        );
        let mut value = sample_document("20260927", "e");
        value["version"] = json!("v2");
        assert!(error_for(&value).contains("dataportability:v2, expected dataportability:v1"));
        value["version"] = json!(1);
        assert!(error_for(&value).contains("`version` should be a string"));
    }

    #[test]
    fn rejects_a_missing_revision_and_takes_any_other() {
        let api = dataportability_v1();
        for revision in ["0", "2026-09-27"] {
            let value = sample_document(revision, "e");
            let document = parse(&value.to_string(), "x.json", &api).expect("any revision");
            assert_eq!(document.revision.as_str(), revision);
        }
        let mut value = sample_document("20260927", "e");
        value.as_object_mut().expect("object").remove("revision");
        assert!(error_for(&value).contains("it has no `revision`"));
    }
}
