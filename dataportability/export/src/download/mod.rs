//! Downloading the archives of a `COMPLETE` job.
//!
//! Each signed URL is streamed to `DIR/NAME.part` and renamed to `DIR/NAME` only once it is
//! complete and verified:
//!
//! - **Speed.** The body is received on the async task and handed (reference-counted, not
//!   copied) to a writer thread that writes it through a 256 KiB buffer and computes the
//!   CRC32C; when the MD5 is verified too, a third thread computes it, so hashing overlaps
//!   receiving and writing. Both queues are bounded (16 chunks): memory stays flat whatever the
//!   size. The writer asks the kernel to write back every 32 MiB while the download goes on,
//!   so that the `fsync` before the rename has little left to do.
//! - **Safety on disk.** Every file is opened relative to the directory's handle without
//!   following links ([`crate::out_dir`]), created `0600`; a link where a part or a final file
//!   is expected is [`Error::Link`], its target untouched.
//! - **Bounded writes.** Never more than the object's announced length is written (the
//!   excess is cut off and the file refused: [`Error::Verification`]), and never more than
//!   [`DownloadOptions::max_archive_size`].
//!
//! - **Resuming.** After a dropped connection the download goes on with `Range: bytes=N-`
//!   from where the part file ends, and so does a later run of the program that finds a
//!   `NAME.part` (its bytes are hashed again first, so the checksums cover the whole file). A
//!   server that ignores the `Range` (200) or answers another range starts the file over; a
//!   part already as long as the object (a run stopped just before the rename: the server
//!   answers 416) is verified against the checksums of a `HEAD` request.
//! - **Verifying.** The length must be the object's (`Content-Range`, `Content-Length`,
//!   `x-goog-stored-content-length`), and the checksums of `x-goog-hash` (those of the
//!   whole object, also on a `206`) chosen by [`DownloadOptions::verify`] must match: CRC32C by
//!   default, MD5 when there is no CRC32C ([`crate::hashes`]). On a mismatch the part file is
//!   deleted and [`Error::Verification`] returned: a corrupt file never gets the final name.
//! - **Expired URLs.** Cloud Storage's `400 ExpiredToken` (a signed URL is valid for 6 hours),
//!   or a `403`, makes the downloader read the job's state again for freshly signed URLs, and
//!   go on from the same offset (at most [`DownloadOptions::max_url_refreshes`] times in a row).
//! - **Transient failures** (connection errors, 429, 5xx) are retried with a doubling wait
//!   (at most [`DownloadOptions::max_retry_backoff`]), up to [`DownloadOptions::max_attempts`]
//!   attempts in a row that make no progress: progress is at least [`PROGRESS_BYTES`] (or
//!   the rest of the file), so a server that sends a byte and closes cannot reset the count.
//!
//! **Bounds.** A broken or hostile server (or anything on the path to it) can neither stall a
//! download for ever nor make the downloader hold more than it must; every bound is an option
//! with a default, so a program (the CLI, an unattended export service) gets them by
//! construction:
//!
//! The URL must be `https` (plain `http` only on a loopback host), and a redirect is followed
//! only to the same origin, at most five times (`origin.rs`): reqwest's default policy would
//! follow a `302` to `http://other-host/`, sending the archive in clear text.
//!
//! | Bound | Default | Against |
//! | --- | --- | --- |
//! | [`max_urls`](DownloadOptions::max_urls) | 1,000 URLs per job | a state of millions of URLs (each becomes a name) |
//! | [`read_timeout`](DownloadOptions::read_timeout) | 60 s | a server that stops sending, or sends no headers |
//! | [`min_speed`](DownloadOptions::min_speed) | 1 KiB/s over 60 s | a trickle that never trips the read timeout |
//! | [`max_attempts`](DownloadOptions::max_attempts) | 5 in a row without progress | a URL that always fails |
//! | [`max_attempts_per_file`](DownloadOptions::max_attempts_per_file) | 100 | a server that closes after every bit of progress |
//! | [`file_deadline`](DownloadOptions::file_deadline) | 24 h | a body just above the minimum speed: the time one file may take |
//! | [`max_archive_size`](DownloadOptions::max_archive_size) | 1 TiB | an endless body |
//!
//! A file given up keeps its verified bytes in `NAME.part`, so a later run resumes it.
//!
//! A file whose final name already exists is taken as done (it was verified before it got
//! that name); [`Downloaded::already_present`] says so, and its `verified` is empty (the
//! caller knows, from its own records, whether it was verified, e.g. the state file). Signed URLs are plain HTTPS URLs: no bearer token is sent with them, and they
//! never appear in errors.

mod headers;
mod names;
mod origin;
mod part;
mod transfer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use dataportability_v1::Client;
use dataportability_v1::models::PortabilityArchiveState;
use dataportability_v1::models::portability_archive_state::State;

pub use self::names::file_names;
use crate::hashes::{ExpectedHashes, Verify};
use crate::out_dir::Dir;
use crate::{Error, Result, job};

/// The default of [`DownloadOptions::max_archive_size`]: 1 TiB, far above any archive
/// Google serves (Takeout splits exports into files of at most 50 GB), yet a bound.
pub const DEFAULT_MAX_ARCHIVE_SIZE: u64 = 1 << 40;

/// The default of [`DownloadOptions::max_urls`].
pub const DEFAULT_MAX_URLS: usize = 1000;

/// The default of [`DownloadOptions::file_deadline`]: 24 hours, a 50 GB file at 600 KB/s. A
/// server just above the minimum speed would otherwise hold a download (an unattended worker)
/// for years; a file given up resumes from its bytes in the next run.
pub const DEFAULT_FILE_DEADLINE: Duration = Duration::from_secs(24 * 3600);

/// The least an attempt must bring (or the rest of the file) to count as progress: it then
/// resets the count of [`DownloadOptions::max_attempts`] and the retry wait.
pub const PROGRESS_BYTES: u64 = 1 << 20;

/// A minimum transfer speed: an attempt that receives fewer than `bytes_per_second × window`
/// bytes in a window of `window` is given up (and retried, within the attempt bounds), as
/// curl's `--speed-limit`/`--speed-time` do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MinSpeed {
    /// The least average speed over a window.
    pub bytes_per_second: u64,
    /// The window (at least 1 ms).
    pub window: Duration,
}

impl Default for MinSpeed {
    /// 1 KiB/s over 60 s: any real connection is faster; a server that sends a byte every
    /// second is not.
    fn default() -> Self {
        Self {
            bytes_per_second: 1024,
            window: Duration::from_secs(60),
        }
    }
}

/// How downloads behave. Every bound has a default (see the [module](self)'s table).
#[derive(Clone, Debug, PartialEq)]
pub struct DownloadOptions {
    /// Attempts in a row that make no progress (less than [`PROGRESS_BYTES`] each) before a
    /// file is given up (default 5).
    pub max_attempts: u32,
    /// Attempts in all, progress or not, before a file is given up (default 100: a 50 GB file
    /// over a connection that drops every 500 MB still makes it).
    pub max_attempts_per_file: u32,
    /// The wait before the first retry of a failed attempt, doubling after each (default 1 s).
    pub retry_backoff: Duration,
    /// The longest wait between two attempts (default 60 s).
    pub max_retry_backoff: Duration,
    /// Refused URLs in a row (`400 ExpiredToken` or `403`, each followed by fresh URLs) before
    /// a file is given up (default 3).
    pub max_url_refreshes: u32,
    /// Timeout of connecting (default 30 s).
    pub connect_timeout: Duration,
    /// Timeout of receiving a response's headers, and of each read of its body (default
    /// 60 s): a stalled connection is resumed.
    pub read_timeout: Duration,
    /// The least transfer speed of an attempt (default [`MinSpeed::default`], 1 KiB/s over
    /// 60 s; `None`: none). With a [`rate_limit`](Self::rate_limit), at most half of it is
    /// asked for.
    pub min_speed: Option<MinSpeed>,
    /// The most time one file may take, its retries included (default [`DEFAULT_FILE_DEADLINE`];
    /// `None`: none). A file past it is given up with its bytes kept for a later run.
    pub file_deadline: Option<Duration>,
    /// The most URLs a job's state may list (default [`DEFAULT_MAX_URLS`]); more is
    /// [`Error::TooManyUrls`] before any file is named or downloaded.
    pub max_urls: usize,
    /// At most this many bytes per second (default: no limit).
    pub rate_limit: Option<u64>,
    /// Which checksums are verified (default: CRC32C, MD5 when there is no CRC32C).
    pub verify: Verify,
    /// A file larger than this is refused, whatever its announced length
    /// (default [`DEFAULT_MAX_ARCHIVE_SIZE`]).
    pub max_archive_size: u64,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            max_attempts_per_file: 100,
            retry_backoff: Duration::from_secs(1),
            max_retry_backoff: Duration::from_secs(60),
            max_url_refreshes: 3,
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            min_speed: Some(MinSpeed::default()),
            file_deadline: Some(DEFAULT_FILE_DEADLINE),
            max_urls: DEFAULT_MAX_URLS,
            rate_limit: None,
            verify: Verify::default(),
            max_archive_size: DEFAULT_MAX_ARCHIVE_SIZE,
        }
    }
}

/// How far a download is, for a progress display.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    /// The file's name (in the target directory).
    pub file: &'a str,
    /// Its index among the job's files (0-based).
    pub index: usize,
    /// How many files the job has.
    pub files: usize,
    /// Bytes on disk so far.
    pub done: u64,
    /// The file's size, once known.
    pub total: Option<u64>,
    /// The bytes that were already on disk when this download started (a resumed part).
    pub resumed_from: u64,
    /// How many times the file's URL had expired and was replaced by a fresh one so far.
    pub url_refreshes: u32,
    /// How many failed attempts (a dropped connection, a 5xx) were resumed so far.
    pub retries: u32,
    /// Why the last failed attempt failed, once one did.
    pub last_failure: Option<&'a str>,
    /// The file, once it is complete and verified (or found already present).
    pub finished: Option<&'a Downloaded>,
}

/// A file downloaded and verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Downloaded {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Which checksums were verified (`"crc32c"`, `"md5"`, `"crc32c+md5"`; `""` when the
    /// server sent none or the file was already there).
    pub verified: String,
    /// The values of the checksums verified.
    pub checksums: ExpectedHashes,
    /// The bytes a previous attempt had left in `NAME.part` (0 for a fresh download).
    pub resumed_from: u64,
    /// Whether the file was already complete before this call.
    pub already_present: bool,
    /// How many times an expired URL (400 `ExpiredToken` or 403) was replaced by a freshly
    /// signed one.
    pub url_refreshes: u32,
}

/// Downloads the archives of jobs; cheap to clone.
#[derive(Clone, Debug)]
pub struct Downloader {
    client: Client,
    http: reqwest::Client,
    options: DownloadOptions,
}

/// One file of a job.
struct Target<'a> {
    job: &'a str,
    index: usize,
    files: usize,
    dir: &'a Dir,
    name: &'a str,
}

impl Downloader {
    /// A downloader that refreshes expired URLs through `client`.
    pub fn new(client: Client, options: DownloadOptions) -> Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(origin::policy())
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .build()
            .map_err(|e| Error::Download {
                file: "any file".into(),
                message: headers::describe(e),
                status: None,
            })?;
        Ok(Self { client, http, options })
    }

    /// A downloader that sends the downloads through `http` (a program downloading for many
    /// users shares one client and its connections); `http` should have timeouts like those of
    /// [`Self::new`] (`options.connect_timeout`, `options.read_timeout`).
    pub fn with_http(client: Client, http: reqwest::Client, options: DownloadOptions) -> Self {
        Self { client, http, options }
    }

    /// Downloads every URL of the `COMPLETE` state `state` of job `job` into `dir` (created
    /// `0700` if needed), one file after the other, and returns them in the order of the URLs.
    pub async fn download_all(
        &self,
        job: &str,
        state: &PortabilityArchiveState,
        dir: &Path,
        on_progress: impl FnMut(&Progress<'_>) + Send,
    ) -> Result<Vec<Downloaded>> {
        self.download_all_in(job, state, &Dir::create(dir)?, on_progress).await
    }

    /// [`Self::download_all`] into an open directory (see [`crate::out_dir`]).
    pub async fn download_all_in(
        &self,
        job: &str,
        state: &PortabilityArchiveState,
        dir: &Dir,
        mut on_progress: impl FnMut(&Progress<'_>) + Send,
    ) -> Result<Vec<Downloaded>> {
        let job = job::job_id(job);
        if state.state != Some(State::Complete) || state.urls.is_empty() {
            let reason = match &state.state {
                Some(State::Complete) => "the job is COMPLETE but lists no URL: its archives were deleted \
                                          (14 days after completion, or by an authorization reset)"
                    .to_owned(),
                Some(other) => format!("the job is {other}"),
                None => "the job has no state".to_owned(),
            };
            return Err(Error::NoUrl {
                job: job.into(),
                file: "any file".into(),
                reason,
            });
        }
        if state.urls.len() > self.options.max_urls {
            return Err(Error::TooManyUrls {
                job: job.into(),
                count: state.urls.len(),
                limit: self.options.max_urls,
            });
        }
        let names = file_names(&state.urls);
        let mut done = Vec::with_capacity(names.len());
        for (index, (url, name)) in state.urls.iter().zip(&names).enumerate() {
            let target = Target {
                job,
                index,
                files: names.len(),
                dir,
                name,
            };
            done.push(self.download_one(&target, url, &mut on_progress).await?);
        }
        Ok(done)
    }

    /// The effective minimum speed: [`DownloadOptions::min_speed`], at most half the rate
    /// limit.
    fn min_speed(&self) -> Option<MinSpeed> {
        let mut min = self.options.min_speed.filter(|m| m.bytes_per_second > 0)?;
        if let Some(rate) = self.options.rate_limit.filter(|rate| *rate > 0) {
            min.bytes_per_second = min.bytes_per_second.min(rate / 2).max(1);
        }
        min.window = min.window.max(Duration::from_millis(1));
        Some(min)
    }

    /// The `x-goog-hash` of `url` from a `HEAD` request (`None` when it fails or its headers
    /// take longer than the read timeout).
    async fn head_hashes(&self, url: &str) -> Option<ExpectedHashes> {
        let head = self.http.head(url).send();
        let response = tokio::time::timeout(self.options.read_timeout, head).await.ok()?.ok()?;
        let headers = response.status().is_success().then(|| response.headers().clone())?;
        Some(headers::expected_hashes(&headers))
    }

    /// A freshly signed URL for the file `stale` pointed to: the URL of the same object (the
    /// same path) in a new state read, or the one at the same index.
    async fn fresh_url(&self, target: &Target<'_>, stale: &str) -> Result<String> {
        let state = job::state(&self.client, target.job).await?;
        let no_url = |reason: String| Error::NoUrl {
            job: target.job.into(),
            file: target.name.into(),
            reason,
        };
        if state.state != Some(State::Complete) {
            let shown = state.state.as_ref().map_or("no state", |s| s.as_str());
            return Err(no_url(format!("the job is {shown}")));
        }
        let path = |url: &str| reqwest::Url::parse(url).ok().map(|u| u.path().to_owned());
        let stale_path = path(stale);
        state
            .urls
            .iter()
            .find(|url| stale_path.is_some() && path(url) == stale_path)
            .or_else(|| {
                state
                    .urls
                    .get(target.index)
                    .filter(|_| state.urls.len() == target.files)
            })
            .cloned()
            .ok_or_else(|| no_url("the refreshed state lists other files".into()))
    }
}
