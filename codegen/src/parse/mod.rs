//! Stage 1: the Discovery document as serde types that mirror the format.
//!
//! Every field of the format is modelled (with `#[serde(default)]`), unknown keys are tolerated,
//! and maps are `BTreeMap` so everything downstream iterates in a stable order. A value of the
//! wrong type is reported with its JSON path.

mod model;

pub use model::*;

use crate::Error;

/// The `kind` every Discovery document carries.
pub const DISCOVERY_KIND: &str = "discovery#restDescription";

/// Parses a Discovery document from JSON text.
pub fn parse(json: &str) -> Result<RestDescription, Error> {
    if json.trim().is_empty() {
        return Err(Error::Parse {
            path: "$".to_owned(),
            message: "the document is empty".to_owned(),
        });
    }
    let deserializer = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let path = if path == "." { "$".to_owned() } else { path };
        Error::Parse {
            path,
            message: error.into_inner().to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_type_names_its_json_path() {
        let json = r#"{"schemas": {"Foo": {"properties": {"bar": {"items": {"type": "strin"}}}}}}"#;
        let error = parse(json).unwrap_err().to_string();
        assert!(
            error.starts_with("schemas.Foo.properties.bar.items.type: unknown variant `strin`"),
            "{error}"
        );
    }

    #[test]
    fn truncated_and_empty_documents_are_errors() {
        assert!(parse("").unwrap_err().to_string().contains("empty"));
        let error = parse(r#"{"schemas": {"Foo": {"#).unwrap_err().to_string();
        assert!(error.contains("EOF"), "{error}");
    }

    #[test]
    fn unknown_keys_are_tolerated() {
        let doc = parse(r#"{"name": "x", "somethingNew": {"a": 1}}"#).unwrap();
        assert_eq!(doc.name, "x");
    }
}
