//! Whether a change breaks code that uses the generated crate.
//!
//! The rules follow from how `codegen` turns a document into Rust (see the design notes in
//! the workspace README):
//!
//! - **Enums are open** (`#[non_exhaustive]`, with an `UnknownValue` variant): a new value
//!   is compatible; a removed value removes a variant that code may name, so it is breaking.
//! - **Structs are built with `..Default::default()`** (the contract `codegen/tests/contract.rs`
//!   checks) and unknown JSON fields are kept: a new field is compatible; a removed field, or
//!   a field whose Rust type changes, is breaking.
//! - **Required parameters and the request body are positional arguments**, optional ones are
//!   builder setters: a new optional parameter is compatible; a new required one, a parameter
//!   that becomes required or optional, a removed one, or reordered positional arguments are
//!   breaking. So is a new, removed or retyped request or response (the signatures change).
//! - **Scopes are enum variants** (`Scope::MyactivitySearch`): a new scope is compatible, a
//!   removed one is breaking. A method that stops accepting a scope breaks callers whose
//!   tokens carry only that scope.
//! - A new method, resource or schema is compatible; a removed one is breaking. A changed
//!   HTTP method or path template changes what the caller's arguments mean (and breaks
//!   already deployed clients), and a changed path `pattern` can reject values before they
//!   are sent: breaking.
//! - A deprecation only adds `#[deprecated]` (a warning): compatible. A new endpoint or path
//!   encoding changes the generated defaults, not the API of the crate: compatible.
//! - Descriptions, `readOnly`, `default`, query parameters' `pattern` and
//!   `annotations.required` only reach doc comments: description-only, counted apart.
//! - A `format` change that keeps the Rust type (`google-fieldmask` to no format) is compatible.
//!
//! `revision` and `etag` change with every publication and are not changes at all.

use crate::kind::{Impact, Kind};

/// How a change of `kind` affects users of the generated crate.
pub fn impact(kind: Kind) -> Impact {
    use Kind::*;
    match kind {
        ResourceRemoved
        | MethodRemoved
        | HttpMethodChanged
        | PathChanged
        | PositionalOrderChanged
        | RequestAdded
        | RequestRemoved
        | RequestTypeChanged
        | ResponseAdded
        | ResponseRemoved
        | ResponseTypeChanged
        | MediaDownloadRemoved
        | MediaUploadRemoved
        | RequiredParameterAdded
        | ParameterRemoved
        | ParameterMadeRequired
        | ParameterMadeOptional
        | ParameterTypeChanged
        | ParameterLocationChanged
        | ParameterPatternChanged
        | SchemaRemoved
        | SchemaTypeChanged
        | FieldRemoved
        | FieldTypeChanged
        | EnumValueRemoved
        | ScopeRemoved
        | MethodScopeRemoved => Impact::Breaking,
        ResourceAdded | MethodAdded | MediaDownloadAdded | MediaUploadAdded | MediaUploadChanged | ParameterAdded
        | SchemaAdded | FieldAdded | FormatChanged | EnumValueAdded | ScopeAdded | MethodScopeAdded | Deprecated
        | Undeprecated | EndpointChanged | PathEncodingChanged => Impact::Compatible,
        DescriptionChanged => Impact::DescriptionOnly,
    }
}

/// Why a change of `kind` has its impact, in a few words for the reader of a report.
pub fn reason(kind: Kind) -> &'static str {
    use Kind::*;
    match kind {
        ResourceAdded | MethodAdded => "a new accessor; existing code is unaffected",
        ResourceRemoved => "its accessor and every method in it disappear",
        MethodRemoved => "the method and its request builder disappear",
        HttpMethodChanged | PathChanged => "requests go elsewhere: check what the arguments mean now",
        PositionalOrderChanged => "calls pass their arguments in the old order",
        RequestAdded | RequestRemoved => "the method's positional arguments change",
        RequestTypeChanged => "callers build a request of another type",
        ResponseAdded | ResponseRemoved | ResponseTypeChanged => "send() returns another type",
        MediaDownloadAdded | MediaUploadAdded => "new builder methods; existing code is unaffected",
        MediaDownloadRemoved | MediaUploadRemoved => "builder methods disappear",
        MediaUploadChanged => "uploads are checked against the new settings",
        ParameterAdded => "a new builder setter; existing calls are unaffected",
        RequiredParameterAdded => "a new positional argument",
        ParameterRemoved => "its positional argument or setter disappears",
        ParameterMadeRequired => "a setter becomes a positional argument",
        ParameterMadeOptional => "a positional argument becomes a setter",
        ParameterTypeChanged => "callers pass a value of another type",
        ParameterLocationChanged => "the argument moves between the path and the query",
        ParameterPatternChanged => "values are checked against the new pattern before sending",
        SchemaAdded => "a new type; existing code is unaffected",
        SchemaRemoved => "the type disappears",
        SchemaTypeChanged | FieldTypeChanged => "code using the old type no longer compiles",
        FieldAdded => "structs are built with ..Default::default(); unknown fields are ignored",
        FieldRemoved => "code reading or setting the field no longer compiles",
        FormatChanged => "the Rust type stays the same",
        EnumValueAdded => "enums are open: an unknown value was already representable",
        EnumValueRemoved => "code naming the variant no longer compiles",
        ScopeAdded => "a new Scope variant",
        ScopeRemoved => "code naming the Scope variant no longer compiles",
        MethodScopeAdded => "tokens with this scope are accepted too",
        MethodScopeRemoved => "tokens with only this scope are refused",
        Deprecated | Undeprecated => "only a #[deprecated] warning changes",
        EndpointChanged => "the client's default endpoint changes",
        PathEncodingChanged => "path parameters are encoded differently",
        DescriptionChanged => "doc comments only",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_generated_crates_design() {
        for (kind, expected) in [
            (Kind::EnumValueAdded, Impact::Compatible),
            (Kind::EnumValueRemoved, Impact::Breaking),
            (Kind::FieldAdded, Impact::Compatible),
            (Kind::FieldRemoved, Impact::Breaking),
            (Kind::FieldTypeChanged, Impact::Breaking),
            (Kind::MethodRemoved, Impact::Breaking),
            (Kind::SchemaRemoved, Impact::Breaking),
            (Kind::ScopeRemoved, Impact::Breaking),
            (Kind::RequiredParameterAdded, Impact::Breaking),
            (Kind::ParameterMadeRequired, Impact::Breaking),
            (Kind::ParameterAdded, Impact::Compatible),
            (Kind::MethodAdded, Impact::Compatible),
            (Kind::ResourceAdded, Impact::Compatible),
            (Kind::SchemaAdded, Impact::Compatible),
            (Kind::ScopeAdded, Impact::Compatible),
            (Kind::Deprecated, Impact::Compatible),
            (Kind::DescriptionChanged, Impact::DescriptionOnly),
        ] {
            assert_eq!(impact(kind), expected, "{kind:?}");
        }
    }

    #[test]
    fn every_kind_has_a_reason() {
        for kind in Kind::ALL {
            assert!(!reason(*kind).is_empty(), "{kind:?}");
        }
    }
}
