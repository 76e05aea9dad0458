//! The binary: its first stdout line, its flags, and `--help`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::*;
use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::{Client, StaticToken};
use serde_json::{Value, json};

/// The running binary; killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with `args` and returns it with its base URL (from the first line).
fn start(args: &[&str]) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dataportability-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("a first line");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with('/'), "{url}");
    (running, url)
}

async fn mint(url: &str, body: Value) -> String {
    let response = reqwest::Client::new()
        .post(format!("{url}/emulator/v1/tokens"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("body");
    let response: Value = serde_json::from_str(&response).expect("JSON");
    response["accessToken"].as_str().expect("accessToken").to_owned()
}

#[tokio::test]
async fn the_binary_prints_its_url_and_serves_the_api() {
    let (_running, url) = start(&["--complete-after", "0s", "--archive-size", "100KiB"]);
    let token = mint(&url, json!({"resources": [SEARCH]})).await;
    let client = Client::builder()
        .endpoint(format!("{url}/"))
        .token_source(StaticToken::new(token))
        .build()
        .expect("client");

    let id = initiate(&client, &[SEARCH]).await;
    let state = state_of(&client, &id).await;
    assert_eq!(state.state, Some(State::Complete), "--complete-after 0s");
    let response = download(&state.urls[0]).await;
    assert_eq!(response.content_length(), Some(100 * 1024), "--archive-size");
}

#[tokio::test]
async fn fault_flags_apply_from_the_start() {
    let (_running, url) = start(&["--unavailable", "1", "--failed-jobs", "1", "--complete-after", "0s"]);
    let token = mint(&url, json!({"resources": [SEARCH]})).await;
    let client = Client::builder()
        .endpoint(format!("{url}/"))
        .token_source(StaticToken::new(token))
        .build()
        .expect("client");

    let first = client.portability_archive().initiate(request(&[SEARCH])).send().await;
    assert_eq!(api_error(first).0, 503, "--unavailable 1");
    let id = initiate(&client, &[SEARCH]).await;
    assert_eq!(
        state_of(&client, &id).await.state,
        Some(State::Failed),
        "--failed-jobs 1"
    );
}

#[test]
fn help_documents_every_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_dataportability-emulator"))
        .arg("--help")
        .output()
        .expect("--help runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--port",
        "--complete-after",
        "--archive-size",
        "--url-expiry",
        "--retention",
        "--time-based-interval",
        "--unavailable",
        "--rate-limited",
        "--retry-after",
        "--delay",
        "--truncated-json",
        "--dropped-downloads",
        "--drop-after",
        "--failed-jobs",
        "--token-lifetime",
        "--time-based-grant",
        "--files-per-archive",
        "--consent-access-type",
        "--client-secret-file",
        "--body-limit",
        "--held-initiates",
        "--time-based-refusal",
        "/emulator/v1/tokens",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn a_bad_flag_value_is_an_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_dataportability-emulator"))
        .args(["--archive-size", "lots"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("lots"));
}

#[tokio::test]
async fn the_binary_writes_a_client_secret_pointing_at_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("client_secret.json");
    let (_running, url) = start(&["--client-secret-file", path.to_str().expect("utf-8")]);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("written")).expect("JSON");
    assert_eq!(json["installed"]["token_uri"], format!("{url}/token"));
    assert_eq!(json["installed"]["auth_uri"], format!("{url}/o/oauth2/v2/auth"));
    let over_http: Value = serde_json::from_str(
        &reqwest::get(format!("{url}/emulator/v1/clientSecret"))
            .await
            .expect("answer")
            .text()
            .await
            .expect("body"),
    )
    .expect("JSON");
    assert_eq!(over_http, json);
}

#[tokio::test]
async fn the_token_and_file_flags_reach_the_server() {
    let (_running, url) = start(&[
        "--complete-after",
        "0s",
        "--token-lifetime",
        "90s",
        "--files-per-archive",
        "2",
    ]);
    let answer = reqwest::Client::new()
        .post(format!("{url}/emulator/v1/tokens"))
        .body(json!({"resources": [SEARCH]}).to_string())
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("body");
    let answer: Value = serde_json::from_str(&answer).expect("JSON");
    assert_eq!(answer["expiresIn"], 90, "--token-lifetime");
    let client = Client::builder()
        .endpoint(format!("{url}/"))
        .token_source(StaticToken::new(answer["accessToken"].as_str().expect("token")))
        .build()
        .expect("client");
    let id = initiate(&client, &[SEARCH]).await;
    assert_eq!(state_of(&client, &id).await.urls.len(), 2, "--files-per-archive");

    // The refresh token works at the token endpoint, with HTTP Basic client authentication.
    let secret: Value = serde_json::from_str(
        &reqwest::get(format!("{url}/emulator/v1/clientSecret"))
            .await
            .expect("answer")
            .text()
            .await
            .expect("body"),
    )
    .expect("JSON");
    let installed = &secret["installed"];
    let refreshed = reqwest::Client::new()
        .post(format!("{url}/token"))
        .basic_auth(
            installed["client_id"].as_str().expect("id"),
            installed["client_secret"].as_str(),
        )
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", answer["refreshToken"].as_str().expect("refreshToken")),
        ])
        .send()
        .await
        .expect("answer");
    assert_eq!(refreshed.status(), 200);
}
