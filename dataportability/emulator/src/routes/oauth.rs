//! The OAuth 2.0 server at Google's paths: the authorization endpoint (which consents at once,
//! as a user who clicks "Allow"), the token endpoint, and revocation.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::TimeDelta;
use serde_json::json;

use super::read_body;
use crate::auth::{DEFAULT_USER, Principal};
use crate::error::json_response;
use crate::groups::{self, SCOPE_PREFIX};
use crate::oauth::{AUTH_PATH, Challenge, ClientType, OAuthError, REVOKE_PATH, TOKEN_PATH, no_store};
use crate::server::AppState;
use crate::store::{AuthorizeRequest, ClientCredentials, Tokens};

/// The OAuth routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(AUTH_PATH, get(authorize))
        .route(TOKEN_PATH, post(token))
        .route(REVOKE_PATH, post(revoke))
}

type Params = HashMap<String, String>;

/// `GET /o/oauth2/v2/auth`: checks the request as Google does and, since the emulated user
/// always answers the consent screen (with the choices of [`ConsentChoices`](crate::ConsentChoices)),
/// redirects to `redirect_uri` with a code. A bad client or redirect URI, a malformed
/// `access_type` or `prompt`, and `include_granted_scopes=true` are error pages (Google never
/// redirects to an unverified URI, and shows these as "Error 400"); other errors are redirects
/// with `error=` (RFC 6749 section 4.1.2.1).
async fn authorize(State(state): State<AppState>, Query(params): Query<Params>) -> Response {
    let param = |name: &str| params.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let Some((client_id, client)) = param("client_id").and_then(|id| Some((id, state.store.client(id)?))) else {
        return error_page(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        );
    };
    let Some(redirect_uri) = param("redirect_uri").filter(|uri| client.registration.accepts_redirect(uri)) else {
        let rule = match client.registration.client_type {
            ClientType::Installed => {
                "An installed app must redirect to http://localhost or http://127.0.0.1 (any port)."
            }
            ClientType::Web => {
                "The redirect URI in the request does not match the ones authorized for the OAuth client."
            }
        };
        return error_page(StatusCode::BAD_REQUEST, "redirect_uri_mismatch", rule);
    };
    // Google's Data Portability troubleshooting page: "Incremental auth is not allowed".
    if param("include_granted_scopes") == Some("true") {
        return error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Incremental auth is not allowed for the requested scopes.",
        );
    }
    let offline = match param("access_type") {
        None | Some("online") => false,
        Some("offline") => true,
        Some(other) => {
            let message = format!("Invalid access_type: {other}");
            return error_page(StatusCode::BAD_REQUEST, "invalid_request", &message);
        }
    };
    let prompts: Vec<&str> = param("prompt")
        .map(|p| p.split_whitespace().collect())
        .unwrap_or_default();
    if let Some(other) = prompts
        .iter()
        .find(|p| !matches!(**p, "none" | "consent" | "select_account"))
    {
        let message = format!("Invalid prompt: {other}");
        return error_page(StatusCode::BAD_REQUEST, "invalid_request", &message);
    }
    let choices = match state.consent.get().with_hints(param) {
        Ok(choices) => choices,
        Err(message) => return error_page(StatusCode::BAD_REQUEST, "invalid_request", &message),
    };
    let redirect_state = param("state");
    let fail = |error: &str, description: &str| {
        redirect(
            redirect_uri,
            &[("error", error), ("error_description", description)],
            redirect_state,
        )
    };
    if param("response_type") != Some("code") {
        return fail("unsupported_response_type", "response_type must be code");
    }
    let challenge = match Challenge::parse(param("code_challenge"), param("code_challenge_method")) {
        Ok(challenge) => challenge,
        Err(message) => return fail("invalid_request", &message),
    };
    let Some(scope) = param("scope") else {
        return fail("invalid_request", "Missing required parameter: scope");
    };
    let mut requested: Vec<String> = Vec::new();
    for scope in scope.split_whitespace() {
        match scope.strip_prefix(SCOPE_PREFIX).filter(|g| groups::is_known(g)) {
            Some(group) => requested.push(group.to_owned()),
            None => return fail("invalid_scope", &format!("Some requested scopes were invalid: {scope}")),
        }
    }
    let Ok(requested) = crate::store::validate_groups(&requested) else {
        return fail("invalid_scope", "No Data Portability scope was requested");
    };
    // The user may untick scopes ("Configure OAuth": partial consent); unticking all is a denial.
    let groups = choices.allowed(&requested);
    if groups.is_empty() {
        return fail(
            "access_denied",
            "The user did not grant access to any of the requested scopes",
        );
    }
    let scope_text = groups
        .iter()
        .map(|g| format!("{SCOPE_PREFIX}{g}"))
        .collect::<Vec<_>>()
        .join(" ");
    let request = AuthorizeRequest {
        principal: Principal {
            user: param("login_hint").unwrap_or(DEFAULT_USER).to_owned(),
            client: client_id.to_owned(),
        },
        groups,
        access_type: choices.access_type.unwrap_or(state.config.consent_access_type),
        time_based_length: choices.time_based_days.map(|days| TimeDelta::days(i64::from(days))),
        redirect_uri: redirect_uri.to_owned(),
        challenge,
        offline,
        prompt_consent: prompts.contains(&"consent"),
    };
    let code = state.store.authorize(request, state.clock.now());
    redirect(redirect_uri, &[("code", &code), ("scope", &scope_text)], redirect_state)
}

/// A 302 to `uri` with `params` (and `state`) added to its query, as Google answers.
fn redirect(uri: &str, params: &[(&str, &str)], state: Option<&str>) -> Response {
    let mut all: Vec<(&str, &str)> = params.to_vec();
    if let Some(state) = state {
        all.push(("state", state));
    }
    let query = serde_urlencoded::to_string(&all).unwrap_or_default();
    let separator = if uri.contains('?') { '&' } else { '?' };
    let location = format!("{uri}{separator}{query}");
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// The page Google shows instead of redirecting ("Error 400: redirect_uri_mismatch").
fn error_page(status: StatusCode, error: &str, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><title>Error {code}: {error}</title></head><body>\
         <h1>Access blocked: authorization error</h1><p>{message}</p><p>Error {code}: {error}</p></body></html>",
        code = status.as_u16()
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// `POST /token` (form-encoded): the `authorization_code` and `refresh_token` grants. The
/// client authenticates with `client_id` and `client_secret` in the body or HTTP Basic.
async fn token(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    match token_grant(&state, &headers, body).await {
        Ok((tokens, with_refresh)) => no_store(json_response(StatusCode::OK, &tokens_json(&tokens, with_refresh))),
        Err(error) => error.into_response(),
    }
}

async fn token_grant(state: &AppState, headers: &HeaderMap, body: Body) -> Result<(Tokens, bool), OAuthError> {
    let form = read_form(state, body).await?;
    let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let client = client_credentials(headers, &form)?;
    let now = state.clock.now();
    match field("grant_type") {
        Some("authorization_code") => {
            let code = field("code").ok_or_else(|| OAuthError::invalid_request("Missing required parameter: code"))?;
            let (tokens, with_refresh) =
                state
                    .store
                    .exchange_code(&client, code, field("redirect_uri"), field("code_verifier"), now)?;
            Ok((tokens, with_refresh))
        }
        Some("refresh_token") => {
            let refresh = field("refresh_token")
                .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: refresh_token"))?;
            Ok((state.store.refresh(&client, refresh, now)?, false))
        }
        Some(other) => Err(OAuthError::unsupported_grant_type(other)),
        None => Err(OAuthError::invalid_request("Missing required parameter: grant_type")),
    }
}

/// Google's token response; a refresh answers no new refresh token (nor does an online web
/// consent).
fn tokens_json(tokens: &Tokens, with_refresh: bool) -> serde_json::Value {
    let mut answer = json!({
        "access_token": tokens.access_token,
        "expires_in": tokens.expires_in,
        "scope": tokens.scope,
        "token_type": "Bearer",
    });
    if with_refresh {
        answer["refresh_token"] = json!(tokens.refresh_token);
    }
    if let Some(seconds) = tokens.refresh_token_expires_in {
        answer["refresh_token_expires_in"] = json!(seconds);
    }
    answer
}

/// `POST /revoke` with `token=` in the form body or the query: revokes the consent of an
/// access or refresh token.
async fn revoke(State(state): State<AppState>, Query(query): Query<Params>, body: Body) -> Response {
    let outcome = async {
        let form = read_form(&state, body).await?;
        let token = form
            .get("token")
            .or_else(|| query.get("token"))
            .filter(|t| !t.is_empty())
            .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: token"))?;
        state.store.revoke(token)
    };
    match outcome.await {
        Ok(()) => no_store(json_response(StatusCode::OK, &json!({}))),
        Err(error) => error.into_response(),
    }
}

async fn read_form(state: &AppState, body: Body) -> Result<Params, OAuthError> {
    let bytes = read_body(body, &state.config)
        .await
        .map_err(|e| OAuthError::invalid_request(e.message))?;
    serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| OAuthError::invalid_request(format!("The body is not a form: {e}")))
}

/// The client's credentials: HTTP Basic, else the form's `client_id` and `client_secret`.
fn client_credentials(headers: &HeaderMap, form: &Params) -> Result<ClientCredentials, OAuthError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let basic = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| STANDARD.decode(b.trim()).ok())
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(OAuthError::invalid_client)?;
        let (id, secret) = basic.split_once(':').ok_or_else(OAuthError::invalid_client)?;
        return Ok(ClientCredentials {
            id: id.to_owned(),
            secret: secret.to_owned(),
        });
    }
    match (form.get("client_id"), form.get("client_secret")) {
        (Some(id), Some(secret)) => Ok(ClientCredentials {
            id: id.clone(),
            secret: secret.clone(),
        }),
        _ => Err(OAuthError::invalid_client()),
    }
}
