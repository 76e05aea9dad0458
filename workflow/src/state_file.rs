//! The resumable state of an export, kept in its output directory as
//! `.dataportability-state.json`: which job each resource group has, how many retries it
//! took, and whether its files are downloaded. A run that was interrupted reads it and goes
//! on with the same jobs instead of starting new ones.
//!
//! The file is small and rewritten whole on every change, atomically: written to
//! `.dataportability-state.json.tmp`, synced, then renamed over the old one, so a crash leaves
//! either the old state or the new one, never half of one.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The state file's name in an output directory.
pub const FILE_NAME: &str = ".dataportability-state.json";

/// The version this crate writes.
pub const VERSION: u32 = 1;

/// The state of one export (one output directory).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateFile {
    /// The format's version ([`VERSION`]).
    pub version: u32,
    /// The API endpoint the jobs belong to (`None`: Google's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// Each resource group's job.
    #[serde(default)]
    pub groups: BTreeMap<String, GroupState>,
}

/// The job of one resource group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupState {
    /// The current job (a retry's id after a failure).
    pub job_id: String,
    /// The job first started for the group.
    #[serde(default)]
    pub original_job_id: String,
    /// How many retries the chain took so far.
    #[serde(default)]
    pub retries: u32,
    /// How far the group is.
    #[serde(default)]
    pub status: GroupStatus,
    /// The downloaded files, relative to the output directory, once downloaded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// The requested period, the `exportTime`, and the group's earlier completed exports
    /// (see [`crate::incremental`]); absent from older state files.
    #[serde(flatten)]
    pub history: crate::incremental::History,
}

/// How far a group is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupStatus {
    /// Started: waiting for the job or downloading it.
    #[default]
    Started,
    /// Every file is downloaded and verified.
    Downloaded,
}

impl StateFile {
    /// An empty state for jobs at `endpoint`.
    pub fn new(endpoint: Option<String>) -> Self {
        Self {
            version: VERSION,
            endpoint,
            groups: BTreeMap::new(),
        }
    }

    /// The path of the state file in `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(FILE_NAME)
    }

    /// Reads the state file of `dir`; `None` when there is none.
    pub fn load(dir: &Path) -> Result<Option<Self>> {
        let path = Self::path(dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(Error::io(&path)(error)),
        };
        let state: Self = serde_json::from_str(&text).map_err(|e| Error::StateFile {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if state.version != VERSION {
            return Err(Error::StateFile {
                path,
                message: format!("version {} is not {VERSION}", state.version),
            });
        }
        Ok(Some(state))
    }

    /// Writes the state file of `dir` atomically (creating `dir` if needed).
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        let path = Self::path(dir);
        let tmp = dir.join(format!("{FILE_NAME}.tmp"));
        let mut json = serde_json::to_vec_pretty(self).map_err(|e| Error::StateFile {
            path: path.clone(),
            message: e.to_string(),
        })?;
        json.push(b'\n');
        let mut file = std::fs::File::create(&tmp).map_err(Error::io(&tmp))?;
        file.write_all(&json).map_err(Error::io(&tmp))?;
        file.sync_all().map_err(Error::io(&tmp))?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(Error::io(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(StateFile::load(dir.path()).unwrap(), None);
        let mut state = StateFile::new(Some("http://127.0.0.1:1/".into()));
        state.groups.insert(
            "myactivity.search".into(),
            GroupState {
                job_id: "j2".into(),
                original_job_id: "j1".into(),
                retries: 1,
                ..Default::default()
            },
        );
        state.save(dir.path()).unwrap();
        state.groups.get_mut("myactivity.search").unwrap().status = GroupStatus::Downloaded;
        state.save(dir.path()).unwrap();
        assert_eq!(StateFile::load(dir.path()).unwrap(), Some(state));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [FILE_NAME]);
        let text = std::fs::read_to_string(StateFile::path(dir.path())).unwrap();
        assert!(
            text.contains("\"jobId\": \"j2\"") && text.contains("\"status\": \"downloaded\""),
            "{text}"
        );
    }

    #[test]
    fn a_damaged_or_future_state_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(StateFile::path(dir.path()), "{not json").unwrap();
        let error = StateFile::load(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains(FILE_NAME) && error.contains("not a valid state file"),
            "{error}"
        );
        std::fs::write(StateFile::path(dir.path()), r#"{"version": 9}"#).unwrap();
        let error = StateFile::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("version 9 is not 1"), "{error}");
    }
}
