//! The emulator's state, and the API's rules over it: OAuth clients, consents, tokens, users,
//! jobs.
//!
//! One store per emulator, behind one lock, so every rule is checked and applied atomically
//! (100 clients racing to export the same one-time group get exactly one job). Every method
//! takes the emulator time `now`, so the store itself never reads a clock.
//!
//! A consent (what a user granted an OAuth client) is keyed by its refresh token; access
//! tokens point to it and expire after the token lifetime (or when a time-based grant ends).
//! Revoking a consent (`authorization.reset`, `/revoke`) invalidates every token of it.

mod exports;
mod oauth;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

pub(crate) use self::oauth::{AuthorizeRequest, ClientCredentials};
use crate::auth::{self, AccessType, DEFAULT_CLIENT, Grant, Principal};
use crate::config::TimeBasedRefusal;
use crate::error::{ApiError, Code};
use crate::groups;
use crate::job::{Job, JobSpec, JobState, Outcome};
use crate::oauth::{ClientRegistration, PublishingStatus};
use crate::time::{later, seconds_until};

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
    /// How long an access token is valid.
    pub token_lifetime: TimeDelta,
    /// How long a time-based grant lasts when the consent does not choose.
    pub time_based_grant: TimeDelta,
    /// How a time-based export within the interval is refused.
    pub time_based_refusal: TimeBasedRefusal,
}

/// How long every grant to an OAuth client in Testing status lasts ("Configure OAuth").
const TESTING_GRANT: TimeDelta = TimeDelta::days(7);

/// The tokens of a new consent, or of a refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokens {
    /// The bearer token (`ya29.emulator-...`).
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The refresh token of the consent (`1//emulator-...`).
    pub refresh_token: String,
    /// The granted scopes, space-separated.
    pub scope: String,
    /// Seconds until a time-based grant ends (Google's `refresh_token_expires_in`); `None`
    /// for one-time access.
    pub refresh_token_expires_in: Option<u64>,
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

/// What a user granted an OAuth client, once.
#[derive(Clone, Debug)]
struct Consent {
    principal: Principal,
    resources: BTreeMap<String, AccessType>,
    /// When a time-based grant ends; `None` for one-time access.
    ends_at: Option<DateTime<Utc>>,
}

/// An access token handed out.
#[derive(Clone, Debug)]
struct Issued {
    /// The consent's refresh token.
    consent: String,
    expires_at: DateTime<Utc>,
}

/// A registered OAuth client.
#[derive(Clone, Debug)]
pub(crate) struct OAuthClient {
    /// Its client secret.
    pub secret: String,
    /// Its type, redirect URIs and publishing status.
    pub registration: ClientRegistration,
}

/// A job as the control surface lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobSummary {
    /// The job id.
    pub id: String,
    /// The user whose data it exports.
    pub user: String,
    /// The OAuth client that started it.
    pub client: String,
    /// Its resource groups.
    pub groups: Vec<String>,
    /// Its access type.
    pub access_type: AccessType,
    /// Its state now.
    pub state: JobState,
}

#[derive(Debug, Default)]
struct Inner {
    /// OAuth client id → the client.
    clients: HashMap<String, OAuthClient>,
    /// Refresh token → consent.
    consents: HashMap<String, Consent>,
    /// Access token → what it belongs to.
    access: HashMap<String, Issued>,
    /// Authorization code → the consent it stands for, until exchanged.
    codes: HashMap<String, oauth::PendingCode>,
    /// What each user and client exported since their last reset.
    exports: HashMap<Principal, exports::Exports>,
    /// The pairs handed a refresh token since their last reset (Google gives a web app one on
    /// the first offline consent, later only with `prompt=consent`).
    refresh_issued: HashSet<Principal>,
    jobs: HashMap<String, Job>,
}

/// The state of one emulator.
#[derive(Debug)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
    rules: Rules,
}

impl Store {
    /// An empty store with the default OAuth client registered under `default_secret`.
    pub fn new(rules: Rules, default_secret: String) -> Self {
        let mut inner = Inner::default();
        let client = OAuthClient {
            secret: default_secret,
            registration: ClientRegistration::default(),
        };
        inner.clients.insert(DEFAULT_CLIENT.to_owned(), client);
        Self {
            inner: Mutex::new(inner),
            rules,
        }
    }

    /// Mints the tokens of a new consent: `principal` grants `resources` with `access_type`.
    pub fn mint(
        &self,
        principal: &Principal,
        resources: &[String],
        access_type: AccessType,
        now: DateTime<Utc>,
    ) -> Result<Tokens, ApiError> {
        let groups = validate_groups(resources)?;
        if principal.user.is_empty() {
            return Err(ApiError::invalid_argument("user must not be empty"));
        }
        let mut inner = self.lock();
        let Some(client) = inner.clients.get(&principal.client) else {
            return Err(ApiError::invalid_argument(format!(
                "Unknown OAuth client {:?}; register one with POST /emulator/v1/clients",
                principal.client
            )));
        };
        let ends_at = grant_end(access_type, None, &client.registration, now, self.rules);
        Ok(inner.consent(principal.clone(), &groups, access_type, ends_at, now, self.rules))
    }

    /// Registers a new OAuth client; returns its id and secret.
    pub fn register_client(&self, registration: ClientRegistration) -> Result<(String, String), ApiError> {
        registration.validate().map_err(ApiError::invalid_argument)?;
        let id = format!("emulator-{}.apps.googleusercontent.com", auth::random_hex::<6>());
        let secret = format!("GOCSPX-{}", auth::random_hex::<14>());
        let client = OAuthClient {
            secret: secret.clone(),
            registration,
        };
        self.lock().clients.insert(id.clone(), client);
        Ok((id, secret))
    }

    /// A registered client.
    pub fn client(&self, id: &str) -> Option<OAuthClient> {
        self.lock().clients.get(id).cloned()
    }

    /// Every job, oldest first, in its state at `now`.
    pub fn jobs(&self, now: DateTime<Utc>) -> Vec<JobSummary> {
        let mut inner = self.lock();
        let mut jobs: Vec<JobSummary> = inner
            .jobs
            .values_mut()
            .map(|job| {
                job.advance(now);
                JobSummary {
                    id: job.id.clone(),
                    user: job.spec.principal.user.clone(),
                    client: job.spec.principal.client.clone(),
                    groups: job.spec.groups.clone(),
                    access_type: job.spec.access_type,
                    state: job.state(),
                }
            })
            .collect();
        let created = |id: &str| inner.jobs.get(id).map(|job| job.sequence);
        jobs.sort_by_key(|job| created(&job.id));
        jobs
    }

    /// 401 unless `token` is a live access token.
    pub fn authenticate(&self, token: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
        self.lock().grant(token, now).map(drop)
    }

    /// `archiveJobs.getPortabilityArchiveState`.
    pub fn job(&self, token: &str, id: &str, now: DateTime<Utc>) -> Result<JobView, ApiError> {
        let mut inner = self.lock();
        let grant = inner.grant(token, now)?;
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
        let grant = inner.grant(token, now)?;
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
        let new = inner.insert_job(spec, Some(origin_id), outcome(), now, self.rules.complete_after);
        if let Some(exports) = inner.exports.get_mut(&grant.principal) {
            exports.record_retry(id, &new);
        }
        Ok(new)
    }

    /// `archiveJobs.cancel`: also frees the job's groups, so a new job for them may start at
    /// once (the methods guide: cancelling "resets the job quota").
    pub fn cancel(&self, token: &str, id: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
        let mut inner = self.lock();
        let grant = inner.grant(token, now)?;
        let job = inner.user_job(&grant, id, now)?;
        job.cancel(now).map_err(|not_allowed| {
            ApiError::failed_precondition(format!(
                "Only an IN_PROGRESS job with time-based access can be cancelled; job {id} is {} with {}",
                not_allowed.state.as_str(),
                job.spec.access_type.as_str()
            ))
        })?;
        if let Some(exports) = inner.exports.get_mut(&grant.principal) {
            exports.forget_cancelled(id);
        }
        Ok(())
    }

    /// `authorization.reset`: revokes every consent (and so every token) of the user and
    /// client, forgets the groups they exported, and removes access to their archives.
    pub fn reset(&self, token: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
        let mut inner = self.lock();
        let principal = inner.grant(token, now)?.principal;
        inner.consents.retain(|_, consent| consent.principal != principal);
        inner.forget_revoked();
        inner.exports.remove(&principal);
        inner.refresh_issued.remove(&principal);
        for job in inner.jobs.values_mut().filter(|job| job.spec.principal == principal) {
            job.archive_revoked = true;
        }
        Ok(())
    }

    /// `accessType.check`: `(oneTimeResources, timeBasedResources)`.
    pub fn access_types(&self, token: &str, now: DateTime<Utc>) -> Result<(Vec<String>, Vec<String>), ApiError> {
        Ok(self.lock().grant(token, now)?.by_access_type())
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
        let kept = job
            .finished_at()
            .is_some_and(|at| now < later(at, self.rules.retention));
        let available = job.state() == JobState::Complete && !job.archive_revoked && kept;
        JobView {
            id: job.id.clone(),
            state: job.state(),
            groups: job.spec.groups.clone(),
            start_time: job.spec.start_time,
            export_time: job.export_time(),
            archive: available.then(|| Period {
                user: job.spec.principal.user.clone(),
                start: job.spec.start_time,
                end: job.export_time().min(job.requested_at),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Past this many access tokens, those expired more than a day ago are forgotten.
const PRUNE_ABOVE: usize = 10_000;

impl Inner {
    /// The grant of a live access token, or 401 (unknown, revoked, or expired).
    fn grant(&self, token: &str, now: DateTime<Utc>) -> Result<Grant, ApiError> {
        let issued = self.access.get(token).ok_or_else(auth::invalid_credentials)?;
        let consent = self
            .consents
            .get(&issued.consent)
            .ok_or_else(auth::invalid_credentials)?;
        if now >= issued.expires_at {
            return Err(auth::expired_credentials());
        }
        Ok(Grant {
            principal: consent.principal.clone(),
            resources: consent.resources.clone(),
        })
    }

    /// Records a new consent and issues its first access token.
    fn consent(
        &mut self,
        principal: Principal,
        groups: &[String],
        access_type: AccessType,
        ends_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        rules: Rules,
    ) -> Tokens {
        let refresh_token = auth::new_refresh_token();
        let consent = Consent {
            principal,
            resources: groups.iter().map(|g| (g.clone(), access_type)).collect(),
            ends_at,
        };
        self.prune(now);
        let tokens = issue(&mut self.access, &refresh_token, &consent, now, rules);
        self.consents.insert(refresh_token, consent);
        tokens
    }

    /// Forgets access tokens that expired more than a day ago, once there are many, so a
    /// long-running emulator that refreshes tokens keeps a bounded map (a forgotten token is
    /// 401 like an expired one, with another reason).
    fn prune(&mut self, now: DateTime<Utc>) {
        if self.access.len() < PRUNE_ABOVE {
            return;
        }
        self.access
            .retain(|_, issued| now < later(issued.expires_at, TimeDelta::days(1)));
    }

    /// Drops the access tokens of revoked consents.
    fn forget_revoked(&mut self) {
        let consents = &self.consents;
        self.access.retain(|_, issued| consents.contains_key(&issued.consent));
    }

    /// A job of the grant's user and client, advanced to `now`; 404 for another's job, 403
    /// when the token lacks one of the job's groups.
    fn user_job(&mut self, grant: &Grant, id: &str, now: DateTime<Utc>) -> Result<&mut Job, ApiError> {
        let job = self
            .jobs
            .get_mut(id)
            .filter(|job| job.spec.principal == grant.principal)
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
        let due = later(now, complete_after);
        let mut job = Job::new(id.clone(), spec, now, due, outcome);
        job.origin = origin;
        job.sequence = self.jobs.len();
        self.jobs.insert(id.clone(), job);
        id
    }
}

/// A new access token of `consent` (whose refresh token is `refresh_token`): valid for the
/// token lifetime, but never past the end of a time-based grant.
fn issue(
    access: &mut HashMap<String, Issued>,
    refresh_token: &str,
    consent: &Consent,
    now: DateTime<Utc>,
    rules: Rules,
) -> Tokens {
    let lifetime_end = later(now, rules.token_lifetime);
    let expires_at = consent.ends_at.map_or(lifetime_end, |end| end.min(lifetime_end));
    let scope = consent
        .resources
        .keys()
        .map(|g| format!("{}{g}", groups::SCOPE_PREFIX))
        .collect::<Vec<_>>()
        .join(" ");
    let access_token = auth::new_token();
    access.insert(
        access_token.clone(),
        Issued {
            consent: refresh_token.to_owned(),
            expires_at,
        },
    );
    Tokens {
        access_token,
        expires_in: seconds_until(now, expires_at),
        refresh_token: refresh_token.to_owned(),
        scope,
        refresh_token_expires_in: consent.ends_at.map(|end| seconds_until(now, end)),
    }
}

/// When a new grant ends: a time-based grant after `chosen` (else the configured length), and
/// any grant to a client in Testing status after 7 days at most; `None` for a one-time grant
/// in production (which has no end of its own).
fn grant_end(
    access_type: AccessType,
    chosen: Option<TimeDelta>,
    client: &ClientRegistration,
    now: DateTime<Utc>,
    rules: Rules,
) -> Option<DateTime<Utc>> {
    let length = (access_type == AccessType::TimeBased).then(|| chosen.unwrap_or(rules.time_based_grant));
    let length = match client.publishing_status {
        PublishingStatus::Testing => Some(length.map_or(TESTING_GRANT, |l| l.min(TESTING_GRANT))),
        PublishingStatus::InProduction => length,
    };
    length.map(|length| later(now, length))
}

/// The requested groups, sorted and without duplicates; 400 when empty or unknown.
pub(crate) fn validate_groups(resources: &[String]) -> Result<Vec<String>, ApiError> {
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

/// 403 unless the grant has every group, with the message of Google's troubleshooting page
/// (`developers.google.com/data-portability/user-guide/troubleshooting`, "Requested resources
/// are not authorized"), which names no scope and has no `ErrorInfo`.
fn require_scopes(grant: &Grant, groups: &[String]) -> Result<(), ApiError> {
    if grant.missing(groups).is_empty() {
        return Ok(());
    }
    Err(ApiError::new(
        Code::PermissionDenied,
        "The requested resources are not authorized by the OAuth token.",
    ))
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
        store.lock().grant(token, t0()).ok().map(|g| g.resources.len())
    }

    fn store() -> Store {
        Store::new(
            Rules {
                complete_after: TimeDelta::seconds(10),
                retention: TimeDelta::days(14),
                time_based_interval: TimeDelta::hours(24),
                token_lifetime: TimeDelta::hours(1),
                time_based_grant: TimeDelta::days(30),
                time_based_refusal: TimeBasedRefusal::ResourceExhausted,
            },
            "secret".into(),
        )
    }

    fn who(user: &str) -> Principal {
        Principal {
            user: user.into(),
            client: DEFAULT_CLIENT.into(),
        }
    }

    /// Mints at `t0()`; the access token.
    fn mint(store: &Store, user: &str, groups: &[&str], access: AccessType) -> Result<String, ApiError> {
        let groups: Vec<String> = groups.iter().map(|g| (*g).to_owned()).collect();
        store.mint(&who(user), &groups, access, t0()).map(|t| t.access_token)
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
        let token = mint(&store, "u", &["myactivity.search"], AccessType::OneTime).expect("minted");
        assert_eq!(grant_of(&store, &token), Some(1));
        assert_eq!(
            mint(&store, "u", &["nope"], AccessType::OneTime).map_err(|e| e.code),
            Err(Code::InvalidArgument)
        );
        assert_eq!(
            mint(&store, "u", &[], AccessType::OneTime).map_err(|e| e.code),
            Err(Code::InvalidArgument)
        );
        let stranger = Principal {
            user: "u".into(),
            client: "unregistered".into(),
        };
        assert_eq!(
            store
                .mint(&stranger, &["myactivity.search".into()], AccessType::OneTime, t0())
                .map_err(|e| e.code),
            Err(Code::InvalidArgument)
        );
    }

    #[test]
    fn duplicate_groups_make_one_job_entry() {
        let store = store();
        let token = mint(&store, "u", &["myactivity.search"], AccessType::TimeBased).expect("minted");
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
        let alice = mint(&store, "alice", &["myactivity.search"], AccessType::OneTime).expect("minted");
        let bob = mint(&store, "bob", &["myactivity.search"], AccessType::OneTime).expect("minted");
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
        let token = mint(&store, "u", &["myactivity.search"], AccessType::OneTime).expect("minted");
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

    #[test]
    fn access_tokens_expire_and_time_based_grants_end() {
        let store = store();
        let groups = ["myactivity.search".to_owned()];
        let tokens = store
            .mint(&who("u"), &groups, AccessType::TimeBased, t0())
            .expect("minted");
        assert_eq!(tokens.expires_in, 3600);
        assert_eq!(tokens.refresh_token_expires_in, Some(30 * 86_400));
        let hour = t0() + TimeDelta::hours(1);
        assert!(
            store
                .authenticate(&tokens.access_token, hour - TimeDelta::seconds(1))
                .is_ok()
        );
        let expired = store.authenticate(&tokens.access_token, hour).expect_err("expired");
        assert_eq!(expired.reason(), Some("ACCESS_TOKEN_EXPIRED"));
        let client = ClientCredentials {
            id: DEFAULT_CLIENT.into(),
            secret: "secret".into(),
        };
        let fresh = store.refresh(&client, &tokens.refresh_token, hour).expect("refreshed");
        assert!(store.authenticate(&fresh.access_token, hour).is_ok());
        // A token issued near the end of the grant stops at the end.
        let late = t0() + TimeDelta::days(30) - TimeDelta::minutes(10);
        let last = store.refresh(&client, &tokens.refresh_token, late).expect("refreshed");
        assert_eq!(last.expires_in, 600);
        let ended = store
            .refresh(&client, &tokens.refresh_token, t0() + TimeDelta::days(30))
            .expect_err("the grant ended");
        assert_eq!(ended.error, "invalid_grant");
        let wrong = ClientCredentials {
            secret: "nope".into(),
            ..client
        };
        assert_eq!(
            store.refresh(&wrong, &tokens.refresh_token, hour).map_err(|e| e.error),
            Err("invalid_client")
        );
    }

    #[test]
    fn exhaustion_and_reset_are_per_user_and_client() {
        let store = store();
        let (other_client, _) = store
            .register_client(ClientRegistration::default())
            .expect("registered");
        let groups = ["myactivity.search".to_owned()];
        let mint_for = |client: &str| {
            let principal = Principal {
                user: "u".into(),
                client: client.into(),
            };
            store
                .mint(&principal, &groups, AccessType::OneTime, t0())
                .expect("minted")
                .access_token
        };
        let (first, second) = (mint_for(DEFAULT_CLIENT), mint_for(&other_client));
        let done = t0() + TimeDelta::seconds(20);
        let initiate = |token: &str| {
            store
                .initiate(token, &request(&["myactivity.search"]), || Outcome::Complete, done)
                .map(drop)
                .map_err(|e| (e.code, e.reason().map(str::to_owned)))
        };
        assert_eq!(initiate(&first), Ok(()));
        assert_eq!(
            initiate(&mint_for(DEFAULT_CLIENT)),
            Err((
                Code::AlreadyExists,
                Some(exports::reason::ALREADY_EXISTS_ONE_TIME.to_owned())
            )),
            "the job is still running"
        );
        let later_on = done + TimeDelta::seconds(20);
        let refused = store
            .initiate(
                &mint_for(DEFAULT_CLIENT),
                &request(&["myactivity.search"]),
                || Outcome::Complete,
                later_on,
            )
            .expect_err("used up");
        assert_eq!(
            (refused.code, refused.reason()),
            (
                Code::ResourceExhausted,
                Some(exports::reason::RESOURCE_EXHAUSTED_ONE_TIME)
            ),
            "a new consent of the same pair does not reset"
        );
        assert_eq!(initiate(&second), Ok(()), "another client is another pair");
        store.reset(&second, t0()).expect("reset");
        assert!(store.authenticate(&second, t0()).is_err());
        assert!(
            store.authenticate(&first, t0()).is_ok(),
            "the other pair keeps its tokens"
        );
        assert_eq!(initiate(&mint_for(&other_client)), Ok(()));
    }

    #[test]
    fn cancel_frees_the_cancelled_jobs_groups() {
        let store = store();
        let token = mint(
            &store,
            "u",
            &["myactivity.youtube", "youtube.public_videos"],
            AccessType::TimeBased,
        )
        .expect("minted");
        let both = request(&["myactivity.youtube", "youtube.public_videos"]);
        let (id, _) = store.initiate(&token, &both, || Outcome::Complete, t0()).expect("job");
        let one = request(&["myactivity.youtube"]);
        assert_eq!(
            store
                .initiate(&token, &one, || Outcome::Complete, t0())
                .map_err(|e| e.code),
            Err(Code::ResourceExhausted)
        );
        store.cancel(&token, &id, t0()).expect("cancelled");
        assert!(store.initiate(&token, &one, || Outcome::Complete, t0()).is_ok());
    }

    #[test]
    fn codes_are_single_use_and_check_pkce_and_the_redirect() {
        let store = store();
        let client = ClientCredentials {
            id: DEFAULT_CLIENT.into(),
            secret: "secret".into(),
        };
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge =
            crate::oauth::Challenge::parse(Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"), Some("S256"))
                .expect("valid");
        let authorize = || {
            store.authorize(
                AuthorizeRequest {
                    principal: who("u"),
                    groups: vec!["myactivity.search".into()],
                    access_type: AccessType::OneTime,
                    redirect_uri: "http://localhost:1".into(),
                    challenge: challenge.clone(),
                    time_based_length: None,
                    offline: true,
                    prompt_consent: false,
                },
                t0(),
            )
        };
        let code = authorize();
        let redirect = Some("http://localhost:1");
        let exchange = |code: &str, verifier: Option<&str>, redirect: Option<&str>| {
            store
                .exchange_code(&client, code, redirect, verifier, t0())
                .map(drop)
                .map_err(|e| e.error)
        };
        assert_eq!(
            exchange(&code, Some("x".repeat(43).as_str()), redirect),
            Err("invalid_grant")
        );
        assert_eq!(
            exchange(&code, Some(verifier), redirect),
            Err("invalid_grant"),
            "used up"
        );
        let code = authorize();
        assert_eq!(
            exchange(&code, Some(verifier), Some("http://localhost:2")),
            Err("redirect_uri_mismatch")
        );
        let code = authorize();
        assert_eq!(exchange(&code, None, redirect), Err("invalid_grant"));
        let code = authorize();
        assert_eq!(exchange(&code, Some(verifier), redirect), Ok(()));
    }

    #[test]
    fn long_expired_access_tokens_are_forgotten_once_there_are_many() {
        let store = store();
        let groups = ["myactivity.search".to_owned()];
        for _ in 0..PRUNE_ABOVE {
            store
                .mint(&who("u"), &groups, AccessType::OneTime, t0())
                .expect("minted");
        }
        let later_on = t0() + TimeDelta::days(2);
        let fresh = store
            .mint(&who("u"), &groups, AccessType::OneTime, later_on)
            .expect("minted");
        assert_eq!(store.lock().access.len(), 1);
        assert!(store.authenticate(&fresh.access_token, later_on).is_ok());
    }
}
