//! Finding the workspace root, so `cargo xtask` works from any directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The workspace root: the parent of this crate's manifest directory.
///
/// Cargo sets `CARGO_MANIFEST_DIR` at compile time, so this does not depend on the
/// directory `cargo xtask` is run from.
pub fn root() -> Result<PathBuf> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .parent()
        .with_context(|| format!("{} has no parent directory", manifest_dir.display()))?;
    if !root.join("Cargo.toml").is_file() {
        bail!(
            "{} does not look like the workspace root (no Cargo.toml there)",
            root.display()
        );
    }
    Ok(root.to_path_buf())
}

#[cfg(test)]
mod tests {
    #[test]
    fn root_holds_the_workspace_manifest() {
        let root = super::root().expect("workspace root");
        assert!(root.join("xtask").join("Cargo.toml").is_file());
    }
}
