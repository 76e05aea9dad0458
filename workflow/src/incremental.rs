//! Time-filtered and incremental exports: what time-based access is for.
//!
//! Google's time-based access allows exports over 30 days, one per resource group every 24
//! hours (time-based quickstart,
//! <https://developers.google.com/data-portability/user-guide/time-based>: a second `initiate`
//! within 24 hours answers `FAILED_PRECONDITION`), and its time-filter quickstart
//! (<https://developers.google.com/data-portability/user-guide/time-filter>) shows "recurring
//! requests ... to only export new data since your last export". The reference says a job's
//! `exportTime` is its `endTime`, or the time the export was requested, so an incremental
//! export asks `startTime` = the `exportTime` of the group's last completed export: the archives
//! cover the history with no gap and no overlap (that `startTime` is inclusive and `exportTime`
//! exclusive is our interpretation; Google does not say).
//!
//! This module is the library form, per user and group; the `dataportability` CLI is a thin user
//! of it. One output directory holds one user's exports (its [`StateFile`] remembers, per group,
//! the current job and the earlier completed exports); a program exporting for many users gives
//! each user a directory ([`user_dir`]) and a client with that user's token, and calls
//! [`export_groups`] (start, wait, download, remember) for each.
//!
//! Every run's archives go to a directory of their own, `OUT/GROUP/<exportTime>/` (or
//! `OUT/GROUP/<startTime>--<exportTime>/` when the period has a start), never over an earlier
//! run's; only a plain export (no time options) into a directory with no earlier export of the
//! group keeps the original layout `OUT/GROUP/`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use dataportability_v1::Client;
use dataportability_v1::models::PortabilityArchiveState;
use serde::{Deserialize, Serialize};

use crate::download::Downloader;
use crate::retry::{RetryOptions, wait_and_retry};
use crate::state_file::{GroupState, GroupStatus, StateFile};
use crate::time_range::{TimeRange, rfc3339};
use crate::{Error, Result};

/// The least time between two time-based exports of a group (Google's time-based quickstart).
pub const TIME_BASED_INTERVAL: TimeDelta = TimeDelta::hours(24);

/// How long a time-based grant lasts ("multiple exports allowed over 30 days", the Discovery
/// document's description of `ACCESS_TYPE_TIME_BASED`).
pub const TIME_BASED_GRANT: TimeDelta = TimeDelta::days(30);

/// What the state file remembers of a group's periods, beside its job (flattened into
/// [`GroupState`]; every field is optional, so older state files still read).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct History {
    /// The requested `startTime` of the current job (`None`: the earliest data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    /// The requested `endTime` of the current job (`None`: up to the request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    /// Whether the current job was started by an incremental export.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub incremental: bool,
    /// When `initiate` answered, on this machine's clock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// The `accessType` `initiate` answered (`ACCESS_TYPE_TIME_BASED`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_type: Option<String>,
    /// The job's `exportTime` once `COMPLETE`: where its data ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_time: Option<DateTime<Utc>>,
    /// The directory of the job's files, relative to the output directory, once chosen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// The group's earlier completed exports, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<CompletedExport>,
}

/// One earlier completed export of a group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CompletedExport {
    /// The job that completed.
    pub job_id: String,
    /// Its requested `startTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<DateTime<Utc>>,
    /// Its requested `endTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<DateTime<Utc>>,
    /// When `initiate` answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    /// Its `exportTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_time: Option<DateTime<Utc>>,
    /// Its files, relative to the output directory.
    pub files: Vec<String>,
}

/// What a run asks for each group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportRequest {
    /// The period (everything with [`TimeRange::ALL`]); a group already exported for the same
    /// period is not exported again.
    #[default]
    All,
    /// A fixed or relative period.
    Period(TimeRange),
    /// Everything the first time; then what is new since the group's last completed export.
    Incremental,
}

/// What to do for one group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// The same export is complete and its files are there.
    AlreadyDownloaded,
    /// A job is under way (or its download is): go on with it.
    Resume,
    /// Start a job for this period.
    Start {
        /// The period to ask for.
        range: TimeRange,
        /// Whether the run is incremental.
        incremental: bool,
    },
}

/// Decides what a run does for a group, from its entry in the state file; `files_present` says
/// whether the entry's files are all on disk.
///
/// A job under way is always resumed, whatever the request (another `initiate` would be refused
/// within 24 hours anyway); an incremental export whose last export has no recorded `exportTime`
/// (a state file from before this field) reads it from the job's state.
pub async fn plan(
    client: &Client,
    entry: Option<&GroupState>,
    request: &ExportRequest,
    files_present: bool,
) -> Result<Plan> {
    let Some(entry) = entry else {
        return Ok(match request {
            ExportRequest::All => Plan::Start {
                range: TimeRange::ALL,
                incremental: false,
            },
            ExportRequest::Period(range) => Plan::Start {
                range: *range,
                incremental: false,
            },
            ExportRequest::Incremental => Plan::Start {
                range: TimeRange::ALL,
                incremental: true,
            },
        });
    };
    if entry.status != GroupStatus::Downloaded {
        return Ok(Plan::Resume);
    }
    let done = TimeRange {
        start: entry.history.start_time,
        end: entry.history.end_time,
    };
    match request {
        ExportRequest::All | ExportRequest::Period(_) => {
            let range = match request {
                ExportRequest::Period(range) => *range,
                _ => TimeRange::ALL,
            };
            if range == done && !entry.history.incremental {
                // The same export: done, or its files are to be fetched again.
                Ok(if files_present {
                    Plan::AlreadyDownloaded
                } else {
                    Plan::Resume
                })
            } else {
                Ok(Plan::Start {
                    range,
                    incremental: false,
                })
            }
        }
        ExportRequest::Incremental => {
            let last_end = match entry.history.export_time {
                Some(time) => time,
                None => crate::job::state(client, &entry.job_id)
                    .await?
                    .export_time
                    .ok_or_else(|| Error::NoExportTime {
                        job: entry.job_id.clone(),
                    })?,
            };
            Ok(Plan::Start {
                range: TimeRange {
                    start: Some(last_end),
                    end: None,
                },
                incremental: true,
            })
        }
    }
}

/// A job `initiate` started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Initiated {
    /// The job id.
    pub job_id: String,
    /// The `accessType` of the job, as the API answered it.
    pub access_type: Option<String>,
}

/// Starts a job for `group` over `range`. `entry` is the group's entry in the state file (for
/// the explanation of a refusal): a `FAILED_PRECONDITION` after an earlier time-based export
/// becomes [`Error::TooSoon`] with the time the next export is allowed, and a refused token
/// after the grant's 30 days [`Error::GrantEnded`].
pub async fn initiate(
    client: &Client,
    group: &str,
    range: &TimeRange,
    entry: Option<&GroupState>,
) -> Result<Initiated> {
    let sent = client.portability_archive().initiate(range.request(group)).send().await;
    match sent {
        Ok(response) => {
            let job_id = response
                .archive_job_id
                .filter(|id| !id.is_empty())
                .ok_or(Error::NoJobId { method: "initiate" })?;
            let access_type = response.access_type.map(|a| a.as_str().to_owned());
            Ok(Initiated { job_id, access_type })
        }
        Err(error) => Err(explain_refusal(Error::Api(error), entry, Utc::now())),
    }
}

/// Turns the API's refusals of a repeated time-based export into what the user can act on.
pub fn explain_refusal(error: Error, entry: Option<&GroupState>, now: DateTime<Utc>) -> Error {
    let Error::Api(api) = &error else { return error };
    let failed_precondition = api
        .as_api_error()
        .is_some_and(|e| e.code.as_deref() == Some("FAILED_PRECONDITION"));
    // After a one-time export the refusal is about the one-time grant, not the 24 hours.
    let one_time = entry.is_some_and(|e| e.history.access_type.as_deref() == Some("ACCESS_TYPE_ONE_TIME"));
    if failed_precondition && !one_time {
        let message = api.as_api_error().map(|e| e.message.clone()).unwrap_or_default();
        return Error::TooSoon {
            next_allowed_at: entry.and_then(next_allowed_at),
            message,
        };
    }
    let since = entry.and_then(first_started_at);
    if error.is_auth()
        && let Some(since) = since
        && now - since >= TIME_BASED_GRANT
    {
        return Error::GrantEnded {
            since,
            message: error.to_string(),
        };
    }
    error
}

/// When the group may be exported again: 24 hours after its last export was requested (its
/// `exportTime` when it had no `endTime`, else when `initiate` answered).
pub fn next_allowed_at(entry: &GroupState) -> Option<DateTime<Utc>> {
    let history = &entry.history;
    let requested = match history.end_time {
        None => history.export_time.or(history.started_at),
        Some(_) => history.started_at,
    };
    requested.map(|time| time + TIME_BASED_INTERVAL)
}

/// The first time this directory saw an export of the group start (an estimate of when the
/// grant began).
fn first_started_at(entry: &GroupState) -> Option<DateTime<Utc>> {
    let history = &entry.history;
    history
        .earlier
        .iter()
        .filter_map(|e| e.started_at)
        .chain(history.started_at)
        .min()
}

/// The entry of a job just started: `previous` (a completed export) moves into `earlier`.
pub fn started(
    previous: Option<GroupState>,
    job: &Initiated,
    range: &TimeRange,
    incremental: bool,
    now: DateTime<Utc>,
) -> GroupState {
    let mut earlier = Vec::new();
    if let Some(previous) = previous {
        let history = previous.history;
        earlier = history.earlier;
        if previous.status == GroupStatus::Downloaded {
            earlier.push(CompletedExport {
                job_id: previous.job_id,
                start_time: history.start_time,
                end_time: history.end_time,
                started_at: history.started_at,
                export_time: history.export_time,
                files: previous.files,
            });
        }
    }
    GroupState {
        job_id: job.job_id.clone(),
        original_job_id: job.job_id.clone(),
        history: History {
            start_time: range.start,
            end_time: range.end,
            incremental,
            started_at: Some(now),
            access_type: job.access_type.clone(),
            earlier,
            ..History::default()
        },
        ..GroupState::default()
    }
}

/// Records a `COMPLETE` state's `exportTime` in the entry, and chooses the directory of its
/// files (kept, so a resumed download goes to the same place): returns it, relative to `out`.
pub fn completed(out: &Path, group: &str, entry: &mut GroupState, state: &PortabilityArchiveState) -> String {
    if entry.history.export_time.is_none() {
        entry.history.export_time = state.export_time;
    }
    if let Some(dir) = &entry.history.dir {
        return dir.clone();
    }
    let history = &entry.history;
    let plain = !history.incremental && history.start_time.is_none() && history.end_time.is_none();
    let dir = if plain && history.earlier.is_empty() {
        group.to_owned()
    } else {
        let export_time = history.export_time.unwrap_or_else(Utc::now);
        let name = match history.start_time {
            Some(start) => format!("{}--{}", compact(start), compact(export_time)),
            None => compact(export_time),
        };
        let mut dir = format!("{group}/{name}");
        if is_used(&out.join(&dir)) {
            dir = format!("{dir}-{}", crate::job::job_id(&entry.job_id));
        }
        dir
    };
    entry.history.dir = Some(dir.clone());
    dir
}

/// Whether a directory exists and has anything in it.
fn is_used(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
}

/// A time as a file name: ISO 8601 basic format, `20261201T223550Z` (no `:`, which some file
/// systems refuse), with milliseconds when it has a fraction.
pub fn compact(time: DateTime<Utc>) -> String {
    if time.timestamp_subsec_millis() == 0 {
        time.format("%Y%m%dT%H%M%SZ").to_string()
    } else {
        time.format("%Y%m%dT%H%M%S%.3fZ").to_string()
    }
}

/// The output directory of `user` below `root`: the user id as one path component, with
/// anything but letters, digits, `.`, `_`, `-` and `@` percent-encoded (so `..` or `a/b` cannot
/// leave `root`).
pub fn user_dir(root: &Path, user: &str) -> PathBuf {
    let mut name = String::new();
    for byte in user.bytes() {
        if byte.is_ascii_alphanumeric() || b"_-@".contains(&byte) || (byte == b'.' && !name.is_empty()) {
            name.push(char::from(byte));
        } else {
            name.push_str(&format!("%{byte:02X}"));
        }
    }
    if name.is_empty() {
        name.push('%');
    }
    root.join(name)
}

/// How [`export_groups`] waits and downloads.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// How jobs are polled and retried.
    pub retry: RetryOptions,
    /// The time a period is checked against (default: this machine's clock); a test against an
    /// emulator whose clock was moved passes the emulator's time.
    pub now: Option<DateTime<Utc>>,
}

/// One group's completed export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupExport {
    /// The resource group.
    pub group: String,
    /// The job that completed (`None` when the same export was already downloaded).
    pub job_id: Option<String>,
    /// The requested period.
    pub range: TimeRange,
    /// The job's `exportTime`.
    pub export_time: Option<DateTime<Utc>>,
    /// The files, relative to the output directory.
    pub files: Vec<String>,
}

/// Exports `groups` of one user into `out` (one directory per user): for each group, plans
/// from the state file, starts (or resumes) its job, then waits for each job (retrying a failed
/// one), downloads and verifies its files into their own directory, and remembers the export
/// in the state file. Jobs run at Google in parallel; this waits for them in turn. Returns each
/// group's result; one group's failure does not stop the others.
pub async fn export_groups(
    client: &Client,
    downloader: &Downloader,
    out: &Path,
    groups: &[&str],
    request: &ExportRequest,
    options: &ExportOptions,
) -> Result<Vec<(String, Result<GroupExport>)>> {
    if let ExportRequest::Period(range) = request {
        range.validate(options.now.unwrap_or_else(Utc::now))?;
    }
    let mut state = StateFile::load(out)?.unwrap_or_else(|| StateFile::new(None));
    let mut started = Vec::new();
    for group in groups {
        started.push(start_group(client, out, &mut state, group, request).await);
    }
    let mut results = Vec::new();
    for (group, start) in groups.iter().zip(started) {
        let result = match start {
            Ok(None) => Ok(done_export(&state, group)),
            Ok(Some(())) => finish_group(client, downloader, out, &mut state, group, options).await,
            Err(error) => Err(error),
        };
        results.push(((*group).to_owned(), result));
    }
    Ok(results)
}

/// Plans and starts (or resumes) the group's job; `None` when it is already downloaded.
async fn start_group(
    client: &Client,
    out: &Path,
    state: &mut StateFile,
    group: &str,
    request: &ExportRequest,
) -> Result<Option<()>> {
    let entry = state.groups.get(group).cloned();
    let present = entry
        .as_ref()
        .is_some_and(|e| !e.files.is_empty() && e.files.iter().all(|f| out.join(f).is_file()));
    match plan(client, entry.as_ref(), request, present).await? {
        Plan::AlreadyDownloaded => Ok(None),
        Plan::Resume => Ok(Some(())),
        Plan::Start { range, incremental } => {
            let job = initiate(client, group, &range, entry.as_ref()).await?;
            let new = started(entry, &job, &range, incremental, Utc::now());
            state.groups.insert(group.to_owned(), new);
            state.save(out)?;
            Ok(Some(()))
        }
    }
}

/// Waits for the group's job, downloads it and records it.
async fn finish_group(
    client: &Client,
    downloader: &Downloader,
    out: &Path,
    state: &mut StateFile,
    group: &str,
    options: &ExportOptions,
) -> Result<GroupExport> {
    let entry = state.groups.get(group).cloned().unwrap_or_default();
    let retry = RetryOptions {
        retries_done: entry.retries,
        ..options.retry.clone()
    };
    let finished = wait_and_retry(client, &entry.job_id, &retry, |_| {}).await?;
    let mut entry = entry;
    entry.job_id = finished.job_id.clone();
    entry.retries = finished.retries;
    let dir = completed(out, group, &mut entry, &finished.state);
    state.groups.insert(group.to_owned(), entry.clone());
    state.save(out)?;
    let downloaded = downloader
        .download_all(&finished.job_id, &finished.state, &out.join(&dir), |_| {})
        .await?;
    entry.files = downloaded
        .iter()
        .map(|file| {
            let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned());
            format!("{dir}/{}", name.unwrap_or_default())
        })
        .collect();
    entry.status = GroupStatus::Downloaded;
    state.groups.insert(group.to_owned(), entry);
    state.save(out)?;
    Ok(done_export(state, group))
}

fn done_export(state: &StateFile, group: &str) -> GroupExport {
    let entry = state.groups.get(group).cloned().unwrap_or_default();
    GroupExport {
        group: group.to_owned(),
        job_id: Some(entry.job_id).filter(|j| !j.is_empty()),
        range: TimeRange {
            start: entry.history.start_time,
            end: entry.history.end_time,
        },
        export_time: entry.history.export_time,
        files: entry.files,
    }
}

/// `exportTime` for a progress line.
pub fn describe_export_time(time: Option<DateTime<Utc>>) -> String {
    time.map_or_else(|| "an unknown time".to_owned(), rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn job(id: &str) -> Initiated {
        Initiated {
            job_id: id.to_owned(),
            access_type: Some("ACCESS_TYPE_TIME_BASED".to_owned()),
        }
    }

    #[test]
    fn the_next_export_is_allowed_24_hours_after_the_last_request() {
        let mut entry = started(None, &job("j1"), &TimeRange::ALL, true, t("2026-01-01T08:00:00Z"));
        assert_eq!(
            next_allowed_at(&entry),
            Some(t("2026-01-02T08:00:00Z")),
            "local start time"
        );
        entry.history.export_time = Some(t("2026-01-01T07:59:00Z"));
        assert_eq!(
            next_allowed_at(&entry),
            Some(t("2026-01-02T07:59:00Z")),
            "the server's request time when known"
        );
        entry.history.end_time = Some(t("2025-06-01T00:00:00Z"));
        assert_eq!(next_allowed_at(&entry), Some(t("2026-01-02T08:00:00Z")));
    }

    #[test]
    fn a_new_job_keeps_the_completed_exports_in_order() {
        let mut first = started(None, &job("j1"), &TimeRange::ALL, true, t("2026-01-01T00:00:00Z"));
        first.status = GroupStatus::Downloaded;
        first.history.export_time = Some(t("2026-01-01T00:00:01Z"));
        first.files = vec!["g/20260101T000001Z/g.zip".into()];
        let range = TimeRange {
            start: first.history.export_time,
            end: None,
        };
        let mut second = started(Some(first), &job("j2"), &range, true, t("2026-01-02T01:00:00Z"));
        assert_eq!(second.history.earlier.len(), 1);
        assert_eq!(second.history.earlier[0].job_id, "j1");
        assert_eq!(second.history.start_time, Some(t("2026-01-01T00:00:01Z")));
        second.status = GroupStatus::Downloaded;
        let third = started(
            Some(second),
            &job("j3"),
            &TimeRange::ALL,
            true,
            t("2026-01-03T02:00:00Z"),
        );
        let jobs: Vec<&str> = third.history.earlier.iter().map(|e| e.job_id.as_str()).collect();
        assert_eq!(jobs, ["j1", "j2"]);
        // A job that never completed is not an earlier export.
        let fourth = started(
            Some(third),
            &job("j4"),
            &TimeRange::ALL,
            true,
            t("2026-01-04T03:00:00Z"),
        );
        assert_eq!(fourth.history.earlier.len(), 2);
    }

    #[test]
    fn each_run_gets_its_own_directory() {
        let out = tempfile::tempdir().unwrap();
        let state = PortabilityArchiveState {
            export_time: Some(t("2026-12-01T22:35:50Z")),
            ..Default::default()
        };
        let mut plain = started(None, &job("j1"), &TimeRange::ALL, false, Utc::now());
        assert_eq!(completed(out.path(), "g", &mut plain, &state), "g");
        let mut first = started(None, &job("j1"), &TimeRange::ALL, true, Utc::now());
        assert_eq!(completed(out.path(), "g", &mut first, &state), "g/20261201T223550Z");
        assert_eq!(first.history.export_time, state.export_time);
        let range = TimeRange {
            start: Some(t("2024-01-01T00:00:00Z")),
            end: None,
        };
        let mut period = started(None, &job("j2"), &range, false, Utc::now());
        assert_eq!(
            completed(out.path(), "g", &mut period, &state),
            "g/20240101T000000Z--20261201T223550Z"
        );
        // A name already in use gets the job id; the choice is kept for a resumed download.
        std::fs::create_dir_all(out.path().join("g/20261201T223550Z")).unwrap();
        std::fs::write(out.path().join("g/20261201T223550Z/g.zip"), b"x").unwrap();
        let mut again = started(None, &job("archiveJobs/j3"), &TimeRange::ALL, true, Utc::now());
        assert_eq!(completed(out.path(), "g", &mut again, &state), "g/20261201T223550Z-j3");
        assert_eq!(completed(out.path(), "g", &mut again, &state), "g/20261201T223550Z-j3");
        assert_eq!(compact(t("2026-01-01T00:00:00.25Z")), "20260101T000000.250Z");
    }

    #[test]
    fn user_directories_stay_below_the_root() {
        let root = Path::new("/exports");
        assert_eq!(user_dir(root, "ann@example.com"), root.join("ann@example.com"));
        assert_eq!(user_dir(root, "../etc"), root.join("%2E.%2Fetc"));
        assert_eq!(user_dir(root, "a/b c"), root.join("a%2Fb%20c"));
        assert_eq!(user_dir(root, ""), root.join("%"));
        assert_eq!(user_dir(root, ".."), root.join("%2E."));
    }
}
