//! The Data Portability export loop, beside the generated client.
//!
//! Every user of the Data Portability API writes the same loop: start one job per resource
//! group, poll until it is done, retry a failed job, and download every signed URL before it
//! expires. This crate is that loop, correct and resumable, over the generated
//! [`dataportability_v1::Client`]:
//!
//! - [`job`]: start a job ([`job::initiate`]) and name it;
//! - [`wait`]: poll a job with a growing interval until it is `COMPLETE`, `FAILED` or
//!   `CANCELLED` ([`wait::wait`], [`wait::PollPolicy`]);
//! - [`refusal`]: what Google's refusal of an `initiate` says (`ALREADY_EXISTS_*` with the
//!   running job, `RESOURCE_EXHAUSTED_*` with the previous jobs and the next allowed time);
//! - [`retry`]: wait, and retry a `FAILED` job up to 3 times, following the new job ids
//!   ([`retry::wait_and_retry`]);
//! - [`download`]: stream every archive of a `COMPLETE` job to disk, resuming with HTTP
//!   `Range`, verifying `Content-Length` and `x-goog-hash`, refreshing expired URLs
//!   ([`download::Downloader`]);
//! - [`state_file`]: a small JSON file that remembers the jobs of an export, written
//!   atomically, so an interrupted export resumes ([`state_file::StateFile`]);
//! - [`out_dir`] and [`lock`]: the output directory used without following links, files `0600`
//!   and directories `0700`, and one run at a time per directory ([`lock::Lock`]).
//! - [`time_range`]: `startTime`/`endTime`, absolute or relative (`6mo`), checked before they
//!   are sent ([`time_range::TimeRange`]);
//! - [`incremental`]: exports of a period or of what is new since the last export, per user and
//!   group, each run in its own directory ([`incremental::export_groups`]).
//!
//! ```no_run
//! use std::path::Path;
//! use dataportability_v1::{Client, StaticToken};
//! use dataportability_export::download::{DownloadOptions, Downloader};
//! use dataportability_export::retry::{WaitAndRetryOptions, wait_and_retry};
//!
//! # async fn example(token: String) -> Result<(), dataportability_export::Error> {
//! let client = Client::builder().token_source(StaticToken::new(token)).build()?;
//! let job = dataportability_export::job::initiate(&client, "myactivity.search").await?;
//! let finished = wait_and_retry(&client, &job, &WaitAndRetryOptions::default(), |_event| {}).await?;
//! let downloader = Downloader::new(client, DownloadOptions::default())?;
//! let files = downloader
//!     .download_all(&finished.job_id, &finished.state, Path::new("out"), |p| {
//!         println!("{}: {} of {:?} bytes", p.file, p.done, p.total)
//!     })
//!     .await?;
//! # let _ = files;
//! # Ok(())
//! # }
//! ```

#[cfg(not(unix))]
compile_error!("dataportability-export needs Unix (openat, O_NOFOLLOW, flock): see its out_dir and lock modules");

pub mod download;
mod error;
pub mod hashes;
pub mod incremental;
pub mod job;
pub mod lock;
pub mod out_dir;
pub mod refusal;
pub mod retry;
pub mod state_file;
pub mod time_range;
pub mod wait;

pub use error::{Error, Result};
