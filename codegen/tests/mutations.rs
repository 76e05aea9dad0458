//! Property test: mutated real documents never make the generator panic; each gives a crate
//! or an error. Runs 512 cases per document (see `CASES`), each applying one random mutation:
//! a value replaced by another JSON type, a key removed, a string changed, or the text cut.

use proptest::prelude::*;
use serde_json::Value;

/// How many mutated documents each test generates.
const CASES: u32 = 512;

fn document(path: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))).expect("document readable");
    serde_json::from_str(&text).expect("document is JSON")
}

/// JSON pointers of every value in `value`.
fn pointers(value: &Value, prefix: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let pointer = format!("{prefix}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(pointer.clone());
                pointers(child, pointer, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let pointer = format!("{prefix}/{i}");
                out.push(pointer.clone());
                pointers(child, pointer, out);
            }
        }
        _ => {}
    }
}

fn replacement(kind: u8) -> Value {
    match kind {
        0 => Value::Null,
        1 => Value::from(-1),
        2 => Value::from("strin"),
        3 => Value::from(true),
        4 => serde_json::json!({}),
        5 => serde_json::json!([]),
        6 => serde_json::json!({"$ref": "Missing"}),
        _ => serde_json::json!({"type": "object", "properties": {"type": {"$ref": "Missing"}}}),
    }
}

fn mutate(original: &Value, pick: usize, kind: u8) -> Value {
    let mut doc = original.clone();
    let mut all = Vec::new();
    pointers(&doc, String::new(), &mut all);
    let pointer = &all[pick % all.len()];
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    if kind == 8 {
        if let Some(Value::Object(map)) = doc.pointer_mut(parent) {
            map.remove(&key.replace("~1", "/").replace("~0", "~"));
        }
    } else if let Some(target) = doc.pointer_mut(pointer) {
        *target = replacement(kind);
    }
    doc
}

fn generates_or_errs(text: &str) {
    // The property is that this returns at all: a panic fails the test.
    let _ = codegen::generate(text, &codegen::Options::default());
}

fn check(path: &str) {
    let original = document(path);
    let text = original.to_string();
    let config = ProptestConfig {
        cases: CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    proptest!(config, |(pick in any::<usize>(), kind in 0u8..=8, cut in any::<usize>(), truncate in any::<bool>())| {
        if truncate {
            let at = cut % text.len();
            generates_or_errs(text.get(..at).unwrap_or(""));
        } else {
            generates_or_errs(&mutate(&original, pick, kind).to_string());
        }
    });
}

#[test]
fn mutated_data_portability_documents_never_panic() {
    check("discovery/dataportability.v1.json");
}

#[test]
fn mutated_special_case_documents_never_panic() {
    check("tests/fixtures/special_cases.json");
}
