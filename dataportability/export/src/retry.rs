//! Waiting for a job and retrying it when it fails: `retry` is only for a `FAILED` job, gives
//! a new job id, and is allowed at most 3 times per original job (Google's rule).

use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::models::{PortabilityArchiveState, RetryPortabilityArchiveRequest};
use dataportability_v1::{Client, RequestOptions};

use crate::wait::{PollEvent, PollPolicy, wait};
use crate::{Error, Result, job};

/// The most retries Google allows per original job.
pub const MAX_RETRIES: u32 = 3;

/// How [`wait_and_retry`] polls a job and how often it retries a `FAILED` one (the API's
/// `retry` method, which starts a new job).
///
/// Not to be confused with the runtime's `RetryPolicy`, which repeats one HTTP request after a
/// transient failure (429, 5xx, a dropped connection); the two nest: every poll and every
/// `retry` call goes through the client's `RetryPolicy`.
#[derive(Clone, Debug, PartialEq)]
pub struct WaitAndRetryOptions {
    /// How each job is polled.
    pub poll: PollPolicy,
    /// How many retries are allowed in all (default [`MAX_RETRIES`]).
    pub max_retries: u32,
    /// How many retries were already made for this chain (when resuming a chain a program
    /// remembered, so that the total stays within `max_retries`).
    pub retries_done: u32,
}

impl Default for WaitAndRetryOptions {
    fn default() -> Self {
        Self {
            poll: PollPolicy::default(),
            max_retries: MAX_RETRIES,
            retries_done: 0,
        }
    }
}

/// What happened while waiting, for a display or a state file.
#[derive(Clone, Debug)]
pub enum JobEvent {
    /// A poll of the current job.
    Polled(PollEvent),
    /// A `FAILED` job was retried: `new` replaces `failed`.
    Retried {
        /// The job that failed.
        failed: String,
        /// The job that replaces it.
        new: String,
        /// The number of this retry (1-based, counted over the whole chain).
        retry: u32,
    },
}

/// A job that completed.
#[derive(Clone, Debug)]
pub struct Finished {
    /// The id of the job that completed (a retry's id when the first job failed).
    pub job_id: String,
    /// Its `COMPLETE` state, with the signed URLs.
    pub state: PortabilityArchiveState,
    /// How many retries the chain took in all.
    pub retries: u32,
}

/// Retries the `FAILED` job `job` once and returns the new job's id.
pub async fn retry(client: &Client, job: &str) -> Result<String> {
    let response = client
        .archive_jobs()
        .retry(job::job_name(job), RetryPortabilityArchiveRequest::default())
        .max_response_bytes(job::SMALL_RESPONSE_LIMIT)
        .send()
        .await?;
    job::answered_id(response.archive_job_id, "retry")
}

/// Waits for `job`; when it ends `FAILED`, retries it (up to `options.max_retries` times in
/// all) and waits for the new job, and so on. Returns the job that completed;
/// [`Error::JobFailed`] when the retries ran out, [`Error::JobCancelled`] when a job was
/// cancelled.
pub async fn wait_and_retry(
    client: &Client,
    job: &str,
    options: &WaitAndRetryOptions,
    mut on_event: impl FnMut(&JobEvent),
) -> Result<Finished> {
    let mut job = job::job_id(job).to_owned();
    let mut retries = options.retries_done;
    loop {
        let state = wait(client, &job, &options.poll, |poll| {
            on_event(&JobEvent::Polled(poll.clone()))
        })
        .await?;
        match state.state {
            Some(State::Complete) => {
                return Ok(Finished {
                    job_id: job,
                    state,
                    retries,
                });
            }
            Some(State::Failed) if retries < options.max_retries => {
                let new = retry(client, &job).await?;
                retries += 1;
                on_event(&JobEvent::Retried {
                    failed: job.clone(),
                    new: new.clone(),
                    retry: retries,
                });
                job = new;
            }
            Some(State::Failed) => return Err(Error::JobFailed { job, retries }),
            _ => return Err(Error::JobCancelled { job }),
        }
    }
}
