//! `portabilityArchive.initiate`: one job per call, the access type, unknown groups, one-time
//! exports until `authorization.reset`, and the exported period.

mod common;

use std::time::Duration;

use common::*;
use dataportability_emulator::{AccessType, EmulatorConfig};
use dataportability_v1::models::initiate_portability_archive_response::AccessType as WireAccessType;
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
async fn one_time_access_exports_a_group_once_until_reset() {
    let emulator = emulator().await;
    let client = one_time_client(&emulator, &[SEARCH, YOUTUBE]);
    initiate(&client, &[SEARCH]).await;

    // The quickstart: a second initiate is RESOURCE_EXHAUSTED (429), with a reason that tells
    // it from a rate limit; the client does not retry it.
    let again = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    let error = again.expect_err("exhausted");
    assert_eq!(
        error.as_api_error().and_then(|e| e.reason()),
        Some("ONE_TIME_ACCESS_EXHAUSTED")
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
    initiate(&client, &[SEARCH]).await;

    let too_soon = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    assert_eq!(api_error(too_soon), (400, "FAILED_PRECONDITION".to_owned()));
    emulator.advance_clock(Duration::from_secs(24 * 3600));
    // The first token expired after its hour: the app uses a new one.
    let client = time_based_client(&emulator, &[SEARCH]);
    initiate(&client, &[SEARCH]).await;
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
        initiate(&client, &[SEARCH]).await;
    }
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
