//! The control surface under `/emulator/v1/` over plain HTTP, as tests in any language use it,
//! and Google's JSON error format on the wire.

mod common;

use common::*;
use dataportability_emulator::Emulator;
use dataportability_v1::models::portability_archive_state::State;
use serde_json::{Value, json};

async fn call(emulator: &Emulator, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{}{path}", emulator.url()));
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("a JSON body: {text}")),
    )
}

async fn post(emulator: &Emulator, path: &str, body: Value) -> (u16, Value) {
    call(emulator, reqwest::Method::POST, path, Some(body)).await
}

/// Asserts Google's error format with this status and code.
#[track_caller]
fn assert_google_error(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(answer.0, status, "{answer:?}");
    assert_eq!(answer.1["error"]["code"], status);
    assert_eq!(answer.1["error"]["status"], code);
    assert!(
        answer.1["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{answer:?}"
    );
}

#[tokio::test]
async fn tokens_are_minted_over_http() {
    let emulator = emulator().await;
    let (status, body) = post(
        &emulator,
        "emulator/v1/tokens",
        json!({"resources": [SEARCH], "accessType": "ACCESS_TYPE_TIME_BASED"}),
    )
    .await;
    assert_eq!(status, 200);
    let token = body["accessToken"].as_str().expect("accessToken");

    let answer = client(&emulator, token)
        .access_type()
        .check(Default::default())
        .send()
        .await
        .expect("check");
    assert_eq!(answer.time_based_resources, [SEARCH]);
    let (_, default_access) = post(&emulator, "emulator/v1/tokens", json!({"resources": [SEARCH]})).await;
    let token = default_access["accessToken"].as_str().expect("accessToken");
    let answer = client(&emulator, token)
        .access_type()
        .check(Default::default())
        .send()
        .await
        .expect("check");
    assert_eq!(answer.one_time_resources, [SEARCH], "one-time by default");
}

#[tokio::test]
async fn a_token_request_for_an_unknown_group_or_access_type_is_400() {
    let emulator = emulator().await;
    let unknown_group = post(&emulator, "emulator/v1/tokens", json!({"resources": ["nope.nothing"]})).await;
    assert_google_error(&unknown_group, 400, "INVALID_ARGUMENT");
    let bad_access = post(
        &emulator,
        "emulator/v1/tokens",
        json!({"resources": [SEARCH], "accessType": "FOREVER"}),
    )
    .await;
    assert_google_error(&bad_access, 400, "INVALID_ARGUMENT");
    let unknown_field = post(
        &emulator,
        "emulator/v1/tokens",
        json!({"resources": [SEARCH], "scopes": []}),
    )
    .await;
    assert_google_error(&unknown_field, 400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn jobs_are_completed_and_failed_over_http() {
    let emulator = emulator().await;
    let client = one_time_client(&emulator, &[SEARCH, YOUTUBE]);
    let done = initiate(&client, &[SEARCH]).await;
    let failed = initiate(&client, &[YOUTUBE]).await;

    let (status, body) = post(&emulator, &format!("emulator/v1/jobs/{done}:complete"), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["state"], "COMPLETE");
    assert_eq!(body["urls"].as_array().map(Vec::len), Some(1));
    let (status, body) = post(&emulator, &format!("emulator/v1/jobs/{failed}:fail"), json!({})).await;
    assert_eq!((status, body["state"].as_str()), (200, Some("FAILED")));
    assert_eq!(state_of(&client, &failed).await.state, Some(State::Failed));

    assert_google_error(
        &post(&emulator, &format!("emulator/v1/jobs/{done}:fail"), json!({})).await,
        400,
        "FAILED_PRECONDITION",
    );
    assert_google_error(
        &post(&emulator, "emulator/v1/jobs/nope:complete", json!({})).await,
        404,
        "NOT_FOUND",
    );
    assert_google_error(
        &post(&emulator, &format!("emulator/v1/jobs/{done}:explode"), json!({})).await,
        404,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn the_clock_is_advanced_over_http() {
    let emulator = emulator().await; // jobs complete after 10 minutes
    let client = one_time_client(&emulator, &[SEARCH]);
    let id = initiate(&client, &[SEARCH]).await;
    let (_, before) = call(&emulator, reqwest::Method::GET, "emulator/v1/clock", None).await;

    let (status, after) = post(&emulator, "emulator/v1/clock:advance", json!({"seconds": 600})).await;
    assert_eq!(status, 200);
    let parse = |v: &Value| {
        v["now"]
            .as_str()
            .and_then(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok())
            .expect("now")
    };
    assert!(parse(&after) - parse(&before) >= chrono::TimeDelta::seconds(600));
    assert_eq!(state_of(&client, &id).await.state, Some(State::Complete));
    assert_google_error(
        &post(&emulator, "emulator/v1/clock:advance", json!({"seconds": -5})).await,
        400,
        "INVALID_ARGUMENT",
    );
}

#[tokio::test]
async fn faults_are_set_over_http_and_spare_the_control_surface() {
    let emulator = emulator().await;
    let faults = json!({"unavailable": 2, "retryAfterSeconds": 3});
    let (status, body) = call(&emulator, reqwest::Method::PUT, "emulator/v1/faults", Some(faults)).await;
    assert_eq!(status, 200);
    assert_eq!(
        (body["unavailable"].as_u64(), body["retryAfterSeconds"].as_u64()),
        (Some(2), Some(3))
    );

    // Control calls are not faulted ...
    let (status, body) = post(&emulator, "emulator/v1/tokens", json!({"resources": [SEARCH]})).await;
    assert_eq!(status, 200);
    // ... API calls are.
    let api = reqwest::Client::new()
        .post(format!("{}v1/accessType:check", emulator.url()))
        .bearer_auth(body["accessToken"].as_str().unwrap_or_default())
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("answer");
    assert_eq!(api.status(), 503);
    let (_, left) = call(&emulator, reqwest::Method::GET, "emulator/v1/faults", None).await;
    assert_eq!(left["unavailable"], 1);
    let bad = call(
        &emulator,
        reqwest::Method::PUT,
        "emulator/v1/faults",
        Some(json!({"explode": true})),
    )
    .await;
    assert_google_error(&bad, 400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn api_errors_are_googles_json_on_the_wire() {
    let emulator = emulator().await;
    let http = reqwest::Client::new();
    let url = format!("{}v1/portabilityArchive:initiate", emulator.url());

    let response = http
        .post(&url)
        .header("content-type", "application/json")
        .body(json!({"resources": [SEARCH]}).to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(
        response.headers().get("www-authenticate").and_then(|v| v.to_str().ok()),
        Some("Bearer realm=\"https://accounts.google.com/\"")
    );
    assert_eq!(
        response.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json; charset=UTF-8")
    );
    let body: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
    assert_eq!(body["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(
        body["error"]["details"][0]["@type"],
        "type.googleapis.com/google.rpc.ErrorInfo"
    );

    let token = emulator
        .mint_token([SEARCH], dataportability_emulator::AccessType::OneTime)
        .expect("token");
    for bad in [
        "{\"resources\": [",
        "{\"resources\": [\"myactivity.search\"], \"extra\": 1}",
        "[]",
    ] {
        let response = http
            .post(&url)
            .bearer_auth(&token)
            .body(bad)
            .send()
            .await
            .expect("answer");
        let status = response.status().as_u16();
        let body: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
        assert_google_error(&(status, body), 400, "INVALID_ARGUMENT");
    }
    let wrong_method = call(&emulator, reqwest::Method::GET, "v1/portabilityArchive:initiate", None).await;
    assert_google_error(&wrong_method, 404, "NOT_FOUND");
    let unknown = call(
        &emulator,
        reqwest::Method::GET,
        "v1/archiveJobs/abc/somethingElse",
        None,
    )
    .await;
    assert_google_error(&unknown, 404, "NOT_FOUND");
}

#[tokio::test]
async fn an_advance_to_the_end_of_time_panics_nothing() {
    let emulator = emulator().await;
    let client = time_based_client(&emulator, &[SEARCH]);
    let id = initiate(&client, &[SEARCH]).await;
    let (status, _) = post(&emulator, "emulator/v1/clock:advance", json!({"seconds": 1.8e19})).await;
    assert_eq!(status, 200);
    // Every date sum saturates: the token expired, and the job reads fine with a new one.
    assert_eq!(api_error(state(&client, &id).await).0, 401);
    let client = time_based_client(&emulator, &[SEARCH]);
    assert_eq!(state_of(&client, &id).await.state, Some(State::Complete));
    initiate(&client, &[SEARCH]).await;
    let (status, _) = post(&emulator, "emulator/v1/clock:advance", json!({"seconds": 1.8e19})).await;
    assert_eq!(status, 200, "twice");
}

#[tokio::test]
async fn a_body_over_the_limit_is_googles_json_error_after_the_credentials() {
    let emulator = emulator().await;
    let huge = format!("{{\"resources\": [\"{}\"]}}", "x".repeat(2 << 20));
    let send = |token: Option<String>| {
        let mut request = reqwest::Client::new()
            .post(format!("{}v1/portabilityArchive:initiate", emulator.url()))
            .header("content-type", "application/json")
            .body(huge.clone());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.expect("an answer");
            let status = response.status().as_u16();
            let text = response.text().await.expect("body");
            (
                status,
                serde_json::from_str::<Value>(&text).unwrap_or_else(|_| panic!("JSON: {text}")),
            )
        }
    };
    assert_google_error(&send(None).await, 401, "UNAUTHENTICATED");
    let token = emulator
        .mint_token([SEARCH], dataportability_emulator::AccessType::OneTime)
        .expect("token");
    let answer = send(Some(token)).await;
    assert_google_error(&answer, 400, "INVALID_ARGUMENT");
    assert!(
        answer.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("exceeds the limit")
    );
}

#[tokio::test]
async fn jobs_are_listed_and_consent_choices_set_over_http() {
    let emulator = emulator().await;
    let token = emulator
        .mint_token([SEARCH], dataportability_emulator::AccessType::TimeBased)
        .expect("token");
    let id = initiate(&client(&emulator, &token), &[SEARCH]).await;
    let (status, body) = call(&emulator, reqwest::Method::GET, "emulator/v1/jobs", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["jobs"],
        json!([{"id": id, "user": "user@example.com", "client": "emulator-client.apps.googleusercontent.com",
                "resources": [SEARCH], "accessType": "ACCESS_TYPE_TIME_BASED", "state": "IN_PROGRESS"}])
    );

    let choices = json!({"grantedResources": [SEARCH], "accessType": "ACCESS_TYPE_TIME_BASED", "timeBasedDays": 180});
    let (status, body) = call(
        &emulator,
        reqwest::Method::PUT,
        "emulator/v1/consent",
        Some(choices.clone()),
    )
    .await;
    assert_eq!((status, &body), (200, &choices));
    assert_eq!(emulator.consent().time_based_days, Some(180));
    let (_, body) = call(&emulator, reqwest::Method::GET, "emulator/v1/consent", None).await;
    assert_eq!(body, choices);
    for bad in [
        json!({"timeBasedDays": 90}),
        json!({"grantedResources": ["nope"]}),
        json!({"x": 1}),
    ] {
        let answer = call(&emulator, reqwest::Method::PUT, "emulator/v1/consent", Some(bad)).await;
        assert_google_error(&answer, 400, "INVALID_ARGUMENT");
    }
    assert_eq!(
        emulator.consent().time_based_days,
        Some(180),
        "a refused PUT changes nothing"
    );
}

/// A web page cannot reach the control surface or the OAuth pages: not through DNS rebinding
/// (its own host name in `Host`), not with a cross-site `text/plain` POST (its `Origin`).
#[tokio::test]
async fn the_control_surface_and_oauth_pages_refuse_other_hosts_and_origins() {
    let emulator = emulator().await;
    let http = reqwest::Client::new();
    let token_body = json!({"resources": [SEARCH]}).to_string();
    let answer = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let body: Value = serde_json::from_str(&response.text().await.expect("body")).expect("JSON");
        (status, body)
    };
    let rebound = http
        .post(format!("{}emulator/v1/tokens", emulator.url()))
        .header("host", "evil.example:80")
        .header("content-type", "application/json")
        .body(token_body.clone())
        .send()
        .await
        .expect("an answer");
    let rebound = answer(rebound).await;
    assert_google_error(&rebound, 403, "PERMISSION_DENIED");
    assert!(rebound.1["error"]["message"].as_str().unwrap().contains("Host header"));

    let cross_site = http
        .post(format!("{}emulator/v1/tokens", emulator.url()))
        .header("origin", "https://evil.example")
        .header("content-type", "text/plain")
        .body(token_body.clone())
        .send()
        .await
        .expect("an answer");
    let cross_site = answer(cross_site).await;
    assert_google_error(&cross_site, 403, "PERMISSION_DENIED");
    assert!(cross_site.1["error"]["message"].as_str().unwrap().contains("Origin"));

    let page = http
        .get(format!("{}o/oauth2/v2/auth?client_id=x", emulator.url()))
        .header("host", "evil.example")
        .send()
        .await
        .expect("an answer");
    assert_eq!(page.status().as_u16(), 403);

    // The same requests from this machine are answered.
    let local = http
        .post(format!("{}emulator/v1/tokens", emulator.url()))
        .header("origin", emulator.url().trim_end_matches('/'))
        .header("content-type", "application/json")
        .body(token_body)
        .send()
        .await
        .expect("an answer");
    assert_eq!(local.status().as_u16(), 200);
}
