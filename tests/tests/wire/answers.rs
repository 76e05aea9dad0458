//! The JSON of the round-trip test's objects, with no generated type in it: included by the
//! round-trip test, by the wire test's objects, and by the program that wrote the wire fixtures
//! against an earlier generated crate (`tests/fixtures/wire/README.md`), so there is one copy.

use serde_json::{Value, json};

/// What a server newer than the crate answers: unknown fields at the top, in a nested
/// object, in an array item, in a map value, in a `$ref`'d struct inside a map; unknown
/// enum values; a field of every JSON kind.
pub fn newer_server_answer() -> Value {
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

/// A value of every wire format: 64-bit integers as strings, bytes as base64, dates, times and
/// durations, maps, free-form JSON, and an undeclared field.
pub fn formats() -> Value {
    json!({
        "int64": "-9007199254740993", "uint64": "18446744073709551615", "int32": -5, "uint32": 7,
        "float": 1.5, "double": 2.25, "bytes": "aGVsbG8=", "any": {"x": [1]},
        "time": "2026-01-01T00:00:00Z", "date": "2026-01-02", "duration": "1.500s",
        "int64List": ["1", "2"], "bytesMap": {"k": "aGk="}, "labels": {"a": "b"}, "free": {"y": null},
        "undeclared": {"z": 1}
    })
}
