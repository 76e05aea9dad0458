//! Schemas to Rust types: `$ref` resolution, inline types hoisted to named types, formats
//! mapped to Rust types, and the serde adapters the JSON encodings need.

use std::collections::BTreeMap;

use super::ir::{Docs, Enum, Field, Presence, RustType, Struct, TypeDef, TypeKind, Variant, Wire};
use super::names::{Namespace, camel, claim_all, snake};
use crate::Error;
use crate::emit::text::code_span;
use crate::json_path::{child, join};
use crate::parse::{JsonSchema, SchemaType};

/// The Rust name of every top-level schema, for `$ref` resolution.
#[derive(Debug)]
pub struct SchemaNames {
    by_id: BTreeMap<String, String>,
}

impl SchemaNames {
    /// Names every schema of the document, collisions resolved.
    pub fn new(schemas: &BTreeMap<String, JsonSchema>) -> Self {
        let keys: Vec<&str> = schemas.keys().map(String::as_str).collect();
        let mut namespace = Namespace::default();
        let names = claim_all(&mut namespace, &keys, camel, "");
        let by_id = keys.iter().map(|k| (*k).to_owned()).zip(names).collect();
        Self { by_id }
    }

    /// The path of the type a `$ref` names, or an error naming `json_path`.
    pub fn resolve(&self, reference: &str, json_path: &str) -> Result<RustType, Error> {
        match self.by_id.get(reference) {
            Some(name) => Ok(RustType::Named {
                path: vec!["models".to_owned(), name.clone()],
                boxed: false,
            }),
            None => Err(Error::Unsupported {
                path: json_path.to_owned(),
                message: format!("$ref names an unknown schema {reference:?}"),
            }),
        }
    }

    /// The Rust name of a schema.
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        self.by_id.get(id).map(String::as_str).unwrap_or(id)
    }
}

/// Where hoisted inline types go: a module, its type names and its submodule names.
pub struct Scope {
    module_path: Vec<String>,
    types: Namespace,
    modules: Namespace,
    defs: Vec<TypeDef>,
}

impl Scope {
    /// An empty scope for the module at `module_path` (from the crate root).
    pub fn new(module_path: Vec<String>) -> Self {
        Self {
            module_path,
            types: Namespace::default(),
            modules: Namespace::default(),
            defs: Vec::new(),
        }
    }

    /// A scope that reserves `names` for types claimed elsewhere in the same module.
    pub fn with_reserved(module_path: Vec<String>, names: &[&str]) -> Self {
        Self {
            types: Namespace::with_reserved(names),
            ..Self::new(module_path)
        }
    }

    /// The types hoisted into this scope.
    pub fn into_defs(self) -> Vec<TypeDef> {
        self.defs
    }
}

/// The field that keeps a struct's undeclared JSON fields (as in Google's Rust SDK); a
/// leading underscore, which no snake-cased property name has, so it never collides.
pub const UNKNOWN_FIELDS: &str = "_unknown_fields";

/// Builds types from schemas.
pub struct TypeBuilder<'a> {
    pub names: &'a SchemaNames,
}

impl TypeBuilder<'_> {
    /// The definition of top-level schema `id`, named `name`, in the `models` module.
    pub fn top_level(&self, id: &str, schema: &JsonSchema, module: String) -> Result<TypeDef, Error> {
        let json_path = child("schemas", id);
        let name = self.names.name(id).to_owned();
        let mut nested = Scope::new(vec!["models".to_owned(), module.clone()]);
        let kind = if let Some(reference) = &schema.reference {
            TypeKind::Alias(self.names.resolve(reference, &format!("{json_path}.$ref"))?)
        } else if is_struct(schema) || (is_object(schema) && schema.additional_properties.is_none()) {
            TypeKind::Struct(self.build_struct(schema, &json_path, &mut nested)?)
        } else if !schema.enum_values.is_empty() {
            TypeKind::Enum(build_enum(schema))
        } else {
            TypeKind::Alias(self.field_type(schema, &json_path, &mut nested, &name)?)
        };
        Ok(TypeDef {
            name,
            json_name: id.to_owned(),
            json_path,
            docs: schema_docs(schema),
            kind,
            nested: nested.into_defs(),
            nested_module: module,
            features: Vec::new(),
        })
    }

    /// The fields of an object schema; inline types go to `scope`.
    fn build_struct(&self, schema: &JsonSchema, json_path: &str, scope: &mut Scope) -> Result<Struct, Error> {
        let keys: Vec<&str> = schema.properties.keys().map(String::as_str).collect();
        let mut field_names = Namespace::with_reserved(&[UNKNOWN_FIELDS]);
        let rust_names = claim_all(&mut field_names, &keys, snake, "_");
        let mut fields = Vec::with_capacity(keys.len());
        for ((key, property), rust_name) in schema.properties.iter().zip(rust_names) {
            let path = join(json_path, &["properties", key]);
            let ty = self.field_type(property, &path, scope, &camel(key))?;
            fields.push(field(key.clone(), path, rust_name, ty, property_docs(property)));
        }
        let additional = match &schema.additional_properties {
            Some(values) => {
                let path = child(json_path, "additionalProperties");
                let value = self.field_type(values, &path, scope, "AdditionalProperty")?;
                let name = field_names.claim("additional_properties".to_owned(), "_");
                let docs = Docs {
                    description: "Properties not declared by the schema.".to_owned(),
                    ..Docs::default()
                };
                Some(field(String::new(), path, name, RustType::Map(Box::new(value)), docs))
            }
            None => None,
        };
        // One map catches what the document does not declare: the `additionalProperties`
        // map when there is one, otherwise a JSON map of its own.
        let unknown_fields = additional.is_none().then(|| UNKNOWN_FIELDS.to_owned());
        Ok(Struct {
            fields,
            additional,
            unknown_fields,
        })
    }

    /// The Rust type of a property, array item, map value or parameter. Inline objects and
    /// enums are hoisted into `scope` under the name `hint`.
    pub fn field_type(
        &self,
        schema: &JsonSchema,
        json_path: &str,
        scope: &mut Scope,
        hint: &str,
    ) -> Result<RustType, Error> {
        if let Some(reference) = &schema.reference {
            return self.names.resolve(reference, &format!("{json_path}.$ref"));
        }
        if !schema.enum_values.is_empty() && matches!(schema.schema_type, None | Some(SchemaType::String)) {
            return self.hoist(scope, hint, schema, json_path, |_, _| {
                Ok(TypeKind::Enum(build_enum(schema)))
            });
        }
        let format = schema.format.as_deref().unwrap_or("");
        let ty = match schema.schema_type {
            Some(SchemaType::String) => string_type(format),
            Some(SchemaType::Integer) => integer_type(format),
            Some(SchemaType::Number) => number_type(format),
            Some(SchemaType::Boolean) => RustType::Bool,
            Some(SchemaType::Any | SchemaType::Null) => RustType::Json,
            Some(SchemaType::Array) => {
                let item = match &schema.items {
                    Some(items) => self.field_type(items, &child(json_path, "items"), scope, &format!("{hint}Item"))?,
                    None => RustType::Json,
                };
                RustType::Vec(Box::new(item))
            }
            Some(SchemaType::Object) | None => {
                if is_struct(schema) {
                    return self.hoist(scope, hint, schema, json_path, |builder, nested| {
                        builder.build_struct(schema, json_path, nested).map(TypeKind::Struct)
                    });
                }
                match &schema.additional_properties {
                    Some(values) => {
                        let path = child(json_path, "additionalProperties");
                        RustType::Map(Box::new(self.field_type(
                            values,
                            &path,
                            scope,
                            &format!("{hint}Value"),
                        )?))
                    }
                    // A free-form object: keep every value.
                    None => RustType::Json,
                }
            }
        };
        Ok(ty)
    }

    /// Adds a named type to `scope`, built by `build` with its own nested scope.
    fn hoist(
        &self,
        scope: &mut Scope,
        hint: &str,
        schema: &JsonSchema,
        json_path: &str,
        build: impl FnOnce(&Self, &mut Scope) -> Result<TypeKind, Error>,
    ) -> Result<RustType, Error> {
        let name = scope.types.claim(camel(hint), "");
        let module = scope.modules.claim(snake(hint), "_");
        let mut nested_path = scope.module_path.clone();
        nested_path.push(module.clone());
        let mut nested = Scope::new(nested_path);
        let kind = build(self, &mut nested)?;
        let mut path = scope.module_path.clone();
        path.push(name.clone());
        scope.defs.push(TypeDef {
            name,
            json_name: hint.to_owned(),
            json_path: json_path.to_owned(),
            docs: schema_docs(schema),
            kind,
            nested: nested.into_defs(),
            nested_module: module,
            features: Vec::new(),
        });
        Ok(RustType::Named { path, boxed: false })
    }
}

/// Builds an enum type for a parameter into `scope`; `json_path` is the path of `schema`.
pub fn hoist_param_enum(
    scope: &mut Scope,
    hint: &str,
    json_name: &str,
    schema: &JsonSchema,
    json_path: &str,
) -> RustType {
    let name = scope.types.claim(camel(hint), "");
    let mut path = scope.module_path.clone();
    path.push(name.clone());
    scope.defs.push(TypeDef {
        name,
        json_name: json_name.to_owned(),
        json_path: json_path.to_owned(),
        docs: Docs {
            description: format!("Values of the {} parameter.", code_span(json_name)),
            ..Docs::default()
        },
        kind: TypeKind::Enum(build_enum(schema)),
        nested: Vec::new(),
        nested_module: String::new(),
        features: Vec::new(),
    });
    RustType::Named { path, boxed: false }
}

/// Whether a schema is an object (or has no type) and not a `$ref`.
pub fn is_object(schema: &JsonSchema) -> bool {
    matches!(schema.schema_type, Some(SchemaType::Object) | None) && schema.reference.is_none()
}

/// Whether a schema becomes a struct: an object with declared properties.
pub fn is_struct(schema: &JsonSchema) -> bool {
    is_object(schema) && !schema.properties.is_empty()
}

/// The Rust type of an integer with `format`.
pub fn integer_type(format: &str) -> RustType {
    match format {
        "int32" => RustType::I32,
        "uint32" => RustType::U32,
        "uint64" => RustType::U64,
        _ => RustType::I64,
    }
}

/// The Rust type of a number with `format`.
pub fn number_type(format: &str) -> RustType {
    match format {
        "float" => RustType::F32,
        _ => RustType::F64,
    }
}

/// The Rust type of a string with `format`.
pub fn string_type(format: &str) -> RustType {
    match format {
        "byte" => RustType::Bytes,
        "date-time" | "google-datetime" => RustType::DateTime,
        "date" => RustType::Date,
        "google-duration" => RustType::Duration,
        "int64" => RustType::I64,
        "uint64" => RustType::U64,
        "int32" => RustType::I32,
        "uint32" => RustType::U32,
        _ => RustType::String,
    }
}

fn field(json_name: String, json_path: String, rust_name: String, ty: RustType, docs: Docs) -> Field {
    let presence = match ty {
        RustType::Vec(_) => Presence::EmptyVec,
        RustType::Map(_) => Presence::EmptyMap,
        _ => Presence::Optional,
    };
    let wire = wire_adapter(&ty).map(|inner| match presence {
        Presence::Optional => Wire::Option(Box::new(inner)),
        Presence::EmptyVec | Presence::EmptyMap => inner,
    });
    Field {
        json_name,
        json_path,
        rust_name,
        docs,
        ty,
        presence,
        wire,
    }
}

/// The serde adapter a type needs, or `None` when serde's default encoding is right.
pub fn wire_adapter(ty: &RustType) -> Option<Wire> {
    match ty {
        RustType::I64 | RustType::U64 => Some(Wire::StringEncoded),
        RustType::Bytes => Some(Wire::Base64),
        RustType::Duration => Some(Wire::Duration),
        RustType::Vec(item) => wire_adapter(item).map(|w| Wire::Vec(Box::new(w))),
        RustType::Map(value) => wire_adapter(value).map(|w| Wire::Map(Box::new(w))),
        _ => None,
    }
}

fn build_enum(schema: &JsonSchema) -> Enum {
    // A value listed twice is one variant (its first description), or the conversion from a
    // string would have an unreachable arm.
    let mut seen = std::collections::BTreeSet::new();
    let (indices, values): (Vec<usize>, Vec<&str>) = schema
        .enum_values
        .iter()
        .enumerate()
        .filter(|(_, value)| seen.insert(value.as_str()))
        .map(|(i, value)| (i, value.as_str()))
        .unzip();
    // `UnknownValue` holds the values the document does not list (the runtime's `open_enum!`).
    let mut namespace = Namespace::with_reserved(&["UnknownValue"]);
    let names = claim_all(&mut namespace, &values, camel, "");
    let variants = values
        .iter()
        .zip(names)
        .zip(indices)
        .map(|((value, rust_name), i)| Variant {
            json_value: (*value).to_owned(),
            rust_name,
            docs: Docs {
                description: schema.enum_descriptions.get(i).cloned().unwrap_or_default(),
                notes: Vec::new(),
                deprecated: schema.enum_deprecated.get(i).copied().unwrap_or(false),
            },
        })
        .collect();
    Enum { variants }
}

fn schema_docs(schema: &JsonSchema) -> Docs {
    Docs {
        description: schema.description.clone().unwrap_or_default(),
        notes: Vec::new(),
        deprecated: schema.deprecated,
    }
}

/// Docs of a property: its description and the facts the type does not show.
pub fn property_docs(schema: &JsonSchema) -> Docs {
    let mut notes = Vec::new();
    let description = schema.description.clone().unwrap_or_default();
    if schema.read_only && !description.to_lowercase().contains("output only") {
        notes.push("Output only: set by the server, ignored in requests.".to_owned());
    }
    if let Some(default) = &schema.default {
        notes.push(format!("Default: {}.", code_span(default)));
    }
    if let Some(pattern) = &schema.pattern {
        notes.push(format!("Pattern: {}.", code_span(pattern)));
    }
    if !schema.annotations.required.is_empty() {
        let methods: Vec<String> = schema.annotations.required.iter().map(|m| code_span(m)).collect();
        notes.push(format!("Required by {}.", methods.join(", ")));
    }
    Docs {
        description,
        notes,
        deprecated: schema.deprecated,
    }
}
