//! The HTTP surface: Google's API paths, the signed archive URLs, the OAuth server, and the
//! control surface; and the router that serves them.

pub(crate) mod api;
pub(crate) mod control;
mod fault_layer;
mod fields;
mod local_only;
mod oauth;
mod range;
pub(crate) mod storage;

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::config::EmulatorConfig;
use crate::error::{ApiError, Code};
use crate::server::AppState;

/// Every route of the emulator. A handler that panics (a bug) answers Google's 500 JSON
/// instead of dropping the connection.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes(Arc::clone(&state)))
        .merge(local_only_routes())
        .merge(storage::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .with_state(state)
}

/// The control surface and the OAuth pages, behind the `Host`/`Origin` check of
/// [`local_only`](local_only::local_only).
fn local_only_routes() -> Router<AppState> {
    Router::new()
        .merge(control::routes())
        .merge(oauth::routes())
        .route_layer(axum::middleware::from_fn(local_only::local_only))
}

async fn not_found() -> Response {
    ApiError::not_found("The requested URL was not found on this server.").into_response()
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::new(Code::Internal, "Internal error encountered.").into_response()
}

/// Reads a request body of at most `config.body_limit` bytes, within `config.body_timeout`.
/// Handlers call it after checking the credentials, so a request without them is 401 whatever
/// its size, and a body over the limit is Google's 400 JSON error (our reading of the
/// documented "Request payload size exceeds the limit" error of Google's front end), not a
/// plain-text 413.
pub(crate) async fn read_body(body: Body, config: &EmulatorConfig) -> Result<Bytes, ApiError> {
    let limit = config.body_limit;
    let read = tokio::time::timeout(config.body_timeout, axum::body::to_bytes(body, limit));
    let Ok(read) = read.await else {
        return Err(ApiError::invalid_argument(format!(
            "The request body was not received within {:?}.",
            config.body_timeout
        )));
    };
    read.map_err(|error| {
        let too_large =
            std::error::Error::source(&error).is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if too_large {
            ApiError::invalid_argument(format!("Request payload size exceeds the limit: {limit} bytes."))
        } else {
            ApiError::invalid_argument(format!("The request body could not be read: {error}"))
        }
    })
}

/// Parses a JSON request body; an empty body is the empty message (`{}`).
pub(crate) fn parse_json<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::invalid_argument(format!("Invalid JSON payload received. {e}")))
}

/// Splits `id:verb` (the last path segment of a custom method).
pub(crate) fn custom_method(segment: &str) -> Option<(&str, &str)> {
    segment
        .rsplit_once(':')
        .filter(|(id, verb)| !id.is_empty() && !id.contains('/') && !verb.is_empty())
}
