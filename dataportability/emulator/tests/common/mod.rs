//! Helpers shared by the end-to-end tests: an emulator, a generated client pointed at it, and
//! short names for what the tests assert.
#![allow(dead_code)]

use std::io::{Cursor, Read};
use std::time::Duration;

use dataportability_emulator::{AccessType, Emulator, EmulatorConfig};
use dataportability_v1::models::portability_archive_state::State;
use dataportability_v1::models::{InitiatePortabilityArchiveRequest, PortabilityArchiveState};
use dataportability_v1::{Client, Error, StaticToken};

/// The resource group most tests export.
pub const SEARCH: &str = "myactivity.search";
/// A second resource group.
pub const YOUTUBE: &str = "myactivity.youtube";

/// An emulator whose jobs complete after 10 minutes of emulator time (tests advance the clock
/// or complete jobs explicitly), with small archives.
pub async fn emulator() -> Emulator {
    emulator_with(EmulatorConfig::default()).await
}

/// An emulator with `config`, but jobs completing after 10 minutes unless `config` says other.
pub async fn emulator_with(config: EmulatorConfig) -> Emulator {
    let config = if config.complete_after == EmulatorConfig::default().complete_after {
        EmulatorConfig {
            complete_after: Duration::from_secs(600),
            ..config
        }
    } else {
        config
    };
    Emulator::start_with(config).await.expect("the emulator starts")
}

/// A generated client pointed at the emulator with `token`.
pub fn client(emulator: &Emulator, token: &str) -> Client {
    Client::builder()
        .endpoint(emulator.url())
        .token_source(StaticToken::new(token))
        .build()
        .expect("client builds")
}

/// A client with a one-time token for `groups`.
pub fn one_time_client(emulator: &Emulator, groups: &[&str]) -> Client {
    let token = emulator
        .mint_token(groups.iter().copied(), AccessType::OneTime)
        .expect("token");
    client(emulator, &token)
}

/// A client with a time-based token for `groups`.
pub fn time_based_client(emulator: &Emulator, groups: &[&str]) -> Client {
    let token = emulator
        .mint_token(groups.iter().copied(), AccessType::TimeBased)
        .expect("token");
    client(emulator, &token)
}

/// An initiate request for `groups`.
pub fn request(groups: &[&str]) -> InitiatePortabilityArchiveRequest {
    InitiatePortabilityArchiveRequest {
        resources: groups.iter().map(|g| (*g).to_owned()).collect(),
        ..Default::default()
    }
}

/// Initiates a job for `groups` and returns its id.
pub async fn initiate(client: &Client, groups: &[&str]) -> String {
    let response = client
        .portability_archive()
        .initiate(request(groups))
        .send()
        .await
        .expect("initiate");
    response.archive_job_id.expect("archiveJobId")
}

/// The state of job `id`.
pub async fn state(client: &Client, id: &str) -> Result<PortabilityArchiveState, Error> {
    client
        .archive_jobs()
        .get_portability_archive_state(format!("archiveJobs/{id}/portabilityArchiveState"))
        .send()
        .await
}

/// The state of job `id`, which must be readable.
pub async fn state_of(client: &Client, id: &str) -> PortabilityArchiveState {
    state(client, id).await.expect("getPortabilityArchiveState")
}

/// The signed URLs of a job completed through the control handle.
pub async fn completed_urls(emulator: &Emulator, client: &Client, id: &str) -> Vec<String> {
    emulator.complete_job(id).expect("complete");
    let state = state_of(client, id).await;
    assert_eq!(state.state, Some(State::Complete));
    state.urls
}

/// The HTTP status and canonical code of an API error; panics on any other error.
#[track_caller]
pub fn api_error(result: Result<impl std::fmt::Debug, Error>) -> (u16, String) {
    match result {
        Err(Error::Api(api)) => {
            assert!(api.is_google_format, "Google's JSON error format: {api:?}");
            (api.status.as_u16(), api.code.clone().unwrap_or_default())
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Downloads `url` with plain HTTP.
pub async fn download(url: &str) -> reqwest::Response {
    reqwest::get(url).await.expect("the download answers")
}

/// The entries of a ZIP archive: (name, content).
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a valid ZIP archive");
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).expect("entry");
            let mut content = Vec::new();
            file.read_to_end(&mut content).expect("the entry's CRC-32 checks");
            (file.name().to_owned(), content)
        })
        .collect()
}

/// The records of `group` in an archive.
pub fn records(bytes: &[u8], group: &str) -> Vec<serde_json::Value> {
    let entries = unzip(bytes);
    let (_, content) = entries
        .iter()
        .find(|(name, _)| *name == format!("{group}/records.json"))
        .expect("records.json");
    serde_json::from_slice::<Vec<serde_json::Value>>(content).expect("records are JSON")
}

/// The `time` of every record of `SEARCH` in an archive, in order.
pub fn record_times(bytes: &[u8]) -> Vec<chrono::DateTime<chrono::Utc>> {
    records(bytes, SEARCH)
        .iter()
        .map(|r| {
            r["time"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .expect("a record has a time")
        })
        .collect()
}
