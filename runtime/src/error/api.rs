//! An error answered by the API: the HTTP status and Google's JSON error body.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

use super::details::{ErrorDetail, ErrorInfo};
use super::snippet;
use crate::untrusted::{MESSAGE_CHARS, printable};

/// An error answered by the API: the HTTP status and Google's JSON error body
/// (`{"error": {"code", "message", "status", "errors", "details"}}`, v1 and v2 formats).
///
/// A body that is not Google's format (an HTML page from a proxy, say) is kept as a bounded
/// snippet in `message`, and `is_google_format` is false.
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
    /// The structured `details` (v2 error format), decoded by their `@type`.
    pub details: Vec<ErrorDetail>,
    /// Whether the body was Google's JSON error format.
    pub is_google_format: bool,
    /// How long the server asked the client to wait before retrying: the `Retry-After`
    /// header, or else the `RetryInfo` detail.
    pub retry_after: Option<Duration>,
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

#[derive(Default, Deserialize)]
#[serde(default)]
struct ErrorBody {
    message: Option<String>,
    status: Option<String>,
    errors: Vec<ApiErrorItem>,
    details: Vec<ErrorDetail>,
}

impl ApiError {
    /// Builds the error from a non-success response body.
    pub fn from_body(method: &'static str, status: StatusCode, body: &[u8]) -> Self {
        let mut error = match serde_json::from_slice::<ErrorEnvelope>(body) {
            Ok(ErrorEnvelope { error }) => Self {
                method,
                status,
                code: error.status,
                message: error.message.unwrap_or_default(),
                errors: error.errors,
                details: error.details,
                is_google_format: true,
                retry_after: None,
            },
            Err(_) => Self {
                method,
                status,
                code: None,
                message: snippet(body),
                errors: Vec::new(),
                details: Vec::new(),
                is_google_format: false,
                retry_after: None,
            },
        };
        error.retry_after = error.details.iter().find_map(|detail| match detail {
            ErrorDetail::RetryInfo(info) => info.retry_delay,
            _ => None,
        });
        error
    }

    /// The `ErrorInfo` detail, which carries the machine-readable reason, if there is one.
    pub fn error_info(&self) -> Option<&ErrorInfo> {
        self.details.iter().find_map(|detail| match detail {
            ErrorDetail::ErrorInfo(info) => Some(info),
            _ => None,
        })
    }

    /// The machine-readable reason: the `ErrorInfo` reason (v2 format), or else the first
    /// `errors` entry's reason (v1 format).
    pub fn reason(&self) -> Option<&str> {
        self.error_info()
            .map(|info| info.reason.as_str())
            .or_else(|| self.errors.iter().find_map(|item| item.reason.as_deref()))
    }
}

/// The server's words in the error's text are escaped and cut ([`crate::untrusted`]): the
/// fields keep them as received.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.method, self.status.as_u16())?;
        if let Some(code) = &self.code {
            write!(f, " {}", printable(code, CODE_CHARS))?;
        }
        let message = printable(&self.message, MESSAGE_CHARS);
        if self.is_google_format {
            write!(f, ": {message}")
        } else {
            write!(f, ", body: {message}")
        }
    }
}

/// The cut of a status name in an error's text (Google's longest is 19 characters).
const CODE_CHARS: usize = 64;

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::super::SNIPPET_CHARS;
    use super::*;

    #[test]
    fn decodes_the_v2_format() {
        let body = br#"{"error":{"code":429,"message":"Slow down","status":"RESOURCE_EXHAUSTED",
            "details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED"},
                       {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"},
                       {"@type":"type.googleapis.com/example.Custom","x":1}]}}"#;
        let error = ApiError::from_body("api.m", StatusCode::TOO_MANY_REQUESTS, body);
        assert_eq!(error.code.as_deref(), Some("RESOURCE_EXHAUSTED"));
        assert_eq!(error.reason(), Some("RATE_LIMIT_EXCEEDED"));
        assert_eq!(error.retry_after, Some(Duration::from_secs(30)));
        assert!(matches!(&error.details[2], ErrorDetail::Other(value) if value["x"] == 1));
        assert_eq!(error.to_string(), "api.m: HTTP 429 RESOURCE_EXHAUSTED: Slow down");
    }

    #[test]
    fn decodes_the_v1_format() {
        let body = br#"{"error":{"code":403,"message":"Denied",
            "errors":[{"message":"Denied","domain":"global","reason":"forbidden","locationType":"header","location":"Authorization"}]}}"#;
        let error = ApiError::from_body("api.m", StatusCode::FORBIDDEN, body);
        assert!(error.is_google_format);
        assert_eq!(error.code, None);
        assert_eq!(error.reason(), Some("forbidden"));
        assert_eq!(error.errors[0].location_type.as_deref(), Some("header"));
        assert_eq!(error.to_string(), "api.m: HTTP 403: Denied");
    }

    #[test]
    fn keeps_a_bounded_snippet_of_a_non_json_body() {
        let body = format!("<html>{}</html>", "x".repeat(2000));
        let error = ApiError::from_body("api.m", StatusCode::BAD_GATEWAY, body.as_bytes());
        assert!(!error.is_google_format);
        assert!(error.message.starts_with("<html>xxx"));
        assert_eq!(error.message.chars().count(), SNIPPET_CHARS + 1);
        assert!(error.to_string().starts_with("api.m: HTTP 502, body: <html>"));
    }

    #[test]
    fn the_text_escapes_and_cuts_what_the_server_wrote() {
        let message = format!(r"\u001b]0;pwned\u0007\u001b[2J{}", "x".repeat(1_000_000));
        let body = format!(r#"{{"error": {{"code": 500, "status": "INTERNAL\r\n", "message": "{message}"}}}}"#);
        let error = ApiError::from_body("api.m", StatusCode::INTERNAL_SERVER_ERROR, body.as_bytes());
        assert!(error.message.starts_with('\u{1b}'), "the field keeps what was received");
        let text = error.to_string();
        assert!(!text.chars().any(char::is_control), "{}", &text[..200]);
        assert!(
            text.starts_with(r"api.m: HTTP 500 INTERNAL\r\n: \u{1b}]0;pwned\u{7}\u{1b}[2Jxxx"),
            "{}",
            &text[..200]
        );
        assert!(text.len() < 1200, "cut: {} bytes", text.len());
        assert!(
            text.ends_with(&format!("({} more characters)", 1_000_000 + 14 - MESSAGE_CHARS)),
            "{}",
            &text[1000..]
        );
    }
}
