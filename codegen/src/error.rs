//! Errors of the generator: each names where in the document it is.

/// Why a document could not be turned into a crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not JSON, or a value has the wrong type for its key.
    #[error("{path}: {message}")]
    Parse {
        /// JSON path of the offending value, e.g. `schemas.Foo.properties.bar.type`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The document is JSON of the right shape but says something that cannot be generated.
    #[error("{path}: {message}")]
    Unsupported {
        /// JSON path of the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The workspace manifest (`discovery/manifest.json`) is unreadable or inconsistent, or
    /// names no entry for a selector.
    #[error("{path}: {message}")]
    Manifest {
        /// Where: the manifest's path and the entry's key, or the selector.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The generator produced invalid Rust: a bug in the generator, never in the document.
    #[error("internal error: {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
}
