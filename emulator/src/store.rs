//! The emulator's state, and the API's rules over it: tokens, users, jobs.
//!
//! One store per emulator, behind one lock, so every rule is checked and applied atomically
//! (100 clients racing to export the same one-time group get exactly one job). Every method
//! takes the emulator time `now`, so the store itself never reads a clock.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

use crate::auth::{self, AccessType, Grant};
use crate::error::{ApiError, Code};
use crate::groups;
use crate::job::{Job, JobSpec, JobState, Outcome};

/// At most this many retries per original job (Google's documented limit).
pub(crate) const MAX_RETRIES: u32 = 3;

/// The time-dependent rules, from the configuration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rules {
    /// How long a job stays `IN_PROGRESS`.
    pub complete_after: TimeDelta,
    /// How long an archive is kept after its job completed.
    pub retention: TimeDelta,
    /// The least time between two time-based exports of one group.
    pub time_based_interval: TimeDelta,
}

/// An `initiate` request, as parsed from JSON.
#[derive(Clone, Debug, Default)]
pub(crate) struct InitiateRequest {
    /// The requested resource groups.
    pub resources: Vec<String>,
    /// The start of the exported period.
    pub start_time: Option<DateTime<Utc>>,
    /// The end of the exported period.
    pub end_time: Option<DateTime<Utc>>,
}

/// What `getPortabilityArchiveState` (and the control surface) shows of a job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JobView {
    /// The job id.
    pub id: String,
    /// The state now.
    pub state: JobState,
    /// The groups exported.
    pub groups: Vec<String>,
    /// The requested start time, if any.
    pub start_time: Option<DateTime<Utc>>,
    /// The end of the exported period (requested, or the request time).
    pub export_time: DateTime<Utc>,
    /// The exported period of the archive, when it can be downloaded now.
    pub archive: Option<Period>,
}

/// Whose data an archive holds, and the period it covers: `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Period {
    /// The user whose data is exported.
    pub user: String,
    /// The requested start, `None` for the earliest data.
    pub start: Option<DateTime<Utc>>,
    /// The end: the requested end time, but never after the time of the request.
    pub end: DateTime<Utc>,
}

/// Why an archive cannot be downloaded (the signed URL was valid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gone {
    /// No such job or group, or the job is not complete.
    NoSuchObject,
    /// Deleted: the retention passed, or `authorization.reset` removed access.
    Deleted,
}

#[derive(Debug, Default)]
struct User {
    /// Groups exported with one-time access since the last reset.
    one_time_exported: BTreeSet<String>,
    /// When each group was last exported with time-based access, since the last reset.
    time_based_last: HashMap<String, DateTime<Utc>>,
}

#[derive(Debug, Default)]
struct Inner {
    tokens: HashMap<String, Grant>,
    users: HashMap<String, User>,
    jobs: HashMap<String, Job>,
}

/// The state of one emulator.
#[derive(Debug)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
    rules: Rules,
}

impl Store {
    /// An empty store.
    pub fn new(rules: Rules) -> Self {
        Self {
            inner: Mutex::default(),
            rules,
        }
    }

    /// Mints a token granting `resources` to `user` with `access_type`.
    pub fn mint(&self, user: &str, resources: &[String], access_type: AccessType) -> Result<String, ApiError> {
        let groups = validate_groups(resources)?;
        if user.is_empty() {
            return Err(ApiError::invalid_argument("user must not be empty"));
        }
        let grant = Grant {
            user: user.to_owned(),
            resources: groups.into_iter().map(|g| (g, access_type)).collect(),
        };
        let token = auth::new_token();
        self.lock().tokens.insert(token.clone(), grant);
        Ok(token)
    }

    /// 401 unless the store minted `token` and no reset revoked it.
    pub fn authenticate(&self, token: &str) -> Result<(), ApiError> {
        self.lock().grant(token).map(drop)
    }

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
        let grant = inner.grant(token)?;
        let groups = validate_groups(&request.resources)?;
        if let (Some(start), Some(end)) = (request.start_time, request.end_time)
            && end < start
        {
            return Err(ApiError::invalid_argument(format!(
                "endTime ({}) must not be before startTime ({})",
                rfc3339(end),
                rfc3339(start)
            )));
        }
        require_scopes(&grant, &groups)?;
        let access_type = grant.job_access_type(&groups);
        let user = inner.users.entry(grant.user.clone()).or_default();
        match access_type {
            AccessType::OneTime => {
                let used: Vec<&str> = groups
                    .iter()
                    .filter(|g| user.one_time_exported.contains(*g))
                    .map(String::as_str)
                    .collect();
                if !used.is_empty() {
                    return Err(ApiError::failed_precondition(format!(
                        "Resource group(s) {} were already exported with one-time access; call \
                         authorization.reset and ask the user for consent again",
                        used.join(", ")
                    )));
                }
                user.one_time_exported.extend(groups.iter().cloned());
            }
            AccessType::TimeBased => {
                let interval = self.rules.time_based_interval;
                let next = groups
                    .iter()
                    .filter_map(|g| user.time_based_last.get(g).map(|t| (g, *t + interval)))
                    .find(|(_, next)| now < *next);
                if let Some((group, next)) = next {
                    return Err(ApiError::failed_precondition(format!(
                        "Resource group {group} was already exported with time-based access in the \
                         last {} hours; the next export is allowed from {}",
                        interval.num_hours(),
                        rfc3339(next)
                    )));
                }
                for group in &groups {
                    user.time_based_last.insert(group.clone(), now);
                }
            }
        }
        let spec = JobSpec {
            user: grant.user,
            groups,
            access_type,
            start_time: request.start_time,
            end_time: request.end_time,
        };
        let id = inner.insert_job(spec, None, outcome(), now, self.rules.complete_after);
        Ok((id, access_type))
    }

    /// `archiveJobs.getPortabilityArchiveState`.
    pub fn job(&self, token: &str, id: &str, now: DateTime<Utc>) -> Result<JobView, ApiError> {
        let mut inner = self.lock();
        let grant = inner.grant(token)?;
        let job = inner.user_job(&grant, id, now)?;
        Ok(self.view(job, now))
    }

    /// `archiveJobs.retry`: the new job's id.
    pub fn retry(
        &self,
        token: &str,
        id: &str,
        outcome: impl FnOnce() -> Outcome,
        now: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        let mut inner = self.lock();
        let grant = inner.grant(token)?;
        let job = inner.user_job(&grant, id, now)?;
        if job.state() != JobState::Failed {
            return Err(ApiError::failed_precondition(format!(
                "Only a FAILED job can be retried; job {id} is {}",
                job.state().as_str()
            )));
        }
        let origin_id = job.origin.clone().unwrap_or_else(|| job.id.clone());
        let spec = job.spec.clone();
        let retries = inner.jobs.get(&origin_id).map_or(0, |origin| origin.retries);
        if retries >= MAX_RETRIES {
            return Err(ApiError::failed_precondition(format!(
                "Job {origin_id} was already retried {MAX_RETRIES} times, the most allowed"
            )));
        }
        if let Some(origin) = inner.jobs.get_mut(&origin_id) {
            origin.retries += 1;
        }
        Ok(inner.insert_job(spec, Some(origin_id), outcome(), now, self.rules.complete_after))
    }

    /// `archiveJobs.cancel`.
    pub fn cancel(&self, token: &str, id: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
        let mut inner = self.lock();
        let grant = inner.grant(token)?;
        let job = inner.user_job(&grant, id, now)?;
        job.cancel(now).map_err(|not_allowed| {
            ApiError::failed_precondition(format!(
                "Only an IN_PROGRESS job with time-based access can be cancelled; job {id} is {} with {}",
                not_allowed.state.as_str(),
                job.spec.access_type.as_str()
            ))
        })
    }

    /// `authorization.reset`: revokes every token of the user, forgets the groups they
    /// exported, and removes access to their archives.
    pub fn reset(&self, token: &str) -> Result<(), ApiError> {
        let mut inner = self.lock();
        let user = inner.grant(token)?.user;
        inner.tokens.retain(|_, grant| grant.user != user);
        inner.users.remove(&user);
        for job in inner.jobs.values_mut().filter(|job| job.spec.user == user) {
            job.archive_revoked = true;
        }
        Ok(())
    }

    /// `accessType.check`: `(oneTimeResources, timeBasedResources)`.
    pub fn access_types(&self, token: &str) -> Result<(Vec<String>, Vec<String>), ApiError> {
        Ok(self.lock().grant(token)?.by_access_type())
    }

    /// Control: completes a job now.
    pub fn complete(&self, id: &str, now: DateTime<Utc>) -> Result<JobView, ApiError> {
        self.control(id, now, Job::complete)
    }

    /// Control: fails a job now.
    pub fn fail(&self, id: &str, now: DateTime<Utc>) -> Result<JobView, ApiError> {
        self.control(id, now, Job::fail)
    }

    /// The period of the archive of `group` in job `id`, if it can be downloaded now.
    pub fn download(&self, id: &str, group: &str, now: DateTime<Utc>) -> Result<Period, Gone> {
        let mut inner = self.lock();
        let job = inner.jobs.get_mut(id).ok_or(Gone::NoSuchObject)?;
        job.advance(now);
        if !job.spec.groups.iter().any(|g| g == group) || job.state() != JobState::Complete {
            return Err(Gone::NoSuchObject);
        }
        let view = self.view(job, now);
        view.archive.ok_or(Gone::Deleted)
    }

    fn control(
        &self,
        id: &str,
        now: DateTime<Utc>,
        transition: fn(&mut Job, DateTime<Utc>) -> Result<(), crate::job::NotAllowed>,
    ) -> Result<JobView, ApiError> {
        let mut inner = self.lock();
        let job = inner.jobs.get_mut(id).ok_or_else(|| job_not_found(id))?;
        transition(job, now).map_err(|not_allowed| {
            ApiError::failed_precondition(format!(
                "Only an IN_PROGRESS job can be moved on; job {id} is {}",
                not_allowed.state.as_str()
            ))
        })?;
        Ok(self.view(job, now))
    }

    fn view(&self, job: &Job, now: DateTime<Utc>) -> JobView {
        let kept = job.finished_at().is_some_and(|at| now < at + self.rules.retention);
        let available = job.state() == JobState::Complete && !job.archive_revoked && kept;
        JobView {
            id: job.id.clone(),
            state: job.state(),
            groups: job.spec.groups.clone(),
            start_time: job.spec.start_time,
            export_time: job.export_time(),
            archive: available.then(|| Period {
                user: job.spec.user.clone(),
                start: job.spec.start_time,
                end: job.export_time().min(job.requested_at),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Inner {
    /// The grant of a token, or 401.
    fn grant(&self, token: &str) -> Result<Grant, ApiError> {
        self.tokens.get(token).cloned().ok_or_else(auth::invalid_credentials)
    }

    /// A job of the grant's user, advanced to `now`; 404 for another user's job, 403 when the
    /// token lacks one of the job's groups.
    fn user_job(&mut self, grant: &Grant, id: &str, now: DateTime<Utc>) -> Result<&mut Job, ApiError> {
        let job = self
            .jobs
            .get_mut(id)
            .filter(|job| job.spec.user == grant.user)
            .ok_or_else(|| job_not_found(id))?;
        require_scopes(grant, &job.spec.groups)?;
        job.advance(now);
        Ok(job)
    }

    fn insert_job(
        &mut self,
        spec: JobSpec,
        origin: Option<String>,
        outcome: Outcome,
        now: DateTime<Utc>,
        complete_after: TimeDelta,
    ) -> String {
        let mut id = auth::random_hex::<8>();
        while self.jobs.contains_key(&id) {
            id = auth::random_hex::<8>();
        }
        let due = now
            .checked_add_signed(complete_after)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut job = Job::new(id.clone(), spec, now, due, outcome);
        job.origin = origin;
        self.jobs.insert(id.clone(), job);
        id
    }
}

/// The requested groups, sorted and without duplicates; 400 when empty or unknown.
fn validate_groups(resources: &[String]) -> Result<Vec<String>, ApiError> {
    if resources.is_empty() {
        return Err(ApiError::invalid_argument(
            "resources must name at least one resource group",
        ));
    }
    let unknown: Vec<&str> = resources
        .iter()
        .filter(|g| !groups::is_known(g))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::invalid_argument(format!(
            "Unknown resource group(s): {}; see the Data Portability API's OAuth scopes",
            unknown.join(", ")
        )));
    }
    Ok(resources.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect())
}

/// 403 unless the grant has every group.
fn require_scopes(grant: &Grant, groups: &[String]) -> Result<(), ApiError> {
    let missing = grant.missing(groups);
    if missing.is_empty() {
        return Ok(());
    }
    let scopes: Vec<String> = missing.iter().map(|g| format!("{}{g}", groups::SCOPE_PREFIX)).collect();
    Err(ApiError::new(
        Code::PermissionDenied,
        format!(
            "Request had insufficient authentication scopes: the token lacks {}",
            scopes.join(", ")
        ),
    )
    .with_reason("ACCESS_TOKEN_SCOPE_INSUFFICIENT"))
}

fn job_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Archive job {id} was not found"))
}

/// Google's timestamp format: RFC 3339, `Z`, 0, 3, 6 or 9 fractional digits.
pub(crate) fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant_of(store: &Store, token: &str) -> Option<usize> {
        store.lock().tokens.get(token).map(|g| g.resources.len())
    }

    fn store() -> Store {
        Store::new(Rules {
            complete_after: TimeDelta::seconds(10),
            retention: TimeDelta::days(14),
            time_based_interval: TimeDelta::hours(24),
        })
    }

    fn request(groups: &[&str]) -> InitiateRequest {
        InitiateRequest {
            resources: groups.iter().map(|g| (*g).to_owned()).collect(),
            ..Default::default()
        }
    }

    fn t0() -> DateTime<Utc> {
        "2025-01-01T00:00:00Z".parse().expect("time")
    }

    #[test]
    fn minting_validates_groups() {
        let store = store();
        let token = store
            .mint("u", &["myactivity.search".into()], AccessType::OneTime)
            .expect("minted");
        assert_eq!(grant_of(&store, &token), Some(1));
        assert_eq!(
            store
                .mint("u", &["nope".into()], AccessType::OneTime)
                .map_err(|e| e.code),
            Err(Code::InvalidArgument)
        );
        assert_eq!(
            store.mint("u", &[], AccessType::OneTime).map_err(|e| e.code),
            Err(Code::InvalidArgument)
        );
    }

    #[test]
    fn duplicate_groups_make_one_job_entry() {
        let store = store();
        let token = store
            .mint("u", &["myactivity.search".into()], AccessType::TimeBased)
            .expect("minted");
        let (id, access) = store
            .initiate(
                &token,
                &request(&["myactivity.search", "myactivity.search"]),
                || Outcome::Complete,
                t0(),
            )
            .expect("job");
        assert_eq!(access, AccessType::TimeBased);
        assert_eq!(
            store.job(&token, &id, t0()).expect("view").groups,
            ["myactivity.search"]
        );
    }

    #[test]
    fn another_users_job_is_not_found() {
        let store = store();
        let alice = store
            .mint("alice", &["myactivity.search".into()], AccessType::OneTime)
            .expect("minted");
        let bob = store
            .mint("bob", &["myactivity.search".into()], AccessType::OneTime)
            .expect("minted");
        let (id, _) = store
            .initiate(&alice, &request(&["myactivity.search"]), || Outcome::Complete, t0())
            .expect("job");
        assert_eq!(store.job(&bob, &id, t0()).map_err(|e| e.code), Err(Code::NotFound));
        // Bob's one-time export of the same group is independent of Alice's.
        assert!(
            store
                .initiate(&bob, &request(&["myactivity.search"]), || Outcome::Complete, t0())
                .is_ok()
        );
    }

    #[test]
    fn the_archive_period_ends_at_the_request_time() {
        let store = store();
        let token = store
            .mint("u", &["myactivity.search".into()], AccessType::OneTime)
            .expect("minted");
        let future = t0() + TimeDelta::days(400);
        let req = InitiateRequest {
            end_time: Some(future),
            ..request(&["myactivity.search"])
        };
        let (id, _) = store.initiate(&token, &req, || Outcome::Complete, t0()).expect("job");
        let view = store.job(&token, &id, t0() + TimeDelta::seconds(10)).expect("view");
        assert_eq!(view.export_time, future);
        assert_eq!(view.archive.map(|p| p.end), Some(t0()));
    }
}
