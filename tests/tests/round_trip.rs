//! A read-modify-write never drops what a newer server sent: fields and enum values the
//! generated crate does not know, at any depth, go back to the server unchanged.

use serde_json::{Value, json};
use specialcases_v1::Client;
use specialcases_v1::models::nested::TagsItem;
use specialcases_v1::models::nested::inner::Kind;
use tests::RecordingServer;

/// What a server newer than the crate answers: unknown fields at the top, in a nested
/// object, in an array item, in a map value, in a `$ref`'d struct inside a map; unknown
/// enum values; a field of every JSON kind.
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

#[tokio::test]
async fn an_update_sends_back_every_unknown_field() {
    let server = RecordingServer::start().await.expect("server starts");
    let client = Client::builder().endpoint(server.url()).build().expect("client builds");
    let things = client.projects().locations_resource().things();
    let name = "projects/p/locations/l/things/t";

    server.respond(200, &newer_server_answer().to_string());
    let mut thing = things.describe(name).send().await.expect("describe succeeds");
    let read = server.take_single();
    assert_eq!(read.method, "GET");

    // Change one known field, as a user would.
    thing.inner.as_mut().expect("inner is known").kind = Some(Kind::Unknown);
    thing.tags.push(TagsItem::Green);

    server.respond(200, "{}");
    things.replace(name, thing).send().await.expect("replace succeeds");
    let write = server.take_single();
    assert_eq!(write.method, "PUT");
    assert_eq!(write.path, "/special/v1/v1/projects/p/locations/l/things/t");

    let mut expected = newer_server_answer();
    expected["inner"]["kind"] = json!("UNKNOWN");
    expected["tags"] = json!(["RED", "ULTRAVIOLET", "GREEN"]);
    assert_eq!(write.json(), expected);
}

#[test]
fn unknown_fields_are_reachable_and_survive_a_clone() {
    let thing: specialcases_v1::models::Nested = serde_json::from_value(newer_server_answer()).unwrap();
    assert_eq!(thing._unknown_fields["addedLater"], "text");
    assert_eq!(thing.items[0]._unknown_fields["weight"], 3);
    assert_eq!(thing.clone(), thing);
    // A struct with `additionalProperties` keeps undeclared keys in that one map.
    let mixed: specialcases_v1::models::Mixed = serde_json::from_str(r#"{"known":"k","other":"o"}"#).unwrap();
    assert_eq!(mixed.additional_properties["other"], "o");
    assert_eq!(
        serde_json::to_value(&mixed).unwrap(),
        json!({"known": "k", "other": "o"})
    );
}

#[test]
fn every_wire_format_round_trips() {
    let json = json!({
        "int64": "-9007199254740993", "uint64": "18446744073709551615", "int32": -5, "uint32": 7,
        "float": 1.5, "double": 2.25, "bytes": "aGVsbG8=", "any": {"x": [1]},
        "time": "2026-01-01T00:00:00Z", "date": "2026-01-02", "duration": "1.500s",
        "int64List": ["1", "2"], "bytesMap": {"k": "aGk="}, "labels": {"a": "b"}, "free": {"y": null},
        "undeclared": {"z": 1}
    });
    let formats: specialcases_v1::models::Formats = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(formats.int64, Some(-9_007_199_254_740_993));
    assert_eq!(formats.bytes.as_deref(), Some(&b"hello"[..]));
    assert_eq!(serde_json::to_value(&formats).unwrap(), json);
    // A bare number is read for an int64, and a bad value names its field.
    let number: specialcases_v1::models::Formats = serde_json::from_str(r#"{"int64": 3}"#).unwrap();
    assert_eq!(number.int64, Some(3));
    let error = serde_json::from_str::<specialcases_v1::models::Formats>(r#"{"duration": "soon"}"#).unwrap_err();
    assert!(error.to_string().contains("invalid duration"), "{error}");
}
