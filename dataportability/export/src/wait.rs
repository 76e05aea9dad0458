//! Waiting for a job: polls `getPortabilityArchiveState` with a growing interval until the
//! job is `COMPLETE`, `FAILED` or `CANCELLED`.
//!
//! Google documents that a job takes minutes to days and asks clients to poll every 5 to 60
//! minutes; [`PollPolicy::default`] does exactly that (5 minutes, doubling, at most 60).
//!
//! **Unknown states.** A state this crate does not know (a value added to the API later,
//! `STATE_UNSPECIFIED`, or no state at all) is treated as "not finished yet" and polled again
//! with the same growing interval, so it never spins; after
//! [`PollPolicy::max_unknown_polls`] such answers in a row, [`wait`] gives up with
//! [`Error::UnknownState`]. An optional overall [`PollPolicy::deadline`] bounds the whole
//! wait (none by default, since a job may legitimately take days).
//!
//! **Transient errors** of a poll (HTTP 429 and 5xx, connection failures), left after the
//! client's own retries, are polled through as well, up to [`PollPolicy::max_poll_errors`]
//! in a row.

use std::time::{Duration, Instant};

use dataportability_v1::Client;
use dataportability_v1::models::PortabilityArchiveState;
use dataportability_v1::models::portability_archive_state::State;

use crate::{Error, Result, job};

/// The least wait between two polls, whatever the policy says.
pub const MIN_WAIT: Duration = Duration::from_millis(10);

/// How [`wait`] polls. `Default`: first poll at once, then after 5 minutes, doubling up to
/// 60 minutes; give up after 10 unknown states or 5 failed polls in a row; no deadline.
#[derive(Clone, Debug, PartialEq)]
pub struct PollPolicy {
    /// The wait after the first poll.
    pub initial: Duration,
    /// The longest wait between two polls.
    pub max: Duration,
    /// How much the wait grows after each poll (at least 1).
    pub multiplier: f64,
    /// Give up when the job is not finished this long after the wait started (`None`: never).
    pub deadline: Option<Duration>,
    /// Give up after this many answers in a row with an unknown state (or none).
    pub max_unknown_polls: u32,
    /// Give up after this many polls in a row that failed with a transient error.
    pub max_poll_errors: u32,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_secs(5 * 60),
            max: Duration::from_secs(60 * 60),
            multiplier: 2.0,
            deadline: None,
            max_unknown_polls: 10,
            max_poll_errors: 5,
        }
    }
}

impl PollPolicy {
    /// The wait after poll number `poll` (1-based): `initial * multiplier^(poll-1)`, at most
    /// `max`, and never less than 10 ms (so that a zero policy cannot hammer the API).
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = dataportability_export::wait::PollPolicy::default();
    /// assert_eq!(policy.backoff(1), Duration::from_secs(300));
    /// assert_eq!(policy.backoff(2), Duration::from_secs(600));
    /// assert_eq!(policy.backoff(9), Duration::from_secs(3600));
    /// ```
    pub fn backoff(&self, poll: u32) -> Duration {
        let multiplier = if self.multiplier.is_finite() {
            self.multiplier.max(1.0)
        } else {
            1.0
        };
        let factor = multiplier.powi(poll.saturating_sub(1).min(64) as i32);
        let wait = self.initial.as_secs_f64() * factor;
        let wait = if wait >= self.max.as_secs_f64() {
            self.max
        } else {
            Duration::from_secs_f64(wait).min(self.max)
        };
        wait.max(MIN_WAIT)
    }
}

/// What one poll saw, for a progress display.
#[derive(Clone, Debug)]
pub struct PollEvent {
    /// The job's id.
    pub job: String,
    /// The number of this poll (1-based).
    pub poll: u32,
    /// The state it answered (`None` when the poll failed or the answer had no state).
    pub state: Option<State>,
    /// The transient error of a failed poll, as one line.
    pub error: Option<String>,
    /// How long until the next poll (`None` when the job is finished).
    pub next_poll_in: Option<Duration>,
}

/// Whether a job in `state` is finished.
pub fn is_final(state: Option<&State>) -> bool {
    matches!(state, Some(State::Complete | State::Failed | State::Cancelled))
}

/// Polls the job until it is `COMPLETE`, `FAILED` or `CANCELLED`, and returns that state
/// (`FAILED` and `CANCELLED` are answers, not errors: see [`retry`](crate::retry) for what to
/// do with them). `on_poll` is called after every poll.
pub async fn wait(
    client: &Client,
    job: &str,
    policy: &PollPolicy,
    mut on_poll: impl FnMut(&PollEvent),
) -> Result<PortabilityArchiveState> {
    let job = job::job_id(job).to_owned();
    let started = Instant::now();
    let (mut poll, mut unknown, mut errors) = (0u32, 0u32, 0u32);
    loop {
        poll += 1;
        let wait = policy.backoff(poll);
        let mut event = PollEvent {
            job: job.clone(),
            poll,
            state: None,
            error: None,
            next_poll_in: Some(wait),
        };
        match job::state(client, &job).await {
            Ok(state) => {
                errors = 0;
                event.state = state.state.clone();
                if is_final(state.state.as_ref()) {
                    event.next_poll_in = None;
                    on_poll(&event);
                    return Ok(state);
                }
                if state.state == Some(State::InProgress) {
                    unknown = 0;
                } else {
                    unknown += 1;
                    if unknown >= policy.max_unknown_polls.max(1) {
                        let state = state.state.map(|s| s.as_str().to_owned()).unwrap_or_default();
                        return Err(Error::UnknownState {
                            job,
                            state,
                            polls: unknown,
                        });
                    }
                }
            }
            Err(Error::Api(error)) if error.is_retryable() => {
                errors += 1;
                if errors > policy.max_poll_errors {
                    return Err(error.into());
                }
                event.error = Some(error.to_string());
            }
            Err(error) => return Err(error),
        }
        if let Some(deadline) = policy.deadline
            && started.elapsed() + wait > deadline
        {
            return Err(Error::Deadline { job, after: deadline });
        }
        on_poll(&event);
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_cadence_is_googles_5_to_60_minutes() {
        let policy = PollPolicy::default();
        let waits: Vec<u64> = (1..=7).map(|n| policy.backoff(n).as_secs() / 60).collect();
        assert_eq!(waits, [5, 10, 20, 40, 60, 60, 60]);
        assert_eq!(policy.backoff(u32::MAX), Duration::from_secs(3600));
    }

    #[test]
    fn a_zero_policy_still_waits_between_polls() {
        let policy = PollPolicy {
            initial: Duration::ZERO,
            max: Duration::ZERO,
            ..PollPolicy::default()
        };
        assert_eq!(policy.backoff(1), MIN_WAIT);
    }

    #[test]
    fn a_bad_multiplier_does_not_shrink_or_explode_the_wait() {
        for multiplier in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let policy = PollPolicy {
                multiplier,
                ..PollPolicy::default()
            };
            assert_eq!(policy.backoff(5), Duration::from_secs(300), "{multiplier}");
        }
    }
}
