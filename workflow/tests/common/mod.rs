//! Helpers of the workflow's end-to-end tests: an emulator, a client pointed at it, fast
//! policies, and a tiny fake HTTP server for answers the emulator never gives.
#![allow(dead_code)]

use std::time::Duration;

use base64::Engine as _;
use dataportability_v1::models::PortabilityArchiveState;
use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::{Client, RetryPolicy, StaticToken};
use emulator::{AccessType, Emulator, EmulatorConfig};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use workflow::download::DownloadOptions;
use workflow::retry::RetryOptions;
use workflow::wait::PollPolicy;

pub const SEARCH: &str = "myactivity.search";
pub const YOUTUBE: &str = "myactivity.youtube";

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// An emulator whose jobs complete after `complete_after` of real time.
pub async fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start_with(config).await.expect("the emulator starts")
}

/// A client with a one-time token for `groups`, retrying quickly.
pub fn client(emulator: &Emulator, groups: &[&str], access: AccessType) -> Client {
    let token = emulator.mint_token(groups.iter().copied(), access).expect("token");
    client_at(emulator.url(), &token)
}

pub fn client_at(url: &str, token: &str) -> Client {
    Client::builder()
        .endpoint(url)
        .token_source(StaticToken::new(token))
        .retry_policy(
            RetryPolicy::default()
                .with_initial_backoff(ms(5))
                .with_max_backoff(ms(20)),
        )
        .build()
        .expect("client builds")
}

/// Polls every few milliseconds, bounded by a deadline so a broken test cannot hang.
pub fn fast_poll() -> PollPolicy {
    PollPolicy {
        initial: ms(10),
        max: ms(40),
        deadline: Some(Duration::from_secs(30)),
        ..PollPolicy::default()
    }
}

pub fn fast_retry() -> RetryOptions {
    RetryOptions {
        poll: fast_poll(),
        ..RetryOptions::default()
    }
}

pub fn fast_download() -> DownloadOptions {
    DownloadOptions {
        retry_backoff: ms(5),
        ..DownloadOptions::default()
    }
}

/// The `x-goog-hash` MD5 (base64) the server announces for a URL.
pub async fn announced_md5(url: &str) -> String {
    let response = reqwest::Client::new().head(url).send().await.expect("HEAD");
    let header = response.headers()["x-goog-hash"].to_str().expect("ascii").to_owned();
    header
        .split(',')
        .find_map(|p| p.strip_prefix("md5="))
        .expect("an md5")
        .to_owned()
}

pub fn md5_base64(bytes: &[u8]) -> String {
    use md5::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(bytes))
}

pub fn complete_state(urls: Vec<String>) -> PortabilityArchiveState {
    PortabilityArchiveState {
        state: Some(State::Complete),
        urls,
        ..Default::default()
    }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with what `answer` makes
/// of its request line (`"GET /path HTTP/1.1"`), then closes the connection. Returns its URL.
pub async fn fake_server(answer: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let answer = std::sync::Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let text = String::from_utf8_lossy(&request).to_string();
                let line = text.lines().next().unwrap_or_default().to_owned();
                let _ = socket.write_all(&answer(&line)).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
}

/// An HTTP response with `body` and extra header lines.
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
