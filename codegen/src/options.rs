//! Options that change what is generated.

/// The default [`Options::max_document_bytes`]: 16 MiB, eight times Google's largest document
/// (`aiplatform.v1`, 2.1 MB in 2026).
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 16 << 20;

/// Options that change what is generated.
#[derive(Clone, Debug)]
pub struct Options {
    /// The dependency on the runtime crate, as the right-hand side of a `Cargo.toml` entry.
    pub runtime_dependency: String,
    /// The largest document [`crate::generate`] reads, in bytes; a larger one is
    /// [`crate::Error::TooLarge`] before it is parsed. Generation is linear in the document's
    /// size, but a document is untrusted input, and its size bounds the time and memory it can
    /// take (the `codegen` binary's `--max-document-bytes`).
    pub max_document_bytes: usize,
}

impl Options {
    /// Options for a crate that finds the runtime crate at `path`, relative to the crate.
    pub fn with_runtime_path(path: &str) -> Self {
        let path = path.replace('\\', "/");
        Self {
            runtime_dependency: format!(
                r#"{{ path = {}, version = "0.1.0" }}"#,
                crate::emit::text::toml_string(&path)
            ),
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::with_runtime_path("../runtime")
    }
}
