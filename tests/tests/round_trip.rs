//! A read-modify-write never drops what a newer server sent: fields and enum values the
//! generated crate does not know, at any depth, go back to the server unchanged.

#[path = "wire/answers.rs"]
mod answers;

use answers::{formats, newer_server_answer};
use serde_json::json;
use specialcases_v1::Client;
use specialcases_v1::models::nested::TagsItem;
use specialcases_v1::models::nested::inner::Kind;
use tests::RecordingServer;

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
    let json = formats();
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
