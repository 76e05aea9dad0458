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
    /// The JSON is Google's list of Discovery documents (`kind: discovery#directoryList`),
    /// not the document of one API.
    #[error(
        "kind: this is a Discovery directory list (discovery#directoryList), not an API's Discovery \
         document; generate from one of the documents it lists"
    )]
    DirectoryList,
    /// The generator produced invalid Rust: a bug in the generator, never in the document.
    #[error("internal error: {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
}
