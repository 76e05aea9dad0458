//! Schemas and everything inside them: fields, nested inline types, enum values, array
//! items, map values, deprecations and the facts that only reach doc comments.

use std::collections::{BTreeMap, BTreeSet};

use codegen::parse::JsonSchema;
use codegen::resolve::ir::RustType;

use super::pairs::pairs;
use super::shape::{Generated, Members, Typed, with_values, written};
use crate::change::Change;
use crate::kind::Kind;
use crate::resolved::{Form, Resolved};
use codegen::json_path::{child, join};

/// The resolved models of the two documents being compared.
#[derive(Clone, Copy, Debug)]
pub struct Models<'a> {
    /// The older document's.
    pub old: &'a Resolved,
    /// The newer document's.
    pub new: &'a Resolved,
}

/// The type of a JSON value the generator has no record of: never the case for a document
/// it resolved, and then described as free-form JSON rather than guessed.
const UNRESOLVED: RustType = RustType::Json;

/// Compares the top-level `schemas` maps.
pub fn schemas(
    old: &BTreeMap<String, JsonSchema>,
    new: &BTreeMap<String, JsonSchema>,
    models: Models<'_>,
    out: &mut Vec<Change>,
) {
    let unresolved = Form::Alias(UNRESOLVED);
    for (name, old, new) in pairs(old, new) {
        let path = child("schemas", name);
        let path_ref = path.as_str();
        let unresolved = &unresolved;
        let typed = move |schema, resolved| top_level(schema, path_ref, resolved, unresolved);
        match (old, new) {
            (None, Some(new)) => {
                let shown = with_values(typed(new, models.new).written(), new);
                out.push(Change::at(Kind::SchemaAdded, path.as_str()).after(shown));
            }
            (Some(old), None) => {
                out.push(Change::at(Kind::SchemaRemoved, path.as_str()).before(typed(old, models.old).written()));
            }
            (Some(old), Some(new)) => compare(
                typed(old, models.old),
                typed(new, models.new),
                &path,
                Kind::SchemaTypeChanged,
                out,
            ),
            (None, None) => {}
        }
    }
}

/// The top-level schema at `path`.
fn top_level<'a>(schema: &'a JsonSchema, path: &str, resolved: &'a Resolved, unresolved: &'a Form) -> Typed<'a> {
    Typed {
        schema,
        generated: Generated::Schema(resolved.schema(path).unwrap_or(unresolved)),
        resolved,
    }
}

/// Compares two versions of the schema at `path`: a top-level schema, a field, an array
/// item, a map value, or a method's request or response. A change of its Rust type is
/// reported as `retyped`; otherwise its fields, enum values, items or values are compared in turn.
pub fn compare(old: Typed<'_>, new: Typed<'_>, path: &str, retyped: Kind, out: &mut Vec<Change>) {
    let (old_schema, new_schema) = (old.schema, new.schema);
    deprecation(old_schema.deprecated, new_schema.deprecated, path, out);
    docs(old_schema, new_schema, path, out);
    text(&old_schema.pattern, &new_schema.pattern, &child(path, "pattern"), out);
    let (old_written, new_written) = (old.written(), new.written());
    let (old_rust, new_rust) = (old.rust(), new.rust());
    if old_written != new_written || old_rust != new_rust {
        let kind = if old_rust == new_rust {
            Kind::FormatChanged
        } else {
            retyped
        };
        out.push(Change::at(kind, path).before(old_written).after(new_written));
        return;
    }
    let models = Models {
        old: old.resolved,
        new: new.resolved,
    };
    match (old.members(), new.members()) {
        (_, Members::Struct) => {
            properties(old_schema, new_schema, path, models, out);
            additional_properties(old_schema, new_schema, path, models, out);
        }
        (_, Members::Enum) => enum_values(old_schema, new_schema, path, out),
        (Members::Items(old_item), Members::Items(new_item)) => {
            if let (Some(old_items), Some(new_items)) = (&old_schema.items, &new_schema.items) {
                compare(
                    typed(old_items, old_item, models.old),
                    typed(new_items, new_item, models.new),
                    &child(path, "items"),
                    Kind::FieldTypeChanged,
                    out,
                );
            }
        }
        (Members::Values(old_value), Members::Values(new_value)) => {
            if let (Some(old_values), Some(new_values)) =
                (&old_schema.additional_properties, &new_schema.additional_properties)
            {
                compare(
                    typed(old_values, old_value, models.old),
                    typed(new_values, new_value, models.new),
                    &child(path, "additionalProperties"),
                    Kind::FieldTypeChanged,
                    out,
                );
            }
        }
        _ => {}
    }
}

/// `schema`, which the generator made `ty` of, in the document resolved as `resolved`.
pub fn typed<'a>(schema: &'a JsonSchema, ty: &'a RustType, resolved: &'a Resolved) -> Typed<'a> {
    Typed {
        schema,
        generated: Generated::Type(ty),
        resolved,
    }
}

/// The struct field at `path` of the document resolved as `resolved`.
fn field<'a>(schema: &'a JsonSchema, path: &str, resolved: &'a Resolved) -> Typed<'a> {
    typed(schema, resolved.field(path).unwrap_or(&UNRESOLVED), resolved)
}

/// Fields added, removed and changed.
fn properties(old: &JsonSchema, new: &JsonSchema, path: &str, models: Models<'_>, out: &mut Vec<Change>) {
    let properties = child(path, "properties");
    for (key, old, new) in pairs(&old.properties, &new.properties) {
        let path = child(&properties, key);
        match (old, new) {
            (None, Some(new)) => {
                let new = field(new, &path, models.new);
                let shown = if new.is_enum() {
                    with_values(new.written(), new.schema)
                } else {
                    new.written()
                };
                out.push(Change::at(Kind::FieldAdded, path).after(shown));
            }
            (Some(old), None) => {
                let shown = field(old, &path, models.old).written();
                out.push(Change::at(Kind::FieldRemoved, path).before(shown));
            }
            (Some(old), Some(new)) => compare(
                field(old, &path, models.old),
                field(new, &path, models.new),
                &path,
                Kind::FieldTypeChanged,
                out,
            ),
            (None, None) => {}
        }
    }
}

/// The `additional_properties` map field of a struct that also declares properties.
fn additional_properties(old: &JsonSchema, new: &JsonSchema, path: &str, models: Models<'_>, out: &mut Vec<Change>) {
    let path = child(path, "additionalProperties");
    let map_of = |values: &JsonSchema| format!("map of {}", written(Some(values)));
    // The field is a map; its values are compared with the value type.
    let value_type = |resolved: &'_ Resolved| match resolved.field(&path) {
        Some(RustType::Map(value)) => value.as_ref().clone(),
        _ => UNRESOLVED,
    };
    match (&old.additional_properties, &new.additional_properties) {
        (None, Some(new)) => out.push(Change::at(Kind::FieldAdded, path.as_str()).after(map_of(new))),
        (Some(old), None) => out.push(Change::at(Kind::FieldRemoved, path.as_str()).before(map_of(old))),
        (Some(old), Some(new)) => {
            let (old_value, new_value) = (value_type(models.old), value_type(models.new));
            compare(
                typed(old, &old_value, models.old),
                typed(new, &new_value, models.new),
                &path,
                Kind::FieldTypeChanged,
                out,
            );
        }
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
