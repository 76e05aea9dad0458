//! How an emulator is configured.

use std::time::Duration;

use crate::auth::AccessType;
use crate::faults::Faults;

/// The settings of an [`Emulator`](crate::Emulator); `Default` gives the documented defaults.
///
/// ```
/// use std::time::Duration;
/// let config = dataportability_emulator::EmulatorConfig { complete_after: Duration::from_millis(100), ..Default::default() };
/// assert_eq!(config.url_expiry, Duration::from_secs(6 * 3600));
/// assert_eq!(config.token_lifetime, Duration::from_secs(3600));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmulatorConfig {
    /// The port on 127.0.0.1; `0` (the default) picks a free one.
    pub port: u16,
    /// How long after `initiate` (or `retry`) a job completes, on the emulator's clock
    /// (default 3 s).
    pub complete_after: Duration,
    /// The size of each archive in bytes (default 64 KiB); an archive is larger only when its
    /// records need more room.
    pub archive_size: u64,
    /// How long a signed URL is valid after `getPortabilityArchiveState` returned it
    /// (default 6 hours).
    pub url_expiry: Duration,
    /// How long an archive is kept after its job completed (default 14 days).
    pub retention: Duration,
    /// The least time between two time-based exports of the same group by the same user
    /// (default 24 hours; zero allows any number).
    pub time_based_interval: Duration,
    /// How long an access token is valid (default 1 hour, as Google's).
    pub token_lifetime: Duration,
    /// How long a time-based grant lasts when the consent does not choose (default 30 days,
    /// the shorter of Google's two choices; a consent may choose 30 or 180 days, see
    /// [`ConsentChoices`](crate::ConsentChoices)): afterwards its access tokens stop working
    /// and its refresh token answers `invalid_grant`.
    pub time_based_grant: Duration,
    /// How a time-based export within the interval is refused (default Google's sample
    /// client's 429 `RESOURCE_EXHAUSTED_TIME_BASED`).
    pub time_based_refusal: TimeBasedRefusal,
    /// Into how many files each resource group's archive is split (default 1); each file has
    /// its own signed URL.
    pub files_per_archive: u32,
    /// The access type the OAuth consent screen grants (the user's choice at Google; default
    /// one-time).
    pub consent_access_type: AccessType,
    /// The largest request body accepted (default 1 MiB); a larger one is 400
    /// `INVALID_ARGUMENT`.
    pub body_limit: usize,
    /// How long a connection may take to send a whole request head, and how long an idle
    /// keep-alive connection stays open (default 30 s, hyper's default): then it is closed.
    pub header_timeout: Duration,
    /// How long a request body may take to arrive once its head did (default 60 s); a slower
    /// one is answered 400 `INVALID_ARGUMENT` (our reading: Google's front end gives up on a
    /// stalled upload too, with a status it does not document) and its connection closed.
    pub body_timeout: Duration,
    /// The most connections served at a time (default 128); more wait to be accepted until
    /// one closes, so a flood of idle connections delays a request by at most
    /// [`header_timeout`](Self::header_timeout) instead of starving it.
    pub max_connections: usize,
    /// The faults injected from the start.
    pub faults: Faults,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            port: 0,
            complete_after: Duration::from_secs(3),
            archive_size: 64 * 1024,
            url_expiry: Duration::from_secs(6 * 3600),
            retention: Duration::from_secs(14 * 24 * 3600),
            time_based_interval: Duration::from_secs(24 * 3600),
            token_lifetime: Duration::from_secs(3600),
            time_based_grant: Duration::from_secs(30 * 24 * 3600),
            time_based_refusal: TimeBasedRefusal::ResourceExhausted,
            files_per_archive: 1,
            consent_access_type: AccessType::OneTime,
            body_limit: 1 << 20,
            header_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(60),
            max_connections: 128,
            faults: Faults::default(),
        }
    }
}

/// How the emulator refuses a time-based export of a group within the interval after the last.
/// Google's pages disagree: its sample client reads the first, its time-based guide documents
/// the second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeBasedRefusal {
    /// 429 `RESOURCE_EXHAUSTED`, `ErrorInfo` reason `RESOURCE_EXHAUSTED_TIME_BASED` with
    /// metadata `previous_job_ids` and `timestamp_after_24hrs` (`data-portability-quickstart.py`).
    #[default]
    ResourceExhausted,
    /// 400 `FAILED_PRECONDITION` without details (the time-based guide).
    FailedPrecondition,
}
