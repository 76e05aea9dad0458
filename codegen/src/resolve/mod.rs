//! Stage 2: the Discovery model to the IR ([`ir::Api`]), with every decision made: Rust
//! names and collisions, types and formats, `$ref`s, hoisted inline types, recursion,
//! parameters and path templates.

pub mod features;
pub mod ir;
mod methods;
pub mod names;
mod paging;
mod recursion;
mod types;
pub mod validate;

use std::collections::BTreeMap;

use crate::Error;
use crate::parse::RestDescription;
use ir::{Api, RegionalEndpoint, Root, Scope};
use methods::{BUILDER_RESERVED, MethodBuilder, param_from_schema};
use names::{Namespace, camel, claim_all, snake};
use types::{SchemaNames, TypeBuilder};

/// How scalar schemas map to Rust types, for tools that describe types the way the
/// generator makes them (such as the API diff).
pub use types::{integer_type, is_object, is_struct, number_type, string_type};

/// Standard parameters a builder does not expose as setters, and why: the runtime owns
/// them (`alt`, `uploadType`, `upload_protocol` depend on the call's kind; credentials go in
/// headers, never in URLs) or they break JSON responses (`callback` asks for JSONP).
pub const HIDDEN_STANDARD_PARAMETERS: &[&str] = &[
    "alt",
    "callback",
    "access_token",
    "oauth_token",
    "key",
    "uploadType",
    "upload_protocol",
];

/// Resolves a parsed document into the IR.
pub fn resolve(doc: &RestDescription) -> Result<Api, Error> {
    validate::check_document(doc)?;
    if doc.root_url.is_empty() {
        return Err(Error::Unsupported {
            path: "rootUrl".to_owned(),
            message: "is missing or empty".to_owned(),
        });
    }
    let names = SchemaNames::new(&doc.schemas);
    let mut models = resolve_models(doc, &names)?;

    let builder = TypeBuilder { names: &names };
    let mut setters = Namespace::with_reserved(BUILDER_RESERVED);
    // The module also defines the trait of the setters and imports the runtime's options trait.
    let mut param_types = types::Scope::with_reserved(
        vec!["params".to_owned()],
        &[crate::emit::params::TRAIT, crate::emit::params::OPTIONS_TRAIT],
    );
    let mut standard_params = Vec::new();
    for (name, schema) in &doc.parameters {
        if HIDDEN_STANDARD_PARAMETERS.contains(&name.as_str()) {
            continue;
        }
        let rust_name = setters.claim_or(snake(name), Some("_param"), "_");
        let path = crate::json_path::child("parameters", name);
        standard_params.push(param_from_schema(
            &builder,
            name,
            rust_name,
            schema,
            &path,
            &mut param_types,
            &camel(name),
        )?);
    }
    let setter_names: BTreeMap<String, String> = standard_params
        .iter()
        .map(|p| (p.json_name.clone(), p.rust_name.clone()))
        .collect();

    let page_shapes = paging::page_shapes(&models);
    let methods = MethodBuilder {
        names: &names,
        fully_encode_reserved: doc.fully_encode_reserved_expansion,
        standard_params: &setter_names,
        page_shapes: &page_shapes,
    };
    let (module_path, members) = methods.root(&doc.methods, &doc.resources)?;
    let (resources, features) = features::assign(&mut models, &members.methods, members.resources);
    let root = Root {
        module_path,
        methods: members.methods,
        param_types: members.param_types,
        resources,
    };

    let crate_name = crate_name(&doc.name, &doc.version);
    Ok(Api {
        lib_name: crate_name.replace('-', "_"),
        crate_name,
        name: doc.name.clone(),
        version: doc.version.clone(),
        revision: doc.revision.clone(),
        title: if doc.title.is_empty() {
            doc.name.clone()
        } else {
            doc.title.clone()
        },
        id: if doc.id.is_empty() {
            format!("{}:{}", doc.name, doc.version)
        } else {
            doc.id.clone()
        },
        description: doc.description.clone(),
        documentation_link: doc.documentation_link.clone(),
        root_url: doc.root_url.clone(),
        service_path: doc.service_path.clone(),
        mtls_root_url: doc.mtls_root_url.clone(),
        endpoints: doc
            .endpoints
            .iter()
            .map(|e| RegionalEndpoint {
                url: e.endpoint_url.clone(),
                location: e.location.clone(),
                description: e.description.clone(),
            })
            .collect(),
        scope_prefixes: scope_prefixes(&doc.name),
        scopes: scopes(doc),
        models,
        standard_params,
        standard_param_types: param_types.into_defs(),
        root,
        features,
    })
}

fn resolve_models(doc: &RestDescription, names: &SchemaNames) -> Result<Vec<ir::TypeDef>, Error> {
    let keys: Vec<&str> = doc.schemas.keys().map(String::as_str).collect();
    let mut modules = Namespace::default();
    let module_names = claim_all(&mut modules, &keys, snake, "_");
    let builder = TypeBuilder { names };
    let mut models = doc
        .schemas
        .iter()
        .zip(module_names)
        .map(|((id, schema), module)| builder.top_level(id, schema, module))
        .collect::<Result<Vec<_>, _>>()?;
    recursion::check_alias_cycles(&models)?;
    recursion::box_recursive_fields(&mut models, &["models".to_owned()]);
    Ok(models)
}

/// The generated crate's package name: `dataportability` `v1` → `dataportability-v1`.
pub fn crate_name(name: &str, version: &str) -> String {
    let raw = format!("{name}-{version}").to_lowercase();
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches('-').to_owned()
}

fn scope_prefixes(api_name: &str) -> Vec<String> {
    const AUTH: &str = "https://www.googleapis.com/auth/";
    vec![format!("{AUTH}{api_name}."), AUTH.to_owned(), "https://".to_owned()]
}

/// Scopes named by what follows the longest known prefix of their URL.
fn scopes(doc: &RestDescription) -> Vec<Scope> {
    let prefixes = scope_prefixes(&doc.name);
    let urls: Vec<&str> = doc.auth.oauth2.scopes.keys().map(String::as_str).collect();
    let short: Vec<&str> = urls
        .iter()
        .map(|url| {
            prefixes
                .iter()
                .find_map(|p| url.strip_prefix(p.as_str()))
                .filter(|s| !s.is_empty())
                .unwrap_or(url)
        })
        .collect();
    let mut namespace = Namespace::default();
    let variants = claim_all(&mut namespace, &short, camel, "");
    let unambiguous = |name: &str| short.iter().filter(|s| **s == name).count() == 1 && !urls.contains(&name);
    urls.iter()
        .zip(&short)
        .zip(variants)
        .map(|((url, short), variant)| Scope {
            variant,
            url: (*url).to_owned(),
            short_name: unambiguous(short).then(|| (*short).to_owned()),
            description: doc.auth.oauth2.scopes[*url].description.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_keeps_its_json_path() {
        let doc: RestDescription = serde_json::from_value(serde_json::json!({
            "name": "x", "version": "v1", "rootUrl": "https://x/",
            "parameters": {"$.xgafv": {"type": "string", "enum": ["1", "2"], "location": "query"}},
            "schemas": {"Job": {"type": "object", "properties": {
                "state": {"type": "string", "enum": ["A"]},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            }}},
            "resources": {"jobs": {"methods": {"list": {
                "httpMethod": "GET", "path": "v1/{+parent}/jobs",
                "parameters": {
                    "parent": {"type": "string", "location": "path", "required": true},
                    "ids": {"type": "array", "items": {"type": "string"}, "location": "query"},
                },
            }}}},
        }))
        .expect("a document");
        let api = resolve(&doc).expect("resolves");
        let job = &api.models[0];
        assert_eq!(job.json_path, "schemas.Job");
        let ir::TypeKind::Struct(fields) = &job.kind else {
            panic!("a struct")
        };
        let paths: Vec<&str> = fields.fields.iter().map(|f| f.json_path.as_str()).collect();
        assert_eq!(paths, ["schemas.Job.properties.labels", "schemas.Job.properties.state"]);
        assert_eq!(job.nested[0].json_path, "schemas.Job.properties.state");
        assert_eq!(api.standard_params[0].json_path, r#"parameters["$.xgafv"]"#);
        let jobs = &api.root.resources[0].resource;
        assert_eq!(jobs.json_path, "resources.jobs");
        let list = &jobs.methods[0];
        assert_eq!(list.json_path, "resources.jobs.methods.list");
        assert_eq!(
            list.required_params[0].json_path,
            "resources.jobs.methods.list.parameters.parent"
        );
        let ids = &list.optional_params[0];
        assert_eq!(ids.value_path, "resources.jobs.methods.list.parameters.ids.items");
    }

    #[test]
    fn crate_names_are_cargo_friendly() {
        assert_eq!(crate_name("dataportability", "v1"), "dataportability-v1");
        assert_eq!(crate_name("admin", "directory_v1"), "admin-directory-v1");
        assert_eq!(crate_name("Foo", "v1.2beta"), "foo-v1-2beta");
    }
}
