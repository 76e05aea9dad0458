//! A schema's type, described twice: as the document writes it ([`written`]:
//! `string (int64)`, `array of Foo`) and as the Rust type the generator made of it
//! ([`Typed::rust`], from the resolved model: `i64`, `Vec<models::Foo>`).
//!
//! Two versions with the same `written` and `rust` are the same type; with a different
//! `written` but the same `rust` only a `format` changed that the generated code ignores.

use codegen::parse::{JsonSchema, SchemaType};
use codegen::resolve::ir::RustType;

use crate::resolved::{Form, ParamView, Resolved};

/// What a node of the document became: a top-level schema's form, or the Rust type of a
/// field, array item, map value, request or response.
#[derive(Clone, Copy, Debug)]
pub enum Generated<'a> {
    /// A top-level schema.
    Schema(&'a Form),
    /// Any other schema.
    Type(&'a RustType),
}

/// A schema of the document with what the generator made of it.
#[derive(Clone, Copy, Debug)]
pub struct Typed<'a> {
    /// The schema as the document has it.
    pub schema: &'a JsonSchema,
    /// What the generator made of it.
    pub generated: Generated<'a>,
    /// The resolved model of the same document.
    pub resolved: &'a Resolved,
}

/// What [`Typed::members`] says to compare inside a type.
#[derive(Clone, Copy, Debug)]
pub enum Members<'a> {
    /// A struct: its properties (and `additionalProperties` beside them).
    Struct,
    /// An enum: its values.
    Enum,
    /// A `Vec`: the items, of this type.
    Items(&'a RustType),
    /// A `BTreeMap`: the values, of this type.
    Values(&'a RustType),
    /// A scalar, or a reference to a schema that is compared where it is declared.
    None,
}

impl<'a> Typed<'a> {
    /// The Rust type, as reports write it (`struct`, `enum`, `i64`, `models::Foo`).
    pub fn rust(&self) -> String {
        match self.generated {
            Generated::Schema(Form::Struct) => "struct".to_owned(),
            Generated::Schema(Form::Enum) => "enum".to_owned(),
            Generated::Schema(Form::Alias(ty)) | Generated::Type(ty) => self.resolved.describe(ty),
        }
    }

    /// The type as the document writes it; a top-level schema that became a struct or an
    /// enum is `object` or `string enum` whatever its declared type.
    pub fn written(&self) -> String {
        match self.generated {
            Generated::Schema(Form::Struct) => "object".to_owned(),
            Generated::Schema(Form::Enum) => "string enum".to_owned(),
            _ => written(Some(self.schema)),
        }
    }

    /// Whether the generator made an enum of it (its values are worth listing).
    pub fn is_enum(&self) -> bool {
        matches!(self.members(), Members::Enum)
    }

    /// What to compare inside it.
    pub fn members(&self) -> Members<'a> {
        let ty = match self.generated {
            Generated::Schema(Form::Struct) => return Members::Struct,
            Generated::Schema(Form::Enum) => return Members::Enum,
            Generated::Schema(Form::Alias(ty)) | Generated::Type(ty) => ty,
        };
        match ty {
            // A `$ref` is compared where its schema is declared.
            RustType::Named { .. } if self.schema.reference.is_some() => Members::None,
            RustType::Named { path, .. } => match self.resolved.named(path) {
                Some((Form::Enum, _)) => Members::Enum,
                Some((Form::Struct, _)) => Members::Struct,
                _ => Members::None,
            },
            RustType::Vec(item) => Members::Items(item),
            RustType::Map(value) => Members::Values(value),
            _ => Members::None,
        }
    }
}

/// A parameter's type: `(written, rust)`, e.g. `("repeated string enum", "Vec<enum>")`.
pub fn of_parameter(schema: &JsonSchema, view: &ParamView, resolved: &Resolved) -> (String, String) {
    let (written, rust) = if view.is_enum() {
        ("string enum".to_owned(), "enum".to_owned())
    } else {
        (written(Some(value_schema(schema, view))), resolved.describe(&view.ty))
    };
    if view.repeated {
        (format!("repeated {written}"), format!("Vec<{rust}>"))
    } else {
        (written, rust)
    }
}

/// The schema of one value of a parameter: its own, or its `items` when the generator took
/// the values from there (the view's `value_path` says which).
pub fn value_schema<'a>(schema: &'a JsonSchema, view: &ParamView) -> &'a JsonSchema {
    match &schema.items {
        Some(items) if view.values_in_items => items,
        _ => schema,
    }
}

/// `written`, followed by the enum values of `schema` when it has any: `string enum (ON, OFF)`.
/// Used where a new type appears, so the reader sees its values at once.
pub fn with_values(written: String, schema: &JsonSchema) -> String {
    if schema.enum_values.is_empty() {
        written
    } else {
        format!("{written} ({})", schema.enum_values.join(", "))
    }
}

/// A schema as the document writes it: `Foo` (a `$ref`), `string enum`, `array of string
/// (int64)`, `map of Foo`, `object`, `object (free-form)`, `integer (int32)`; `any` when absent.
pub fn written(schema: Option<&JsonSchema>) -> String {
    let Some(schema) = schema else {
        return "any".to_owned();
    };
    if let Some(reference) = &schema.reference {
        return reference.clone();
    }
    if !schema.enum_values.is_empty() && matches!(schema.schema_type, None | Some(SchemaType::String)) {
        return "string enum".to_owned();
    }
    let name = match schema.schema_type {
        Some(SchemaType::String) => "string",
        Some(SchemaType::Integer) => "integer",
        Some(SchemaType::Number) => "number",
        Some(SchemaType::Boolean) => "boolean",
        Some(SchemaType::Any) => "any",
        Some(SchemaType::Null) => "null",
        Some(SchemaType::Array) => return format!("array of {}", written(schema.items.as_deref())),
        Some(SchemaType::Object) | None => {
            return if !schema.properties.is_empty() {
                "object".to_owned()
            } else if let Some(values) = &schema.additional_properties {
                format!("map of {}", written(Some(values)))
            } else {
                "object (free-form)".to_owned()
            };
        }
    };
    match schema.format.as_deref() {
        Some(format) if !format.is_empty() => format!("{name} ({format})"),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn schema(value: Value) -> JsonSchema {
        serde_json::from_value(value).expect("a schema")
    }

    fn written_of(value: Value) -> String {
        written(Some(&schema(value)))
    }

    #[test]
    fn scalars_show_their_format() {
        assert_eq!(
            written_of(json!({"type": "string", "format": "google-datetime"})),
            "string (google-datetime)"
        );
        assert_eq!(written_of(json!({"type": "integer"})), "integer");
        assert_eq!(written_of(json!({"type": "any"})), "any");
        assert_eq!(written(None), "any");
    }

    #[test]
    fn containers_name_their_items_and_values() {
        assert_eq!(
            written_of(json!({"type": "array", "items": {"$ref": "Foo"}})),
            "array of Foo"
        );
        assert_eq!(written_of(json!({"type": "array"})), "array of any");
        assert_eq!(
            written_of(json!({"type": "object", "additionalProperties": {"type": "string"}})),
            "map of string"
        );
        assert_eq!(
            written_of(json!({"type": "object", "properties": {"a": {"type": "string"}}})),
            "object"
        );
        assert_eq!(written_of(json!({"type": "object"})), "object (free-form)");
        assert_eq!(written_of(json!({"type": "string", "enum": ["A"]})), "string enum");
        assert_eq!(written_of(json!({"type": "integer", "enum": ["1"]})), "integer");
    }

    #[test]
    fn rust_types_and_members_come_from_the_resolved_model() {
        let doc: codegen::parse::RestDescription = serde_json::from_value(json!({
            "name": "x", "version": "v1", "rootUrl": "https://x/",
            "schemas": {
                "Job": {"type": "object", "properties": {
                    "state": {"type": "string", "enum": ["A", "B"]},
                    "count": {"type": "string", "format": "int64"},
                    "tags": {"type": "array", "items": {"$ref": "Tag"}},
                }},
                "Tag": {"type": "object"},
                "Level": {"type": "integer", "enum": ["1"]},
            }
        }))
        .expect("a document");
        let resolved = Resolved::of(&doc).expect("resolves");
        let field = |key: &str| {
            let ty = resolved
                .field(&format!("schemas.Job.properties.{key}"))
                .expect("a field");
            let typed = Typed {
                schema: &doc.schemas["Job"].properties[key],
                generated: Generated::Type(ty),
                resolved: &resolved,
            };
            (typed.written(), typed.rust(), typed.is_enum())
        };
        assert_eq!(field("state"), ("string enum".into(), "enum".into(), true));
        assert_eq!(field("count"), ("string (int64)".into(), "i64".into(), false));
        assert_eq!(field("tags"), ("array of Tag".into(), "Vec<models::Tag>".into(), false));
        let top = |name: &str| {
            let typed = Typed {
                schema: &doc.schemas[name],
                generated: Generated::Schema(resolved.schema(&format!("schemas.{name}")).expect("a schema")),
                resolved: &resolved,
            };
            (typed.written(), typed.rust())
        };
        assert_eq!(top("Tag"), ("object".into(), "struct".into()));
        assert_eq!(top("Level"), ("string enum".into(), "enum".into()));
    }
}
