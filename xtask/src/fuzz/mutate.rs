//! Mutations of real documents: one to a few random edits of the JSON tree (a value replaced
//! by another type or a hostile string, a key renamed or removed, a subtree copied elsewhere,
//! a schema added), and sometimes of the text itself (cut, a byte changed).

use serde_json::{Value, json};

use super::strings;

/// A mutated copy of `original`, as JSON text.
pub fn mutate(original: &Value, rng: &mut fastrand::Rng) -> String {
    let mut doc = original.clone();
    for _ in 0..rng.usize(1..4) {
        mutate_once(&mut doc, rng);
    }
    let text = serde_json::to_string(&doc).unwrap_or_default();
    if rng.u8(0..16) == 0 {
        return mutate_text(text, rng);
    }
    text
}

/// The number of values in `value` (itself included).
fn count(value: &Value) -> usize {
    1 + match value {
        Value::Object(map) => map.values().map(count).sum(),
        Value::Array(items) => items.iter().map(count).sum(),
        _ => 0,
    }
}

/// The `index`-th value of `value` in pre-order.
fn nth<'a>(value: &'a mut Value, index: &mut usize) -> Option<&'a mut Value> {
    if *index == 0 {
        return Some(value);
    }
    *index -= 1;
    match value {
        Value::Object(map) => map.values_mut().find_map(|child| nth(child, index)),
        Value::Array(items) => items.iter_mut().find_map(|child| nth(child, index)),
        _ => None,
    }
}

fn mutate_once(doc: &mut Value, rng: &mut fastrand::Rng) {
    let total = count(doc);
    let mut index = rng.usize(0..total);
    let copy = if rng.u8(0..8) == 0 {
        let mut source = rng.usize(0..total);
        nth(doc, &mut source).cloned()
    } else {
        None
    };
    let Some(target) = nth(doc, &mut index) else {
        return;
    };
    match target {
        Value::Object(map) if !map.is_empty() && rng.bool() => {
            let keys: Vec<String> = map.keys().cloned().collect();
            let key = &keys[rng.usize(0..keys.len())];
            if rng.bool() {
                map.remove(key);
            } else if let Some(value) = map.remove(key) {
                map.insert(strings::any(rng), value);
            }
        }
        Value::Object(map) if rng.u8(0..4) == 0 => {
            let value = copy
                .unwrap_or_else(|| json!({"type": "object", "properties": {strings::any(rng): {"type": "string"}}}));
            map.insert(strings::any(rng), value);
        }
        _ => {
            *target = match copy {
                Some(value) => value,
                None => replacement(rng),
            };
        }
    }
}

fn replacement(rng: &mut fastrand::Rng) -> Value {
    match rng.u8(0..12) {
        0 => Value::Null,
        1 => json!(rng.i64(..)),
        2 => json!(rng.bool()),
        3 => json!({}),
        4 => json!([]),
        5 => json!({"$ref": strings::any(rng)}),
        6 => json!([strings::any(rng)]),
        _ => json!(strings::any(rng)),
    }
}

fn mutate_text(text: String, rng: &mut fastrand::Rng) -> String {
    let mut bytes = text.into_bytes();
    if bytes.is_empty() {
        return String::new();
    }
    let at = rng.usize(0..bytes.len());
    if rng.bool() {
        bytes.truncate(at);
    } else {
        bytes[at] = rng.u8(..);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}
