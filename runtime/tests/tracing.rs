//! One `tracing` span per call, with the method, attempt, status and latency; bodies,
//! tokens and API keys are never traced. Every test here installs the capture first.

mod support;

use std::time::Duration;

use discovery_runtime::__private::Call;
use discovery_runtime::{Client, ClientBuilder, Error, RetryPolicy, StaticToken};
use serde_json::Value;
use support::trace::Capture;
use support::{API, GET, Reply, Server, paused_clock_builder};
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn a_call_is_one_span_with_its_attempts_status_and_latency() {
    let capture = Capture::install();
    let server = Server::start(
        [Reply::json(503, r#"{"error": {"message": "BODY-MARKER"}}"#).header("retry-after", "2")],
        Reply::json(200, r#"{"name": "BODY-MARKER"}"#),
    );
    let client: Client = paused_clock_builder(&server)
        .retry_policy(RetryPolicy::new())
        .build()
        .unwrap();

    let value: Value = Call::new(&client, &GET).send_json::<(), _>(None).await.unwrap();
    assert_eq!(value["name"], "BODY-MARKER");

    let spans = capture.spans();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let fields = &spans[0].fields;
    assert_eq!(spans[0].name, "call");
    assert_eq!(fields["method"], "test.things.get");
    assert_eq!(fields["attempt"], "2");
    assert_eq!(fields["status"], "200");
    assert_eq!(fields["latency_ms"], Duration::from_secs(2).as_millis().to_string());

    let attempts = capture.events_saying("attempt finished");
    assert_eq!(attempts.len(), 2);
    assert_eq!(
        (
            attempts[0].fields["attempt"].as_str(),
            attempts[0].fields["status"].as_str()
        ),
        ("1", "503")
    );
    assert_eq!(
        (
            attempts[1].fields["attempt"].as_str(),
            attempts[1].fields["status"].as_str()
        ),
        ("2", "200")
    );
    assert!(attempts.iter().all(|e| e.fields.contains_key("latency_ms")));
    let retries = capture.events_saying("retrying after a transient failure");
    assert_eq!(retries.len(), 1);
    assert_eq!(retries[0].fields["delay_ms"], "2000");

    assert!(!capture.everything().contains("BODY-MARKER"), "a body was traced");
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_retried_then_reported() {
    let capture = Capture::install();
    // Bind and drop a listener, so nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let http = discovery_runtime::reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    let client: Client = ClientBuilder::new(&API)
        .endpoint(format!("http://127.0.0.1:{port}/"))
        .http_client(http)
        .attempt_timeout(None)
        .retry_policy(
            RetryPolicy::new()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_secs(10)),
        )
        .build()
        .unwrap();

    let started = Instant::now();
    let error = Call::new(&client, &GET).send_json::<(), Value>(None).await.unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(capture.events_saying("attempt finished").len(), 3);
    // Two jittered waits, below their caps of 10 s and 20 s.
    assert!(started.elapsed() <= Duration::from_secs(30), "{:?}", started.elapsed());
}

#[tokio::test]
async fn tokens_and_api_keys_are_never_traced() {
    let capture = Capture::install();
    let server = Server::start([], Reply::json(403, r#"{"error": {"code": 403, "message": "Denied"}}"#));
    for root in [server.url(), format!("http://127.0.0.1:{}/", closed_port())] {
        let client: Client = ClientBuilder::new(&API)
            .endpoint(root)
            .token_source(StaticToken::new("ya29.SECRET-TOKEN-VALUE"))
            .api_key("AIzaSECRET-KEY-VALUE")
            .retry_policy(RetryPolicy::never())
            .build()
            .unwrap();
        Call::new(&client, &GET).send_json::<(), Value>(None).await.unwrap_err();
    }

    assert_eq!(capture.spans().len(), 2);
    let traced = capture.everything();
    assert!(!traced.contains("SECRET"), "a secret was traced: {traced}");
}

fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
