//! The generated Data Portability client against a recording HTTP server on 127.0.0.1: the
//! exact request each of the six methods sends, and how responses and errors decode.

use dataportability_v1::models::initiate_portability_archive_response::AccessType;
use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::models::{
    CancelPortabilityArchiveRequest, CheckAccessTypeRequest, InitiatePortabilityArchiveRequest,
    ResetAuthorizationRequest, RetryPortabilityArchiveRequest,
};
use dataportability_v1::prelude::*;
use dataportability_v1::{Client, Error, StaticToken};
use serde_json::json;
use tests::RecordingServer;

const TOKEN: &str = "ya29.test-token";

async fn setup() -> (RecordingServer, Client) {
    let server = RecordingServer::start().await.expect("server starts");
    let client = Client::builder()
        .endpoint(server.url())
        .token_source(StaticToken::new(TOKEN))
        .build()
        .expect("client builds");
    (server, client)
}

fn assert_authorized_json(request: &tests::RecordedRequest) {
    assert_eq!(request.header("authorization"), Some("Bearer ya29.test-token"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    let agent = request.header("user-agent").unwrap_or_default();
    assert!(agent.starts_with("dataportability-v1/0.1.0"), "{agent}");
}

#[tokio::test]
async fn access_type_check() {
    let (server, client) = setup().await;
    server.respond(
        200,
        r#"{"oneTimeResources": ["myactivity.search"], "timeBasedResources": ["chrome.history"]}"#,
    );

    let response = client
        .access_type()
        .check(CheckAccessTypeRequest::default())
        .send()
        .await
        .unwrap();

    let request = server.take_single();
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("POST", "/v1/accessType:check")
    );
    assert_eq!(request.query, "");
    assert_authorized_json(&request);
    assert_eq!(request.json(), json!({}));
    assert_eq!(response.one_time_resources, ["myactivity.search"]);
    assert_eq!(response.time_based_resources, ["chrome.history"]);
}

#[tokio::test]
async fn portability_archive_initiate_ignores_unknown_fields() {
    let (server, client) = setup().await;
    server.respond(
        200,
        r#"{"archiveJobId": "job-1", "accessType": "ACCESS_TYPE_TIME_BASED", "addedInAFutureRevision": {"x": 1}}"#,
    );
    let start = "2024-01-01T00:00:00Z".parse().unwrap();
    let request = InitiatePortabilityArchiveRequest {
        resources: vec!["myactivity.search".into(), "chrome.history".into()],
        start_time: Some(start),
        ..Default::default()
    };

    let response = client.portability_archive().initiate(request).send().await.unwrap();

    let sent = server.take_single();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/portabilityArchive:initiate")
    );
    assert_authorized_json(&sent);
    assert_eq!(
        sent.json(),
        json!({"resources": ["myactivity.search", "chrome.history"], "startTime": "2024-01-01T00:00:00Z"})
    );
    assert_eq!(response.archive_job_id.as_deref(), Some("job-1"));
    assert_eq!(response.access_type, Some(AccessType::AccessTypeTimeBased));
}

#[tokio::test]
async fn get_state_with_standard_parameters_and_an_unknown_enum_value() {
    let (server, client) = setup().await;
    server.respond(
        200,
        r#"{"name": "archiveJobs/job-1/portabilityArchiveState", "state": "PAUSED_FOR_A_NEW_REASON",
            "urls": ["https://storage.example/a.zip"], "exportTime": "2026-01-02T03:04:05.123Z"}"#,
    );

    let state = client
        .archive_jobs()
        .get_portability_archive_state("archiveJobs/job-1/portabilityArchiveState")
        .fields("state,urls")
        .pretty_print(false)
        .quota_user("user 1")
        .send()
        .await
        .unwrap();

    let sent = server.take_single();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("GET", "/v1/archiveJobs/job-1/portabilityArchiveState")
    );
    assert_eq!(sent.query, "fields=state%2Curls&prettyPrint=false&quotaUser=user+1");
    assert_eq!(sent.header("authorization"), Some("Bearer ya29.test-token"));
    assert!(sent.body.is_empty());
    assert_eq!(state.state, Some(State::from("PAUSED_FOR_A_NEW_REASON")));
    assert_eq!(state.state.as_ref().map(State::as_str), Some("PAUSED_FOR_A_NEW_REASON"));
    assert_eq!(state.urls, ["https://storage.example/a.zip"]);
    assert_eq!(state.export_time.map(|t| t.timestamp_millis()), Some(1_767_323_045_123));
}

#[tokio::test]
async fn archive_jobs_retry() {
    let (server, client) = setup().await;
    server.respond(200, r#"{"archiveJobId": "job-2"}"#);

    let response = client
        .archive_jobs()
        .retry("archiveJobs/job-1", RetryPortabilityArchiveRequest::default())
        .send()
        .await
        .unwrap();

    let sent = server.take_single();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/archiveJobs/job-1:retry")
    );
    assert_authorized_json(&sent);
    assert_eq!(sent.json(), json!({}));
    assert_eq!(response.archive_job_id.as_deref(), Some("job-2"));
}

#[tokio::test]
async fn archive_jobs_cancel_encodes_the_path_parameter() {
    let (server, client) = setup().await;
    server.respond(200, "{}");

    client
        .archive_jobs()
        .cancel("archiveJobs/job 1", CancelPortabilityArchiveRequest::default())
        .send()
        .await
        .unwrap();

    let sent = server.take_single();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/archiveJobs/job%201:cancel")
    );
    assert_eq!(sent.json(), json!({}));
}

#[tokio::test]
async fn authorization_reset() {
    let (server, client) = setup().await;
    server.respond(200, "{}");

    let empty = client
        .authorization()
        .reset(ResetAuthorizationRequest::default())
        .send()
        .await
        .unwrap();

    let sent = server.take_single();
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/authorization:reset")
    );
    assert_authorized_json(&sent);
    assert_eq!(sent.json(), json!({}));
    assert_eq!(empty, Default::default());
}

#[tokio::test]
async fn google_error_body_is_decoded() {
    let (server, client) = setup().await;
    server.respond(
        403,
        r#"{"error": {"code": 403, "message": "Missing scope for myactivity.search", "status": "PERMISSION_DENIED",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}]}}"#,
    );

    let error = client
        .portability_archive()
        .initiate(InitiatePortabilityArchiveRequest {
            resources: vec!["myactivity.search".into()],
            ..Default::default()
        })
        .send()
        .await
        .unwrap_err();

    let Error::Api(api) = &error else {
        panic!("expected an API error, got {error:?}")
    };
    assert_eq!(api.status.as_u16(), 403);
    assert_eq!(api.code.as_deref(), Some("PERMISSION_DENIED"));
    assert_eq!(api.message, "Missing scope for myactivity.search");
    assert_eq!(api.method, "dataportability.portabilityArchive.initiate");
    assert_eq!(api.details.len(), 1);
    let text = error.to_string();
    assert!(text.contains("403") && text.contains("PERMISSION_DENIED"), "{text}");
    assert!(!text.contains(TOKEN) && !format!("{error:?}").contains(TOKEN));
}

#[tokio::test]
async fn a_path_outside_the_pattern_is_rejected_before_sending() {
    let (server, client) = setup().await;

    for bad in ["archiveJobs/../x", "foo", "archiveJobs/..", ""] {
        let error = client
            .archive_jobs()
            .cancel(bad, CancelPortabilityArchiveRequest::default())
            .send()
            .await
            .unwrap_err();
        let Error::InvalidArgument { parameter, message, .. } = &error else {
            panic!("expected InvalidArgument for {bad:?}, got {error:?}")
        };
        assert_eq!(parameter, "name");
        assert!(!message.is_empty());
    }
    let error = client
        .archive_jobs()
        .get_portability_archive_state("archiveJobs/1")
        .send()
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("^archiveJobs/[^/]+/portabilityArchiveState$"),
        "{error}"
    );
    assert!(server.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_names_the_type() {
    let (server, client) = setup().await;
    server.respond(200, r#"{"archiveJobId": 42}"#);

    let error = client
        .archive_jobs()
        .retry("archiveJobs/job-1", RetryPortabilityArchiveRequest::default())
        .send()
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(
        text.contains("RetryPortabilityArchiveResponse") && text.contains("42"),
        "{text}"
    );
}
