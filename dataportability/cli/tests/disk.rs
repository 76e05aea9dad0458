//! `dataportability export` on a real disk, through the binary: one run per directory, no
//! link followed, private modes, bounded writes, unique names, the initiate saved before it is
//! sent.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::*;
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig, Faults};

const LOCK: &str = ".dataportability.lock";
const STATE: &str = ".dataportability-state.json";

fn config(complete_after: Duration) -> EmulatorConfig {
    EmulatorConfig {
        complete_after,
        archive_size: 100_000,
        faults: Faults::default(),
        ..Default::default()
    }
}

/// The arguments of an export of `group` into `out` from `endpoint`.
fn export_args(endpoint: &str, token: &str, group: &str, out: &Path) -> Vec<String> {
    let mut args: Vec<String> = [
        "--endpoint",
        endpoint,
        "--token",
        token,
        "export",
        "--resource",
        group,
        "--out",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(out.to_str().unwrap().to_owned());
    args.extend(FAST.iter().map(|s| s.to_string()));
    args
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// A fresh user's one-time token for `group` (one-time access exports a group once per user).
fn fresh_token(emulator: &Emulator, user: &str, group: &str) -> String {
    emulator
        .mint_token_for(user, [group], AccessType::OneTime)
        .expect("token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_in_the_same_directory_exits_at_once_and_a_stale_lock_is_taken_over() {
    let emulator = emulator(config(Duration::from_secs(3600))).await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let args = export_args(emulator.url(), &token, SEARCH, &out);

    // The first run waits for its job (it completes in an hour).
    let first = command(&refs(&args))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lock = out.join(LOCK);
    eventually("the first run's job", Duration::from_secs(30), || {
        std::fs::read_to_string(out.join(STATE))
            .is_ok_and(|s| s.contains("\"jobId\": \"") && !s.contains("\"jobId\": \"\""))
    })
    .await;
    let holder = std::fs::read_to_string(&lock).unwrap();
    assert!(
        holder.starts_with(&format!("pid {}, started 20", first.id())),
        "{holder}"
    );
    assert_eq!(mode(&lock), 0o600);

    let second = run(&refs(&args)).await;
    assert_eq!(second.status.code(), Some(2), "the usage exit code");
    let stderr = text(&second.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("is in use by another export (pid {}, started 20", first.id())),
        "{stderr}"
    );
    assert!(
        text(&second.stdout).is_empty(),
        "it did nothing: {}",
        text(&second.stdout)
    );

    // Interrupted, the first run releases its lock.
    std::process::Command::new("kill")
        .args(["-INT", &first.id().to_string()])
        .status()
        .unwrap();
    let output = tokio::task::spawn_blocking(move || first.wait_with_output().unwrap())
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    assert!(!lock.exists(), "released on exit");

    // Killed (SIGKILL), a run leaves its lock file: the next run takes it over and says so.
    let mut killed = command(&refs(&args))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let killed_pid = killed.id();
    eventually("the lock file", Duration::from_secs(30), || {
        std::fs::read_to_string(&lock).is_ok_and(|s| s.starts_with(&format!("pid {killed_pid},")))
    })
    .await;
    killed.kill().unwrap();
    killed.wait().unwrap();
    assert!(lock.exists(), "a killed run cannot delete its lock file");

    let job = state_file(&out)["groups"][SEARCH]["jobId"].as_str().unwrap().to_owned();
    emulator.complete_job(&job).unwrap();
    let last = run(&refs(&args)).await;
    let stdout = text(&last.stdout);
    assert!(last.status.success(), "{stdout}\n{}", text(&last.stderr));
    assert!(
        stdout.contains(&format!(
            "note: the lock of an earlier run that did not end normally (pid {killed_pid}, started 20"
        )),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("resuming job {job}")), "{stdout}");
    assert!(!lock.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_private_and_no_temporary_file_is_left() {
    let emulator = emulator(config(Duration::from_millis(50))).await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("new/out");

    let output = run(&refs(&export_args(emulator.url(), &token, SEARCH, &out))).await;

    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(mode(&root.path().join("new")), 0o700);
    assert_eq!(mode(&out), 0o700);
    assert_eq!(mode(&out.join(SEARCH)), 0o700);
    assert_eq!(mode(&out.join(STATE)), 0o600);
    assert_eq!(mode(&out.join(SEARCH).join("myactivity.search.zip")), 0o600);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [STATE, SEARCH], "no lock, no temporary state file left");
    let state = state_file(&out);
    let verified = &state["groups"][SEARCH]["verified"][0];
    assert_eq!(verified["path"], "myactivity.search/myactivity.search.zip", "{state}");
    assert!(
        verified["checksums"].as_str().unwrap().starts_with("crc32c="),
        "{state}"
    );
}

/// Where a link is put, and where it points.
enum LinkAt {
    Part,
    Final,
    GroupDir,
    StateFile,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_in_the_output_directory_is_never_followed() {
    let emulator = emulator(config(Duration::from_millis(50))).await;
    for (n, at) in [LinkAt::Part, LinkAt::Final, LinkAt::GroupDir, LinkAt::StateFile]
        .into_iter()
        .enumerate()
    {
        let token = fresh_token(&emulator, &format!("user{n}@example.com"), SEARCH);
        let root = tempfile::tempdir().unwrap();
        let out = root.path().join("out");
        let victim_dir = root.path().join("elsewhere");
        std::fs::create_dir_all(out.join(SEARCH)).unwrap();
        std::fs::create_dir_all(&victim_dir).unwrap();
        let victim = victim_dir.join("precious");
        std::fs::write(&victim, b"precious bytes").unwrap();
        let (link, target): (PathBuf, &Path) = match at {
            LinkAt::Part => (out.join(SEARCH).join("myactivity.search.zip.part"), &victim),
            LinkAt::Final => (out.join(SEARCH).join("myactivity.search.zip"), &victim),
            LinkAt::GroupDir => {
                std::fs::remove_dir(out.join(SEARCH)).unwrap();
                (out.join(SEARCH), &victim_dir)
            }
            LinkAt::StateFile => (out.join(STATE), &victim),
        };
        std::os::unix::fs::symlink(target, &link).unwrap();

        let output = run(&refs(&export_args(emulator.url(), &token, SEARCH, &out))).await;

        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{}: {stderr}", link.display());
        assert!(
            stderr.contains(&format!("{}: is a symbolic link", link.display())),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious bytes", "{}", link.display());
        let beside: Vec<_> = std::fs::read_dir(&victim_dir).unwrap().collect();
        assert_eq!(beside.len(), 1, "nothing written beside the target: {beside:?}");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    }
}

/// A fake API with one `COMPLETE` job `j1` whose signed URLs are `paths` (under `/storage/`),
/// each answered by `archive(path_and_query)`.
async fn fake_api(paths: &[&str], archive: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> String {
    let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    fake_server(move |line, base| {
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
            let urls: Vec<String> = paths.iter().map(|p| format!("\"{base}storage/{p}\"")).collect();
            json(format!(r#"{{"state":"COMPLETE","urls":[{}]}}"#, urls.join(",")))
        } else if let Some(rest) = line.strip_prefix("GET /storage/") {
            archive(rest.split(' ').next().unwrap_or_default())
        } else {
            http_response("404 Not Found", &[], b"")
        }
    })
    .await
}

/// A response whose body runs until the connection closes, with a chosen announced length.
fn unbounded_response(headers: &[(&str, String)], body_len: usize) -> Vec<u8> {
    let mut out = String::from("HTTP/1.1 200 OK\r\nconnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend(std::iter::repeat_n(b'x', body_len));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_longer_than_announced_is_cut_off_and_refused() {
    // 8 MB sent for an object of 1,000 bytes (its stored length), until the connection closes.
    let server = fake_api(&["b/j1/a.zip"], |_| {
        unbounded_response(&[("x-goog-stored-content-length", "1000".into())], 8_000_000)
    })
    .await;
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");

    let output = run(&refs(&export_args(&server, "t", SEARCH, &out))).await;

    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("a.zip failed: the server sent more than the 1000 bytes it announced"),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(out.join(SEARCH)).unwrap().collect();
    assert!(left.is_empty(), "no part, no file: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_archive_beyond_the_maximum_size_is_stopped_and_refused() {
    // No length announced at all: only --max-archive-size bounds it.
    let server = fake_api(&["b/j1/a.zip"], |_| unbounded_response(&[], 3_000_000)).await;
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let mut args = export_args(&server, "t", SEARCH, &out);
    args.extend(["--max-archive-size".into(), "1MiB".into()]);

    let output = run(&refs(&args)).await;

    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("larger than the maximum archive size (1048576 bytes)"),
        "{stderr}"
    );
    let left: Vec<_> = std::fs::read_dir(out.join(SEARCH)).unwrap().collect();
    assert!(left.is_empty(), "no part, no file: {left:?}");
}

fn body_of(path_and_query: &str) -> Vec<u8> {
    format!("the archive at {path_and_query}\n").repeat(1000).into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clashing_names_get_unique_local_names_and_verified_means_verified() {
    // Three URLs whose names clash once `N-` is prefixed; MD5 only (the fallback).
    let paths = ["b/j1/2-a.zip?n=0", "b/j1/a.zip?n=1", "b/j1/a.zip?n=2"];
    let server = fake_api(&paths, |path| {
        let body = body_of(path);
        http_response(
            "200 OK",
            &[("x-goog-hash", format!("md5={}", md5_base64(&body)))],
            &body,
        )
    })
    .await;
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let args = export_args(&server, "t", SEARCH, &out);

    let output = run(&refs(&args)).await;

    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    for (name, path) in ["2-a.zip", "a.zip", "2-1-a.zip"].iter().zip(paths) {
        let file = out.join(SEARCH).join(name);
        assert_eq!(std::fs::read(&file).unwrap(), body_of(path), "{name}");
        let line = format!("{SEARCH}/{name} ({} bytes; size, md5 verified)", body_of(path).len());
        assert!(stdout.contains(&line), "{line}\n{stdout}");
    }

    // Verified earlier: said so, with the checksums recorded then.
    let again = run(&refs(&args)).await;
    let stdout = text(&again.stdout);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(
        stdout
            .matches("(already downloaded; size, md5 verified when downloaded)")
            .count(),
        3,
        "{stdout}"
    );

    // A file that was there before the tool ran is never called verified.
    let other = root.path().join("other");
    std::fs::create_dir_all(other.join(SEARCH)).unwrap();
    std::fs::write(other.join(SEARCH).join("a.zip"), b"put there by hand").unwrap();
    let output = run(&refs(&export_args(&server, "t", SEARCH, &other))).await;
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    assert!(
        stdout.contains(&format!(
            "{SEARCH}/a.zip (17 bytes; was already there, not verified by this tool)"
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("a.zip (17 bytes; size"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_initiate_is_saved_before_it_is_sent_and_a_lost_answer_is_not_a_duplicate_job() {
    // A server that receives the initiate and never answers: the run is killed meanwhile.
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
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let mut child = command(&refs(&export_args(&hanging, "t", SEARCH, &out)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("the initiate at the server", Duration::from_secs(30), || {
        received.load(std::sync::atomic::Ordering::SeqCst) > 0
    })
    .await;
    // The request is at the server: the state file already says so.
    let entry = state_file(&out)["groups"][SEARCH].clone();
    assert_eq!(entry["jobId"], "", "{entry}");
    assert!(entry["initiateSentAt"].as_str().unwrap().starts_with("20"), "{entry}");
    child.kill().unwrap();
    child.wait().unwrap();

    // Against the emulator, as if that initiate had reached Google: the job exists, its id is lost.
    let emulator = emulator(config(Duration::from_millis(50))).await;
    let mut state = state_file(&out);
    state["endpoint"] = emulator.url().into();
    std::fs::write(out.join(STATE), state.to_string()).unwrap();
    std::fs::create_dir_all(root.path().join("unlucky")).unwrap();
    std::fs::write(root.path().join("unlucky").join(STATE), state.to_string()).unwrap();
    let token = fresh_token(&emulator, "lost@example.com", SEARCH);
    let lost = client(&emulator, &token)
        .portability_archive()
        .initiate(dataportability_v1::models::InitiatePortabilityArchiveRequest {
            resources: vec![SEARCH.into()],
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert!(lost.archive_job_id.is_some());
    let lost = lost.archive_job_id.unwrap();
    emulator.complete_job(&lost).unwrap();
    let output = run(&refs(&export_args(emulator.url(), &token, SEARCH, &out))).await;
    let stdout = text(&output.stdout);
    // Google answers RESOURCE_EXHAUSTED_ONE_TIME naming the job, which is COMPLETE: its archive
    // is downloaded, and no second job is started.
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    assert!(stdout.contains("an earlier run sent initiate at 20"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "job {lost}, started by an initiate whose answer was lost, is COMPLETE: downloading its archive"
        )),
        "{stdout}"
    );
    assert_eq!(state_file(&out)["groups"][SEARCH]["jobId"], lost.as_str());
    assert!(out.join(SEARCH).join("myactivity.search.zip").is_file());
    assert_eq!(emulator.jobs().len(), 1, "no second job");

    // Had it not reached Google, the resent initiate starts the one job, and the export ends.
    let out = root.path().join("unlucky");
    let token = fresh_token(&emulator, "unlucky@example.com", SEARCH);
    let output = run(&refs(&export_args(emulator.url(), &token, SEARCH, &out))).await;
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    assert!(stdout.contains("an earlier run sent initiate at 20"), "{stdout}");
    let job = state_file(&out)["groups"][SEARCH]["jobId"].as_str().unwrap().to_owned();
    assert!(stdout.contains(&format!("started job {job}")), "{stdout}");
    assert!(out.join(SEARCH).join("myactivity.search.zip").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_after_google_created_the_job_gets_it_back_and_downloads_its_archive() {
    // Google creates the job, and its answer never comes back: the run is killed then.
    let emulator = emulator(EmulatorConfig {
        faults: Faults {
            held_initiates: 1,
            ..Faults::default()
        },
        ..config(Duration::from_secs(3600))
    })
    .await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("out");
    let args = export_args(emulator.url(), &token, SEARCH, &out);
    let mut killed = command(&refs(&args))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("the job at Google", Duration::from_secs(60), || {
        emulator.jobs().len() == 1
    })
    .await;
    let job = emulator.jobs()[0].id.clone();
    let entry = state_file(&out)["groups"][SEARCH].clone();
    assert_eq!(entry["jobId"], "", "the answer was never saved: {entry}");
    killed.kill().unwrap();
    killed.wait().unwrap();

    // The rerun sends the initiate again; Google's ALREADY_EXISTS names the running job, which
    // the run adopts, waits for and downloads.
    let rerun = tokio::spawn(run_owned(args));
    eventually("the adopted job saved", Duration::from_secs(60), || {
        std::fs::read_to_string(out.join(STATE)).is_ok_and(|s| s.contains(&format!("\"jobId\": \"{job}\"")))
    })
    .await;
    emulator.complete_job(&job).unwrap();
    let output = rerun.await.unwrap();
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    assert!(
        stdout.contains(&format!(
            "Google already runs the same export as job {job} (ALREADY_EXISTS): going on with it"
        )),
        "{stdout}"
    );
    let jobs = emulator.jobs();
    assert_eq!(jobs.len(), 1, "one job: {jobs:?}");
    let file = out.join(SEARCH).join("myactivity.search.zip");
    assert_eq!(
        md5_of(&file),
        announced_md5(&client(&emulator, &token), &job).await,
        "verified"
    );
}

/// [`run`] with owned arguments, for a spawned task.
async fn run_owned(args: Vec<String>) -> std::process::Output {
    run(&refs(&args)).await
}
