//! Starting a job and naming it.

use dataportability_v1::Client;
use dataportability_v1::models::{InitiatePortabilityArchiveRequest, PortabilityArchiveState};

use crate::refusal::Refusal;
use crate::{Error, Result};

/// Starts one export job for `group` (a resource group such as `myactivity.search`) and
/// returns its id. Google recommends one job per resource group. When the same export is
/// already running, Google answers `ALREADY_EXISTS_*` with its id, and that job is returned (as
/// Google's sample client does); [`crate::incremental::initiate`] also reads the other refusals.
pub async fn initiate(client: &Client, group: &str) -> Result<String> {
    let sent = client
        .portability_archive()
        .initiate(InitiatePortabilityArchiveRequest {
            resources: vec![group.to_owned()],
            ..Default::default()
        })
        .send()
        .await;
    match sent {
        Ok(response) => response
            .archive_job_id
            .filter(|id| !id.is_empty())
            .ok_or(Error::NoJobId { method: "initiate" }),
        Err(error) => match Refusal::of(&error) {
            Some(Refusal::AlreadyExists { job_id, .. }) => Ok(job_id),
            _ => Err(error.into()),
        },
    }
}

/// The bare id of a job given as `ID`, `archiveJobs/ID` or
/// `archiveJobs/ID/portabilityArchiveState`.
///
/// ```
/// assert_eq!(dataportability_export::job::job_id("archiveJobs/abc/portabilityArchiveState"), "abc");
/// assert_eq!(dataportability_export::job::job_id("abc"), "abc");
/// ```
pub fn job_id(job: &str) -> &str {
    let job = job.trim().trim_matches('/');
    let job = job.strip_prefix("archiveJobs/").unwrap_or(job);
    job.strip_suffix("/portabilityArchiveState").unwrap_or(job)
}

/// The resource name of a job (`archiveJobs/ID`), for `retry` and `cancel`.
pub fn job_name(job: &str) -> String {
    format!("archiveJobs/{}", job_id(job))
}

/// The resource name of a job's state (`archiveJobs/ID/portabilityArchiveState`).
pub fn state_name(job: &str) -> String {
    format!("archiveJobs/{}/portabilityArchiveState", job_id(job))
}

/// Reads the state of a job once.
pub async fn state(client: &Client, job: &str) -> Result<PortabilityArchiveState> {
    Ok(client
        .archive_jobs()
        .get_portability_archive_state(state_name(job))
        .send()
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_every_spelling_of_a_job() {
        for spelling in ["j1", "archiveJobs/j1", "archiveJobs/j1/portabilityArchiveState", " j1 "] {
            assert_eq!(job_id(spelling), "j1", "{spelling}");
            assert_eq!(job_name(spelling), "archiveJobs/j1");
            assert_eq!(state_name(spelling), "archiveJobs/j1/portabilityArchiveState");
        }
    }
}
