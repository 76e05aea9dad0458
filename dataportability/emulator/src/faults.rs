//! Injected faults: what is switched on, and how each use takes one up. The middleware that
//! applies them to the API is `routes::fault_layer`.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The faults an emulator injects. Counts are bursts: "the next N"; each injected fault uses
/// one up. The JSON form (`PUT /emulator/v1/faults`) has the same fields in camelCase.
///
/// `unavailable`, `rate_limited`, `delay_millis` and `truncated_json` apply to the six API
/// methods (not to the control surface); `held_initiates` to `initiate`; `dropped_downloads` to
/// archive downloads; `failed_jobs` to jobs created by `initiate` or `retry`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Faults {
    /// The next N API requests answer 503 `UNAVAILABLE` (before any effect).
    pub unavailable: u32,
    /// The next N API requests answer 429 `RESOURCE_EXHAUSTED` with `Retry-After` (before any
    /// effect); checked after `unavailable`.
    pub rate_limited: u32,
    /// The `Retry-After` of rate-limited answers, in seconds.
    pub retry_after_seconds: u64,
    /// Every API response is delayed by this many milliseconds of real time.
    pub delay_millis: u64,
    /// The next N successful API responses have their JSON body cut off half-way (with a
    /// matching `Content-Length`); the request itself took effect.
    pub truncated_json: u32,
    /// The next N archive downloads are aborted after `drop_after_bytes` bytes of body: the
    /// connection closes with fewer bytes than `Content-Length`.
    pub dropped_downloads: u32,
    /// How many body bytes a dropped download sends.
    pub drop_after_bytes: u64,
    /// The next N jobs created end `FAILED` instead of `COMPLETE` when they are due.
    pub failed_jobs: u32,
    /// The next N `initiate` calls that create a job never answer: the job exists, and the
    /// connection stays open without a response until the client goes away or the emulator
    /// stops (an answer lost after Google created the job).
    pub held_initiates: u32,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            unavailable: 0,
            rate_limited: 0,
            retry_after_seconds: 1,
            delay_millis: 0,
            truncated_json: 0,
            dropped_downloads: 0,
            drop_after_bytes: 1024,
            failed_jobs: 0,
            held_initiates: 0,
        }
    }
}

/// An injected rejection of an API request.
pub(crate) enum Rejection {
    /// 503 `UNAVAILABLE`.
    Unavailable,
    /// 429 `RESOURCE_EXHAUSTED` with `Retry-After`.
    RateLimited {
        /// Seconds.
        retry_after: u64,
    },
}

/// The faults of one emulator, switched at run time.
#[derive(Debug, Default)]
pub(crate) struct FaultSwitch {
    faults: Mutex<Faults>,
}

impl FaultSwitch {
    /// A switch set to `faults`.
    pub fn new(faults: Faults) -> Self {
        Self {
            faults: Mutex::new(faults),
        }
    }

    /// Replaces every fault.
    pub fn set(&self, faults: Faults) {
        *self.lock() = faults;
    }

    /// The faults now (counts that remain).
    pub fn get(&self) -> Faults {
        self.lock().clone()
    }

    /// Uses up one job failure, if any is left.
    pub fn take_job_failure(&self) -> bool {
        take(&mut self.lock().failed_jobs)
    }

    /// Uses up one dropped download, if any is left, and says after how many bytes.
    pub fn take_download_drop(&self) -> Option<u64> {
        let mut faults = self.lock();
        take(&mut faults.dropped_downloads).then_some(faults.drop_after_bytes)
    }

    /// The delay of every API response.
    pub fn delay(&self) -> Duration {
        Duration::from_millis(self.lock().delay_millis)
    }

    /// Uses up one injected rejection, if any is left.
    pub fn take_rejection(&self) -> Option<Rejection> {
        let mut faults = self.lock();
        if take(&mut faults.unavailable) {
            Some(Rejection::Unavailable)
        } else if take(&mut faults.rate_limited) {
            Some(Rejection::RateLimited {
                retry_after: faults.retry_after_seconds,
            })
        } else {
            None
        }
    }

    /// Uses up one held `initiate` answer, if any is left.
    pub fn take_held_initiate(&self) -> bool {
        take(&mut self.lock().held_initiates)
    }

    /// Uses up one truncated response, if any is left.
    pub fn take_truncation(&self) -> bool {
        take(&mut self.lock().truncated_json)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Decrements `count` if positive; says whether it did.
fn take(count: &mut u32) -> bool {
    if *count > 0 {
        *count -= 1;
        true
    } else {
        false
    }
}
