//! A broken or hostile server against the export library: a job state that expands to
//! millions of names, archive downloads that trickle or close after every byte, headers that
//! never end, duplicate keys, job ids that are escape sequences. Every case ends, with an
//! error that names the bound, in a time set by the options and not by the server. Each test
//! prints one `hostile-server:` line, which `cargo xtask hostile-server` collects.
//!
//! The fake servers here run in real time; the outcome of a case never depends on the
//! machine's speed (a slower machine makes a trickle slower still), only how long it took,
//! which is printed, not asserted.

mod common;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use common::{SEARCH, complete_state, fake_server, http_response, ms};
use dataportability_export::Error;
use dataportability_export::download::{DownloadOptions, Downloader, MinSpeed};
use dataportability_v1::{Client, RetryPolicy, StaticToken};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// One line of the `cargo xtask hostile-server` report.
fn report(case: &str, bound: &str, kept: impl std::fmt::Display) {
    println!("hostile-server: {case} | {bound} | {kept}");
}

/// A server on 127.0.0.1 that hands each connection, after its request head (the request
/// line and the `Range` header's first byte offset), to `serve`. Returns its URL.
async fn streaming_server<F, Fut>(serve: F) -> String
where
    F: Fn(TcpStream, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let serve = Arc::new(serve);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let serve = Arc::clone(&serve);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match socket.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let text = String::from_utf8_lossy(&head).to_lowercase();
                let from = text
                    .lines()
                    .find_map(|line| line.strip_prefix("range: bytes="))
                    .and_then(|range| range.trim_end_matches('-').parse().ok())
                    .unwrap_or(0);
                serve(socket, from).await;
            });
        }
    });
    url
}

/// The head of a `200` (from 0) or `206` (from `from`) of an object of `total` bytes.
fn object_head(from: u64, total: u64) -> String {
    if from == 0 {
        format!("HTTP/1.1 200 OK\r\ncontent-length: {total}\r\n\r\n")
    } else {
        format!(
            "HTTP/1.1 206 Partial Content\r\ncontent-range: bytes {from}-{}/{total}\r\ncontent-length: {}\r\n\r\n",
            total - 1,
            total - from
        )
    }
}

/// A client whose state reads go to `url` (for refreshed URLs; never used by these cases).
fn client(url: &str) -> Client {
    Client::builder()
        .endpoint(url)
        .token_source(StaticToken::new("token"))
        .retry_policy(RetryPolicy::never())
        .build()
        .expect("client")
}

/// Downloads the one URL `file` of `server` with `options` into a fresh directory; the error.
async fn download_error(server: &str, file: &str, options: DownloadOptions) -> (Error, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let downloader = Downloader::new(client(server), options).unwrap();
    let state = complete_state(vec![format!("{server}{file}")]);
    // A guard for today's code, which never gives up: far above what any case takes.
    let download = downloader.download_all("j1", &state, out.path(), |_| {});
    let error = tokio::time::timeout(Duration::from_secs(120), download)
        .await
        .expect("the download gives up by itself")
        .unwrap_err();
    (error, out)
}

#[tokio::test]
async fn a_state_of_twenty_million_urls_is_refused_by_its_size() {
    let body = format!(
        r#"{{"state": "COMPLETE", "urls": [{}""]}}"#,
        r#""","#.repeat(20_000_000 - 1)
    );
    let wire = body.len();
    let body = Arc::new(body.into_bytes());
    let server = fake_server(move |_, _| http_response("200 OK", &[], &body)).await;

    let started = Instant::now();
    let error = dataportability_export::job::state(&client(&server), "j1")
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(
        text.contains("getPortabilityArchiveState: the response body is larger than the limit of 4194304 bytes"),
        "{text}"
    );
    report(
        "a job state of 20,000,000 empty URLs",
        "job::STATE_RESPONSE_LIMIT = 4 MiB (the client's 64 MiB before)",
        format!("a {} MB answer refused in {:?}", wire / 1_000_000, started.elapsed()),
    );
}

#[tokio::test]
async fn a_state_of_too_many_urls_is_refused_before_any_file_is_named() {
    let urls: Vec<String> = (0..100_000).map(|_| String::new()).collect();
    let out = tempfile::tempdir().unwrap();
    let downloader = Downloader::new(client("http://127.0.0.1:9/"), DownloadOptions::default()).unwrap();

    let started = Instant::now();
    let error = downloader
        .download_all("j1", &complete_state(urls), out.path(), |_| {})
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            Error::TooManyUrls {
                count: 100_000,
                limit: 1000,
                ..
            }
        ),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("lists 100000 URLs, more than the limit of 1000"),
        "{text}"
    );
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing written");
    report(
        "a job state of 100,000 URLs (under the size limit)",
        "DownloadOptions::max_urls = 1000",
        format!("refused before naming a file, in {:?}", started.elapsed()),
    );
}

#[tokio::test]
async fn a_download_that_trickles_one_byte_at_a_time_is_given_up() {
    let server = streaming_server(|mut socket, from| async move {
        let _ = socket.write_all(object_head(from, 1_000_000_000_000).as_bytes()).await;
        loop {
            if socket.write_all(b"x").await.is_err() {
                return;
            }
            tokio::time::sleep(ms(50)).await;
        }
    })
    .await;
    let options = DownloadOptions {
        min_speed: Some(MinSpeed {
            bytes_per_second: 1000,
            window: ms(400),
        }),
        max_attempts: 2,
        retry_backoff: ms(1),
        ..DownloadOptions::default()
    };

    let started = Instant::now();
    let (error, _out) = download_error(&server, "a.zip", options).await;

    let text = error.to_string();
    assert!(text.contains("slower than the minimum speed of 1000 bytes/s"), "{text}");
    assert!(text.contains("2 attempts in a row without progress"), "{text}");
    report(
        "10^12 bytes announced, 1 byte every 50 ms",
        "DownloadOptions::min_speed (1 KiB/s over 60 s; here 1000 B/s over 400 ms, 2 attempts)",
        format!("given up after {:?}", started.elapsed()),
    );
}

#[tokio::test]
async fn a_server_that_sends_one_byte_of_each_range_and_closes_is_given_up() {
    let requests = Arc::new(AtomicU32::new(0));
    let counted = Arc::clone(&requests);
    let server = streaming_server(move |mut socket, from| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            let _ = socket.write_all(object_head(from, 1_000_000_000_000).as_bytes()).await;
            let _ = socket.write_all(b"x").await;
        }
    })
    .await;
    let options = DownloadOptions {
        retry_backoff: ms(1),
        ..DownloadOptions::default()
    };

    let started = Instant::now();
    let (error, out) = download_error(&server, "a.zip", options).await;

    let text = error.to_string();
    assert!(text.contains("5 attempts in a row without progress"), "{text}");
    assert_eq!(requests.load(Ordering::SeqCst), 5);
    assert!(text.contains("its 5 bytes so far are kept in a.zip.part"), "{text}");
    assert_eq!(std::fs::metadata(out.path().join("a.zip.part")).unwrap().len(), 5);
    report(
        "1 byte of each range, then the connection closes",
        "progress is 1 MiB (or the rest); DownloadOptions::max_attempts = 5 in a row without it",
        format!(
            "given up after {} requests in {:?}",
            requests.load(Ordering::SeqCst),
            started.elapsed()
        ),
    );
}

#[tokio::test]
async fn a_server_that_closes_after_every_mebibyte_meets_the_attempt_cap() {
    let requests = Arc::new(AtomicU32::new(0));
    let counted = Arc::clone(&requests);
    let server = streaming_server(move |mut socket, from| {
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            let _ = socket.write_all(object_head(from, 1_000_000_000_000).as_bytes()).await;
            let _ = socket.write_all(&vec![b'x'; 1 << 20]).await;
        }
    })
    .await;
    let options = DownloadOptions {
        retry_backoff: ms(1),
        max_attempts_per_file: 8,
        ..DownloadOptions::default()
    };

    let started = Instant::now();
    let (error, _out) = download_error(&server, "a.zip", options).await;

    let text = error.to_string();
    assert!(text.contains("8 attempts, the most for one file"), "{text}");
    assert_eq!(requests.load(Ordering::SeqCst), 8);
    report(
        "1 MiB of each range, then the connection closes (10^12 announced)",
        "DownloadOptions::max_attempts_per_file (100; here 8)",
        format!(
            "given up after {} requests in {:?}",
            requests.load(Ordering::SeqCst),
            started.elapsed()
        ),
    );
}

#[tokio::test]
async fn a_file_past_its_deadline_is_given_up_with_its_bytes_kept() {
    let server = streaming_server(|mut socket, from| async move {
        let _ = socket.write_all(object_head(from, 1_000_000_000_000).as_bytes()).await;
        let chunk = vec![b'x'; 16 << 10];
        loop {
            if socket.write_all(&chunk).await.is_err() {
                return;
            }
            tokio::time::sleep(ms(20)).await;
        }
    })
    .await;
    let options = DownloadOptions {
        file_deadline: Some(ms(600)),
        ..DownloadOptions::default()
    };

    let started = Instant::now();
    let (error, out) = download_error(&server, "a.zip", options).await;

    let text = error.to_string();
    assert!(text.contains("not complete within its deadline of 600ms"), "{text}");
    let kept = std::fs::metadata(out.path().join("a.zip.part")).unwrap().len();
    assert!(
        kept > 0 && text.contains(&format!("its {kept} bytes so far are kept")),
        "{text}"
    );
    report(
        "a fast enough but endless body (16 KiB every 20 ms of 10^12)",
        "DownloadOptions::file_deadline (24 h, --file-deadline; here 600 ms)",
        format!(
            "given up after {:?}, {kept} bytes kept for a later run",
            started.elapsed()
        ),
    );
}

#[tokio::test]
async fn response_headers_sent_a_byte_at_a_time_are_bounded_by_the_read_timeout() {
    let server = streaming_server(|mut socket, _| async move {
        let _ = socket.write_all(b"HTTP/1.1 200 OK\r\nx-slow: ").await;
        loop {
            if socket.write_all(b"y").await.is_err() {
                return;
            }
            tokio::time::sleep(ms(50)).await;
        }
    })
    .await;
    let options = DownloadOptions {
        read_timeout: ms(500),
        max_attempts: 2,
        retry_backoff: ms(1),
        ..DownloadOptions::default()
    };

    let started = Instant::now();
    let (error, _out) = download_error(&server, "a.zip", options).await;

    let text = error.to_string();
    assert!(text.contains("operation timed out"), "{text}");
    assert!(started.elapsed() >= ms(1000), "two whole read timeouts");
    report(
        "response headers at 1 byte every 50 ms",
        "DownloadOptions::read_timeout bounds the whole head, not each byte (60 s; here 500 ms, 2 attempts)",
        format!("given up after {:?}", started.elapsed()),
    );
}

#[tokio::test]
async fn a_state_with_a_duplicate_key_is_refused() {
    let server = fake_server(|_, _| {
        http_response(
            "200 OK",
            &[],
            br#"{"state": "IN_PROGRESS", "urls": [], "state": "COMPLETE"}"#,
        )
    })
    .await;

    let error = dataportability_export::job::state(&client(&server), "j1")
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(
        text.contains("duplicate field `state` in PortabilityArchiveState"),
        "{text}"
    );
    report(
        "a job state with \"state\" twice",
        "duplicate keys refused (not the last value silently)",
        "refused",
    );
}

#[tokio::test]
async fn a_job_id_that_is_an_escape_sequence_is_never_used() {
    let server = fake_server(|_, _| http_response("200 OK", &[], br#"{"archiveJobId": "\u001b]0;owned\u0007"}"#)).await;

    let error = dataportability_export::job::initiate(&client(&server), "myactivity.search")
        .await
        .unwrap_err();

    assert!(matches!(error, Error::NoJobId { method: "initiate" }), "{error:?}");
    report(
        "initiate answers a job id that is an escape sequence",
        "job ids are plain (printable ASCII, no '/', at most 256 characters)",
        "refused",
    );
}

#[test]
fn verified_files_are_recorded_in_linear_time() {
    use dataportability_export::out_dir::Dir;
    use dataportability_export::state_file::{GroupState, JOURNAL_NAME, StateFile, VerifiedFile};

    let mut lines = Vec::new();
    for files in [250, 500, 1000] {
        let root = tempfile::tempdir().unwrap();
        let dir = Dir::create(root.path()).unwrap();
        let mut state = StateFile::new(None);
        state.groups.insert(SEARCH.into(), GroupState::default());
        state.save_in(&dir).unwrap();
        let saved = std::fs::read(StateFile::path(root.path())).unwrap();
        let started = Instant::now();
        for n in 0..files {
            let file = VerifiedFile {
                path: format!("{SEARCH}/archive-{n}.zip"),
                bytes: 1 << 30,
                checksums: "crc32c=AAAAAA==,md5=1B2M2Y8AsgTpgAmY7PhCfg==".into(),
            };
            state.record_verified_in(&dir, SEARCH, file).unwrap();
        }
        let elapsed = started.elapsed();
        assert_eq!(
            std::fs::read(StateFile::path(root.path())).unwrap(),
            saved,
            "not rewritten"
        );
        let journal = std::fs::read_to_string(dir.join(JOURNAL_NAME)).unwrap();
        assert_eq!(journal.lines().count(), files);
        let reloaded = StateFile::load_in(&dir).unwrap().unwrap();
        assert_eq!(reloaded.groups[SEARCH].verified.len(), files);
        lines.push(format!(
            "{files} files {:.2} s ({:.1} ms each)",
            elapsed.as_secs_f64(),
            elapsed.as_secs_f64() * 1000.0 / files as f64
        ));
    }
    report(
        "state saving: a verified record per file (1,000 files took 51 s, 4,000 251 s before)",
        "one synced journal line per file, O(N); the state file rewritten per job change",
        lines.join(", "),
    );
}
