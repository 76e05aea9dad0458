//! The round-trip test's objects, decoded from its JSON (`answers.rs`) and serialized again:
//! shared by the wire test and by the program that wrote its fixtures with the earlier generated
//! crate (`tests/fixtures/wire/README.md`), so both serialize exactly the same values.

#[path = "answers.rs"]
mod answers;

use answers::{formats, newer_server_answer};
use specialcases_v1::models::nested::TagsItem;
use specialcases_v1::models::nested::inner::Kind;
use specialcases_v1::models::{Formats, Mixed, Nested};

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
