//! `cargo xtask add NAME:VERSION [--from FILE|URL]`: list another API in the manifest, commit
//! its document to `discovery/` and generate its crate in `generated/NAME-VERSION/`.

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::api::{self, ApiEntry, MANIFEST_PATH};
use crate::fetch::{self, FetchOutcome};
use crate::generate;
use crate::source::Source;
use crate::write::WriteReport;

/// What `add` did.
#[derive(Debug)]
pub struct Added {
    /// The new manifest entry.
    pub entry: ApiEntry,
    /// The document written to `discovery/`.
    pub document: FetchOutcome,
    /// The crate's files.
    pub files: WriteReport,
}

impl fmt::Display for Added {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entry = &self.entry;
        writeln!(f, "{}", self.document)?;
        writeln!(
            f,
            "generated {}/ ({} files)",
            entry.crate_dir,
            self.files.written.len() + self.files.unchanged
        )?;
        write!(
            f,
            "added {} to {MANIFEST_PATH} (source: {})",
            entry.id(),
            entry.source.as_deref().unwrap_or("none")
        )
    }
}

/// Splits `NAME:VERSION` (a Discovery id, such as `drive:v3`).
pub fn parse_id(id: &str) -> Result<(&str, &str)> {
    match id.split_once(':') {
        Some((name, version)) if !name.is_empty() && !version.is_empty() => Ok((name, version)),
        _ => bail!("{id:?} is not NAME:VERSION (for example drive:v3)"),
    }
}

/// Adds the API `id` to the workspace at `root`, reading its document from `from` or else
/// from Google's discovery service.
///
/// The manifest records a `--from` URL as the API's source; after a `--from` file it records
/// Google's URL, so a later `cargo xtask fetch` gets the newest revision. Nothing is written
/// when the API is already listed, its crate directory exists, or the document does not
/// describe `id` or does not generate.
pub fn add(root: &Path, id: &str, from: Option<&Source>) -> Result<Added> {
    let (name, version) = parse_id(id)?;
    let recorded_source = match from {
        Some(Source::Url(url)) => Some(url.clone()),
        Some(Source::File(_)) | None => None,
    };
    let entry = ApiEntry::new(name, version, recorded_source);
    let mut manifest = api::load(root)?;
    manifest.add(entry.clone())?;
    let crate_dir = root.join(&entry.crate_dir);
    if crate_dir.exists() {
        bail!(
            "{} already exists: remove it, or list it in {MANIFEST_PATH} by hand",
            crate_dir.display()
        );
    }
    let source = match from {
        Some(source) => source.clone(),
        None => Source::Url(entry.source.clone().unwrap_or_default()),
    };
    let text = source.load()?;
    crate::document::parse(&text, &source.to_string(), &entry)?;
    codegen::generate(&text, &entry.options()).with_context(|| format!("could not generate a crate from {source}"))?;

    let document = fetch::fetch_text(&entry, root, &text, &source, false)?;
    let (_, files) = generate::write(&entry, root)?;
    api::save(root, &manifest)?;
    Ok(Added { entry, document, files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Manifest;

    /// A workspace with a manifest listing the reference API, and a document of another one.
    fn workspace() -> (tempfile::TempDir, std::path::PathBuf) {
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(root.path().join("discovery")).expect("mkdir");
        let mut manifest = Manifest::default();
        manifest.add(crate::api::dataportability_v1()).expect("add");
        api::save(root.path(), &manifest).expect("save");
        let document = root.path().join("small.json");
        let text = codegen::tiny_document::TinyDocument::new("small", "v2")
            .revision("20250101")
            .schemas(serde_json::json!({"Thing": {"id": "Thing", "type": "object", "properties": {"id": {"type": "string"}}}}))
            .text();
        std::fs::write(&document, text).expect("write");
        (root, document)
    }

    #[test]
    fn adds_the_document_the_crate_and_the_manifest_entry() {
        let (root, document) = workspace();
        let added = add(root.path(), "small:v2", Some(&Source::File(document))).expect("add");
        assert_eq!(added.entry.crate_dir, "generated/small-v2");
        assert!(root.path().join("discovery/small.v2.json").is_file());
        let cargo = std::fs::read_to_string(root.path().join("generated/small-v2/Cargo.toml")).expect("crate");
        assert!(cargo.contains("path = \"../../runtime\""), "{cargo}");
        let manifest = api::load(root.path()).expect("manifest");
        let entry = manifest.select(Some("small")).expect("listed")[0];
        assert_eq!(
            entry.source.as_deref(),
            Some("https://small.googleapis.com/$discovery/rest?version=v2")
        );
        let text = added.to_string();
        assert!(text.contains("added small:v2 to discovery/manifest.json"), "{text}");
    }

    #[test]
    fn refuses_a_listed_api_a_wrong_document_and_a_bad_id_writing_nothing() {
        let (root, document) = workspace();
        let source = Source::File(document);
        let error = add(root.path(), "dataportability:v1", Some(&source))
            .expect_err("listed")
            .to_string();
        assert!(error.contains("already lists dataportability:v1"), "{error}");
        let error = format!(
            "{:#}",
            add(root.path(), "other:v1", Some(&source)).expect_err("wrong API")
        );
        assert!(
            error.contains("describes the API small:v2, expected other:v1"),
            "{error}"
        );
        assert!(!root.path().join("discovery/other.v1.json").exists());
        assert!(!root.path().join("generated").exists());
        assert_eq!(api::load(root.path()).expect("manifest").apis.len(), 1);
        assert!(parse_id("drive").is_err() && parse_id(":v3").is_err());
    }
}
