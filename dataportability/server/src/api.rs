//! The app's API: JSON over HTTP, every `/v1/` endpoint behind the bearer API key; the OAuth
//! callback, `/healthz` and `/metrics` aside. Every answer is JSON; an error is
//! `{"error": {"code": STATUS, "message": "..."}}` with one message.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use dataportability_export::time_range::rfc3339;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::app::App;
use crate::crypto::{random_hex, sha256_hex};
use crate::metrics::{api_outcome, oauth_outcome};
use crate::oauth::{OAuthError, SCOPE_PREFIX, pkce};
use crate::store::{ConnectionStatus, Consent, NewConnection};

/// How long a consent `state` stays usable.
const STATE_LIFETIME: Duration = Duration::from_secs(3600);

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    fn not_found(id: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("no connection {id:?}"))
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(error: crate::store::StoreError) -> Self {
        tracing::error!(%error, "the database failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the database failed; see the service's log",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.status.as_u16(), "message": self.message}});
        (self.status, axum::Json(body)).into_response()
    }
}

/// The router.
pub fn router(app: Arc<App>) -> Router {
    let v1 = Router::new()
        .route("/v1/connections", axum::routing::post(create_connection))
        .route("/v1/connections/{id}", get(get_connection).delete(delete_connection))
        .route("/v1/events", get(events))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&app), require_key));
    Router::new()
        .merge(v1)
        .route("/oauth/callback", get(callback))
        .route("/healthz", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/metrics", get(metrics))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such endpoint") })
        .with_state(app)
}

/// The router of a process in the `work` role only: `/healthz` and `/metrics`.
pub fn ops_router(app: Arc<App>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/metrics", get(metrics))
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "no such endpoint (a worker process)") })
        .with_state(app)
}

/// Refuses a request without the API key (`Authorization: Bearer KEY`), comparing in constant
/// time.
async fn require_key(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let expected = app.api_key.as_bytes();
    let same = presented.len() == expected.len()
        && presented.bytes().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !same {
        let mut response = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "a valid API key is required: Authorization: Bearer KEY",
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    next.run(request).await
}

/// `POST /v1/connections`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateConnection {
    user_ref: String,
    groups: Vec<String>,
    #[serde(default)]
    return_url: Option<String>,
    /// The user's Google account, when the app knows it (`login_hint` of the consent URL).
    #[serde(default)]
    login_hint: Option<String>,
}

/// Reads a JSON body, naming the field at fault.
fn read_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            ApiError::bad_request(format!("the body is not valid JSON for this request: {inner}"))
        } else {
            ApiError::bad_request(format!("field {path}: {inner}"))
        }
    })
}

fn is_group(group: &str) -> bool {
    dataportability_v1::Scope::ALL
        .iter()
        .any(|s| s.as_str().strip_prefix(SCOPE_PREFIX) == Some(group))
}

async fn create_connection(State(app): State<Arc<App>>, body: Bytes) -> Result<Response, ApiError> {
    let request: CreateConnection = read_body(&body)?;
    if request.user_ref.trim().is_empty() || request.user_ref.len() > 256 {
        return Err(ApiError::bad_request("field userRef: 1 to 256 characters"));
    }
    if request.groups.is_empty() {
        return Err(ApiError::bad_request("field groups: at least one resource group"));
    }
    let mut groups = Vec::new();
    for (index, group) in request.groups.iter().enumerate() {
        if !is_group(group) {
            return Err(ApiError::bad_request(format!(
                "field groups[{index}]: {:?} is not a Data Portability resource group",
                crate::worker::printable(group)
            )));
        }
        if !groups.contains(group) {
            groups.push(group.clone());
        }
    }
    if let Some(url) = &request.return_url {
        let parsed = url::Url::parse(url).map_err(|e| ApiError::bad_request(format!("field returnUrl: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ApiError::bad_request("field returnUrl: must be an http or https URL"));
        }
    }
    let now = app.now();
    let id = format!("c_{}", random_hex(12));
    let state = random_hex(24);
    let (verifier, challenge) = pkce();
    let connection = NewConnection {
        id: id.clone(),
        user_ref: request.user_ref,
        groups: groups.clone(),
        return_url: request.return_url,
        created_at: rfc3339(now),
    };
    let expires = App::later(now, STATE_LIFETIME).timestamp_millis();
    app.store
        .create_connection(&connection, &sha256_hex(&state), &verifier, expires)
        .await?;
    if request
        .login_hint
        .as_ref()
        .is_some_and(|h| h.is_empty() || h.len() > 256)
    {
        return Err(ApiError::bad_request("field loginHint: 1 to 256 characters"));
    }
    let url = app
        .oauth
        .consent_url(&groups, &state, &challenge, request.login_hint.as_deref());
    let body = json!({"id": id, "consentUrl": url, "status": ConnectionStatus::PendingConsent});
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// `GET /oauth/callback`.
#[derive(Debug, Deserialize)]
struct Callback {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(app): State<Arc<App>>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    let query = Callback {
        state: query.get("state").cloned(),
        code: query.get("code").cloned(),
        error: query.get("error").cloned(),
    };
    let state = query
        .state
        .ok_or_else(|| ApiError::bad_request("parameter state: missing"))?;
    let now = app.now();
    let Some((id, verifier)) = app
        .store
        .take_state(&sha256_hex(&state), now.timestamp_millis())
        .await?
    else {
        return Err(ApiError::bad_request(
            "parameter state: unknown, expired or already used; start the consent again",
        ));
    };
    let connection = app
        .store
        .connection(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(&id))?;
    let back = |extra: &[(&str, &str)]| -> Response {
        match &connection.return_url {
            Some(url) => {
                let mut url =
                    url::Url::parse(url).unwrap_or_else(|_| url::Url::parse("http://127.0.0.1/").expect("a URL"));
                url.query_pairs_mut().append_pair("connection", &id);
                for (k, v) in extra {
                    url.query_pairs_mut().append_pair(k, v);
                }
                let mut response = (StatusCode::SEE_OTHER, axum::Json(json!({"id": id}))).into_response();
                if let Ok(location) = HeaderValue::from_str(url.as_str()) {
                    response.headers_mut().insert(header::LOCATION, location);
                }
                response
            }
            None => {
                let mut body = json!({"id": id});
                for (k, v) in extra {
                    body[*k] = json!(v);
                }
                axum::Json(body).into_response()
            }
        }
    };
    if let Some(error) = query.error {
        let error = crate::worker::printable(&error);
        return Ok(back(&[("error", &error)]));
    }
    let code = query
        .code
        .ok_or_else(|| ApiError::bad_request("parameter code: missing"))?;
    let tokens = app.oauth.exchange(&code, &verifier).await;
    app.metrics.google_call("token", oauth_outcome(&tokens));
    let tokens = tokens.map_err(|e| match e {
        OAuthError::InvalidGrant(_) => ApiError::bad_request("parameter code: Google refused the code (invalid_grant)"),
        other => ApiError::new(StatusCode::BAD_GATEWAY, other.to_string()),
    })?;
    let Some(refresh) = tokens.refresh_token.clone() else {
        return Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            "Google answered no refresh token (offline access was not granted)",
        ));
    };
    let granted: Vec<String> = tokens
        .granted_groups()
        .into_iter()
        .filter(|g| connection.groups.contains(g))
        .collect();
    let access_type = access_type(&app, &tokens.access_token, &granted).await;
    let grant_end = tokens
        .refresh_token_expires_in
        .and_then(|s| u64::try_from(s).ok())
        .map(|s| rfc3339(App::later(now, Duration::from_secs(s))));
    let consent = Consent {
        granted,
        access_type,
        grant_end,
        sealed: app.keys.seal(&id, &refresh),
        now: rfc3339(now),
        now_ms: now.timestamp_millis(),
    };
    app.store.consented(&id, &consent).await?;
    let lifetime = Duration::from_secs(u64::try_from(tokens.expires_in.saturating_sub(60)).unwrap_or(0));
    app.tokens
        .lock()
        .await
        .insert(id.clone(), (tokens.access_token.clone(), App::later(now, lifetime)));
    app.wake.notify_one();
    Ok(back(&[]))
}

/// `accessType:check` for the granted groups: `ACCESS_TYPE_TIME_BASED` when every group is
/// time-based (the reference: "Jobs initiated with this token will be time-based if all
/// requested resources have time-based access").
async fn access_type(app: &App, token: &str, groups: &[String]) -> Option<String> {
    let client = dataportability_v1::Client::builder()
        .endpoint(&app.api_url)
        .http_client(app.http.clone())
        .token_source(dataportability_v1::StaticToken::new(token.to_owned()))
        .build()
        .ok()?;
    let answer = client
        .access_type()
        .check(dataportability_v1::models::CheckAccessTypeRequest::default())
        .send()
        .await;
    app.metrics.google_call("accessType.check", api_outcome(&answer));
    let answer = answer.ok()?;
    let all_time_based = !groups.is_empty()
        && groups.iter().all(|g| {
            answer
                .time_based_resources
                .iter()
                .any(|t| t == g || t.ends_with(&format!(".{g}")))
        });
    Some(
        if all_time_based {
            "ACCESS_TYPE_TIME_BASED"
        } else {
            "ACCESS_TYPE_ONE_TIME"
        }
        .to_owned(),
    )
}

/// One group of `GET /v1/connections/{id}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GroupView {
    group: String,
    granted: bool,
    status: crate::store::Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_export_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_export_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_export_allowed_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_error: Option<String>,
    archives: Vec<crate::store::Archive>,
}

async fn get_connection(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let connection = app
        .store
        .connection(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(&id))?;
    let items = app.store.items(&id).await?;
    let archives = app.store.archives(&id).await?;
    let groups: Vec<GroupView> = items
        .into_iter()
        .map(|item| GroupView {
            archives: archives.iter().filter(|a| a.group == item.group).cloned().collect(),
            job: item
                .job_id
                .clone()
                .filter(|_| !matches!(item.status, crate::store::Status::Done | crate::store::Status::Due))
                .map(|job| json!({"id": job, "state": item.job_state})),
            group: item.group,
            granted: item.granted,
            status: item.status,
            last_export_at: item.last_export_at,
            last_export_time: item.last_export_time,
            next_export_allowed_at: item.next_allowed_at,
            last_error: item.last_error,
        })
        .collect();
    let mut body = serde_json::to_value(&connection).unwrap_or_default();
    body["groupStates"] = serde_json::to_value(groups).unwrap_or_default();
    Ok(axum::Json(body).into_response())
}

async fn delete_connection(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    let delete_archives = match query.get("deleteArchives").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::bad_request("parameter deleteArchives: true or false")),
    };
    let connection = app
        .store
        .connection(&id)
        .await?
        .ok_or_else(|| ApiError::not_found(&id))?;
    let mut reset = "no grant";
    if let Some(sealed) = app.store.grant(&id).await? {
        let refresh = app
            .keys
            .open(&id, &sealed)
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        reset = "failed";
        let refreshed = app.oauth.refresh(&refresh).await;
        app.metrics.google_call("refresh", oauth_outcome(&refreshed));
        if let Ok(tokens) = refreshed {
            let client = dataportability_v1::Client::builder()
                .endpoint(&app.api_url)
                .http_client(app.http.clone())
                .token_source(dataportability_v1::StaticToken::new(tokens.access_token))
                .build()
                .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            let request = dataportability_v1::models::ResetAuthorizationRequest::default();
            let answer = client.authorization().reset(request).send().await;
            app.metrics.google_call("authorization.reset", api_outcome(&answer));
            if answer.is_ok() {
                reset = "reset";
            }
        }
        let revoked = app.oauth.revoke(&refresh).await;
        app.metrics.google_call("revoke", oauth_outcome(&revoked));
        if revoked.is_err() && reset == "failed" {
            return Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                "Google could not be reached to reset and revoke the grant; nothing was deleted, try again",
            ));
        }
    }
    app.tokens.lock().await.remove(&id);
    app.store.end(&id, delete_archives, &rfc3339(app.now())).await?;
    if delete_archives {
        app.sink
            .delete_prefix(&connection.id)
            .await
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("deleting the archives: {e}")))?;
    }
    Ok(
        axum::Json(json!({"id": id, "status": "ended", "authorization": reset, "archivesDeleted": delete_archives}))
            .into_response(),
    )
}

async fn events(
    State(app): State<Arc<App>>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Result<Response, ApiError> {
    let number = |name: &str, default: i64, max: i64| -> Result<i64, ApiError> {
        match query.get(name) {
            None => Ok(default),
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=max).contains(n))
                .ok_or_else(|| ApiError::bad_request(format!("parameter {name}: a whole number from 0 to {max}"))),
        }
    };
    let after = number("after", 0, i64::MAX)?;
    let limit = number("limit", 100, 1000)?;
    let events = app.store.events(after, limit).await?;
    let next = events.last().map_or(after, |e| e.seq);
    Ok(axum::Json(json!({"events": events, "next": next.to_string()})).into_response())
}

async fn metrics(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let counts = app.store.counts().await?;
    let text = crate::metrics::render(&app.metrics, app.store.as_ref(), &counts);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    Ok((headers, text).into_response())
}
