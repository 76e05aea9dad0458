//! Google's six methods, at the paths of the Discovery document.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{custom_method, fault_layer, fields, parse_json, read_body};
use crate::auth;
use crate::error::{ApiError, Code, json_response};
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
        .layer(middleware::from_fn_with_state(state, fault_layer::api_faults))
}

/// `InitiatePortabilityArchiveRequest`. As every Google API (the proto3 JSON mapping: "parsers
/// accept both the lowerCamelCase name and the original proto field name"), `startTime` may be
/// spelled `start_time`, as Google's sample client sends it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct InitiateBody {
    resources: Vec<String>,
    #[serde(alias = "start_time")]
    start_time: Option<DateTime<Utc>>,
    #[serde(alias = "end_time")]
    end_time: Option<DateTime<Utc>>,
}

/// The empty request messages (`RetryPortabilityArchiveRequest`, ...).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyBody {}

/// The bearer token of a request, once the store knows it and it has not expired (401
/// first, as Google checks credentials before the body).
fn token<'h>(state: &Shared, headers: &'h HeaderMap) -> Result<&'h str, ApiError> {
    let token = auth::bearer(headers)?;
    state.store.authenticate(token, state.clock.now())?;
    Ok(token)
}

/// The credentials, then the JSON body (at most the configured size).
async fn authenticated<'h, T: serde::de::DeserializeOwned + Default>(
    state: &Shared,
    headers: &'h HeaderMap,
    body: Body,
) -> Result<(&'h str, T), ApiError> {
    let token = token(state, headers)?;
    let bytes = read_body(body, &state.config).await?;
    Ok((token, parse_json(&bytes)?))
}

async fn initiate(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let (token, body): (_, InitiateBody) = authenticated(&state, &headers, body).await?;
    let request = InitiateRequest {
        resources: body.resources,
        start_time: body.start_time,
        end_time: body.end_time,
    };
    let (id, access_type) = state
        .store
        .initiate(token, &request, || state.job_outcome(), state.clock.now())?;
    if state.faults.take_held_initiate() {
        // The job exists; its answer never leaves (until the emulator stops).
        state.until_stopped().await;
        return Err(ApiError::new(Code::Unavailable, "The emulator stopped."));
    }
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
    body: Body,
) -> Result<Response, ApiError> {
    let (id, verb) = custom_method(&rest).ok_or_else(|| not_found(&rest))?;
    if verb != "retry" && verb != "cancel" {
        return Err(not_found(&rest));
    }
    let (token, EmptyBody {}) = authenticated(&state, &headers, body).await?;
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

async fn reset(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let (token, EmptyBody {}) = authenticated(&state, &headers, body).await?;
    state.store.reset(token, state.clock.now())?;
    Ok(json_response(StatusCode::OK, &json!({})))
}

async fn check(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let (token, EmptyBody {}) = authenticated(&state, &headers, body).await?;
    let (one_time, time_based) = state.store.access_types(token, state.clock.now())?;
    let mut answer = json!({});
    if !one_time.is_empty() {
        answer["oneTimeResources"] = json!(one_time);
    }
    if !time_based.is_empty() {
        answer["timeBasedResources"] = json!(time_based);
    }
    Ok(json_response(StatusCode::OK, &answer))
}

/// A `PortabilityArchiveState`, with freshly signed URLs when the archive can be downloaded
/// (one per file: `--files-per-archive` files per group).
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
            .flat_map(|group| state.signed_urls(&view.id, group, period, now))
            .collect();
        answer["urls"] = json!(urls);
    }
    answer
}

fn not_found(path: &str) -> ApiError {
    ApiError::not_found(format!("Method not found: v1/archiveJobs/{path}"))
}
