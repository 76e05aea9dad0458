//! `src/lib.rs`: crate docs, the `Client`, re-exports and constants.

use proc_macro2::TokenStream;
use quote::quote;

use super::resources::accessors;
use super::text::{code_span, doc_inline, doc_text, string_literal};
use crate::resolve::ir::Api;

/// The crate root.
pub fn lib_rs(api: &Api) -> TokenStream {
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
    let docs = docs
        .iter()
        .map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });

    let revision = string_literal(&api.revision);
    let root_url = string_literal(&api.root_url);
    let service_path = string_literal(&api.service_path);
    let mtls = (!api.mtls_root_url.is_empty()).then(|| {
        let url = string_literal(&api.mtls_root_url);
        quote! {
            /// The mTLS root URL, used by [`ClientBuilder::mtls_endpoint`] (with an HTTP client
            /// that presents a client certificate).
            pub const MTLS_ROOT_URL: &str = #url;
        }
    });
    let with_mtls = mtls.as_ref().map(|_| quote!(.with_mtls_root_url(MTLS_ROOT_URL)));
    let endpoints = (!api.endpoints.is_empty()).then(|| {
        let entries = api.endpoints.iter().map(|e| {
            let location = string_literal(&e.location);
            let url = string_literal(&e.url);
            let description = string_literal(&e.description);
            quote!(::discovery_runtime::RegionalEndpoint::new(#location, #url, #description))
        });
        let doc = format!(
            " The document's regional endpoints ({}), used by [`ClientBuilder::location`].",
            api.endpoints.len()
        );
        quote! {
            #[doc = #doc]
            pub const ENDPOINTS: &[::discovery_runtime::RegionalEndpoint] = &[#(#entries),*];
        }
    });
    let with_endpoints = endpoints.as_ref().map(|_| quote!(.with_endpoints(ENDPOINTS)));
    let accessors = accessors(&api.root, "self.inner", "resources::", "")
        .parse::<TokenStream>()
        .unwrap_or_else(|e| {
            let message = format!("the generated accessors do not parse: {e}");
            quote!(compile_error!(#message);)
        });
    let object_impls = super::object_impls::has_structs(&api.models).then(|| {
        quote!(
            mod object_impls;
        )
    });
    quote! {
        #(#![doc = #docs])*
        #![allow(
            clippy::doc_lazy_continuation,
            clippy::doc_overindented_list_items,
            clippy::too_many_arguments,
            clippy::enum_variant_names,
            clippy::module_inception,
            clippy::large_enum_variant
        )]

        pub mod models;
        #object_impls
        mod params;
        pub mod resources;
        pub mod scopes;

        pub use ::discovery_runtime as runtime;
        pub use ::discovery_runtime::{
            AccessToken, ApiError, ApiKey, AuthError, Error, ErrorDetail, Result, RetryPolicy, StaticToken, TimeoutScope,
            TokenSource,
        };
        pub use scopes::Scope;

        /// The revision of the Discovery document this crate was generated from.
        pub const REVISION: &str = #revision;

        /// The API's root URL; [`ClientBuilder::endpoint`] replaces it.
        pub const ROOT_URL: &str = #root_url;

        /// The path of the API below the root URL.
        pub const SERVICE_PATH: &str = #service_path;

        #mtls

        #endpoints

        static API: ::discovery_runtime::__private::ApiInfo = ::discovery_runtime::__private::ApiInfo::new(
            env!("CARGO_PKG_NAME"),
            env!("CARGO_PKG_VERSION"),
            ROOT_URL,
            SERVICE_PATH,
        )
        #with_mtls
        #with_endpoints;

        /// Configures a [`Client`].
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

            #accessors
        }

        impl ::std::convert::From<::discovery_runtime::Client> for Client {
            fn from(inner: ::discovery_runtime::Client) -> Self {
                Self { inner }
            }
        }
    }
}
