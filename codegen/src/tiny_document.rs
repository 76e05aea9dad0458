//! A small Discovery document built in code, for the tests of the generator, the API diff and
//! the workspace tasks: the required keys filled in, the rest added by the test.
//!
//! ```
//! use codegen::tiny_document::TinyDocument;
//! use serde_json::json;
//!
//! let text = TinyDocument::new("tiny", "v1")
//!     .schemas(json!({"Thing": {"id": "Thing", "type": "object"}}))
//!     .scopes(json!({"https://www.googleapis.com/auth/tiny": {}}))
//!     .text();
//! let generated = codegen::generate(&text, &codegen::Options::default()).expect("generates");
//! assert!(generated.files["src/models.rs"].contains("pub struct Thing"));
//! ```

use serde_json::{Map, Value, json};

/// A Discovery document under construction (see the [module](self) documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct TinyDocument {
    value: Map<String, Value>,
}

impl TinyDocument {
    /// `kind`, `id` (`name:version`), `name`, `version`, `revision` (`20240101`), `rootUrl`
    /// (`https://NAME.googleapis.com/`) and an empty `servicePath`.
    pub fn new(name: &str, version: &str) -> Self {
        let value = [
            ("kind", json!("discovery#restDescription")),
            ("id", json!(format!("{name}:{version}"))),
            ("name", json!(name)),
            ("version", json!(version)),
            ("revision", json!("20240101")),
            ("rootUrl", json!(format!("https://{name}.googleapis.com/"))),
            ("servicePath", json!("")),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect();
        Self { value }
    }

    /// Sets (or replaces) a top-level key.
    pub fn set(mut self, key: &str, value: Value) -> Self {
        self.value.insert(key.to_owned(), value);
        self
    }

    /// Removes a top-level key (to build a document that lacks one).
    pub fn without(mut self, key: &str) -> Self {
        self.value.remove(key);
        self
    }

    /// Sets every key of the object `extra` at the top level (a non-object adds nothing).
    pub fn merge(mut self, extra: Value) -> Self {
        if let Value::Object(extra) = extra {
            self.value.extend(extra);
        }
        self
    }

    /// The `revision`.
    pub fn revision(self, revision: &str) -> Self {
        self.set("revision", json!(revision))
    }

    /// The `schemas` object.
    pub fn schemas(self, schemas: Value) -> Self {
        self.set("schemas", schemas)
    }

    /// The `resources` object.
    pub fn resources(self, resources: Value) -> Self {
        self.set("resources", resources)
    }

    /// The OAuth scopes, as `auth.oauth2.scopes`.
    pub fn scopes(self, scopes: Value) -> Self {
        self.set("auth", json!({"oauth2": {"scopes": scopes}}))
    }

    /// The document as a JSON value.
    pub fn value(self) -> Value {
        Value::Object(self.value)
    }

    /// The document as JSON text.
    pub fn text(self) -> String {
        self.value().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_in_the_required_keys_and_takes_the_rest() {
        let value = TinyDocument::new("x", "v2")
            .revision("20250101")
            .merge(json!({"etag": "\"1\""}))
            .without("servicePath")
            .value();
        assert_eq!(
            value,
            json!({
                "kind": "discovery#restDescription", "id": "x:v2", "name": "x", "version": "v2",
                "revision": "20250101", "rootUrl": "https://x.googleapis.com/", "etag": "\"1\"",
            })
        );
        crate::parse::parse(&TinyDocument::new("x", "v1").text()).expect("a valid document");
    }
}
