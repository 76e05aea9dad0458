//! The one error type of every generated client.

mod api;
mod details;

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

pub use self::api::{ApiError, ApiErrorItem};
pub use self::details::{
    BadRequest, ErrorDetail, ErrorInfo, FieldViolation, Help, HelpLink, LocalizedMessage, QuotaFailure, QuotaViolation,
    RetryInfo,
};
use crate::auth::AuthError;
use crate::untrusted::{MESSAGE_CHARS, printable};

/// How many characters of an unexpected body an error keeps.
const SNIPPET_CHARS: usize = 512;

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status; Google's error body is decoded when present.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request could not be sent or the response not read (DNS, TLS, connection). The
    /// message ends with the innermost cause (`message head is too large`, `connection
    /// reset`), which reqwest's own message leaves out.
    #[error("{method}: transport error: {}", with_cause(source))]
    Transport {
        /// The Discovery id of the method, e.g. `dataportability.archiveJobs.retry`.
        method: &'static str,
        /// What the HTTP client reported.
        #[source]
        source: reqwest::Error,
    },
    /// A successful response whose body is not the documented type. The message shows what
    /// serde reported and the start of the body, escaped and cut ([`crate::untrusted`]).
    #[error(
        "{method}: cannot decode the response as {type_name}: {}; body: {}",
        printable(&source.to_string(), MESSAGE_CHARS),
        printable(snippet, SNIPPET_CHARS)
    )]
    Decode {
        /// The Discovery id of the method.
        method: &'static str,
        /// The Rust type the body was decoded into.
        type_name: &'static str,
        /// What serde reported, with line and column.
        #[source]
        source: serde_json::Error,
        /// The start of the body, at most 512 characters.
        snippet: String,
    },
    /// The request body could not be encoded as JSON.
    #[error("{method}: cannot encode the request body: {source}")]
    Encode {
        /// The Discovery id of the method.
        method: &'static str,
        /// What serde reported.
        #[source]
        source: serde_json::Error,
    },
    /// The token source failed.
    #[error("{method}: authentication failed: {}", printable(&source.to_string(), MESSAGE_CHARS))]
    Auth {
        /// The Discovery id of the method.
        method: &'static str,
        /// What the token source reported.
        #[source]
        source: AuthError,
    },
    /// An argument was rejected before any request was sent.
    #[error("{method}: invalid argument `{parameter}`: {message}")]
    InvalidArgument {
        /// The Discovery id of the method.
        method: &'static str,
        /// The parameter's name as the Discovery document spells it.
        parameter: String,
        /// What is wrong with it.
        message: String,
    },
    /// The client was configured wrongly (for example an endpoint that is not a URL).
    #[error("invalid client configuration: {0}")]
    Config(String),
    /// A timeout elapsed: of one attempt (retried like a connection error) or of the call.
    #[error("{method}: the {scope} timed out after {after:?}")]
    Timeout {
        /// The Discovery id of the method.
        method: &'static str,
        /// Which timeout elapsed.
        scope: TimeoutScope,
        /// The configured timeout.
        after: Duration,
    },
    /// A JSON response body was larger than the client's limit; reading stopped at the limit.
    #[error("{method}: the response body is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The Discovery id of the method.
        method: &'static str,
        /// The limit, in bytes (see `ClientBuilder::max_response_bytes`).
        limit: u64,
    },
    /// A resumable upload could not go on: the media could not be read, or the server's
    /// answers did not follow the protocol.
    #[error("{method}: upload failed: {}", printable(message, MESSAGE_CHARS))]
    Upload {
        /// The Discovery id of the method.
        method: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A paged list did not end: the server handed out a page token it had handed out before,
    /// or more pages than the client's `max_pages`.
    #[error("{method}: paging stopped: {message}")]
    Paging {
        /// The Discovery id of the method.
        method: &'static str,
        /// Why.
        message: String,
    },
}

/// Which timeout elapsed, in an [`Error::Timeout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutScope {
    /// One attempt: sending the request and reading the response.
    Attempt,
    /// The whole call, retries and waits between them included.
    Call,
}

impl fmt::Display for TimeoutScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutScope::Attempt => "attempt",
            TimeoutScope::Call => "call",
        })
    }
}

impl Error {
    /// The HTTP status of an API error, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Transport { source, .. } => source.status(),
            _ => None,
        }
    }

    /// Whether the failure is transient, so the same request may succeed later: HTTP 429, 500,
    /// 502, 503 and 504, connection and other transport failures, and an attempt's timeout.
    ///
    /// An API error whose `ErrorInfo` reason Google names as a refusal that no wait lifts is
    /// never transient, whatever its status: the Data
    /// Portability API's `RESOURCE_EXHAUSTED_ONE_TIME` and `RESOURCE_EXHAUSTED_TIME_BASED`
    /// (429) and `ALREADY_EXISTS_ONE_TIME` and `ALREADY_EXISTS_TIME_BASED` (409).
    ///
    /// The client retries these by itself within its [`RetryPolicy`](crate::RetryPolicy)
    /// (for a non-idempotent method only when asked to).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => {
                is_retryable_status(api.status) && !api.reason().is_some_and(|r| NOT_RETRYABLE_REASONS.contains(&r))
            }
            Error::Transport { source, .. } => {
                source.is_connect() || source.is_timeout() || source.is_request() || source.is_body()
            }
            Error::Timeout { scope, .. } => *scope == TimeoutScope::Attempt,
            _ => false,
        }
    }

    /// The machine-readable reason of an API error: its `google.rpc.ErrorInfo` reason
    /// (`RESOURCE_EXHAUSTED_ONE_TIME`, ...), or else the first reason of the legacy `errors`
    /// list; `None` for an error the server did not answer or that has no reason.
    pub fn reason(&self) -> Option<&str> {
        self.as_api_error().and_then(ApiError::reason)
    }

    /// A value of the `google.rpc.ErrorInfo` metadata of an API error, such as the `job_id`
    /// of the Data Portability API's `ALREADY_EXISTS_ONE_TIME`.
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.as_api_error()
            .and_then(ApiError::error_info)
            .and_then(|info| info.metadata.get(key))
            .map(String::as_str)
    }

    /// How long the server asked to wait before a retry (`Retry-After` or `RetryInfo`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.as_api_error().and_then(|api| api.retry_after)
    }

    /// The decoded API error, if this is one.
    pub fn as_api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api(Box::new(error))
    }
}

/// The statuses worth retrying: too many requests, and the server-side failures that are
/// usually transient.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504)
}

/// `ErrorInfo` reasons that say the request will keep failing however long the client waits,
/// so it is never retried. Each is Google's name, as its sample client for the Data Portability
/// API reads it (`data-portability-quickstart.py`, published with the API's guides): an export
/// still running (`ALREADY_EXISTS_*`, metadata `job_id`), one-time access used up or a
/// time-based export within 24 hours (`RESOURCE_EXHAUSTED_*`, metadata `previous_job_ids`, and
/// `timestamp_after_24hrs` for time-based access).
pub(crate) const NOT_RETRYABLE_REASONS: [&str; 4] = [
    "ALREADY_EXISTS_ONE_TIME",
    "ALREADY_EXISTS_TIME_BASED",
    "RESOURCE_EXHAUSTED_ONE_TIME",
    "RESOURCE_EXHAUSTED_TIME_BASED",
];

/// The start of a body as text, bounded to 512 characters, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut chars = text.chars();
    let mut out: String = chars.by_ref().take(SNIPPET_CHARS).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// An error's message followed by its innermost cause, when the message does not already say
/// it (`error sending request: message head is too large`), escaped and cut: a cause may
/// quote what a server sent.
fn with_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let message = error.to_string();
    let mut innermost = None;
    let mut source = error.source();
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    let text = match innermost {
        Some(cause) if !message.contains(&cause) => format!("{message}: {cause}"),
        _ => message,
    };
    printable(&text, MESSAGE_CHARS).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> Error {
        let status = StatusCode::from_u16(status).unwrap();
        ApiError::from_body("api.m", status, b"{}").into()
    }

    #[test]
    fn transient_statuses_are_retryable() {
        for status in [429, 500, 502, 503, 504] {
            assert!(api(status).is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 409, 501] {
            assert!(!api(status).is_retryable(), "{status}");
        }
    }

    fn with_info(status: u16, reason: &str, metadata: &str) -> Error {
        let body = format!(
            r#"{{"error": {{"code": {status}, "status": "S", "message": "m", "details": [
                {{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "{reason}", "domain": "d",
                  "metadata": {metadata}}}]}}}}"#
        );
        ApiError::from_body("api.m", StatusCode::from_u16(status).unwrap(), body.as_bytes()).into()
    }

    #[test]
    fn googles_refusals_are_never_retried_and_other_429s_are() {
        assert!(with_info(429, "RATE_LIMIT_EXCEEDED", "{}").is_retryable());
        assert!(
            with_info(429, "SOME_QUOTA_WE_DO_NOT_KNOW", "{}").is_retryable(),
            "Google's guidance: retry a 429 with backoff"
        );
        for reason in NOT_RETRYABLE_REASONS {
            for status in [429, 409, 503] {
                assert!(!with_info(status, reason, "{}").is_retryable(), "{reason} {status}");
            }
        }
        let hinted: Error = ApiError::from_body(
            "api.m",
            StatusCode::TOO_MANY_REQUESTS,
            br#"{"error": {"code": 429, "message": "m", "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RESOURCE_EXHAUSTED_TIME_BASED"},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "86400s"}]}}"#,
        )
        .into();
        assert!(!hinted.is_retryable(), "a wait of a day is no transient failure");
    }

    #[test]
    fn the_reason_and_its_metadata_are_read_from_error_info() {
        let error = with_info(
            409,
            "ALREADY_EXISTS_ONE_TIME",
            r#"{"job_id": "j1", "service": "dataportability.googleapis.com"}"#,
        );
        assert_eq!(error.reason(), Some("ALREADY_EXISTS_ONE_TIME"));
        assert_eq!(error.metadata("job_id"), Some("j1"));
        assert_eq!(error.metadata("previous_job_ids"), None);
        let legacy: Error = ApiError::from_body(
            "api.m",
            StatusCode::FORBIDDEN,
            br#"{"error": {"errors": [{"reason": "forbidden"}]}}"#,
        )
        .into();
        assert_eq!(legacy.reason(), Some("forbidden"));
        assert_eq!(legacy.metadata("job_id"), None);
        assert_eq!(Error::Config("x".into()).reason(), None);
    }

    #[test]
    fn only_an_attempt_timeout_is_retryable() {
        let timeout = |scope| Error::Timeout {
            method: "api.m",
            scope,
            after: Duration::from_secs(1),
        };
        assert!(timeout(TimeoutScope::Attempt).is_retryable());
        assert!(!timeout(TimeoutScope::Call).is_retryable());
        assert_eq!(
            timeout(TimeoutScope::Call).to_string(),
            "api.m: the call timed out after 1s"
        );
        assert!(
            !Error::BodyTooLarge {
                method: "api.m",
                limit: 1
            }
            .is_retryable()
        );
        assert!(!Error::Config("x".into()).is_retryable());
    }
}
