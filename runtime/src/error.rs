//! The one error type of every generated client.

use std::fmt;

use reqwest::StatusCode;
use serde::Deserialize;

use crate::auth::AuthError;

/// How many characters of an unexpected body an error keeps.
const SNIPPET_CHARS: usize = 512;

/// Everything that can go wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status; Google's error body is decoded when present.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request could not be sent or the response not read (DNS, TLS, connection, timeout).
    #[error("{method}: transport error: {source}")]
    Transport {
        /// The Discovery id of the method, e.g. `dataportability.archiveJobs.retry`.
        method: &'static str,
        /// What the HTTP client reported.
        #[source]
        source: reqwest::Error,
    },
    /// A successful response whose body is not the documented type.
    #[error("{method}: cannot decode the response as {type_name}: {source}; body: {snippet}")]
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
    #[error("{method}: authentication failed: {source}")]
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

    /// The decoded API error, if this is one.
    pub fn as_api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }
}

/// An error answered by the API: the HTTP status and Google's JSON error body
/// (`{"error": {"code", "message", "status", "errors", "details"}}`, v1 and v2 formats).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The Discovery id of the method that failed.
    pub method: &'static str,
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The canonical status name, e.g. `PERMISSION_DENIED`, when the body has one.
    pub code: Option<String>,
    /// The human-readable message, or a snippet of the body when it is not Google's JSON.
    pub message: String,
    /// The legacy `errors` list (v1 error format).
    pub errors: Vec<ApiErrorItem>,
    /// The structured `details` (v2 error format), each with its `@type`.
    pub details: Vec<serde_json::Value>,
    /// Whether the body was Google's JSON error format.
    pub is_google_format: bool,
}

/// One entry of the legacy `errors` list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiErrorItem {
    /// Human-readable message.
    pub message: Option<String>,
    /// The error domain, e.g. `global`.
    pub domain: Option<String>,
    /// The reason code, e.g. `insufficientPermissions`.
    pub reason: Option<String>,
    /// Where the error is, e.g. a parameter name.
    pub location: Option<String>,
    /// The kind of location, e.g. `parameter`.
    pub location_type: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
#[serde(default)]
#[derive(Default)]
struct ErrorBody {
    message: Option<String>,
    status: Option<String>,
    errors: Vec<ApiErrorItem>,
    details: Vec<serde_json::Value>,
}

impl ApiError {
    /// Builds the error from a non-success response body.
    pub fn from_body(method: &'static str, status: StatusCode, body: &[u8]) -> Self {
        match serde_json::from_slice::<ErrorEnvelope>(body) {
            Ok(ErrorEnvelope { error }) => Self {
                method,
                status,
                code: error.status,
                message: error.message.unwrap_or_default(),
                errors: error.errors,
                details: error.details,
                is_google_format: true,
            },
            Err(_) => Self {
                method,
                status,
                code: None,
                message: snippet(body),
                errors: Vec::new(),
                details: Vec::new(),
                is_google_format: false,
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.method, self.status.as_u16())?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        if self.is_google_format {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ", body: {}", self.message)
        }
    }
}

impl std::error::Error for ApiError {}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api(Box::new(error))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_google_error_json() {
        let body = br#"{"error":{"code":403,"message":"Denied","status":"PERMISSION_DENIED",
            "errors":[{"message":"Denied","domain":"global","reason":"forbidden"}],
            "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"X"}]}}"#;
        let error = ApiError::from_body("api.m", StatusCode::FORBIDDEN, body);
        assert_eq!(error.code.as_deref(), Some("PERMISSION_DENIED"));
        assert_eq!(error.message, "Denied");
        assert_eq!(error.errors[0].reason.as_deref(), Some("forbidden"));
        assert_eq!(error.details[0]["reason"], "X");
        assert_eq!(error.to_string(), "api.m: HTTP 403 PERMISSION_DENIED: Denied");
    }

    #[test]
    fn keeps_a_bounded_snippet_of_a_non_json_body() {
        let body = format!("<html>{}</html>", "x".repeat(2000));
        let error = ApiError::from_body("api.m", StatusCode::BAD_GATEWAY, body.as_bytes());
        assert!(!error.is_google_format);
        assert!(error.message.starts_with("<html>xxx"));
        assert_eq!(error.message.chars().count(), SNIPPET_CHARS + 1);
    }
}
