//! Timeouts and cancellation, in real time against a server that never answers.

mod support;

use std::time::Duration;

use discovery_runtime::__private::Call;
use discovery_runtime::{Client, ClientBuilder, Error, RetryPolicy, TimeoutScope};
use serde_json::Value;
use support::{API, GET, Reply, Server, eventually};

fn builder(server: &Server) -> ClientBuilder<Client> {
    ClientBuilder::new(&API).endpoint(server.url())
}

#[tokio::test]
async fn an_attempt_that_hangs_times_out_and_is_retried() {
    let server = Server::start([Reply::Hang], Reply::json(200, r#"{"ok": true}"#));
    let client: Client = builder(&server)
        .attempt_timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::new().with_initial_backoff(Duration::from_millis(10)))
        .build()
        .unwrap();

    let value: Value = Call::new(&client, &GET).send_json::<(), _>(None).await.unwrap();

    assert_eq!(value["ok"], true);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn an_attempt_timeout_is_reported_when_retries_run_out() {
    let server = Server::start([], Reply::Hang);
    let client: Client = builder(&server).retry_policy(RetryPolicy::never()).build().unwrap();

    let mut call = Call::new(&client, &GET);
    call.set_attempt_timeout(Duration::from_millis(200));
    let error = call.send_json::<(), Value>(None).await.unwrap_err();

    let Error::Timeout { scope, after, method } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        (*scope, *after, *method),
        (TimeoutScope::Attempt, Duration::from_millis(200), "test.things.get")
    );
    assert!(error.is_retryable());
}

#[tokio::test]
async fn the_call_timeout_bounds_the_retries() {
    let server = Server::start([], Reply::Hang);
    let client: Client = builder(&server)
        .attempt_timeout(Duration::from_millis(100))
        .timeout(Duration::from_millis(400))
        .retry_policy(
            RetryPolicy::new()
                .with_max_attempts(100)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build()
        .unwrap();

    let started = std::time::Instant::now();
    let error = Call::new(&client, &GET).send_json::<(), Value>(None).await.unwrap_err();

    assert!(
        matches!(
            error,
            Error::Timeout {
                scope: TimeoutScope::Call,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(server.requests().len() >= 2, "the attempts that timed out were retried");
}

#[tokio::test]
async fn the_call_timeout_can_be_set_per_call() {
    let server = Server::start([], Reply::Hang);
    let client: Client = builder(&server).timeout(Duration::from_secs(3600)).build().unwrap();

    let mut call = Call::new(&client, &GET);
    call.set_timeout(Duration::from_millis(200));
    let error = call.send_json::<(), Value>(None).await.unwrap_err();

    let Error::Timeout { scope, after, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!((*scope, *after), (TimeoutScope::Call, Duration::from_millis(200)));
    assert_eq!(error.to_string(), "test.things.get: the call timed out after 200ms");
}

#[tokio::test]
async fn dropping_the_send_future_closes_the_connection() {
    let server = Server::start([], Reply::Hang);
    let client: Client = builder(&server).build().unwrap();

    let call = Call::new(&client, &GET);
    let task = tokio::spawn(async move { call.send_json::<(), Value>(None).await });
    eventually("the server received the request", || server.requests().len() == 1).await;
    task.abort();

    eventually("the server saw the connection closed", || {
        server.closed_while_hanging() == 1
    })
    .await;
    assert!(task.await.unwrap_err().is_cancelled());
}
