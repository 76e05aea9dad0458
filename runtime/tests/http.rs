//! What goes over the wire: identifying headers, per-call headers, response limits and
//! error bodies.

mod support;

use discovery_runtime::__private::Call;
use discovery_runtime::reqwest::header::{HeaderName, HeaderValue};
use discovery_runtime::{Client, ClientBuilder, Error, ErrorDetail, RetryPolicy};
use serde_json::Value;
use support::{API, GET, POST, Reply, Server};

fn builder(server: &Server) -> ClientBuilder<Client> {
    ClientBuilder::new(&API)
        .endpoint(server.url())
        .retry_policy(RetryPolicy::never())
}

async fn get(client: &Client) -> Result<Value, Error> {
    Call::new(client, &GET).send_json::<(), Value>(None).await
}

#[tokio::test]
async fn requests_identify_the_crate_and_the_quota_project() {
    let server = Server::start([], Reply::json(200, "{}"));
    let client: Client = builder(&server)
        .user_agent("my-app/2.0")
        .quota_project("billing-project")
        .build()
        .unwrap();

    get(&client).await.unwrap();

    let sent = &server.requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.target.as_str()),
        ("GET", "/svc/v1/things/1")
    );
    assert_eq!(sent.header("user-agent"), Some("my-app/2.0 test-api/1.2.3"));
    let api_client = sent.header("x-goog-api-client").unwrap();
    assert!(api_client.starts_with("gdcl/1.2.3 discovery-runtime/"), "{api_client}");
    assert_eq!(sent.header("x-goog-user-project"), Some("billing-project"));
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert_eq!(sent.header("authorization"), None);
}

#[tokio::test]
async fn a_call_header_replaces_the_clients_and_extra_headers_are_sent() {
    let server = Server::start([], Reply::json(200, "{}"));
    let client: Client = builder(&server).quota_project("billing-project").build().unwrap();

    let mut call = Call::new(&client, &POST);
    call.add_header(
        HeaderName::from_static("x-goog-user-project"),
        HeaderValue::from_static("other-project"),
    );
    call.add_header(HeaderName::from_static("x-extra"), HeaderValue::from_static("1"));
    call.send_empty::<()>(None).await.unwrap();

    let sent = &server.requests()[0];
    let projects: Vec<_> = sent
        .headers
        .iter()
        .filter(|(n, _)| n == "x-goog-user-project")
        .collect();
    assert_eq!(projects.len(), 1);
    assert_eq!(sent.header("x-goog-user-project"), Some("other-project"));
    assert_eq!(sent.header("x-extra"), Some("1"));
    assert_eq!(sent.header("content-length"), Some("0"));
}

#[tokio::test]
async fn a_json_body_over_the_limit_is_rejected() {
    let big = format!(r#"{{"data": "{}"}}"#, "x".repeat(4000));
    let server = Server::start(
        [Reply::json(200, &big), Reply::json(200, &big).chunked()],
        Reply::json(200, "{}"),
    );
    let client: Client = builder(&server).max_response_bytes(1024).build().unwrap();

    for framing in ["content-length", "chunked"] {
        let error = get(&client).await.unwrap_err();
        assert!(
            matches!(error, Error::BodyTooLarge { limit: 1024, .. }),
            "{framing}: {error:?}"
        );
        assert_eq!(
            error.to_string(),
            "test.things.get: the response body is larger than the limit of 1024 bytes",
            "{framing}"
        );
        assert!(!error.is_retryable());
    }
    get(&client).await.unwrap();
}

#[tokio::test]
async fn a_body_at_the_limit_is_accepted() {
    let body = format!(r#"{{"data": "{}"}}"#, "x".repeat(100));
    let server = Server::start([Reply::json(200, &body).chunked()], Reply::json(200, "{}"));
    let client: Client = builder(&server).max_response_bytes(body.len() as u64).build().unwrap();

    let value = get(&client).await.unwrap();

    assert_eq!(value["data"].as_str().map(str::len), Some(100));
}

#[tokio::test]
async fn an_html_error_page_gives_the_status_and_a_bounded_snippet() {
    let page = format!("<html><body>Bad gateway{}</body></html>", " ".repeat(5000));
    let server = Server::start([], Reply::json(502, &page).header("x-proxy", "1"));
    let client: Client = builder(&server).build().unwrap();

    let error = get(&client).await.unwrap_err();

    let api = error.as_api_error().unwrap();
    assert_eq!(api.status.as_u16(), 502);
    assert!(!api.is_google_format);
    assert!(api.message.starts_with("<html><body>Bad gateway"));
    assert!(api.message.chars().count() <= 513);
    assert!(error.is_retryable());
}

#[tokio::test]
async fn a_google_error_decodes_its_details_and_retry_after_prefers_the_header() {
    let body = r#"{"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED",
        "details": [
          {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com"},
          {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"subject": "project:1", "description": "per minute"}]},
          {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "20s"},
          {"@type": "type.googleapis.com/google.rpc.Help", "links": [{"description": "Quotas", "url": "https://cloud.google.com/docs/quotas"}]},
          {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": "Slow down"},
          {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": "n", "description": "bad"}]},
          {"@type": "type.googleapis.com/future.Detail", "anything": [1, 2]}
        ]}}"#;
    let server = Server::start([], Reply::json(429, body).header("retry-after", "3"));
    let client: Client = builder(&server).build().unwrap();

    let error = get(&client).await.unwrap_err();

    let api = error.as_api_error().unwrap();
    assert_eq!(api.reason(), Some("RATE_LIMIT_EXCEEDED"));
    assert_eq!(api.retry_after, Some(std::time::Duration::from_secs(3)));
    let kinds: Vec<&str> = api
        .details
        .iter()
        .map(|detail| match detail {
            ErrorDetail::ErrorInfo(_) => "ErrorInfo",
            ErrorDetail::QuotaFailure(_) => "QuotaFailure",
            ErrorDetail::RetryInfo(_) => "RetryInfo",
            ErrorDetail::Help(_) => "Help",
            ErrorDetail::LocalizedMessage(_) => "LocalizedMessage",
            ErrorDetail::BadRequest(_) => "BadRequest",
            ErrorDetail::Other(_) => "Other",
            _ => "new variant",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "ErrorInfo",
            "QuotaFailure",
            "RetryInfo",
            "Help",
            "LocalizedMessage",
            "BadRequest",
            "Other"
        ]
    );
    assert_eq!(
        error.to_string(),
        "test.things.get: HTTP 429 RESOURCE_EXHAUSTED: Quota exceeded"
    );
}

#[tokio::test]
async fn a_success_body_that_does_not_decode_names_the_type_and_shows_a_snippet() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Thing {
        name: String,
    }
    let server = Server::start([], Reply::json(200, r#"{"name": 42}"#));
    let client: Client = builder(&server).build().unwrap();

    let error = Call::new(&client, &GET).send_json::<(), Thing>(None).await.unwrap_err();

    let text = error.to_string();
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(text.contains("Thing") && text.contains(r#"{"name": 42}"#), "{text}");
}
