//! The middleware that applies injected faults to the API routes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ApiError, Code};
use crate::faults::Rejection;
use crate::server::AppState;

/// Middleware of the API routes: delay, then maybe reject, then maybe truncate the answer.
pub(crate) async fn api_faults(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let faults = &state.faults;
    let delay = faults.delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match faults.take_rejection() {
        Some(Rejection::Unavailable) => {
            return ApiError::new(Code::Unavailable, "The service is currently unavailable.").into_response();
        }
        Some(Rejection::RateLimited { retry_after }) => {
            let mut response = ApiError::new(
                Code::ResourceExhausted,
                "Quota exceeded: too many requests, retry later.",
            )
            .with_reason("RATE_LIMIT_EXCEEDED")
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            return response;
        }
        None => {}
    }
    let response = next.run(request).await;
    if response.status().is_success() {
        state.api_successes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    if response.status().is_success() && faults.take_truncation() {
        truncate(response).await
    } else {
        response
    }
}

/// The response with the first half of its body only.
async fn truncate(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => return ApiError::new(Code::Internal, error.to_string()).into_response(),
    };
    let cut = bytes.slice(..bytes.len() / 2);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(cut.len()));
    Response::from_parts(parts, Body::from(cut))
}
