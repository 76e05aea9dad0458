//! Helpers of the CLI's end-to-end tests: the emulator in-process, the `dataportability`
//! binary spawned against it, and a tiny fake server for what the emulator never does.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use base64::Engine as _;
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig};
use dataportability_v1::{Client, StaticToken};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

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

pub fn md5_base64(bytes: &[u8]) -> String {
    use md5::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(bytes))
}

pub fn md5_of(path: &Path) -> String {
    md5_base64(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The MD5 (base64) the emulator announces in `x-goog-hash` for the first URL of `job`.
pub async fn announced_md5(client: &Client, job: &str) -> String {
    let state = client
        .archive_jobs()
        .get_portability_archive_state(format!("archiveJobs/{job}/portabilityArchiveState"))
        .send()
        .await
        .expect("state");
    let response = reqwest::Client::new().head(&state.urls[0]).send().await.expect("HEAD");
    let header = response.headers()["x-goog-hash"].to_str().expect("ascii").to_owned();
    header
        .split(',')
        .find_map(|p| p.strip_prefix("md5="))
        .expect("an md5")
        .to_owned()
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

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with what `answer` makes of
/// its request line (`"GET /path?query HTTP/1.1"`) and its own URL, then closes the
/// connection. Returns its URL (with a trailing `/`).
pub async fn fake_server(answer: impl Fn(&str, &str) -> Vec<u8> + Send + Sync + 'static) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let answer = std::sync::Arc::new(answer);
    let base = url.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (answer, base) = (answer.clone(), base.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                let head_end = loop {
                    if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&request[..head_end]).to_string();
                let body_len: usize = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse().ok())
                    .unwrap_or(0);
                while request.len() < head_end + body_len {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let line = head.lines().next().unwrap_or_default().to_owned();
                let _ = socket.write_all(&answer(&line, &base)).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
}

/// An HTTP response with `body` and extra headers.
pub fn http_response(status: &str, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}
