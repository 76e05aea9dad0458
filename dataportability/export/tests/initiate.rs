//! `dataportability_export::incremental::initiate` reading Google's refusals against the emulator:
//! an `initiate` whose answer was lost is adopted while its job runs (`ALREADY_EXISTS_*`) and
//! recovered once it completed (`RESOURCE_EXHAUSTED_*` naming it); otherwise the refusal names
//! the previous jobs and, for time-based access, the next allowed time.

mod common;

use chrono::Utc;
use common::*;
use dataportability_emulator::{AccessType, EmulatorConfig, TimeBasedRefusal};
use dataportability_export::Error;
use dataportability_export::download::Downloader;
use dataportability_export::incremental::{
    ExportOptions, ExportRequest, Initiated, Origin, export_groups, initiate, started,
};
use dataportability_export::state_file::GroupStatus;
use dataportability_export::time_range::{TIME_FILTER_GROUPS, TimeRange, TimeRangeError};
use dataportability_v1::Client;

/// A client of a fresh user's consent for `SEARCH`.
fn fresh(emulator: &dataportability_emulator::Emulator, user: &str, access: AccessType) -> Client {
    let token = emulator.mint_token_for(user, [SEARCH], access).unwrap();
    client_at(emulator.url(), &token)
}

/// Initiates a job as a run whose answer was lost: the job exists, nobody saved its id.
async fn lost_initiate(client: &Client) -> String {
    dataportability_export::job::initiate(client, SEARCH).await.unwrap()
}

#[tokio::test]
async fn a_lost_answer_is_adopted_while_its_job_runs_then_recovered_once_complete() {
    let emulator = emulator(EmulatorConfig {
        complete_after: ms(3_600_000),
        ..Default::default()
    })
    .await;
    let client = fresh(&emulator, "ann@example.com", AccessType::OneTime);
    let lost = lost_initiate(&client).await;

    let adopted = initiate(&client, SEARCH, &TimeRange::ALL, None).await.unwrap();
    assert_eq!(
        adopted,
        Initiated {
            job_id: lost.clone(),
            access_type: Some("ACCESS_TYPE_ONE_TIME".into()),
            origin: Origin::Adopted,
        }
    );
    assert_eq!(
        dataportability_export::job::initiate(&client, SEARCH).await.unwrap(),
        lost,
        "the simple initiate adopts too"
    );

    emulator.complete_job(&lost).unwrap();
    let recovered = initiate(&client, SEARCH, &TimeRange::ALL, None).await.unwrap();
    assert_eq!(
        (recovered.job_id.as_str(), &recovered.origin),
        (lost.as_str(), &Origin::Recovered)
    );

    // A job the state file knows (an earlier export) is not taken again: the refusal names it.
    let mut known = started(None, &recovered, &TimeRange::ALL, false, Utc::now());
    known.status = GroupStatus::Downloaded;
    let refused = initiate(&client, SEARCH, &TimeRange::ALL, Some(&known))
        .await
        .unwrap_err();
    match &refused {
        Error::Exhausted { previous_job_ids, .. } => assert_eq!(previous_job_ids, &[lost.as_str()]),
        other => panic!("expected Exhausted, got {other:?}"),
    }
    assert_eq!(emulator.jobs().len(), 1, "never a second job");
}

#[tokio::test]
async fn a_previous_job_without_an_archive_leaves_the_refusal_with_its_ids() {
    let emulator = emulator(EmulatorConfig {
        complete_after: ms(3_600_000),
        ..Default::default()
    })
    .await;
    let client = fresh(&emulator, "bob@example.com", AccessType::OneTime);
    let lost = lost_initiate(&client).await;
    emulator.fail_job(&lost).unwrap();

    let refused = initiate(&client, SEARCH, &TimeRange::ALL, None).await.unwrap_err();
    assert!(refused.is_exhausted(), "{refused:?}");
    assert!(
        refused.to_string().contains(&format!("(previous job(s): {lost})")),
        "{refused}"
    );
}

#[tokio::test]
async fn both_time_based_refusals_say_when_the_next_export_is_allowed() {
    for form in [
        TimeBasedRefusal::ResourceExhausted,
        TimeBasedRefusal::FailedPrecondition,
    ] {
        let emulator = emulator(EmulatorConfig {
            complete_after: ms(3_600_000),
            time_based_refusal: form,
            ..Default::default()
        })
        .await;
        let client = fresh(&emulator, "cy@example.com", AccessType::TimeBased);
        let first = initiate(&client, SEARCH, &TimeRange::ALL, None).await.unwrap();
        emulator.complete_job(&first.job_id).unwrap();
        let mut entry = started(None, &first, &TimeRange::ALL, false, emulator.now());
        entry.status = GroupStatus::Downloaded;
        let expected = emulator.now() + chrono::TimeDelta::hours(24);

        let refused = initiate(&client, SEARCH, &TimeRange::ALL, Some(&entry))
            .await
            .unwrap_err();
        let Error::TooSoon {
            next_allowed_at: Some(next),
            previous_job_ids,
            ..
        } = &refused
        else {
            panic!("{form:?}: expected TooSoon with a time, got {refused:?}")
        };
        assert!(
            (*next - expected).num_seconds().abs() <= 5,
            "{form:?}: {next} vs {expected}"
        );
        match form {
            TimeBasedRefusal::ResourceExhausted => assert_eq!(previous_job_ids, &[first.job_id.as_str()]),
            TimeBasedRefusal::FailedPrecondition => assert!(previous_job_ids.is_empty()),
        }
    }
}

#[tokio::test]
async fn a_time_filter_for_a_group_without_one_is_refused_before_anything_is_sent() {
    assert_eq!(
        TIME_FILTER_GROUPS,
        dataportability_emulator::groups::TIME_FILTER_GROUPS,
        "the library and the emulator read the time-filter guide alike"
    );
    let emulator = emulator(EmulatorConfig::default()).await;
    let client = fresh(&emulator, "dee@example.com", AccessType::TimeBased);
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let downloader = Downloader::new(client.clone(), fast_download()).unwrap();
    let result = export_groups(
        &client,
        &downloader,
        &out,
        &[SEARCH, "youtube.public_videos"],
        &ExportRequest::Incremental,
        &ExportOptions::default(),
    )
    .await;
    match result {
        Err(Error::TimeRange(TimeRangeError::NoTimeFilter { groups })) => assert_eq!(groups, ["youtube.public_videos"]),
        other => panic!("expected NoTimeFilter, got {other:?}"),
    }
    assert!(
        !out.exists() && emulator.jobs().is_empty(),
        "nothing was written or sent"
    );
}
