//! The emulator's clock: real time since start, plus an offset that tests advance.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, TimeDelta, Utc};

/// Emulator time: the wall-clock time at start, plus the real time elapsed since (monotonic),
/// plus an offset moved forward by [`Clock::advance`]. Every rule that depends on time (job
/// completion, URL expiry, retention, the time-based interval) reads this clock, so a test of a
/// 14-day retention advances it instead of sleeping.
#[derive(Debug)]
pub struct Clock {
    started_wall: DateTime<Utc>,
    started: Instant,
    offset_millis: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    /// A clock that starts at the current wall-clock time.
    pub fn new() -> Self {
        Self {
            started_wall: DateTime::<Utc>::from(SystemTime::now()),
            started: Instant::now(),
            offset_millis: AtomicI64::new(0),
        }
    }

    /// The current emulator time, at most [`latest`].
    pub fn now(&self) -> DateTime<Utc> {
        let elapsed = TimeDelta::from_std(self.started.elapsed()).unwrap_or(TimeDelta::MAX);
        let offset = TimeDelta::try_milliseconds(self.offset_millis.load(Ordering::SeqCst)).unwrap_or(TimeDelta::MAX);
        self.started_wall
            .checked_add_signed(elapsed)
            .and_then(|t| t.checked_add_signed(offset))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
            .min(latest())
    }

    /// Moves the clock forward by `by` (saturating), and returns the new time.
    pub fn advance(&self, by: Duration) -> DateTime<Utc> {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ = self
            .offset_millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |current| {
                Some(current.saturating_add(millis))
            });
        self.now()
    }
}

/// Where the clock stops: 1000 years before the end of the calendar, so that every period
/// the emulator adds to "now" (a token's hour, a 30-day grant, a 14-day retention) still ends
/// after it.
pub fn latest() -> DateTime<Utc> {
    DateTime::<Utc>::MAX_UTC
        .checked_sub_signed(TimeDelta::days(365_250))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advance_moves_now_forward() {
        let clock = Clock::new();
        let before = clock.now();
        let after = clock.advance(Duration::from_secs(14 * 24 * 3600));
        assert!(after - before >= TimeDelta::days(14));
        assert!(clock.now() >= after);
    }

    #[test]
    fn a_huge_advance_saturates() {
        let clock = Clock::new();
        clock.advance(Duration::MAX);
        assert_eq!(clock.now(), latest());
        assert!(latest() + TimeDelta::days(365 * 999) < DateTime::<Utc>::MAX_UTC);
    }
}
