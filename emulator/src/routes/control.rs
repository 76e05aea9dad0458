//! The emulator's own control surface under `/emulator/v1/`.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;

use super::api::state_json;
use super::{custom_method, parse_json};
use crate::auth::{AccessType, DEFAULT_USER};
use crate::error::{ApiError, json_response};
use crate::faults::Faults;
use crate::server::AppState;
use crate::store::rfc3339;

/// The control routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/emulator/v1/tokens", post(mint_token))
        .route("/emulator/v1/jobs/{*rest}", post(move_job))
        .route("/emulator/v1/clock:advance", post(advance_clock))
        .route("/emulator/v1/clock", get(clock))
        .route("/emulator/v1/faults", put(set_faults).get(faults))
}

/// `POST /emulator/v1/tokens`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct TokenBody {
    resources: Vec<String>,
    access_type: Option<AccessType>,
    user: Option<String>,
}

/// `POST /emulator/v1/clock:advance`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AdvanceBody {
    seconds: f64,
}

async fn mint_token(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body: TokenBody = parse_json(&body)?;
    let user = body.user.as_deref().unwrap_or(DEFAULT_USER);
    let token = state
        .store
        .mint(user, &body.resources, body.access_type.unwrap_or(AccessType::OneTime))?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"accessToken": token, "tokenType": "Bearer"}),
    ))
}

async fn move_job(State(state): State<AppState>, Path(rest): Path<String>, body: Bytes) -> Result<Response, ApiError> {
    let EmptyBody {} = parse_json(&body)?;
    let not_found = || {
        ApiError::not_found(format!(
            "No control method at /emulator/v1/jobs/{rest}: use {{id}}:complete or {{id}}:fail"
        ))
    };
    let (id, verb) = custom_method(&rest).ok_or_else(not_found)?;
    let now = state.clock.now();
    let view = match verb {
        "complete" => state.store.complete(id, now)?,
        "fail" => state.store.fail(id, now)?,
        _ => return Err(not_found()),
    };
    Ok(json_response(StatusCode::OK, &state_json(&state, &view, now)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyBody {}

async fn advance_clock(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let body: AdvanceBody = parse_json(&body)?;
    let by = Duration::try_from_secs_f64(body.seconds).map_err(|_| {
        ApiError::invalid_argument(format!("seconds must be a non-negative number, not {}", body.seconds))
    })?;
    let now = state.clock.advance(by);
    Ok(json_response(StatusCode::OK, &json!({"now": rfc3339(now)})))
}

async fn clock(State(state): State<AppState>) -> Response {
    json_response(StatusCode::OK, &json!({"now": rfc3339(state.clock.now())}))
}

async fn set_faults(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let faults: Faults = parse_json(&body)?;
    state.faults.set(faults);
    Ok(json_response(StatusCode::OK, &json!(state.faults.get())))
}

async fn faults(State(state): State<AppState>) -> Response {
    json_response(StatusCode::OK, &json!(state.faults.get()))
}
