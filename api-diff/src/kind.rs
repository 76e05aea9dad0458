//! What a change is ([`Kind`]) and how it affects users of the generated crate ([`Impact`]).

/// How a change affects code that uses the generated crate (decided by the `classify` module).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    /// Code that compiled and worked against the old crate may fail to compile or to work.
    Breaking,
    /// Code written against the old crate keeps compiling and working.
    Compatible,
    /// Only documentation changes (doc comments of the generated crate).
    DescriptionOnly,
}

impl Impact {
    /// Every impact, in report order.
    pub const ALL: [Impact; 3] = [Self::Breaking, Self::Compatible, Self::DescriptionOnly];

    /// The stable identifier used in the JSON report: `breaking`, `compatible`, `description-only`.
    pub fn id(self) -> &'static str {
        match self {
            Self::Breaking => "breaking",
            Self::Compatible => "compatible",
            Self::DescriptionOnly => "description-only",
        }
    }

    /// The heading of the report section that lists changes of this impact.
    pub fn heading(self) -> &'static str {
        match self {
            Self::Breaking => "Breaking changes",
            Self::Compatible => "Compatible changes",
            Self::DescriptionOnly => "Description-only changes",
        }
    }
}

/// Declares [`Kind`] with its stable identifier and human label, one row per kind.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident => $id:literal, $label:literal;)*) => {
        /// What changed. Each kind has a stable identifier (used in the JSON report) and a
        /// label (used in the text and Markdown reports); `classify::impact` says whether
        /// it is breaking.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $($(#[$doc])* $variant,)*
        }

        impl Kind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];

            /// The stable identifier, e.g. `method-added`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Kind::$variant => $id,)*
                }
            }

            /// The human label, e.g. `method added`.
            pub fn label(self) -> &'static str {
                match self {
                    $(Kind::$variant => $label,)*
                }
            }
        }
    };
}

kinds! {
    /// A resource (a group of methods) appeared.
    ResourceAdded => "resource-added", "resource added";
    /// A resource disappeared.
    ResourceRemoved => "resource-removed", "resource removed";
    /// A method appeared.
    MethodAdded => "method-added", "method added";
    /// A method disappeared.
    MethodRemoved => "method-removed", "method removed";
    /// A method's HTTP method changed.
    HttpMethodChanged => "http-method-changed", "HTTP method changed";
    /// A method's path template changed.
    PathChanged => "path-changed", "path changed";
    /// The order of a method's positional (required) arguments changed.
    PositionalOrderChanged => "positional-order-changed", "positional arguments reordered";
    /// A method now takes a request body.
    RequestAdded => "request-added", "request body added";
    /// A method no longer takes a request body.
    RequestRemoved => "request-removed", "request body removed";
    /// A method's request body has another type.
    RequestTypeChanged => "request-type-changed", "request type changed";
    /// A method now returns a response body.
    ResponseAdded => "response-added", "response added";
    /// A method no longer returns a response body.
    ResponseRemoved => "response-removed", "response removed";
    /// A method's response has another type.
    ResponseTypeChanged => "response-type-changed", "response type changed";
    /// A method now supports media download.
    MediaDownloadAdded => "media-download-added", "media download added";
    /// A method no longer supports media download.
    MediaDownloadRemoved => "media-download-removed", "media download removed";
    /// A method now supports media upload.
    MediaUploadAdded => "media-upload-added", "media upload added";
    /// A method no longer supports media upload.
    MediaUploadRemoved => "media-upload-removed", "media upload removed";
    /// A method's media upload settings (accepted types, size, protocols) changed.
    MediaUploadChanged => "media-upload-changed", "media upload settings changed";
    /// An optional parameter appeared (a new builder setter).
    ParameterAdded => "parameter-added", "optional parameter added";
    /// A required parameter appeared (a new positional argument).
    RequiredParameterAdded => "required-parameter-added", "required parameter added";
    /// A parameter disappeared.
    ParameterRemoved => "parameter-removed", "parameter removed";
    /// An optional parameter became required (a setter became a positional argument).
    ParameterMadeRequired => "parameter-made-required", "parameter made required";
    /// A required parameter became optional (a positional argument became a setter).
    ParameterMadeOptional => "parameter-made-optional", "parameter made optional";
    /// A parameter's type changed.
    ParameterTypeChanged => "parameter-type-changed", "parameter type changed";
    /// A parameter moved between the path and the query.
    ParameterLocationChanged => "parameter-location-changed", "parameter location changed";
    /// A path parameter's `pattern` (checked before a request is sent) changed.
    ParameterPatternChanged => "parameter-pattern-changed", "path parameter pattern changed";
    /// A schema appeared.
    SchemaAdded => "schema-added", "schema added";
    /// A schema disappeared.
    SchemaRemoved => "schema-removed", "schema removed";
    /// A schema became another kind of type (struct, enum, alias of another type).
    SchemaTypeChanged => "schema-type-changed", "schema type changed";
    /// A field appeared in a struct.
    FieldAdded => "field-added", "field added";
    /// A field disappeared from a struct.
    FieldRemoved => "field-removed", "field removed";
    /// A field's type changed (type, format, `$ref` target, array item or map value type).
    FieldTypeChanged => "field-type-changed", "field type changed";
    /// A `format` changed without changing the Rust type.
    FormatChanged => "format-changed", "format changed (same Rust type)";
    /// An enum gained a value.
    EnumValueAdded => "enum-value-added", "enum value added";
    /// An enum lost a value.
    EnumValueRemoved => "enum-value-removed", "enum value removed";
    /// An OAuth scope appeared.
    ScopeAdded => "scope-added", "scope added";
    /// An OAuth scope disappeared.
    ScopeRemoved => "scope-removed", "scope removed";
    /// A method accepts one more existing scope.
    MethodScopeAdded => "method-scope-added", "method accepts scope";
    /// A method no longer accepts a scope that still exists.
    MethodScopeRemoved => "method-scope-removed", "method no longer accepts scope";
    /// Something became deprecated.
    Deprecated => "deprecated", "deprecated";
    /// Something is no longer deprecated.
    Undeprecated => "undeprecated", "no longer deprecated";
    /// The service's root URL, service path, mTLS URL or regional endpoints changed.
    EndpointChanged => "endpoint-changed", "endpoint changed";
    /// `fullyEncodeReservedExpansion` changed: path parameters are encoded differently.
    PathEncodingChanged => "path-encoding-changed", "path parameter encoding changed";
    /// A description or another fact that only reaches doc comments changed.
    DescriptionChanged => "description-changed", "description changed";
}

impl Kind {
    /// The sign shown before the change in the text report: `+` added, `-` removed, `~` other.
    pub fn sign(self) -> char {
        let id = self.id();
        if id.ends_with("-added") {
            '+'
        } else if id.ends_with("-removed") {
            '-'
        } else {
            '~'
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn kind_ids_are_unique_kebab_case() {
        let ids: BTreeSet<&str> = Kind::ALL.iter().map(|kind| kind.id()).collect();
        assert_eq!(ids.len(), Kind::ALL.len());
        for id in ids {
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{id}");
        }
    }

    #[test]
    fn signs_follow_the_kind() {
        assert_eq!(Kind::MethodAdded.sign(), '+');
        assert_eq!(Kind::ScopeRemoved.sign(), '-');
        assert_eq!(Kind::FieldTypeChanged.sign(), '~');
        assert_eq!(Kind::Deprecated.sign(), '~');
    }
}
