//! `wait` and `wait_and_retry` against the emulator (and a fake server for a state the
//! emulator never answers).

mod common;

use std::time::Duration;

use common::*;
use dataportability_emulator::{AccessType, EmulatorConfig, Faults};
use dataportability_export::Error;
use dataportability_export::retry::{JobEvent, WaitAndRetryOptions, wait_and_retry};
use dataportability_export::wait::{PollPolicy, wait};
use dataportability_v1::models::CancelPortabilityArchiveRequest;
use dataportability_v1::models::portability_archive_state::State;

#[tokio::test]
async fn a_job_is_polled_with_a_growing_interval_until_complete() {
    let emulator = emulator(EmulatorConfig {
        complete_after: ms(400),
        ..Default::default()
    })
    .await;
    let client = client(&emulator, &[SEARCH], AccessType::OneTime);
    let job = dataportability_export::job::initiate(&client, SEARCH).await.unwrap();

    let mut events = Vec::new();
    let state = wait(&client, &job, &fast_poll(), |e| events.push(e.clone()))
        .await
        .unwrap();

    assert_eq!(state.state, Some(State::Complete));
    assert_eq!(state.urls.len(), 1);
    assert!(events.len() >= 3, "{events:?}");
    let last = events.pop().unwrap();
    assert_eq!((last.state, last.next_poll_in), (Some(State::Complete), None));
    for (n, event) in events.iter().enumerate() {
        let expected = ms((10u64 << n).min(40));
        assert_eq!(event.next_poll_in, Some(expected), "poll {}", n + 1);
        assert_eq!(event.state, Some(State::InProgress));
        assert_eq!(event.poll, n as u32 + 1);
    }
}

#[tokio::test]
async fn failed_and_cancelled_jobs_end_the_wait_as_answers() {
    let emulator = emulator(EmulatorConfig {
        complete_after: Duration::from_secs(3600),
        ..Default::default()
    })
    .await;
    let client = client(&emulator, &[SEARCH], AccessType::OneTime);
    let failed = dataportability_export::job::initiate(&client, SEARCH).await.unwrap();
    emulator.fail_job(&failed).unwrap();
    let state = wait(&client, &failed, &fast_poll(), |_| {}).await.unwrap();
    assert_eq!(state.state, Some(State::Failed));

    let client = common::client(&emulator, &[YOUTUBE], AccessType::TimeBased);
    let cancelled = dataportability_export::job::initiate(&client, YOUTUBE).await.unwrap();
    client
        .archive_jobs()
        .cancel(
            dataportability_export::job::job_name(&cancelled),
            CancelPortabilityArchiveRequest::default(),
        )
        .send()
        .await
        .unwrap();
    let state = wait(&client, &format!("archiveJobs/{cancelled}"), &fast_poll(), |_| {})
        .await
        .unwrap();
    assert_eq!(state.state, Some(State::Cancelled));
}

#[tokio::test]
async fn an_unknown_state_is_polled_with_backoff_then_given_up() {
    let url = fake_server(|_, _| {
        http_response(
            "200 OK",
            &[("content-type", "application/json".into())],
            br#"{"state":"PAUSED_BY_A_NEWER_API"}"#,
        )
    })
    .await;
    let client = client_at(&url, "t");
    let policy = PollPolicy {
        max_unknown_polls: 3,
        ..fast_poll()
    };
    let mut events = Vec::new();

    let error = wait(&client, "j1", &policy, |e| events.push(e.clone()))
        .await
        .unwrap_err();

    match error {
        Error::UnknownState { job, state, polls } => {
            assert_eq!(
                (job.as_str(), state.as_str(), polls),
                ("j1", "PAUSED_BY_A_NEWER_API", 3)
            );
        }
        other => panic!("{other:?}"),
    }
    let waits: Vec<_> = events.iter().map(|e| e.next_poll_in).collect();
    assert_eq!(waits, [Some(ms(10)), Some(ms(20))], "it waited between polls, growing");
    assert_eq!(events[0].state, Some(State::from("PAUSED_BY_A_NEWER_API")));
}

#[tokio::test]
async fn a_deadline_bounds_the_wait() {
    let emulator = emulator(EmulatorConfig {
        complete_after: Duration::from_secs(3600),
        ..Default::default()
    })
    .await;
    let client = client(&emulator, &[SEARCH], AccessType::OneTime);
    let job = dataportability_export::job::initiate(&client, SEARCH).await.unwrap();
    let policy = PollPolicy {
        deadline: Some(ms(100)),
        ..fast_poll()
    };

    let error = wait(&client, &job, &policy, |_| {}).await.unwrap_err();

    assert!(
        matches!(&error, Error::Deadline { after, .. } if *after == ms(100)),
        "{error:?}"
    );
    assert!(error.to_string().contains("did not finish within 100ms"), "{error}");
}

#[tokio::test]
async fn transient_poll_failures_are_polled_through() {
    let emulator = emulator(EmulatorConfig {
        complete_after: ms(50),
        ..Default::default()
    })
    .await;
    let token = emulator.mint_token([SEARCH], AccessType::OneTime).unwrap();
    let client = dataportability_v1::Client::builder()
        .endpoint(emulator.url())
        .token_source(dataportability_v1::StaticToken::new(token))
        .retry_policy(dataportability_v1::RetryPolicy::never())
        .build()
        .unwrap();
    let job = dataportability_export::job::initiate(&client, SEARCH).await.unwrap();
    emulator.set_faults(Faults {
        unavailable: 2,
        ..Default::default()
    });

    let mut errors = 0;
    let state = wait(&client, &job, &fast_poll(), |e| {
        errors += usize::from(e.error.is_some())
    })
    .await
    .unwrap();

    assert_eq!(state.state, Some(State::Complete));
    assert_eq!(errors, 2);
}

#[tokio::test]
async fn a_failed_job_is_retried_and_the_new_job_completes() {
    let faults = Faults {
        failed_jobs: 2,
        ..Default::default()
    };
    let emulator = emulator(EmulatorConfig {
        complete_after: ms(30),
        faults,
        ..Default::default()
    })
    .await;
    let client = client(&emulator, &[SEARCH], AccessType::OneTime);
    let first = dataportability_export::job::initiate(&client, SEARCH).await.unwrap();

    let mut retried = Vec::new();
    let finished = wait_and_retry(&client, &first, &fast_retry(), |e| {
        if let JobEvent::Retried { failed, new, retry } = e {
            retried.push((failed.clone(), new.clone(), *retry));
        }
    })
    .await
    .unwrap();

    assert_eq!(finished.retries, 2);
    assert_eq!(finished.state.state, Some(State::Complete));
    assert_eq!(retried.len(), 2);
    assert_eq!(retried[0].0, first);
    assert_eq!(
        retried[1].0, retried[0].1,
        "the second retry follows the first's new job"
    );
    assert_eq!(finished.job_id, retried[1].1);
}

#[tokio::test]
async fn retries_stop_after_three() {
    let faults = Faults {
        failed_jobs: 10,
        ..Default::default()
    };
    let emulator = emulator(EmulatorConfig {
        complete_after: ms(20),
        faults,
        ..Default::default()
    })
    .await;
    let client = client(&emulator, &[SEARCH], AccessType::OneTime);
    let first = dataportability_export::job::initiate(&client, SEARCH).await.unwrap();

    let error = wait_and_retry(&client, &first, &fast_retry(), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(error, Error::JobFailed { retries: 3, .. }), "{error:?}");

    // A chain resumed with its retries remembered stays within the limit.
    let client = common::client(&emulator, &[YOUTUBE], AccessType::OneTime);
    let other = dataportability_export::job::initiate(&client, YOUTUBE).await.unwrap();
    let options = WaitAndRetryOptions {
        retries_done: 2,
        ..fast_retry()
    };
    let error = wait_and_retry(&client, &other, &options, |_| {}).await.unwrap_err();
    assert!(matches!(error, Error::JobFailed { retries: 3, .. }), "{error:?}");
}
