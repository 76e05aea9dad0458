//! What every request handler shares: the configuration, the clock, the store, the faults,
//! the archives and the URL signer. (The router that serves it all is `routes::router`.)

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::archive::{Activity, Archive, ArchiveCache, ArchiveKey, Part};
use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::consent::ConsentSwitch;
use crate::faults::FaultSwitch;
use crate::job::Outcome;
use crate::signing::{Signer, object_path};
use crate::store::{Period, Rules, Store};
use crate::time::{delta, later};

/// The state of one emulator, shared by its handlers and its [`Emulator`](crate::Emulator)
/// handle.
pub(crate) struct Shared {
    /// The configuration it started with.
    pub config: EmulatorConfig,
    /// Emulator time.
    pub clock: Clock,
    /// OAuth clients, consents, tokens, users, jobs.
    pub store: Store,
    /// Injected faults.
    pub faults: FaultSwitch,
    /// The emulated user's choices on the consent screen.
    pub consent: ConsentSwitch,
    /// Set when the emulator stops: answers held by a fault are let go.
    pub stopped: tokio::sync::watch::Sender<bool>,
    /// Archives by content.
    pub archives: ArchiveCache,
    /// Signs download URLs.
    pub signer: Signer,
    /// `http://127.0.0.1:PORT/`.
    pub base_url: String,
    /// Calls of the API routes answered with success (tests move the clock in step with a
    /// client's calls).
    pub api_successes: std::sync::atomic::AtomicU64,
    /// Where the archives' activity gets dense: 30 days before the day the emulator started
    /// (see `archive/activity.rs`).
    pub dense_activity_from: DateTime<Utc>,
}

/// The state handlers receive.
pub(crate) type AppState = Arc<Shared>;

impl Shared {
    /// The state of a new emulator serving at `base_url`.
    pub fn new(config: EmulatorConfig, base_url: String) -> Self {
        let rules = Rules {
            complete_after: delta(config.complete_after),
            retention: delta(config.retention),
            time_based_interval: delta(config.time_based_interval),
            token_lifetime: delta(config.token_lifetime),
            time_based_grant: delta(config.time_based_grant),
            time_based_refusal: config.time_based_refusal,
        };
        let default_secret = format!("GOCSPX-{}", crate::auth::random_hex::<14>());
        let clock = Clock::new();
        let today = clock.now().date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
        Self {
            faults: FaultSwitch::new(config.faults.clone()),
            consent: ConsentSwitch::default(),
            stopped: tokio::sync::watch::Sender::new(false),
            config,
            dense_activity_from: today - TimeDelta::days(30),
            clock,
            store: Store::new(rules, default_secret),
            archives: ArchiveCache::default(),
            signer: Signer::new(),
            base_url,
            api_successes: std::sync::atomic::AtomicU64::new(0),
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

    /// Waits until the emulator stops.
    pub async fn until_stopped(&self) {
        let mut stopped = self.stopped.subscribe();
        let _ = stopped.wait_for(|stopped| *stopped).await;
    }

    /// How many files each archive has.
    pub fn files_per_archive(&self) -> u32 {
        self.config.files_per_archive.max(1)
    }

    /// File `part` of the archive of `group` for `period`.
    pub fn archive(&self, group: &str, period: &Period, part: Part) -> Arc<Archive> {
        let activity = Activity::new(&period.user, group, self.dense_activity_from);
        let key = ArchiveKey::new(activity, self.config.archive_size, period.start, period.end, part);
        self.archives.get(&key)
    }

    /// The signed URLs of the files of the archive of `group` in job `job`, valid for the
    /// configured expiry; starts computing their hashes so the first download need not wait.
    pub fn signed_urls(&self, job: &str, group: &str, period: &Period, now: DateTime<Utc>) -> Vec<String> {
        let expires = later(now, delta(self.config.url_expiry)).timestamp();
        let count = self.files_per_archive();
        (0..count)
            .map(|index| {
                let part = Part { index, count };
                self.archive(group, period, part).prefetch_hashes();
                self.signer.url(&self.base_url, &object_path(job, group, part), expires)
            })
            .collect()
    }
}
