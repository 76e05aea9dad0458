//! `startTime`/`endTime` select the dated records of an archive, and `exportTime` chains
//! successive exports: the uses of Google's time-filter quickstart
//! (<https://developers.google.com/data-portability/user-guide/time-filter>).

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::*;
use dataportability_emulator::{Emulator, EmulatorConfig};
use dataportability_v1::Client;
use dataportability_v1::models::InitiatePortabilityArchiveRequest;

const DAY_AND_AN_HOUR: Duration = Duration::from_secs(25 * 3600);

/// An emulator whose access tokens outlive the days these tests move its clock by (token expiry
/// has its own tests in `oauth.rs`).
async fn long_lived_tokens() -> Emulator {
    emulator_with(EmulatorConfig {
        token_lifetime: Duration::from_secs(365 * 24 * 3600),
        ..EmulatorConfig::default()
    })
    .await
}

/// One completed export of `SEARCH` for `[start, end)`: its `startTime`, its `exportTime` and the
/// times of its records.
async fn export(
    emulator: &Emulator,
    client: &Client,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) -> (Option<DateTime<Utc>>, DateTime<Utc>, Vec<DateTime<Utc>>) {
    let request = InitiatePortabilityArchiveRequest {
        start_time: start,
        end_time: end,
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
    let urls = completed_urls(emulator, client, &id).await;
    let state = state_of(client, &id).await;
    let bytes = download(&urls[0]).await.bytes().await.expect("body");
    (
        state.start_time,
        state.export_time.expect("exportTime"),
        record_times(&bytes),
    )
}

#[tokio::test]
async fn a_fixed_period_holds_exactly_its_items() {
    let emulator = long_lived_tokens().await;
    let client = time_based_client(&emulator, &[SEARCH]);
    let (_, _, everything) = export(&emulator, &client, None, None).await;
    assert!(everything.len() > 200, "years of history: {}", everything.len());
    assert!(everything.windows(2).all(|w| w[0] < w[1]));

    emulator.advance_clock(DAY_AND_AN_HOUR);
    let start: DateTime<Utc> = "2022-03-01T00:00:00Z".parse().expect("time");
    let end: DateTime<Utc> = "2023-03-01T00:00:00+00:00".parse().expect("time");
    let (start_time, export_time, period) = export(&emulator, &client, Some(start), Some(end)).await;

    assert_eq!((start_time, export_time), (Some(start), end), "as the reference says");
    let expected: Vec<_> = everything.into_iter().filter(|t| start <= *t && *t < end).collect();
    assert!(expected.len() > 20);
    assert_eq!(period, expected);
}

#[tokio::test]
async fn new_items_appear_as_the_clock_moves_and_export_times_chain_without_gap_or_overlap() {
    let emulator = long_lived_tokens().await;
    let client = time_based_client(&emulator, &[SEARCH]);

    let requested = emulator.now();
    let (start_time, first_end, first) = export(&emulator, &client, None, None).await;
    assert_eq!(start_time, None, "startTime is set only when requested");
    assert!(
        first_end >= requested && first_end <= emulator.now(),
        "exportTime is the request time"
    );
    assert!(first.iter().all(|t| *t < first_end));

    let mut runs = vec![first];
    let mut last_end = first_end;
    for _ in 0..2 {
        emulator.advance_clock(DAY_AND_AN_HOUR);
        let (start_time, end, items) = export(&emulator, &client, Some(last_end), None).await;
        assert_eq!(start_time, Some(last_end));
        assert!(!items.is_empty(), "25 hours bring new items");
        assert!(items.iter().all(|t| last_end <= *t && *t < end), "{items:?}");
        runs.push(items);
        last_end = end;
    }

    // Everything up to the last exportTime, exported again in one go, is the union of the runs.
    emulator.advance_clock(DAY_AND_AN_HOUR);
    let (_, _, all) = export(&emulator, &client, None, Some(last_end)).await;
    assert_eq!(runs.concat(), all);
}
