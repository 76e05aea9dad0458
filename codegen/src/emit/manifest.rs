//! The generated crate's `Cargo.toml` and `README.md` (text formats, not Rust).

use std::fmt::Write as _;

use super::text::{code_span, doc_inline, doc_text, line_comment, toml_key, toml_string};
use crate::options::Options;
use crate::resolve::ir::{Api, Method, Resource, Root};

/// The package version: `0.1.0+REVISION` when the revision is SemVer build metadata (dot-separated
/// non-empty runs of ASCII letters, digits and `-`, as `20260927` and `0` are), else `0.1.0`
/// (the revision is still in `REVISION`, the description and the README).
pub fn package_version(revision: &str) -> String {
    let metadata = !revision.is_empty()
        && revision.len() <= 64
        && revision
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if metadata {
        format!("0.1.0+{revision}")
    } else {
        "0.1.0".to_owned()
    }
}

/// `Cargo.toml`. Every value from the document is a TOML string made by [`toml_string`],
/// and doctests are off: doc text never becomes code, and this is the second wall.
pub fn cargo_toml(api: &Api, options: &Options, header: &str) -> String {
    let description = toml_string(&format!(
        "Rust client for the {} ({}), generated from its Discovery document revision {}",
        api.title, api.version, api.revision
    ));
    let version = package_version(&api.revision);
    let header = line_comment(header);
    format!(
        "# {header}\n\
         [package]\n\
         name = {name}\n\
         version = {version}\n\
         edition = \"2024\"\n\
         rust-version = \"1.88\"\n\
         description = {description}\n\
         license = \"Apache-2.0\"\n\
         readme = \"README.md\"\n\
         keywords = [\"google\", \"api\", {api_name}]\n\
         categories = [\"api-bindings\", \"web-programming::http-client\"]\n\
         \n\
         [lib]\n\
         doctest = false\n\
         \n\
         [dependencies]\n\
         discovery-runtime = {runtime}\n\
         {features}",
        name = toml_string(&api.crate_name),
        version = toml_string(&version),
        api_name = toml_string(&api.name),
        runtime = options.runtime_dependency,
        features = features(api),
    )
}

/// The `[features]` table: one feature per top-level resource, all on by default.
fn features(api: &Api) -> String {
    if api.features.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n# One feature per resource: its request builders and the schemas its methods reach.\n\
         [features]\ndefault = [\n",
    );
    for feature in &api.features {
        let _ = writeln!(out, "    {},", toml_string(feature));
    }
    out.push_str("]\n");
    for feature in &api.features {
        let _ = writeln!(out, "{} = []", toml_key(feature));
    }
    out
}

/// `README.md`.
pub fn readme(api: &Api, header: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<!-- {} -->\n", line_comment(header));
    let _ = writeln!(
        out,
        "# `{}`: {} ({})\n",
        api.crate_name,
        doc_inline(&api.title),
        doc_inline(&api.version)
    );
    for line in doc_text(&api.description) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Generated from the Discovery document {}, revision {} (`{}::REVISION`). Do not edit: \
         regenerate with `cargo xtask generate`.\n",
        code_span(&api.id),
        code_span(&api.revision),
        api.lib_name
    );
    if !api.documentation_link.is_empty() {
        let _ = writeln!(out, "API documentation: {}\n", doc_inline(&api.documentation_link));
    }
    let _ = writeln!(out, "## Usage\n");
    let _ = writeln!(out, "```rust,ignore");
    let _ = writeln!(out, "let client = {}::Client::builder()", api.lib_name);
    let _ = writeln!(
        out,
        "    .token_source({}::StaticToken::new(access_token))",
        api.lib_name
    );
    let _ = writeln!(out, "    .build()?;");
    let first = match api.root.methods.first() {
        Some(method) => Some((String::new(), method.accessor.clone())),
        None => api
            .root
            .resources
            .iter()
            .find_map(|top| first_method(&top.resource, &mut vec![top.resource.accessor.clone()])),
    };
    if let Some((path, method)) = first {
        let _ = writeln!(out, "let call = client{path}.{}(/* required parameters */);", method);
    }
    let _ = writeln!(out, "```\n");
    let _ = writeln!(out, "## Methods\n");
    let _ = writeln!(out, "| Method | HTTP | Rust |");
    let _ = writeln!(out, "| --- | --- | --- |");
    method_table(&api.root, &mut out);
    let _ = writeln!(out, "\n## OAuth scopes\n");
    let _ = writeln!(
        out,
        "{} scopes, as `{}::Scope` (parse one from its URL or short name).",
        api.scopes.len(),
        api.lib_name
    );
    out
}

/// The first method of `resource` (or below it): the chain of accessors from the client, and
/// the method's accessor. `path` holds the accessors that lead to `resource`.
fn first_method(resource: &Resource, path: &mut Vec<String>) -> Option<(String, String)> {
    if let Some(method) = resource.methods.first() {
        let chain: String = path.iter().map(|a| format!(".{a}()")).collect();
        return Some((chain, method.accessor.clone()));
    }
    for child in &resource.resources {
        path.push(child.accessor.clone());
        if let Some(found) = first_method(child, path) {
            return Some(found);
        }
        path.pop();
    }
    None
}

/// The rows of the methods table: the top-level methods, then each resource's.
fn method_table(root: &Root, out: &mut String) {
    method_rows(&root.methods, "client", out);
    for top in &root.resources {
        resource_rows(&top.resource, "client", out);
    }
}

fn resource_rows(resource: &Resource, parent: &str, out: &mut String) {
    let chain = format!("{parent}.{}()", resource.accessor);
    method_rows(&resource.methods, &chain, out);
    for child in &resource.resources {
        resource_rows(child, &chain, out);
    }
}

fn method_rows(methods: &[Method], chain: &str, out: &mut String) {
    for method in methods {
        let http = format!("{:?}", method.http_method).to_uppercase();
        let _ = writeln!(
            out,
            "| {} | {} | `{}.{}(..)` |",
            table_cell(&code_span(&method.id)),
            table_cell(&code_span(&format!("{http} {}", method.path_template))),
            chain,
            method.accessor
        );
    }
}

/// A table cell: a `|` would end it.
fn table_cell(text: &str) -> String {
    text.replace('|', "\\|")
}
