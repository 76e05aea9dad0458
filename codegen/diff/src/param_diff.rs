//! Parameters of a method, and the document's standard parameters: added, removed, made
//! required or optional, retyped, moved, and their enum values.
//!
//! In the generated crate a method's required and path parameters are positional
//! arguments, in `parameterOrder` order; the others are builder setters. Standard
//! parameters are setters on every builder, except the ones the runtime owns
//! ([`codegen::resolve::HIDDEN_STANDARD_PARAMETERS`]), which are not compared.

use std::collections::BTreeMap;

use codegen::parse::{JsonSchema, RestMethod};
use codegen::resolve::HIDDEN_STANDARD_PARAMETERS;

use super::change::{Change, Kind};
use super::pairs::pairs;
use super::schema_diff::{deprecation, docs, enum_values, text};
use super::shape::{of_parameter, parameter_enum_keys, parameter_item, with_values};
use codegen::json_path::{child, join};

/// Whether the parameters belong to a method (and may be positional) or are the
/// document's standard parameters (always setters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A method's own parameters.
    Method,
    /// The document's top-level `parameters`.
    Standard,
}

/// Compares the `parameters` maps below the node at `path`.
pub fn parameters(
    old: &BTreeMap<String, JsonSchema>,
    new: &BTreeMap<String, JsonSchema>,
    path: &str,
    owner: Owner,
    out: &mut Vec<Change>,
) {
    let parameters_path = child(path, "parameters");
    for (name, old, new) in pairs(old, new) {
        if owner == Owner::Standard && HIDDEN_STANDARD_PARAMETERS.contains(&name) {
            continue;
        }
        let path = child(&parameters_path, name);
        match (old, new) {
            (None, Some(new)) => {
                let kind = if owner == Owner::Method && is_positional(new) {
                    Kind::RequiredParameterAdded
                } else {
                    Kind::ParameterAdded
                };
                out.push(Change::at(kind, path).after(describe(new)));
            }
            (Some(old), None) => {
                out.push(Change::at(Kind::ParameterRemoved, path).before(describe(old)));
            }
            (Some(old), Some(new)) => compare(old, new, &path, owner, out),
            (None, None) => {}
        }
    }
}

/// The names of a method's positional arguments, in order: its required and path
/// parameters named by `parameterOrder`, then the other ones in name order (as `codegen`
/// orders them).
pub fn positional_order(method: &RestMethod) -> Vec<&str> {
    let mut order: Vec<&str> = method
        .parameter_order
        .iter()
        .map(String::as_str)
        .filter(|name| method.parameters.get(*name).is_some_and(is_positional))
        .collect();
    for (name, schema) in &method.parameters {
        if is_positional(schema) && !order.contains(&name.as_str()) {
            order.push(name);
        }
    }
    order
}

/// Compares two versions of one parameter.
fn compare(old: &JsonSchema, new: &JsonSchema, path: &str, owner: Owner, out: &mut Vec<Change>) {
    deprecation(old.deprecated, new.deprecated, path, out);
    docs(old, new, path, out);
    if location(old) != location(new) {
        out.push(
            Change::at(Kind::ParameterLocationChanged, path)
                .before(location(old))
                .after(location(new)),
        );
    }
    if owner == Owner::Method && is_positional(old) != is_positional(new) {
        let kind = if is_positional(new) {
            Kind::ParameterMadeRequired
        } else {
            Kind::ParameterMadeOptional
        };
        out.push(Change::at(kind, path));
    }
    let (old_type, new_type) = (of_parameter(old), of_parameter(new));
    if old_type != new_type {
        let kind = if old_type.1 == new_type.1 {
            Kind::FormatChanged
        } else {
            Kind::ParameterTypeChanged
        };
        out.push(Change::at(kind, path).before(old_type.0).after(new_type.0));
    } else if let Some(keys) = parameter_enum_keys(new) {
        let (old_item, _) = parameter_item(old);
        let (new_item, _) = parameter_item(new);
        enum_values(old_item, new_item, &join(path, keys), out);
    }
    if old.pattern != new.pattern {
        if location(new) == "path" {
            out.push(
                Change::at(Kind::ParameterPatternChanged, child(path, "pattern"))
                    .values(old.pattern.clone(), new.pattern.clone()),
            );
        } else {
            text(&old.pattern, &new.pattern, &child(path, "pattern"), out);
        }
    }
}

/// `string in query`, `repeated string enum (A, B) in query`, `string in path`.
fn describe(schema: &JsonSchema) -> String {
    let (item, _) = parameter_item(schema);
    let shown = with_values(of_parameter(schema).0, item);
    format!("{shown} in {}", location(schema))
}

/// `path` or `query` (the default).
fn location(schema: &JsonSchema) -> &str {
    schema.location.as_deref().unwrap_or("query")
}

/// Whether a method parameter is a positional argument: required, or in the path.
fn is_positional(schema: &JsonSchema) -> bool {
    schema.required || location(schema) == "path"
}
