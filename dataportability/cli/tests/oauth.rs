//! The `--client-secret` flow end to end, against the emulator's OAuth server: consent, token,
//! a wait that outlives several access tokens, a download resumed after its URLs expired, and
//! the token cache reused (and refreshed) by a second run; a consent that grants only some of
//! the groups; and the exit code of a group already exported with one-time access.

mod common;

use std::io::{BufRead as _, BufReader, Read};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig, Faults};

/// A running binary whose stdout and stderr are collected as they come.
struct Running {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Running {
    fn spawn(args: &[&str]) -> Self {
        let mut child = command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        let output = Arc::new(Mutex::new(String::new()));
        let stdout: Box<dyn Read + Send> = Box::new(child.stdout.take().expect("stdout"));
        let stderr: Box<dyn Read + Send> = Box::new(child.stderr.take().expect("stderr"));
        for stream in [stdout, stderr] {
            let output = Arc::clone(&output);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut all = output.lock().expect("lock");
                    all.push_str(&line);
                    all.push('\n');
                }
            });
        }
        Self { child, output }
    }

    fn output(&self) -> String {
        self.output.lock().expect("lock").clone()
    }

    fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().expect("try_wait")
    }

    /// Waits (at most a minute) for the end; the exit status and everything printed.
    async fn finish(mut self) -> (std::process::ExitStatus, String) {
        for _ in 0..6000 {
            if let Some(status) = self.exited() {
                tokio::time::sleep(Duration::from_millis(50)).await; // the readers drain
                return (status, self.output());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = self.child.kill();
        panic!("the binary did not end:\n{}", self.output());
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The consent URL the binary printed, once it did.
async fn consent_url(running: &Running) -> String {
    let mut url = None;
    eventually("the consent URL", Duration::from_secs(30), || {
        url = running
            .output()
            .split_whitespace()
            .find(|word| word.contains("/o/oauth2/v2/auth?"))
            .map(str::to_owned);
        url.is_some()
    })
    .await;
    url.expect("a URL")
}

fn write_client_secret(emulator: &Emulator, dir: &Path) -> String {
    let path = dir.join("client_secret.json");
    std::fs::write(&path, emulator.client_secret_json().to_string()).expect("written");
    path.to_str().expect("utf-8").to_owned()
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_secret_flow_exports_across_token_lifetimes_and_expired_urls() {
    // Jobs take 3 hours and tokens live 1: the wait outlives several tokens. Archives come as
    // two files, the first download drops after 40 000 bytes, and 7 hours pass before its
    // resume, so its URL (and token) expired meanwhile.
    let emulator = emulator(EmulatorConfig {
        complete_after: Duration::from_secs(3 * 3600),
        archive_size: 200_000,
        files_per_archive: 2,
        faults: Faults {
            dropped_downloads: 1,
            drop_after_bytes: 40_000,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let secret = write_client_secret(&emulator, dir.path());
    let cache = dir.path().join("tokens.json");
    let out = dir.path().join("out");
    let credentials = [
        "--endpoint",
        emulator.url(),
        "--client-secret",
        &secret,
        "--token-cache",
        cache.to_str().unwrap(),
    ];
    let mut args = credentials.to_vec();
    args.extend(["export", "--resource", SEARCH, "--out", out.to_str().unwrap()]);
    args.extend([
        "--poll-initial",
        "50ms",
        "--poll-max",
        "100ms",
        "--deadline",
        "60s",
        "--download-retry-wait",
        "2s",
    ]);
    let mut running = Running::spawn(&args);

    // The user's browser: the emulator consents and redirects to the tool's loopback server.
    let url = consent_url(&running).await;
    assert!(url.starts_with(emulator.url()), "{url}");
    let page = reqwest::get(&url).await.expect("the redirect chain");
    assert!(page.status().is_success(), "{}", page.status());

    // An hour of emulator time after each of the tool's calls answered, until the job completes:
    // every next poll meets an expired token and refreshes it. The clock moves in step with the
    // tool, not with real time, so a slow machine sees the same hours between two calls as a
    // fast one.
    let mut hours = 0;
    let mut seen = emulator.api_successes();
    while !running.output().contains("is COMPLETE") {
        assert!(hours < 40 && running.exited().is_none(), "{}", running.output());
        eventually("the tool's next call", Duration::from_secs(30), || {
            emulator.api_successes() > seen || running.output().contains("is COMPLETE")
        })
        .await;
        seen = emulator.api_successes();
        emulator.advance_clock(Duration::from_secs(3600));
        hours += 1;
    }
    assert!(hours >= 3, "{hours}");
    // The first file's connection drops; during the wait before the resume, 7 hours pass.
    let part = out.join(SEARCH).join("myactivity.search-001.zip.part");
    eventually("the dropped download's part file", Duration::from_secs(30), || {
        file_len(&part) == 40_000
    })
    .await;
    emulator.advance_clock(Duration::from_secs(7 * 3600));

    let (status, output) = running.finish().await;
    assert!(status.success(), "{output}");
    assert!(
        output.contains("the URL of myactivity.search-001.zip expired; going on with a fresh one"),
        "{output}"
    );
    assert!(
        !cache.to_str().unwrap().is_empty() && cache.is_file(),
        "the token cache is written"
    );

    // Both files, byte-identical to what the server serves now.
    let job = state_file(&out)["groups"][SEARCH]["jobId"].as_str().unwrap().to_owned();
    let reader = client(&emulator, &token(&emulator, &[SEARCH], AccessType::OneTime));
    let state = dataportability_export::job::state(&reader, &job).await.expect("state");
    assert_eq!(state.urls.len(), 2);
    for (n, url) in state.urls.iter().enumerate() {
        let file = out.join(SEARCH).join(format!("myactivity.search-{:03}.zip", n + 1));
        let served = reqwest::get(url.as_str()).await.unwrap().bytes().await.unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), served.as_ref(), "{}", file.display());
        // CRC32C by default (MD5 only with --verify md5).
        assert!(output.contains("bytes; size, crc32c verified)"), "{output}");
    }

    // A second run reuses the cached tokens: no consent, and its expired access token (2 more
    // hours passed) is refreshed with the cached refresh token.
    let cached = std::fs::read_to_string(&cache).unwrap();
    emulator.advance_clock(Duration::from_secs(2 * 3600));
    let mut check = credentials.to_vec();
    check.extend(["check-access", "--resource", SEARCH]);
    let (status, output) = Running::spawn(&check).finish().await;
    assert!(status.success(), "{output}");
    assert!(!output.contains("/o/oauth2/v2/auth"), "no new consent: {output}");
    assert!(output.contains("one-time:   myactivity.search"), "{output}");
    assert_ne!(
        std::fs::read_to_string(&cache).unwrap(),
        cached,
        "a refreshed token was cached"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_already_exported_with_one_time_access_exits_5_with_what_to_do() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    // Another program's export, which failed: Google names it, and it has no archive to take.
    let first = dataportability_export::job::initiate(&client(&emulator, &token), SEARCH)
        .await
        .expect("the first export");
    emulator.fail_job(&first).expect("failed");
    let out = tempfile::tempdir().unwrap();
    let args = [
        "--endpoint",
        emulator.url(),
        "--token",
        &token,
        "export",
        "--resource",
        SEARCH,
        "--out",
        out.path().to_str().unwrap(),
    ];
    let output = run(&args).await;
    assert_eq!(output.status.code(), Some(5), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "myactivity.search: already exported with one-time access by job(s) {first} (RESOURCE_EXHAUSTED_ONE_TIME)"
        )) && stderr.contains("dataportability reset"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_static_token_exits_3_and_says_what_to_do() {
    let emulator = emulator(EmulatorConfig::default()).await;
    let token = token(&emulator, &[SEARCH], AccessType::OneTime);
    emulator.advance_clock(Duration::from_secs(3600));
    let output = run(&["--endpoint", emulator.url(), "--token", &token, "check-access"]).await;
    assert_eq!(output.status.code(), Some(3));
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("the access token expired") && stderr.contains("--client-secret"),
        "{stderr}"
    );
}

/// The access token of a consent given on the emulator's authorization endpoint for `groups`
/// (as an app's web flow gets it), with the emulator's consent choices in force.
async fn consented_token(emulator: &Emulator, groups: &[&str]) -> (String, String) {
    let installed = emulator.client_secret_json()["installed"].clone();
    let scopes: Vec<String> = groups
        .iter()
        .map(|g| format!("https://www.googleapis.com/auth/dataportability.{g}"))
        .collect();
    let redirect = "http://127.0.0.1:9/callback";
    let consent = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(installed["auth_uri"].as_str().unwrap())
        .query(&[
            ("client_id", installed["client_id"].as_str().unwrap()),
            ("redirect_uri", redirect),
            ("response_type", "code"),
            ("scope", &scopes.join(" ")),
        ])
        .send()
        .await
        .unwrap();
    let location = reqwest::Url::parse(consent.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let answer = reqwest::Client::new()
        .post(installed["token_uri"].as_str().unwrap())
        .form(&[
            ("client_id", installed["client_id"].as_str().unwrap()),
            ("client_secret", installed["client_secret"].as_str().unwrap()),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", redirect),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let tokens: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let scope = tokens["scope"].as_str().unwrap().to_owned();
    (tokens["access_token"].as_str().unwrap().to_owned(), scope)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_consent_exports_the_granted_groups_and_names_each_refused_one() {
    let emulator = emulator(EmulatorConfig {
        complete_after: Duration::from_millis(50),
        ..Default::default()
    })
    .await;
    // The user unticks two of the three scopes on the consent screen.
    emulator
        .set_consent(dataportability_emulator::ConsentChoices {
            granted_resources: Some(vec![SEARCH.to_owned()]),
            ..Default::default()
        })
        .expect("choices");
    let (token, scope) = consented_token(&emulator, &[SEARCH, YOUTUBE, MAPS]).await;
    assert_eq!(
        scope,
        "https://www.googleapis.com/auth/dataportability.myactivity.search"
    );
    let out = tempfile::tempdir().unwrap();
    let groups = format!("{SEARCH},{YOUTUBE},{MAPS}");
    let mut args = vec![
        "--endpoint",
        emulator.url(),
        "--token",
        &token,
        "export",
        "--resource",
        &groups,
        "--out",
        out.path().to_str().unwrap(),
    ];
    args.extend(FAST);

    let output = run(&args).await;

    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(
        out.path().join(SEARCH).join("myactivity.search.zip").is_file(),
        "{stderr}"
    );
    for refused in [YOUTUBE, MAPS] {
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains(&format!("{refused}: not granted")))
            .collect();
        assert_eq!(lines.len(), 1, "one line for {refused}: {stderr}");
        assert!(!out.path().join(refused).exists());
    }
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert_eq!(emulator.jobs().len(), 1, "only the granted group was exported");
}

/// Three groups, one consent: the run prints one consent URL (with PKCE S256 and a `state`),
/// takes no redirect without that `state`, and exports every group once the one URL is
/// answered. Each group's task used to start its own flow and wait for its own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_groups_need_one_consent_with_pkce_and_state() {
    let emulator = emulator(EmulatorConfig {
        complete_after: Duration::from_millis(50),
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let secret = write_client_secret(&emulator, dir.path());
    let cache = dir.path().join("tokens.json");
    let out = dir.path().join("out");
    let mut args = vec![
        "--endpoint",
        emulator.url(),
        "--client-secret",
        &secret,
        "--token-cache",
        cache.to_str().unwrap(),
        "export",
        "--resource",
        SEARCH,
        "--resource",
        YOUTUBE,
        "--resource",
        MAPS,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(FAST);
    let running = Running::spawn(&args);

    let url = reqwest::Url::parse(&consent_url(&running).await).unwrap();
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    assert_eq!(param("code_challenge_method").as_deref(), Some("S256"), "{url}");
    assert!(param("code_challenge").is_some_and(|c| c.len() == 43), "{url}");
    let state = param("state").expect("a state");
    assert!(state.len() >= 16, "{state}");
    let redirect = param("redirect_uri").expect("a redirect URI");
    assert!(redirect.starts_with("http://127.0.0.1:"), "{redirect}");

    // A forged redirect (another page's code, no state or the wrong one) is refused, and
    // the tool keeps waiting for the real one.
    for forged in ["?code=forged", "?code=forged&state=wrong"] {
        let answer = reqwest::get(format!("{redirect}{forged}")).await.expect("an answer");
        assert_eq!(answer.status().as_u16(), 400);
    }
    let page = reqwest::get(url.as_str()).await.expect("the redirect chain");
    assert!(page.status().is_success(), "{}", page.status());

    let (status, output) = running.finish().await;
    assert!(status.success(), "{output}");
    assert_eq!(
        output.matches("/o/oauth2/v2/auth?").count(),
        1,
        "one consent URL: {output}"
    );
    for group in [SEARCH, YOUTUBE, MAPS] {
        let state = state_file(&out);
        assert!(state["groups"][group]["jobId"].is_string(), "{group}: {output}");
    }
    assert_eq!(emulator.jobs().len(), 3);
}
