//! One archive job and its state machine.
//!
//! ```text
//!               due time reached (outcome Complete) or control `:complete`
//!             ┌──────────────────────────────────────────────────────────▶ COMPLETE
//! IN_PROGRESS ┼── due time reached (outcome Fail) or control `:fail` ─────▶ FAILED ──retry──▶ new job
//!             └── cancel (time-based jobs only) ──────────────────────────▶ CANCELLED
//! ```
//!
//! Transitions on time are lazy: [`Job::advance`] is called with the emulator's time before
//! every read, and a job that became due completes *at its due time*, so results do not depend
//! on when it is observed.

use chrono::{DateTime, Utc};

use crate::auth::{AccessType, Principal};

/// The state of a job, as `PortabilityArchiveState.state` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobState {
    /// `IN_PROGRESS`
    InProgress,
    /// `COMPLETE`: the archive can be downloaded.
    Complete,
    /// `FAILED`: the job may be retried.
    Failed,
    /// `CANCELLED`
    Cancelled,
}

impl JobState {
    /// The value as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::InProgress => "IN_PROGRESS",
            JobState::Complete => "COMPLETE",
            JobState::Failed => "FAILED",
            JobState::Cancelled => "CANCELLED",
        }
    }
}

/// How a job ends when its due time comes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It completes.
    Complete,
    /// It fails (an injected failure).
    Fail,
}

/// What was asked of a job, kept to answer `getPortabilityArchiveState` and to retry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JobSpec {
    /// The user whose data is exported, and the client that asked.
    pub principal: Principal,
    /// The resource groups, sorted and without duplicates.
    pub groups: Vec<String>,
    /// The access type the job was initiated with.
    pub access_type: AccessType,
    /// The requested start of the exported period.
    pub start_time: Option<DateTime<Utc>>,
    /// The requested end of the exported period.
    pub end_time: Option<DateTime<Utc>>,
}

/// A transition the current state does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NotAllowed {
    /// The state the job is in.
    pub state: JobState,
}

/// One archive job.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    /// The job id (`archiveJobs/{id}`).
    pub id: String,
    /// What was asked.
    pub spec: JobSpec,
    /// When `initiate` (or `retry`) created the job.
    pub requested_at: DateTime<Utc>,
    /// The first job of its retry chain, `None` for an original job.
    pub origin: Option<String>,
    /// How many times the chain this job starts was retried (meaningful on an original job).
    pub retries: u32,
    /// Set by `authorization.reset`: the archive is no longer served.
    pub archive_revoked: bool,
    /// The order of creation among the emulator's jobs (jobs are never removed).
    pub sequence: usize,
    due_at: DateTime<Utc>,
    outcome: Outcome,
    state: JobState,
    finished_at: Option<DateTime<Utc>>,
}

impl Job {
    /// A job `IN_PROGRESS` that ends with `outcome` at `due_at`.
    pub fn new(
        id: String,
        spec: JobSpec,
        requested_at: DateTime<Utc>,
        due_at: DateTime<Utc>,
        outcome: Outcome,
    ) -> Self {
        Self {
            id,
            spec,
            requested_at,
            origin: None,
            retries: 0,
            archive_revoked: false,
            sequence: 0,
            due_at,
            outcome,
            state: JobState::InProgress,
            finished_at: None,
        }
    }

    /// Applies the due transition if `now` has reached the due time.
    pub fn advance(&mut self, now: DateTime<Utc>) {
        if self.state == JobState::InProgress && now >= self.due_at {
            self.finish(self.outcome, self.due_at);
        }
    }

    /// The state at the last [`advance`](Self::advance).
    pub fn state(&self) -> JobState {
        self.state
    }

    /// When the job left `IN_PROGRESS`.
    pub fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.finished_at
    }

    /// `IN_PROGRESS` → `COMPLETE` now (the control surface's `:complete`).
    pub fn complete(&mut self, now: DateTime<Utc>) -> Result<(), NotAllowed> {
        self.advance(now);
        self.require(JobState::InProgress)?;
        self.finish(Outcome::Complete, now);
        Ok(())
    }

    /// `IN_PROGRESS` → `FAILED` now (the control surface's `:fail`).
    pub fn fail(&mut self, now: DateTime<Utc>) -> Result<(), NotAllowed> {
        self.advance(now);
        self.require(JobState::InProgress)?;
        self.finish(Outcome::Fail, now);
        Ok(())
    }

    /// `IN_PROGRESS` → `CANCELLED`; only a time-based job may be cancelled.
    pub fn cancel(&mut self, now: DateTime<Utc>) -> Result<(), NotAllowed> {
        self.advance(now);
        self.require(JobState::InProgress)?;
        if self.spec.access_type != AccessType::TimeBased {
            return Err(NotAllowed { state: self.state });
        }
        self.state = JobState::Cancelled;
        self.finished_at = Some(now);
        Ok(())
    }

    /// `exportTime`: the requested end time, or the time the export was requested.
    pub fn export_time(&self) -> DateTime<Utc> {
        self.spec.end_time.unwrap_or(self.requested_at)
    }

    fn require(&self, state: JobState) -> Result<(), NotAllowed> {
        if self.state == state {
            Ok(())
        } else {
            Err(NotAllowed { state: self.state })
        }
    }

    fn finish(&mut self, outcome: Outcome, at: DateTime<Utc>) {
        self.state = match outcome {
            Outcome::Complete => JobState::Complete,
            Outcome::Fail => JobState::Failed,
        };
        self.finished_at = Some(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn job(access_type: AccessType, outcome: Outcome) -> (Job, DateTime<Utc>) {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let spec = JobSpec {
            principal: Principal {
                user: "u".into(),
                client: "c".into(),
            },
            groups: vec!["g".into()],
            access_type,
            start_time: None,
            end_time: None,
        };
        (Job::new("j".into(), spec, t0, t0 + TimeDelta::seconds(5), outcome), t0)
    }

    #[test]
    fn completes_at_its_due_time_whenever_observed() {
        let (mut job, t0) = job(AccessType::OneTime, Outcome::Complete);
        job.advance(t0 + TimeDelta::seconds(4));
        assert_eq!(job.state(), JobState::InProgress);
        job.advance(t0 + TimeDelta::days(3));
        assert_eq!(job.state(), JobState::Complete);
        assert_eq!(job.finished_at(), Some(t0 + TimeDelta::seconds(5)));
        assert_eq!(job.export_time(), t0);
    }

    #[test]
    fn an_injected_failure_fails_at_the_due_time() {
        let (mut job, t0) = job(AccessType::OneTime, Outcome::Fail);
        job.advance(t0 + TimeDelta::seconds(5));
        assert_eq!(job.state(), JobState::Failed);
        assert_eq!(
            job.complete(t0 + TimeDelta::seconds(6)),
            Err(NotAllowed {
                state: JobState::Failed
            })
        );
    }

    #[test]
    fn control_transitions_only_from_in_progress() {
        let (mut job, t0) = job(AccessType::OneTime, Outcome::Complete);
        assert_eq!(job.fail(t0), Ok(()));
        assert_eq!(
            job.fail(t0),
            Err(NotAllowed {
                state: JobState::Failed
            })
        );
        let (mut job, t0) = job_pair();
        assert_eq!(job.complete(t0), Ok(()));
        assert_eq!(job.state(), JobState::Complete);
    }

    fn job_pair() -> (Job, DateTime<Utc>) {
        job(AccessType::TimeBased, Outcome::Complete)
    }

    #[test]
    fn cancel_only_a_time_based_job_in_progress() {
        let (mut one_time, t0) = job(AccessType::OneTime, Outcome::Complete);
        assert!(one_time.cancel(t0).is_err());
        let (mut time_based, t0) = job_pair();
        assert_eq!(time_based.cancel(t0), Ok(()));
        assert_eq!(time_based.state(), JobState::Cancelled);
        assert!(time_based.cancel(t0).is_err());
        let (mut done, t0) = job_pair();
        assert!(done.cancel(t0 + TimeDelta::seconds(10)).is_err(), "already COMPLETE");
    }
}
