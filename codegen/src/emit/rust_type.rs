//! Rust types and serde adapters as tokens. Std and runtime types are named by absolute
//! path, so a schema called `String`, `Option` or `Vec` cannot shadow them.

use proc_macro2::TokenStream;
use quote::quote;

use crate::resolve::ir::{RustType, Wire};

pub use super::text::ident;

/// The tokens of a type.
pub fn type_tokens(ty: &RustType) -> TokenStream {
    match ty {
        RustType::String => quote!(::std::string::String),
        RustType::Bool => quote!(bool),
        RustType::I32 => quote!(i32),
        RustType::U32 => quote!(u32),
        RustType::I64 => quote!(i64),
        RustType::U64 => quote!(u64),
        RustType::F32 => quote!(f32),
        RustType::F64 => quote!(f64),
        RustType::Bytes => quote!(::std::vec::Vec<u8>),
        RustType::DateTime => {
            quote!(::discovery_runtime::__private::chrono::DateTime<::discovery_runtime::__private::chrono::Utc>)
        }
        RustType::Date => quote!(::discovery_runtime::__private::chrono::NaiveDate),
        RustType::Duration => quote!(::discovery_runtime::__private::chrono::TimeDelta),
        RustType::Json => quote!(::discovery_runtime::__private::serde_json::Value),
        RustType::Vec(item) => {
            let item = type_tokens(item);
            quote!(::std::vec::Vec<#item>)
        }
        RustType::Map(value) => {
            let value = type_tokens(value);
            quote!(::std::collections::BTreeMap<::std::string::String, #value>)
        }
        RustType::Named { path, boxed } => {
            let segments = path.iter().map(|s| ident(s));
            let named = quote!(crate #(:: #segments)*);
            if *boxed {
                quote!(::std::boxed::Box<#named>)
            } else {
                named
            }
        }
    }
}

/// The tokens of an adapter type (`::std::option::Option<::discovery_runtime::__private::wire::StringEncoded>`).
pub fn wire_tokens(wire: &Wire) -> TokenStream {
    match wire {
        Wire::Same => quote!(::discovery_runtime::__private::wire::Same),
        Wire::StringEncoded => quote!(::discovery_runtime::__private::wire::StringEncoded),
        Wire::Base64 => quote!(::discovery_runtime::__private::wire::Base64),
        Wire::Duration => quote!(::discovery_runtime::__private::wire::Duration),
        Wire::Option(inner) => {
            let inner = wire_tokens(inner);
            quote!(::std::option::Option<#inner>)
        }
        Wire::Vec(inner) => {
            let inner = wire_tokens(inner);
            quote!(::std::vec::Vec<#inner>)
        }
        Wire::Map(inner) => {
            let inner = wire_tokens(inner);
            quote!(::std::collections::BTreeMap<::discovery_runtime::__private::wire::Same, #inner>)
        }
    }
}

/// `#[cfg(feature = "a")]` or `#[cfg(any(feature = "a", ..))]`; nothing for no features.
pub fn cfg_features<S: AsRef<str>>(features: &[S]) -> Option<proc_macro2::TokenStream> {
    let features: Vec<_> = features
        .iter()
        .map(|f| super::text::string_literal(f.as_ref()))
        .collect();
    match features.as_slice() {
        [] => None,
        [one] => Some(quote::quote!(#[cfg(feature = #one)])),
        many => Some(quote::quote!(#[cfg(any(#(feature = #many),*))])),
    }
}
