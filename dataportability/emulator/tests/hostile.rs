//! A hostile client against the emulator: half-open connections, a flood of idle ones under a
//! descriptor limit, a request body that trickles. The emulator closes what does not finish in
//! time and keeps serving everyone else. Each test prints one `hostile-server:` line, which
//! `cargo xtask hostile-server` collects.

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dataportability_emulator::{Emulator, EmulatorConfig};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// One line of the `cargo xtask hostile-server` report.
fn report(case: &str, bound: &str, kept: impl std::fmt::Display) {
    println!("hostile-server: {case} | {bound} | {kept}");
}

/// Far above what any case takes: today's emulator, which waits for ever, fails here.
const GUARD: Duration = Duration::from_secs(60);

/// Waits until the server closes `stream` (it may answer first); what it sent.
async fn closed_by_server(mut stream: TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = stream.read_to_end(&mut received);
    tokio::time::timeout(GUARD, read)
        .await
        .expect("the server closes the connection")
        .ok();
    received
}

#[tokio::test]
async fn half_open_request_heads_are_closed_after_the_header_timeout() {
    let config = EmulatorConfig {
        header_timeout: Duration::from_millis(300),
        max_connections: 1000,
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start_with(config).await.unwrap();
    let mut open = Vec::new();
    for _ in 0..300 {
        let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
        stream
            .write_all(b"GET /v1/archiveJobs/x/portabilityArchiveState HTTP/1.1\r\nhost: a\r\n")
            .await
            .unwrap();
        open.push(stream);
    }

    let started = Instant::now();
    let closed = futures_util::future::join_all(open.into_iter().map(closed_by_server)).await;

    assert_eq!(closed.len(), 300);
    report(
        "300 connections that send half a request head",
        "EmulatorConfig::header_timeout (30 s, --header-timeout; here 300 ms)",
        format!("all closed within {:?}", started.elapsed()),
    );
}

#[tokio::test]
async fn a_trickling_request_body_is_answered_and_closed_after_the_body_timeout() {
    let config = EmulatorConfig {
        body_timeout: Duration::from_millis(400),
        ..EmulatorConfig::default()
    };
    let emulator = Emulator::start_with(config).await.unwrap();
    let token = emulator
        .mint_token(["myactivity.search"], dataportability_emulator::AccessType::OneTime)
        .unwrap();
    let mut stream = TcpStream::connect(emulator.addr()).await.unwrap();
    let head = format!(
        "POST /v1/portabilityArchive:initiate HTTP/1.1\r\nhost: a\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let trickle = tokio::spawn(async move {
        while write.write_all(b" ").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });

    let started = Instant::now();
    let mut answer = Vec::new();
    tokio::time::timeout(GUARD, read.read_to_end(&mut answer))
        .await
        .expect("answered and closed")
        .ok();
    trickle.abort();

    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("not received within 400ms"), "{answer}");
    report(
        "a request body of 1 byte every 50 ms",
        "EmulatorConfig::body_timeout (60 s, --body-timeout; here 400 ms)",
        format!("answered 400 and closed after {:?}", started.elapsed()),
    );
}

/// The emulator binary under a limit of 64 descriptors; killed when dropped.
struct Limited(Child);

impl Drop for Limited {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn a_flood_of_idle_connections_under_a_descriptor_limit_does_not_starve_a_request() {
    let mut child = Command::new("sh")
        .args([
            "-c",
            r#"ulimit -n 64 && exec "$0" "$@""#,
            env!("CARGO_BIN_EXE_dataportability-emulator"),
            "--max-connections",
            "32",
            "--header-timeout",
            "300ms",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("sh starts the emulator");
    let stdout = child.stdout.take().expect("stdout");
    let _running = Limited(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("a first line");
    let url = line.trim().strip_prefix("listening on ").expect("the URL").to_owned();
    let addr = url.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for _ in 0..100 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }

    let started = Instant::now();
    let request = reqwest::Client::new()
        .get(format!("{url}/emulator/v1/clientSecret"))
        .send();
    let response = tokio::time::timeout(GUARD, request)
        .await
        .expect("the request is served")
        .expect("an answer");

    assert_eq!(response.status(), 200);
    drop(idle);
    report(
        "100 idle connections, then a request, under a limit of 64 descriptors",
        "EmulatorConfig::max_connections (128, --max-connections; here 32) with the header timeout (here 300 ms)",
        format!("the request served after {:?}", started.elapsed()),
    );
}
