//! The one clock the scheduler, the workers and the API read, so that a test moves time
//! instead of sleeping through an interval.

use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// Where the service reads the time.
#[async_trait::async_trait]
pub trait Clock: Send + Sync + 'static {
    /// The time now.
    fn now(&self) -> DateTime<Utc>;
    /// Brings the clock up to date from its source (a no-op for a local clock); the scheduler
    /// calls it once per tick.
    async fn sync(&self) {}
}

/// The system's clock.
#[derive(Debug, Default)]
pub struct SystemClock;

#[async_trait::async_trait]
impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock a test moves by hand: the system's time plus an offset that only grows.
#[derive(Debug, Default)]
pub struct ManualClock {
    offset: Mutex<TimeDelta>,
}

impl ManualClock {
    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX);
        let mut offset = self.offset.lock().unwrap_or_else(|p| p.into_inner());
        *offset = offset.checked_add(&by).unwrap_or(TimeDelta::MAX);
    }
}

#[async_trait::async_trait]
impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        let offset = *self.offset.lock().unwrap_or_else(|p| p.into_inner());
        Utc::now()
            .checked_add_signed(offset)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// The clock of an emulator (`GET /emulator/v1/clock`), for tests that run the service as a
/// process: the test moves the emulator's clock and the service follows at its next tick.
#[derive(Debug)]
pub struct EmulatorClock {
    url: String,
    http: reqwest::Client,
    offset: Mutex<TimeDelta>,
}

impl EmulatorClock {
    /// Follows the clock of the emulator at `base` (its root URL).
    pub async fn new(base: &str, http: reqwest::Client) -> Self {
        let clock = Self {
            url: format!("{}/emulator/v1/clock", base.trim_end_matches('/')),
            http,
            offset: Mutex::new(TimeDelta::zero()),
        };
        clock.sync().await;
        clock
    }
}

#[async_trait::async_trait]
impl Clock for EmulatorClock {
    fn now(&self) -> DateTime<Utc> {
        let offset = *self.offset.lock().unwrap_or_else(|p| p.into_inner());
        Utc::now()
            .checked_add_signed(offset)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    async fn sync(&self) {
        #[derive(serde::Deserialize)]
        struct Now {
            now: DateTime<Utc>,
        }
        let Ok(response) = self.http.get(&self.url).send().await else {
            return;
        };
        if let Ok(now) = response.json::<Now>().await {
            let offset = now.now.signed_duration_since(Utc::now());
            let mut current = self.offset.lock().unwrap_or_else(|p| p.into_inner());
            // The clock never goes back.
            if offset > *current {
                *current = offset;
            }
        }
    }
}

/// Unix milliseconds of `time`, as the store compares due times.
pub fn millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_forward_only_when_told() {
        let clock = ManualClock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(25 * 3600));
        let after = clock.now();
        assert!(after - before >= TimeDelta::hours(25));
        assert!(after - before < TimeDelta::hours(26));
    }
}
