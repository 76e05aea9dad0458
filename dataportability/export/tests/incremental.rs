//! `dataportability_export::incremental` as a program exporting for several users uses it: one directory and
//! one client per user, `export_groups` per run, against the emulator with its clock moved 25
//! hours between runs.

mod common;

use std::io::Read as _;
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::*;
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig};
use dataportability_export::Error;
use dataportability_export::download::Downloader;
use dataportability_export::incremental::{ExportOptions, ExportRequest, GroupExport, export_groups, user_dir};
use dataportability_export::time_range::TimeRange;

const DAY_AND_AN_HOUR: Duration = Duration::from_secs(25 * 3600);

/// The record times of every `records.json` in the ZIP files of `export`.
fn record_times(out: &Path, export: &GroupExport) -> Vec<DateTime<Utc>> {
    let mut times = Vec::new();
    for file in &export.files {
        let bytes = std::fs::read(out.join(file)).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        zip.by_name(&format!("{}/records.json", export.group))
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        let records: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
        times.extend(
            records
                .iter()
                .map(|r| r["time"].as_str().unwrap().parse::<DateTime<Utc>>().unwrap()),
        );
    }
    times
}

struct User {
    out: std::path::PathBuf,
    client: dataportability_v1::Client,
    downloader: Downloader,
}

fn user(emulator: &Emulator, root: &Path, name: &str) -> User {
    let token = emulator
        .mint_token_for(name, [SEARCH, YOUTUBE], AccessType::TimeBased)
        .unwrap();
    let client = client_at(emulator.url(), &token);
    let downloader = Downloader::new(client.clone(), fast_download()).unwrap();
    User {
        out: user_dir(root, name),
        client,
        downloader,
    }
}

async fn run(user: &User, request: &ExportRequest) -> Vec<Result<GroupExport, Error>> {
    let options = ExportOptions {
        retry: fast_retry(),
        now: None,
    };
    export_groups(
        &user.client,
        &user.downloader,
        &user.out,
        &[SEARCH, YOUTUBE],
        request,
        &options,
    )
    .await
    .unwrap()
    .into_iter()
    .map(|(_, result)| result)
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_exports_per_user_and_group_cover_the_history_exactly_once() {
    let emulator = emulator(EmulatorConfig {
        complete_after: ms(10),
        // The same tokens across days of emulator time; their refresh is tested in `download.rs`.
        token_lifetime: Duration::from_secs(365 * 24 * 3600),
        ..Default::default()
    })
    .await;
    let root = tempfile::tempdir().unwrap();
    let users = [
        user(&emulator, root.path(), "ann@example.com"),
        user(&emulator, root.path(), "bob@example.com"),
    ];

    // Three runs, the clock moved 25 hours between them.
    let mut runs: Vec<Vec<Vec<GroupExport>>> = vec![Vec::new(), Vec::new()];
    for round in 0..3 {
        if round > 0 {
            emulator.advance_clock(DAY_AND_AN_HOUR);
        }
        for (user, runs) in users.iter().zip(&mut runs) {
            let exports: Vec<GroupExport> = run(user, &ExportRequest::Incremental)
                .await
                .into_iter()
                .map(Result::unwrap)
                .collect();
            runs.push(exports);
        }
    }

    // Within 24 hours of the last run: refused, with the time of the next allowed export.
    let refused = run(&users[0], &ExportRequest::Incremental).await;
    let last_search = &runs[0][2][0];
    match &refused[0] {
        Err(Error::TooSoon { next_allowed_at, .. }) => {
            let expected = last_search.export_time.map(|t| t + chrono::TimeDelta::hours(24));
            assert_eq!(*next_allowed_at, expected);
        }
        other => panic!("expected TooSoon, got {other:?}"),
    }

    // Everything up to the last exportTime, exported as one fixed period into another
    // directory, is the union of the three runs: each item exactly once.
    emulator.advance_clock(DAY_AND_AN_HOUR);
    for (user, runs) in users.iter().zip(&runs) {
        for (g, group) in [SEARCH, YOUTUBE].into_iter().enumerate() {
            let chain: Vec<&GroupExport> = runs.iter().map(|run| &run[g]).collect();
            assert_eq!(chain[0].range, TimeRange::ALL, "the first run exports everything");
            for pair in chain.windows(2) {
                assert_eq!(pair[1].range.start, pair[0].export_time, "no gap, no overlap");
                assert_ne!(pair[0].files, pair[1].files, "each run in its own directory");
            }
            let mut union = Vec::new();
            for (n, export) in chain.iter().enumerate() {
                let times = record_times(&user.out, export);
                if n > 0 {
                    assert!(!times.is_empty(), "25 hours bring new items");
                }
                union.extend(times);
            }
            let whole = TimeRange {
                start: None,
                end: chain[2].export_time,
            };
            let check = User {
                out: user.out.join("check"),
                client: user.client.clone(),
                downloader: Downloader::new(user.client.clone(), fast_download()).unwrap(),
            };
            let everything = export_groups(
                &check.client,
                &check.downloader,
                &check.out,
                &[group],
                &ExportRequest::Period(whole),
                &ExportOptions {
                    retry: fast_retry(),
                    now: Some(emulator.now()),
                },
            )
            .await
            .unwrap()
            .remove(0)
            .1
            .unwrap();
            assert_eq!(union, record_times(&check.out, &everything), "{group}");
        }
    }

    // The two users' histories differ; each user's files are in their own directory.
    let ann = record_times(&users[0].out, &runs[0][0][0]);
    let bob = record_times(&users[1].out, &runs[1][0][0]);
    assert_ne!(ann, bob);
    assert!(runs[0][0][0].files[0].starts_with("myactivity.search/"));
}

#[tokio::test]
async fn a_period_in_the_future_is_refused_before_anything_is_sent() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let root = tempfile::tempdir().unwrap();
    let user = user(&emulator, root.path(), "ann@example.com");
    let tomorrow = Utc::now() + chrono::TimeDelta::days(1);
    let range = TimeRange {
        start: None,
        end: Some(tomorrow),
    };
    let options = ExportOptions::default();
    let result = export_groups(
        &user.client,
        &user.downloader,
        &user.out,
        &[SEARCH],
        &ExportRequest::Period(range),
        &options,
    )
    .await;
    assert!(matches!(result, Err(Error::TimeRange(_))), "{result:?}");
    assert!(!user.out.exists(), "nothing was written or sent");
}
