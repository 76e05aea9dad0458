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
//! of it. One output directory holds one user's exports (its [`StateFile`](crate::state_file::StateFile) remembers, per group,
//! the current job and the earlier completed exports); a program exporting for many users gives
//! each user a directory ([`user_dir`]) and a client with that user's token, and calls
//! [`export_groups`] (start, wait, download, remember) for each.
//!
//! Every run's archives go to a directory of their own, `OUT/GROUP/<exportTime>/` (or
//! `OUT/GROUP/<startTime>--<exportTime>/` when the period has a start), never over an earlier
//! run's; only a plain export (no time options) into a directory with no earlier export of the
//! group keeps the original layout `OUT/GROUP/`.

mod export;
mod layout;
mod refusal;

use chrono::{DateTime, TimeDelta, Utc};
use dataportability_v1::Client;
use serde::{Deserialize, Serialize};

pub use self::export::{ExportOptions, GroupExport, export_groups};
pub use self::layout::{compact, completed, user_dir};
pub use self::refusal::{explain_refusal, next_allowed_at};
use crate::state_file::{GroupState, GroupStatus};
use crate::time_range::TimeRange;
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
    let sent = client
        .portability_archive()
        .initiate(range.request(group))
        .max_response_bytes(crate::job::SMALL_RESPONSE_LIMIT)
        .send()
        .await;
    match sent {
        Ok(response) => {
            let job_id = crate::job::answered_id(response.archive_job_id, "initiate")?;
            let access_type = response.access_type.map(|a| a.as_str().to_owned());
            Ok(Initiated { job_id, access_type })
        }
        Err(error) => Err(explain_refusal(Error::Api(error), entry, Utc::now())),
    }
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    pub(super) fn job(id: &str) -> Initiated {
        Initiated {
            job_id: id.to_owned(),
            access_type: Some("ACCESS_TYPE_TIME_BASED".to_owned()),
        }
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
}
