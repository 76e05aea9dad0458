//! `dataportability export` end to end: the binary spawned against an in-process emulator.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use dataportability_emulator::{AccessType, EmulatorConfig, Faults};

fn config(archive_size: u64, faults: Faults) -> EmulatorConfig {
    EmulatorConfig {
        complete_after: Duration::from_millis(100),
        archive_size,
        faults,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_export_of_several_groups_downloads_and_verifies_each() {
    let emulator = emulator(config(200_000, Faults::default())).await;
    let token = token(&emulator, &[SEARCH, YOUTUBE, MAPS], AccessType::OneTime);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let mut args = vec!["--endpoint", emulator.url(), "--token", &token, "export"];
    args.extend([
        "--resource",
        "myactivity.search,myactivity.youtube",
        "--resource",
        MAPS,
        "--out",
        dir,
        "--parallel-downloads",
        "1",
    ]);
    args.extend(FAST);

    let output = run(&args).await;

    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    let state = state_file(out.path());
    let client = client(&emulator, &token);
    for group in [SEARCH, YOUTUBE, MAPS] {
        let entry = &state["groups"][group];
        assert_eq!(entry["status"], "downloaded", "{state}");
        let file = out.path().join(group).join(format!("{group}.zip"));
        assert_eq!(std::fs::metadata(&file).unwrap().len(), 200_000);
        let job = entry["jobId"].as_str().unwrap();
        assert_eq!(md5_of(&file), announced_md5(&client, job).await, "{group}");
        assert!(stdout.contains(&format!("{group}: started job {job}")), "{stdout}");
        assert!(
            stdout.contains(&format!("{group}/{group}.zip (200000 bytes; size, crc32c verified)")),
            "{stdout}"
        );
    }
    assert!(text(&output.stderr).is_empty(), "{}", text(&output.stderr));

    // A second run has nothing left to do (and starts no job: one-time access would refuse).
    let again = run(&args).await;
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(
        text(&again.stdout)
            .matches("(already downloaded; size, crc32c verified when downloaded)")
            .count(),
        3,
        "{}",
        text(&again.stdout)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_failure_is_retried_and_the_export_completes() {
    let emulator = emulator(config(
        50_000,
        Faults {
            failed_jobs: 1,
            ..Default::default()
        },
    ))
    .await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--endpoint",
        emulator.url(),
        "--token",
        &token,
        "export",
        "--resource",
        SEARCH,
    ];
    args.extend(["--out", out.path().to_str().unwrap()]);
    args.extend(FAST);

    let output = run(&args).await;

    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    let entry = &state_file(out.path())["groups"][SEARCH];
    let (first, last) = (
        entry["originalJobId"].as_str().unwrap(),
        entry["jobId"].as_str().unwrap(),
    );
    assert_ne!(first, last);
    assert_eq!(entry["retries"], 1);
    assert!(
        stdout.contains(&format!("job {first} failed; retry 1 of 3 is job {last}")),
        "{stdout}"
    );
    let file = out.path().join(SEARCH).join("myactivity.search.zip");
    assert_eq!(md5_of(&file), announced_md5(&client(&emulator, &token), last).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_are_resumed_and_the_archive_verifies() {
    let faults = Faults {
        dropped_downloads: 3,
        drop_after_bytes: 40_000,
        ..Default::default()
    };
    let emulator = emulator(config(300_000, faults)).await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--endpoint",
        emulator.url(),
        "--token",
        &token,
        "export",
        "--resource",
        SEARCH,
    ];
    args.extend(["--out", out.path().to_str().unwrap()]);
    args.extend(FAST);

    let output = run(&args).await;

    assert!(
        output.status.success(),
        "{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert_eq!(emulator.faults().dropped_downloads, 0, "all three drops happened");
    let stdout = text(&output.stdout);
    for at in [40_000, 80_000, 120_000] {
        let resumed = format!("; resuming at {at} bytes");
        let line = stdout.lines().find(|l| l.ends_with(&resumed));
        let line = line.unwrap_or_else(|| panic!("a line for the drop at {at}: {stdout}"));
        assert!(line.starts_with("myactivity.search: myactivity.search.zip: "), "{line}");
    }
    let job = state_file(out.path())["groups"][SEARCH]["jobId"]
        .as_str()
        .unwrap()
        .to_owned();
    let file = out.path().join(SEARCH).join("myactivity.search.zip");
    assert_eq!(md5_of(&file), announced_md5(&client(&emulator, &token), &job).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_that_expires_mid_download_is_refreshed() {
    // URLs are valid for at most 1 s; the download, held to 256 KiB/s, loses its connection
    // after 400 000 bytes (so after more than 1.2 s): the resume finds its URL expired (400
    // ExpiredToken, as Cloud Storage answers).
    let faults = Faults {
        dropped_downloads: 1,
        drop_after_bytes: 400_000,
        ..Default::default()
    };
    let emulator = emulator(EmulatorConfig {
        url_expiry: Duration::from_secs(1),
        ..config(600_000, faults)
    })
    .await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--endpoint",
        emulator.url(),
        "--token",
        &token,
        "export",
        "--resource",
        SEARCH,
    ];
    args.extend(["--out", out.path().to_str().unwrap(), "--limit-rate", "256KiB"]);
    args.extend(FAST);

    let output = run(&args).await;

    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    assert!(
        stdout.contains("myactivity.search: the URL of myactivity.search.zip expired; going on with a fresh one"),
        "{stdout}"
    );
    let job = state_file(out.path())["groups"][SEARCH]["jobId"]
        .as_str()
        .unwrap()
        .to_owned();
    let file = out.path().join(SEARCH).join("myactivity.search.zip");
    assert_eq!(md5_of(&file), announced_md5(&client(&emulator, &token), &job).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_export_resumes_from_its_state_file_to_identical_bytes() {
    let emulator = emulator(config(2 * 1024 * 1024, Faults::default())).await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let mut args = vec![
        "--endpoint",
        emulator.url(),
        "--token",
        &token,
        "export",
        "--resource",
        SEARCH,
    ];
    args.extend(["--out", dir]);
    args.extend(FAST);
    let part = out.path().join(SEARCH).join("myactivity.search.zip.part");

    // A slow first run (512 KiB/s: 4 s for the archive), killed once a part is on disk.
    let mut slow = args.clone();
    slow.extend(["--limit-rate", "512KiB"]);
    let mut child = command(&slow)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("a part of the archive on disk", Duration::from_secs(30), || {
        std::fs::metadata(&part).is_ok_and(|m| m.len() >= 128 * 1024)
    })
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    let job = state_file(out.path())["groups"][SEARCH]["jobId"]
        .as_str()
        .unwrap()
        .to_owned();
    let kept = std::fs::metadata(&part).unwrap().len();
    assert!(kept < 2 * 1024 * 1024, "killed mid-download");
    assert!(!out.path().join(SEARCH).join("myactivity.search.zip").exists());

    let output = run(&args).await;

    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    assert!(stdout.contains(&format!("{SEARCH}: resuming job {job}")), "{stdout}");
    assert!(!stdout.contains("started job"), "no new job: {stdout}");
    assert!(
        stdout.contains("resuming myactivity.search.zip at "),
        "the download resumed: {stdout}"
    );
    assert_eq!(state_file(out.path())["groups"][SEARCH]["jobId"], job.as_str());
    let file = out.path().join(SEARCH).join("myactivity.search.zip");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 2 * 1024 * 1024);
    assert_eq!(
        md5_of(&file),
        announced_md5(&client(&emulator, &token), &job).await,
        "byte-identical"
    );
    assert!(!part.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupted_download_exits_4_and_leaves_no_file() {
    let body: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let md5 = md5_base64(&body);
    let mut corrupt = body.clone();
    corrupt[77_777] ^= 0x40;
    // A fake API whose archive arrives with a flipped bit under the true checksum.
    let server = fake_server(move |line, base| {
        let json = |body: String| {
            http_response(
                "200 OK",
                &[("content-type", "application/json".into())],
                body.as_bytes(),
            )
        };
        if line.starts_with("POST /v1/portabilityArchive:initiate") {
            json(r#"{"archiveJobId":"j1","accessType":"ACCESS_TYPE_ONE_TIME"}"#.into())
        } else if line.starts_with("GET /v1/archiveJobs/j1/portabilityArchiveState") {
            json(format!(
                r#"{{"state":"COMPLETE","urls":["{base}storage/b/j1/{SEARCH}.zip?Signature=s"]}}"#
            ))
        } else if line.starts_with("GET /storage/") {
            http_response("200 OK", &[("x-goog-hash", format!("md5={md5}"))], &corrupt)
        } else {
            http_response("404 Not Found", &[], b"")
        }
    })
    .await;
    let out = tempfile::tempdir().unwrap();
    let mut args = vec!["--endpoint", &server, "--token", "t", "export", "--resource", SEARCH];
    args.extend(["--out", out.path().to_str().unwrap()]);
    args.extend(FAST);

    let output = run(&args).await;

    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stdout));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.starts_with("error: myactivity.search: verification of myactivity.search.zip failed: md5 mismatch"),
        "{stderr}"
    );
    let files: Vec<_> = std::fs::read_dir(out.path().join(SEARCH)).unwrap().collect();
    assert!(files.is_empty(), "neither the archive nor its part is left: {files:?}");
    assert_eq!(state_file(out.path())["groups"][SEARCH]["status"], "started");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_exits_130_and_the_same_command_resumes_the_job() {
    let config = EmulatorConfig {
        complete_after: Duration::from_secs(3600),
        ..config(50_000, Faults::default())
    };
    let emulator = emulator(config).await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    let out = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--endpoint",
        emulator.url(),
        "--token",
        &token,
        "export",
        "--resource",
        SEARCH,
    ];
    args.extend(["--out", out.path().to_str().unwrap()]);
    args.extend(FAST);
    let state = out.path().join(".dataportability-state.json");

    let child = command(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    eventually("the job in the state file", Duration::from_secs(30), || {
        std::fs::read_to_string(&state).is_ok_and(|s| s.contains("\"jobId\": \"") && !s.contains("\"jobId\": \"\""))
    })
    .await;
    let interrupt = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupt.success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert_eq!(
        text(&output.stderr),
        "error: interrupted; run the same command again to resume\n"
    );

    let job = state_file(out.path())["groups"][SEARCH]["jobId"]
        .as_str()
        .unwrap()
        .to_owned();
    emulator.complete_job(&job).unwrap();
    let output = run(&args).await;
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains(&format!("resuming job {job}")),
        "{}",
        text(&output.stdout)
    );
    assert!(out.path().join(SEARCH).join("myactivity.search.zip").is_file());
}
