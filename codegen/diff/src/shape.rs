//! The type a schema becomes in the generated crate, described twice: as the document
//! says it (`string (google-datetime)`) and as the Rust type it maps to (`datetime`).
//!
//! Two schemas with the same [`Shape::shown`] are the same type; with a different `shown`
//! but the same [`Shape::rust`] only a `format` changed that the generated code ignores.
//! Scalar types come from codegen's own mapping (`codegen::resolve::string_type`, ...); the
//! structure follows `resolve::types` (`field_type`, `top_level`) and
//! `resolve::methods::param_from_schema`.

use codegen::parse::{JsonSchema, SchemaType};
use codegen::resolve::ir::RustType;
use codegen::resolve::{integer_type, is_object, is_struct, number_type, string_type};

/// The outline of a schema's type; nested object and enum types are named by their form
/// only, since their fields and values are compared one by one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A `$ref` to a top-level schema.
    Ref(String),
    /// A string enum (an open Rust enum).
    Enum,
    /// An object with declared properties (a struct).
    Struct,
    /// A scalar or a free-form value.
    Scalar {
        /// As the document writes it: `string (int64)`, `any`.
        shown: String,
        /// The Rust type: `i64`, `json`.
        rust: &'static str,
    },
    /// An array (a `Vec`).
    Array(Box<Shape>),
    /// An object with `additionalProperties` and no properties (a `BTreeMap`).
    Map(Box<Shape>),
}

impl Shape {
    /// The shape of a property, array item, map value, request or response.
    pub fn of_field(schema: &JsonSchema) -> Self {
        if let Some(reference) = &schema.reference {
            return Self::Ref(reference.clone());
        }
        if is_string_enum(schema) {
            return Self::Enum;
        }
        let format = schema.format.as_deref().unwrap_or("");
        match schema.schema_type {
            Some(SchemaType::String) => scalar("string", format, rust_name(&string_type(format))),
            Some(SchemaType::Integer) => scalar("integer", format, rust_name(&integer_type(format))),
            Some(SchemaType::Number) => scalar("number", format, rust_name(&number_type(format))),
            Some(SchemaType::Boolean) => scalar("boolean", format, "bool"),
            Some(SchemaType::Any) => scalar("any", format, "json"),
            Some(SchemaType::Null) => scalar("null", format, "json"),
            Some(SchemaType::Array) => Self::Array(Box::new(match &schema.items {
                Some(items) => Self::of_field(items),
                None => scalar("any", "", "json"),
            })),
            Some(SchemaType::Object) | None => {
                if is_struct(schema) {
                    Self::Struct
                } else if let Some(values) = &schema.additional_properties {
                    Self::Map(Box::new(Self::of_field(values)))
                } else {
                    scalar("object (free-form)", "", "json")
                }
            }
        }
    }

    /// The shape of a top-level schema: an object without properties is still a struct,
    /// and any schema with enum values is an enum.
    pub fn of_schema(schema: &JsonSchema) -> Self {
        if schema.reference.is_none() {
            if is_struct(schema) || (is_object(schema) && schema.additional_properties.is_none()) {
                return Self::Struct;
            }
            if !schema.enum_values.is_empty() {
                return Self::Enum;
            }
        }
        Self::of_field(schema)
    }

    /// As the document writes it: `InitiatePortabilityArchiveRequest`,
    /// `array of string (int64)`, `map of Foo`, `string enum`, `object`.
    pub fn shown(&self) -> String {
        match self {
            Self::Ref(name) => name.clone(),
            Self::Enum => "string enum".to_owned(),
            Self::Struct => "object".to_owned(),
            Self::Scalar { shown, .. } => shown.clone(),
            Self::Array(item) => format!("array of {}", item.shown()),
            Self::Map(value) => format!("map of {}", value.shown()),
        }
    }

    /// The Rust type it becomes, with generated types named by their form.
    pub fn rust(&self) -> String {
        match self {
            Self::Ref(name) => format!("models::{name}"),
            Self::Enum => "enum".to_owned(),
            Self::Struct => "struct".to_owned(),
            Self::Scalar { rust, .. } => (*rust).to_owned(),
            Self::Array(item) => format!("Vec<{}>", item.rust()),
            Self::Map(value) => format!("BTreeMap<String, {}>", value.rust()),
        }
    }
}

/// `shown`, followed by the enum values of `schema` when it has any: `string enum (ON, OFF)`.
/// Used where a new type appears, so the reader sees its values at once.
pub fn with_values(shown: String, schema: &JsonSchema) -> String {
    if schema.enum_values.is_empty() {
        shown
    } else {
        format!("{shown} ({})", schema.enum_values.join(", "))
    }
}

/// The type of a method or standard parameter: `(shown, rust)`. A parameter is a string,
/// a number, a boolean or an enum, maybe repeated; anything else is passed as a string.
pub fn of_parameter(schema: &JsonSchema) -> (String, String) {
    let (item, repeated) = parameter_item(schema);
    let (shown, rust) = if !item.enum_values.is_empty() {
        ("string enum".to_owned(), "enum".to_owned())
    } else {
        let shape = Shape::of_field(item);
        let rust = match &shape {
            Shape::Scalar { rust, .. } if !matches!(*rust, "json" | "Vec<u8>") => (*rust).to_owned(),
            _ => "String".to_owned(),
        };
        (shape.shown(), rust)
    };
    if repeated {
        (format!("repeated {shown}"), format!("Vec<{rust}>"))
    } else {
        (shown, rust)
    }
}

/// The schema of one value of a parameter, and whether the parameter is repeated (Discovery
/// marks that with `repeated`, sometimes with an array type and `items`).
pub fn parameter_item(schema: &JsonSchema) -> (&JsonSchema, bool) {
    match (&schema.schema_type, &schema.items) {
        (Some(SchemaType::Array), Some(items)) => (items, true),
        _ => (schema, schema.repeated),
    }
}

/// Whether the parameter's values are an enum, and at which key below it the values are
/// (`enum`, or `items.enum` for an array-typed parameter).
pub fn parameter_enum_keys(schema: &JsonSchema) -> Option<&'static [&'static str]> {
    let (item, _) = parameter_item(schema);
    if item.enum_values.is_empty() {
        None
    } else if std::ptr::eq(item, schema) {
        Some(&[])
    } else {
        Some(&["items"])
    }
}

fn scalar(name: &str, format: &str, rust: &'static str) -> Shape {
    let shown = if format.is_empty() {
        name.to_owned()
    } else {
        format!("{name} ({format})")
    };
    Shape::Scalar { shown, rust }
}

/// A string with enum values (or no type): an enum when it is a field.
pub fn is_string_enum(schema: &JsonSchema) -> bool {
    schema.reference.is_none()
        && !schema.enum_values.is_empty()
        && matches!(schema.schema_type, None | Some(SchemaType::String))
}

/// How a scalar Rust type from codegen is written in reports.
fn rust_name(ty: &RustType) -> &'static str {
    match ty {
        RustType::String => "String",
        RustType::Bool => "bool",
        RustType::I32 => "i32",
        RustType::U32 => "u32",
        RustType::I64 => "i64",
        RustType::U64 => "u64",
        RustType::F32 => "f32",
        RustType::F64 => "f64",
        RustType::Bytes => "Vec<u8>",
        RustType::DateTime => "datetime",
        RustType::Date => "date",
        RustType::Duration => "duration",
        RustType::Json | RustType::Vec(_) | RustType::Map(_) | RustType::Named { .. } => "json",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn schema(value: Value) -> JsonSchema {
        serde_json::from_value(value).expect("schema")
    }

    fn field(value: Value) -> (String, String) {
        let shape = Shape::of_field(&schema(value));
        (shape.shown(), shape.rust())
    }

    #[test]
    fn scalars_show_their_format_and_rust_type() {
        assert_eq!(
            field(json!({"type": "string", "format": "google-datetime"})),
            ("string (google-datetime)".into(), "datetime".into())
        );
        assert_eq!(
            field(json!({"type": "string", "format": "int64"})),
            ("string (int64)".into(), "i64".into())
        );
        assert_eq!(
            field(json!({"type": "string", "format": "google-fieldmask"})),
            ("string (google-fieldmask)".into(), "String".into())
        );
        assert_eq!(field(json!({"type": "integer"})).1, "i64");
        assert_eq!(field(json!({"type": "number", "format": "float"})).1, "f32");
        assert_eq!(field(json!({"type": "any"})).1, "json");
    }

    #[test]
    fn containers_name_their_items_and_values() {
        assert_eq!(
            field(json!({"type": "array", "items": {"$ref": "Foo"}})),
            ("array of Foo".into(), "Vec<models::Foo>".into())
        );
        assert_eq!(
            field(json!({"type": "object", "additionalProperties": {"type": "string"}})),
            ("map of string".into(), "BTreeMap<String, String>".into())
        );
        assert_eq!(
            field(json!({"type": "object", "properties": {"a": {"type": "string"}}})),
            ("object".into(), "struct".into())
        );
        assert_eq!(
            field(json!({"type": "object"})),
            ("object (free-form)".into(), "json".into())
        );
        assert_eq!(
            field(json!({"type": "string", "enum": ["A"]})),
            ("string enum".into(), "enum".into())
        );
    }

    #[test]
    fn top_level_empty_objects_are_structs_and_enums_of_any_type_are_enums() {
        assert_eq!(Shape::of_schema(&schema(json!({"type": "object"}))), Shape::Struct);
        assert_eq!(
            Shape::of_schema(&schema(json!({"type": "integer", "enum": ["1"]}))),
            Shape::Enum
        );
        assert_eq!(
            Shape::of_field(&schema(json!({"type": "integer", "enum": ["1"]}))).rust(),
            "i64"
        );
    }

    #[test]
    fn parameters_are_strings_numbers_or_enums_maybe_repeated() {
        let of = |value| of_parameter(&schema(value));
        assert_eq!(of(json!({"type": "string"})), ("string".into(), "String".into()));
        assert_eq!(
            of(json!({"type": "string", "repeated": true, "enum": ["A"]})),
            ("repeated string enum".into(), "Vec<enum>".into())
        );
        assert_eq!(
            of(json!({"type": "array", "items": {"type": "integer", "format": "int32"}})),
            ("repeated integer (int32)".into(), "Vec<i32>".into())
        );
        assert_eq!(
            of(json!({"type": "string", "format": "byte"})),
            ("string (byte)".into(), "String".into())
        );
        let array_enum = schema(json!({"type": "array", "items": {"type": "string", "enum": ["A"]}}));
        assert_eq!(parameter_enum_keys(&array_enum), Some(&["items"][..]));
        let plain_enum = schema(json!({"type": "string", "enum": ["A"]}));
        assert_eq!(parameter_enum_keys(&plain_enum), Some(&[][..]));
        assert_eq!(parameter_enum_keys(&schema(json!({"type": "string"}))), None);
    }
}
