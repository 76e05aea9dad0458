//! `src/lib.rs` as source text: crate docs, the `Client`, re-exports and constants.

use std::fmt::Write as _;

use super::doc_comment::write_inner_lines;
use super::layout::{Element, write_array_item, write_assignment};
use super::resources::client_accessors;
use super::text::{code_span, doc_inline, doc_text, string_literal};
use crate::resolve::ir::Api;

/// Lints the generated code cannot avoid: Google's descriptions (lists, indentation), long
/// method signatures, schema and resource names.
const ALLOWED_LINTS: &str = "#![allow(
    clippy::doc_lazy_continuation,
    clippy::doc_overindented_list_items,
    clippy::too_many_arguments,
    clippy::enum_variant_names,
    clippy::module_inception,
    clippy::large_enum_variant
)]
";

/// The constructor of a regional endpoint.
const ENDPOINT_NEW: &str = "::discovery_runtime::RegionalEndpoint::new";

/// The user API of the runtime, re-exported.
const REEXPORTS: &str = "pub use ::discovery_runtime as runtime;
pub use ::discovery_runtime::{
    AccessToken, ApiError, ApiKey, AuthError, Error, ErrorDetail, RequestOptions, Result,
    RetryPolicy, StaticToken, TimeoutScope, TokenSource,
};
pub use scopes::Scope;
";

/// The prelude: the traits of every request builder.
const PRELUDE: &str = "
/// The traits every request builder implements: `use` this crate's `prelude::*` to set a
/// call's options (the runtime's `RequestOptions`) and the API's standard parameters
/// ([`StandardParameters`](params::StandardParameters)).
pub mod prelude {
    pub use crate::params::StandardParameters;
    pub use ::discovery_runtime::RequestOptions;
}
";

/// The `Client` and its builder; the accessors go at the end of the `impl` block.
const CLIENT: &str = "/// Configures a [`Client`].
pub type ClientBuilder = ::discovery_runtime::ClientBuilder<Client>;

/// A client of the API. Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Client {
    inner: ::discovery_runtime::Client,
}

impl Client {
    /// A builder for a client with the API's defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new(&API)
    }

    /// The runtime client this client sends requests with.
    pub fn runtime(&self) -> &::discovery_runtime::Client {
        &self.inner
    }
";

/// The conversion from the runtime's client, after the `impl` block.
const FROM_RUNTIME: &str = "
impl ::std::convert::From<::discovery_runtime::Client> for Client {
    fn from(inner: ::discovery_runtime::Client) -> Self {
        Self { inner }
    }
}
";

/// The text of `src/lib.rs` without its header lines.
pub fn lib_rs(api: &Api) -> String {
    let mut out = String::new();
    write_inner_lines(&mut out, &crate_docs(api));
    out.push('\n');
    out.push_str(ALLOWED_LINTS);
    out.push_str("\npub mod models;\n");
    if super::object_impls::has_structs(&api.models) {
        out.push_str("mod object_impls;\n");
    }
    out.push_str("pub mod params;\npub mod resources;\npub mod scopes;\n\n");
    out.push_str(REEXPORTS);
    if super::params::has_builders(api) {
        out.push_str(PRELUDE);
    }
    write_constants(&mut out, api);
    out.push('\n');
    write_api_info(&mut out, api);
    out.push('\n');
    out.push_str(CLIENT);
    out.push_str(&client_accessors(&api.root));
    out.push_str("}\n");
    out.push_str(FROM_RUNTIME);
    out
}

/// The crate's doc comment lines.
fn crate_docs(api: &Api) -> Vec<String> {
    let mut docs = vec![
        format!("# {} ({}) client", doc_inline(&api.title), doc_inline(&api.version)),
        String::new(),
    ];
    docs.extend(doc_text(&api.description));
    docs.push(String::new());
    if !api.documentation_link.is_empty() {
        docs.push(format!(
            "Documentation of the API: {}.",
            doc_inline(&api.documentation_link)
        ));
        docs.push(String::new());
    }
    docs.push(format!(
        "Generated from the Discovery document {} revision {}. Start with [`Client::builder`]; \
         schemas are in [`models`], methods in [`resources`], OAuth scopes in [`Scope`].",
        code_span(&api.id),
        doc_inline(&api.revision)
    ));
    // An empty description leaves two blank lines in a row.
    docs.dedup_by(|a, b| a.is_empty() && b.is_empty());
    docs
}

/// `REVISION`, the URLs and the regional endpoints.
fn write_constants(out: &mut String, api: &Api) {
    let mut constants = vec![
        (
            "/// The revision of the Discovery document this crate was generated from.\n".to_owned(),
            "pub const REVISION: &str",
            &api.revision,
        ),
        (
            "/// The API's root URL; [`ClientBuilder::endpoint`] replaces it.\n".to_owned(),
            "pub const ROOT_URL: &str",
            &api.root_url,
        ),
        (
            "/// The path of the API below the root URL.\n".to_owned(),
            "pub const SERVICE_PATH: &str",
            &api.service_path,
        ),
    ];
    if !api.mtls_root_url.is_empty() {
        constants.push((
            "/// The mTLS root URL, used by [`ClientBuilder::mtls_endpoint`] (with an HTTP client\n\
             /// that presents a client certificate).\n"
                .to_owned(),
            "pub const MTLS_ROOT_URL: &str",
            &api.mtls_root_url,
        ));
    }
    for (docs, lhs, value) in constants {
        out.push('\n');
        out.push_str(&docs);
        write_assignment(out, "", lhs, &string_literal(value));
    }
    if api.endpoints.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n/// The document's regional endpoints ({}), used by [`ClientBuilder::location`].",
        api.endpoints.len()
    );
    let elements: Vec<Element> = api
        .endpoints
        .iter()
        .map(|e| {
            let args = [&e.location, &e.url, &e.description].map(|text| string_literal(text));
            Element::Call(ENDPOINT_NEW, args.to_vec())
        })
        .collect();
    write_array_item(
        out,
        "",
        "pub const ENDPOINTS: &[::discovery_runtime::RegionalEndpoint]",
        ("&[", "]"),
        &elements,
    );
}

/// The `static API` the client builder starts from.
fn write_api_info(out: &mut String, api: &Api) {
    out.push_str(
        "static API: ::discovery_runtime::__private::ApiInfo = ::discovery_runtime::__private::ApiInfo::new(\n",
    );
    let args = [
        "env!(\"CARGO_PKG_NAME\")",
        "env!(\"CARGO_PKG_VERSION\")",
        "ROOT_URL",
        "SERVICE_PATH",
    ];
    for arg in args {
        let _ = writeln!(out, "    {arg},");
    }
    out.push(')');
    if !api.mtls_root_url.is_empty() {
        out.push_str("\n.with_mtls_root_url(MTLS_ROOT_URL)");
    }
    if !api.endpoints.is_empty() {
        out.push_str("\n.with_endpoints(ENDPOINTS)");
    }
    out.push_str(";\n");
}
