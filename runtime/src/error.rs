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
    /// A 429 whose reason names no rate limit and that asks for no wait is not transient: it is
    /// an exhausted allowance, such as the Data Portability API's `RESOURCE_EXHAUSTED` for a
    /// resource group already exported with one-time access, which only a new authorization
    /// lifts (our reading: Google's retry guidance covers rate limits, and gives no wait for a
    /// used-up allowance).
    ///
    /// The client retries these by itself within its [`RetryPolicy`](crate::RetryPolicy)
    /// (for a non-idempotent method only when asked to).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => is_retryable_status(api.status) && !is_exhausted_allowance(api),
            Error::Transport { source, .. } => {
                source.is_connect() || source.is_timeout() || source.is_request() || source.is_body()
            }
            Error::Timeout { scope, .. } => *scope == TimeoutScope::Attempt,
            _ => false,
        }
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

/// A 429 that is not a rate limit: a reason without "rate" in it, and no `Retry-After` or
/// `RetryInfo`.
fn is_exhausted_allowance(api: &ApiError) -> bool {
    api.status == StatusCode::TOO_MANY_REQUESTS
        && api.retry_after.is_none()
        && api
            .reason()
            .is_some_and(|reason| !reason.to_ascii_lowercase().contains("rate"))
}

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

    #[test]
    fn a_429_is_retryable_only_as_a_rate_limit() {
        let with = |body: &str| -> Error {
            ApiError::from_body("api.m", StatusCode::TOO_MANY_REQUESTS, body.as_bytes()).into()
        };
        let info = |reason: &str| {
            format!(
                r#"{{"error": {{"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "m", "details": [
                    {{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "{reason}", "domain": "d"}}]}}}}"#
            )
        };
        assert!(with(&info("RATE_LIMIT_EXCEEDED")).is_retryable());
        assert!(
            with(r#"{"error": {"code": 429, "message": "m", "errors": [{"reason": "userRateLimitExceeded"}]}}"#)
                .is_retryable()
        );
        assert!(!with(&info("ONE_TIME_ACCESS_EXHAUSTED")).is_retryable());
        let hinted = info("ONE_TIME_ACCESS_EXHAUSTED").replace(
            "]}}",
            r#", {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "2s"}]}}"#,
        );
        assert!(
            with(&hinted).is_retryable(),
            "a server that asks for a wait expects a retry"
        );
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
