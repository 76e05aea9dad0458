//! An emulator and the service in one process, sharing a clock the test moves.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use dataportability_emulator::{AccessType, Emulator, EmulatorConfig};
use dataportability_server::app::Settings;
use dataportability_server::clock::ManualClock;
use dataportability_server::crypto::KeyRing;
use dataportability_server::{Config, OAuthSetup, Running};
use serde_json::Value;

pub const SEARCH: &str = "myactivity.search";
pub const SAVED: &str = "saved.collections";
pub const API_KEY: &str = "test-api-key-0123456789";

pub struct Harness {
    pub emulator: Emulator,
    pub clock: Arc<ManualClock>,
    pub service: Option<Running>,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    pub keys_text: String,
    pub port: u16,
    pub webhook: Option<dataportability_server::app::Webhook>,
}

pub fn emulator_config() -> EmulatorConfig {
    EmulatorConfig {
        consent_access_type: AccessType::TimeBased,
        complete_after: Duration::from_secs(60),
        archive_size: 4096,
        ..EmulatorConfig::default()
    }
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(emulator_config()).await
    }

    pub async fn start_with(config: EmulatorConfig) -> Self {
        let emulator = Emulator::start_with(config).await.expect("emulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let keys_text = format!("k1:{}\n", base64_key());
        let mut harness = Self {
            emulator,
            clock: Arc::new(ManualClock::default()),
            service: None,
            dir,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            keys_text,
            port: 0,
            webhook: None,
        };
        harness.restart().await;
        harness
    }

    /// Stops the service (as a crash would: nothing is flushed) and starts it again on the same
    /// database and archives.
    pub async fn restart(&mut self) {
        if let Some(old) = self.service.take() {
            old.stop();
            drop(old);
            tokio::task::yield_now().await;
        }
        let config = Config {
            database: self.dir.path().join("server.db").into(),
            database_connections: 4,
            archives: self.dir.path().join("archives").into(),
            keys: KeyRing::parse(&self.keys_text).expect("keys"),
            api_key: API_KEY.to_owned(),
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], self.port)),
            public_url: None,
            oauth: OAuthSetup::Emulator {
                cache: self.dir.path().join("emulator-client.json"),
            },
            api_url: self.emulator.url().to_owned(),
            clock: self.clock.clone(),
            settings: Settings {
                google_rps: 0,
                ..Settings::default()
            },
            webhook: self.webhook.clone(),
            scheduler: false,
            serve: true,
        };
        let running = dataportability_server::start(config).await.expect("service");
        // The same port after a restart: the OAuth client's redirect URI names it.
        self.port = running
            .url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        self.service = Some(running);
    }

    pub fn service(&self) -> &Running {
        self.service.as_ref().expect("running")
    }

    pub fn url(&self) -> String {
        self.service().url.clone()
    }

    /// Moves the emulator's clock and the service's together.
    pub fn advance(&self, by: Duration) {
        self.emulator.advance_clock(by);
        self.clock.advance(by);
    }

    /// Runs the scheduler until nothing is due.
    pub async fn run_due(&self) {
        for _ in 0..1000 {
            if dataportability_server::worker::tick(&self.service().app).await == 0 {
                return;
            }
        }
        panic!("the scheduler never ran out of due items");
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url()))
            .bearer_auth(API_KEY);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let json = response.json().await.expect("every answer is JSON");
        (status, json)
    }

    pub async fn create(&self, user: &str, groups: &[&str]) -> (String, String) {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/v1/connections",
                Some(serde_json::json!({
                    "userRef": user,
                    "groups": groups,
                    "returnUrl": "https://app.example/done",
                    "loginHint": format!("{user}@example.com"),
                })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        (
            body["id"].as_str().expect("id").to_owned(),
            body["consentUrl"].as_str().expect("consentUrl").to_owned(),
        )
    }

    /// The user's browser: the consent URL, the emulator's redirect, the service's callback.
    /// Answers the callback's status and `Location`.
    pub async fn consent(&self, consent_url: &str) -> (u16, String) {
        let google = self.http.get(consent_url).send().await.expect("consent page");
        assert_eq!(google.status().as_u16(), 302, "the emulator redirects back");
        let callback = google.headers()["location"].to_str().expect("location").to_owned();
        assert!(callback.starts_with(&self.url()), "{callback}");
        let back = self.http.get(&callback).send().await.expect("callback");
        let status = back.status().as_u16();
        let location = back
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap_or_default().to_owned())
            .unwrap_or_default();
        (status, location)
    }

    pub async fn connect(&self, user: &str, groups: &[&str]) -> String {
        let (id, url) = self.create(user, groups).await;
        let (status, location) = self.consent(&url).await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("https://app.example/done?connection={id}"));
        id
    }

    pub async fn connection(&self, id: &str) -> Value {
        let (status, body) = self
            .call(reqwest::Method::GET, &format!("/v1/connections/{id}"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    pub async fn events(&self) -> Vec<Value> {
        let mut all = Vec::new();
        let mut after = "0".to_owned();
        loop {
            let (status, body) = self
                .call(
                    reqwest::Method::GET,
                    &format!("/v1/events?after={after}&limit=50"),
                    None,
                )
                .await;
            assert_eq!(status, 200);
            let events = body["events"].as_array().expect("events").clone();
            if events.is_empty() {
                return all;
            }
            after = body["next"].as_str().expect("next").to_owned();
            all.extend(events);
        }
    }

    /// One export window: the job is started, completes on the emulator, is polled and
    /// downloaded.
    pub async fn export_window(&self) {
        self.run_due().await;
        // Google's first poll comes 5 minutes later; the job completes after 1.
        self.advance(Duration::from_secs(5 * 60 + 1));
        self.run_due().await;
    }
}

fn base64_key() -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode([7u8; 32])
}

pub fn crc32c_hex(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).expect("archive");
    format!("{:08x}", crc32c::crc32c(&bytes))
}
