//! The resumable state of an export, kept in its output directory as
//! `.dataportability-state.json`: which job each resource group has, how many retries it
//! took, and whether its files are downloaded. A run that was interrupted reads it and goes
//! on with the same jobs instead of starting new ones.
//!
//! The file is small and rewritten whole on every change, atomically: written to a temporary
//! file of a unique name (`.dataportability-state.json.PID.N.tmp`, created `0600` with
//! `O_EXCL`), synced, renamed over the old one, and the directory synced, so a crash leaves
//! either the old state or the new one, never half of one. It is opened without following a
//! link ([`crate::out_dir`]).
//!
//! An `initiate` is recorded *before* it is sent ([`GroupState::initiate_sent_at`], no job
//! id yet) and its answer as soon as it arrives: a run that finds an initiate without a job
//! id knows that a job may exist whose id it never learnt.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use crate::out_dir::Dir;

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
    /// When an `initiate` for the group was sent (RFC 3339), written before sending it: with
    /// an empty [`job_id`](Self::job_id), its answer never arrived or was never saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initiate_sent_at: Option<String>,
    /// The files whose size and checksums were verified, each recorded as soon as it was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verified: Vec<VerifiedFile>,
    /// The requested period, the `exportTime`, and the group's earlier completed exports
    /// (see [`crate::incremental`]); absent from older state files.
    #[serde(flatten)]
    pub history: crate::incremental::History,
}

impl GroupState {
    /// Whether an `initiate` was sent and no answer recorded.
    pub fn initiate_unanswered(&self) -> bool {
        self.job_id.is_empty() && self.initiate_sent_at.is_some()
    }

    /// The record of the verified file `path` (relative to the output directory).
    pub fn verified_file(&self, path: &str) -> Option<&VerifiedFile> {
        self.verified.iter().find(|f| f.path == path)
    }
}

/// A downloaded file whose size and checksums were verified.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedFile {
    /// The file, relative to the output directory (`GROUP/NAME`).
    pub path: String,
    /// Its size.
    pub bytes: u64,
    /// The checksums verified, as in `x-goog-hash` (`crc32c=...,md5=...`; empty when the
    /// server sent none: then only the size was verified).
    #[serde(default)]
    pub checksums: String,
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
        if !dir.exists() {
            return Ok(None);
        }
        Self::load_in(&Dir::create(dir)?)
    }

    /// Reads the state file of `dir` (never through a link); `None` when there is none.
    pub fn load_in(dir: &Dir) -> Result<Option<Self>> {
        let path = dir.join(FILE_NAME);
        let Some(file) = dir.open_read(FILE_NAME)? else {
            return Ok(None);
        };
        let mut text = String::new();
        // A state file is a few KiB; 16 MiB is far beyond any real one.
        file.take(16 << 20)
            .read_to_string(&mut text)
            .map_err(Error::io(&path))?;
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
        self.save_in(&Dir::create(dir)?)
    }

    /// Writes the state file of `dir` atomically, through a temporary file of a unique name,
    /// never through a link.
    pub fn save_in(&self, dir: &Dir) -> Result<()> {
        let path = dir.join(FILE_NAME);
        let mut json = serde_json::to_vec_pretty(self).map_err(|e| Error::StateFile {
            path: path.clone(),
            message: e.to_string(),
        })?;
        json.push(b'\n');
        let (tmp, mut file) = dir.create_temp(FILE_NAME)?;
        let written = file.write_all(&json).and_then(|()| file.sync_all());
        drop(file);
        if let Err(error) = written {
            let _ = dir.remove(&tmp);
            return Err(Error::io(dir.join(&tmp))(error));
        }
        dir.rename(&tmp, FILE_NAME).inspect_err(|_| {
            let _ = dir.remove(&tmp);
        })
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
