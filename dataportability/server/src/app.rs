//! What the API and the workers share.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::{Mutex, Notify};

use crate::clock::Clock;
use crate::crypto::KeyRing;
use crate::metrics::Metrics;
use crate::oauth::OAuth;
use crate::sink::ArchiveSink;
use crate::store::Store;

/// The scheduler's settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Time between two exports of a time-based group (at least 24 hours in production).
    pub interval: Duration,
    /// The first wait before a job is polled, and the least between two polls (Google: "every
    /// 5 to 60 minutes", <https://developers.google.com/data-portability/user-guide/methods>).
    pub poll_min: Duration,
    /// The most between two polls.
    pub poll_max: Duration,
    /// How long a worker holds an item.
    pub lease: Duration,
    /// Items worked on at once.
    pub concurrency: usize,
    /// Requests a second to Google, at most (0: no limit).
    pub google_rps: u32,
    /// The longest wait between two failed attempts of an item.
    pub max_backoff: Duration,
    /// How long one request to Google's API may take (an `initiate` that is never answered
    /// is given up after this, and sent again: Google answers `ALREADY_EXISTS`).
    pub request_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(24 * 3600),
            poll_min: Duration::from_secs(5 * 60),
            poll_max: Duration::from_secs(60 * 60),
            lease: Duration::from_secs(10 * 60),
            concurrency: 32,
            google_rps: 50,
            max_backoff: Duration::from_secs(3600),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// A global limit on requests a second: each request takes the next free slot.
#[derive(Debug)]
pub struct RateLimiter {
    // The next free slot; with no limit it only moves on a hold.
    interval: Duration,
    next: Mutex<tokio::time::Instant>,
}

impl RateLimiter {
    /// At most `per_second` requests a second (0: no limit, but a [`Self::hold`] still
    /// holds).
    pub fn new(per_second: u32) -> Self {
        let interval = if per_second == 0 {
            Duration::ZERO
        } else {
            Duration::from_secs(1) / per_second
        };
        Self {
            interval,
            next: Mutex::new(tokio::time::Instant::now()),
        }
    }

    /// Waits for the next slot.
    pub async fn acquire(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = tokio::time::Instant::now();
            let at = (*next).max(now);
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// No request before `wait` from now (a `Retry-After`).
    pub async fn hold(&self, wait: Duration) {
        let mut next = self.next.lock().await;
        let until = tokio::time::Instant::now() + wait.min(Duration::from_secs(300));
        *next = (*next).max(until);
    }
}

/// The shared state of the service.
pub struct App {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The grant keys.
    pub keys: KeyRing,
    /// The OAuth flow.
    pub oauth: OAuth,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Where archives go.
    pub sink: Arc<dyn ArchiveSink>,
    /// The API's root URL (`https://dataportability.googleapis.com/` or an emulator's).
    pub api_url: String,
    /// One HTTP client for Google's API (connections are reused).
    pub http: reqwest::Client,
    /// The scheduler's settings.
    pub settings: Settings,
    /// The API key the app presents (`Authorization: Bearer`).
    pub api_key: String,
    /// The lease owner name of this process.
    pub owner: String,
    /// Access tokens in memory only, per connection, with their expiry.
    pub tokens: Mutex<HashMap<String, (String, DateTime<Utc>)>>,
    /// The limit on requests to Google.
    pub limiter: RateLimiter,
    /// Counters.
    pub metrics: Metrics,
    /// Wakes the scheduler (a new consent).
    pub wake: Notify,
    /// Optional webhook.
    pub webhook: Option<Webhook>,
    /// Set when the process stops (SIGTERM): the scheduler claims nothing more and starts no
    /// new step; the steps in flight finish (see [`crate::Running::shutdown`]).
    pub stopping: tokio::sync::watch::Sender<bool>,
    /// The items this process is working on: a lease that ran out while its worker is still
    /// busy (a clock moved by a test, a very slow request) is not worked on twice at once.
    pub in_flight: std::sync::Mutex<std::collections::HashSet<(String, String)>>,
}

/// Where events are pushed, signed.
#[derive(Clone)]
pub struct Webhook {
    /// The URL events are POSTed to.
    pub url: String,
    /// The HMAC-SHA256 key.
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Whether the process is stopping: no new claim, no new step.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    /// Waits until the process is stopping.
    pub async fn stopped(&self) {
        let mut stopping = self.stopping.subscribe();
        let _ = stopping.wait_for(|stopping| *stopping).await;
    }

    /// Now, on the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// `now` plus `by`, saturating.
    pub fn later(now: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
        TimeDelta::from_std(by)
            .ok()
            .and_then(|by| now.checked_add_signed(by))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}
