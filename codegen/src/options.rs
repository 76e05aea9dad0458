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
                r#"{{ path = {}, version = "={}" }}"#,
                crate::emit::text::toml_string(&path),
                runtime_version()
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

/// The runtime crate's manifest, read when the generator is compiled: the generator and the
/// runtime are released together, so the version they agree on is the runtime's own.
const RUNTIME_MANIFEST: &str = include_str!("../../runtime/Cargo.toml");

/// The version of the runtime crate this generator writes code for: the `version` of the
/// `[package]` table of its manifest. Generated crates require exactly this version (`=x.y.z`),
/// because they use the runtime's hidden `__private` module, which has no stability promise.
pub fn runtime_version() -> &'static str {
    let mut in_package = false;
    for line in RUNTIME_MANIFEST.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some(value) = line.strip_prefix("version")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            return value.trim().trim_matches('"');
        }
    }
    // The test below keeps this unreachable: the runtime's manifest has a version.
    "0.0.0"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_version_is_read_from_its_manifest() {
        let version = runtime_version();
        assert_ne!(version, "0.0.0");
        assert!(RUNTIME_MANIFEST.contains(&format!("version = \"{version}\"")));
        assert!(version.split('.').all(|part| part.parse::<u32>().is_ok()), "{version}");
        assert!(
            Options::default()
                .runtime_dependency
                .contains(&format!("version = \"={version}\""))
        );
    }
}
