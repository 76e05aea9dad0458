//! Time-filtered and incremental exports: what time-based access is for.
//!
//! Google's time-based access allows exports over 30 days, one per resource group every 24
//! hours (time-based quickstart,
//! <https://developers.google.com/data-portability/user-guide/time-based>: a second `initiate`
//! within 24 hours answers `FAILED_PRECONDITION`; Google's sample client reads 429
//! `RESOURCE_EXHAUSTED_TIME_BASED` with `timestamp_after_24hrs`: see [`crate::refusal`]), and its
//! time-filter quickstart, for the groups of My Activity, Chrome history and Google Play
//! ([`crate::time_range::TIME_FILTER_GROUPS`]),
//! <https://developers.google.com/data-portability/user-guide/time-filter>, shows "recurring
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
mod history;
mod layout;
mod refusal;
#[cfg(test)]
mod testing;

use chrono::{DateTime, TimeDelta, Utc};
use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::{Client, RequestOptions};

pub use self::export::{ExportOptions, GroupExport, export_groups};
pub use self::history::{CompletedExport, History};
pub use self::layout::{compact, completed, user_dir};
pub use self::refusal::{explain_refusal, next_allowed_at};
use crate::refusal::Refusal;
use crate::state_file::{GroupState, GroupStatus};
use crate::time_range::TimeRange;
use crate::{Error, Result};

/// The least time between two time-based exports of a group (Google's time-based quickstart).
pub const TIME_BASED_INTERVAL: TimeDelta = TimeDelta::hours(24);

/// How long a time-based grant lasts ("multiple exports allowed over 30 days", the Discovery
/// document's description of `ACCESS_TYPE_TIME_BASED`).
pub const TIME_BASED_GRANT: TimeDelta = TimeDelta::days(30);

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

impl ExportRequest {
    /// Whether the request sends a time filter (`startTime`/`endTime`), which only some groups
    /// take ([`crate::time_range::TIME_FILTER_GROUPS`]).
    pub fn filters_time(&self) -> bool {
        match self {
            ExportRequest::All => false,
            ExportRequest::Period(range) => !range.is_all(),
            ExportRequest::Incremental => true,
        }
    }
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

/// The job of an `initiate`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Initiated {
    /// The job id.
    pub job_id: String,
    /// The `accessType` of the job, as the API answered it.
    pub access_type: Option<String>,
    /// Whether Google started it now, or it is a job an earlier `initiate` started.
    pub origin: Origin,
}

/// How [`initiate`] got its job.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Origin {
    /// Google started a new job.
    #[default]
    Started,
    /// Google answered `ALREADY_EXISTS_*`: the identical job, still running, is taken over (as
    /// Google's sample client does). A run killed after Google created a job and before its
    /// answer was saved gets its job back this way.
    Adopted,
    /// Google answered `RESOURCE_EXHAUSTED_*` naming a job the state file does not know, and
    /// that job is `COMPLETE` with URLs: an earlier `initiate` whose answer was lost started it,
    /// and its archive is downloaded (an archive is never lost to a lost answer).
    Recovered,
}

/// Starts a job for `group` over `range`, or finds the one an earlier `initiate` started.
/// `entry` is the group's entry in the state file.
///
/// Google's refusals are read ([`Refusal`]): `ALREADY_EXISTS_*` adopts the running job
/// ([`Origin::Adopted`]); `RESOURCE_EXHAUSTED_*` naming a job `entry` does not know reads that
/// job's state, and takes it when it is `COMPLETE` with URLs ([`Origin::Recovered`]). Otherwise
/// the refusal is explained ([`explain_refusal`]): [`Error::Exhausted`] with the jobs Google
/// names, [`Error::TooSoon`] with the time the next export is allowed, [`Error::GrantEnded`]
/// for a refused token after the grant's 30 days.
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
    let error = match sent {
        Ok(response) => {
            let job_id = crate::job::answered_id(response.archive_job_id, "initiate")?;
            let access_type = response.access_type.map(|a| a.as_str().to_owned());
            return Ok(Initiated {
                job_id,
                access_type,
                origin: Origin::Started,
            });
        }
        Err(error) => error,
    };
    let (previous, access_type) = match Refusal::of(&error) {
        Some(Refusal::AlreadyExists { job_id, access_type }) => {
            return Ok(Initiated {
                job_id,
                access_type: Some(access_type.to_owned()),
                origin: Origin::Adopted,
            });
        }
        Some(Refusal::OneTimeExhausted { previous_job_ids }) => (previous_job_ids, "ACCESS_TYPE_ONE_TIME"),
        Some(Refusal::TooSoon { previous_job_ids, .. }) => (previous_job_ids, "ACCESS_TYPE_TIME_BASED"),
        None => (Vec::new(), ""),
    };
    let unknown: Vec<&str> = previous
        .iter()
        .map(String::as_str)
        .filter(|id| !entry.is_some_and(|e| knows_job(e, id)))
        .collect();
    if let Some(job_id) = completed_job(client, &unknown).await? {
        return Ok(Initiated {
            job_id,
            access_type: Some(access_type.to_owned()),
            origin: Origin::Recovered,
        });
    }
    Err(explain_refusal(Error::Api(error), entry, Utc::now()))
}

/// Whether the state file's entry names `job` (its current job, its first, or an earlier export).
fn knows_job(entry: &GroupState, job: &str) -> bool {
    entry.job_id == job || entry.original_job_id == job || entry.history.earlier.iter().any(|e| e.job_id == job)
}

/// The newest of `jobs` (listed oldest first) that is `COMPLETE` with URLs. A job the token
/// may not read (403, 404: another client's) is passed over; any other failure to read one is
/// an error.
async fn completed_job(client: &Client, jobs: &[&str]) -> Result<Option<String>> {
    for job in jobs.iter().rev() {
        match crate::job::state(client, job).await {
            Ok(state) if state.state == Some(State::Complete) && !state.urls.is_empty() => {
                return Ok(Some((*job).to_owned()));
            }
            Ok(_) => {}
            Err(Error::Api(error)) if error.status().is_some_and(|s| s.as_u16() == 403 || s.as_u16() == 404) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(None)
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

    use super::testing::job;

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
