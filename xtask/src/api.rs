//! The APIs this workspace generates clients for, and where each one's files live.
//!
//! Everything that names a particular API is here, so adding another API means adding
//! one more [`ApiSpec`] to [`APIS`].

/// One API: where its Discovery document comes from and where its files live in the workspace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiSpec {
    /// The Discovery document's `name`, e.g. `dataportability`.
    pub name: &'static str,
    /// The Discovery document's `version`, e.g. `v1`.
    pub version: &'static str,
    /// Where `cargo xtask fetch` downloads the document from by default.
    pub discovery_url: &'static str,
    /// The committed, normalized document, relative to the workspace root.
    pub document_path: &'static str,
    /// The committed generated crate, relative to the workspace root.
    pub generated_dir: &'static str,
}

/// The Data Portability API, version 1: the reference API of this workspace.
pub const DATAPORTABILITY_V1: ApiSpec = ApiSpec {
    name: "dataportability",
    version: "v1",
    discovery_url: "https://dataportability.googleapis.com/$discovery/rest?version=v1",
    document_path: "discovery/dataportability.v1.json",
    generated_dir: "generated",
};

/// Every API the workspace knows about.
pub const APIS: &[ApiSpec] = &[DATAPORTABILITY_V1];

impl ApiSpec {
    /// `name:version`, the way Discovery ids are written (e.g. `dataportability:v1`).
    pub fn id(&self) -> String {
        format!("{}:{}", self.name, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_path_follows_name_and_version() {
        for api in APIS {
            assert_eq!(
                api.document_path,
                format!("discovery/{}.{}.json", api.name, api.version)
            );
        }
        assert_eq!(DATAPORTABILITY_V1.id(), "dataportability:v1");
    }
}
