//! Starting a job, naming it, and reading its state, within bounds on what the server's
//! answers may be.
//!
//! The client's response limit (64 MiB by default) counts bytes on the wire, not what they
//! become: 60 MB of `"",` decode into 20 million strings (480 MB) and, named and deduplicated,
//! into gigabytes. So every call of this crate limits its answer to what the API's answers can
//! be: [`SMALL_RESPONSE_LIMIT`] for the methods that answer a job id or a few names, and
//! [`STATE_RESPONSE_LIMIT`] for a job's state (its signed URLs); the downloader then refuses a
//! state with more than [`DownloadOptions::max_urls`](crate::download::DownloadOptions::max_urls)
//! URLs before it names a file. A job id answered by the server must be a plain id
//! ([`answered_id`]) before it is used in a path, a state file or a message.

use dataportability_v1::models::{InitiatePortabilityArchiveRequest, PortabilityArchiveState};
use dataportability_v1::{Client, RequestOptions};

use crate::refusal::Refusal;
use crate::{Error, Result};

/// The response limit of the methods whose answers are a job id, an access type or the list of
/// granted groups (`initiate`, `retry`, `cancel`, `reset`, `checkAccessType`): 64 KiB, a
/// hundred times their size.
pub const SMALL_RESPONSE_LIMIT: u64 = 64 << 10;

/// The response limit of `getPortabilityArchiveState`: 4 MiB, room for about 4,000 signed URLs
/// of 1 KiB (a state lists a few). What it can decode into stays under 40 MB: 1.4 million empty
/// strings of 24 bytes, the worst case.
pub const STATE_RESPONSE_LIMIT: u64 = 4 << 20;

/// The longest job id accepted from the server.
pub const MAX_JOB_ID_CHARS: usize = 256;

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
        .max_response_bytes(SMALL_RESPONSE_LIMIT)
        .send()
        .await;
    match sent {
        Ok(response) => answered_id(response.archive_job_id, "initiate"),
        Err(error) => match Refusal::of(&error) {
            Some(Refusal::AlreadyExists { job_id, .. }) => Ok(job_id),
            _ => Err(error.into()),
        },
    }
}

/// The job id a method (`initiate`, `retry`) answered, if it is a plain id: not empty, at most
/// [`MAX_JOB_ID_CHARS`] printable ASCII characters, no `/` (it becomes a path segment of
/// `archiveJobs/ID`). Anything else is [`Error::NoJobId`]: it is never used nor printed.
///
/// ```
/// use dataportability_export::job::answered_id;
/// assert_eq!(answered_id(Some("1f0c-9a2e".into()), "initiate").unwrap(), "1f0c-9a2e");
/// assert!(answered_id(Some("a/../b".into()), "initiate").is_err());
/// assert!(answered_id(Some("\u{1b}[2J".into()), "retry").is_err());
/// ```
pub fn answered_id(id: Option<String>, method: &'static str) -> Result<String> {
    let plain = |id: &String| {
        !id.is_empty() && id.len() <= MAX_JOB_ID_CHARS && id.bytes().all(|b| b.is_ascii_graphic() && b != b'/')
    };
    id.filter(plain).ok_or(Error::NoJobId { method })
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
        .max_response_bytes(STATE_RESPONSE_LIMIT)
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
