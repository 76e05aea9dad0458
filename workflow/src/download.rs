//! Downloading the archives of a `COMPLETE` job.
//!
//! Each signed URL is streamed to `DIR/NAME.part` (memory stays flat whatever the size:
//! one network chunk and a 256 KiB write buffer at a time) and renamed to `DIR/NAME` only
//! once it is complete and verified:
//!
//! - **Resuming.** After a dropped connection the download goes on with `Range: bytes=N-`
//!   from where the part file ends, and so does a later run of the program that finds a
//!   `NAME.part` (its bytes are hashed again first, so the checksums cover the whole file). A
//!   server that ignores the `Range` (200) or answers another range starts the file over; a
//!   part already as long as the object (a run stopped just before the rename: the server
//!   answers 416) is verified against the checksums of a `HEAD` request.
//! - **Verifying.** The length must be the object's (`Content-Range`, `Content-Length`,
//!   `x-goog-stored-content-length`), and the CRC32C and MD5 of `x-goog-hash` (those of the
//!   whole object, also on a `206`) must match when present. On a mismatch the part file
//!   is deleted and [`Error::Verification`] returned: a corrupt file never gets the final
//!   name.
//! - **Expired URLs.** A `403` (a signed URL is valid for 6 hours) makes the downloader read
//!   the job's state again for freshly signed URLs, and go on from the same offset.
//! - **Transient failures** (connection errors, 429, 5xx) are retried with a doubling wait,
//!   up to [`DownloadOptions::max_attempts`] attempts in a row that bring no new byte.
//!
//! A file whose final name already exists is taken as done (it was verified before it got
//! that name). Signed URLs are plain HTTPS URLs: no bearer token is sent with them, and they
//! never appear in errors.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dataportability_v1::Client;
use dataportability_v1::models::PortabilityArchiveState;
use dataportability_v1::models::portability_archive_state::State;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, HeaderMap, RANGE};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _, BufWriter};

use crate::hashes::{ExpectedHashes, Hasher};
use crate::{Error, Result, job};

/// How downloads behave.
#[derive(Clone, Debug, PartialEq)]
pub struct DownloadOptions {
    /// Attempts in a row that bring no new byte before a file is given up (default 5).
    pub max_attempts: u32,
    /// The wait before the first retry of a failed attempt, doubling after each (default 1 s).
    pub retry_backoff: Duration,
    /// `403` answers in a row (each followed by fresh URLs) before a file is given up
    /// (default 3).
    pub max_url_refreshes: u32,
    /// Timeout of connecting (default 30 s).
    pub connect_timeout: Duration,
    /// Timeout of one read of the body (default 60 s): a stalled connection is resumed.
    pub read_timeout: Duration,
    /// At most this many bytes per second (default: no limit).
    pub rate_limit: Option<u64>,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            retry_backoff: Duration::from_secs(1),
            max_url_refreshes: 3,
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            rate_limit: None,
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
}

/// A file downloaded and verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Downloaded {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Which checksums were verified (`"crc32c+md5"`, `""` when the server sent none or the
    /// file was already there).
    pub verified: String,
    /// The bytes a previous attempt had left in `NAME.part` (0 for a fresh download).
    pub resumed_from: u64,
    /// Whether the file was already complete before this call.
    pub already_present: bool,
    /// How many times an expired URL (403) was replaced by a freshly signed one.
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
    dir: &'a Path,
    name: &'a str,
}

impl Downloader {
    /// A downloader that refreshes expired URLs through `client`.
    pub fn new(client: Client, options: DownloadOptions) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .read_timeout(options.read_timeout)
            .build()
            .map_err(|e| Error::Download {
                file: "any file".into(),
                message: describe(e),
                status: None,
            })?;
        Ok(Self {
            client,
            http,
            options,
        })
    }

    /// Downloads every URL of the `COMPLETE` state `state` of job `job` into `dir` (created
    /// if needed), one file after the other, and returns them in the order of the URLs.
    pub async fn download_all(
        &self,
        job: &str,
        state: &PortabilityArchiveState,
        dir: &Path,
        mut on_progress: impl FnMut(&Progress<'_>),
    ) -> Result<Vec<Downloaded>> {
        let job = job::job_id(job);
        if state.state != Some(State::Complete) || state.urls.is_empty() {
            let reason = match &state.state {
                Some(State::Complete) => {
                    "the job is COMPLETE but lists no URL: its archives were deleted \
                                          (14 days after completion, or by an authorization reset)"
                        .to_owned()
                }
                Some(other) => format!("the job is {other}"),
                None => "the job has no state".to_owned(),
            };
            return Err(Error::NoUrl {
                job: job.into(),
                file: "any file".into(),
                reason,
            });
        }
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(Error::io(dir))?;
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

    async fn download_one(
        &self,
        target: &Target<'_>,
        url: &str,
        on_progress: &mut dyn FnMut(&Progress<'_>),
    ) -> Result<Downloaded> {
        let final_path = target.dir.join(target.name);
        let report = |on_progress: &mut dyn FnMut(&Progress<'_>),
                      done,
                      total,
                      resumed_from,
                      url_refreshes| {
            on_progress(&Progress {
                file: target.name,
                index: target.index,
                files: target.files,
                done,
                total,
                resumed_from,
                url_refreshes,
            })
        };
        if let Ok(meta) = tokio::fs::metadata(&final_path).await
            && meta.is_file()
        {
            let bytes = meta.len();
            report(on_progress, bytes, Some(bytes), bytes, 0);
            return Ok(Downloaded {
                path: final_path,
                bytes,
                verified: String::new(),
                resumed_from: bytes,
                already_present: true,
                url_refreshes: 0,
            });
        }
        let part = target.dir.join(format!("{}.part", target.name));
        let (mut offset, mut hasher) = rehash(&part).await?;
        let resumed_from = offset;
        let mut url = url.to_owned();
        let (mut failures, mut refreshes, mut url_refreshes) = (0u32, 0u32, 0u32);
        let mut backoff = self.options.retry_backoff;
        let (total, expected) = loop {
            let mut request = self.http.get(&url);
            if offset > 0 {
                request = request.header(RANGE, format!("bytes={offset}-"));
            }
            let failure = match request.send().await {
                Err(error) => Some(describe(error)),
                Ok(response) => {
                    let status = response.status();
                    match status {
                        StatusCode::OK | StatusCode::PARTIAL_CONTENT => {
                            let headers = response.headers().clone();
                            let start = if status == StatusCode::OK {
                                0
                            } else {
                                content_range(&headers).map_or(0, |r| r.0)
                            };
                            if start != offset {
                                // The server ignored the range, or answered another one: start over.
                                offset = 0;
                                hasher = Hasher::new();
                                if start != 0 {
                                    truncate(&part).await?;
                                    continue;
                                }
                            }
                            let total = content_range(&headers)
                                .map(|r| r.1)
                                .or_else(|| {
                                    header_u64(&headers, CONTENT_LENGTH.as_str())
                                        .map(|len| offset + len)
                                })
                                .or_else(|| header_u64(&headers, "x-goog-stored-content-length"));
                            let expected = ExpectedHashes::parse(
                                headers
                                    .get_all("x-goog-hash")
                                    .iter()
                                    .filter_map(|v| v.to_str().ok()),
                            );
                            report(on_progress, offset, total, resumed_from, url_refreshes);
                            let before = offset;
                            let outcome = self
                                .stream_body(
                                    response,
                                    &part,
                                    &mut offset,
                                    &mut hasher,
                                    &mut |done| {
                                        report(
                                            on_progress,
                                            done,
                                            total,
                                            resumed_from,
                                            url_refreshes,
                                        )
                                    },
                                )
                                .await?;
                            if offset > before {
                                failures = 0;
                                refreshes = 0;
                                backoff = self.options.retry_backoff;
                            }
                            match outcome {
                                Ok(()) if total.is_none_or(|total| offset >= total) => {
                                    break (total, expected);
                                }
                                Ok(()) => Some(format!(
                                    "the connection closed after {offset} of {total:?} bytes"
                                )),
                                Err(message) => Some(message),
                            }
                        }
                        StatusCode::FORBIDDEN => {
                            refreshes += 1;
                            if refreshes > self.options.max_url_refreshes {
                                return Err(Error::Download {
                                    file: target.name.into(),
                                    message:
                                        "the signed URL is refused (403) even after refreshing it"
                                            .into(),
                                    status: Some(403),
                                });
                            }
                            url = self.fresh_url(target, &url).await?;
                            url_refreshes += 1;
                            continue;
                        }
                        StatusCode::RANGE_NOT_SATISFIABLE => {
                            // The part is as long as the object (a run stopped before the
                            // rename): verify it with the object's headers. Longer: start over.
                            let len = unsatisfied_length(response.headers());
                            if len == Some(offset)
                                && let Some(expected) = self.head_hashes(&url).await
                            {
                                report(on_progress, offset, len, resumed_from, url_refreshes);
                                break (len, expected);
                            }
                            offset = 0;
                            hasher = Hasher::new();
                            truncate(&part).await?;
                            Some("the server refused to resume (416)".to_owned())
                        }
                        status if status.as_u16() == 429 || status.is_server_error() => {
                            Some(format!("HTTP {}", status.as_u16()))
                        }
                        status => {
                            return Err(Error::Download {
                                file: target.name.into(),
                                message: format!("HTTP {status}"),
                                status: Some(status.as_u16()),
                            });
                        }
                    }
                }
            };
            if let Some(message) = failure {
                failures += 1;
                if failures >= self.options.max_attempts.max(1) {
                    return Err(Error::Download {
                        file: target.name.into(),
                        message: format!("{message} ({failures} attempts without progress)"),
                        status: None,
                    });
                }
                tokio::time::sleep(backoff).await;
                backoff = backoff.saturating_mul(2);
            }
        };
        if let Some(total) = total
            && offset != total
        {
            remove(&part).await;
            return Err(Error::Verification {
                file: target.name.into(),
                what: format!("length mismatch: expected {total} bytes, got {offset}"),
            });
        }
        if let Err(what) = expected.verify(&hasher.finish()) {
            remove(&part).await;
            return Err(Error::Verification {
                file: target.name.into(),
                what,
            });
        }
        tokio::fs::rename(&part, &final_path)
            .await
            .map_err(Error::io(&final_path))?;
        Ok(Downloaded {
            path: final_path,
            bytes: offset,
            verified: expected.names(),
            resumed_from,
            already_present: false,
            url_refreshes,
        })
    }

    /// Appends the body to the part file. The outer `Err` is a local I/O failure (fatal); the
    /// inner one a transport failure (resumable).
    async fn stream_body(
        &self,
        mut response: reqwest::Response,
        part: &Path,
        offset: &mut u64,
        hasher: &mut Hasher,
        on_bytes: &mut dyn FnMut(u64),
    ) -> Result<Result<(), String>> {
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(*offset == 0)
            .append(*offset > 0)
            .open(part)
            .await
            .map_err(Error::io(part))?;
        let mut writer = BufWriter::with_capacity(256 * 1024, file);
        let started = Instant::now();
        let mut received = 0u64;
        let outcome = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    writer.write_all(&chunk).await.map_err(Error::io(part))?;
                    hasher.update(&chunk);
                    *offset += chunk.len() as u64;
                    received += chunk.len() as u64;
                    on_bytes(*offset);
                    if let Some(rate) = self.options.rate_limit.filter(|rate| *rate > 0) {
                        let due = Duration::from_secs_f64(received as f64 / rate as f64);
                        if let Some(ahead) = due.checked_sub(started.elapsed()) {
                            writer.flush().await.map_err(Error::io(part))?;
                            tokio::time::sleep(ahead).await;
                        }
                    }
                }
                Ok(None) => break Ok(()),
                Err(error) => break Err(describe(error)),
            }
        };
        writer.flush().await.map_err(Error::io(part))?;
        writer.get_ref().sync_all().await.map_err(Error::io(part))?;
        Ok(outcome)
    }

    /// The `x-goog-hash` of `url` from a `HEAD` request (`None` when it fails).
    async fn head_hashes(&self, url: &str) -> Option<ExpectedHashes> {
        let response = self.http.head(url).send().await.ok()?;
        let headers = response
            .status()
            .is_success()
            .then(|| response.headers().clone())?;
        Some(ExpectedHashes::parse(
            headers
                .get_all("x-goog-hash")
                .iter()
                .filter_map(|v| v.to_str().ok()),
        ))
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

/// The local file names of a job's URLs: the last path segment of each, restricted to
/// `[A-Za-z0-9._-]` (others become `_`), `archive-N.zip` when nothing usable is left, and
/// prefixed with `N-` when two URLs would share a name.
///
/// ```
/// let names = workflow::download::file_names(&[
///     "https://storage.example/b/j/myactivity.search.zip?Signature=x".into(),
///     "https://storage.example/b/k/myactivity.search.zip".into(),
///     "https://storage.example/".into(),
/// ]);
/// assert_eq!(names, ["myactivity.search.zip", "1-myactivity.search.zip", "archive-2.zip"]);
/// ```
pub fn file_names(urls: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(urls.len());
    for (index, url) in urls.iter().enumerate() {
        let segment = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.path_segments()
                    .and_then(|mut s| s.next_back().map(str::to_owned))
            })
            .unwrap_or_default();
        let clean: String = segment
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut name = if clean.is_empty() || clean.starts_with('.') {
            format!("archive-{index}.zip")
        } else {
            clean
        };
        if names.contains(&name) {
            name = format!("{index}-{name}");
        }
        names.push(name);
    }
    names
}

/// The length of an existing part file and the hashes of its bytes (0 and empty when absent).
async fn rehash(part: &Path) -> Result<(u64, Hasher)> {
    let mut hasher = Hasher::new();
    let mut file = match tokio::fs::File::open(part).await {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok((0, hasher)),
        Err(error) => return Err(Error::io(part)(error)),
    };
    let mut buffer = vec![0u8; 1024 * 1024];
    let mut len = 0u64;
    loop {
        let n = file.read(&mut buffer).await.map_err(Error::io(part))?;
        if n == 0 {
            return Ok((len, hasher));
        }
        hasher.update(&buffer[..n]);
        len += n as u64;
    }
}

async fn truncate(part: &Path) -> Result<()> {
    match tokio::fs::File::create(part).await {
        Ok(_) => Ok(()),
        Err(error) => Err(Error::io(part)(error)),
    }
}

async fn remove(part: &Path) {
    // Best effort: the error that made us remove it is the one worth reporting.
    let _ = tokio::fs::remove_file(part).await;
}

/// `bytes START-END/TOTAL` → (START, TOTAL).
fn content_range(headers: &HeaderMap) -> Option<(u64, u64)> {
    let value = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    let (range, total) = value.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (start, _end) = range.split_once('-')?;
    Some((start.trim().parse().ok()?, total.trim().parse().ok()?))
}

/// The object's length in the `Content-Range: bytes */LEN` of a 416.
fn unsatisfied_length(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    value.trim().strip_prefix("bytes */")?.trim().parse().ok()
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// A transport error as one line, without its URL (a signed URL is a credential).
fn describe(error: reqwest::Error) -> String {
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_gives_start_and_total() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_RANGE, "bytes 100-199/300".parse().unwrap());
        assert_eq!(content_range(&headers), Some((100, 300)));
        headers.insert(CONTENT_RANGE, "bytes */300".parse().unwrap());
        assert_eq!(content_range(&headers), None);
        assert_eq!(unsatisfied_length(&headers), Some(300));
    }
}
