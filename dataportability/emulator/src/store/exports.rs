//! `portabilityArchive.initiate` and the rules that may refuse it: the period, the groups that
//! take a time filter, an identical export still running, one-time access used up, and the
//! interval between two time-based exports. What each user and client exported is kept here,
//! with the jobs that exported it, so a refusal can name them.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};

use super::{InitiateRequest, Inner, Store, require_scopes, rfc3339, validate_groups};
use crate::auth::{AccessType, Principal};
use crate::config::TimeBasedRefusal;
use crate::error::{ApiError, Code};
use crate::groups;
use crate::job::{JobSpec, JobState, Outcome};
use crate::time::later;

/// The `ErrorInfo` reasons of a refused `initiate`, as Google's sample client for this API
/// (`data-portability-quickstart.py`) reads them.
pub(crate) mod reason {
    /// An identical one-time export is still in progress (409, metadata `job_id`).
    pub const ALREADY_EXISTS_ONE_TIME: &str = "ALREADY_EXISTS_ONE_TIME";
    /// An identical time-based export is still in progress (409, metadata `job_id`).
    pub const ALREADY_EXISTS_TIME_BASED: &str = "ALREADY_EXISTS_TIME_BASED";
    /// One-time access to a group is used up (429, metadata `previous_job_ids`).
    pub const RESOURCE_EXHAUSTED_ONE_TIME: &str = "RESOURCE_EXHAUSTED_ONE_TIME";
    /// A time-based export within 24 hours of the last (429, metadata `previous_job_ids` and
    /// `timestamp_after_24hrs`).
    pub const RESOURCE_EXHAUSTED_TIME_BASED: &str = "RESOURCE_EXHAUSTED_TIME_BASED";
}

/// What one user exported through one OAuth client since the last `authorization.reset`.
#[derive(Debug, Default)]
pub(super) struct Exports {
    /// Each group exported with one-time access, with the jobs that exported it (the job,
    /// then its retries).
    one_time: BTreeMap<String, Vec<String>>,
    /// The last time-based export of each group.
    time_based: HashMap<String, LastExport>,
}

/// The last time-based export of a group.
#[derive(Debug)]
struct LastExport {
    /// When it was requested.
    at: DateTime<Utc>,
    /// The job, then its retries.
    jobs: Vec<String>,
}

impl Exports {
    /// A retry `new` of job `failed` exports what `failed` exported.
    pub(super) fn record_retry(&mut self, failed: &str, new: &str) {
        let lists = self
            .one_time
            .values_mut()
            .chain(self.time_based.values_mut().map(|last| &mut last.jobs));
        for jobs in lists.filter(|jobs| jobs.iter().any(|j| j == failed)) {
            jobs.push(new.to_owned());
        }
    }

    /// Cancelling job `id` frees the groups it was the last time-based export of (the methods
    /// guide: cancelling "resets the job quota").
    pub(super) fn forget_cancelled(&mut self, id: &str) {
        self.time_based.retain(|_, last| !last.jobs.iter().any(|j| j == id));
    }
}

impl Store {
    /// `portabilityArchive.initiate`: the new job's id and access type; `outcome` is asked
    /// only when a job is created.
    pub fn initiate(
        &self,
        token: &str,
        request: &InitiateRequest,
        outcome: impl FnOnce() -> Outcome,
        now: DateTime<Utc>,
    ) -> Result<(String, AccessType), ApiError> {
        let mut inner = self.lock();
        let grant = inner.grant(token, now)?;
        let groups = validate_groups(&request.resources)?;
        check_period(request)?;
        require_scopes(&grant, &groups)?;
        check_time_filter(request, &groups)?;
        let access_type = grant.job_access_type(&groups);
        if let Some((job, running_access)) = inner.identical_running_job(&grant.principal, &groups, request, now) {
            return Err(already_exists(&job, running_access));
        }
        let exports = inner.exports.entry(grant.principal.clone()).or_default();
        match access_type {
            AccessType::OneTime => one_time_allowed(exports, &groups)?,
            AccessType::TimeBased => {
                time_based_allowed(
                    exports,
                    &groups,
                    now,
                    self.rules.time_based_interval,
                    self.rules.time_based_refusal,
                )?;
            }
        }
        let spec = JobSpec {
            principal: grant.principal.clone(),
            groups: groups.clone(),
            access_type,
            start_time: request.start_time,
            end_time: request.end_time,
        };
        let id = inner.insert_job(spec, None, outcome(), now, self.rules.complete_after);
        let exports = inner.exports.entry(grant.principal).or_default();
        for group in groups {
            let jobs = vec![id.clone()];
            match access_type {
                AccessType::OneTime => {
                    exports.one_time.insert(group, jobs);
                }
                AccessType::TimeBased => {
                    exports.time_based.insert(group, LastExport { at: now, jobs });
                }
            }
        }
        Ok((id, access_type))
    }
}

impl Inner {
    /// A job of `principal` still `IN_PROGRESS` that asked for the same groups and period (our
    /// reading of the sample's "the previous identical job"), from before the pair's last
    /// `authorization.reset` excepted (its archive will not be served): its id and access type.
    fn identical_running_job(
        &mut self,
        principal: &Principal,
        groups: &[String],
        request: &InitiateRequest,
        now: DateTime<Utc>,
    ) -> Option<(String, AccessType)> {
        self.jobs
            .values_mut()
            .filter(|job| job.spec.principal == *principal && job.spec.groups == groups && !job.archive_revoked)
            .filter(|job| job.spec.start_time == request.start_time && job.spec.end_time == request.end_time)
            .find_map(|job| {
                job.advance(now);
                (job.state() == JobState::InProgress).then(|| (job.id.clone(), job.spec.access_type))
            })
    }
}

/// 400 when the period ends before it starts.
fn check_period(request: &InitiateRequest) -> Result<(), ApiError> {
    match (request.start_time, request.end_time) {
        (Some(start), Some(end)) if end < start => Err(ApiError::invalid_argument(format!(
            "endTime ({}) must not be before startTime ({})",
            rfc3339(end),
            rfc3339(start)
        ))),
        _ => Ok(()),
    }
}

/// 400 when a time filter is asked for a group the time-filter guide does not list (the status
/// and the wording are ours: Google documents the list, not the refusal).
fn check_time_filter(request: &InitiateRequest, groups: &[String]) -> Result<(), ApiError> {
    if request.start_time.is_none() && request.end_time.is_none() {
        return Ok(());
    }
    let without: Vec<&str> = groups
        .iter()
        .map(String::as_str)
        .filter(|g| !groups::takes_time_filter(g))
        .collect();
    if without.is_empty() {
        return Ok(());
    }
    Err(ApiError::invalid_argument(format!(
        "startTime and endTime are supported only for the resource groups of My Activity, Chrome history and \
         Google Play ({}); not for {}",
        groups::TIME_FILTER_GROUPS.join(", "),
        without.join(", ")
    )))
}

/// 409 `ALREADY_EXISTS` naming the running job.
fn already_exists(job: &str, access_type: AccessType) -> ApiError {
    let reason = match access_type {
        AccessType::OneTime => reason::ALREADY_EXISTS_ONE_TIME,
        AccessType::TimeBased => reason::ALREADY_EXISTS_TIME_BASED,
    };
    ApiError::new(
        Code::AlreadyExists,
        format!("An identical archive job is already in progress: {job}"),
    )
    .with_error_info(reason, &[("job_id", job.to_owned())])
}

/// 429 `RESOURCE_EXHAUSTED_ONE_TIME` when a group was exported with one-time access (the
/// quickstart: "a second request ... returns a RESOURCE_EXHAUSTED error").
fn one_time_allowed(exports: &Exports, groups: &[String]) -> Result<(), ApiError> {
    let used: Vec<&str> = groups
        .iter()
        .map(String::as_str)
        .filter(|g| exports.one_time.contains_key(*g))
        .collect();
    if used.is_empty() {
        return Ok(());
    }
    let jobs = previous_jobs(used.iter().filter_map(|g| exports.one_time.get(*g)));
    Err(ApiError::new(
        Code::ResourceExhausted,
        format!(
            "Resource group(s) {} were already exported with one-time access; call authorization.reset and ask \
             the user for consent again",
            used.join(", ")
        ),
    )
    .with_error_info(reason::RESOURCE_EXHAUSTED_ONE_TIME, &[("previous_job_ids", jobs)]))
}

/// The refusal of a time-based export of a group exported less than `interval` ago.
fn time_based_allowed(
    exports: &Exports,
    groups: &[String],
    now: DateTime<Utc>,
    interval: TimeDelta,
    refusal: TimeBasedRefusal,
) -> Result<(), ApiError> {
    let recent: Vec<(&str, &LastExport)> = groups
        .iter()
        .filter_map(|g| exports.time_based.get(g).map(|last| (g.as_str(), last)))
        .filter(|(_, last)| now < later(last.at, interval))
        .collect();
    let Some(next) = recent.iter().map(|(_, last)| later(last.at, interval)).max() else {
        return Ok(());
    };
    let names: Vec<&str> = recent.iter().map(|(g, _)| *g).collect();
    let message = format!(
        "Resource group(s) {} were already exported with time-based access in the last {} hours; the next \
         export is allowed from {}",
        names.join(", "),
        interval.num_hours(),
        rfc3339(next)
    );
    Err(match refusal {
        TimeBasedRefusal::FailedPrecondition => ApiError::failed_precondition(message),
        TimeBasedRefusal::ResourceExhausted => {
            let jobs = previous_jobs(recent.iter().map(|(_, last)| &last.jobs));
            ApiError::new(Code::ResourceExhausted, message).with_error_info(
                reason::RESOURCE_EXHAUSTED_TIME_BASED,
                &[("previous_job_ids", jobs), ("timestamp_after_24hrs", rfc3339(next))],
            )
        }
    })
}

/// The metadata value of a list of job ids: comma-separated, without spaces, each once, in the
/// order of the groups (Google does not document how a list is encoded in the string map of
/// `ErrorInfo.metadata`; this is our choice).
fn previous_jobs<'a>(lists: impl Iterator<Item = &'a Vec<String>>) -> String {
    let mut jobs: Vec<&str> = Vec::new();
    for job in lists.flatten() {
        if !jobs.contains(&job.as_str()) {
            jobs.push(job);
        }
    }
    jobs.join(",")
}
