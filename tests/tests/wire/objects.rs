//! The round-trip test's objects, decoded from the same JSON and serialized again: shared by
//! the wire test and by the program that wrote its fixtures with the earlier generated crate
//! (`tests/fixtures/wire/README.md`), so both serialize exactly the same values.

use serde_json::{Value, json};
use specialcases_v1::models::nested::TagsItem;
use specialcases_v1::models::nested::inner::Kind;
use specialcases_v1::models::{Formats, Mixed, Nested};

/// The answer of a server newer than the crate (the round-trip test's).
fn newer_server_answer() -> Value {
    json!({
        "inner": {
            "kind": "FOO_BAR",
            "deeper": {"mode": "STANDBY", "since": "2026-01-01T00:00:00Z"},
            "newInner": [1, 2.5, null]
        },
        "items": [{"name": "a", "weight": 3}, {"name": "b"}],
        "tags": ["RED", "ULTRAVIOLET"],
        "byId": {"x": {"count": 1, "unit": "kg"}},
        "refs": {"r": {"x": "1", "extra": {"deep": {"deeper": true}}}},
        "addedLater": "text",
        "addedObject": {"a": {"b": []}},
        "addedNumber": 12345678901234567u64,
        "addedNull": null
    })
}

/// Every wire format (the round-trip test's).
fn formats() -> Value {
    json!({
        "int64": "-9007199254740993", "uint64": "18446744073709551615", "int32": -5, "uint32": 7,
        "float": 1.5, "double": 2.25, "bytes": "aGVsbG8=", "any": {"x": [1]},
        "time": "2026-01-01T00:00:00Z", "date": "2026-01-02", "duration": "1.500s",
        "int64List": ["1", "2"], "bytesMap": {"k": "aGk="}, "labels": {"a": "b"}, "free": {"y": null},
        "undeclared": {"z": 1}
    })
}

/// Decodes JSON text as a client does (from the response's bytes).
macro_rules! decode {
    ($text:expr) => {
        serde_json::from_str($text).expect("the round-trip test's JSON decodes")
    };
}

/// Serializes a value as a request body is.
macro_rules! encode {
    ($value:expr) => {
        serde_json::to_vec($value).expect("serializes")
    };
}

/// Each object's name and its bytes on the wire.
pub fn serialized() -> Vec<(&'static str, Vec<u8>)> {
    let nested: Nested = decode!(&newer_server_answer().to_string());
    let mut edited = nested.clone();
    if let Some(inner) = edited.inner.as_mut() {
        inner.kind = Some(Kind::Unknown);
    }
    edited.tags.push(TagsItem::Green);
    let mixed: Mixed = decode!(r#"{"known":"k","other":"o"}"#);
    let formats: Formats = decode!(&formats().to_string());
    let number: Formats = decode!(r#"{"int64": 3}"#);
    vec![
        ("nested", encode!(&nested)),
        ("nested_edited", encode!(&edited)),
        ("mixed", encode!(&mixed)),
        ("formats", encode!(&formats)),
        ("formats_int64_number", encode!(&number)),
        ("nested_default", encode!(&Nested::default())),
        ("formats_default", encode!(&Formats::default())),
    ]
}
