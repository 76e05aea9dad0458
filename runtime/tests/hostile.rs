//! A broken or hostile server against the runtime: every answer is bounded in what it can
//! make the client wait for, hold, or print. Each test prints one `hostile-server:` line (the
//! case, the bound, what was kept), which `cargo xtask hostile-server` collects.

mod support;

use std::time::{Duration, Instant};

use discovery_runtime::__private::Call;
use discovery_runtime::__private::paging::pages;
use discovery_runtime::{Client, Error, RetryPolicy};
use futures_util::TryStreamExt as _;
use serde_json::Value;
use support::{GET, Reply, Server, paused_clock_builder};

/// One line of the `cargo xtask hostile-server` report.
fn report(case: &str, bound: &str, kept: impl std::fmt::Display) {
    println!("hostile-server: {case} | {bound} | {kept}");
}

async fn get(client: &Client) -> Result<Value, Error> {
    Call::new(client, &GET).send_json::<(), Value>(None).await
}

fn next_page_token(page: &Value) -> Option<&str> {
    page.get("nextPageToken").and_then(Value::as_str)
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_far_in_the_future_is_not_waited_for_without_a_time_budget() {
    let server = Server::start(
        [
            Reply::json(503, r#"{"error": {"code": 503, "message": "come back tomorrow"}}"#)
                .header("retry-after", "86400"),
        ],
        Reply::json(200, "{}"),
    );
    let client: Client = paused_clock_builder(&server)
        .retry_policy(RetryPolicy::new().with_time_budget(None))
        .build()
        .unwrap();

    let started = tokio::time::Instant::now();
    let error = get(&client).await.unwrap_err();

    assert_eq!(server.requests().len(), 1, "not retried");
    assert_eq!(
        error.retry_after(),
        Some(Duration::from_secs(86_400)),
        "the wait is the caller's to see"
    );
    assert_eq!(started.elapsed(), Duration::ZERO, "no wait at all (virtual clock)");
    report(
        "Retry-After: 86400 with no time budget",
        "a server's wait of at most 5 min (RetryPolicy::with_max_retry_after)",
        "gave up at once; the error carries the 1-day wait",
    );
}

#[tokio::test]
async fn a_message_head_too_large_keeps_its_cause_in_the_error_text() {
    let huge = "x".repeat(1 << 20);
    let server = Server::start([], Reply::json(200, "{}").header("x-huge", &huge));
    let client: Client = support::paused_clock_builder(&server)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();

    let error = get(&client).await.unwrap_err();

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("message head is too large"), "{text}");
    report(
        "a 1 MiB response header",
        "hyper's header limit; the cause kept in the error",
        text,
    );
}

#[tokio::test]
async fn fresh_page_tokens_for_ever_stop_at_the_page_limit() {
    let replies = (0..60).map(|n| Reply::json(200, &format!(r#"{{"nextPageToken": "t{n}"}}"#)));
    let server = Server::start(replies, Reply::json(500, "{}"));
    let client: Client = paused_clock_builder(&server).max_pages(50).build().unwrap();

    let started = Instant::now();
    let mut stream = pages::<(), Value>(Call::new(&client, &GET), None, next_page_token);
    let mut fetched = 0;
    let error = loop {
        match stream.try_next().await {
            Ok(Some(_)) => fetched += 1,
            Ok(None) => panic!("the list cannot end: every page has a new token"),
            Err(error) => break error,
        }
    };

    assert_eq!(fetched, 50);
    assert_eq!(server.requests().len(), 50);
    assert!(matches!(error, Error::Paging { .. }), "{error:?}");
    assert!(error.to_string().contains("after 50 pages"), "{error}");
    assert!(
        stream.try_next().await.unwrap().is_none(),
        "the stream ends after its error"
    );
    report(
        "fresh page tokens for ever",
        "ClientBuilder::max_pages(50); tokens kept as 8-byte hashes",
        format!("{fetched} pages in {:?}", started.elapsed()),
    );
}

#[tokio::test]
async fn a_per_call_response_limit_refuses_a_larger_answer() {
    let body = format!(r#"{{"urls": [{}""]}}"#, r#""","#.repeat(10_000));
    let server = Server::start([], Reply::json(200, &body).chunked());
    let client: Client = paused_clock_builder(&server).build().unwrap();

    let mut call = Call::new(&client, &GET);
    call.set_max_response_bytes(4096);
    let error = call.send_json::<(), Value>(None).await.unwrap_err();

    assert!(matches!(error, Error::BodyTooLarge { limit: 4096, .. }), "{error:?}");
    report(
        "a 30 KB answer where 4 KiB are expected",
        "Call::set_max_response_bytes(4096)",
        "refused after at most 4 KiB read",
    );
}

#[tokio::test]
async fn escape_sequences_and_a_megabyte_message_are_escaped_and_cut_in_errors() {
    let message = format!(r"\u001b]0;owned\u0007\u001b[2J\r{}", "x".repeat(512 << 10));
    let api = format!(r#"{{"error": {{"code": 400, "status": "INVALID_ARGUMENT", "message": "{message}"}}}}"#);
    let decode = "{\"name\": 5, \"\u{1b}[31m\": 1".to_owned() + &"y".repeat(1 << 20);
    let server = Server::start(
        [Reply::json(400, &api), Reply::json(200, &decode)],
        Reply::json(500, "{}"),
    );
    let client: Client = paused_clock_builder(&server)
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();

    let mut longest = 0;
    for _ in 0..2 {
        let mut call = Call::new(&client, &GET);
        call.set_max_response_bytes(4 << 20);
        let text = call.send_json::<(), Value>(None).await.unwrap_err().to_string();
        assert!(!text.chars().any(char::is_control), "{}", &text[..text.len().min(300)]);
        assert!(text.len() < 4096, "{} bytes", text.len());
        assert!(text.contains(r"\u{1b}"), "{}", &text[..text.len().min(300)]);
        longest = longest.max(text.len());
    }
    report(
        "escape sequences and a 512 KiB message in an error",
        "control characters escaped, messages cut at 1024 characters",
        format!("error text of at most {longest} bytes"),
    );
}
