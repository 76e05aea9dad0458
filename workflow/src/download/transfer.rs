//! One file's download: attempts with `Range` until the whole object is on disk, then the
//! checks and the rename.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::RANGE;
use tokio::io::{AsyncWriteExt as _, BufWriter};

use super::{Downloaded, Downloader, Progress, Target, headers, part};
use crate::hashes::{ExpectedHashes, Hasher};
use crate::{Error, Result};

/// At most this much of an error body is read to find its code.
const ERROR_BODY_LIMIT: usize = 4096;

/// Whether a 400 is Cloud Storage's `ExpiredToken` XML error (read from at most the first
/// 4 KiB of the body).
async fn is_expired_token(mut response: reqwest::Response) -> bool {
    let mut body = Vec::new();
    while body.len() < ERROR_BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    String::from_utf8_lossy(&body).contains("<Code>ExpiredToken</Code>")
}

/// The size of the write buffer: memory stays flat whatever the size of the archive.
const WRITE_BUFFER: usize = 256 * 1024;

/// A download in progress: where it is on disk and how it got there.
struct Transfer {
    part: PathBuf,
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

type OnProgress<'a> = &'a mut dyn FnMut(&Progress<'_>);

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
        });
    }

    /// Starts over from byte 0.
    async fn restart(&mut self) -> Result<()> {
        self.offset = 0;
        self.hasher = Hasher::new();
        part::truncate(&self.part).await
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
        if let Ok(meta) = tokio::fs::metadata(&final_path).await
            && meta.is_file()
        {
            let bytes = meta.len();
            let done = Transfer {
                part: PathBuf::new(),
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
        let (offset, hasher) = part::rehash(&part).await?;
        let mut transfer = Transfer {
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
        let (mut failures, mut refused) = (0u32, 0u32);
        let mut backoff = self.options.retry_backoff;
        let expected = loop {
            let before = transfer.offset;
            let attempt = self.attempt(target, &mut transfer, on_progress).await?;
            if transfer.offset > before {
                (failures, refused, backoff) = (0, 0, self.options.retry_backoff);
            }
            match attempt {
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
                }
                Attempt::Failed(message) => {
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
                    transfer.retries += 1;
                    transfer.last_failure = Some(message);
                }
            }
        };
        self.finish(target, transfer, expected, final_path).await
    }

    /// One request: from the part's end to the object's end.
    async fn attempt(
        &self,
        target: &Target<'_>,
        transfer: &mut Transfer,
        on_progress: OnProgress<'_>,
    ) -> Result<Attempt> {
        let mut request = self.http.get(&transfer.url);
        if transfer.offset > 0 {
            request = request.header(RANGE, format!("bytes={}-", transfer.offset));
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(error) => return Ok(Attempt::Failed(headers::describe(error))),
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
                    transfer.restart().await?;
                    if start != 0 {
                        return Ok(Attempt::Failed(format!("the server answered bytes from {start}")));
                    }
                }
                transfer.total = headers::object_length(response.headers(), transfer.offset);
                let expected = headers::expected_hashes(response.headers());
                transfer.report(target, transfer.offset, on_progress);
                match self.stream_body(target, response, transfer, on_progress).await? {
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
                if is_expired_token(response).await {
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
                    transfer.total = len;
                    transfer.report(target, transfer.offset, on_progress);
                    return Ok(Attempt::Complete(expected));
                }
                transfer.restart().await?;
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

    /// Appends the body to the part, hashing it. The outer `Err` is a local I/O failure
    /// (fatal); the inner one a transport failure (resumable).
    async fn stream_body(
        &self,
        target: &Target<'_>,
        mut response: reqwest::Response,
        transfer: &mut Transfer,
        on_progress: OnProgress<'_>,
    ) -> Result<Result<(), String>> {
        let path = transfer.part.clone();
        let mut writer = BufWriter::with_capacity(WRITE_BUFFER, part::open(&path, transfer.offset).await?);
        let started = Instant::now();
        let mut received = 0u64;
        let outcome = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    writer.write_all(&chunk).await.map_err(Error::io(&path))?;
                    transfer.hasher.update(&chunk);
                    transfer.offset += chunk.len() as u64;
                    received += chunk.len() as u64;
                    transfer.report(target, transfer.offset, on_progress);
                    if let Some(rate) = self.options.rate_limit.filter(|rate| *rate > 0) {
                        let due = Duration::from_secs_f64(received as f64 / rate as f64);
                        if let Some(ahead) = due.checked_sub(started.elapsed()) {
                            writer.flush().await.map_err(Error::io(&path))?;
                            tokio::time::sleep(ahead).await;
                        }
                    }
                }
                Ok(None) => break Ok(()),
                Err(error) => break Err(headers::describe(error)),
            }
        };
        writer.flush().await.map_err(Error::io(&path))?;
        writer.get_ref().sync_all().await.map_err(Error::io(&path))?;
        Ok(outcome)
    }

    /// Checks the length and the checksums; renames the part to its final name, or deletes
    /// it.
    async fn finish(
        &self,
        target: &Target<'_>,
        transfer: Transfer,
        expected: ExpectedHashes,
        final_path: PathBuf,
    ) -> Result<Downloaded> {
        let failed = |what: String| Error::Verification {
            file: target.name.into(),
            what,
        };
        if let Some(total) = transfer.total
            && transfer.offset != total
        {
            part::remove(&transfer.part).await;
            return Err(failed(format!(
                "length mismatch: expected {total} bytes, got {}",
                transfer.offset
            )));
        }
        if let Err(what) = expected.verify(&transfer.hasher.finish()) {
            part::remove(&transfer.part).await;
            return Err(failed(what));
        }
        tokio::fs::rename(&transfer.part, &final_path)
            .await
            .map_err(Error::io(&final_path))?;
        Ok(Downloaded {
            path: final_path,
            bytes: transfer.offset,
            verified: expected.names(),
            resumed_from: transfer.resumed_from,
            already_present: false,
            url_refreshes: transfer.url_refreshes,
        })
    }
}
