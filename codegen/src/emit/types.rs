//! Type definitions: structs for objects, open enums for string enums, aliases.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{deprecated_attr, doc_attrs};
use super::rust_type::{cfg_features, ident, type_tokens, wire_path};
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
    let cfg = cfg_features(&def.features);
    if def.nested.is_empty() {
        return quote! { #cfg #item };
    }
    let module = ident(&def.nested_module);
    let module_doc = format!(" Types nested in `{}`.", def.name);
    let nested = type_defs(&def.nested);
    quote! {
        #cfg
        #item
        #[doc = #module_doc]
        #cfg
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
    let unknown = s.unknown_fields.as_ref().map(|name| {
        let name = ident(name);
        quote! {
            /// Fields the Discovery document does not declare (added to the API after this
            /// crate was generated): kept as received and serialized back unchanged.
            #[serde(flatten)]
            pub #name: ::discovery_runtime::serde_json::Map<::std::string::String, ::discovery_runtime::serde_json::Value>,
        }
    });
    quote! {
        #docs
        #[derive(Clone, Debug, Default, PartialEq, ::discovery_runtime::serde::Serialize, ::discovery_runtime::serde::Deserialize)]
        #[serde(crate = "::discovery_runtime::serde", default)]
        pub struct #name {
            #(#fields)*
            #additional
            #unknown
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
        let json = &f.json_name;
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
        let value = &v.json_value;
        quote! { #docs #deprecated #variant = #value, }
    });
    // Printed as an enum (so prettyplease formats it), then wrapped by the format stage in
    // an invocation of the runtime's `open_enum!`, which adds `UnknownValue` and every impl.
    let marker = ident(crate::format::OPEN_ENUM_MARKER);
    quote! {
        #[#marker]
        #docs
        pub enum #name {
            #(#variants)*
        }
    }
}
