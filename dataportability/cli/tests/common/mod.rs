//! Helpers of the CLI's end-to-end tests: the emulator in-process, the `dataportability`
//! binary spawned against it, and a tiny fake server for what the emulator never does.
#![allow(dead_code)]
// Each test binary uses some of the shared helpers re-exported here, never all.
#![allow(unused_imports)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use dataportability_emulator::{AccessType, Emulator, EmulatorConfig};
use dataportability_v1::{Client, StaticToken};

pub use dataportability_test_support::{fake_server, http_response, md5_base64, md5_of};

pub const BIN: &str = env!("CARGO_BIN_EXE_dataportability");
pub const SEARCH: &str = "myactivity.search";
pub const YOUTUBE: &str = "myactivity.youtube";
pub const MAPS: &str = "maps.starred_places";

/// Fast polling, bounded so that a broken test cannot hang.
pub const FAST: [&str; 8] = [
    "--poll-initial",
    "20ms",
    "--poll-max",
    "50ms",
    "--deadline",
    "60s",
    "--download-retry-wait",
    "10ms",
];

pub async fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start_with(config).await.expect("the emulator starts")
}

pub fn token(emulator: &Emulator, groups: &[&str], access: AccessType) -> String {
    emulator.mint_token(groups.iter().copied(), access).expect("token")
}

pub fn client(emulator: &Emulator, token: &str) -> Client {
    Client::builder()
        .endpoint(emulator.url())
        .token_source(StaticToken::new(token))
        .build()
        .expect("client")
}

/// The binary with `args`, without credentials or endpoint from the environment.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_remove("DATAPORTABILITY_TOKEN")
        .env_remove("DATAPORTABILITY_ENDPOINT");
    command
}

/// Runs the binary to its end (at most two minutes) on a blocking thread, so an in-process
/// emulator keeps serving.
pub async fn run(args: &[&str]) -> Output {
    let mut command = command(args);
    command.stdin(Stdio::null());
    let output = tokio::task::spawn_blocking(move || command.output().expect("the binary runs"));
    tokio::time::timeout(Duration::from_secs(120), output)
        .await
        .expect("the binary ends")
        .expect("joined")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The MD5 (base64) the emulator announces in `x-goog-hash` for the first URL of `job`.
pub async fn announced_md5(client: &Client, job: &str) -> String {
    let state = client
        .archive_jobs()
        .get_portability_archive_state(format!("archiveJobs/{job}/portabilityArchiveState"))
        .send()
        .await
        .expect("state");
    dataportability_test_support::announced_md5(&state.urls[0]).await
}

/// The state file of an export directory, as JSON.
pub fn state_file(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(".dataportability-state.json")).expect("a state file");
    serde_json::from_str(&text).expect("JSON")
}

/// Polls `check` every 10 ms for at most `limit`; panics with `what` when it never holds.
pub async fn eventually(what: &str, limit: Duration, mut check: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !check() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
