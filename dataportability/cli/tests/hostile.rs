//! A broken or hostile server against the `dataportability` binary: a job state of twenty
//! million URLs, escape sequences in URLs and error messages, a megabyte-long message. The
//! binary runs as a child process so that its peak memory (max RSS, from `wait4`) is its own.
//! Each test prints one `hostile-server:` line, which `cargo xtask hostile-server` collects.

mod common;

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{FAST, SEARCH, command, fake_server, http_response, text};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// One line of the `cargo xtask hostile-server` report.
fn report(case: &str, bound: &str, kept: impl std::fmt::Display) {
    println!("hostile-server: {case} | {bound} | {kept}");
}

/// How a run of the binary ended.
struct Measured {
    code: i32,
    stdout: String,
    stderr: String,
    /// The peak resident memory of the process, in bytes.
    max_rss: u64,
    elapsed: Duration,
}

/// Runs `command` to its end on a blocking thread (the fake server is in-process), with its
/// peak memory from `wait4`.
async fn measured(mut command: Command) -> Measured {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[expect(clippy::zombie_processes, reason = "waited for with wait4, for its resource usage")]
    let run = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut child = command.spawn().expect("the binary starts");
        let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                let _ = pipe.read_to_end(&mut bytes);
                bytes
            })
        };
        let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
        let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
        let pid = libc::pid_t::try_from(child.id()).expect("a pid");
        let mut status = 0;
        // SAFETY: an all-zero `rusage` is valid; `wait4` only writes the status and the usage
        // it is given, for our own child, which nothing else waits for.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
        let elapsed = started.elapsed();
        let code = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        };
        // Linux reports KiB.
        let max_rss = u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024;
        Measured {
            code,
            stdout: text(&stdout.join().expect("stdout")),
            stderr: text(&stderr.join().expect("stderr")),
            max_rss,
            elapsed,
        }
    });
    tokio::time::timeout(Duration::from_secs(300), run)
        .await
        .expect("the binary ends")
        .expect("joined")
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
}

/// A fake API: `initiate` answers job `j1`; its state is `COMPLETE` with `urls` empty URLs,
/// generated while it is sent (the test process stays small: a child's peak memory from
/// `wait4` includes its parent's memory at the moment it was spawned); anything else is
/// `404`.
async fn api_with_empty_urls(urls: usize) -> (String, usize) {
    let head = r#"{"state": "COMPLETE", "urls": ["#;
    // The head, `"",` for all URLs but the last, `""]}`.
    let length = head.len() + 3 * (urls - 1) + 4;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Some(line) = request_line(&mut socket).await else {
                    return;
                };
                if line.starts_with("POST /v1/portabilityArchive:initiate") {
                    let body = br#"{"archiveJobId": "j1", "accessType": "ACCESS_TYPE_ONE_TIME"}"#;
                    let _ = socket.write_all(&http_response("200 OK", &[], body)).await;
                    return;
                }
                if !line.starts_with("GET /v1/archiveJobs/j1/portabilityArchiveState") {
                    let _ = socket.write_all(&http_response("404 Not Found", &[], b"{}")).await;
                    return;
                }
                let start = format!("HTTP/1.1 200 OK\r\ncontent-length: {length}\r\nconnection: close\r\n\r\n{head}");
                if socket.write_all(start.as_bytes()).await.is_err() {
                    return;
                }
                let block = r#""","#.repeat(20_000);
                let mut left = urls - 1;
                while left > 0 {
                    let n = left.min(20_000);
                    if socket.write_all(&block.as_bytes()[..3 * n]).await.is_err() {
                        return;
                    }
                    left -= n;
                }
                let _ = socket.write_all(b"\"\"]}").await;
            });
        }
    });
    (url, length)
}

/// Reads a request's head (and drops its body, if any); its first line.
async fn request_line(socket: &mut tokio::net::TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let body: usize = text
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut rest = vec![0u8; body];
    socket.read_exact(&mut rest).await.ok()?;
    text.lines().next().map(str::to_owned)
}

/// A fake API whose state of job `j1` is `state`.
async fn api_with_state(state: Vec<u8>) -> String {
    let state = Arc::new(state);
    fake_server(move |line, _| {
        if line.starts_with("GET /v1/archiveJobs/j1/portabilityArchiveState") {
            http_response("200 OK", &[], &state)
        } else {
            http_response("404 Not Found", &[], b"{}")
        }
    })
    .await
}

/// This process's resident memory now, in bytes (`VmRSS`): what a child's peak includes.
fn own_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// `export` of one group against `endpoint`, into a fresh directory.
fn export(endpoint: &str, out: &std::path::Path) -> Command {
    let mut args = vec![
        "--endpoint",
        endpoint,
        "--token",
        "t",
        "export",
        "--resource",
        SEARCH,
        "--out",
        out.to_str().expect("a UTF-8 path"),
    ];
    args.extend(FAST);
    command(&args)
}

/// Peak memory allowed to a run refused for its size: generous (the process alone is a few
/// MiB; the 20,000,000-URL export took 5 GB before its bound).
const PEAK_BOUND: u64 = 256 << 20;

#[tokio::test]
async fn an_export_whose_state_lists_twenty_million_urls_stays_small() {
    let (endpoint, wire) = api_with_empty_urls(20_000_000).await;
    let out = tempfile::tempdir().unwrap();

    let parent = own_rss();
    let run = measured(export(&endpoint, out.path())).await;

    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the response body is larger than the limit of 4194304 bytes"),
        "{}",
        run.stderr
    );
    assert!(run.max_rss < PEAK_BOUND, "peak {}", mib(run.max_rss));
    report(
        "`dataportability export`: a state of 20,000,000 empty URLs",
        "4 MiB per state answer, 1,000 URLs per job",
        format!(
            "peak RSS {} (5.0 GB before; at most, since it counts the test process's {} at the spawn), {:?}, for a {} MB answer",
            mib(run.max_rss),
            mib(parent),
            run.elapsed,
            wire / 1_000_000
        ),
    );
}

#[tokio::test]
async fn an_export_whose_state_lists_a_million_urls_under_the_size_limit_stays_small() {
    let (endpoint, _) = api_with_empty_urls(1_000_000).await;
    let out = tempfile::tempdir().unwrap();

    let parent = own_rss();
    let run = measured(export(&endpoint, out.path())).await;

    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("lists 1000000 URLs, more than the limit of 1000"),
        "{}",
        run.stderr
    );
    assert!(run.max_rss < PEAK_BOUND, "peak {}", mib(run.max_rss));
    report(
        "`dataportability export`: a state of 1,000,000 empty URLs (3 MB, under the size limit)",
        "1,000 URLs per job (--max-urls), checked before any name is made",
        format!(
            "peak RSS {} (at most: the test process had {} at the spawn), {:?}",
            mib(run.max_rss),
            mib(parent),
            run.elapsed
        ),
    );
}

#[tokio::test]
async fn the_state_command_on_twenty_million_urls_stays_small() {
    let (endpoint, _) = api_with_empty_urls(20_000_000).await;

    let parent = own_rss();
    let run = measured(command(&["--endpoint", &endpoint, "--token", "t", "state", "j1"])).await;

    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("larger than the limit of 4194304 bytes"),
        "{}",
        run.stderr
    );
    assert!(run.max_rss < PEAK_BOUND, "peak {}", mib(run.max_rss));
    report(
        "`dataportability state`: a state of 20,000,000 empty URLs",
        "4 MiB per state answer",
        format!(
            "peak RSS {} (543 MB before; at most: the test process had {} at the spawn), {:?}",
            mib(run.max_rss),
            mib(parent),
            run.elapsed
        ),
    );
}

/// What a terminal would take for a command: anything but a printable character, a space or
/// the newline that ends a line.
fn control(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_control() && *c != '\n')
}

#[tokio::test]
async fn escape_sequences_in_urls_reach_the_terminal_escaped() {
    let state = format!(
        r#"{{"state": "COMPLETE\u001b[2J", "urls": ["https://storage.example/\u001b]0;owned\u0007/a.zip?\u009b31m", "https://storage.example/{}"]}}"#,
        "l".repeat(100_000)
    );
    let endpoint = api_with_state(state.into_bytes()).await;

    let run = measured(command(&["--endpoint", &endpoint, "--token", "t", "state", "j1"])).await;

    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(control(&run.stdout), None, "{}", run.stdout);
    assert!(run.stdout.contains(r"state:  COMPLETE\u{1b}[2J"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(r"url:    https://storage.example/\u{1b}]0;owned\u{7}/a.zip?\u{9b}31m"),
        "{}",
        run.stdout
    );
    let longest = run.stdout.lines().map(str::len).max().unwrap_or(0);
    assert!(longest < 4200, "{longest}");
    report(
        "`dataportability state`: escape sequences and a 100,000-character URL",
        "every line escaped and cut at 4,096 characters",
        format!("longest line {longest} bytes, no control character"),
    );
}

#[tokio::test]
async fn a_megabyte_error_message_with_escape_sequences_is_one_short_line() {
    let message = format!(r"\u001b]0;owned\u0007\u001b[2J{}", "m".repeat(1_000_000));
    let body = format!(r#"{{"error": {{"code": 400, "status": "INVALID_ARGUMENT", "message": "{message}"}}}}"#);
    let body = Arc::new(body.into_bytes());
    let endpoint = fake_server(move |_, _| http_response("400 Bad Request", &[], &body)).await;

    let run = measured(command(&["--endpoint", &endpoint, "--token", "t", "state", "j1"])).await;

    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(control(&run.stderr), None, "{}", &run.stderr[..200]);
    assert_eq!(run.stderr.lines().count(), 1, "one line");
    assert!(
        run.stderr
            .contains(r"INVALID_ARGUMENT: \u{1b}]0;owned\u{7}\u{1b}[2Jmmm"),
        "{}",
        &run.stderr[..200]
    );
    assert!(run.stderr.len() < 1500, "{} bytes", run.stderr.len());
    report(
        "an API error of 1,000,000 characters with escape sequences",
        "the runtime's error text cuts a message at 1,024 characters, escaped",
        format!("one stderr line of {} bytes", run.stderr.len()),
    );
}
