//! Stage 3: the IR to token streams (`quote!`), one emitter per kind of output file.
//! Emitters make no decisions: names and types come from the IR as they are.

mod crate_root;
mod doc_comment;
mod docs;
mod manifest;
mod models;
mod object_impls;
mod params;
mod resources;
mod rust_type;
mod scopes;
pub mod text;
mod types;

use proc_macro2::TokenStream;

use crate::options::Options;
use crate::resolve::ir::Api;

/// One output file before formatting.
pub enum Output {
    /// Rust source, formatted by the next stage.
    Rust(TokenStream),
    /// Rust source followed by a crate-local `macro_rules!` named `name` that implements
    /// `template` (an `impl __Builder { .. }` block) for each type it is given.
    ImplMacro {
        items: TokenStream,
        name: String,
        docs: String,
        template: TokenStream,
    },
    /// Rust source already printed (without the header lines the format stage adds).
    RustText(String),
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
        (
            "src/models.rs".to_owned(),
            Output::RustText(models::models_rs(&api.models)),
        ),
        ("src/params.rs".to_owned(), params::params_module(api)),
        ("src/scopes.rs".to_owned(), Output::Rust(scopes::scopes_module(api))),
        (
            "src/resources/mod.rs".to_owned(),
            Output::RustText(resources::resource_file(
                &api.root,
                "Resources and request builders. Reach them from the [`Client`](crate::Client).",
                false,
            )),
        ),
    ];
    if let Some(impls) = object_impls::object_impls_rs(&api.models) {
        files.push(("src/object_impls.rs".to_owned(), Output::RustText(impls)));
    }
    for child in &api.root.resources {
        let docs = format!(
            "The {} resource and its request builders.",
            text::code_span(&child.json_name)
        );
        let file = resources::resource_file(child, &docs, true);
        files.push((format!("src/resources/{}.rs", child.module), Output::RustText(file)));
    }
    files
}
