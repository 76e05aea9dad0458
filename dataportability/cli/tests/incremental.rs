//! `dataportability export` with time filters and `--incremental`, end to end against the
//! emulator (whose archives carry dated records), its clock moved 25 hours between runs.

mod common;

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig};
use dataportability_v1::models::InitiatePortabilityArchiveRequest;

const DAY_AND_AN_HOUR: Duration = Duration::from_secs(25 * 3600);

/// An emulator whose access tokens outlive the clock moves of these tests: each run here is given
/// the same static token, as a user with `--token` would; refreshing expired tokens is covered by
/// the `--client-secret` tests.
async fn emulator_for_tests() -> Emulator {
    emulator(EmulatorConfig {
        complete_after: Duration::from_millis(100),
        token_lifetime: Duration::from_secs(365 * 24 * 3600),
        ..Default::default()
    })
    .await
}

/// `dataportability export --resource SEARCH --out OUT` with `extra` options.
async fn export(emulator: &Emulator, token: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "--endpoint",
        emulator.url(),
        "--token",
        token,
        "export",
        "--resource",
        SEARCH,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(FAST);
    args.extend(extra);
    run(&args).await
}

fn succeeded(output: &Output) -> String {
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    stdout
}

/// The record times in a downloaded archive.
fn record_times(file: &Path) -> Vec<DateTime<Utc>> {
    let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    zip.by_name(&format!("{SEARCH}/records.json"))
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    let records: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    records
        .iter()
        .map(|r| r["time"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// The record times of one export done directly with the client (not the CLI), for comparison.
async fn direct_export(
    emulator: &Emulator,
    token: &str,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) -> Vec<DateTime<Utc>> {
    let client = client(emulator, token);
    let request = InitiatePortabilityArchiveRequest {
        resources: vec![SEARCH.to_owned()],
        start_time: start,
        end_time: end,
        ..Default::default()
    };
    let job = client.portability_archive().initiate(request).send().await.unwrap();
    let job = job.archive_job_id.unwrap();
    emulator.complete_job(&job).unwrap();
    let state = client
        .archive_jobs()
        .get_portability_archive_state(format!("archiveJobs/{job}/portabilityArchiveState"))
        .send()
        .await
        .unwrap();
    let bytes = reqwest::get(&state.urls[0]).await.unwrap().bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.zip");
    std::fs::write(&file, bytes).unwrap();
    record_times(&file)
}

fn time(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fixed_period_contains_exactly_the_items_in_it() {
    let emulator = emulator_for_tests().await;
    let token = token(&emulator, &[SEARCH], AccessType::TimeBased);
    let out = tempfile::tempdir().unwrap();

    let output = export(
        &emulator,
        &token,
        out.path(),
        &["--start-time", "2022-03-01T00:00:00Z", "--end-time", "2023-03-01"],
    )
    .await;

    let stdout = succeeded(&output);
    assert!(
        stdout.contains("for 2022-03-01T00:00:00Z .. 2023-03-01T00:00:00Z"),
        "the period is in the progress lines: {stdout}"
    );
    assert!(stdout.contains("data until 2023-03-01T00:00:00Z"), "{stdout}");
    let file = out
        .path()
        .join(SEARCH)
        .join("20220301T000000Z--20230301T000000Z")
        .join(format!("{SEARCH}.zip"));
    let period = record_times(&file);
    let entry = &state_file(out.path())["groups"][SEARCH];
    assert_eq!(entry["startTime"], "2022-03-01T00:00:00Z");
    assert_eq!(entry["exportTime"], "2023-03-01T00:00:00Z");

    // The whole history, exported a day later, filtered to the period, is the same list.
    emulator.advance_clock(DAY_AND_AN_HOUR);
    let everything = direct_export(&emulator, &token, None, None).await;
    let expected: Vec<_> = everything
        .into_iter()
        .filter(|t| time("2022-03-01T00:00:00Z") <= *t && *t < time("2023-03-01T00:00:00Z"))
        .collect();
    assert!(expected.len() > 20);
    assert_eq!(period, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_incremental_runs_a_day_apart_export_every_item_exactly_once() {
    let emulator = emulator_for_tests().await;
    let token = token(&emulator, &[SEARCH], AccessType::TimeBased);
    let out = tempfile::tempdir().unwrap();

    let mut files: Vec<PathBuf> = Vec::new();
    let mut export_times: Vec<String> = Vec::new();
    for round in 0..3 {
        if round > 0 {
            emulator.advance_clock(DAY_AND_AN_HOUR);
        }
        let stdout = succeeded(&export(&emulator, &token, out.path(), &["--incremental"]).await);
        let entry = state_file(out.path())["groups"][SEARCH].clone();
        let export_time = entry["exportTime"].as_str().unwrap().to_owned();
        if round == 0 {
            assert!(
                stdout.contains("(incremental: the first export of the group, everything)"),
                "{stdout}"
            );
            assert!(entry.get("startTime").is_none(), "{entry}");
        } else {
            let last = &export_times[round - 1];
            assert!(
                stdout.contains(&format!(
                    "for {last} .. now (incremental: what is new since the last export)"
                )),
                "{stdout}"
            );
            assert_eq!(entry["startTime"].as_str(), Some(last.as_str()), "no gap, no overlap");
            assert_eq!(entry["earlier"].as_array().map(Vec::len), Some(round), "{entry}");
        }
        let file = out.path().join(entry["files"][0].as_str().unwrap());
        assert!(file.starts_with(out.path().join(SEARCH)), "{}", file.display());
        // Each run's directory is made like every other: private, and no link followed.
        assert_eq!(mode(file.parent().unwrap()), 0o700, "{}", file.display());
        assert_eq!(mode(&file), 0o600, "{}", file.display());
        assert!(!files.contains(&file), "each run in its own directory");
        files.push(file);
        export_times.push(export_time);
    }

    // Every earlier run's archive is still there, untouched.
    let runs: Vec<Vec<DateTime<Utc>>> = files.iter().map(|f| record_times(f)).collect();
    assert!(runs[1..].iter().all(|r| !r.is_empty()), "new items every 25 hours");
    let union = runs.concat();

    // Everything up to the last exportTime in one export: the union, each item exactly once.
    emulator.advance_clock(DAY_AND_AN_HOUR);
    let last_end = time(&export_times[2]);
    let everything = direct_export(&emulator, &token, None, Some(last_end)).await;
    assert_eq!(union, everything);
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

/// Points the state file of `out` at `endpoint` (the tool refuses a directory of another one).
fn set_endpoint(out: &Path, endpoint: &str) {
    let mut state = state_file(out);
    state["endpoint"] = endpoint.into();
    std::fs::write(out.join(".dataportability-state.json"), state.to_string()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_initiate_killed_before_its_answer_keeps_the_history_and_is_resent() {
    let emulator = emulator_for_tests().await;
    let token = token(&emulator, &[SEARCH], AccessType::TimeBased);
    let out = tempfile::tempdir().unwrap();
    succeeded(&export(&emulator, &token, out.path(), &["--incremental"]).await);
    let first = state_file(out.path())["groups"][SEARCH].clone();
    let first_end = first["exportTime"].as_str().unwrap().to_owned();

    // The next run's initiate reaches a server that never answers; the run is killed.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hanging = format!("http://{}/", listener.local_addr().unwrap());
    let received = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = received.clone();
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            open.push(socket);
        }
    });
    set_endpoint(out.path(), &hanging);
    let mut args = vec![
        "--endpoint",
        &hanging,
        "--token",
        &token,
        "export",
        "--resource",
        SEARCH,
        "--out",
        out.path().to_str().unwrap(),
        "--incremental",
    ];
    args.extend(FAST);
    let mut child = command(&args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    eventually("the initiate at the server", Duration::from_secs(30), || {
        received.load(std::sync::atomic::Ordering::SeqCst) > 0
    })
    .await;
    // Already on disk: the initiate, its period, and the first export moved to `earlier`.
    let entry = state_file(out.path())["groups"][SEARCH].clone();
    assert_eq!(entry["jobId"], "", "{entry}");
    assert!(entry["initiateSentAt"].as_str().is_some(), "{entry}");
    assert_eq!(entry["startTime"].as_str(), Some(first_end.as_str()), "{entry}");
    assert_eq!(entry["incremental"], true, "{entry}");
    let earlier = entry["earlier"].as_array().unwrap();
    assert_eq!(earlier.len(), 1, "{entry}");
    assert_eq!(earlier[0]["jobId"], first["jobId"], "{entry}");
    assert_eq!(earlier[0]["files"], first["files"], "{entry}");
    child.kill().unwrap();
    child.wait().unwrap();

    // The next run sends the same initiate (the same period) and keeps the history.
    set_endpoint(out.path(), emulator.url());
    emulator.advance_clock(DAY_AND_AN_HOUR);
    let stdout = succeeded(&export(&emulator, &token, out.path(), &["--incremental"]).await);
    assert!(stdout.contains("an earlier run sent initiate at"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "for {first_end} .. now (incremental: what is new since the last export)"
        )),
        "{stdout}"
    );
    let entry = state_file(out.path())["groups"][SEARCH].clone();
    assert_ne!(entry["jobId"], "", "{entry}");
    assert_eq!(entry["earlier"].as_array().map(Vec::len), Some(1), "{entry}");
    assert_eq!(entry["earlier"][0]["jobId"], first["jobId"], "{entry}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_within_24_hours_says_when_the_next_is_allowed() {
    let emulator = emulator_for_tests().await;
    let token = token(&emulator, &[SEARCH], AccessType::TimeBased);
    let out = tempfile::tempdir().unwrap();
    succeeded(&export(&emulator, &token, out.path(), &["--incremental"]).await);
    let before = state_file(out.path());
    let export_time = time(before["groups"][SEARCH]["exportTime"].as_str().unwrap());

    emulator.advance_clock(Duration::from_secs(23 * 3600));
    let output = export(&emulator, &token, out.path(), &["--incremental"]).await;

    assert_eq!(output.status.code(), Some(75), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    // Google's timestamp_after_24hrs: 24 hours after the last export was requested.
    let job = before["groups"][SEARCH]["jobId"].as_str().unwrap();
    let next = (export_time + TimeDelta::hours(24)).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    assert!(
        stderr.contains(&format!(
            "{SEARCH}: Google allows one time-based export of a resource group every 24 hours (previous job(s): \
             {job}); the next export is allowed at {next}"
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(state_file(out.path()), before, "nothing changed");

    // Once the 24 hours have passed, the same command goes on.
    emulator.advance_clock(Duration::from_secs(3600));
    succeeded(&export(&emulator, &token, out.path(), &["--incremental"]).await);
}

#[tokio::test]
async fn a_bad_period_is_refused_before_anything_is_sent() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("never");
    let tomorrow = (Utc::now() + TimeDelta::days(1)).to_rfc3339();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--start-time", "2025-01-01", "--end-time", "2024-01-01"],
            "is not before the end time",
        ),
        (&["--end-time", &tomorrow], "is in the future"),
        (&["--since", "6m"], "write `mo` for months"),
        (&["--incremental", "--since", "30d"], "cannot be used with"),
    ];
    for (extra, expected) in cases {
        // An endpoint where nothing listens: a request would fail differently.
        let mut args = vec![
            "--endpoint",
            "http://127.0.0.1:9/",
            "--token",
            "t",
            "export",
            "--resource",
            SEARCH,
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend(extra);
        let output = run(&args).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
        assert!(!dir.exists(), "nothing written");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_period_is_shown_and_filters() {
    let emulator = emulator_for_tests().await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    let out = tempfile::tempdir().unwrap();
    let stdout = succeeded(&export(&emulator, &token, out.path(), &["--since", "30d"]).await);
    let entry = state_file(out.path())["groups"][SEARCH].clone();
    let start = time(entry["startTime"].as_str().unwrap());
    let age = Utc::now() - start;
    assert!(
        age >= TimeDelta::days(30) && age < TimeDelta::days(30) + TimeDelta::minutes(5),
        "{age}"
    );
    assert!(
        stdout.contains(&format!("for {} .. now", entry["startTime"].as_str().unwrap())),
        "{stdout}"
    );
    let times = record_times(&out.path().join(entry["files"][0].as_str().unwrap()));
    assert!(times.len() > 20, "about two items a day");
    assert!(times.iter().all(|t| *t >= start));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_after_30_days_asks_for_new_consent() {
    let emulator = emulator_for_tests().await;
    let token = token(&emulator, &[SEARCH], AccessType::TimeBased);
    let out = tempfile::tempdir().unwrap();
    succeeded(&export(&emulator, &token, out.path(), &["--incremental"]).await);
    // The grant was first used 31 days ago (the emulator does not end grants: the state file
    // is moved back instead), and the API now refuses the token.
    let path = out.path().join(".dataportability-state.json");
    let mut state = state_file(out.path());
    let long_ago = (Utc::now() - TimeDelta::days(31)).to_rfc3339();
    state["groups"][SEARCH]["startedAt"] = serde_json::json!(long_ago);
    std::fs::write(&path, serde_json::to_vec_pretty(&state).unwrap()).unwrap();

    let output = export(
        &emulator,
        "ya29.a-token-the-emulator-never-minted",
        out.path(),
        &["--incremental"],
    )
    .await;

    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("time-based access lasts 30 days"), "{stderr}");
    assert!(stderr.contains("the user must consent again"), "{stderr}");
}

#[tokio::test]
async fn help_documents_the_time_options_and_exit_code_75() {
    let help = text(&run(&["export", "--help"]).await.stdout);
    for needle in [
        "--start-time <TIME>",
        "--end-time <TIME>",
        "--since <SPAN>",
        "--incremental",
        "--since 6mo",
        "75  too soon",
        "DIR/GROUP/<EXPORT-TIME>/",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}

#[tokio::test]
async fn a_time_filter_for_a_group_without_one_is_refused_before_anything_is_sent() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("never");
    for extra in [
        &["--incremental"][..],
        &["--since", "30d"],
        &["--start-time", "2024-01-01"],
    ] {
        // An endpoint where nothing listens: a request would fail differently.
        let mut args = vec![
            "--endpoint",
            "http://127.0.0.1:9/",
            "--token",
            "t",
            "export",
            "--resource",
            "myactivity.search,youtube.public_videos",
            "--out",
            dir.to_str().unwrap(),
        ];
        args.extend(extra);
        let output = run(&args).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(
            stderr.contains(&format!("{} needs a time filter", extra[0])),
            "{stderr}"
        );
        assert!(
            stderr.contains("not for youtube.public_videos") && stderr.contains("chrome.history, myactivity.maps"),
            "names the groups that take one: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!dir.exists(), "nothing written");
    }
}
