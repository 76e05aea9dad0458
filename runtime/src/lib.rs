//! Runtime support shared by every Rust client generated from a Google Discovery document.
//!
//! Generated crates are thin: they describe each method (its HTTP verb, path template and
//! parameters) and hold typed request and response structs. Everything that does work at run
//! time lives here, once: the [`Client`] and its builder, authentication ([`TokenSource`]),
//! path expansion with parameter validation, the request path, and the one [`Error`] type.
//!
//! Generated crates re-export what their users need, so an application depends on the
//! generated crate alone.

mod auth;
mod call;
mod client;
mod error;
pub mod paging;
mod path;
mod query;
pub mod wire;

pub use auth::{AccessToken, AuthError, BoxFuture, StaticToken, TokenSource};
pub use call::{Call, HttpMethod, MethodInfo};
pub use client::{ApiInfo, Client, ClientBuilder};
pub use error::{ApiError, ApiErrorItem, Error};
pub use path::{PathParam, PathStyle};
pub use query::QueryValue;

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
