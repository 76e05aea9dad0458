//! One file's download: attempts with `Range` until the whole object is on disk, then the
//! checks and the rename.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::RANGE;
use tokio::time::{Instant, sleep_until, timeout_at};

use super::{Downloaded, Downloader, MinSpeed, PROGRESS_BYTES, Progress, Target, headers, origin, part};
use crate::hashes::{ExpectedHashes, Hasher};
use crate::out_dir::{Dir, Entry};
use crate::{Error, Result};

/// At most this much of an error body is read to find its code.
const ERROR_BODY_LIMIT: usize = 4096;

/// Whether a 400 is Cloud Storage's `ExpiredToken` XML error (read from at most the first
/// 4 KiB of the body, within `limit`).
async fn is_expired_token(mut response: reqwest::Response, limit: Duration) -> bool {
    let mut body = Vec::new();
    let read = async {
        while body.len() < ERROR_BODY_LIMIT {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                _ => break,
            }
        }
    };
    let _ = tokio::time::timeout(limit, read).await;
    String::from_utf8_lossy(&body).contains("<Code>ExpiredToken</Code>")
}

/// The size of the write buffer.
const WRITE_BUFFER: usize = 256 * 1024;
/// Chunks queued between receiving and writing, and between writing and the MD5 thread:
/// memory stays flat whatever the size of the archive.
const QUEUE: usize = 16;
/// Every this many bytes written, the writer has the kernel write them back (on a thread of
/// its own), so that the `fsync` before the rename has little left to do.
const WRITEBACK: u64 = 32 << 20;

/// A download in progress: where it is on disk and how it got there.
struct Transfer {
    dir: Dir,
    part: String,
    url: String,
    /// The bytes in the part (and hashed).
    offset: u64,
    hasher: Hasher,
    /// The object's length, once a response said it.
    total: Option<u64>,
    resumed_from: u64,
    url_refreshes: u32,
    retries: u32,
    last_failure: Option<String>,
    /// The status of the last refusal of the URL (400 or 403).
    last_refusal: u16,
}

/// How one attempt ended.
enum Attempt {
    /// The whole object is in the part; these are the checksums to verify.
    Complete(ExpectedHashes),
    /// The URL was refused: 400 `ExpiredToken` (Cloud Storage's answer to an expired signed
    /// URL) or 403.
    Expired,
    /// A failure worth retrying (the offset tells whether it made progress).
    Failed(String),
}

type OnProgress<'a> = &'a mut (dyn FnMut(&Progress<'_>) + Send);

impl Transfer {
    fn report(&self, target: &Target<'_>, done: u64, on_progress: OnProgress<'_>) {
        on_progress(&Progress {
            file: target.name,
            index: target.index,
            files: target.files,
            done,
            total: self.total,
            resumed_from: self.resumed_from,
            url_refreshes: self.url_refreshes,
            retries: self.retries,
            last_failure: self.last_failure.as_deref(),
            finished: None,
        });
    }

    /// Starts over from byte 0.
    fn restart(&mut self) -> Result<()> {
        self.offset = 0;
        self.hasher = Hasher::new();
        part::truncate(&self.dir, &self.part)
    }

    /// Makes the hasher compute what `expected` needs: the MD5 is dropped when it is not
    /// verified. `false` when the MD5 is needed but was not computed from byte 0: the part was
    /// emptied, and the next attempt starts over.
    fn hash_for(&mut self, expected: &ExpectedHashes) -> Result<bool> {
        if expected.md5.is_none() {
            self.hasher.drop_md5();
        } else if !self.hasher.has_md5() {
            let at_start = self.offset == 0;
            self.restart()?;
            return Ok(at_start);
        }
        Ok(true)
    }
}

impl Downloader {
    /// Downloads one file of a job (see the module's documentation for what is guaranteed).
    pub(super) async fn download_one(
        &self,
        target: &Target<'_>,
        url: &str,
        on_progress: OnProgress<'_>,
    ) -> Result<Downloaded> {
        let final_path = target.dir.join(target.name);
        let part = format!("{}.part", target.name);
        let present = match target.dir.entry(target.name)? {
            Entry::File(bytes) => Some(bytes),
            Entry::Missing => None,
            Entry::Link => return Err(Error::Link { path: final_path }),
            Entry::Other => {
                return Err(Error::io(final_path)(std::io::Error::other(
                    "not a regular file; remove it and run again",
                )));
            }
        };
        if let Some(bytes) = present {
            let done = Transfer {
                dir: target.dir.clone(),
                part,
                url: String::new(),
                offset: bytes,
                hasher: Hasher::new(),
                total: Some(bytes),
                resumed_from: bytes,
                url_refreshes: 0,
                retries: 0,
                last_failure: None,
                last_refusal: 0,
            };
            done.report(target, bytes, on_progress);
            let downloaded = Downloaded {
                path: final_path,
                bytes,
                verified: String::new(),
                checksums: ExpectedHashes::default(),
                resumed_from: bytes,
                already_present: true,
                url_refreshes: 0,
            };
            finished(&done, target, &downloaded, on_progress);
            return Ok(downloaded);
        }
        let (offset, hasher) = part::rehash(target.dir, &part).await?;
        let mut transfer = Transfer {
            dir: target.dir.clone(),
            part,
            url: url.to_owned(),
            offset,
            hasher,
            total: None,
            resumed_from: offset,
            url_refreshes: 0,
            retries: 0,
            last_failure: None,
            last_refusal: 0,
        };
        let deadline = self.options.file_deadline.map(|limit| Instant::now() + limit);
        let (mut failures, mut refused, mut attempts) = (0u32, 0u32, 0u32);
        let mut backoff = self.options.retry_backoff;
        let expected = loop {
            if let Some(limit) = self.options.file_deadline
                && deadline.is_some_and(|at| Instant::now() >= at)
            {
                return Err(give_up(
                    target,
                    &transfer,
                    format!("not complete within its deadline of {limit:?} (DownloadOptions::file_deadline)"),
                ));
            }
            attempts += 1;
            let before = transfer.offset;
            let attempt = self.attempt(target, &mut transfer, deadline, on_progress).await?;
            let brought = transfer.offset.saturating_sub(before);
            let to_the_end = transfer.total.is_some_and(|total| transfer.offset >= total);
            if brought >= PROGRESS_BYTES || (brought > 0 && to_the_end) {
                (failures, refused, backoff) = (0, 0, self.options.retry_backoff);
            }
            // Why the attempt failed, and whether to wait before the next (a refused URL was
            // just replaced: no wait).
            let (message, wait) = match attempt {
                Attempt::Complete(expected) => break expected,
                Attempt::Expired => {
                    refused += 1;
                    if refused > self.options.max_url_refreshes {
                        return Err(Error::Download {
                            file: target.name.into(),
                            message: format!(
                                "the signed URL is refused ({}) even after refreshing it",
                                transfer.last_refusal
                            ),
                            status: Some(transfer.last_refusal),
                        });
                    }
                    transfer.url = self.fresh_url(target, &transfer.url).await?;
                    transfer.url_refreshes += 1;
                    (format!("the signed URL was refused ({})", transfer.last_refusal), false)
                }
                Attempt::Failed(message) => {
                    failures += 1;
                    if failures >= self.options.max_attempts.max(1) {
                        return Err(give_up(
                            target,
                            &transfer,
                            format!("{message} ({failures} attempts in a row without progress)"),
                        ));
                    }
                    (message, true)
                }
            };
            let most = self.options.max_attempts_per_file.max(1);
            if attempts >= most {
                return Err(give_up(
                    target,
                    &transfer,
                    format!(
                        "{message} ({attempts} attempts, the most for one file: DownloadOptions::max_attempts_per_file)"
                    ),
                ));
            }
            if wait {
                let wake = Instant::now() + backoff;
                sleep_until(deadline.map_or(wake, |at| at.min(wake))).await;
                backoff = backoff.saturating_mul(2).min(self.options.max_retry_backoff);
                transfer.retries += 1;
                transfer.last_failure = Some(message);
            }
        };
        let downloaded = self.finish(target, &transfer, expected, final_path)?;
        finished(&transfer, target, &downloaded, on_progress);
        Ok(downloaded)
    }

    /// One request: from the part's end to the object's end, within `deadline`.
    async fn attempt(
        &self,
        target: &Target<'_>,
        transfer: &mut Transfer,
        deadline: Option<Instant>,
        on_progress: OnProgress<'_>,
    ) -> Result<Attempt> {
        if let Err(message) = origin::check(&transfer.url) {
            return Err(Error::Download {
                file: target.name.into(),
                message,
                status: None,
            });
        }
        let mut request = self.http.get(&transfer.url);
        if transfer.offset > 0 {
            request = request.header(RANGE, format!("bytes={}-", transfer.offset));
        }
        // reqwest's read timeout bounds the whole head (it restarts only for the body's
        // reads); the file's deadline bounds it too.
        let sent = match deadline {
            Some(at) => timeout_at(at, request.send()).await,
            None => Ok(request.send().await),
        };
        let response = match sent {
            Ok(Ok(response)) => response,
            // A refused redirect fails the same way every time: no retry.
            Ok(Err(error)) if error.is_redirect() => {
                return Err(Error::Download {
                    file: target.name.into(),
                    message: headers::describe(error),
                    status: None,
                });
            }
            Ok(Err(error)) => return Ok(Attempt::Failed(headers::describe(error))),
            Err(_) => return Ok(Attempt::Failed("the file's deadline passed".into())),
        };
        let status = response.status();
        match status {
            StatusCode::OK | StatusCode::PARTIAL_CONTENT => {
                let start = match status {
                    StatusCode::OK => 0,
                    _ => headers::content_range(response.headers()).map_or(0, |(start, _)| start),
                };
                if start != transfer.offset {
                    // The server ignored the range (200), or answered another one.
                    transfer.restart()?;
                    if start != 0 {
                        return Ok(Attempt::Failed(format!("the server answered bytes from {start}")));
                    }
                }
                let expected = headers::expected_hashes(response.headers()).select(self.options.verify);
                if !transfer.hash_for(&expected)? {
                    return Ok(Attempt::Failed(
                        "the server sends no CRC32C any more; starting over to compute the MD5".into(),
                    ));
                }
                transfer.total = headers::object_length(response.headers(), transfer.offset);
                let max = self.options.max_archive_size;
                if let Some(total) = transfer.total.filter(|total| *total > max) {
                    part::remove(&transfer.dir, &transfer.part);
                    return Err(Error::Download {
                        file: target.name.into(),
                        message: format!(
                            "the archive has {total} bytes, more than the maximum archive size ({max} bytes)"
                        ),
                        status: None,
                    });
                }
                transfer.report(target, transfer.offset, on_progress);
                match self
                    .stream_body(target, response, transfer, deadline, on_progress)
                    .await?
                {
                    Err(message) => Ok(Attempt::Failed(message)),
                    Ok(()) => match transfer.total {
                        Some(total) if transfer.offset < total => Ok(Attempt::Failed(format!(
                            "the connection closed after {} of {total} bytes",
                            transfer.offset
                        ))),
                        _ => Ok(Attempt::Complete(expected)),
                    },
                }
            }
            StatusCode::FORBIDDEN => {
                transfer.last_refusal = 403;
                Ok(Attempt::Expired)
            }
            StatusCode::BAD_REQUEST => {
                if is_expired_token(response, self.options.read_timeout).await {
                    transfer.last_refusal = 400;
                    return Ok(Attempt::Expired);
                }
                Err(Error::Download {
                    file: target.name.into(),
                    message: format!("HTTP {status}"),
                    status: Some(status.as_u16()),
                })
            }
            StatusCode::RANGE_NOT_SATISFIABLE => {
                // The part is as long as the object (a run stopped just before the rename):
                // verify it with the object's headers. Longer: start over.
                let len = headers::unsatisfied_length(response.headers());
                if len == Some(transfer.offset)
                    && let Some(expected) = self.head_hashes(&transfer.url).await
                {
                    let expected = expected.select(self.options.verify);
                    if expected.md5.is_none() || transfer.hasher.has_md5() {
                        transfer.total = len;
                        transfer.report(target, transfer.offset, on_progress);
                        return Ok(Attempt::Complete(expected));
                    }
                }
                transfer.restart()?;
                Ok(Attempt::Failed("the server refused to resume (416)".into()))
            }
            status if status.as_u16() == 429 || status.is_server_error() => {
                Ok(Attempt::Failed(format!("HTTP {}", status.as_u16())))
            }
            status => Err(Error::Download {
                file: target.name.into(),
                message: format!("HTTP {status}"),
                status: Some(status.as_u16()),
            }),
        }
    }

    /// Appends the body to the part; a writer thread writes and hashes it. The outer `Err`
    /// is a local failure or a refused body (fatal); the inner one a transport failure, a
    /// transfer slower than the minimum speed, or the file's deadline (resumable: the bytes
    /// received are kept).
    async fn stream_body(
        &self,
        target: &Target<'_>,
        mut response: reqwest::Response,
        transfer: &mut Transfer,
        deadline: Option<Instant>,
        on_progress: OnProgress<'_>,
    ) -> Result<Result<(), String>> {
        let path = transfer.dir.join(&transfer.part);
        let file = part::open(&transfer.dir, &transfer.part, transfer.offset)?;
        let max = self.options.max_archive_size;
        let limit = transfer.total.map_or(max, |total| total.min(max));
        let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(QUEUE);
        let hasher = std::mem::take(&mut transfer.hasher);
        let writer = tokio::task::spawn_blocking(move || write_and_hash(file, hasher, receiver));
        let started = Instant::now();
        let mut received = 0u64;
        let mut cut_off = false;
        let mut speed = self.min_speed().map(|min| SpeedWindow::new(min, started));
        let outcome = loop {
            let wake = match &speed {
                Some(window) => Some(earliest(window.ends(), deadline)),
                None => deadline,
            };
            let next = match wake {
                // A chunk future is cancel-safe: one that loses to the timer is asked again.
                Some(at) => timeout_at(at, response.chunk()).await.ok(),
                None => Some(response.chunk().await),
            };
            if deadline.is_some_and(|at| Instant::now() >= at) {
                break Err("the file's deadline passed".to_owned());
            }
            let Some(next) = next else {
                // The timer: the window ended without a chunk to close it.
                match speed.as_mut().map(|window| window.check(Instant::now())) {
                    Some(Err(slow)) => break Err(slow),
                    _ => continue,
                }
            };
            match next {
                Ok(Some(mut chunk)) => {
                    let room = limit.saturating_sub(transfer.offset);
                    if chunk.len() as u64 > room {
                        // Never a byte past the announced length (or the maximum size).
                        chunk.truncate(room as usize);
                        cut_off = true;
                    }
                    let len = chunk.len() as u64;
                    if len > 0 && sender.send(chunk).await.is_err() {
                        break Ok(()); // The writer failed: its error is reported below.
                    }
                    transfer.offset += len;
                    received += len;
                    if let Some(window) = &mut speed {
                        window.bytes += len;
                        if let Err(slow) = window.check(Instant::now()) {
                            break Err(slow);
                        }
                    }
                    transfer.report(target, transfer.offset, on_progress);
                    if cut_off {
                        break Ok(());
                    }
                    if let Some(rate) = self.options.rate_limit.filter(|rate| *rate > 0) {
                        let due = Duration::from_secs_f64(received as f64 / rate as f64);
                        if let Some(ahead) = due.checked_sub(started.elapsed()) {
                            sleep_until(earliest(Instant::now() + ahead, deadline)).await;
                        }
                    }
                }
                Ok(None) => break Ok(()),
                Err(error) => break Err(headers::describe(error)),
            }
        };
        drop(sender);
        drop(response); // An endless body: the connection is closed here.
        let (hasher, written) = writer.await.map_err(|e| Error::io(&path)(std::io::Error::other(e)))?;
        transfer.hasher = hasher;
        written.map_err(Error::io(&path))?;
        if cut_off {
            part::remove(&transfer.dir, &transfer.part);
            return Err(match transfer.total {
                Some(total) if total <= max => Error::Verification {
                    file: target.name.into(),
                    what: format!(
                        "the server sent more than the {total} bytes it announced; the body was cut off there and the file refused"
                    ),
                },
                _ => Error::Download {
                    file: target.name.into(),
                    message: format!(
                        "the archive is larger than the maximum archive size ({max} bytes); the download was stopped and the file refused"
                    ),
                    status: None,
                },
            });
        }
        Ok(outcome)
    }

    /// Checks the length and the checksums; renames the part to its final name (and syncs the
    /// directory), or deletes it.
    fn finish(
        &self,
        target: &Target<'_>,
        transfer: &Transfer,
        expected: ExpectedHashes,
        final_path: std::path::PathBuf,
    ) -> Result<Downloaded> {
        let failed = |what: String| Error::Verification {
            file: target.name.into(),
            what,
        };
        if let Some(total) = transfer.total
            && transfer.offset != total
        {
            part::remove(&transfer.dir, &transfer.part);
            return Err(failed(format!(
                "length mismatch: expected {total} bytes, got {}",
                transfer.offset
            )));
        }
        if let Err(what) = expected.verify(&transfer.hasher.clone().finish()) {
            part::remove(&transfer.dir, &transfer.part);
            return Err(failed(what));
        }
        target.dir.rename(&transfer.part, target.name)?;
        Ok(Downloaded {
            path: final_path,
            bytes: transfer.offset,
            verified: expected.names(),
            checksums: expected,
            resumed_from: transfer.resumed_from,
            already_present: false,
            url_refreshes: transfer.url_refreshes,
        })
    }
}

/// The earlier of `at` and an optional deadline.
fn earliest(at: Instant, deadline: Option<Instant>) -> Instant {
    deadline.map_or(at, |deadline| deadline.min(at))
}

/// A file given up: why, and where its bytes are kept.
fn give_up(target: &Target<'_>, transfer: &Transfer, why: String) -> Error {
    Error::Download {
        file: target.name.into(),
        message: format!(
            "{why}; its {} bytes so far are kept in {} for a later run",
            transfer.offset, transfer.part
        ),
        status: None,
    }
}

/// The bytes received in the current window of a minimum speed ([`MinSpeed`]); windows follow
/// each other, each checked when it ends.
struct SpeedWindow {
    min: MinSpeed,
    start: Instant,
    bytes: u64,
}

impl SpeedWindow {
    fn new(min: MinSpeed, start: Instant) -> Self {
        Self { min, start, bytes: 0 }
    }

    fn ends(&self) -> Instant {
        self.start + self.min.window
    }

    /// At `now`: when the window is over, whether it received enough (then the next one
    /// starts); `Err` with the reason when it did not.
    fn check(&mut self, now: Instant) -> std::result::Result<(), String> {
        if now < self.ends() {
            return Ok(());
        }
        let needed = (self.min.bytes_per_second as f64 * self.min.window.as_secs_f64()) as u64;
        if self.bytes < needed {
            return Err(format!(
                "slower than the minimum speed of {} bytes/s: {} bytes in {:?} (DownloadOptions::min_speed)",
                self.min.bytes_per_second, self.bytes, self.min.window
            ));
        }
        (self.start, self.bytes) = (now, 0);
        Ok(())
    }
}

/// Reports a finished file.
fn finished(transfer: &Transfer, target: &Target<'_>, downloaded: &Downloaded, on_progress: OnProgress<'_>) {
    on_progress(&Progress {
        file: target.name,
        index: target.index,
        files: target.files,
        done: downloaded.bytes,
        total: Some(downloaded.bytes),
        resumed_from: transfer.resumed_from,
        url_refreshes: transfer.url_refreshes,
        retries: transfer.retries,
        last_failure: transfer.last_failure.as_deref(),
        finished: Some(downloaded),
    });
}

/// The writer thread: writes the chunks through a buffer, computes the CRC32C, feeds the MD5
/// (when computed) to a thread of its own, has the kernel write back every [`WRITEBACK`]
/// bytes, and syncs the file at the end. Returns the hasher, whatever happened.
fn write_and_hash(
    file: File,
    mut hasher: Hasher,
    mut chunks: tokio::sync::mpsc::Receiver<Bytes>,
) -> (Hasher, std::io::Result<()>) {
    let mut md5 = hasher.take_md5().map(Md5Thread::start);
    let writeback = file.try_clone().ok().map(Writeback::start);
    let mut writer = BufWriter::with_capacity(WRITE_BUFFER, file);
    let mut written = 0u64;
    let mut result = Ok(());
    while let Some(chunk) = chunks.blocking_recv() {
        if let Err(error) = writer.write_all(&chunk) {
            result = Err(error);
            break;
        }
        hasher.update_crc32c(&chunk);
        written += chunk.len() as u64;
        if written >= WRITEBACK
            && let Some(writeback) = &writeback
        {
            written = 0;
            if let Err(error) = writer.flush() {
                result = Err(error);
                break;
            }
            writeback.request();
        }
        if let Some(md5) = &mut md5 {
            md5.feed(chunk);
        }
    }
    drop(chunks);
    let result = result
        .and_then(|()| writer.flush())
        .and_then(|()| writer.get_ref().sync_all());
    drop(writeback);
    if let Some(md5) = md5 {
        hasher.put_md5(Some(md5.finish()));
    }
    (hasher, result)
}

/// The MD5 of a download, computed on a thread of its own (or inline, when no thread can be
/// started).
enum Md5Thread {
    Thread(std::sync::mpsc::SyncSender<Bytes>, std::thread::JoinHandle<md5::Md5>),
    Inline(md5::Md5),
}

impl Md5Thread {
    fn start(state: md5::Md5) -> Self {
        use md5::Digest as _;
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Bytes>(QUEUE);
        let mut running = state.clone();
        let spawned = std::thread::Builder::new().name("md5".into()).spawn(move || {
            for chunk in receiver {
                running.update(&chunk);
            }
            running
        });
        match spawned {
            Ok(handle) => Md5Thread::Thread(sender, handle),
            Err(_) => Md5Thread::Inline(state),
        }
    }

    fn feed(&mut self, chunk: Bytes) {
        use md5::Digest as _;
        match self {
            // A full queue blocks the writer: backpressure when hashing is the slowest.
            Md5Thread::Thread(sender, _) => {
                let _ = sender.send(chunk);
            }
            Md5Thread::Inline(md5) => md5.update(&chunk),
        }
    }

    fn finish(self) -> md5::Md5 {
        match self {
            Md5Thread::Thread(sender, handle) => {
                drop(sender);
                // A panicked MD5 thread leaves a fresh state: the MD5 then fails to verify.
                handle.join().unwrap_or_default()
            }
            Md5Thread::Inline(md5) => md5,
        }
    }
}

/// Asks the kernel to write a file's dirty pages back (`fdatasync` on a thread of its own),
/// at most one request at a time: the download does not wait for it.
struct Writeback {
    sender: std::sync::mpsc::SyncSender<()>,
}

impl Writeback {
    fn start(file: File) -> Self {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<()>(1);
        let _ = std::thread::Builder::new().name("writeback".into()).spawn(move || {
            for () in receiver {
                let _ = file.sync_data();
            }
        });
        Self { sender }
    }

    fn request(&self) {
        // Full: a writeback is already pending, which will cover these bytes too.
        let _ = self.sender.try_send(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_fails_only_when_it_is_over_and_received_too_little() {
        let min = MinSpeed {
            bytes_per_second: 100,
            window: Duration::from_secs(10),
        };
        let start = Instant::now();
        let mut window = SpeedWindow::new(min, start);
        window.bytes = 999;
        assert!(window.check(start + Duration::from_secs(9)).is_ok(), "not over yet");
        let slow = window.check(start + Duration::from_secs(10)).unwrap_err();
        assert!(
            slow.contains("slower than the minimum speed of 100 bytes/s: 999 bytes in 10s"),
            "{slow}"
        );
        let mut window = SpeedWindow::new(min, start);
        window.bytes = 1000;
        assert!(window.check(start + Duration::from_secs(11)).is_ok());
        assert_eq!(
            (window.start, window.bytes),
            (start + Duration::from_secs(11), 0),
            "the next window"
        );
        assert!(
            window.check(start + Duration::from_secs(21)).is_err(),
            "nothing in the next one"
        );
    }
}
