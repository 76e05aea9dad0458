//! Retries against a real server, with tokio's paused clock: the waits are virtual, so the
//! elapsed time is exactly the sum of the waits the client chose.

mod support;

use std::time::{Duration, SystemTime};

use discovery_runtime::__private::Call;
use discovery_runtime::{Client, Error, RetryPolicy};
use serde_json::{Value, json};
use support::{GET, POST, Reply, Server, paused_clock_builder};
use tokio::time::Instant;

const OK: &str = r#"{"name": "things/1"}"#;

async fn get(client: &Client) -> Result<Value, Error> {
    Call::new(client, &GET).send_json::<(), Value>(None).await
}

async fn post(call: Call) -> Result<Value, Error> {
    call.send_json(Some(&json!({"resources": ["myactivity.search"], "n": 1})))
        .await
}

#[tokio::test(start_paused = true)]
async fn transient_statuses_are_retried_with_bounded_backoff() {
    let server = Server::start(
        [
            Reply::json(503, "{}"),
            Reply::json(500, "{}"),
            Reply::json(429, "{}"),
            Reply::json(200, OK),
        ],
        Reply::json(500, "{}"),
    );
    let client: Client = paused_clock_builder(&server).build().unwrap();

    let started = Instant::now();
    let value = get(&client).await.unwrap();

    assert_eq!(value["name"], "things/1");
    assert_eq!(server.requests().len(), 4);
    // Full jitter: the waits are at most 1 s, 2 s and 4 s (the default backoff).
    assert!(started.elapsed() <= Duration::from_secs(7), "{:?}", started.elapsed());
}

#[tokio::test(start_paused = true)]
async fn retries_stop_after_max_attempts() {
    let server = Server::start([], Reply::json(503, r#"{"error": {"code": 503, "message": "down"}}"#));
    let client: Client = paused_clock_builder(&server)
        .retry_policy(RetryPolicy::new().with_max_attempts(4))
        .build()
        .unwrap();

    let error = get(&client).await.unwrap_err();

    assert_eq!(server.requests().len(), 4);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn a_permanent_error_is_not_retried() {
    let server = Server::start([], Reply::json(404, "{}"));
    let client: Client = paused_clock_builder(&server).build().unwrap();

    let error = get(&client).await.unwrap_err();

    assert_eq!(server.requests().len(), 1);
    assert!(!error.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn retry_after_in_seconds_is_honoured() {
    let server = Server::start(
        [Reply::json(503, "{}").header("retry-after", "7")],
        Reply::json(200, OK),
    );
    // Without Retry-After the client would wait at most a millisecond.
    let policy = RetryPolicy::new().with_initial_backoff(Duration::from_millis(1));
    let client: Client = paused_clock_builder(&server).retry_policy(policy).build().unwrap();

    let started = Instant::now();
    get(&client).await.unwrap();

    assert_eq!(server.requests().len(), 2);
    assert_eq!(started.elapsed(), Duration::from_secs(7));
}

#[tokio::test(start_paused = true)]
async fn retry_after_as_an_http_date_is_honoured() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    let server = Server::start(
        [Reply::json(429, "{}").header("retry-after", &date)],
        Reply::json(200, OK),
    );
    let policy = RetryPolicy::new().with_initial_backoff(Duration::from_millis(1));
    let client: Client = paused_clock_builder(&server).retry_policy(policy).build().unwrap();

    let started = Instant::now();
    get(&client).await.unwrap();

    // The date has a one-second resolution, so the wait is between 29 and 30 seconds.
    let elapsed = started.elapsed();
    assert!(
        elapsed > Duration::from_secs(28) && elapsed <= Duration::from_secs(30),
        "{elapsed:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_time_budget_bounds_the_retries() {
    let server = Server::start([], Reply::json(503, "{}").header("retry-after", "2"));
    let policy = RetryPolicy::new()
        .with_max_attempts(10)
        .with_time_budget(Duration::from_secs(5));
    let client: Client = paused_clock_builder(&server).retry_policy(policy).build().unwrap();

    let started = Instant::now();
    get(&client).await.unwrap_err();

    // Attempts at 0 s, 2 s and 4 s; a wait to 6 s would overrun the budget.
    assert_eq!(server.requests().len(), 3);
    assert_eq!(started.elapsed(), Duration::from_secs(4));
}

#[tokio::test(start_paused = true)]
async fn a_post_is_not_retried_by_default() {
    let server = Server::start([], Reply::json(503, "{}"));
    let client: Client = paused_clock_builder(&server).build().unwrap();

    let error = post(Call::new(&client, &POST)).await.unwrap_err();

    assert_eq!(server.requests().len(), 1);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test(start_paused = true)]
async fn a_post_opted_in_per_call_is_retried_with_the_same_body() {
    let server = Server::start([Reply::json(503, "{}"), Reply::json(502, "{}")], Reply::json(200, OK));
    let client: Client = paused_clock_builder(&server).build().unwrap();

    let mut call = Call::new(&client, &POST);
    call.set_idempotent(true);
    post(call).await.unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    let first = &requests[0];
    assert_eq!(
        serde_json::from_slice::<Value>(&first.body).unwrap(),
        json!({"resources": ["myactivity.search"], "n": 1})
    );
    for retried in &requests[1..] {
        assert_eq!(
            (retried.method.as_str(), retried.target.as_str()),
            ("POST", "/svc/v1/things")
        );
        assert_eq!(retried.body, first.body);
        assert_eq!(retried.header("content-type"), Some("application/json"));
        assert_eq!(retried.header("content-length"), first.header("content-length"));
    }
}

#[tokio::test(start_paused = true)]
async fn a_post_opted_in_per_client_is_retried() {
    let server = Server::start([Reply::json(503, "{}")], Reply::json(200, OK));
    let policy = RetryPolicy::new().with_non_idempotent(true);
    let client: Client = paused_clock_builder(&server).retry_policy(policy).build().unwrap();

    post(Call::new(&client, &POST)).await.unwrap();

    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_policy_can_be_overridden_per_call() {
    let server = Server::start([], Reply::json(503, "{}"));
    let client: Client = paused_clock_builder(&server).build().unwrap();

    let mut call = Call::new(&client, &GET);
    call.set_retry_policy(RetryPolicy::never());
    call.send_json::<(), Value>(None).await.unwrap_err();
    assert_eq!(server.requests().len(), 1);

    let mut call = Call::new(&client, &GET);
    call.set_idempotent(false);
    call.send_json::<(), Value>(None).await.unwrap_err();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_is_retried() {
    let server = Server::start([Reply::Close], Reply::json(200, OK));
    let client: Client = paused_clock_builder(&server).build().unwrap();

    let value = get(&client).await.unwrap();

    assert_eq!(value["name"], "things/1");
    assert_eq!(server.requests().len(), 2);
}
