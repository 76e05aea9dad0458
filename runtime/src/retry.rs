//! When a failed attempt is tried again, and after how long: exponential backoff with full
//! jitter, bounded by a number of attempts and a time budget.

use std::time::Duration;

use crate::Error;

/// How a client retries a call that failed with a transient error
/// ([`Error::is_retryable`]): HTTP 429, 500, 502, 503, 504, connection failures and attempt
/// timeouts.
///
/// The wait before retry `n` (1-based) is a random duration between zero and
/// `min(max_backoff, initial_backoff * multiplier^(n-1))` ("full jitter"), unless the server
/// said how long to wait (`Retry-After`, in seconds or as an HTTP date, or a `RetryInfo`
/// detail): then the client waits exactly that long, up to `max_retry_after`; a server that
/// asks for a longer wait is not retried (the error goes back to the caller, with the wait in
/// [`Error::retry_after`]). No retry is started once `max_attempts` attempts were made, or when
/// its wait would end after `time_budget` from the start of the call.
///
/// Only idempotent methods (GET, PUT, DELETE, HEAD) are retried unless
/// [`RetryPolicy::with_non_idempotent`] is set, or the call is marked idempotent
/// ([`Call::set_idempotent`](crate::Call::set_idempotent)).
///
/// The default: 5 attempts, backoff from 1 s doubling up to 32 s, a server's wait of at most
/// 5 minutes, a time budget of 2 minutes, idempotent methods only.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    multiplier: f64,
    max_retry_after: Duration,
    time_budget: Option<Duration>,
    non_idempotent: bool,
}

/// The default of [`RetryPolicy::with_max_retry_after`]: 5 minutes. Google's APIs ask for
/// seconds (a `RetryInfo` of a rate limit); a server asking for hours is not worth a client
/// that sleeps, unnoticed, for hours.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(32),
            multiplier: 2.0,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            time_budget: Some(Duration::from_secs(120)),
            non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// The default policy (see the type's documentation).
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries: every call makes one attempt.
    pub fn never() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// At most `attempts` attempts per call, the first one included (`0` counts as `1`).
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The upper bound of the first wait.
    #[must_use]
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest upper bound of a wait chosen by the client (a server's `Retry-After` may
    /// be longer).
    #[must_use]
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// How much the upper bound of the wait grows after each attempt (at least `1.0`).
    #[must_use]
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The longest wait a server may ask for (`Retry-After`, `RetryInfo`) and still be retried;
    /// a longer one ends the call with the error. It bounds the wait even without a time
    /// budget. Default [`DEFAULT_MAX_RETRY_AFTER`].
    #[must_use]
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// No retry whose wait would end later than `budget` after the start of the call
    /// (`None`: no time bound, only the number of attempts).
    #[must_use]
    pub fn with_time_budget(mut self, budget: impl Into<Option<Duration>>) -> Self {
        self.time_budget = budget.into();
        self
    }

    /// Also retry methods that are not idempotent (POST, PATCH). Only for an API whose
    /// methods are known to be safe to repeat.
    #[must_use]
    pub fn with_non_idempotent(mut self, retry: bool) -> Self {
        self.non_idempotent = retry;
        self
    }

    /// The most attempts per call.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The time budget of the retries, if any.
    pub fn time_budget(&self) -> Option<Duration> {
        self.time_budget
    }

    /// Whether non-idempotent methods are retried.
    pub fn retries_non_idempotent(&self) -> bool {
        self.non_idempotent
    }

    /// The upper bound of the wait before retry `retry` (1-based).
    fn backoff_cap(&self, retry: u32) -> Duration {
        let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
        let factor = self.multiplier.powi(exponent);
        let cap = self.initial_backoff.as_secs_f64() * factor;
        if !cap.is_finite() || cap >= self.max_backoff.as_secs_f64() {
            self.max_backoff
        } else {
            Duration::from_secs_f64(cap)
        }
    }

    /// How long to wait before the next attempt, or `None` to give up and return `error`.
    ///
    /// `attempts` is how many attempts were made, `elapsed` the time since the call
    /// started, `jitter` a random number in `[0, 1)`.
    pub(crate) fn next_delay(
        &self,
        error: &Error,
        idempotent: bool,
        attempts: u32,
        elapsed: Duration,
        jitter: f64,
    ) -> Option<Duration> {
        if !error.is_retryable() || !(idempotent || self.non_idempotent) || attempts >= self.max_attempts {
            return None;
        }
        let delay = match error.retry_after() {
            Some(asked) if asked > self.max_retry_after => return None,
            Some(asked) => asked,
            None => self.backoff_cap(attempts).mul_f64(jitter.clamp(0.0, 1.0)),
        };
        match self.time_budget {
            Some(budget) if elapsed.saturating_add(delay) > budget => None,
            _ => Some(delay),
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::*;
    use crate::ApiError;

    fn unavailable(body: &[u8]) -> Error {
        ApiError::from_body("api.m", StatusCode::SERVICE_UNAVAILABLE, body).into()
    }

    #[test]
    fn the_backoff_grows_exponentially_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let caps: Vec<u64> = (1..=8).map(|n| policy.backoff_cap(n).as_secs()).collect();
        assert_eq!(caps, [1, 2, 4, 8, 16, 32, 32, 32]);
        assert_eq!(policy.backoff_cap(u32::MAX), Duration::from_secs(32));
    }

    #[test]
    fn the_wait_is_jittered_between_zero_and_the_cap() {
        let policy = RetryPolicy::default().with_time_budget(None);
        let error = unavailable(b"");
        assert_eq!(
            policy.next_delay(&error, true, 3, Duration::ZERO, 0.0),
            Some(Duration::ZERO)
        );
        assert_eq!(
            policy.next_delay(&error, true, 3, Duration::ZERO, 0.5),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            policy.next_delay(&error, true, 3, Duration::ZERO, 1.0),
            Some(Duration::from_secs(4))
        );
    }

    #[test]
    fn gives_up_after_max_attempts_on_permanent_errors_and_for_non_idempotent_calls() {
        let policy = RetryPolicy::default().with_max_attempts(3);
        let error = unavailable(b"");
        assert!(policy.next_delay(&error, true, 2, Duration::ZERO, 0.5).is_some());
        assert_eq!(policy.next_delay(&error, true, 3, Duration::ZERO, 0.5), None);
        assert_eq!(policy.next_delay(&error, false, 1, Duration::ZERO, 0.5), None);
        assert!(
            policy
                .clone()
                .with_non_idempotent(true)
                .next_delay(&error, false, 1, Duration::ZERO, 0.5)
                .is_some()
        );
        let denied: Error = ApiError::from_body("api.m", StatusCode::FORBIDDEN, b"").into();
        assert_eq!(policy.next_delay(&denied, true, 1, Duration::ZERO, 0.5), None);
        assert_eq!(
            RetryPolicy::never().next_delay(&error, true, 1, Duration::ZERO, 0.5),
            None
        );
    }

    #[test]
    fn the_server_delay_wins_but_not_past_the_budget() {
        let policy = RetryPolicy::default().with_time_budget(Duration::from_secs(60));
        let error = unavailable(
            br#"{"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"45s"}]}}"#,
        );
        assert_eq!(
            policy.next_delay(&error, true, 1, Duration::from_secs(10), 0.5),
            Some(Duration::from_secs(45))
        );
        assert_eq!(policy.next_delay(&error, true, 1, Duration::from_secs(20), 0.5), None);
    }

    #[test]
    fn a_server_wait_longer_than_the_cap_is_not_waited_for_even_without_a_budget() {
        let error = |seconds: u64| -> Error {
            let mut api = ApiError::from_body("api.m", StatusCode::SERVICE_UNAVAILABLE, b"");
            api.retry_after = Some(Duration::from_secs(seconds));
            api.into()
        };
        let policy = RetryPolicy::default().with_time_budget(None);
        assert_eq!(
            policy.next_delay(&error(300), true, 1, Duration::ZERO, 0.5),
            Some(Duration::from_secs(300))
        );
        assert_eq!(policy.next_delay(&error(301), true, 1, Duration::ZERO, 0.5), None);
        assert_eq!(policy.next_delay(&error(u64::MAX), true, 1, Duration::ZERO, 0.5), None);
        let patient = policy.with_max_retry_after(Duration::from_secs(3600));
        assert!(patient.next_delay(&error(3000), true, 1, Duration::ZERO, 0.5).is_some());
    }
}
