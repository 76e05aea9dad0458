//! One `tracing` span per call, with the method, attempt, status and latency; no bodies.

mod support;

use std::time::Duration;

use discovery_runtime::{Call, Client, RetryPolicy};
use serde_json::Value;
use support::trace::Capture;
use support::{GET, Reply, Server, paused_clock_builder};

#[tokio::test(start_paused = true)]
async fn a_call_is_one_span_with_its_attempts_status_and_latency() {
    let (capture, _guard) = Capture::install();
    let server = Server::start(
        [Reply::json(503, r#"{"error": {"message": "BODY-MARKER"}}"#).header("retry-after", "2")],
        Reply::json(200, r#"{"name": "BODY-MARKER"}"#),
    );
    let client: Client = paused_clock_builder(&server).retry_policy(RetryPolicy::new()).build().unwrap();

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

    let events = capture.events();
    let attempts: Vec<_> = events.iter().filter(|e| e.fields["message"] == "attempt finished").collect();
    assert_eq!(attempts.len(), 2);
    assert_eq!((attempts[0].fields["attempt"].as_str(), attempts[0].fields["status"].as_str()), ("1", "503"));
    assert_eq!((attempts[1].fields["attempt"].as_str(), attempts[1].fields["status"].as_str()), ("2", "200"));
    assert!(attempts.iter().all(|e| e.fields.contains_key("latency_ms")));
    let retries: Vec<_> = events.iter().filter(|e| e.fields["message"].starts_with("retrying")).collect();
    assert_eq!(retries.len(), 1);
    assert_eq!(retries[0].fields["delay_ms"], "2000");

    assert!(!capture.everything().contains("BODY-MARKER"), "a body was traced");
}
