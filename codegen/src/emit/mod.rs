//! Stage 3: the IR to source text, one emitter per kind of output file, each writing its
//! file as `rustfmt` would format it. Emitters make no decisions: names and types come from
//! the IR as they are.

mod crate_root;
mod doc_comment;
mod docs;
mod layout;
mod manifest;
mod models;
mod object_impls;
pub(crate) mod params;
mod resources;
mod scopes;
pub mod text;

use crate::options::Options;
use crate::resolve::ir::Api;

/// One output file before formatting.
pub enum Output {
    /// Rust source (without the header lines the format stage adds).
    Rust(String),
    /// Any other text, written as it is.
    Text(String),
}

/// Every file of the crate, by path relative to the crate root.
pub fn emit(api: &Api, options: &Options, header: &str) -> Vec<(String, Output)> {
    let mut files = vec![
        (
            "Cargo.toml".to_owned(),
            Output::Text(manifest::cargo_toml(api, options, header)),
        ),
        ("README.md".to_owned(), Output::Text(manifest::readme(api, header))),
        ("src/lib.rs".to_owned(), Output::Rust(crate_root::lib_rs(api))),
        ("src/models.rs".to_owned(), Output::Rust(models::models_rs(&api.models))),
        ("src/params.rs".to_owned(), Output::Rust(params::params_rs(api))),
        ("src/scopes.rs".to_owned(), Output::Rust(scopes::scopes_rs(api))),
        (
            "src/resources/mod.rs".to_owned(),
            Output::Rust(resources::root_file(
                &api.root,
                "Resources and request builders. Reach them from the [`Client`](crate::Client).",
            )),
        ),
    ];
    if let Some(impls) = object_impls::object_impls_rs(&api.models) {
        files.push(("src/object_impls.rs".to_owned(), Output::Rust(impls)));
    }
    for top in &api.root.resources {
        let child = &top.resource;
        let docs = format!(
            "The {} resource and its request builders.",
            text::code_span(&child.json_name)
        );
        let file = resources::resource_file(child, &docs);
        files.push((format!("src/resources/{}.rs", child.module), Output::Rust(file)));
    }
    files
}
