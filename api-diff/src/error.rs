//! What can go wrong when comparing two documents: each error names the document.

/// Why two documents could not be compared.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not a Discovery document the generator can parse.
    #[error("{label} is not a valid Discovery document")]
    Parse {
        /// The document, as reports name it.
        label: String,
        /// Where in the document and what is wrong.
        #[source]
        source: codegen::Error,
    },
    /// The JSON parses but its `kind` is not `discovery#restDescription`.
    #[error("{label} is not a Discovery document: `kind` is {kind:?}, expected {expected:?}")]
    Kind {
        /// The document, as reports name it.
        label: String,
        /// The `kind` it has.
        kind: String,
        /// The `kind` a Discovery document has.
        expected: &'static str,
    },
    /// The document has no `name` or no `version`.
    #[error("{label} is not a Discovery document: it has no `name` or `version`")]
    Unnamed {
        /// The document, as reports name it.
        label: String,
    },
    /// The two documents describe different APIs (or versions).
    #[error(
        "{old_label} describes {old_api} but {new_label} describes {new_api}: compare two revisions of the same API"
    )]
    DifferentApis {
        /// The older document.
        old_label: String,
        /// Its `name:version`.
        old_api: String,
        /// The newer document.
        new_label: String,
        /// Its `name:version`.
        new_api: String,
    },
    /// The generator cannot resolve the document, so nothing generated can be compared.
    #[error("{label} does not generate, so it cannot be compared")]
    Resolve {
        /// The document, as reports name it.
        label: String,
        /// Where in the document and what is wrong.
        #[source]
        source: codegen::Error,
    },
    /// The generator cannot build a crate from the document (for the code diff).
    #[error("could not generate a crate from {label}")]
    Generate {
        /// The document, as reports name it.
        label: String,
        /// Where in the document and what is wrong.
        #[source]
        source: codegen::Error,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
