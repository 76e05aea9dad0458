//! The normalized form of a committed Discovery document: keys sorted recursively,
//! two-space indentation and a trailing newline, so that diffs between revisions are small
//! and the same document always gives the same bytes.

use serde_json::{Map, Value};

/// Returns a copy of `value` with every object's keys in sorted order (arrays keep their order).
///
/// `serde_json` is built with `preserve_order` here, so objects keep insertion order; this
/// inserts the keys in sorted order instead of relying on the map type.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by_key(|(key, _)| *key);
            let sorted_map: Map<String, Value> = entries
                .into_iter()
                .map(|(key, value)| (key.clone(), sorted(value)))
                .collect();
            Value::Object(sorted_map)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The normalized text of `value`: sorted keys, two-space indent, trailing newline.
pub fn to_normalized_string(value: &Value) -> String {
    // Serializing a `Value` cannot fail: its keys are strings and it holds no non-finite floats.
    let mut text = serde_json::to_string_pretty(&sorted(value))
        .unwrap_or_else(|error| unreachable!("serializing a JSON value failed: {error}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sorts_keys_at_every_depth() {
        let value: Value =
            serde_json::from_str(r#"{"b": {"z": 1, "a": [{"y": 2, "x": 3}]}, "a": null}"#).expect("valid JSON");
        let text = to_normalized_string(&value);
        assert_eq!(
            text,
            "{\n  \"a\": null,\n  \"b\": {\n    \"a\": [\n      {\n        \"x\": 3,\n        \"y\": 2\n      }\n    ],\n    \"z\": 1\n  }\n}\n"
        );
    }

    #[test]
    fn arrays_keep_their_order() {
        let text = to_normalized_string(&json!(["c", "a", "b", 3, 1]));
        assert_eq!(text, "[\n  \"c\",\n  \"a\",\n  \"b\",\n  3,\n  1\n]\n");
    }

    #[test]
    fn uses_two_space_indent_and_a_trailing_newline() {
        let text = to_normalized_string(&json!({"k": {"n": true}}));
        assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
        assert!(text.contains("\n  \"k\": {\n    \"n\": true\n  }\n"));
    }

    #[test]
    fn is_deterministic_whatever_the_input_order() {
        let one: Value = serde_json::from_str(r#"{"x": 1, "y": {"b": 2, "a": 1}}"#).expect("JSON");
        let two: Value = serde_json::from_str(r#"{"y": {"a": 1, "b": 2}, "x": 1}"#).expect("JSON");
        assert_eq!(to_normalized_string(&one), to_normalized_string(&two));
        let again: Value = serde_json::from_str(&to_normalized_string(&one)).expect("JSON");
        assert_eq!(to_normalized_string(&again), to_normalized_string(&one));
    }

    #[test]
    fn keeps_empty_containers_and_non_ascii_text() {
        let text = to_normalized_string(&json!({"e": {}, "l": [], "s": "é ✓"}));
        assert_eq!(text, "{\n  \"e\": {},\n  \"l\": [],\n  \"s\": \"é ✓\"\n}\n");
    }
}
