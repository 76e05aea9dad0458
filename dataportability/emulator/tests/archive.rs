//! The signed URLs: real ZIP archives, deterministic per group, `Range`, `Content-Length`,
//! `x-goog-hash`, expiry (403), retention (404), and `authorization.reset` (401 and 404).

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::*;
use dataportability_emulator::{AccessType, DEFAULT_USER, Emulator, EmulatorConfig};
use dataportability_v1::models::ResetAuthorizationRequest;
use dataportability_v1::models::portability_archive_state::State;
use md5::{Digest, Md5};

/// A completed job of `group` and its single URL, with the client of its user.
async fn archive_url(emulator: &Emulator, group: &str) -> (dataportability_v1::Client, String) {
    archive_url_of(emulator, DEFAULT_USER, group).await
}

/// A completed job of `group` exported by `user` (the same group can be exported again at once
/// by another user).
async fn archive_url_of(emulator: &Emulator, user: &str, group: &str) -> (dataportability_v1::Client, String) {
    let token = emulator
        .mint_token_for(user, [group], AccessType::TimeBased)
        .expect("token");
    let client = client(emulator, &token);
    let id = initiate(&client, &[group]).await;
    let urls = completed_urls(emulator, &client, &id).await;
    assert_eq!(urls.len(), 1);
    (client, urls[0].clone())
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_url_serves_a_zip_with_its_length_and_hashes() {
    let emulator = emulator_with(EmulatorConfig {
        archive_size: 300_000,
        ..Default::default()
    })
    .await;
    let (_, url) = archive_url(&emulator, SEARCH).await;

    let response = download(&url).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "application/zip");
    assert_eq!(header(&response, "accept-ranges"), "bytes");
    assert_eq!(header(&response, "content-length"), "300000");
    let hash = header(&response, "x-goog-hash");
    let body = response.bytes().await.expect("body");
    assert_eq!(body.len(), 300_000);
    let crc = STANDARD.encode(crc32c::crc32c(&body).to_be_bytes());
    let md5 = STANDARD.encode(Md5::digest(&body));
    assert_eq!(hash, format!("crc32c={crc},md5={md5}"));

    let entries = unzip(&body);
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["myactivity.search/records.json", "myactivity.search/data.bin"]);
    assert!(!records(&body, SEARCH).is_empty());
}

#[tokio::test]
async fn content_is_deterministic_per_user_and_group() {
    let emulator = emulator().await;
    let (_, first) = archive_url(&emulator, SEARCH).await;
    let (_, second) = archive_url_of(&emulator, "another@example.com", SEARCH).await;
    let (_, other) = archive_url(&emulator, YOUTUBE).await;
    assert_ne!(first, second, "two jobs, two URLs");

    let a = download(&first).await.bytes().await.expect("body");
    let b = download(&second).await.bytes().await.expect("body");
    let c = download(&other).await.bytes().await.expect("body");
    assert_ne!(a, b, "another user has another history");
    assert_ne!(a, c);
    assert_eq!(records(&c, YOUTUBE)[0]["resourceGroup"], YOUTUBE);

    // Another emulator generates the same archive for the same user and group (the end of the
    // period is the request time, and items are hours apart).
    let again = emulator_with(EmulatorConfig::default()).await;
    let (_, url) = archive_url(&again, SEARCH).await;
    assert_eq!(
        records(&download(&url).await.bytes().await.expect("body"), SEARCH),
        records(&a, SEARCH)
    );
}

#[tokio::test]
async fn a_range_request_gets_206_with_those_bytes() {
    let emulator = emulator_with(EmulatorConfig {
        archive_size: 200_000,
        ..Default::default()
    })
    .await;
    let (_, url) = archive_url(&emulator, SEARCH).await;
    let whole = download(&url).await.bytes().await.expect("body");
    let http = reqwest::Client::new();

    for (range, expected, content_range) in [
        ("bytes=0-99", &whole[..100], "bytes 0-99/200000"),
        ("bytes=150000-", &whole[150_000..], "bytes 150000-199999/200000"),
        ("bytes=-10", &whole[199_990..], "bytes 199990-199999/200000"),
        ("bytes=65530-65545", &whole[65_530..65_546], "bytes 65530-65545/200000"),
    ] {
        let response = http.get(&url).header("range", range).send().await.expect("answer");
        assert_eq!(response.status(), 206, "{range}");
        assert_eq!(header(&response, "content-range"), content_range);
        assert_eq!(header(&response, "content-length"), expected.len().to_string());
        assert!(
            header(&response, "x-goog-hash").starts_with("crc32c="),
            "the whole object's hashes"
        );
        assert_eq!(response.bytes().await.expect("body"), expected, "{range}");
    }
}

#[tokio::test]
async fn an_unsatisfiable_range_is_416() {
    let emulator = emulator().await;
    let (_, url) = archive_url(&emulator, SEARCH).await;
    let response = reqwest::Client::new()
        .get(&url)
        .header("range", "bytes=70000-")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 416);
    assert_eq!(header(&response, "content-range"), "bytes */65536");
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("<Code>InvalidRange</Code>")
    );
}

#[tokio::test]
async fn a_url_expires_after_6_hours_with_400_expired_token() {
    let emulator = emulator().await;
    let (client, url) = archive_url(&emulator, SEARCH).await;

    emulator.advance_clock(Duration::from_secs(6 * 3600 - 60));
    assert_eq!(download(&url).await.status(), 200, "still valid");
    emulator.advance_clock(Duration::from_secs(61));
    let response = download(&url).await;
    // Cloud Storage's answer to an expired signed URL.
    assert_eq!(response.status(), 400);
    let body = response.text().await.expect("body");
    assert!(
        body.contains("<Code>ExpiredToken</Code>") && body.contains("Request signature expired at"),
        "{body}"
    );

    // The data is still there: a new state gives a fresh URL (read with a new access token:
    // the first expired after an hour).
    drop(client);
    let client = time_based_client(&emulator, &[SEARCH]);
    let fresh = state_of(&client, state_job(&url)).await.urls;
    assert_eq!(download(&fresh[0]).await.status(), 200);
}

/// The job id in an archive URL (`/storage/{bucket}/{job}/{file}`).
fn state_job(url: &str) -> &str {
    url.split('/').nth_back(1).unwrap_or_default()
}

#[tokio::test]
async fn the_url_expiry_is_configurable() {
    let emulator = emulator_with(EmulatorConfig {
        url_expiry: Duration::from_secs(60),
        ..Default::default()
    })
    .await;
    let (_, url) = archive_url(&emulator, SEARCH).await;
    emulator.advance_clock(Duration::from_secs(61));
    assert_eq!(download(&url).await.status(), 400);
}

#[tokio::test]
async fn archives_are_deleted_after_14_days() {
    let emulator = emulator_with(EmulatorConfig {
        url_expiry: Duration::from_secs(30 * 86_400),
        ..Default::default()
    })
    .await;
    let (client, url) = archive_url(&emulator, SEARCH).await;
    let job = state_job(&url).to_owned();

    emulator.advance_clock(Duration::from_secs(14 * 86_400 - 60));
    assert_eq!(download(&url).await.status(), 200);
    emulator.advance_clock(Duration::from_secs(60));
    let response = download(&url).await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.expect("body").contains("<Code>NoSuchKey</Code>"));
    drop(client);
    let client = time_based_client(&emulator, &[SEARCH]);
    let state = state_of(&client, &job).await;
    assert_eq!(state.state, Some(State::Complete));
    assert!(state.urls.is_empty(), "no URLs once the archive is deleted");
}

#[tokio::test]
async fn reset_revokes_the_token_and_removes_earlier_archives() {
    let emulator = emulator().await;
    let (client, url) = archive_url(&emulator, SEARCH).await;
    assert_eq!(download(&url).await.status(), 200);

    client
        .authorization()
        .reset(ResetAuthorizationRequest::default())
        .send()
        .await
        .expect("reset");
    assert_eq!(
        api_error(state(&client, state_job(&url)).await),
        (401, "UNAUTHENTICATED".to_owned())
    );
    assert_eq!(download(&url).await.status(), 404);
    // A new consent of the same user sees the job, without its archive.
    let renewed = time_based_client(&emulator, &[SEARCH]);
    let state = state_of(&renewed, state_job(&url)).await;
    assert_eq!(state.state, Some(State::Complete));
    assert!(state.urls.is_empty());
}

#[tokio::test]
async fn a_tampered_url_is_403() {
    let emulator = emulator().await;
    let (_, url) = archive_url(&emulator, SEARCH).await;

    let other_file = url.replace("myactivity.search.zip", "myactivity.youtube.zip");
    assert_eq!(download(&other_file).await.status(), 403);
    let longer = url.replace("&Expires=", "&Expires=9");
    assert_eq!(download(&longer).await.status(), 403);
    let unsigned = url.split('?').next().unwrap_or_default().to_owned();
    let response = download(&unsigned).await;
    assert_eq!(response.status(), 403);
    assert!(response.text().await.expect("body").starts_with("<?xml"));
}

#[tokio::test]
async fn head_gives_the_headers_only() {
    let emulator = emulator().await;
    let (_, url) = archive_url(&emulator, SEARCH).await;
    let response = reqwest::Client::new().head(&url).send().await.expect("answer");
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-length"), "65536");
    assert!(header(&response, "x-goog-hash").contains("md5="));
}

#[tokio::test]
async fn files_per_archive_gives_complete_zips_each_with_its_length_and_hashes() {
    let emulator = emulator_with(EmulatorConfig {
        files_per_archive: 3,
        archive_size: 100_000,
        ..Default::default()
    })
    .await;
    let client = one_time_client(&emulator, &[SEARCH, YOUTUBE]);
    let id = initiate(&client, &[SEARCH, YOUTUBE]).await;
    let urls = completed_urls(&emulator, &client, &id).await;
    assert_eq!(urls.len(), 6, "3 files for each of 2 groups");
    let mut total = 0;
    let mut records = 0;
    for (n, url) in urls.iter().take(3).enumerate() {
        let n = n + 1;
        assert!(url.contains(&format!("/{SEARCH}-{n:03}.zip?")), "{url}");
        let response = download(url).await;
        assert_eq!(response.status(), 200);
        let length: usize = header(&response, "content-length").parse().expect("a length");
        let hashes = header(&response, "x-goog-hash");
        let bytes = response.bytes().await.expect("body");
        assert_eq!(bytes.len(), length);
        assert!(
            hashes.ends_with(&STANDARD.encode(Md5::digest(&bytes))),
            "each file has its own hashes"
        );
        // Each file is a ZIP of its own: a slice of the records and a share of the size.
        let names: Vec<String> = unzip(&bytes).into_iter().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            [
                format!("{SEARCH}/records-{n:03}.json"),
                format!("{SEARCH}/data-{n:03}.bin")
            ]
        );
        let (_, content) = &unzip(&bytes)[0];
        records += serde_json::from_slice::<Vec<serde_json::Value>>(content)
            .expect("JSON")
            .len();
        total += bytes.len();
    }
    assert_eq!(total, 100_000, "the files share the archive's size");
    assert!(records > 10, "the records are spread over the files: {records}");
    // A file number past the count is not an object.
    let past = urls[2].replace("-003.zip?", "-004.zip?");
    assert_eq!(download(&past).await.status(), 403, "the signature covers the name");
}
