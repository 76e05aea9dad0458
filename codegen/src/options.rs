//! Options that change what is generated.

/// Options that change what is generated.
#[derive(Clone, Debug)]
pub struct Options {
    /// The dependency on the runtime crate, as the right-hand side of a `Cargo.toml` entry.
    pub runtime_dependency: String,
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
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::with_runtime_path("../runtime")
    }
}
