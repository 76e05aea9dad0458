//! `dataportability export`: one job per resource group, waited for (and retried) and
//! downloaded concurrently; the jobs are remembered in the output directory's state file, so a
//! second run after an interruption resumes them instead of starting new ones.
//!
//! The output directory is locked for the whole run ([`dataportability_export::lock`]) and used without
//! following links ([`dataportability_export::out_dir`]). An `initiate` is saved in the state file before it
//! is sent and its answer as soon as it arrives; a run that finds an initiate without an answer
//! sends it again. The export library decides what Google's answer means
//! ([`dataportability_export::incremental::initiate`]): the job that first initiate started is
//! adopted (`ALREADY_EXISTS`) or, already complete, downloaded (`RESOURCE_EXHAUSTED` naming it);
//! otherwise the refusal says what the user can do.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use chrono::Utc;
use dataportability_export::download::{DownloadOptions, Downloaded, Downloader, MinSpeed, Progress};
use dataportability_export::incremental::{self, ExportRequest, Initiated, Origin, Plan};
use dataportability_export::lock::Lock;
use dataportability_export::out_dir::Dir;
use dataportability_export::retry::{Finished, JobEvent, WaitAndRetryOptions, wait_and_retry};
use dataportability_export::state_file::{GroupState, GroupStatus, StateFile, VerifiedFile};
use dataportability_export::time_range::{TimeRange, rfc3339};
use dataportability_export::wait::{PollEvent, PollPolicy};
use dataportability_v1::{Client, Scope};
use futures_util::future::join_all;
use indicatif::ProgressBar;
use tokio::sync::Semaphore;

use crate::args::ExportArgs;
use crate::failure::{Code, Failure};
use crate::ui::Ui;
use dataportability_units::show_duration;

/// One export run.
struct Run<'a> {
    client: &'a Client,
    args: &'a ExportArgs,
    /// What each group's export asks for (a period, or what is new).
    request: ExportRequest,
    ui: &'a Ui,
    /// The output directory, opened once.
    out: Dir,
    /// Held until the run ends.
    _lock: Lock,
    state: Mutex<StateFile>,
    downloader: Downloader,
    /// Permits to download (`--parallel-downloads`).
    downloads: Semaphore,
}

/// What `args` ask of each group, checked before anything is sent: against this machine's
/// clock (a start before the end, neither in the future), and a time filter only for groups
/// that take one.
pub fn request(args: &ExportArgs, groups: &[Scope]) -> Result<ExportRequest, Failure> {
    let request = period(args)?;
    if request.filters_time() {
        let names: Vec<&str> = groups.iter().map(|g| g.short_name()).collect();
        dataportability_export::time_range::check_time_filter_groups(&names).map_err(|error| {
            let option = if args.incremental {
                "--incremental"
            } else if args.since.is_some() {
                "--since"
            } else if args.start_time.is_some() {
                "--start-time"
            } else {
                "--end-time"
            };
            Failure::usage(format!("{option} needs a time filter: {error}"))
        })?;
    }
    Ok(request)
}

fn period(args: &ExportArgs) -> Result<ExportRequest, Failure> {
    if args.incremental {
        return Ok(ExportRequest::Incremental);
    }
    let now = Utc::now();
    let start = match args.since {
        Some(span) => Some(span.before(now).map_err(dataportability_export::Error::from)?),
        None => args.start_time,
    };
    let range = TimeRange {
        start,
        end: args.end_time,
    };
    range.validate(now).map_err(dataportability_export::Error::from)?;
    Ok(if range.is_all() {
        ExportRequest::All
    } else {
        ExportRequest::Period(range)
    })
}

pub async fn run(
    client: &Client,
    args: &ExportArgs,
    request: ExportRequest,
    groups: &[Scope],
    endpoint: Option<&str>,
    ui: &Ui,
) -> Result<(), Failure> {
    let out = &args.out;
    let dir = Dir::create(out)?;
    let lock = Lock::acquire(&dir)?;
    if let Some(stale) = lock.stale() {
        ui.line(format!(
            "note: the lock of an earlier run that did not end normally ({stale}) was taken over"
        ));
    }
    let state = StateFile::load_in(&dir)?.unwrap_or_else(|| StateFile::new(endpoint.map(str::to_owned)));
    if state.endpoint.as_deref() != endpoint {
        return Err(Failure::usage(format!(
            "{} belongs to an export from {}; use another --out directory",
            StateFile::path(out).display(),
            state.endpoint.as_deref().unwrap_or("Google's endpoint"),
        )));
    }
    state.save_in(&dir)?;
    let downloader = Downloader::new(
        client.clone(),
        DownloadOptions {
            retry_backoff: args.download_retry_wait,
            rate_limit: args.limit_rate,
            verify: args.verify.into(),
            max_archive_size: args.max_archive_size,
            max_urls: args.max_urls,
            min_speed: (args.min_speed > 0).then_some(MinSpeed {
                bytes_per_second: args.min_speed,
                window: args.min_speed_window,
            }),
            max_attempts_per_file: args.max_attempts_per_file,
            file_deadline: (!args.file_deadline.is_zero()).then_some(args.file_deadline),
            ..DownloadOptions::default()
        },
    )?;
    let run = Run {
        client,
        args,
        request,
        ui,
        out: dir,
        _lock: lock,
        state: Mutex::new(state),
        downloader,
        downloads: Semaphore::new(args.parallel_downloads as usize),
    };

    let results = join_all(groups.iter().map(|group| run.group(group.short_name()))).await;

    let mut failures = Vec::new();
    for (group, result) in groups.iter().zip(results) {
        match result {
            Ok(lines) => lines.iter().for_each(|line| ui.line(line)),
            Err(failure) => failures.push(failure.context(group.short_name())),
        }
    }
    failures.sort_by_key(|f| std::cmp::Reverse(f.rank()));
    let mut failures = failures.into_iter();
    match failures.next() {
        None => Ok(()),
        Some(first) => {
            for other in failures {
                eprintln!("error: {}", other.message);
            }
            Err(first)
        }
    }
}

impl Run<'_> {
    /// Changes the state file and writes it.
    fn update(&self, change: impl FnOnce(&mut StateFile)) -> Result<(), Failure> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut state);
        Ok(state.save_in(&self.out)?)
    }

    /// Exports one group; returns the summary lines.
    async fn group(&self, group: &str) -> Result<Vec<String>, Failure> {
        let known = self
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .groups
            .get(group)
            .cloned();
        let present = known.as_ref().is_some_and(|known| self.is_downloaded(known));
        let plan = match &known {
            // An interrupted run sent this initiate and never saved its answer: send the same one.
            Some(known) if known.initiate_unanswered() => Plan::Start {
                range: TimeRange {
                    start: known.history.start_time,
                    end: known.history.end_time,
                },
                incremental: known.history.incremental,
            },
            _ => incremental::plan(self.client, known.as_ref(), &self.request, present).await?,
        };
        let (job, retries_done) = match (plan, known) {
            (Plan::AlreadyDownloaded, Some(known)) => {
                return Ok(known
                    .files
                    .iter()
                    .map(|f| match known.verified_file(f) {
                        Some(record) => format!(
                            "{group}: {f} (already downloaded; {} verified when downloaded)",
                            checks(&record.checksums)
                        ),
                        None => format!("{group}: {f} (already downloaded)"),
                    })
                    .collect());
            }
            (Plan::Resume, Some(known)) => {
                self.ui
                    .line(format!("{group}: resuming job {}{}", known.job_id, period_of(&known)));
                (known.job_id, known.retries)
            }
            (Plan::Start { range, incremental }, known) => self.start(group, known, &range, incremental).await?,
            (_, None) => return Err(Failure::new(Code::Failed, "no job to resume")),
        };
        let finished = self.wait(group, &job, retries_done).await?;
        let mut dir = group.to_owned();
        let mut export_time = None;
        self.update(|state| {
            if let Some(entry) = state.groups.get_mut(group) {
                dir = incremental::completed(&self.args.out, group, entry, &finished.state);
                export_time = entry.history.export_time;
            }
        })?;
        let until = match (&self.request, export_time) {
            (ExportRequest::All, _) | (_, None) => String::new(),
            (_, Some(time)) => format!(", data until {}", rfc3339(time)),
        };
        self.ui.line(format!(
            "{group}: job {} is COMPLETE with {} file(s){until}",
            finished.job_id,
            finished.state.urls.len()
        ));
        let downloaded = self.download(group, &finished, &dir).await?;
        self.record_downloaded(group, &downloaded)
    }

    /// Whether the state file says the group is done and its files are still there (regular
    /// files, not links).
    fn is_downloaded(&self, known: &GroupState) -> bool {
        known.status == GroupStatus::Downloaded
            && !known.files.is_empty()
            && known.files.iter().all(|file| {
                std::fs::symlink_metadata(self.args.out.join(file)).is_ok_and(|meta| meta.file_type().is_file())
            })
    }

    /// Starts a job for the group over `range`. The `initiate` is saved in the state file before
    /// it is sent (the group's earlier completed export, if any, moves to its `earlier` list),
    /// and its answer as soon as it arrives.
    async fn start(
        &self,
        group: &str,
        known: Option<GroupState>,
        range: &TimeRange,
        incremental: bool,
    ) -> Result<(String, u32), Failure> {
        let earlier = known
            .as_ref()
            .filter(|k| k.initiate_unanswered())
            .and_then(|k| k.initiate_sent_at.clone());
        if let Some(sent) = &earlier {
            self.ui.line(format!(
                "{group}: an earlier run sent initiate at {sent} and stopped before saving its answer; \
                 sending it again (if the first one started a job, Google names it, and the export goes on with it)"
            ));
        }
        let now = Utc::now();
        let unanswered = Initiated {
            job_id: String::new(),
            access_type: None,
            origin: Origin::Started,
        };
        let mut record = incremental::started(known.clone(), &unanswered, range, incremental, now);
        record.initiate_sent_at = Some(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        self.update(|state| {
            state.groups.insert(group.to_owned(), record.clone());
        })?;
        let job = match incremental::initiate(self.client, group, range, known.as_ref()).await {
            Ok(job) => job,
            Err(error) => return Err(self.initiate_failed(group, known, error)),
        };
        self.update(|state| {
            let entry = state.groups.entry(group.to_owned()).or_insert_with(|| record.clone());
            entry.job_id = job.job_id.clone();
            entry.original_job_id = job.job_id.clone();
            entry.history.access_type = job.access_type.clone();
            entry.history.started_at = Some(Utc::now());
        })?;
        let period = period_of(&record);
        let id = &job.job_id;
        self.ui.line(match job.origin {
            Origin::Started => format!("{group}: started job {id}{period}"),
            Origin::Adopted => format!(
                "{group}: Google already runs the same export as job {id} (ALREADY_EXISTS): going on with it{period}"
            ),
            Origin::Recovered => format!(
                "{group}: job {id}, started by an initiate whose answer was lost, is COMPLETE: downloading its archive"
            ),
        });
        Ok((job.job_id, 0))
    }

    /// An `initiate` that failed (the export library already took over any job Google named
    /// that it could). When the server answered (an HTTP error), it started no job: the group's
    /// entry goes back to what it was before (`known`).
    fn initiate_failed(&self, group: &str, known: Option<GroupState>, error: dataportability_export::Error) -> Failure {
        let answered = error.is_too_soon()
            || error.is_exhausted()
            || matches!(&error, dataportability_export::Error::GrantEnded { .. })
            || matches!(&error, dataportability_export::Error::Api(e) if e.status().is_some());
        if answered {
            let restored = self.update(|state| match known {
                Some(known) => {
                    state.groups.insert(group.to_owned(), known);
                }
                None => {
                    state.groups.remove(group);
                }
            });
            if let Err(failure) = restored {
                return failure;
            }
        }
        error.into()
    }

    /// Waits for the job, retrying it when it fails; every retry is saved in the state file.
    async fn wait(&self, group: &str, job: &str, retries_done: u32) -> Result<Finished, Failure> {
        let options = WaitAndRetryOptions {
            poll: PollPolicy {
                initial: self.args.poll_initial,
                max: self.args.poll_max,
                deadline: self.args.deadline,
                ..PollPolicy::default()
            },
            max_retries: self.args.max_retries,
            retries_done,
        };
        let spinner = self.ui.spinner(group);
        let mut save_failure = None;
        let finished = wait_and_retry(self.client, job, &options, |event| match event {
            JobEvent::Polled(poll) => {
                let message = poll_message(poll);
                if self.ui.is_interactive() {
                    self.ui.set_message(&spinner, &message);
                } else {
                    self.ui.line(format!("{group}: {message}"));
                }
            }
            JobEvent::Retried { failed, new, retry } => {
                let max = options.max_retries;
                self.ui.line(format!(
                    "{group}: job {failed} failed; retry {retry} of {max} is job {new}"
                ));
                let saved = self.update(|state| {
                    if let Some(entry) = state.groups.get_mut(group) {
                        entry.job_id = new.clone();
                        entry.retries = *retry;
                    }
                });
                if let Err(failure) = saved {
                    save_failure.get_or_insert(failure);
                }
            }
        })
        .await;
        spinner.finish_and_clear();
        match save_failure {
            Some(failure) => Err(failure),
            None => Ok(finished?),
        }
    }

    /// Downloads the job's files into `OUT/DIR/` (`DIR` is the group, or the group and the
    /// run's period), with a bar per file.
    async fn download(&self, group: &str, finished: &Finished, dir: &str) -> Result<Vec<Downloaded>, Failure> {
        let _permit = self
            .downloads
            .acquire()
            .await
            .map_err(|e| Failure::new(Code::Failed, e.to_string()))?;
        let dir = self.out.subpath(dir)?;
        let mut bars: Vec<ProgressBar> = Vec::new();
        let mut seen = Seen::default();
        let mut save_failure = None;
        let downloaded = self
            .downloader
            .download_all_in(&finished.job_id, &finished.state, &dir, |progress| {
                self.show_download(group, progress, &mut bars, &mut seen);
                if let Some(file) = progress.finished.filter(|file| !file.already_present)
                    && let Err(failure) = self.record_verified(group, file)
                {
                    save_failure.get_or_insert(failure);
                }
            })
            .await;
        bars.iter().for_each(ProgressBar::finish_and_clear);
        match save_failure {
            Some(failure) => Err(failure),
            None => Ok(downloaded?),
        }
    }

    /// Records a file verified in this run in the state file's journal, as soon as it is (one
    /// appended line: N files cost O(N)).
    fn record_verified(&self, group: &str, file: &Downloaded) -> Result<(), Failure> {
        let record = VerifiedFile {
            path: relative(&self.args.out, &file.path),
            bytes: file.bytes,
            checksums: file.checksums.to_header(),
        };
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state.record_verified_in(&self.out, group, record)?)
    }

    /// Marks the group downloaded in the state file; returns the summary lines.
    fn record_downloaded(&self, group: &str, downloaded: &[Downloaded]) -> Result<Vec<String>, Failure> {
        let files: Vec<String> = downloaded
            .iter()
            .map(|file| relative(&self.args.out, &file.path))
            .collect();
        let mut records = Vec::new();
        self.update(|state| {
            if let Some(entry) = state.groups.get_mut(group) {
                entry.status = GroupStatus::Downloaded;
                entry.files = files.clone();
                records = files.iter().map(|f| entry.verified_file(f).cloned()).collect();
            }
        })?;
        Ok(downloaded
            .iter()
            .zip(&files)
            .zip(records.into_iter().chain(std::iter::repeat(None)))
            .map(|((file, name), record)| {
                let bytes = file.bytes;
                if !file.already_present {
                    let checked = checks(&file.checksums.to_header());
                    return format!("{group}: {name} ({bytes} bytes; {checked} verified)");
                }
                // Present before this run: "verified" only if a run recorded it so.
                match record.filter(|r| r.bytes == bytes) {
                    Some(record) => format!(
                        "{group}: {name} ({bytes} bytes; already downloaded; {} verified when downloaded)",
                        checks(&record.checksums)
                    ),
                    None => format!("{group}: {name} ({bytes} bytes; was already there, not verified by this tool)"),
                }
            })
            .collect())
    }

    /// Shows a download's progress: a line when a file starts, resumes after a failure or gets
    /// a fresh URL; its bar otherwise.
    fn show_download(&self, group: &str, progress: &Progress<'_>, bars: &mut Vec<ProgressBar>, seen: &mut Seen) {
        let file = progress.file;
        if bars.len() <= progress.index {
            *seen = Seen::default();
            let total = progress
                .total
                .map_or_else(|| "? bytes".to_owned(), |t| format!("{t} bytes"));
            let from = progress.resumed_from;
            if from > 0 && progress.total == Some(from) {
                self.ui.line(format!("{group}: {file} is already downloaded"));
            } else if from > 0 {
                self.ui.line(format!("{group}: resuming {file} at {from} of {total}"));
            } else {
                self.ui.line(format!("{group}: downloading {file} ({total})"));
            }
            bars.push(self.ui.bytes(&format!("{group}/{file}"), progress.total));
        }
        if progress.retries > seen.retries {
            seen.retries = progress.retries;
            let why = progress.last_failure.unwrap_or("the attempt failed");
            self.ui
                .line(format!("{group}: {file}: {why}; resuming at {} bytes", progress.done));
        }
        if progress.url_refreshes > seen.refreshes {
            seen.refreshes = progress.url_refreshes;
            self.ui
                .line(format!("{group}: the URL of {file} expired; going on with a fresh one"));
        }
        if let Some(bar) = bars.get(progress.index) {
            if let Some(total) = progress.total {
                bar.set_length(total);
            }
            bar.set_position(progress.done);
        }
    }
}

/// `size, crc32c` for the checksums `crc32c=...` of a record (`size` when there are none).
fn checks(checksums: &str) -> String {
    let names: Vec<&str> = checksums
        .split(',')
        .filter_map(|part| part.split_once('=').map(|(name, _)| name.trim()))
        .collect();
    if names.is_empty() {
        "size".to_owned()
    } else {
        format!("size, {}", names.join("+"))
    }
}

/// What the display already told about the current file.
#[derive(Default)]
struct Seen {
    refreshes: u32,
    retries: u32,
}

/// The period of a group's job for a progress line: empty for a plain export.
fn period_of(entry: &GroupState) -> String {
    let history = &entry.history;
    let range = TimeRange {
        start: history.start_time,
        end: history.end_time,
    };
    match (history.incremental, range.start) {
        (true, None) => format!(" for {range} (incremental: the first export of the group, everything)"),
        (true, Some(_)) => format!(" for {range} (incremental: what is new since the last export)"),
        (false, _) if range.is_all() => String::new(),
        (false, _) => format!(" for {range}"),
    }
}

fn poll_message(poll: &PollEvent) -> String {
    let seen = match (&poll.state, &poll.error) {
        (_, Some(error)) => format!("poll {} failed ({error})", poll.poll),
        (Some(state), None) => format!("job {} is {state}", poll.job),
        (None, None) => format!("job {} has no state yet", poll.job),
    };
    match poll.next_poll_in {
        Some(next) => format!("{seen}; next poll in {}", show_duration(next)),
        None => seen,
    }
}

/// `path` relative to `out`, with `/` separators (for the state file).
fn relative(out: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(out).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
