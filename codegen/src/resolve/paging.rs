//! Pagination: which responses carry a `nextPageToken`, and which of their fields holds the
//! items.

use std::collections::BTreeMap;

use super::ir::{Pagination, Presence, RustType, TypeDef, TypeKind};

/// A field that lists what a request could not reach (AIP-217), never the page's items.
const NOT_ITEMS: &[&str] = &["unreachable"];

/// For every top-level struct with a string `nextPageToken`, how to page through it; keyed
/// by the struct's Rust name.
pub fn page_shapes(models: &[TypeDef]) -> BTreeMap<String, Pagination> {
    models
        .iter()
        .filter_map(|def| match &def.kind {
            TypeKind::Struct(s) => Some((def, s)),
            _ => None,
        })
        .filter_map(|(def, s)| {
            let token = s
                .fields
                .iter()
                .find(|f| f.json_name == "nextPageToken" && f.ty == RustType::String)?;
            let mut lists = s
                .fields
                .iter()
                .filter(|f| f.presence == Presence::EmptyVec && !NOT_ITEMS.contains(&f.json_name.as_str()));
            let items = match (lists.next(), lists.next()) {
                (Some(field), None) => match &field.ty {
                    RustType::Vec(item) => Some((field.rust_name.clone(), (**item).clone())),
                    _ => None,
                },
                _ => None,
            };
            Some((
                def.name.clone(),
                Pagination {
                    next_token_field: token.rust_name.clone(),
                    items,
                },
            ))
        })
        .collect()
}
