//! The emulator's own control surface under `/emulator/v1/`.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::json;

use super::api::state_json;
use super::{custom_method, parse_json, read_body};
use crate::auth::{AccessType, DEFAULT_CLIENT, DEFAULT_USER, Principal};
use crate::consent::ConsentChoices;
use crate::error::{ApiError, json_response};
use crate::faults::Faults;
use crate::oauth::{ClientRegistration, client_secret_json};
use crate::server::{AppState, Shared};
use crate::store::rfc3339;

/// The control routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/emulator/v1/tokens", post(mint_token))
        .route("/emulator/v1/clientSecret", get(client_secret))
        .route("/emulator/v1/clients", post(register_client))
        .route("/emulator/v1/jobs", get(list_jobs))
        .route("/emulator/v1/jobs/{*rest}", post(move_job))
        .route("/emulator/v1/consent", put(set_consent).get(consent))
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
    client: Option<String>,
}

/// `POST /emulator/v1/clock:advance`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AdvanceBody {
    seconds: f64,
}

/// A control request's body, at most the configured size.
async fn body_of(state: &Shared, body: Body) -> Result<Bytes, ApiError> {
    read_body(body, &state.config).await
}

async fn mint_token(State(state): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let body: TokenBody = parse_json(&body_of(&state, body).await?)?;
    let principal = Principal {
        user: body.user.unwrap_or_else(|| DEFAULT_USER.to_owned()),
        client: body.client.unwrap_or_else(|| DEFAULT_CLIENT.to_owned()),
    };
    let access_type = body.access_type.unwrap_or(AccessType::OneTime);
    let tokens = state
        .store
        .mint(&principal, &body.resources, access_type, state.clock.now())?;
    let mut answer = json!({
        "accessToken": tokens.access_token,
        "tokenType": "Bearer",
        "expiresIn": tokens.expires_in,
        "refreshToken": tokens.refresh_token,
        "client": principal.client,
    });
    if let Some(seconds) = tokens.refresh_token_expires_in {
        answer["refreshTokenExpiresIn"] = json!(seconds);
    }
    Ok(json_response(StatusCode::OK, &answer))
}

/// `GET /emulator/v1/clientSecret`: the installed-app client secret JSON of the default client.
async fn client_secret(State(state): State<AppState>) -> Response {
    let secret = state.store.client(DEFAULT_CLIENT).map(|c| c.secret).unwrap_or_default();
    json_response(
        StatusCode::OK,
        &client_secret_json(&state.base_url, DEFAULT_CLIENT, &secret, &ClientRegistration::default()),
    )
}

/// `POST /emulator/v1/clients` (`{}`, or `{"type": "web", "redirectUris": [...],
/// "publishingStatus": "TESTING"}`): registers another OAuth client; answers its client secret
/// JSON.
async fn register_client(State(state): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let registration: ClientRegistration = parse_json(&body_of(&state, body).await?)?;
    let (id, secret) = state.store.register_client(registration.clone())?;
    Ok(json_response(
        StatusCode::OK,
        &client_secret_json(&state.base_url, &id, &secret, &registration),
    ))
}

/// `PUT /emulator/v1/consent`: what the emulated user chooses on every later consent screen.
async fn set_consent(State(state): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let choices: ConsentChoices = parse_json(&body_of(&state, body).await?)?;
    choices.validate().map_err(ApiError::invalid_argument)?;
    state.consent.set(choices);
    Ok(json_response(StatusCode::OK, &json!(state.consent.get())))
}

async fn consent(State(state): State<AppState>) -> Response {
    json_response(StatusCode::OK, &json!(state.consent.get()))
}

/// `GET /emulator/v1/jobs`: every job, oldest first.
async fn list_jobs(State(state): State<AppState>) -> Response {
    let jobs: Vec<_> = state
        .store
        .jobs(state.clock.now())
        .into_iter()
        .map(|job| {
            json!({
                "id": job.id,
                "user": job.user,
                "client": job.client,
                "resources": job.groups,
                "accessType": job.access_type.as_str(),
                "state": job.state.as_str(),
            })
        })
        .collect();
    json_response(StatusCode::OK, &json!({ "jobs": jobs }))
}

async fn move_job(State(state): State<AppState>, Path(rest): Path<String>, body: Body) -> Result<Response, ApiError> {
    let EmptyBody {} = parse_json(&body_of(&state, body).await?)?;
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

async fn advance_clock(State(state): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let body: AdvanceBody = parse_json(&body_of(&state, body).await?)?;
    let by = Duration::try_from_secs_f64(body.seconds).map_err(|_| {
        ApiError::invalid_argument(format!("seconds must be a non-negative number, not {}", body.seconds))
    })?;
    let now = state.clock.advance(by);
    Ok(json_response(StatusCode::OK, &json!({"now": rfc3339(now)})))
}

async fn clock(State(state): State<AppState>) -> Response {
    json_response(StatusCode::OK, &json!({"now": rfc3339(state.clock.now())}))
}

async fn set_faults(State(state): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let faults: Faults = parse_json(&body_of(&state, body).await?)?;
    state.faults.set(faults);
    Ok(json_response(StatusCode::OK, &json!(state.faults.get())))
}

async fn faults(State(state): State<AppState>) -> Response {
    json_response(StatusCode::OK, &json!(state.faults.get()))
}
