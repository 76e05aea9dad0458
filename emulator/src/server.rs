//! What every request handler shares, and the router that serves it all.

use std::sync::Arc;

use axum::Router;
use axum::response::IntoResponse;
use chrono::{DateTime, TimeDelta, Utc};

use crate::archive::{Activity, Archive, ArchiveCache, ArchiveKey};
use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::error::ApiError;
use crate::faults::FaultSwitch;
use crate::job::Outcome;
use crate::routes::{api, control, storage};
use crate::signing::Signer;
use crate::store::{Period, Rules, Store};

/// The state of one emulator, shared by its handlers and its [`Emulator`](crate::Emulator)
/// handle.
pub(crate) struct Shared {
    /// The configuration it started with.
    pub config: EmulatorConfig,
    /// Emulator time.
    pub clock: Clock,
    /// Tokens, users, jobs.
    pub store: Store,
    /// Injected faults.
    pub faults: FaultSwitch,
    /// Archives by content.
    pub archives: ArchiveCache,
    /// Signs download URLs.
    pub signer: Signer,
    /// `http://127.0.0.1:PORT/`.
    pub base_url: String,
    /// Where the archives' activity gets dense: 30 days before the day the emulator started
    /// (see `archive/activity.rs`).
    pub dense_activity_from: DateTime<Utc>,
}

/// The state handlers receive.
pub(crate) type AppState = Arc<Shared>;

impl Shared {
    /// The state of a new emulator serving at `base_url`.
    pub fn new(config: EmulatorConfig, base_url: String) -> Self {
        let delta = |d: std::time::Duration| TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX);
        let rules = Rules {
            complete_after: delta(config.complete_after),
            retention: delta(config.retention),
            time_based_interval: delta(config.time_based_interval),
        };
        let clock = Clock::new();
        let today = clock.now().date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
        Self {
            faults: FaultSwitch::new(config.faults.clone()),
            config,
            dense_activity_from: today - TimeDelta::days(30),
            clock,
            store: Store::new(rules),
            archives: ArchiveCache::default(),
            signer: Signer::new(),
            base_url,
        }
    }

    /// How the next job created ends: `FAILED` while injected failures remain.
    pub fn job_outcome(&self) -> Outcome {
        if self.faults.take_job_failure() {
            Outcome::Fail
        } else {
            Outcome::Complete
        }
    }

    /// The archive of `group` for `period`.
    pub fn archive(&self, group: &str, period: &Period) -> Arc<Archive> {
        self.archives.get(&ArchiveKey::new(
            Activity::new(&period.user, group, self.dense_activity_from),
            self.config.archive_size,
            period.start,
            period.end,
        ))
    }

    /// A signed URL of the archive of `group` in job `job`, valid for the configured expiry,
    /// and starts computing the archive's hashes so the first download need not wait.
    pub fn signed_url(&self, job: &str, group: &str, period: &Period, now: DateTime<Utc>) -> String {
        self.archive(group, period).prefetch_hashes();
        let expiry = TimeDelta::from_std(self.config.url_expiry).unwrap_or(TimeDelta::MAX);
        let expires = now
            .checked_add_signed(expiry)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
            .timestamp();
        self.signer
            .url(&self.base_url, &storage::object_path(job, group), expires)
    }
}

/// Every route of the emulator.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes(Arc::clone(&state)))
        .merge(control::routes())
        .merge(storage::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(state)
}

async fn not_found() -> axum::response::Response {
    ApiError::not_found("The requested URL was not found on this server.").into_response()
}
