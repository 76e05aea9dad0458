//! The whole loop for one user's groups: start, wait, download, remember.

use std::path::Path;

use chrono::{DateTime, Utc};
use dataportability_v1::Client;

use super::{ExportRequest, Plan, completed, initiate, plan, started};
use crate::Result;
use crate::download::Downloader;
use crate::lock::Lock;
use crate::out_dir::Dir;
use crate::retry::{WaitAndRetryOptions, wait_and_retry};
use crate::state_file::{GroupStatus, StateFile};
use crate::time_range::TimeRange;

/// How [`export_groups`] waits and downloads.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// How jobs are polled and retried.
    pub retry: WaitAndRetryOptions,
    /// The time a period is checked against (default: this machine's clock); a test against an
    /// emulator whose clock was moved passes the emulator's time.
    pub now: Option<DateTime<Utc>>,
}

/// One group's completed export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupExport {
    /// The resource group.
    pub group: String,
    /// The job that completed (`None` when the same export was already downloaded).
    pub job_id: Option<String>,
    /// The requested period.
    pub range: TimeRange,
    /// The job's `exportTime`.
    pub export_time: Option<DateTime<Utc>>,
    /// The files, relative to the output directory.
    pub files: Vec<String>,
}

/// Exports `groups` of one user into `out` (one directory per user): for each group, plans
/// from the state file, starts (or resumes) its job, then waits for each job (retrying a failed
/// one), downloads and verifies its files into their own directory, and remembers the export
/// in the state file. Jobs run at Google in parallel; this waits for them in turn. Returns each
/// group's result; one group's failure does not stop the others. `out` is locked for the call
/// ([`Lock`]: another run there is [`Error::Locked`](crate::Error::Locked)), and every directory
/// and file under it is created private without following links ([`crate::out_dir`]).
pub async fn export_groups(
    client: &Client,
    downloader: &Downloader,
    out: &Path,
    groups: &[&str],
    request: &ExportRequest,
    options: &ExportOptions,
) -> Result<Vec<(String, Result<GroupExport>)>> {
    if let ExportRequest::Period(range) = request {
        range.validate(options.now.unwrap_or_else(Utc::now))?;
    }
    if request.filters_time() {
        crate::time_range::check_time_filter_groups(groups)?;
    }
    let out_dir = Dir::create(out)?;
    let _lock = Lock::acquire(&out_dir)?;
    let mut state = StateFile::load_in(&out_dir)?.unwrap_or_else(|| StateFile::new(None));
    let mut started = Vec::new();
    for group in groups {
        started.push(start_group(client, out, &mut state, group, request).await);
    }
    let mut results = Vec::new();
    for (group, start) in groups.iter().zip(started) {
        let result = match start {
            Ok(None) => Ok(done_export(&state, group)),
            Ok(Some(())) => finish_group(client, downloader, &out_dir, &mut state, group, options).await,
            Err(error) => Err(error),
        };
        results.push(((*group).to_owned(), result));
    }
    Ok(results)
}

/// Plans and starts (or resumes) the group's job; `None` when it is already downloaded.
async fn start_group(
    client: &Client,
    out: &Path,
    state: &mut StateFile,
    group: &str,
    request: &ExportRequest,
) -> Result<Option<()>> {
    let entry = state.groups.get(group).cloned();
    let present = entry
        .as_ref()
        .is_some_and(|e| !e.files.is_empty() && e.files.iter().all(|f| out.join(f).is_file()));
    match plan(client, entry.as_ref(), request, present).await? {
        Plan::AlreadyDownloaded => Ok(None),
        Plan::Resume => Ok(Some(())),
        Plan::Start { range, incremental } => {
            let job = initiate(client, group, &range, entry.as_ref()).await?;
            let new = started(entry, &job, &range, incremental, Utc::now());
            state.groups.insert(group.to_owned(), new);
            state.save(out)?;
            Ok(Some(()))
        }
    }
}

/// Waits for the group's job, downloads it and records it.
async fn finish_group(
    client: &Client,
    downloader: &Downloader,
    out: &Dir,
    state: &mut StateFile,
    group: &str,
    options: &ExportOptions,
) -> Result<GroupExport> {
    let entry = state.groups.get(group).cloned().unwrap_or_default();
    let retry = WaitAndRetryOptions {
        retries_done: entry.retries,
        ..options.retry.clone()
    };
    let finished = wait_and_retry(client, &entry.job_id, &retry, |_| {}).await?;
    let mut entry = entry;
    entry.job_id = finished.job_id.clone();
    entry.retries = finished.retries;
    let dir = completed(out.path(), group, &mut entry, &finished.state);
    state.groups.insert(group.to_owned(), entry.clone());
    state.save_in(out)?;
    let downloaded = downloader
        .download_all_in(&finished.job_id, &finished.state, &out.subpath(&dir)?, |_| {})
        .await?;
    entry.files = downloaded
        .iter()
        .map(|file| {
            let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned());
            format!("{dir}/{}", name.unwrap_or_default())
        })
        .collect();
    entry.status = GroupStatus::Downloaded;
    state.groups.insert(group.to_owned(), entry);
    state.save_in(out)?;
    Ok(done_export(state, group))
}

fn done_export(state: &StateFile, group: &str) -> GroupExport {
    let entry = state.groups.get(group).cloned().unwrap_or_default();
    GroupExport {
        group: group.to_owned(),
        job_id: Some(entry.job_id).filter(|j| !j.is_empty()),
        range: TimeRange {
            start: entry.history.start_time,
            end: entry.history.end_time,
        },
        export_time: entry.history.export_time,
        files: entry.files,
    }
}
