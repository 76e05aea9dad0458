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
}

/// One crate the workspace generates and commits: which document, where it goes, and where
/// it finds the runtime crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CrateSpec {
    /// The Discovery document, relative to the workspace root.
    pub document_path: &'static str,
    /// The committed generated crate, relative to the workspace root.
    pub generated_dir: &'static str,
    /// The runtime crate's directory, relative to `generated_dir`.
    pub runtime_path: &'static str,
}

/// The Data Portability API, version 1: the reference API of this workspace.
pub const DATAPORTABILITY_V1: ApiSpec = ApiSpec {
    name: "dataportability",
    version: "v1",
    discovery_url: "https://dataportability.googleapis.com/$discovery/rest?version=v1",
    document_path: "discovery/dataportability.v1.json",
};

/// Every API the workspace fetches.
pub const APIS: &[ApiSpec] = &[DATAPORTABILITY_V1];

/// The Data Portability client crate.
pub const DATAPORTABILITY_V1_CRATE: CrateSpec = CrateSpec {
    document_path: DATAPORTABILITY_V1.document_path,
    generated_dir: "generated/dataportability-v1",
    runtime_path: "../../runtime",
};

/// A crate generated from a hand-written document full of edge cases; committed so that the
/// workspace build compiles and lints the generator's output for them.
pub const SPECIAL_CASES_CRATE: CrateSpec = CrateSpec {
    document_path: "tests/fixtures/special_cases.json",
    generated_dir: "tests/fixtures/special-cases",
    runtime_path: "../../../runtime",
};

/// Every crate `cargo xtask generate` writes.
pub const CRATES: &[CrateSpec] = &[DATAPORTABILITY_V1_CRATE, SPECIAL_CASES_CRATE];

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
