//! The JSON a request carries is byte for byte what the crates generated with each struct's
//! serde impls written out sent: the round-trip test's objects, serialized now, against
//! fixtures written by that earlier generated crate (`tests/fixtures/wire/README.md` says how).

#[path = "wire/objects.rs"]
mod objects;

#[test]
fn request_bodies_are_byte_identical_to_the_earlier_generated_crates() {
    // A workspace build turns on serde_json's `preserve_order` (api-diff needs it); the
    // catch-all map of undeclared fields then writes them in the order received, as the
    // earlier crate did under the same feature: compare with its fixtures made that way.
    let dir = if preserves_insertion_order() {
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/wire/preserve_order")
    } else {
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/wire")
    };
    let serialized = objects::serialized();
    assert!(serialized.len() >= 5);
    for (name, bytes) in serialized {
        let path = format!("{dir}/{name}.json");
        let fixture = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            String::from_utf8_lossy(&fixture),
            "{name}: today's bytes (left) differ from the earlier crate's ({path})"
        );
    }
}

/// Whether this build's `serde_json::Map` keeps insertion order (its `preserve_order` feature).
fn preserves_insertion_order() -> bool {
    let mut map = serde_json::Map::new();
    map.insert("b".to_owned(), serde_json::Value::Null);
    map.insert("a".to_owned(), serde_json::Value::Null);
    map.keys().next().is_some_and(|first| first == "b")
}
