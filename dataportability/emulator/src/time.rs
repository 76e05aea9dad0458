//! Date arithmetic that never panics: emulator time can be moved to the end of the calendar
//! (`clock:advance` takes any number of seconds), so every sum saturates instead of overflowing.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// `duration` as a [`TimeDelta`], saturating at [`TimeDelta::MAX`].
pub(crate) fn delta(duration: Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

/// `time + by`, saturating at the last representable instant.
pub(crate) fn later(time: DateTime<Utc>, by: TimeDelta) -> DateTime<Utc> {
    time.checked_add_signed(by).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Whole seconds from `now` to `until` (0 when `until` has passed).
pub(crate) fn seconds_until(now: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    u64::try_from(until.signed_duration_since(now).num_seconds()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_saturate() {
        let max = DateTime::<Utc>::MAX_UTC;
        assert_eq!(later(max, TimeDelta::days(1)), max);
        assert_eq!(later(DateTime::<Utc>::UNIX_EPOCH, delta(Duration::MAX)), max);
        assert_eq!(seconds_until(max, DateTime::<Utc>::UNIX_EPOCH), 0);
        assert_eq!(
            seconds_until(
                DateTime::<Utc>::UNIX_EPOCH,
                DateTime::<Utc>::UNIX_EPOCH + TimeDelta::hours(1)
            ),
            3600
        );
    }
}
