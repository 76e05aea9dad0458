//! Paths into a Discovery document, as errors and the API diff show them: `schemas.Foo.properties.bar`,
//! with keys that are not plain identifiers quoted (`parameters["$.xgafv"]`).

use serde_json::Value;

/// `parent` followed by the key `key`: `.key` for a plain key (letters, digits, `_`, `-`,
/// `$`), `["key"]` (a JSON string) for any other, so a path never reads ambiguously.
pub fn child(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'));
    match (plain, parent.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{parent}.{key}"),
        (false, _) => format!("{parent}[{}]", Value::String(key.to_owned())),
    }
}

/// `parent` followed by each of `keys` in turn.
pub fn join(parent: &str, keys: &[&str]) -> String {
    keys.iter().fold(parent.to_owned(), |path, key| child(&path, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_keys_are_dotted() {
        assert_eq!(child("", "schemas"), "schemas");
        assert_eq!(
            join("schemas", &["Foo", "properties", "bar_baz"]),
            "schemas.Foo.properties.bar_baz"
        );
        assert_eq!(child("schemas.Foo", "$ref"), "schemas.Foo.$ref");
    }

    #[test]
    fn other_keys_are_quoted() {
        assert_eq!(child("parameters", "$.xgafv"), "parameters[\"$.xgafv\"]");
        assert_eq!(
            child("auth.oauth2.scopes", "https://x/y"),
            "auth.oauth2.scopes[\"https://x/y\"]"
        );
        assert_eq!(child("a", ""), "a[\"\"]");
        assert_eq!(child("a", "say \"hi\""), "a[\"say \\\"hi\\\"\"]");
        assert_eq!(child("", "a b"), "[\"a b\"]");
    }
}
