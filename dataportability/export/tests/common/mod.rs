//! Helpers of the export library's end-to-end tests: an emulator, a client pointed at it, fast
//! policies, and a tiny fake HTTP server for answers the emulator never gives.
#![allow(dead_code)]
// Each test binary uses some of the shared helpers re-exported here, never all.
#![allow(unused_imports)]

use std::time::Duration;

use dataportability_v1::models::PortabilityArchiveState;
use dataportability_v1::models::portability_archive_state::State;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use dataportability_emulator::{AccessType, Emulator, EmulatorConfig, TokenRequest};
use dataportability_export::download::DownloadOptions;
use dataportability_export::retry::WaitAndRetryOptions;
use dataportability_export::wait::PollPolicy;
use dataportability_v1::runtime::BoxFuture;
use dataportability_v1::{AccessToken, AuthError, Client, RetryPolicy, StaticToken, TokenSource};

pub use dataportability_test_support::{announced_md5, fake_server, http_response, md5_base64, md5_of};

pub const SEARCH: &str = "myactivity.search";
pub const YOUTUBE: &str = "myactivity.youtube";

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// An emulator whose jobs complete after `complete_after` of real time.
pub async fn emulator(config: EmulatorConfig) -> Emulator {
    Emulator::start_with(config).await.expect("the emulator starts")
}

/// A client with a consent for `groups`, retrying quickly, whose access tokens are refreshed
/// at the emulator's token endpoint when they expire (as an app with a refresh token does).
pub fn client(emulator: &Emulator, groups: &[&str], access: AccessType) -> Client {
    client_with_source(emulator, refreshing(emulator, groups, access))
}

/// A client of `emulator` with `source`, retrying quickly.
pub fn client_with_source(emulator: &Emulator, source: Arc<Refreshing>) -> Client {
    Client::builder()
        .endpoint(emulator.url())
        .shared_token_source(source)
        .retry_policy(
            RetryPolicy::default()
                .with_initial_backoff(ms(5))
                .with_max_backoff(ms(20)),
        )
        .build()
        .expect("client builds")
}

/// A refreshing token source of a new consent for `groups`.
pub fn refreshing(emulator: &Emulator, groups: &[&str], access: AccessType) -> Arc<Refreshing> {
    let tokens = emulator
        .mint(&TokenRequest {
            resources: groups.iter().map(|g| (*g).to_owned()).collect(),
            access_type: access,
            ..TokenRequest::default()
        })
        .expect("tokens");
    let secret = emulator.client_secret_json();
    let installed = &secret["installed"];
    Arc::new(Refreshing {
        token_uri: installed["token_uri"].as_str().expect("token_uri").to_owned(),
        client_id: installed["client_id"].as_str().expect("client_id").to_owned(),
        client_secret: installed["client_secret"].as_str().expect("secret").to_owned(),
        refresh_token: tokens.refresh_token,
        current: Mutex::new(Some(tokens.access_token)),
        refreshes: AtomicU32::new(0),
    })
}

/// Access tokens from a refresh token: cached until the server rejects one (401), then
/// refreshed with the `refresh_token` grant.
pub struct Refreshing {
    token_uri: String,
    client_id: String,
    client_secret: String,
    refresh_token: String,
    current: Mutex<Option<String>>,
    /// How many refreshes were made.
    pub refreshes: AtomicU32,
}

impl std::fmt::Debug for Refreshing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Refreshing")
    }
}

impl TokenSource for Refreshing {
    fn token(&self) -> BoxFuture<'_, Result<AccessToken, AuthError>> {
        Box::pin(async move {
            if let Some(token) = self.current.lock().expect("lock").clone() {
                return Ok(AccessToken::new(token));
            }
            let form = [
                ("grant_type", "refresh_token"),
                ("refresh_token", self.refresh_token.as_str()),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.as_str()),
            ];
            let response = reqwest::Client::new()
                .post(&self.token_uri)
                .form(&form)
                .send()
                .await
                .map_err(|e| AuthError::with_source("the token endpoint failed", e))?;
            let text = response
                .text()
                .await
                .map_err(|e| AuthError::with_source("no body", e))?;
            let json: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| AuthError::with_source("not JSON", e))?;
            let token = json["access_token"]
                .as_str()
                .ok_or_else(|| AuthError::new(format!("no access token: {text}")))?
                .to_owned();
            self.refreshes.fetch_add(1, Ordering::SeqCst);
            *self.current.lock().expect("lock") = Some(token.clone());
            Ok(AccessToken::new(token))
        })
    }

    fn invalidate(&self, _rejected: &AccessToken) {
        *self.current.lock().expect("lock") = None;
    }
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

pub fn fast_retry() -> WaitAndRetryOptions {
    WaitAndRetryOptions {
        poll: fast_poll(),
        ..WaitAndRetryOptions::default()
    }
}

pub fn fast_download() -> DownloadOptions {
    DownloadOptions {
        retry_backoff: ms(5),
        ..DownloadOptions::default()
    }
}

pub fn complete_state(urls: Vec<String>) -> PortabilityArchiveState {
    PortabilityArchiveState {
        state: Some(State::Complete),
        urls,
        ..Default::default()
    }
}
