//! The one error type of the export library. What a server wrote (a message, a state) is
//! escaped and cut in the messages ([`dataportability_v1::runtime::untrusted`]); job ids are
//! plain ([`crate::job::answered_id`]).

use std::path::PathBuf;
use std::time::Duration;

use dataportability_v1::runtime::untrusted::{MESSAGE_CHARS, printable};

/// The result type of the export library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can stop an export. Messages are one line and never contain a signed
/// URL (they name the file instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A call to the API failed (after the client's own retries).
    #[error(transparent)]
    Api(#[from] dataportability_v1::Error),
    /// `initiate` or `retry` answered without a job id, or with one that is not a plain id
    /// ([`crate::job::answered_id`]).
    #[error("{method} answered without a usable archive job id")]
    NoJobId {
        /// `initiate` or `retry`.
        method: &'static str,
    },
    /// The job ended `FAILED`, and no retry is left.
    #[error("job {job} failed after {retries} retries")]
    JobFailed {
        /// The last job of the chain.
        job: String,
        /// How many retries were made.
        retries: u32,
    },
    /// The job was cancelled.
    #[error("job {job} was cancelled")]
    JobCancelled {
        /// The job.
        job: String,
    },
    /// The job kept answering a state this crate does not know (or none).
    #[error(
        "job {job} reported the unknown state \"{}\" {polls} times in a row; giving up",
        printable(state, 64)
    )]
    UnknownState {
        /// The job.
        job: String,
        /// The state as received (`""` when absent).
        state: String,
        /// How many polls in a row saw it.
        polls: u32,
    },
    /// The job was not finished within the configured deadline.
    #[error("job {job} did not finish within {after:?}")]
    Deadline {
        /// The job.
        job: String,
        /// The deadline.
        after: Duration,
    },
    /// A job is not `COMPLETE`, or its state no longer has a URL for a file.
    #[error("job {job} has no download URL for {file}: {}", printable(reason, MESSAGE_CHARS))]
    NoUrl {
        /// The job.
        job: String,
        /// The file (or `*` for all).
        file: String,
        /// Why.
        reason: String,
    },
    /// A job's state lists more URLs than the downloader accepts
    /// ([`DownloadOptions::max_urls`](crate::download::DownloadOptions::max_urls)): nothing was
    /// downloaded.
    #[error("job {job} lists {count} URLs, more than the limit of {limit} (max_urls); nothing was downloaded")]
    TooManyUrls {
        /// The job.
        job: String,
        /// How many URLs its state lists.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A download failed for good (an HTTP error status, too many failed attempts, a transfer
    /// slower than the minimum speed, or past its deadline).
    #[error("download of {file} failed: {}", printable(message, MESSAGE_CHARS))]
    Download {
        /// The file name.
        file: String,
        /// What happened (the HTTP status, the transport error).
        message: String,
        /// The HTTP status, when the server answered with an error.
        status: Option<u16>,
    },
    /// A downloaded file does not match its `Content-Length` or `x-goog-hash`; the partial
    /// file was deleted.
    #[error("verification of {file} failed: {what}")]
    Verification {
        /// The file name.
        file: String,
        /// Which check failed, with the expected and the actual value.
        what: String,
    },
    /// Reading or writing a local file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system reported.
        #[source]
        source: std::io::Error,
    },
    /// A symbolic link where the export expects a file or a directory of its own: it is
    /// never followed, and its target is left untouched.
    #[error("{}: is a symbolic link; the export never follows links in its directory (its target is untouched): remove it and run again", path.display())]
    Link {
        /// The link.
        path: PathBuf,
    },
    /// Another run holds the output directory's lock.
    #[error("{} is in use by another export ({holder}); wait for it to end or use another --out directory", dir.display())]
    Locked {
        /// The output directory.
        dir: PathBuf,
        /// Who holds the lock (`pid 1234, started ...`).
        holder: String,
    },
    /// A time-based export of the group came within 24 hours of the last one (the API answered
    /// 429 `RESOURCE_EXHAUSTED_TIME_BASED`, or the time-based guide's 400 `FAILED_PRECONDITION`).
    #[error(
        "Google allows one time-based export of a resource group every 24 hours{}; {}; the API said: {}",
        jobs_of(previous_job_ids),
        match next_allowed_at {
            Some(at) => format!("the next export is allowed at {}", crate::time_range::rfc3339(*at)),
            None => "try again 24 hours after the last export was requested".to_owned(),
        },
        printable(message, MESSAGE_CHARS)
    )]
    TooSoon {
        /// When the group may be exported again: Google's `timestamp_after_24hrs`, else 24 hours
        /// after the last export the state file knows of.
        next_allowed_at: Option<chrono::DateTime<chrono::Utc>>,
        /// The jobs Google names as the last exports (`previous_job_ids`; empty when it names none).
        previous_job_ids: Vec<String>,
        /// The API's message.
        message: String,
    },
    /// The group was already exported with one-time access (the API answered 429
    /// `RESOURCE_EXHAUSTED_ONE_TIME`), and no archive of those jobs could be downloaded: only
    /// `authorization.reset` and a new consent of the user allow another export.
    #[error(
        "the resource group was already exported with one-time access{}: only a reset of the authorization and a \
         new consent allow another export; the API said: {}",
        jobs_of(previous_job_ids),
        printable(message, MESSAGE_CHARS)
    )]
    Exhausted {
        /// The jobs Google names as those that exported the group (`previous_job_ids`).
        previous_job_ids: Vec<String>,
        /// The API's message.
        message: String,
    },
    /// The API refused the token and the time-based grant is older than its 30 days.
    #[error(
        "time-based access lasts 30 days and this grant was first used at {}: the user must consent again (sign in anew for a new token); {message}",
        crate::time_range::rfc3339(*since)
    )]
    GrantEnded {
        /// When this directory's first export of the group started.
        since: chrono::DateTime<chrono::Utc>,
        /// The refusal.
        message: String,
    },
    /// A period that cannot be asked for (checked before anything is sent).
    #[error(transparent)]
    TimeRange(#[from] crate::time_range::TimeRangeError),
    /// A completed job's state has no `exportTime`, so an incremental export cannot tell where
    /// the next one starts.
    #[error("job {job} has no exportTime: cannot tell where the next incremental export starts")]
    NoExportTime {
        /// The job.
        job: String,
    },
    /// The state file is not valid.
    #[error("{}: not a valid state file: {message}", path.display())]
    StateFile {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

impl Error {
    /// Whether this is a failed verification of downloaded bytes.
    pub fn is_verification(&self) -> bool {
        matches!(self, Error::Verification { .. })
    }

    /// Whether a time-based export came within 24 hours of the last one.
    pub fn is_too_soon(&self) -> bool {
        matches!(self, Error::TooSoon { .. })
    }

    /// Whether the group's one-time access is used up.
    pub fn is_exhausted(&self) -> bool {
        matches!(self, Error::Exhausted { .. })
    }

    /// Whether `initiate` was refused because the token does not grant a requested group
    /// (HTTP 403 without a reason, or `ACCESS_TOKEN_SCOPE_INSUFFICIENT`): the user did not allow
    /// its scope on the consent screen ("Configure OAuth": a user may consent to some but not all
    /// of the scopes). Google's troubleshooting page shows this 403 as "The requested resources
    /// are not authorized by the OAuth token.", with no `ErrorInfo`.
    pub fn is_not_granted(&self) -> bool {
        let Error::Api(error) = self else { return false };
        error.as_api_error().is_some_and(|api| {
            api.status.as_u16() == 403
                && api.method.ends_with("portabilityArchive.initiate")
                && matches!(api.reason(), None | Some("ACCESS_TOKEN_SCOPE_INSUFFICIENT"))
        })
    }

    /// Whether the API refused the credentials: HTTP 401 or 403 from an API call, or a token
    /// source that failed.
    pub fn is_auth(&self) -> bool {
        match self {
            Error::Api(error) => {
                matches!(error, dataportability_v1::Error::Auth { .. })
                    || error.status().is_some_and(|s| s.as_u16() == 401 || s.as_u16() == 403)
            }
            Error::GrantEnded { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

/// ` by job(s) a, b` for a non-empty list.
fn jobs_of(jobs: &[String]) -> String {
    if jobs.is_empty() {
        String::new()
    } else {
        format!(" (previous job(s): {})", jobs.join(", "))
    }
}
