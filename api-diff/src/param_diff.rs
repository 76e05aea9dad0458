//! Parameters of a method, and the document's standard parameters: added, removed, made
//! required or optional, retyped, moved, and their enum values.
//!
//! Which parameters are positional arguments (and in which order), which are builder
//! setters, their Rust types, and which standard parameters the generated crate exposes at
//! all come from the resolved model; a parameter it does not expose is not compared.

use std::collections::BTreeMap;

use codegen::parse::JsonSchema;

use super::pairs::pairs;
use super::schema_diff::{Models, deprecation, docs, enum_values, text};
use super::shape::{of_parameter, value_schema, with_values};
use crate::change::Change;
use crate::kind::Kind;
use crate::resolved::{ParamView, Resolved};
use codegen::json_path::child;

/// Compares the `parameters` maps below the node at `path` (a method, or the document's
/// root for the standard parameters).
pub fn parameters(
    old: &BTreeMap<String, JsonSchema>,
    new: &BTreeMap<String, JsonSchema>,
    path: &str,
    models: Models<'_>,
    out: &mut Vec<Change>,
) {
    let parameters_path = child(path, "parameters");
    for (name, old, new) in pairs(old, new) {
        let path = child(&parameters_path, name);
        let old = old.and_then(|schema| Some((schema, models.old.param(&path)?)));
        let new = new.and_then(|schema| Some((schema, models.new.param(&path)?)));
        match (old, new) {
            (None, Some(new)) => {
                let kind = if new.1.positional {
                    Kind::RequiredParameterAdded
                } else {
                    Kind::ParameterAdded
                };
                out.push(Change::at(kind, path).after(describe(new, models.new)));
            }
            (Some(old), None) => {
                out.push(Change::at(Kind::ParameterRemoved, path).before(describe(old, models.old)));
            }
            (Some(old), Some(new)) => compare(old, new, &path, models, out),
            (None, None) => {}
        }
    }
}

/// Compares two versions of one parameter.
fn compare(
    (old, old_view): (&JsonSchema, &ParamView),
    (new, new_view): (&JsonSchema, &ParamView),
    path: &str,
    models: Models<'_>,
    out: &mut Vec<Change>,
) {
    deprecation(old.deprecated, new.deprecated, path, out);
    docs(old, new, path, out);
    if location(old) != location(new) {
        out.push(
            Change::at(Kind::ParameterLocationChanged, path)
                .before(location(old))
                .after(location(new)),
        );
    }
    if old_view.positional != new_view.positional {
        let kind = if new_view.positional {
            Kind::ParameterMadeRequired
        } else {
            Kind::ParameterMadeOptional
        };
        out.push(Change::at(kind, path));
    }
    let old_type = of_parameter(old, old_view, models.old);
    let new_type = of_parameter(new, new_view, models.new);
    if old_type != new_type {
        let kind = if old_type.1 == new_type.1 {
            Kind::FormatChanged
        } else {
            Kind::ParameterTypeChanged
        };
        out.push(Change::at(kind, path).before(old_type.0).after(new_type.0));
    } else if new_view.is_enum() {
        let values_path = new_view.value_path.as_str();
        enum_values(
            value_schema(old, old_view),
            value_schema(new, new_view),
            values_path,
            out,
        );
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
fn describe((schema, view): (&JsonSchema, &ParamView), resolved: &Resolved) -> String {
    let shown = with_values(of_parameter(schema, view, resolved).0, value_schema(schema, view));
    format!("{shown} in {}", location(schema))
}

/// `path` or `query` (the default).
fn location(schema: &JsonSchema) -> &str {
    schema.location.as_deref().unwrap_or("query")
}
