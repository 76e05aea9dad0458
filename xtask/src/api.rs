//! The APIs this workspace generates clients for: the entries of `discovery/manifest.json`
//! ([`crate::manifest`]), read from and written to the workspace.

use std::path::Path;

pub use crate::manifest::{ApiEntry, MANIFEST_PATH, Manifest};
use anyhow::{Context, Result};

/// Reads the workspace's manifest.
pub fn load(root: &Path) -> Result<Manifest> {
    let path = root.join(MANIFEST_PATH);
    let text = std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))?;
    Ok(Manifest::parse(&text)?)
}

/// Writes the workspace's manifest (through a temporary file, so a failure leaves it intact).
pub fn save(root: &Path, manifest: &Manifest) -> Result<()> {
    let path = root.join(MANIFEST_PATH);
    let temporary = path.with_extension("json.tmp");
    std::fs::write(&temporary, manifest.to_json())
        .with_context(|| format!("could not write {}", temporary.display()))?;
    std::fs::rename(&temporary, &path).with_context(|| format!("could not write {}", path.display()))
}

/// The Data Portability API, version 1, as the manifest lists it: the workspace's reference
/// API, used by the unit tests.
#[cfg(test)]
pub fn dataportability_v1() -> ApiEntry {
    ApiEntry::new("dataportability", "v1", None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_manifest_lists_the_reference_api_and_the_fixture() {
        let root = crate::workspace::root().expect("workspace root");
        let manifest = load(&root).expect("the committed manifest");
        assert_eq!(manifest.apis[0], dataportability_v1());
        let fixture = manifest.select(Some("specialcases")).expect("fixture")[0];
        assert_eq!(fixture.source, None);
        assert_eq!(fixture.runtime_path(), "../../../runtime");
        for entry in &manifest.apis {
            assert!(root.join(&entry.document).is_file(), "{}", entry.document);
            assert!(
                root.join(&entry.crate_dir).join("Cargo.toml").is_file(),
                "{}",
                entry.crate_dir
            );
        }
        let text = std::fs::read_to_string(root.join(MANIFEST_PATH)).expect("read");
        assert_eq!(
            manifest.to_json(),
            text,
            "the manifest is written as `cargo xtask add` writes it"
        );
    }
}
