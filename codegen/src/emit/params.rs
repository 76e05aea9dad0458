//! The standard parameters every method accepts, as setters shared by all builders through a
//! crate-local macro, so each builder costs one line of source. The setters are `#[inline]`:
//! compiled only in the crates that call them.

use quote::quote;

use super::Output;
use super::docs::doc_attrs;
use super::rust_type::{ident, type_tokens};
use super::text::string_literal;
use super::types::type_defs;
use crate::resolve::ir::{Api, Resource, RustType};

/// The `params` module. An API without methods has no builders to give the setters to, so
/// its module is empty (the macro and the parameter types would be unused, and warned about).
pub fn params_module(api: &Api) -> Output {
    if !has_methods(&api.root) {
        return Output::Rust(quote! {
            //! Standard parameters, accepted by every method. This API has no methods.
        });
    }
    let types = type_defs(&api.standard_param_types);
    let setters = api.standard_params.iter().map(|param| {
        let docs = doc_attrs(&param.docs);
        let name = ident(&param.rust_name);
        let json = string_literal(&param.json_name);
        let (ty, value) = match &param.ty {
            RustType::String => (
                quote!(impl ::std::convert::Into<::std::string::String>),
                quote!(::std::convert::Into::<::std::string::String>::into(value)),
            ),
            other => (type_tokens(other), quote!(value)),
        };
        quote! {
            #docs
            #[inline]
            pub fn #name(mut self, value: #ty) -> Self {
                self.call.set_query(#json, #value);
                self
            }
        }
    });
    let items = quote! {
        //! Standard parameters, accepted by every method.

        #types
    };
    let template = quote! {
        impl __Builder {
            #(#setters)*

            /// Adds an HTTP header to this request, replacing the client's header of that name.
            #[inline]
            pub fn header(
                mut self,
                name: ::discovery_runtime::reqwest::header::HeaderName,
                value: ::discovery_runtime::reqwest::header::HeaderValue,
            ) -> Self {
                self.call.add_header(name, value);
                self
            }

            /// Overrides the client's retry policy for this request.
            #[inline]
            pub fn retry(mut self, policy: ::discovery_runtime::RetryPolicy) -> Self {
                self.call.set_retry_policy(policy);
                self
            }

            /// Limits the whole request, retries included.
            #[inline]
            pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.call.set_timeout(timeout);
                self
            }

            /// Limits each attempt of this request.
            #[inline]
            pub fn attempt_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.call.set_attempt_timeout(timeout);
                self
            }

            /// Declares this request safe to repeat, so a `POST` or `PATCH` may be retried
            /// like a `GET` (for example a method the API documents as idempotent).
            #[inline]
            pub fn idempotent(mut self, idempotent: bool) -> Self {
                self.call.set_idempotent(idempotent);
                self
            }

            /// Limits the JSON response of this request to `limit` bytes instead of the
            /// client's limit (for a method whose answers are known to be small).
            #[inline]
            pub fn max_response_bytes(mut self, limit: u64) -> Self {
                self.call.set_max_response_bytes(limit);
                self
            }
        }
    };
    Output::ImplMacro {
        items,
        name: "standard_parameters".to_owned(),
        docs: "Implements the standard parameter setters and per-call options on request builders.".to_owned(),
        template,
    }
}

fn has_methods(resource: &Resource) -> bool {
    !resource.methods.is_empty() || resource.resources.iter().any(has_methods)
}
