//! Google's six methods, at the paths of the Discovery document.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{custom_method, fields, parse_json};
use crate::auth;
use crate::error::{ApiError, json_response};
use crate::faults;
use crate::server::{AppState, Shared};
use crate::store::{InitiateRequest, JobView, rfc3339};

/// The routes of the API, with the fault and field-mask middleware.
pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/portabilityArchive:initiate", post(initiate))
        .route("/v1/archiveJobs/{*rest}", get(get_state).post(job_method))
        .route("/v1/authorization:reset", post(reset))
        .route("/v1/accessType:check", post(check))
        .layer(middleware::from_fn(fields::field_mask))
        .layer(middleware::from_fn_with_state(state, faults::api_faults))
}

/// `InitiatePortabilityArchiveRequest`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct InitiateBody {
    resources: Vec<String>,
    start_time: Option<DateTime<Utc>>,
    end_time: Option<DateTime<Utc>>,
}

/// The empty request messages (`RetryPortabilityArchiveRequest`, ...).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyBody {}

/// The bearer token of a request, once the store knows it (401 first, as Google checks
/// credentials before the body).
fn token<'h>(state: &Shared, headers: &'h HeaderMap) -> Result<&'h str, ApiError> {
    let token = auth::bearer(headers)?;
    state.store.authenticate(token)?;
    Ok(token)
}

async fn initiate(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let token = token(&state, &headers)?;
    let body: InitiateBody = parse_json(&body)?;
    let request = InitiateRequest {
        resources: body.resources,
        start_time: body.start_time,
        end_time: body.end_time,
    };
    let (id, access_type) = state
        .store
        .initiate(token, &request, || state.job_outcome(), state.clock.now())?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"archiveJobId": id, "accessType": access_type.as_str()}),
    ))
}

async fn get_state(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = rest
        .strip_suffix("/portabilityArchiveState")
        .filter(|id| !id.is_empty() && !id.contains('/'))
        .ok_or_else(|| not_found(&rest))?;
    let token = token(&state, &headers)?;
    let now = state.clock.now();
    let view = state.store.job(token, id, now)?;
    Ok(json_response(StatusCode::OK, &state_json(&state, &view, now)))
}

async fn job_method(
    State(state): State<AppState>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (id, verb) = custom_method(&rest).ok_or_else(|| not_found(&rest))?;
    if verb != "retry" && verb != "cancel" {
        return Err(not_found(&rest));
    }
    let token = token(&state, &headers)?;
    let EmptyBody {} = parse_json(&body)?;
    let now = state.clock.now();
    let answer = if verb == "retry" {
        let id = state.store.retry(token, id, || state.job_outcome(), now)?;
        json!({"archiveJobId": id})
    } else {
        state.store.cancel(token, id, now)?;
        json!({})
    };
    Ok(json_response(StatusCode::OK, &answer))
}

async fn reset(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let token = token(&state, &headers)?;
    let EmptyBody {} = parse_json(&body)?;
    state.store.reset(token)?;
    Ok(json_response(StatusCode::OK, &json!({})))
}

async fn check(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<Response, ApiError> {
    let token = token(&state, &headers)?;
    let EmptyBody {} = parse_json(&body)?;
    let (one_time, time_based) = state.store.access_types(token)?;
    let mut answer = json!({});
    if !one_time.is_empty() {
        answer["oneTimeResources"] = json!(one_time);
    }
    if !time_based.is_empty() {
        answer["timeBasedResources"] = json!(time_based);
    }
    Ok(json_response(StatusCode::OK, &answer))
}

/// A `PortabilityArchiveState`, with freshly signed URLs when the archive can be downloaded.
pub(crate) fn state_json(state: &Shared, view: &JobView, now: DateTime<Utc>) -> Value {
    let mut answer = json!({
        "name": format!("archiveJobs/{}/portabilityArchiveState", view.id),
        "state": view.state.as_str(),
        "exportTime": rfc3339(view.export_time),
    });
    if let Some(start) = view.start_time {
        answer["startTime"] = json!(rfc3339(start));
    }
    if let Some(period) = &view.archive {
        let urls: Vec<String> = view
            .groups
            .iter()
            .map(|group| state.signed_url(&view.id, group, period, now))
            .collect();
        answer["urls"] = json!(urls);
    }
    answer
}

fn not_found(path: &str) -> ApiError {
    ApiError::not_found(format!("Method not found: v1/archiveJobs/{path}"))
}
