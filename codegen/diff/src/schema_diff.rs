//! Schemas and everything inside them: fields, nested inline types, enum values, array
//! items, map values, deprecations and the facts that only reach doc comments.

use std::collections::{BTreeMap, BTreeSet};

use codegen::parse::JsonSchema;

use super::change::{Change, Kind};
use super::pairs::pairs;
use super::shape::{Shape, is_string_enum, with_values};
use codegen::json_path::{child, join};

/// Compares the top-level `schemas` maps.
pub fn schemas(old: &BTreeMap<String, JsonSchema>, new: &BTreeMap<String, JsonSchema>, out: &mut Vec<Change>) {
    for (name, old, new) in pairs(old, new) {
        let path = child("schemas", name);
        match (old, new) {
            (None, Some(new)) => {
                let shown = with_values(Shape::of_schema(new).shown(), new);
                out.push(Change::at(Kind::SchemaAdded, path).after(shown));
            }
            (Some(old), None) => {
                out.push(Change::at(Kind::SchemaRemoved, path).before(Shape::of_schema(old).shown()));
            }
            (Some(old), Some(new)) => compare(old, new, &path, Kind::SchemaTypeChanged, true, out),
            (None, None) => {}
        }
    }
}

/// Compares two versions of the schema at `path`: a top-level schema (`top_level`), a
/// field, an array item, a map value, or a method's request or response. A change of its
/// Rust type is reported as `retyped`; otherwise its fields, enum values, items or values
/// are compared in turn.
pub fn compare(old: &JsonSchema, new: &JsonSchema, path: &str, retyped: Kind, top_level: bool, out: &mut Vec<Change>) {
    deprecation(old.deprecated, new.deprecated, path, out);
    docs(old, new, path, out);
    text(&old.pattern, &new.pattern, &child(path, "pattern"), out);
    let shape = |schema| {
        if top_level {
            Shape::of_schema(schema)
        } else {
            Shape::of_field(schema)
        }
    };
    let (old_shape, new_shape) = (shape(old), shape(new));
    if old_shape != new_shape {
        let kind = if old_shape.rust() == new_shape.rust() {
            Kind::FormatChanged
        } else {
            retyped
        };
        out.push(
            Change::at(kind, path)
                .before(old_shape.shown())
                .after(new_shape.shown()),
        );
        return;
    }
    match new_shape {
        Shape::Struct => {
            properties(old, new, path, out);
            additional_properties(old, new, path, out);
        }
        Shape::Enum => enum_values(old, new, path, out),
        Shape::Array(_) => {
            if let (Some(old), Some(new)) = (&old.items, &new.items) {
                compare(old, new, &child(path, "items"), Kind::FieldTypeChanged, false, out);
            }
        }
        Shape::Map(_) => {
            if let (Some(old), Some(new)) = (&old.additional_properties, &new.additional_properties) {
                let path = child(path, "additionalProperties");
                compare(old, new, &path, Kind::FieldTypeChanged, false, out);
            }
        }
        Shape::Ref(_) | Shape::Scalar { .. } => {}
    }
}

/// Fields added, removed and changed.
fn properties(old: &JsonSchema, new: &JsonSchema, path: &str, out: &mut Vec<Change>) {
    let properties = child(path, "properties");
    for (key, old, new) in pairs(&old.properties, &new.properties) {
        let path = child(&properties, key);
        match (old, new) {
            (None, Some(new)) => {
                let shown = Shape::of_field(new).shown();
                let shown = if is_string_enum(new) {
                    with_values(shown, new)
                } else {
                    shown
                };
                out.push(Change::at(Kind::FieldAdded, path).after(shown));
            }
            (Some(old), None) => {
                out.push(Change::at(Kind::FieldRemoved, path).before(Shape::of_field(old).shown()));
            }
            (Some(old), Some(new)) => compare(old, new, &path, Kind::FieldTypeChanged, false, out),
            (None, None) => {}
        }
    }
}

/// The `additional_properties` map field of a struct that also declares properties.
fn additional_properties(old: &JsonSchema, new: &JsonSchema, path: &str, out: &mut Vec<Change>) {
    let path = child(path, "additionalProperties");
    let map_of = |values: &JsonSchema| format!("map of {}", Shape::of_field(values).shown());
    match (&old.additional_properties, &new.additional_properties) {
        (None, Some(new)) => out.push(Change::at(Kind::FieldAdded, path).after(map_of(new))),
        (Some(old), None) => out.push(Change::at(Kind::FieldRemoved, path).before(map_of(old))),
        (Some(old), Some(new)) => compare(old, new, &path, Kind::FieldTypeChanged, false, out),
        (None, None) => {}
    }
}

/// Enum values of the schema at `path` (reported at `path.enum`): added, removed,
/// deprecated, and their descriptions (at `path.enumDescriptions`).
pub fn enum_values(old: &JsonSchema, new: &JsonSchema, path: &str, out: &mut Vec<Change>) {
    let values_path = child(path, "enum");
    let descriptions_path = child(path, "enumDescriptions");
    let old_index = first_index(&old.enum_values);
    let new_index = first_index(&new.enum_values);
    for value in unique(&old.enum_values) {
        if !new_index.contains_key(value) {
            out.push(Change::at(Kind::EnumValueRemoved, values_path.as_str()).of(value));
        }
    }
    for value in unique(&new.enum_values) {
        let (Some(&i), Some(&j)) = (old_index.get(value), new_index.get(value)) else {
            out.push(Change::at(Kind::EnumValueAdded, values_path.as_str()).of(value));
            continue;
        };
        let was = old.enum_deprecated.get(i).copied().unwrap_or(false);
        let is = new.enum_deprecated.get(j).copied().unwrap_or(false);
        if was != is {
            let kind = if is { Kind::Deprecated } else { Kind::Undeprecated };
            out.push(Change::at(kind, values_path.as_str()).of(value));
        }
        let before = old.enum_descriptions.get(i);
        let after = new.enum_descriptions.get(j);
        if before != after {
            out.push(
                Change::at(Kind::DescriptionChanged, descriptions_path.as_str())
                    .of(value)
                    .values(before.cloned(), after.cloned()),
            );
        }
    }
}

/// A `deprecated` flag that flipped at `path`.
pub fn deprecation(old: bool, new: bool, path: &str, out: &mut Vec<Change>) {
    if old != new {
        let kind = if new { Kind::Deprecated } else { Kind::Undeprecated };
        out.push(Change::at(kind, path));
    }
}

/// The facts of a schema or parameter that only reach doc comments: `description`,
/// `readOnly`, `default` and `annotations.required`.
pub fn docs(old: &JsonSchema, new: &JsonSchema, path: &str, out: &mut Vec<Change>) {
    text(&old.description, &new.description, &child(path, "description"), out);
    if old.read_only != new.read_only {
        out.push(
            Change::at(Kind::DescriptionChanged, child(path, "readOnly"))
                .before(old.read_only.to_string())
                .after(new.read_only.to_string()),
        );
    }
    text(&old.default, &new.default, &child(path, "default"), out);
    if old.annotations.required != new.annotations.required {
        let list = |methods: &[String]| (!methods.is_empty()).then(|| methods.join(", "));
        out.push(
            Change::at(Kind::DescriptionChanged, join(path, &["annotations", "required"]))
                .values(list(&old.annotations.required), list(&new.annotations.required)),
        );
    }
}

/// A description-only change of an optional text at `path`.
pub fn text(old: &Option<String>, new: &Option<String>, path: &str, out: &mut Vec<Change>) {
    if old != new {
        out.push(Change::at(Kind::DescriptionChanged, path).values(old.clone(), new.clone()));
    }
}

/// Each value's first position in `values`.
fn first_index(values: &[String]) -> BTreeMap<&str, usize> {
    let mut index = BTreeMap::new();
    for (i, value) in values.iter().enumerate() {
        index.entry(value.as_str()).or_insert(i);
    }
    index
}

/// `values` in their order, each once.
fn unique(values: &[String]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    values
        .iter()
        .map(String::as_str)
        .filter(|value| seen.insert(*value))
        .collect()
}
