//! `portabilityArchive.initiate`: one job per call, the access type, unknown groups, one-time
//! exports until `authorization.reset`, and the exported period.

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::*;
use dataportability_emulator::{AccessType, EmulatorConfig, TimeBasedRefusal};
use dataportability_v1::models::initiate_portability_archive_response::AccessType as WireAccessType;
use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::models::{InitiatePortabilityArchiveRequest, ResetAuthorizationRequest};

#[tokio::test]
async fn each_call_creates_one_job_with_its_access_type() {
    let emulator = emulator().await;
    let one_time = one_time_client(&emulator, &[SEARCH, YOUTUBE]);
    let time_based = time_based_client(&emulator, &["chrome.history"]);

    let both = one_time
        .portability_archive()
        .initiate(request(&[SEARCH, YOUTUBE]))
        .send()
        .await
        .expect("initiate");
    assert_eq!(both.access_type, Some(WireAccessType::AccessTypeOneTime));
    let both_id = both.archive_job_id.expect("id");
    let other = time_based
        .portability_archive()
        .initiate(request(&["chrome.history"]))
        .send()
        .await
        .expect("initiate");
    assert_eq!(other.access_type, Some(WireAccessType::AccessTypeTimeBased));
    assert_ne!(other.archive_job_id.as_deref(), Some(both_id.as_str()));

    // One job for both groups: one archive URL per group when complete.
    let urls = completed_urls(&emulator, &one_time, &both_id).await;
    assert_eq!(urls.len(), 2);
    assert!(
        urls[0].contains("/myactivity.search.zip?") && urls[1].contains("/myactivity.youtube.zip?"),
        "{urls:?}"
    );
}

#[tokio::test]
async fn an_unknown_resource_group_is_400() {
    let emulator = emulator().await;
    let client = one_time_client(&emulator, &[SEARCH]);

    let result = client
        .portability_archive()
        .initiate(request(&[SEARCH, "myactivity.unknown"]))
        .send()
        .await;
    let message = result
        .as_ref()
        .err()
        .and_then(|e| e.as_api_error())
        .map(|e| e.message.clone())
        .unwrap_or_default();
    assert_eq!(api_error(result), (400, "INVALID_ARGUMENT".to_owned()));
    assert!(message.contains("myactivity.unknown"), "{message}");
    let empty = client.portability_archive().initiate(request(&[])).send().await;
    assert_eq!(api_error(empty), (400, "INVALID_ARGUMENT".to_owned()));
    // The rejected calls exported nothing.
    initiate(&client, &[SEARCH]).await;
}

#[tokio::test]
async fn the_same_export_while_it_runs_is_already_exists_naming_the_job() {
    let emulator = emulator().await;
    for (access, reason) in [
        (AccessType::OneTime, "ALREADY_EXISTS_ONE_TIME"),
        (AccessType::TimeBased, "ALREADY_EXISTS_TIME_BASED"),
    ] {
        let user = format!("{reason}@example.com");
        let token = emulator
            .mint_token_for(&user, [SEARCH, YOUTUBE], access)
            .expect("token");
        let client = client(&emulator, &token);
        let running = initiate(&client, &[SEARCH, YOUTUBE]).await;

        // data-portability-quickstart.py: 409 with ErrorInfo reason and metadata job_id.
        let again = client
            .portability_archive()
            .initiate(request(&[YOUTUBE, SEARCH]))
            .send()
            .await;
        let error = again.expect_err("already exists");
        assert_eq!(error.reason(), Some(reason));
        assert_eq!(error.metadata("job_id"), Some(running.as_str()));
        assert!(!error.is_retryable());
        assert_eq!(api_error(Err::<(), _>(error)), (409, "ALREADY_EXISTS".to_owned()));
        // The adopted id is the job: its state reads, and it completes.
        emulator.complete_job(&running).expect("complete");
        assert_eq!(state_of(&client, &running).await.state, Some(State::Complete));
        let jobs = emulator.jobs();
        assert_eq!(jobs.iter().filter(|j| j.user == user).count(), 1, "{jobs:?}");
    }
}

#[tokio::test]
async fn one_time_access_exports_a_group_once_until_reset() {
    let emulator = emulator().await;
    let client = one_time_client(&emulator, &[SEARCH, YOUTUBE]);
    let first = initiate(&client, &[SEARCH]).await;
    emulator.fail_job(&first).expect("fail");
    let retried = client
        .archive_jobs()
        .retry(format!("archiveJobs/{first}"), Default::default())
        .send()
        .await
        .expect("retry")
        .archive_job_id
        .expect("id");
    emulator.complete_job(&retried).expect("complete");

    // The quickstart: a second initiate is RESOURCE_EXHAUSTED (429); Google's sample reads the
    // reason RESOURCE_EXHAUSTED_ONE_TIME and the jobs that used the group (the job, then its
    // retries; comma-separated: our encoding). The client does not retry it.
    let again = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    let error = again.expect_err("exhausted");
    assert_eq!(error.reason(), Some("RESOURCE_EXHAUSTED_ONE_TIME"));
    assert_eq!(
        error.metadata("previous_job_ids"),
        Some(format!("{first},{retried}").as_str())
    );
    assert!(!error.is_retryable(), "never retried as transient");
    assert_eq!(api_error(Err::<(), _>(error)), (429, "RESOURCE_EXHAUSTED".to_owned()));
    let overlapping = client
        .portability_archive()
        .initiate(request(&[YOUTUBE, SEARCH]))
        .send()
        .await;
    assert_eq!(api_error(overlapping), (429, "RESOURCE_EXHAUSTED".to_owned()));
    // Even a new token of the same user and client cannot: the group is used up for the pair.
    let fresh = one_time_client(&emulator, &[SEARCH]);
    assert_eq!(
        api_error(fresh.portability_archive().initiate(request(&[SEARCH])).send().await).1,
        "RESOURCE_EXHAUSTED"
    );

    fresh
        .authorization()
        .reset(ResetAuthorizationRequest::default())
        .send()
        .await
        .expect("reset");
    // Every token of the user is revoked, not only the one that reset.
    assert_eq!(api_error(state(&fresh, "any").await).0, 401);
    assert_eq!(
        api_error(client.portability_archive().initiate(request(&[YOUTUBE])).send().await).0,
        401
    );
    let after_reset = one_time_client(&emulator, &[SEARCH]);
    initiate(&after_reset, &[SEARCH]).await;
}

#[tokio::test]
async fn time_based_access_exports_a_group_again_after_the_interval() {
    let emulator = emulator().await;
    let client = time_based_client(&emulator, &[SEARCH]);
    let first = initiate(&client, &[SEARCH]).await;
    emulator.complete_job(&first).expect("complete");
    let first_at = emulator.now();

    // Google's sample: 429, RESOURCE_EXHAUSTED_TIME_BASED, previous_job_ids and
    // timestamp_after_24hrs ("Please wait until ... to initiate a new job").
    let too_soon = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    let error = too_soon.expect_err("too soon");
    assert_eq!(error.reason(), Some("RESOURCE_EXHAUSTED_TIME_BASED"));
    assert_eq!(error.metadata("previous_job_ids"), Some(first.as_str()));
    let after: DateTime<Utc> = error
        .metadata("timestamp_after_24hrs")
        .and_then(|t| t.parse().ok())
        .expect("an RFC 3339 time");
    let expected = first_at + chrono::TimeDelta::hours(24);
    assert!(
        (after - expected).num_seconds().abs() <= 1,
        "{after} is 24 hours after the export ({first_at})"
    );
    assert!(!error.is_retryable());
    assert_eq!(api_error(Err::<(), _>(error)), (429, "RESOURCE_EXHAUSTED".to_owned()));
    emulator.advance_clock(Duration::from_secs(24 * 3600));
    // The first token expired after its hour: the app uses a new one.
    let client = time_based_client(&emulator, &[SEARCH]);
    initiate(&client, &[SEARCH]).await;
}

#[tokio::test]
async fn the_time_based_guides_failed_precondition_is_behind_a_flag() {
    let emulator = emulator_with(EmulatorConfig {
        time_based_refusal: TimeBasedRefusal::FailedPrecondition,
        ..Default::default()
    })
    .await;
    let client = time_based_client(&emulator, &[SEARCH]);
    let first = initiate(&client, &[SEARCH]).await;
    emulator.complete_job(&first).expect("complete");

    let too_soon = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    let message = too_soon
        .as_ref()
        .err()
        .and_then(|e| e.as_api_error())
        .map(|e| e.message.clone())
        .unwrap_or_default();
    assert_eq!(too_soon.as_ref().err().and_then(|e| e.reason()), None);
    assert_eq!(api_error(too_soon), (400, "FAILED_PRECONDITION".to_owned()));
    assert!(message.contains("the next export is allowed from 20"), "{message}");
}

#[tokio::test]
async fn time_based_exports_are_unlimited_with_a_zero_interval() {
    let emulator = emulator_with(EmulatorConfig {
        time_based_interval: Duration::ZERO,
        ..Default::default()
    })
    .await;
    let client = time_based_client(&emulator, &[SEARCH]);
    for _ in 0..3 {
        let id = initiate(&client, &[SEARCH]).await;
        emulator.complete_job(&id).expect("complete");
    }
}

#[tokio::test]
async fn time_filters_are_refused_for_groups_the_guide_does_not_list() {
    let emulator = emulator().await;
    let client = time_based_client(&emulator, &[SEARCH, "youtube.public_videos"]);
    let filtered = |groups: &[&str]| InitiatePortabilityArchiveRequest {
        start_time: Some("2024-01-01T00:00:00Z".parse().expect("time")),
        ..request(groups)
    };

    let refused = client
        .portability_archive()
        .initiate(filtered(&[SEARCH, "youtube.public_videos"]))
        .send()
        .await;
    let message = refused
        .as_ref()
        .err()
        .and_then(|e| e.as_api_error())
        .map(|e| e.message.clone())
        .unwrap_or_default();
    assert_eq!(api_error(refused), (400, "INVALID_ARGUMENT".to_owned()));
    assert!(
        message.contains("not for youtube.public_videos") && message.contains("chrome.history"),
        "names the group and the groups that take a filter: {message}"
    );
    // Without a filter the group exports; a listed group takes one.
    initiate(&client, &["youtube.public_videos"]).await;
    let listed = client.portability_archive().initiate(filtered(&[SEARCH])).send().await;
    assert!(listed.is_ok(), "{listed:?}");
}

#[tokio::test]
async fn end_before_start_is_400() {
    let emulator = emulator().await;
    let client = time_based_client(&emulator, &[SEARCH]);
    let request = InitiatePortabilityArchiveRequest {
        start_time: Some("2024-05-01T00:00:00Z".parse().expect("time")),
        end_time: Some("2024-04-01T00:00:00Z".parse().expect("time")),
        ..request(&[SEARCH])
    };

    let result = client.portability_archive().initiate(request).send().await;
    assert_eq!(api_error(result), (400, "INVALID_ARGUMENT".to_owned()));
    initiate(&client, &[SEARCH]).await;
}

#[tokio::test]
async fn start_and_end_time_select_the_exported_records() {
    let emulator = emulator().await;
    let client = time_based_client(&emulator, &[SEARCH]);
    let start = "2021-01-15T00:00:00Z".parse().expect("time");
    let end = "2021-06-01T00:00:00+02:00".parse().expect("time");
    let request = InitiatePortabilityArchiveRequest {
        start_time: Some(start),
        end_time: Some(end),
        ..request(&[SEARCH])
    };
    let id = client
        .portability_archive()
        .initiate(request)
        .send()
        .await
        .expect("initiate")
        .archive_job_id
        .expect("id");

    let urls = completed_urls(&emulator, &client, &id).await;
    let state = state_of(&client, &id).await;
    assert_eq!(state.start_time, Some(start));
    assert_eq!(state.export_time, Some(end), "exportTime is the requested end time");
    let bytes = download(&urls[0]).await.bytes().await.expect("body");
    let times = record_times(&bytes);
    // Sparse history (about one item every ten days) in [2021-01-15, 2021-05-31T22:00Z).
    assert!(times.len() > 8, "{times:?}");
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    assert!(times.iter().all(|t| start <= *t && *t < end), "{times:?}");
    // That they are exactly the items of the period: `time_filter::a_fixed_period_holds_exactly_its_items`.
}

#[tokio::test]
async fn one_time_access_honours_a_time_filter_too() {
    let emulator = emulator().await;
    let token = emulator.mint_token([SEARCH], AccessType::OneTime).expect("token");
    let client = client(&emulator, &token);
    let start = "2023-12-01T00:00:00Z".parse().expect("time");
    let request = InitiatePortabilityArchiveRequest {
        start_time: Some(start),
        ..request(&[SEARCH])
    };
    let id = client
        .portability_archive()
        .initiate(request)
        .send()
        .await
        .expect("initiate")
        .archive_job_id
        .expect("id");

    let urls = completed_urls(&emulator, &client, &id).await;
    let bytes = download(&urls[0]).await.bytes().await.expect("body");
    let times = record_times(&bytes);
    assert!(!times.is_empty() && times.iter().all(|t| *t >= start), "{times:?}");
}
