//! Generates a Rust client crate from a Google Discovery document.
//!
//! The pipeline has one module per stage:
//! [`parse`] (JSON to the Discovery model) → [`resolve`] (model to an IR in which every
//! naming and typing decision is made) → [`emit`] (IR to token streams with `quote!`) →
//! [`format`] (token streams to source text with `prettyplease`).

use std::collections::BTreeMap;

pub mod error;

pub use error::Error;

/// Options that change what is generated.
#[derive(Clone, Debug)]
pub struct Options {
    /// The dependency on the runtime crate, as the right-hand side of a `Cargo.toml` entry.
    pub runtime_dependency: String,
}

impl Default for Options {
    fn default() -> Self {
        Self { runtime_dependency: r#"{ path = "../runtime", version = "0.1.0" }"#.to_owned() }
    }
}

/// The files of a generated crate, keyed by their path relative to the crate's root
/// (`Cargo.toml`, `src/lib.rs`, ...), in a stable order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GeneratedCrate {
    /// The crate's package name, e.g. `dataportability-v1`.
    pub name: String,
    /// Path relative to the crate root (with `/` separators) to file content.
    pub files: BTreeMap<String, String>,
}

/// Generates the crate for a Discovery document given as JSON text.
pub fn generate(document_json: &str, options: &Options) -> Result<GeneratedCrate, Error> {
    let _ = (document_json, options);
    Err(Error::Unsupported { path: String::new(), message: "not implemented yet".into() })
}
