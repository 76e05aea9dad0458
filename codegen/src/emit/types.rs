//! Type definitions: structs for objects, open enums for string enums, aliases.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{deprecated_attr, doc_attrs};
use super::rust_type::{ident, type_tokens, wire_path};
use super::text::{code_span, string_literal};
use crate::resolve::ir::{Enum, Field, Presence, Struct, TypeDef, TypeKind};

/// The items of a list of type definitions, each followed by its nested module.
pub fn type_defs(defs: &[TypeDef]) -> TokenStream {
    let items = defs.iter().map(type_def);
    quote! { #(#items)* }
}

fn type_def(def: &TypeDef) -> TokenStream {
    let docs = doc_attrs(&def.docs);
    let name = ident(&def.name);
    let item = match &def.kind {
        TypeKind::Struct(s) => struct_def(&docs, &name, s),
        TypeKind::Enum(e) => enum_def(&docs, &name, e),
        TypeKind::Alias(ty) => {
            let ty = type_tokens(ty);
            quote! { #docs pub type #name = #ty; }
        }
    };
    if def.nested.is_empty() {
        return item;
    }
    let module = ident(&def.nested_module);
    let module_doc = format!(" Types nested in {}.", code_span(&def.name));
    let nested = type_defs(&def.nested);
    quote! {
        #item
        #[doc = #module_doc]
        pub mod #module {
            #nested
        }
    }
}

fn struct_def(docs: &TokenStream, name: &proc_macro2::Ident, s: &Struct) -> TokenStream {
    let fields = s.fields.iter().map(field);
    let additional = s.additional.as_ref().map(|f| {
        let docs = doc_attrs(&f.docs);
        let name = ident(&f.rust_name);
        let ty = type_tokens(&f.ty);
        quote! { #docs #[serde(flatten)] pub #name: #ty, }
    });
    quote! {
        #docs
        #[derive(Clone, Debug, Default, PartialEq, ::discovery_runtime::serde::Serialize, ::discovery_runtime::serde::Deserialize)]
        #[serde(crate = "::discovery_runtime::serde", default)]
        pub struct #name {
            #(#fields)*
            #additional
        }
    }
}

fn field(f: &Field) -> TokenStream {
    let docs = doc_attrs(&f.docs);
    let name = ident(&f.rust_name);
    let inner = type_tokens(&f.ty);
    let (ty, skip) = match f.presence {
        Presence::Optional => (quote!(::std::option::Option<#inner>), "::std::option::Option::is_none"),
        Presence::EmptyVec => (inner, "::std::vec::Vec::is_empty"),
        Presence::EmptyMap => (inner, "::std::collections::BTreeMap::is_empty"),
    };
    let mut serde = Vec::new();
    if f.rust_name != f.json_name {
        let json = string_literal(&f.json_name);
        serde.push(quote!(rename = #json));
    }
    serde.push(quote!(skip_serializing_if = #skip));
    if let Some(wire) = &f.wire {
        let path = wire_path(wire);
        serde.push(quote!(with = #path));
    }
    let deprecated = deprecated_attr(&f.docs);
    quote! {
        #docs
        #deprecated
        #[serde(#(#serde),*)]
        pub #name: #ty,
    }
}

fn enum_def(docs: &TokenStream, name: &proc_macro2::Ident, e: &Enum) -> TokenStream {
    let variants = e.variants.iter().map(|v| {
        let docs = doc_attrs(&v.docs);
        let deprecated = deprecated_attr(&v.docs);
        let variant = ident(&v.rust_name);
        quote! { #docs #deprecated #variant, }
    });
    let to_str = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let value = string_literal(&v.json_value);
        quote! { Self::#variant => #value, }
    });
    let from_str = e.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let value = string_literal(&v.json_value);
        quote! { #value => Self::#variant, }
    });
    // The conversions name every variant, deprecated ones included.
    let allow = e
        .variants
        .iter()
        .any(|v| v.docs.deprecated)
        .then(|| quote!(#[allow(deprecated)]));
    let query_value = e.query_value.then(|| {
        quote! {
            impl ::discovery_runtime::QueryValue for #name {
                fn to_query_value(&self) -> ::std::string::String {
                    ::std::borrow::ToOwned::to_owned(self.as_str())
                }
            }
        }
    });
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the crate does not know, kept as it was received.
            Unknown(::std::string::String),
        }

        #allow
        impl #name {
            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_str)*
                    Self::Unknown(value) => value,
                }
            }
        }

        #allow
        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_str)*
                    other => Self::Unknown(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::discovery_runtime::serde::Serialize for #name {
            fn serialize<S: ::discovery_runtime::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::discovery_runtime::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::discovery_runtime::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                ::discovery_runtime::wire::deserialize_str(deserializer).map(|value| Self::from(value.as_ref()))
            }
        }

        #query_value
    }
}
