//! The resumable state of an export, kept in its output directory as
//! `.dataportability-state.json`: which job each resource group has, how many retries it
//! took, and whether its files are downloaded. A run that was interrupted reads it and goes
//! on with the same jobs instead of starting new ones.
//!
//! The file is rewritten whole on a change of a job, atomically: written to a temporary
//! file of a unique name (`.dataportability-state.json.PID.N.tmp`, created `0600` with
//! `O_EXCL`), synced, renamed over the old one, and the directory synced, so a crash leaves
//! either the old state or the new one, never half of one. It is opened without following a
//! link ([`crate::out_dir`]).
//!
//! **Verified files are journaled.** A job may have hundreds of files, and rewriting the
//! whole state (and syncing it twice) after each made an export of N files cost O(N²). So
//! [`StateFile::record_verified_in`] appends one line to `.dataportability-state.journal`
//! and syncs it: O(1) per file, O(N) per job. [`StateFile::load_in`] replays the journal
//! over the state file, and [`StateFile::save_in`] (the next change of a job, or the end of
//! a group) writes everything into the state file and removes the journal. A run killed at
//! any point keeps every file recorded before it was killed: a line is durable when
//! `record_verified_in` returns, and a line cut off by the crash (no valid JSON: a proper
//! prefix of a JSON object never is) is skipped; the next append starts on a new line.
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

/// The journal's name in an output directory: the verified files recorded since the state
/// file was last written, one JSON object per line.
pub const JOURNAL_NAME: &str = ".dataportability-state.journal";

/// The version this crate writes.
pub const VERSION: u32 = 1;

/// The most bytes read of a state file or its journal: a state file is a few KiB (a journal
/// line about 200 bytes a file), 16 MiB is far beyond any real one.
const MAX_FILE_BYTES: u64 = 16 << 20;

/// One line of the journal: a file of `group` was verified.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JournalLine {
    group: String,
    verified: VerifiedFile,
}

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

    /// Reads the state file of `dir` (never through a link), with the files its journal
    /// recorded since it was written; `None` when there is no state file.
    pub fn load_in(dir: &Dir) -> Result<Option<Self>> {
        let path = dir.join(FILE_NAME);
        let Some(text) = read_bounded(dir, FILE_NAME)? else {
            return Ok(None);
        };
        let mut state: Self = serde_json::from_slice(&text).map_err(|e| Error::StateFile {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if state.version != VERSION {
            return Err(Error::StateFile {
                path,
                message: format!("version {} is not {VERSION}", state.version),
            });
        }
        state.replay_journal(dir)?;
        Ok(Some(state))
    }

    /// Applies the journal's lines; a line that is not JSON was cut off by a crash while it
    /// was written, and is skipped.
    fn replay_journal(&mut self, dir: &Dir) -> Result<()> {
        let Some(text) = read_bounded(dir, JOURNAL_NAME)? else {
            return Ok(());
        };
        for (number, line) in text.split(|b| *b == b'\n').enumerate() {
            if line.trim_ascii().is_empty() || serde_json::from_slice::<serde::de::IgnoredAny>(line).is_err() {
                continue;
            }
            let entry: JournalLine = serde_json::from_slice(line).map_err(|e| Error::StateFile {
                path: dir.join(JOURNAL_NAME),
                message: format!("line {}: {e}", number + 1),
            })?;
            self.apply_verified(&entry.group, entry.verified);
        }
        Ok(())
    }

    /// Records that a file of `group` was verified: in memory, and as one line appended to the
    /// journal of `dir`, synced before this returns (O(1), whatever the number of files; the
    /// next [`save_in`](Self::save_in) folds it into the state file). A group that is not in
    /// the state is left alone.
    pub fn record_verified_in(&mut self, dir: &Dir, group: &str, file: VerifiedFile) -> Result<()> {
        if !self.groups.contains_key(group) {
            return Ok(());
        }
        let path = dir.join(JOURNAL_NAME);
        let mut line = serde_json::to_vec(&JournalLine {
            group: group.to_owned(),
            verified: file.clone(),
        })
        .map_err(|e| Error::StateFile {
            path: path.clone(),
            message: e.to_string(),
        })?;
        line.push(b'\n');
        let (mut journal, created) = dir.open_append(JOURNAL_NAME)?;
        if ends_mid_line(&journal).map_err(Error::io(&path))? {
            line.insert(0, b'\n');
        }
        journal
            .write_all(&line)
            .and_then(|()| journal.sync_data())
            .map_err(Error::io(&path))?;
        if created {
            dir.sync()?;
        }
        self.apply_verified(group, file);
        Ok(())
    }

    /// Puts `file` in `group`'s verified files (replacing an earlier record of its path).
    fn apply_verified(&mut self, group: &str, file: VerifiedFile) {
        if let Some(entry) = self.groups.get_mut(group) {
            entry.verified.retain(|f| f.path != file.path);
            entry.verified.push(file);
        }
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
        })?;
        // Everything the journal said is in the state file now. A journal left by a crash
        // here is replayed again on load, which changes nothing.
        dir.remove(JOURNAL_NAME)
    }
}

/// The bytes of `name` in `dir`, at most [`MAX_FILE_BYTES`] of them (more is an error);
/// `None` when there is no such file.
fn read_bounded(dir: &Dir, name: &str) -> Result<Option<Vec<u8>>> {
    let path = dir.join(name);
    let Some(file) = dir.open_read(name)? else {
        return Ok(None);
    };
    let mut text = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(Error::io(&path))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::StateFile {
            path,
            message: format!("larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    Ok(Some(text))
}

/// Whether a journal's last line was cut off (its last byte is not a newline).
fn ends_mid_line(file: &std::fs::File) -> std::io::Result<bool> {
    use std::os::unix::fs::FileExt as _;
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    let mut last = [0u8];
    file.read_exact_at(&mut last, len - 1)?;
    Ok(last[0] != b'\n')
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

    fn started(dir: &Dir) -> StateFile {
        let mut state = StateFile::new(None);
        state.groups.insert("g".into(), GroupState::default());
        state.save_in(dir).unwrap();
        state
    }

    fn file(n: usize) -> VerifiedFile {
        VerifiedFile {
            path: format!("g/archive-{n}.zip"),
            bytes: n as u64,
            checksums: "crc32c=AAAAAA==".into(),
        }
    }

    #[test]
    fn verified_files_are_appended_to_a_journal_and_folded_in_on_save() {
        let root = tempfile::tempdir().unwrap();
        let dir = Dir::create(root.path()).unwrap();
        let mut state = started(&dir);
        let snapshot = std::fs::read(StateFile::path(root.path())).unwrap();
        for n in 0..3 {
            state.record_verified_in(&dir, "g", file(n)).unwrap();
        }
        state.record_verified_in(&dir, "g", file(1)).unwrap();
        state.record_verified_in(&dir, "not a group", file(9)).unwrap();
        assert_eq!(
            std::fs::read(StateFile::path(root.path())).unwrap(),
            snapshot,
            "the state file is not rewritten per file"
        );
        let journal = std::fs::read_to_string(dir.join(JOURNAL_NAME)).unwrap();
        assert_eq!(journal.lines().count(), 4, "{journal}");
        let loaded = StateFile::load_in(&dir).unwrap().unwrap();
        assert_eq!(loaded, state);
        assert_eq!(loaded.groups["g"].verified.len(), 3);
        loaded.save_in(&dir).unwrap();
        assert_eq!(dir.entry(JOURNAL_NAME).unwrap(), crate::out_dir::Entry::Missing);
        assert_eq!(StateFile::load_in(&dir).unwrap().unwrap(), state);
    }

    #[test]
    fn a_line_cut_off_by_a_crash_is_skipped_and_the_next_one_starts_on_its_own_line() {
        let root = tempfile::tempdir().unwrap();
        let dir = Dir::create(root.path()).unwrap();
        let mut state = started(&dir);
        state.record_verified_in(&dir, "g", file(0)).unwrap();
        let mut journal = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.join(JOURNAL_NAME))
            .unwrap();
        journal
            .write_all(br#"{"group":"g","verified":{"path":"g/archi"#)
            .unwrap();
        let loaded = StateFile::load_in(&dir).unwrap().unwrap();
        assert_eq!(loaded.groups["g"].verified, [file(0)]);
        let mut resumed = loaded;
        resumed.record_verified_in(&dir, "g", file(1)).unwrap();
        let loaded = StateFile::load_in(&dir).unwrap().unwrap();
        assert_eq!(loaded.groups["g"].verified, [file(0), file(1)]);
        std::fs::write(dir.join(JOURNAL_NAME), "{\"group\": 5}\n").unwrap();
        let error = StateFile::load_in(&dir).unwrap_err().to_string();
        assert!(error.contains(JOURNAL_NAME) && error.contains("line 1"), "{error}");
    }

    #[test]
    fn n_files_write_o_n_bytes() {
        let root = tempfile::tempdir().unwrap();
        let dir = Dir::create(root.path()).unwrap();
        let mut state = started(&dir);
        let line = |n| {
            serde_json::to_vec(&JournalLine {
                group: "g".into(),
                verified: file(n),
            })
            .unwrap()
            .len() as u64
                + 1
        };
        let files = 300;
        for n in 0..files {
            state.record_verified_in(&dir, "g", file(n)).unwrap();
        }
        let written = std::fs::metadata(dir.join(JOURNAL_NAME)).unwrap().len();
        assert_eq!(
            written,
            (0..files).map(line).sum::<u64>(),
            "one line per file, nothing rewritten"
        );
        assert_eq!(
            StateFile::load_in(&dir).unwrap().unwrap().groups["g"].verified.len(),
            files
        );
    }
}
