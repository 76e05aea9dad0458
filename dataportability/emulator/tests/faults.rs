//! Injected faults against the generated client (with the runtime's retry policy): the client
//! survives each fault or fails with the right error, and never reports a success that was not.

mod common;

use std::time::{Duration, Instant};

use common::*;
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig, Faults};
use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::runtime::RetryPolicy;
use dataportability_v1::{Client, Error, StaticToken};

/// A client whose retries wait at most 10 ms (unless the server says otherwise).
fn retrying_client(emulator: &Emulator, token: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .endpoint(emulator.url())
        .token_source(StaticToken::new(token))
        .retry_policy(
            policy
                .with_initial_backoff(Duration::from_millis(10))
                .with_max_backoff(Duration::from_millis(10)),
        )
        .build()
        .expect("client")
}

fn token(emulator: &Emulator) -> String {
    emulator.mint_token([SEARCH], AccessType::OneTime).expect("token")
}

#[tokio::test]
async fn a_503_fails_an_initiate_that_is_not_retried_and_creates_nothing() {
    let emulator = emulator().await;
    let client = retrying_client(&emulator, &token(&emulator), RetryPolicy::new());
    emulator.set_faults(Faults {
        unavailable: 1,
        ..Default::default()
    });

    let result = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    assert_eq!(
        api_error(result),
        (503, "UNAVAILABLE".to_owned()),
        "POST is not retried by default"
    );
    // The rejected call exported nothing: the one-time group is still free.
    initiate(&client, &[SEARCH]).await;
}

#[tokio::test]
async fn a_get_survives_a_burst_of_503() {
    let emulator = emulator().await;
    let client = retrying_client(&emulator, &token(&emulator), RetryPolicy::new());
    let id = initiate(&client, &[SEARCH]).await;
    emulator.complete_job(&id).expect("complete");
    emulator.set_faults(Faults {
        unavailable: 3,
        ..Default::default()
    });

    let state = state_of(&client, &id).await;
    assert_eq!(state.state, Some(State::Complete));
    assert_eq!(state.urls.len(), 1);
    assert_eq!(emulator.faults().unavailable, 0, "three 503s were answered and retried");
}

#[tokio::test]
async fn a_burst_longer_than_the_attempts_fails_with_503() {
    let emulator = emulator().await;
    let client = retrying_client(&emulator, &token(&emulator), RetryPolicy::new().with_max_attempts(3));
    let id = initiate(&client, &[SEARCH]).await;
    emulator.set_faults(Faults {
        unavailable: 10,
        ..Default::default()
    });

    assert_eq!(api_error(state(&client, &id).await), (503, "UNAVAILABLE".to_owned()));
    assert_eq!(emulator.faults().unavailable, 7, "exactly three attempts");
}

#[tokio::test]
async fn a_post_opted_into_retries_survives_503_and_creates_one_job() {
    let emulator = emulator().await;
    let policy = RetryPolicy::new().with_non_idempotent(true);
    let client = retrying_client(&emulator, &token(&emulator), policy);
    emulator.set_faults(Faults {
        unavailable: 2,
        ..Default::default()
    });

    let id = initiate(&client, &[SEARCH]).await;
    assert_eq!(state_of(&client, &id).await.state, Some(State::InProgress));
    // One job only: the same export again finds it running (ALREADY_EXISTS, not retried
    // although this client retries POSTs), and once it completed the group is used up.
    let again = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    let running = again
        .as_ref()
        .err()
        .and_then(|e| e.metadata("job_id"))
        .map(str::to_owned);
    assert_eq!(api_error(again), (409, "ALREADY_EXISTS".to_owned()));
    assert_eq!(running, Some(id.clone()));
    emulator.complete_job(&id).expect("complete");
    let used = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    assert_eq!(api_error(used), (429, "RESOURCE_EXHAUSTED".to_owned()));
}

#[tokio::test]
async fn a_429_carries_retry_after_and_a_get_waits_for_it() {
    let emulator = emulator().await;
    let client = retrying_client(&emulator, &token(&emulator), RetryPolicy::new());
    emulator.set_faults(Faults {
        rate_limited: 1,
        retry_after_seconds: 7,
        ..Default::default()
    });

    let result = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    let retry_after = result.as_ref().err().and_then(Error::retry_after);
    assert_eq!(api_error(result), (429, "RESOURCE_EXHAUSTED".to_owned()));
    assert_eq!(retry_after, Some(Duration::from_secs(7)));

    let id = initiate(&client, &[SEARCH]).await;
    emulator.set_faults(Faults {
        rate_limited: 1,
        retry_after_seconds: 1,
        ..Default::default()
    });
    let started = Instant::now();
    assert_eq!(state_of(&client, &id).await.state, Some(State::InProgress));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the retry waited for Retry-After"
    );
}

#[tokio::test]
async fn a_slow_response_times_out_or_is_waited_for() {
    let emulator = emulator().await;
    let token = token(&emulator);
    let id = initiate(&client(&emulator, &token), &[SEARCH]).await;
    emulator.set_faults(Faults {
        delay_millis: 500,
        ..Default::default()
    });

    let impatient = Client::builder()
        .endpoint(emulator.url())
        .token_source(StaticToken::new(token.as_str()))
        .retry_policy(RetryPolicy::never())
        .attempt_timeout(Duration::from_millis(100))
        .build()
        .expect("client");
    let error = state(&impatient, &id).await.expect_err("times out");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");

    let patient = client(&emulator, &token);
    assert_eq!(state_of(&patient, &id).await.state, Some(State::InProgress));
}

#[tokio::test]
async fn a_truncated_json_body_is_a_decode_error_never_a_success() {
    let emulator = emulator().await;
    let client = retrying_client(&emulator, &token(&emulator), RetryPolicy::new());
    emulator.set_faults(Faults {
        truncated_json: 1,
        ..Default::default()
    });

    let error = client
        .portability_archive()
        .initiate(request(&[SEARCH]))
        .send()
        .await
        .expect_err("cut-off body");
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    // The request took effect on the server (as when a real response is lost): initiating
    // again is refused rather than silently duplicated, and the refusal names the job.
    let again = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    let error = again.expect_err("the job exists");
    assert_eq!(error.reason(), Some("ALREADY_EXISTS_ONE_TIME"));
    let job = error.metadata("job_id").expect("the job id").to_owned();
    assert_eq!(emulator.jobs().iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), [job]);
}

#[tokio::test]
async fn a_truncated_state_is_not_mistaken_for_a_state() {
    let emulator = emulator().await;
    let client = retrying_client(&emulator, &token(&emulator), RetryPolicy::new());
    let id = initiate(&client, &[SEARCH]).await;
    emulator.complete_job(&id).expect("complete");
    emulator.set_faults(Faults {
        truncated_json: 1,
        ..Default::default()
    });

    let error = state(&client, &id).await.expect_err("cut-off body");
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_eq!(state_of(&client, &id).await.state, Some(State::Complete));
}

#[tokio::test]
async fn a_dropped_download_is_incomplete_and_resumes_with_a_range() {
    let faults = Faults {
        dropped_downloads: 1,
        drop_after_bytes: 100_000,
        ..Default::default()
    };
    let emulator = emulator_with(EmulatorConfig {
        archive_size: 300_000,
        faults,
        ..Default::default()
    })
    .await;
    let client = one_time_client(&emulator, &[SEARCH]);
    let id = initiate(&client, &[SEARCH]).await;
    let url = completed_urls(&emulator, &client, &id).await.remove(0);

    let mut response = download(&url).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.content_length(), Some(300_000));
    let mut received = Vec::new();
    let error = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
            Ok(None) => panic!("the body ended cleanly after {} bytes", received.len()),
            Err(error) => break error,
        }
    };
    assert!(error.is_body() || error.is_request() || error.is_decode(), "{error:?}");
    assert_eq!(
        received.len(),
        100_000,
        "the connection dropped after the configured bytes"
    );

    let rest = reqwest::Client::new()
        .get(&url)
        .header("range", format!("bytes={}-", received.len()))
        .send()
        .await
        .expect("resume");
    assert_eq!(rest.status(), 206);
    received.extend_from_slice(&rest.bytes().await.expect("the rest"));
    let whole = download(&url).await.bytes().await.expect("a complete download");
    assert_eq!(received, whole);
}

#[tokio::test]
async fn faults_set_from_the_start_apply_to_the_first_requests() {
    let faults = Faults {
        unavailable: 1,
        ..Default::default()
    };
    let emulator = emulator_with(EmulatorConfig {
        faults,
        ..Default::default()
    })
    .await;
    let client = one_time_client(&emulator, &[SEARCH]);
    let first = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    assert_eq!(api_error(first).0, 503);
    initiate(&client, &[SEARCH]).await;
}

#[tokio::test]
async fn a_held_initiate_creates_its_job_and_answers_only_when_the_emulator_stops() {
    let emulator = emulator().await;
    emulator.set_faults(Faults {
        held_initiates: 2,
        ..Default::default()
    });
    let token = emulator
        .mint_token([SEARCH, YOUTUBE], AccessType::OneTime)
        .expect("token");
    let impatient = Client::builder()
        .endpoint(emulator.url())
        .token_source(StaticToken::new(token.as_str()))
        .retry_policy(RetryPolicy::never())
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .expect("client");

    let error = impatient
        .portability_archive()
        .initiate(request(&[SEARCH]))
        .send()
        .await
        .expect_err("no answer");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    // The job was created (on a loaded machine the server may see the request after the
    // client gave up on it).
    let jobs = until(|| Some(emulator.jobs()).filter(|jobs| !jobs.is_empty())).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    // The same export again is answered (a refusal creates no job, so uses no held answer).
    let again = client(&emulator, &token)
        .portability_archive()
        .initiate(request(&[SEARCH]))
        .send()
        .await;
    assert_eq!(
        again.as_ref().err().and_then(|e| e.metadata("job_id")),
        Some(jobs[0].id.as_str())
    );
    assert_eq!(emulator.faults().held_initiates, 1);

    // A held answer is let go when the emulator stops, so a shutdown does not wait for it.
    let patient = client(&emulator, &token);
    let held = tokio::spawn(async move { patient.portability_archive().initiate(request(&[YOUTUBE])).send().await });
    until(|| (emulator.jobs().len() == 2).then_some(())).await;
    assert!(!held.is_finished());
    tokio::time::timeout(Duration::from_secs(60), emulator.shutdown())
        .await
        .expect("the shutdown ends")
        .expect("stopped");
    let answer = held.await.expect("joined");
    assert!(answer.is_err(), "no success reported for a held answer: {answer:?}");
}

/// Polls `check` every 10 ms until it gives a value (at most a minute).
async fn until<T>(mut check: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "timed out");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
