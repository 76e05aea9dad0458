//! Type definitions: structs for objects, open enums for string enums, aliases.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::{deprecated_attr, doc_attrs};
use super::rust_type::{cfg_features, ident, type_tokens, wire_tokens};
use super::text::{code_span, string_literal};
use crate::resolve::ir::{Enum, Field, Presence, Struct, TypeDef, TypeKind, Wire};

/// The items of a list of type definitions, each followed by its nested module.
pub fn type_defs(defs: &[TypeDef]) -> TokenStream {
    let items = defs.iter().map(type_def);
    quote! { #(#items)* }
}

fn type_def(def: &TypeDef) -> TokenStream {
    let docs = doc_attrs(&def.docs);
    let name = ident(&def.name);
    let item = match &def.kind {
        TypeKind::Struct(s) => struct_def(&docs, &name, &def.json_name, s, &cfg_features(&def.features)),
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
    let module_doc = format!(" Types nested in {}.", code_span(&def.name));
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

/// A struct, with `Serialize` and `Deserialize` written over the runtime's `object` helpers
/// (a `match` arm and an `if` per field) rather than derived: the derives' expansion was most
/// of a generated crate's compile time.
fn struct_def(
    docs: &TokenStream,
    name: &proc_macro2::Ident,
    json_name: &str,
    s: &Struct,
    cfg: &Option<TokenStream>,
) -> TokenStream {
    let fields = s.fields.iter().map(field);
    let additional = s.additional.as_ref().map(|f| {
        let docs = doc_attrs(&f.docs);
        let name = ident(&f.rust_name);
        let ty = type_tokens(&f.ty);
        quote! { #docs pub #name: #ty, }
    });
    let unknown = s.unknown_fields.as_ref().map(|name| {
        let name = ident(name);
        quote! {
            /// Fields the Discovery document does not declare (added to the API after this
            /// crate was generated): kept as received and serialized back unchanged.
            pub #name: ::discovery_runtime::__private::serde_json::Map<::std::string::String, ::discovery_runtime::__private::serde_json::Value>,
        }
    });
    let json_name = string_literal(json_name);
    let object = quote!(::discovery_runtime::__private::object);
    // Deserialize: one arm per field; anything else goes to the catch-all map.
    let arms: Vec<_> = s
        .fields
        .iter()
        .map(|f| {
            let key = string_literal(&f.json_name);
            let field = ident(&f.rust_name);
            let read = match &f.wire {
                Some(wire) => {
                    let wire = wire_tokens(wire);
                    quote!(#object::value_as::<_, #wire, _>(map)?)
                }
                None => quote!(#object::value(map)?),
            };
            quote!(#key => self.#field = #read,)
        })
        .collect();
    let rest = match (&s.additional, &s.unknown_fields) {
        (Some(f), _) => {
            let field = ident(&f.rust_name);
            let read = match &f.wire {
                Some(Wire::Map(inner)) => {
                    let wire = wire_tokens(inner);
                    quote!(#object::value_as::<_, #wire, _>(map)?)
                }
                _ => quote!(#object::value(map)?),
            };
            quote! {{
                let value = #read;
                self.#field.insert(::std::borrow::ToOwned::to_owned(key), value);
            }}
        }
        (None, Some(name)) => {
            let field = ident(name);
            quote!(#object::unknown(&mut self.#field, key, map)?)
        }
        (None, None) => quote!(drop(#object::value::<::discovery_runtime::__private::serde::de::IgnoredAny, _>(map)?)),
    };
    let read_body = if arms.is_empty() {
        quote!(#rest;)
    } else {
        quote! {
            match key {
                #(#arms)*
                _ => #rest,
            }
        }
    };
    // Serialize: the known fields that are set, then the catch-all map.
    let writes: Vec<_> = s.fields.iter().map(write_field).collect();
    let end = match (&s.additional, &s.unknown_fields) {
        (Some(f), _) => {
            let field = ident(&f.rust_name);
            match &f.wire {
                Some(Wire::Map(inner)) => {
                    let wire = wire_tokens(inner);
                    quote!(#object::end_as::<_, _, #wire>(map, &self.#field))
                }
                _ => quote!(#object::end(map, &self.#field)),
            }
        }
        (None, Some(name)) => {
            let field = ident(name);
            quote!(#object::end_unknown(map, &self.#field))
        }
        (None, None) => quote!(::discovery_runtime::__private::serde::ser::SerializeMap::end(map)),
    };
    let map_binding = if writes.is_empty() {
        quote!(map)
    } else {
        quote!(mut map)
    };
    // The impls read and write deprecated fields too.
    let allow = s
        .fields
        .iter()
        .any(|f| f.docs.deprecated)
        .then(|| quote!(#[allow(deprecated)]));
    quote! {
        #docs
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct #name {
            #(#fields)*
            #additional
            #unknown
        }

        #cfg
        #allow
        impl #object::Object for #name {
            const NAME: &'static str = #json_name;

            fn field<'de, A: ::discovery_runtime::__private::serde::de::MapAccess<'de>>(
                &mut self,
                key: &str,
                map: &mut A,
            ) -> ::std::result::Result<(), A::Error> {
                #read_body
                ::std::result::Result::Ok(())
            }
        }

        #cfg
        impl<'de> ::discovery_runtime::__private::serde::Deserialize<'de> for #name {
            #[inline]
            fn deserialize<D: ::discovery_runtime::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                #object::deserialize(deserializer)
            }
        }

        #cfg
        #allow
        impl ::discovery_runtime::__private::serde::Serialize for #name {
            fn serialize<S: ::discovery_runtime::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                let #map_binding = #object::begin(serializer)?;
                #(#writes)*
                #end
            }
        }
    }
}

/// Writes one field when it is set (`Some`, or a non-empty collection).
fn write_field(f: &Field) -> TokenStream {
    let object = quote!(::discovery_runtime::__private::object);
    let key = string_literal(&f.json_name);
    let field = ident(&f.rust_name);
    match f.presence {
        Presence::Optional => {
            let write = match &f.wire {
                Some(Wire::Option(inner)) => {
                    let wire = wire_tokens(inner);
                    quote!(#object::entry_as::<_, _, #wire>(&mut map, #key, value)?;)
                }
                _ => quote!(#object::entry(&mut map, #key, value)?;),
            };
            quote! {
                if let ::std::option::Option::Some(value) = &self.#field {
                    #write
                }
            }
        }
        Presence::EmptyVec | Presence::EmptyMap => {
            let write = match &f.wire {
                Some(wire) => {
                    let wire = wire_tokens(wire);
                    quote!(#object::entry_as::<_, _, #wire>(&mut map, #key, &self.#field)?;)
                }
                None => quote!(#object::entry(&mut map, #key, &self.#field)?;),
            };
            quote! {
                if !self.#field.is_empty() {
                    #write
                }
            }
        }
    }
}

fn field(f: &Field) -> TokenStream {
    let docs = doc_attrs(&f.docs);
    let name = ident(&f.rust_name);
    let inner = type_tokens(&f.ty);
    let ty = match f.presence {
        Presence::Optional => quote!(::std::option::Option<#inner>),
        Presence::EmptyVec | Presence::EmptyMap => inner,
    };
    let deprecated = deprecated_attr(&f.docs);
    quote! {
        #docs
        #deprecated
        pub #name: #ty,
    }
}

fn enum_def(docs: &TokenStream, name: &proc_macro2::Ident, e: &Enum) -> TokenStream {
    let variants = e.variants.iter().map(|v| {
        let docs = doc_attrs(&v.docs);
        let deprecated = deprecated_attr(&v.docs);
        let variant = ident(&v.rust_name);
        let value = string_literal(&v.json_value);
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
