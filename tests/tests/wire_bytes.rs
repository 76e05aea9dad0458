//! The JSON a request carries is byte for byte what the crates generated with each struct's
//! serde impls written out sent: the round-trip test's objects, serialized now, against
//! fixtures written by that earlier generated crate (`tests/fixtures/wire/README.md` says how).

#[path = "wire/objects.rs"]
mod objects;

#[test]
fn request_bodies_are_byte_identical_to_the_earlier_generated_crates() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/wire");
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
