//! The workspace manifest (`discovery/manifest.json`): the crates a workspace generates, each
//! from one committed Discovery document.
//!
//! ```json
//! {
//!   "apis": [
//!     {
//!       "name": "dataportability",
//!       "version": "v1",
//!       "source": "https://dataportability.googleapis.com/$discovery/rest?version=v1",
//!       "document": "discovery/dataportability.v1.json",
//!       "crate": "generated/dataportability-v1"
//!     }
//!   ]
//! }
//! ```
//!
//! Paths are relative to the workspace root, with `/` separators. An entry without `source`
//! is a hand-written document (a test fixture) that is generated and checked but never fetched.

use std::path::{Component, Path};

use codegen::Options;
use serde::{Deserialize, Serialize};

/// The manifest is unreadable or inconsistent, or names no entry for a selector.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct Error {
    /// Where: the manifest's path and the entry's key, or the selector.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The manifest's path, relative to the workspace root.
pub const MANIFEST_PATH: &str = "discovery/manifest.json";

/// Where the runtime crate lives, relative to the workspace root.
pub const RUNTIME_DIR: &str = "runtime";

/// Every crate the workspace generates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The entries, in the order `cargo xtask` processes them.
    pub apis: Vec<ApiEntry>,
}

/// One generated crate: which API, where its document comes from, where its files live.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiEntry {
    /// The Discovery document's `name`, e.g. `dataportability`.
    pub name: String,
    /// The Discovery document's `version`, e.g. `v1`.
    pub version: String,
    /// Where `cargo xtask fetch` downloads the document from; `None` for a hand-written one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The committed, normalized document, e.g. `discovery/dataportability.v1.json`.
    pub document: String,
    /// The generated crate's directory, e.g. `generated/dataportability-v1`.
    #[serde(rename = "crate")]
    pub crate_dir: String,
}

impl ApiEntry {
    /// The entry `cargo xtask add NAME:VERSION` makes: Google's discovery URL for the API,
    /// the document in `discovery/`, the crate in `generated/NAME-VERSION`.
    pub fn new(name: &str, version: &str, source: Option<String>) -> Self {
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            source: Some(source.unwrap_or_else(|| google_discovery_url(name, version))),
            document: format!("discovery/{name}.{version}.json"),
            crate_dir: format!("generated/{}", codegen::resolve::crate_name(name, version)),
        }
    }

    /// `name:version`, the way Discovery ids are written (e.g. `dataportability:v1`).
    pub fn id(&self) -> String {
        format!("{}:{}", self.name, self.version)
    }

    /// The runtime crate's directory relative to the generated crate (`../../runtime`).
    pub fn runtime_path(&self) -> String {
        let depth = self.crate_dir.split('/').filter(|part| !part.is_empty()).count();
        format!("{}{RUNTIME_DIR}", "../".repeat(depth))
    }

    /// The generator's options for this crate.
    pub fn options(&self) -> Options {
        Options::with_runtime_path(&self.runtime_path())
    }

    /// Whether `selector` names this entry: its id (`drive:v3`), its name when that is
    /// enough (`drive`), or its crate's directory name (`drive-v3`).
    pub fn matches(&self, selector: &str) -> bool {
        selector == self.id()
            || selector == self.name
            || Path::new(&self.crate_dir)
                .file_name()
                .is_some_and(|dir| dir == selector)
    }

    fn check(&self, index: usize) -> Result<(), Error> {
        let at = |key: &str| format!("{MANIFEST_PATH}: apis[{index}].{key}");
        for (key, value) in [("name", &self.name), ("version", &self.version)] {
            if value.is_empty()
                || !value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            {
                return Err(invalid(at(key), format!("{value:?} is not an API name or version")));
            }
        }
        for (key, value) in [("document", &self.document), ("crate", &self.crate_dir)] {
            let path = Path::new(value.as_str());
            let inside = !value.is_empty()
                && !value.contains('\\')
                && path.components().all(|part| matches!(part, Component::Normal(_)));
            if !inside {
                return Err(invalid(
                    at(key),
                    format!("{value:?} must be a relative path inside the workspace, with `/` separators"),
                ));
            }
        }
        Ok(())
    }
}

/// `https://NAME.googleapis.com/$discovery/rest?version=VERSION`, where Google serves the
/// current Discovery document of most APIs.
pub fn google_discovery_url(name: &str, version: &str) -> String {
    format!("https://{name}.googleapis.com/$discovery/rest?version={version}")
}

impl Manifest {
    /// Parses and checks a manifest's text.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let deserializer = &mut serde_json::Deserializer::from_str(text);
        let manifest: Self = serde_path_to_error::deserialize(deserializer).map_err(|error| Error {
            path: format!("{MANIFEST_PATH}: {}", error.path()),
            message: error.into_inner().to_string(),
        })?;
        for (index, entry) in manifest.apis.iter().enumerate() {
            entry.check(index)?;
            for (key, value) in [("document", &entry.document), ("crate", &entry.crate_dir)] {
                let clash = manifest.apis[..index]
                    .iter()
                    .any(|other| other.document == *value || other.crate_dir == *value);
                if clash {
                    return Err(invalid(
                        format!("{MANIFEST_PATH}: apis[{index}].{key}"),
                        format!("{value:?} is already used by another entry"),
                    ));
                }
            }
        }
        Ok(manifest)
    }

    /// The manifest as it is written: pretty JSON, one key per line, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The entries `selector` names (every entry for `None`), or an error listing the known ones.
    pub fn select(&self, selector: Option<&str>) -> Result<Vec<&ApiEntry>, Error> {
        let Some(selector) = selector else {
            return Ok(self.apis.iter().collect());
        };
        let exact: Vec<&ApiEntry> = self.apis.iter().filter(|entry| entry.id() == selector).collect();
        let chosen = if exact.is_empty() {
            self.apis.iter().filter(|entry| entry.matches(selector)).collect()
        } else {
            exact
        };
        let ids = || {
            let ids: Vec<String> = self.apis.iter().map(ApiEntry::id).collect();
            ids.join(", ")
        };
        match chosen.len() {
            0 => Err(invalid(
                format!("--api {selector}"),
                format!("is not in {MANIFEST_PATH} (it lists {})", ids()),
            )),
            1 => Ok(chosen),
            _ => Err(invalid(
                format!("--api {selector}"),
                format!("names several entries; write NAME:VERSION (one of {})", ids()),
            )),
        }
    }

    /// Adds `entry`, refusing one whose API, document or crate directory is already listed.
    pub fn add(&mut self, entry: ApiEntry) -> Result<(), Error> {
        if let Some(existing) = self.apis.iter().find(|other| {
            other.id() == entry.id() || other.document == entry.document || other.crate_dir == entry.crate_dir
        }) {
            let what = if existing.id() == entry.id() {
                format!("already lists {}", entry.id())
            } else {
                format!(
                    "{} would use the document or crate directory of {} ({}, {})",
                    entry.id(),
                    existing.id(),
                    existing.document,
                    existing.crate_dir
                )
            };
            return Err(invalid(MANIFEST_PATH.to_owned(), what));
        }
        entry.check(self.apis.len())?;
        self.apis.push(entry);
        Ok(())
    }
}

fn invalid(path: String, message: String) -> Error {
    Error { path, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let mut manifest = Manifest::default();
        manifest.add(ApiEntry::new("dataportability", "v1", None)).expect("add");
        manifest
    }

    #[test]
    fn new_entries_follow_the_workspace_layout() {
        let entry = ApiEntry::new("admin", "directory_v1", None);
        assert_eq!(entry.document, "discovery/admin.directory_v1.json");
        assert_eq!(entry.crate_dir, "generated/admin-directory-v1");
        assert_eq!(
            entry.source.as_deref(),
            Some("https://admin.googleapis.com/$discovery/rest?version=directory_v1")
        );
        assert_eq!(entry.runtime_path(), "../../runtime");
        assert_eq!(entry.id(), "admin:directory_v1");
    }

    #[test]
    fn round_trips_through_its_json() {
        let manifest = manifest();
        let text = manifest.to_json();
        assert!(text.contains("\"crate\": \"generated/dataportability-v1\""), "{text}");
        assert_eq!(Manifest::parse(&text).expect("parse"), manifest);
    }

    #[test]
    fn selects_by_id_name_or_directory() {
        let mut manifest = manifest();
        manifest.add(ApiEntry::new("drive", "v3", None)).expect("drive v3");
        manifest.add(ApiEntry::new("drive", "v2", None)).expect("drive v2");
        assert_eq!(manifest.select(None).expect("all").len(), 3);
        assert_eq!(manifest.select(Some("dataportability")).expect("name")[0].version, "v1");
        assert_eq!(manifest.select(Some("drive-v2")).expect("dir")[0].version, "v2");
        assert_eq!(manifest.select(Some("drive:v3")).expect("id")[0].version, "v3");
        let error = manifest.select(Some("drive")).expect_err("ambiguous").to_string();
        assert!(error.contains("several") && error.contains("drive:v2"), "{error}");
        let error = manifest.select(Some("youtube")).expect_err("unknown").to_string();
        assert!(
            error.contains("youtube") && error.contains("dataportability:v1"),
            "{error}"
        );
    }

    #[test]
    fn refuses_duplicates_and_paths_outside_the_workspace() {
        let mut manifest = manifest();
        let error = manifest
            .add(ApiEntry::new("dataportability", "v1", Some("file.json".into())))
            .expect_err("duplicate")
            .to_string();
        assert_eq!(error, "discovery/manifest.json: already lists dataportability:v1");
        for (document, crate_dir, key) in [
            ("d.json", "../outside", "crate"),
            ("/etc/passwd", "c", "document"),
            ("d.json", "", "crate"),
        ] {
            let text = format!(
                r#"{{"apis": [{{"name": "x", "version": "v1", "document": "{document}", "crate": "{crate_dir}"}}]}}"#
            );
            let error = Manifest::parse(&text).expect_err(key).to_string();
            assert!(error.contains(&format!("apis[0].{key}")), "{error}");
        }
        let error = Manifest::parse(r#"{"apis": [{"name": "x y", "version": "v1", "document": "d", "crate": "c"}]}"#)
            .expect_err("name")
            .to_string();
        assert!(error.contains("apis[0].name"), "{error}");
    }
}
