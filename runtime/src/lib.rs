//! Runtime support shared by every Rust client generated from a Google Discovery document.
//!
//! Generated crates are thin: they describe each method (its HTTP verb, path template and
//! parameters) and hold typed request and response structs. Everything that does work at run
//! time lives here, once: the [`Client`] and its builder, authentication ([`TokenSource`],
//! API keys), path expansion with parameter validation, the request path with its retries
//! ([`RetryPolicy`]) and timeouts, tracing, and the one [`Error`] type.
//!
//! Generated crates re-export what their users need, so an application depends on the
//! generated crate alone.
//!
//! # Tracing
//!
//! Every call runs in one `tracing` span named `call` (at `INFO` level) with the fields
//! `method` (the Discovery method id), `attempt` (the number of the last attempt), `status`
//! (its HTTP status) and `latency_ms` (of the whole call); each attempt and each retry is a
//! `DEBUG` event in that span. Request and response bodies, URLs, tokens and API keys are
//! never recorded.
//!
//! # Untrusted servers
//!
//! A server's answer is bounded in what it can cost: its size (`max_response_bytes`, per client
//! and per call), the waits it may ask for ([`RetryPolicy::with_max_retry_after`]), the pages of
//! a list (`max_pages`, repeated tokens), duplicate keys (refused). Its words reach an error's
//! text only through [`untrusted::printable`]: escaped and cut.
//!
//! # Optional features
//!
//! - `yup-oauth2`: `YupOAuth2TokenSource`, tokens from a `yup_oauth2` authenticator
//!   (installed-app flow, authorized-user files, ...).
//! - `gcp_auth`: `GcpAuthTokenSource`, tokens from a `gcp_auth` token provider.
//!
//! Both use rustls (with `ring`), never OpenSSL.

mod attempt;
mod auth;
mod body;
mod builder;
mod call;
mod client;
mod endpoint;
mod error;
mod execute;
pub mod media;
mod method;
pub mod object;
pub mod open_enum;
mod options;
pub mod paging;
mod path;
mod pattern;
mod query;
mod retry;
mod retry_after;
pub mod untrusted;
pub mod wire;

#[cfg(feature = "gcp_auth")]
pub use auth::GcpAuthTokenSource;
#[cfg(feature = "yup-oauth2")]
pub use auth::YupOAuth2TokenSource;
pub use auth::{AccessToken, ApiKey, AuthError, BoxFuture, StaticToken, TokenSource};
pub use builder::ClientBuilder;
pub use call::{Call, MethodInfo};
pub use client::{ApiInfo, Client, RegionalEndpoint};
pub use error::{
    ApiError, ApiErrorItem, BadRequest, Error, ErrorDetail, ErrorInfo, FieldViolation, Help, HelpLink,
    LocalizedMessage, QuotaFailure, QuotaViolation, RetryInfo, TimeoutScope,
};
pub use media::{Download, Media, MediaSource, ResumableMedia, UploadInfo};
pub use method::HttpMethod;
pub use open_enum::{OpenEnum, ScopeInfo, UnknownValue};
pub use options::{DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES};
pub use path::{PathParam, PathStyle};
pub use query::QueryValue;
pub use retry::{DEFAULT_MAX_RETRY_AFTER, RetryPolicy};

/// Re-exported so generated code names a single dependency.
pub use chrono;
/// The stream trait of paged results and media downloads.
pub use futures_core::Stream;
/// Re-exported so generated code names a single dependency.
pub use reqwest;
/// Re-exported so generated code names a single dependency.
pub use serde;
/// Re-exported so generated code names a single dependency.
pub use serde_json;

/// The result type of every call.
pub type Result<T, E = Error> = std::result::Result<T, E>;
