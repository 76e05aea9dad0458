//! `Downloader` against the emulator's signed URLs (and a fake server for a corrupt body).

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine as _;
use common::*;
use dataportability_emulator::{AccessType, Emulator, EmulatorConfig, Faults};
use dataportability_export::Error;
use dataportability_export::download::{DownloadOptions, Downloader};
use dataportability_export::hashes::Hasher;
use dataportability_v1::models::{InitiatePortabilityArchiveRequest, ResetAuthorizationRequest};

const SIZE: u64 = 300_000;

/// An emulator with archives of `SIZE` bytes and `faults`, a client for `groups`, and the
/// `COMPLETE` state of one job for all of them.
async fn completed(
    faults: Faults,
    groups: &[&str],
) -> (
    Emulator,
    dataportability_v1::Client,
    String,
    dataportability_v1::models::PortabilityArchiveState,
) {
    let config = EmulatorConfig {
        complete_after: ms(10),
        archive_size: SIZE,
        faults,
        ..Default::default()
    };
    let emulator = emulator(config).await;
    let client = client(&emulator, groups, AccessType::OneTime);
    let job = client
        .portability_archive()
        .initiate(InitiatePortabilityArchiveRequest {
            resources: groups.iter().map(|g| g.to_string()).collect(),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .archive_job_id
        .unwrap();
    let state = dataportability_export::wait::wait(&client, &job, &fast_poll(), |_| {})
        .await
        .unwrap();
    (emulator, client, job, state)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn every_archive_of_a_complete_job_is_downloaded_and_verified() {
    let (_emulator, client, job, state) = completed(Faults::default(), &[SEARCH, YOUTUBE]).await;
    let dir = tempfile::tempdir().unwrap();
    let downloader = Downloader::new(client, fast_download()).unwrap();
    let mut last = Vec::new();

    let files = downloader
        .download_all(&job, &state, dir.path(), |p| {
            if last.len() <= p.index {
                last.push((0, None));
            }
            last[p.index] = (p.done, p.total);
        })
        .await
        .unwrap();

    assert_eq!(
        files_in(dir.path()),
        ["myactivity.search.zip", "myactivity.youtube.zip"]
    );
    for (file, url) in files.iter().zip(&state.urls) {
        assert_eq!(
            (file.bytes, file.verified.as_str(), file.already_present),
            (SIZE, "crc32c", false)
        );
        assert_eq!(md5_of(&file.path), announced_md5(url).await);
        assert!(std::fs::read(&file.path).unwrap().starts_with(b"PK\x03\x04"), "a ZIP");
    }
    assert_eq!(last, [(SIZE, Some(SIZE)), (SIZE, Some(SIZE))]);

    // A second call finds them done and downloads nothing.
    let again = downloader.download_all(&job, &state, dir.path(), |_| {}).await.unwrap();
    assert!(again.iter().all(|f| f.already_present && f.bytes == SIZE));
}

#[tokio::test]
async fn a_dropped_connection_resumes_with_a_range_and_verifies() {
    let faults = Faults {
        dropped_downloads: 2,
        drop_after_bytes: 50_000,
        ..Default::default()
    };
    let (_emulator, client, job, state) = completed(faults, &[SEARCH]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut done = Vec::new();

    let files = Downloader::new(client, fast_download())
        .unwrap()
        .download_all(&job, &state, dir.path(), |p| done.push(p.done))
        .await
        .unwrap();

    assert_eq!((files[0].bytes, files[0].verified.as_str()), (SIZE, "crc32c"));
    assert_eq!(md5_of(&files[0].path), announced_md5(&state.urls[0]).await);
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "never started over: {done:?}");
    assert!(
        done.contains(&50_000) && done.contains(&100_000),
        "dropped twice, at 50 000 bytes each time"
    );
}

#[tokio::test]
async fn a_part_left_by_an_interrupted_run_is_resumed_and_hashed_whole() {
    let faults = Faults {
        dropped_downloads: 1,
        drop_after_bytes: 100_000,
        ..Default::default()
    };
    let (_emulator, client, job, state) = completed(faults, &[SEARCH]).await;
    let dir = tempfile::tempdir().unwrap();
    let impatient = DownloadOptions {
        max_attempts: 1,
        ..fast_download()
    };

    let error = Downloader::new(client.clone(), impatient)
        .unwrap()
        .download_all(&job, &state, dir.path(), |_| {})
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Download { file, .. } if file == "myactivity.search.zip"),
        "{error:?}"
    );
    assert!(
        !error.to_string().contains("Signature"),
        "no signed URL in errors: {error}"
    );
    assert_eq!(files_in(dir.path()), ["myactivity.search.zip.part"]);
    assert_eq!(
        std::fs::metadata(dir.path().join("myactivity.search.zip.part"))
            .unwrap()
            .len(),
        100_000
    );

    // "Restart the program": a new downloader finds the part and resumes it.
    let files = Downloader::new(client, fast_download())
        .unwrap()
        .download_all(&job, &state, dir.path(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        (files[0].resumed_from, files[0].bytes, files[0].verified.as_str()),
        (100_000, SIZE, "crc32c")
    );
    assert_eq!(files_in(dir.path()), ["myactivity.search.zip"]);
    assert_eq!(md5_of(&files[0].path), announced_md5(&state.urls[0]).await);
}

#[tokio::test]
async fn an_expired_url_is_refreshed_mid_download() {
    let faults = Faults {
        dropped_downloads: 1,
        drop_after_bytes: 50_000,
        ..Default::default()
    };
    let (emulator, client, job, state) = completed(faults, &[SEARCH]).await;
    let dir = tempfile::tempdir().unwrap();
    let advanced = AtomicBool::new(false);
    let mut done = Vec::new();

    let files = Downloader::new(client.clone(), fast_download())
        .unwrap()
        .download_all(&job, &state, dir.path(), |p| {
            done.push(p.done);
            // The connection drops after 50 000 bytes; the URL expires before the resume.
            if p.done >= 50_000 && !advanced.swap(true, Ordering::SeqCst) {
                emulator.advance_clock(std::time::Duration::from_secs(7 * 3600));
            }
        })
        .await
        .unwrap();

    assert_eq!(files[0].url_refreshes, 1);
    assert_eq!((files[0].bytes, files[0].verified.as_str()), (SIZE, "crc32c"));
    assert!(
        done.windows(2).all(|w| w[0] <= w[1]),
        "went on from the same offset: {done:?}"
    );
    // Cloud Storage's answer to the first URL now (the access token, 7 hours old too, was
    // refreshed by the client's token source when the state was read for a fresh URL).
    let old_url_now = reqwest::get(&state.urls[0]).await.unwrap();
    assert_eq!(old_url_now.status(), 400, "the first URL did expire");
    assert!(old_url_now.text().await.unwrap().contains("<Code>ExpiredToken</Code>"));
    let fresh = dataportability_export::job::state(&client, &job).await.unwrap();
    assert_eq!(md5_of(&files[0].path), announced_md5(&fresh.urls[0]).await);
}

#[tokio::test]
async fn a_corrupted_download_is_detected_and_not_kept() {
    let body: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let mut hasher = Hasher::new();
    hasher.update(&body);
    let good = hasher.finish();
    let header = format!(
        "crc32c={},md5={}",
        base64::engine::general_purpose::STANDARD.encode(good.crc32c.to_be_bytes()),
        base64::engine::general_purpose::STANDARD.encode(good.md5.unwrap())
    );
    let mut corrupt = body.clone();
    corrupt[54_321] ^= 0x01;
    let url = fake_server(move |_, _| http_response("200 OK", &[("x-goog-hash", header.clone())], &corrupt)).await;
    let client = client_at(&url, "unused");
    let dir = tempfile::tempdir().unwrap();

    let error = Downloader::new(client, fast_download())
        .unwrap()
        .download_all(
            "j1",
            &complete_state(vec![format!("{url}b/j1/group.zip?Signature=s")]),
            dir.path(),
            |_| {},
        )
        .await
        .unwrap_err();

    assert!(error.is_verification(), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("verification of group.zip failed: crc32c mismatch"),
        "{error}"
    );
    assert!(files_in(dir.path()).is_empty(), "neither the file nor its part is left");
}

#[tokio::test]
async fn a_corrupt_part_from_an_earlier_run_is_caught_by_the_whole_file_hash() {
    let (_emulator, client, job, state) = completed(Faults::default(), &[SEARCH]).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("myactivity.search.zip.part"), vec![0xAB; 1000]).unwrap();
    let downloader = Downloader::new(client, fast_download()).unwrap();

    let error = downloader
        .download_all(&job, &state, dir.path(), |_| {})
        .await
        .unwrap_err();
    assert!(error.is_verification(), "{error:?}");
    assert!(files_in(dir.path()).is_empty());

    let files = downloader.download_all(&job, &state, dir.path(), |_| {}).await.unwrap();
    assert_eq!((files[0].resumed_from, files[0].bytes), (0, SIZE));
}

#[tokio::test]
async fn a_deleted_archive_is_a_clear_error() {
    let (emulator, client, job, state) = completed(Faults::default(), &[SEARCH]).await;
    client
        .authorization()
        .reset(ResetAuthorizationRequest::default())
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    let error = Downloader::new(client, fast_download())
        .unwrap()
        .download_all(&job, &state, dir.path(), |_| {})
        .await
        .unwrap_err();

    assert!(matches!(error, Error::Download { status: Some(404), .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "download of myactivity.search.zip failed: HTTP 404 Not Found"
    );
    // Read again (with a new token), the job is COMPLETE without URLs: a clear error too.
    let client = common::client(&emulator, &[SEARCH], AccessType::OneTime);
    let state = dataportability_export::job::state(&client, &job).await.unwrap();
    let error = Downloader::new(client, fast_download())
        .unwrap()
        .download_all(&job, &state, dir.path(), |_| {})
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with(&format!(
            "job {job} has no download URL for any file: the job is COMPLETE but lists no URL"
        )),
        "{message}"
    );
}

#[tokio::test]
async fn a_complete_part_left_before_its_rename_is_verified_without_downloading_again() {
    let (_emulator, client, job, state) = completed(Faults::default(), &[SEARCH]).await;
    let dir = tempfile::tempdir().unwrap();
    let whole = reqwest::get(&state.urls[0]).await.unwrap().bytes().await.unwrap();
    std::fs::write(dir.path().join("myactivity.search.zip.part"), &whole).unwrap();

    let files = Downloader::new(client, fast_download())
        .unwrap()
        .download_all(&job, &state, dir.path(), |_| {})
        .await
        .unwrap();

    assert_eq!(
        (files[0].resumed_from, files[0].bytes, files[0].verified.as_str()),
        (SIZE, SIZE, "crc32c")
    );
    assert_eq!(files_in(dir.path()), ["myactivity.search.zip"]);
}

/// The whole story of a real export, through the generated client and the workflow: the job
/// takes 5 hours (five access-token lifetimes: each poll finds the token expired and refreshes
/// it), its archive comes as two files, the first download is interrupted, and the second run
/// starts 7 hours later with the URLs of the first (expired: 400 ExpiredToken) and finishes
/// from the part files, with every file byte-identical to the server's and verified.
#[tokio::test]
async fn an_export_spanning_token_lifetimes_resumes_after_its_urls_expired() {
    let emulator = emulator(EmulatorConfig {
        complete_after: std::time::Duration::from_secs(5 * 3600),
        archive_size: SIZE,
        files_per_archive: 2,
        faults: Faults {
            dropped_downloads: 1,
            drop_after_bytes: 40_000,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let source = refreshing(&emulator, &[SEARCH], AccessType::TimeBased);
    let client = client_with_source(&emulator, source.clone());
    let job = dataportability_export::job::initiate(&client, SEARCH).await.unwrap();

    let options = dataportability_export::retry::WaitAndRetryOptions {
        poll: fast_poll(),
        ..fast_retry()
    };
    let finished = dataportability_export::retry::wait_and_retry(&client, &job, &options, |_event| {
        // An hour of emulator time between two polls: every poll needs a new access token.
        emulator.advance_clock(std::time::Duration::from_secs(3600));
    })
    .await
    .unwrap();
    assert!(
        source.refreshes.load(Ordering::SeqCst) >= 4,
        "the token was refreshed through the wait: {}",
        source.refreshes.load(Ordering::SeqCst)
    );
    assert_eq!(finished.state.urls.len(), 2, "two files");

    // The first run is cut off: the connection drops and the run gives up.
    let dir = tempfile::tempdir().unwrap();
    let impatient = DownloadOptions {
        max_attempts: 1,
        ..fast_download()
    };
    let cut = Downloader::new(client.clone(), impatient)
        .unwrap()
        .download_all(&finished.job_id, &finished.state, dir.path(), |_| {})
        .await
        .expect_err("interrupted");
    assert!(matches!(cut, Error::Download { .. }), "{cut}");
    assert_eq!(files_in(dir.path()), ["myactivity.search-001.zip.part"]);

    // 7 hours later, with the old state and its expired URLs.
    emulator.advance_clock(std::time::Duration::from_secs(7 * 3600));
    let refreshes_before = source.refreshes.load(Ordering::SeqCst);
    // --verify md5: both checksums, so the resumed file's MD5 is checked across the expired URL.
    let both = DownloadOptions {
        verify: dataportability_export::hashes::Verify::Md5,
        ..fast_download()
    };
    let files = Downloader::new(client.clone(), both)
        .unwrap()
        .download_all(&finished.job_id, &finished.state, dir.path(), |_| {})
        .await
        .unwrap();
    assert!(
        source.refreshes.load(Ordering::SeqCst) > refreshes_before,
        "the token expired too"
    );
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].resumed_from, 40_000, "resumed from the part file");
    assert_eq!(
        files.iter().map(|f| f.url_refreshes).sum::<u32>(),
        2,
        "both URLs had expired"
    );
    let fresh = dataportability_export::job::state(&client, &job).await.unwrap();
    let mut whole = Vec::new();
    for (file, url) in files.iter().zip(&fresh.urls) {
        assert_eq!(file.verified, "crc32c+md5");
        let on_disk = std::fs::read(&file.path).unwrap();
        let served = reqwest::get(url.as_str()).await.unwrap().bytes().await.unwrap();
        assert_eq!(on_disk, served.as_ref(), "{}: byte-identical", file.path.display());
        whole.extend_from_slice(&on_disk);
    }
    assert_eq!(whole.len() as u64, SIZE, "the two files are the whole archive");
    assert_eq!(
        files_in(dir.path()),
        ["myactivity.search-001.zip", "myactivity.search-002.zip"]
    );
}

/// A signed URL that redirects to another origin (here another port, with plain http, as a
/// redirect to `http://other-host/` would be) is not followed, and not retried; the other
/// server sees no request. A redirect on the same origin is followed.
#[tokio::test]
async fn redirects_are_followed_only_on_the_same_origin() {
    let other_hits = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let hits = other_hits.clone();
    let other = fake_server(move |_, _| {
        hits.fetch_add(1, Ordering::SeqCst);
        http_response("200 OK", &[], b"stolen")
    })
    .await;
    let target = format!("{other}archive.zip");
    let first_hits = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let counted = first_hits.clone();
    let server = fake_server(move |line, _| {
        counted.fetch_add(1, Ordering::SeqCst);
        if line.starts_with("GET /same ") {
            http_response("302 Found", &[("location", "/final.zip".to_owned())], b"")
        } else if line.starts_with("GET /final.zip ") {
            http_response("200 OK", &[], b"archive bytes")
        } else {
            http_response("302 Found", &[("location", target.clone())], b"")
        }
    })
    .await;
    let client = client_at(&server, "token");
    let downloader = Downloader::new(client, fast_download()).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let state = complete_state(vec![format!("{server}away.zip?sig=s")]);
    let error = downloader
        .download_all("j1", &state, dir.path(), |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("another origin"), "{error}");
    assert_eq!(other_hits.load(Ordering::SeqCst), 0);
    assert_eq!(
        first_hits.load(Ordering::SeqCst),
        1,
        "a refused redirect is not retried"
    );

    let dir = tempfile::tempdir().unwrap();
    let state = complete_state(vec![format!("{server}same")]);
    let files = downloader.download_all("j2", &state, dir.path(), |_| {}).await.unwrap();
    assert_eq!(std::fs::read(&files[0].path).unwrap(), b"archive bytes");
}

/// A URL in plain http to a host that is not loopback is refused before any connection.
#[tokio::test]
async fn archive_urls_must_be_https_unless_loopback() {
    let downloader = Downloader::new(client_at("http://127.0.0.1:9/", "token"), fast_download()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let state = complete_state(vec!["http://archives.example/a.zip?sig=secret".to_owned()]);
    let error = downloader
        .download_all("j1", &state, dir.path(), |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("must use https"), "{error}");
    assert!(!error.contains("secret"), "{error}");
}
