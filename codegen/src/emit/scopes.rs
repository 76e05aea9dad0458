//! The `Scope` enum: every OAuth scope of the document.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::lines_to_attrs;
use super::rust_type::ident;
use super::text::{code_span, doc_text, string_literal};
use crate::resolve::ir::Api;

/// The `scopes` module.
pub fn scopes_module(api: &Api) -> TokenStream {
    let variants: Vec<_> = api.scopes.iter().map(|s| ident(&s.variant)).collect();
    let docs = api.scopes.iter().map(|s| {
        let mut lines = doc_text(&s.description);
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(code_span(&s.url));
        lines_to_attrs(&lines)
    });
    let rows = api.scopes.iter().map(|s| {
        let url = string_literal(&s.url);
        let short = string_literal(s.short_name.as_deref().unwrap_or(&s.url));
        let description = string_literal(&s.description);
        quote!(::discovery_runtime::__private::ScopeInfo::new(#url, #short, #description))
    });
    let count = api.scopes.len();
    let all_doc = format!(" Every scope of the API ({}).", api.scopes.len());
    let body = if api.scopes.is_empty() {
        quote! {
            /// An OAuth 2.0 scope. This API declares none.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum Scope {}

            impl Scope {
                /// Every scope of the API.
                pub const ALL: &'static [Scope] = &[];

                /// The scope's URL, as requested from Google's OAuth server.
                pub fn as_str(self) -> &'static str {
                    match self {}
                }

                /// What the scope grants, from the Discovery document.
                pub fn description(self) -> &'static str {
                    match self {}
                }

                /// The scope's name without the common URL prefix.
                pub fn short_name(self) -> &'static str {
                    match self {}
                }
            }

            impl ::std::str::FromStr for Scope {
                type Err = UnknownScope;

                fn from_str(value: &str) -> ::std::result::Result<Self, UnknownScope> {
                    ::std::result::Result::Err(UnknownScope(::std::borrow::ToOwned::to_owned(value)))
                }
            }
        }
    } else {
        quote! {
            /// An OAuth 2.0 scope of the API.
            ///
            /// Parse one from its URL or from its short name with [`str::parse`].
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum Scope {
                #(#docs #variants,)*
            }

            /// Each scope's URL, short name and description, in the order of [`Scope`]'s variants.
            static SCOPES: [::discovery_runtime::__private::ScopeInfo; #count] = [#(#rows),*];

            impl Scope {
                #[doc = #all_doc]
                pub const ALL: &'static [Scope] = &[#(Self::#variants),*];

                /// The scope's URL, as requested from Google's OAuth server.
                pub fn as_str(self) -> &'static str {
                    SCOPES[self as usize].url
                }

                /// What the scope grants, from the Discovery document.
                pub fn description(self) -> &'static str {
                    SCOPES[self as usize].description
                }

                /// The scope's name without the common URL prefix (the URL when there is none).
                pub fn short_name(self) -> &'static str {
                    SCOPES[self as usize].short_name
                }
            }

            impl ::std::str::FromStr for Scope {
                type Err = UnknownScope;

                /// Accepts a scope URL or its short name.
                fn from_str(value: &str) -> ::std::result::Result<Self, UnknownScope> {
                    match ::discovery_runtime::__private::open_enum::find_scope(&SCOPES, value) {
                        ::std::option::Option::Some(index) => ::std::result::Result::Ok(Self::ALL[index]),
                        ::std::option::Option::None => {
                            ::std::result::Result::Err(UnknownScope(::std::borrow::ToOwned::to_owned(value)))
                        }
                    }
                }
            }
        }
    };
    quote! {
        //! OAuth 2.0 scopes.

        #body

        impl ::std::fmt::Display for Scope {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::AsRef<str> for Scope {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        /// A string that is neither a scope URL nor a short name of this API.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct UnknownScope(pub ::std::string::String);

        impl ::std::fmt::Display for UnknownScope {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "unknown OAuth scope {:?}", self.0)
            }
        }

        impl ::std::error::Error for UnknownScope {}
    }
}
