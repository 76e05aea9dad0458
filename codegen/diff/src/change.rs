//! One change between two revisions of a Discovery document, and the counts of a report.

use std::fmt;

use super::classify;

/// How a change affects code that uses the generated crate (see [`classify`]).
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
        /// label (used in the text and Markdown reports); [`classify::impact`] says whether
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

/// One change, located by a path into the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// What changed.
    pub kind: Kind,
    /// Where: the path of the node in the document (`schemas.Foo.properties.bar`,
    /// `resources.archiveJobs.methods.cancel`, `auth.oauth2.scopes`). Keys that are not plain
    /// identifiers are quoted (`parameters["$.xgafv"]`).
    pub path: String,
    /// For a member of a list or of the scopes map at `path`: which one (an enum value, a
    /// scope URL).
    pub subject: Option<String>,
    /// The value before, if it matters (a type, a path template, a description).
    pub old: Option<String>,
    /// The value after, if it matters.
    pub new: Option<String>,
}

impl Change {
    /// A change of `kind` at `path`, with no details yet.
    pub fn at(kind: Kind, path: impl Into<String>) -> Self {
        Self {
            kind,
            path: path.into(),
            subject: None,
            old: None,
            new: None,
        }
    }

    /// Names the member of the list or map at `path` that changed.
    pub fn of(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// Records the value before the change.
    pub fn before(mut self, old: impl Into<String>) -> Self {
        self.old = Some(old.into());
        self
    }

    /// Records the value after the change.
    pub fn after(mut self, new: impl Into<String>) -> Self {
        self.new = Some(new.into());
        self
    }

    /// Records the values before and after, either of which may be absent.
    pub fn values(mut self, old: Option<String>, new: Option<String>) -> Self {
        self.old = old;
        self.new = new;
        self
    }

    /// How the change affects users of the generated crate.
    pub fn impact(&self) -> Impact {
        classify::impact(self.kind)
    }

    /// The change without its path: `enum value added: CANCELLED`,
    /// `field type changed: string → integer (int64)`. Descriptions are long, so the old and
    /// new text of a [`Kind::DescriptionChanged`] is left out.
    pub fn message(&self) -> String {
        let mut text = self.kind.label().to_owned();
        if let Some(subject) = &self.subject {
            text.push_str(": ");
            text.push_str(subject);
        }
        if self.kind == Kind::DescriptionChanged {
            return text;
        }
        match (&self.old, &self.new) {
            (Some(old), Some(new)) => text.push_str(&format!(": {old} → {new}")),
            (Some(value), None) | (None, Some(value)) => text.push_str(&format!(": {value}")),
            (None, None) => {}
        }
        text
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message())
    }
}

/// How many changes of each impact a report holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Breaking changes.
    pub breaking: usize,
    /// Compatible changes.
    pub compatible: usize,
    /// Description-only changes (not counted as changes).
    pub description_only: usize,
}

impl Summary {
    /// Counts `changes` by impact.
    pub fn of(changes: &[Change]) -> Self {
        let mut summary = Self::default();
        for change in changes {
            match change.impact() {
                Impact::Breaking => summary.breaking += 1,
                Impact::Compatible => summary.compatible += 1,
                Impact::DescriptionOnly => summary.description_only += 1,
            }
        }
        summary
    }

    /// Breaking and compatible changes together (description-only ones are not counted).
    pub fn changes(&self) -> usize {
        self.breaking + self.compatible
    }

    /// How many changes have `impact`.
    pub fn count(&self, impact: Impact) -> usize {
        match impact {
            Impact::Breaking => self.breaking,
            Impact::Compatible => self.compatible,
            Impact::DescriptionOnly => self.description_only,
        }
    }
}

impl fmt::Display for Summary {
    /// `12 changes: 3 breaking, 9 compatible (+4 description-only)`; the parenthesis is left
    /// out when there is no description-only change.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.changes();
        let noun = if total == 1 { "change" } else { "changes" };
        write!(
            f,
            "{total} {noun}: {} breaking, {} compatible",
            self.breaking, self.compatible
        )?;
        if self.description_only > 0 {
            write!(f, " (+{} description-only)", self.description_only)?;
        }
        Ok(())
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

    #[test]
    fn messages_show_subject_and_values_but_not_descriptions() {
        let change = Change::at(Kind::EnumValueAdded, "schemas.S.properties.state.enum").of("DONE");
        assert_eq!(
            change.to_string(),
            "schemas.S.properties.state.enum: enum value added: DONE"
        );
        let change = Change::at(Kind::FieldTypeChanged, "schemas.S.properties.n")
            .before("string")
            .after("integer (int32)");
        assert_eq!(change.message(), "field type changed: string → integer (int32)");
        let change = Change::at(Kind::FieldRemoved, "schemas.S.properties.n").before("string");
        assert_eq!(change.message(), "field removed: string");
        let change = Change::at(Kind::DescriptionChanged, "schemas.S.description")
            .before("old")
            .after("new");
        assert_eq!(change.message(), "description changed");
    }

    #[test]
    fn the_summary_line_counts_changes_and_descriptions_apart() {
        let summary = Summary {
            breaking: 3,
            compatible: 9,
            description_only: 4,
        };
        assert_eq!(
            summary.to_string(),
            "12 changes: 3 breaking, 9 compatible (+4 description-only)"
        );
        let one = Summary {
            breaking: 0,
            compatible: 1,
            description_only: 0,
        };
        assert_eq!(one.to_string(), "1 change: 0 breaking, 1 compatible");
        assert_eq!(Summary::default().to_string(), "0 changes: 0 breaking, 0 compatible");
    }
}
