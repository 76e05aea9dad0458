//! Jobs: `IN_PROGRESS` → `COMPLETE` after the delay (emulator time) or on a control call,
//! → `FAILED` when failure is injected; URLs only when `COMPLETE`; `retry` and `cancel`.

mod common;

use std::time::Duration;

use common::*;
use dataportability_emulator::{Code, EmulatorConfig, Faults, JobState};
use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::models::{CancelPortabilityArchiveRequest, RetryPortabilityArchiveRequest};
use dataportability_v1::prelude::*;

async fn retry(client: &dataportability_v1::Client, id: &str) -> Result<String, dataportability_v1::Error> {
    let response = client
        .archive_jobs()
        .retry(format!("archiveJobs/{id}"), RetryPortabilityArchiveRequest::default())
        .send()
        .await?;
    Ok(response.archive_job_id.expect("archiveJobId"))
}

async fn cancel(client: &dataportability_v1::Client, id: &str) -> Result<(), dataportability_v1::Error> {
    client
        .archive_jobs()
        .cancel(format!("archiveJobs/{id}"), CancelPortabilityArchiveRequest::default())
        .send()
        .await
        .map(drop)
}

#[tokio::test]
async fn a_job_completes_after_the_delay_on_the_emulator_clock() {
    let emulator = emulator().await; // jobs complete after 10 minutes
    let client = one_time_client(&emulator, &[SEARCH]);
    let id = initiate(&client, &[SEARCH]).await;

    let state = state_of(&client, &id).await;
    assert_eq!(state.state, Some(State::InProgress));
    assert!(state.urls.is_empty(), "no URLs before COMPLETE");
    assert_eq!(
        state.name.as_deref(),
        Some(format!("archiveJobs/{id}/portabilityArchiveState").as_str())
    );
    assert!(state.export_time.is_some() && state.start_time.is_none());

    emulator.advance_clock(Duration::from_secs(9 * 60));
    assert_eq!(state_of(&client, &id).await.state, Some(State::InProgress));
    emulator.advance_clock(Duration::from_secs(60));
    let state = state_of(&client, &id).await;
    assert_eq!(state.state, Some(State::Complete));
    assert_eq!(state.urls.len(), 1);
}

#[tokio::test]
async fn a_job_completes_in_real_time_too() {
    let emulator = emulator_with(EmulatorConfig {
        complete_after: Duration::from_millis(200),
        ..Default::default()
    })
    .await;
    let client = one_time_client(&emulator, &[SEARCH]);
    let id = initiate(&client, &[SEARCH]).await;

    let mut polls = 0;
    let state = loop {
        let state = state_of(&client, &id).await;
        if state.state != Some(State::InProgress) || polls == 100 {
            break state;
        }
        polls += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(state.state, Some(State::Complete), "after {polls} polls");
}

#[tokio::test]
async fn the_control_handle_completes_or_fails_a_job() {
    let emulator = emulator().await;
    let client = one_time_client(&emulator, &[SEARCH, YOUTUBE]);
    let done = initiate(&client, &[SEARCH]).await;
    let failed = initiate(&client, &[YOUTUBE]).await;

    assert_eq!(emulator.complete_job(&done), Ok(JobState::Complete));
    assert_eq!(
        emulator.fail_job(&format!("archiveJobs/{failed}")),
        Ok(JobState::Failed)
    );
    assert_eq!(state_of(&client, &done).await.state, Some(State::Complete));
    let state = state_of(&client, &failed).await;
    assert_eq!(state.state, Some(State::Failed));
    assert!(state.urls.is_empty(), "no URLs for a FAILED job");
    assert_eq!(
        emulator.complete_job(&failed).map_err(|e| e.code),
        Err(Code::FailedPrecondition)
    );
    assert_eq!(
        emulator.complete_job("no-such-job").map_err(|e| e.code),
        Err(Code::NotFound)
    );
}

#[tokio::test]
async fn an_injected_failure_ends_the_job_failed_at_its_due_time() {
    let faults = Faults {
        failed_jobs: 1,
        ..Default::default()
    };
    let emulator = emulator_with(EmulatorConfig {
        faults,
        ..Default::default()
    })
    .await;
    let client = one_time_client(&emulator, &[SEARCH, YOUTUBE]);
    let failing = initiate(&client, &[SEARCH]).await;
    let fine = initiate(&client, &[YOUTUBE]).await;

    assert_eq!(state_of(&client, &failing).await.state, Some(State::InProgress));
    emulator.advance_clock(Duration::from_secs(600));
    assert_eq!(state_of(&client, &failing).await.state, Some(State::Failed));
    assert_eq!(state_of(&client, &fine).await.state, Some(State::Complete));
}

#[tokio::test]
async fn a_state_shows_the_requested_start_time_and_export_time() {
    let emulator = emulator().await;
    let client = time_based_client(&emulator, &[SEARCH]);
    let start = "2022-02-02T02:02:02.5Z".parse().expect("time");
    let request = dataportability_v1::models::InitiatePortabilityArchiveRequest {
        start_time: Some(start),
        ..request(&[SEARCH])
    };
    let before = emulator.now();
    let id = client
        .portability_archive()
        .initiate(request)
        .send()
        .await
        .expect("initiate")
        .archive_job_id
        .expect("id");

    let state = state_of(&client, &id).await;
    assert_eq!(state.start_time, Some(start));
    let export = state.export_time.expect("exportTime");
    assert!(
        export >= before && export <= emulator.now(),
        "without endTime, exportTime is the request time"
    );
}

#[tokio::test]
async fn the_fields_parameter_gives_a_partial_response() {
    let emulator = emulator().await;
    let client = one_time_client(&emulator, &[SEARCH]);
    let id = initiate(&client, &[SEARCH]).await;
    emulator.complete_job(&id).expect("complete");

    let state = client
        .archive_jobs()
        .get_portability_archive_state(format!("archiveJobs/{id}/portabilityArchiveState"))
        .fields("state,urls")
        .send()
        .await
        .expect("state");
    assert_eq!(state.state, Some(State::Complete));
    assert_eq!(state.urls.len(), 1);
    assert_eq!((state.name, state.export_time), (None, None));
}

#[tokio::test]
async fn retry_is_only_for_a_failed_job_and_gives_a_new_job_for_the_same_groups() {
    let emulator = emulator().await;
    let client = one_time_client(&emulator, &[SEARCH, YOUTUBE]);
    let id = initiate(&client, &[SEARCH, YOUTUBE]).await;

    assert_eq!(
        api_error(retry(&client, &id).await),
        (400, "FAILED_PRECONDITION".to_owned()),
        "IN_PROGRESS"
    );
    emulator.fail_job(&id).expect("fail");
    let new_id = retry(&client, &id).await.expect("retry of a FAILED job");
    assert_ne!(new_id, id);
    assert_eq!(
        state_of(&client, &id).await.state,
        Some(State::Failed),
        "the failed job stays FAILED"
    );
    assert_eq!(state_of(&client, &new_id).await.state, Some(State::InProgress));
    let urls = completed_urls(&emulator, &client, &new_id).await;
    assert_eq!(urls.len(), 2, "the same two groups");
    assert_eq!(
        api_error(retry(&client, &new_id).await),
        (400, "FAILED_PRECONDITION".to_owned()),
        "COMPLETE"
    );
    assert_eq!(
        api_error(retry(&client, "unknown").await),
        (404, "NOT_FOUND".to_owned())
    );
}

#[tokio::test]
async fn retry_at_most_three_times_per_original_job() {
    let emulator = emulator().await;
    let client = one_time_client(&emulator, &[SEARCH]);
    let mut id = initiate(&client, &[SEARCH]).await;
    for _ in 0..3 {
        emulator.fail_job(&id).expect("fail");
        id = retry(&client, &id).await.expect("one of three retries");
    }
    emulator.fail_job(&id).expect("fail");

    let fourth = retry(&client, &id).await;
    let message = fourth
        .as_ref()
        .err()
        .and_then(|e| e.as_api_error())
        .map(|e| e.message.clone())
        .unwrap_or_default();
    assert_eq!(api_error(fourth), (400, "FAILED_PRECONDITION".to_owned()));
    assert!(message.contains("3 times"), "{message}");
}

#[tokio::test]
async fn cancel_only_a_time_based_job_in_progress() {
    let emulator = emulator().await;
    let time_based = time_based_client(&emulator, &[SEARCH, YOUTUBE]);
    let one_time = one_time_client(&emulator, &["chrome.history"]);
    let running = initiate(&time_based, &[SEARCH]).await;
    let finished = initiate(&time_based, &[YOUTUBE]).await;
    let one_time_job = initiate(&one_time, &["chrome.history"]).await;
    emulator.complete_job(&finished).expect("complete");

    cancel(&time_based, &running)
        .await
        .expect("cancel an IN_PROGRESS time-based job");
    assert_eq!(state_of(&time_based, &running).await.state, Some(State::Cancelled));
    assert_eq!(
        api_error(cancel(&time_based, &running).await),
        (400, "FAILED_PRECONDITION".to_owned()),
        "already CANCELLED"
    );
    assert_eq!(
        api_error(cancel(&time_based, &finished).await),
        (400, "FAILED_PRECONDITION".to_owned()),
        "COMPLETE"
    );
    assert_eq!(
        api_error(cancel(&one_time, &one_time_job).await),
        (400, "FAILED_PRECONDITION".to_owned()),
        "one-time"
    );
    assert_eq!(state_of(&one_time, &one_time_job).await.state, Some(State::InProgress));
    // A cancelled job never completes (read with a new token: the first one expired).
    emulator.advance_clock(Duration::from_secs(3600));
    let time_based = time_based_client(&emulator, &[SEARCH, YOUTUBE]);
    assert_eq!(state_of(&time_based, &running).await.state, Some(State::Cancelled));
}

#[tokio::test]
async fn cancel_frees_the_groups_of_the_cancelled_job() {
    // The methods guide's example: cancel the job for myactivity.youtube and
    // youtube.public_videos, then start one for myactivity.youtube at once.
    let emulator = emulator().await;
    let client = time_based_client(&emulator, &[YOUTUBE, "youtube.public_videos"]);
    let both = initiate(&client, &[YOUTUBE, "youtube.public_videos"]).await;
    let too_soon = client.portability_archive().initiate(request(&[YOUTUBE])).send().await;
    assert_eq!(api_error(too_soon), (429, "RESOURCE_EXHAUSTED".to_owned()));

    cancel(&client, &both).await.expect("cancel");
    let youtube = initiate(&client, &[YOUTUBE]).await;
    assert_eq!(state_of(&client, &youtube).await.state, Some(State::InProgress));
    // The new job is not cancelled, so its group is taken again for 24 hours (and the same
    // export again finds it running).
    let again = client.portability_archive().initiate(request(&[YOUTUBE])).send().await;
    assert_eq!(api_error(again), (409, "ALREADY_EXISTS".to_owned()));
    emulator.complete_job(&youtube).expect("complete");
    let again = client.portability_archive().initiate(request(&[YOUTUBE])).send().await;
    assert_eq!(api_error(again), (429, "RESOURCE_EXHAUSTED".to_owned()));
}
