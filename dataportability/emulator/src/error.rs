//! Google's JSON error format: `{"error": {"code", "message", "status", "details"}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The canonical error codes the emulator answers with, each with Google's HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code {
    /// 400: the request is wrong whatever the state (unknown group, end before start, bad JSON).
    InvalidArgument,
    /// 400: the request is valid but the state forbids it (retry of a job that is not FAILED;
    /// with `--time-based-refusal failed-precondition`, a time-based export within 24 hours).
    FailedPrecondition,
    /// 401: no token, or a token the emulator did not mint or that was revoked.
    Unauthenticated,
    /// 403: the token lacks the scope of a requested resource group.
    PermissionDenied,
    /// 404: no such job (or method).
    NotFound,
    /// 409: an identical export is still in progress (`ALREADY_EXISTS_ONE_TIME`,
    /// `ALREADY_EXISTS_TIME_BASED`, with the running job's id).
    AlreadyExists,
    /// 429: rate limited (injected fault, with `Retry-After`), a one-time resource group
    /// already exported (`RESOURCE_EXHAUSTED_ONE_TIME`: only `authorization.reset` and a new
    /// consent allow it again), or a time-based export within 24 hours of the last
    /// (`RESOURCE_EXHAUSTED_TIME_BASED`).
    ResourceExhausted,
    /// 500: an emulator bug.
    Internal,
    /// 503: unavailable (injected fault).
    Unavailable,
}

impl Code {
    /// The name Google puts in `error.status`, e.g. `FAILED_PRECONDITION`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidArgument => "INVALID_ARGUMENT",
            Code::FailedPrecondition => "FAILED_PRECONDITION",
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::PermissionDenied => "PERMISSION_DENIED",
            Code::NotFound => "NOT_FOUND",
            Code::AlreadyExists => "ALREADY_EXISTS",
            Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Code::Internal => "INTERNAL",
            Code::Unavailable => "UNAVAILABLE",
        }
    }

    /// The HTTP status Google maps the code to.
    pub fn http_status(self) -> StatusCode {
        match self {
            Code::InvalidArgument | Code::FailedPrecondition => StatusCode::BAD_REQUEST,
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::PermissionDenied => StatusCode::FORBIDDEN,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::AlreadyExists => StatusCode::CONFLICT,
            Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// An error answered by the emulator's API or control surface, and returned by the
/// [`Emulator`](crate::Emulator) handle's control methods.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{} {}: {message}", .code.http_status().as_u16(), .code.as_str())]
pub struct ApiError {
    /// The canonical code.
    pub code: Code,
    /// A human-readable message.
    pub message: String,
    /// `google.rpc` detail objects, each with its `@type`.
    pub details: Vec<Value>,
}

impl ApiError {
    /// An error with a code and a message and no details.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// Adds a `google.rpc.ErrorInfo` detail with this reason, in the domain of Google's
    /// front end (`googleapis.com`: the credential errors).
    #[must_use]
    pub fn with_reason(self, reason: &str) -> Self {
        self.with_detail(reason, "googleapis.com", &[])
    }

    /// Adds a `google.rpc.ErrorInfo` detail of the Data Portability service itself, with this
    /// reason and metadata (beside the `service` every Google API error names).
    #[must_use]
    pub fn with_error_info(self, reason: &str, metadata: &[(&str, String)]) -> Self {
        self.with_detail(reason, "dataportability.googleapis.com", metadata)
    }

    fn with_detail(mut self, reason: &str, domain: &str, metadata: &[(&str, String)]) -> Self {
        let mut map = serde_json::Map::new();
        map.insert("service".into(), json!("dataportability.googleapis.com"));
        for (key, value) in metadata {
            map.insert((*key).to_owned(), json!(value));
        }
        self.details.push(json!({
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": reason,
            "domain": domain,
            "metadata": map,
        }));
        self
    }

    /// `INVALID_ARGUMENT`.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }

    /// `FAILED_PRECONDITION`.
    pub fn failed_precondition(message: impl Into<String>) -> Self {
        Self::new(Code::FailedPrecondition, message)
    }

    /// `NOT_FOUND`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }

    /// The `reason` of the first `google.rpc.ErrorInfo` detail, if any.
    pub fn reason(&self) -> Option<&str> {
        self.details
            .iter()
            .find(|d| d["@type"] == "type.googleapis.com/google.rpc.ErrorInfo")
            .and_then(|d| d["reason"].as_str())
    }

    /// A value of the metadata of the first `google.rpc.ErrorInfo` detail.
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.details
            .iter()
            .find(|d| d["@type"] == "type.googleapis.com/google.rpc.ErrorInfo")
            .and_then(|d| d["metadata"][key].as_str())
    }

    /// The error as Google's JSON body.
    pub fn to_json(&self) -> Value {
        let mut error = json!({
            "code": self.code.http_status().as_u16(),
            "message": self.message,
            "status": self.code.as_str(),
        });
        if !self.details.is_empty() {
            error["details"] = Value::Array(self.details.clone());
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = json_response(self.code.http_status(), &self.to_json());
        if self.code == Code::Unauthenticated {
            // RFC 6750 section 3.1: no error code when the request had no credentials;
            // `invalid_token` for an expired, revoked or unknown one, as Google sends.
            let challenge = if self.reason() == Some("CREDENTIALS_MISSING") {
                "Bearer realm=\"https://accounts.google.com/\""
            } else {
                "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""
            };
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
        }
        response
    }
}

/// A JSON response with Google's content type.
pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let text = serde_json::to_string_pretty(body).unwrap_or_else(|_| "{}".to_owned());
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        text,
    )
        .into_response()
}
