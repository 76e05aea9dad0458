//! `dataportability-server`: an export service for the apps that receive their users' Google
//! data through the Data Portability API.
//!
//! The app creates a connection per user (`POST /v1/connections`), sends the user to the
//! consent URL, and reads the event feed (`GET /v1/events`) for the archives; the service keeps
//! the grant (encrypted), schedules one export per group (once for one-time access, every
//! interval for time-based access, incremental where Google takes time filters), polls the
//! jobs, downloads and verifies the archives, and survives being killed at any point.
//!
//! - [`api`]: the HTTP API; [`oauth`]: Google's web consent flow;
//! - [`worker`]: the scheduler and the steps of an export (reusing `dataportability-export`);
//! - [`store`]: the [`store::Store`] trait and its SQLite and PostgreSQL implementations;
//! - [`metrics`]: `/metrics`; [`logging`]: structured logs with the item's ids;
//! - [`crypto`]: grants encrypted at rest; [`sink`]: where archives go; [`clock`]: the one
//!   clock; [`webhook`]: signed event delivery; [`app`]: what they share.

pub mod api;
pub mod app;
pub mod archives;
pub mod clock;
pub mod crypto;
pub mod logging;
pub mod metrics;
pub mod oauth;
pub mod object_sink;
pub mod sink;
pub mod store;
pub mod webhook;
pub mod worker;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use app::{App, RateLimiter, Settings, Webhook};
use clock::Clock;
use crypto::KeyRing;
use metrics::Metrics;
use oauth::{OAuth, WebClient};
use store::Store;

/// Where the OAuth client comes from.
#[derive(Clone, Debug)]
pub enum OAuthSetup {
    /// A web client (Google's console's client secret JSON).
    Client(WebClient),
    /// Register a web client at the emulator serving the API (`POST /emulator/v1/clients`),
    /// with the service's callback as its redirect URI, once: the client is kept in `cache`
    /// (a JSON file, `0600`) and used again after a restart with the same redirect URI.
    Emulator {
        /// The file that keeps the registered client.
        cache: PathBuf,
    },
}

/// Everything the service is started with.
pub struct Config {
    /// The database: a SQLite file (created on first run) or a PostgreSQL URL.
    pub database: store::Database,
    /// Connections to a PostgreSQL database this process may open at once.
    pub database_connections: u32,
    /// The archive directory.
    pub archives: archives::Archives,
    /// The grant keys (see [`crypto`]).
    pub keys: KeyRing,
    /// The API key the app presents.
    pub api_key: String,
    /// Where to listen (127.0.0.1 by default).
    pub listen: SocketAddr,
    /// The URL users' browsers reach the service at (default `http://LISTEN`).
    pub public_url: Option<String>,
    /// The OAuth client.
    pub oauth: OAuthSetup,
    /// The API's root URL.
    pub api_url: String,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The scheduler's settings.
    pub settings: Settings,
    /// Optional webhook.
    pub webhook: Option<Webhook>,
    /// Run the scheduler in the background: the `work` role (tests that drive it tick by tick
    /// with [`worker::tick`] turn it off).
    pub scheduler: bool,
    /// Serve the API and the consent flow: the `serve` role (without it only `/healthz` and
    /// `/metrics` are served).
    pub serve: bool,
}

/// A failure to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The listener or the archive directory.
    #[error("{what}: {source}")]
    Io {
        /// What failed.
        what: String,
        /// Why.
        source: std::io::Error,
    },
    /// The OAuth client.
    #[error("OAuth client: {0}")]
    OAuth(String),
}

/// A running service.
pub struct Running {
    /// Its base URL (`http://127.0.0.1:PORT`).
    pub url: String,
    /// Its shared state (tests read the store and the metrics).
    pub app: Arc<App>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    scheduler: Option<tokio::task::JoinHandle<()>>,
}

/// How a graceful stop went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stopped {
    /// Whether the steps in flight all finished within the grace period (else they were
    /// abandoned: nothing of theirs was recorded, and the items resume from their last
    /// recorded state).
    pub finished: bool,
    /// Leases given back.
    pub released: u64,
}

impl Running {
    /// Stops the server and the scheduler at once (as a crash would, but for the process).
    pub fn stop(&self) {
        self.app.stopping.send_replace(true);
        for task in self.tasks.iter().chain(&self.scheduler) {
            task.abort();
        }
    }

    /// A graceful stop (SIGTERM): the server and the webhook stop, the scheduler claims
    /// nothing more and starts no new step, and the steps in flight get `grace` to finish and
    /// record their result. A step still running then is abandoned (dropped before it
    /// records: a download stays in staging, resumed later; an upload is never recorded, so
    /// it is done again). Then every lease this process still holds is given back, so other
    /// workers take those items over at once rather than when the leases run out.
    pub async fn shutdown(&mut self, grace: std::time::Duration) -> Result<Stopped, store::StoreError> {
        self.app.stopping.send_replace(true);
        self.app.wake.notify_waiters();
        for task in &mut self.tasks {
            task.abort();
            let _ = task.await;
        }
        let mut finished = true;
        if let Some(mut scheduler) = self.scheduler.take()
            && tokio::time::timeout(grace, &mut scheduler).await.is_err()
        {
            finished = false;
            scheduler.abort();
            let _ = scheduler.await;
        }
        let released = self.app.store.release(&self.app.owner).await?;
        Ok(Stopped { finished, released })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The HTTP client for Google: no redirects (credentials must not follow one), timeouts.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(std::time::Duration::from_secs(10))
        .read_timeout(std::time::Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .build()
        .unwrap_or_default()
}

/// Opens the store, binds the listener, and starts the API and the scheduler.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let store: Arc<dyn Store> = config.database.open(config.database_connections).await?;
    let sink = config.archives.open().map_err(|source| StartError::Io {
        what: "the archive store".into(),
        source,
    })?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| StartError::Io {
            what: format!("listening on {}", config.listen),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Io {
        what: "the listener's address".into(),
        source,
    })?;
    let url = format!("http://{addr}");
    let public = config.public_url.clone().unwrap_or_else(|| url.clone());
    let redirect_uri = format!("{}/oauth/callback", public.trim_end_matches('/'));
    let http = http_client();
    let client = match config.oauth {
        OAuthSetup::Client(client) => client,
        OAuthSetup::Emulator { cache } => emulator_client(&http, &config.api_url, &redirect_uri, &cache).await?,
    };
    let app = Arc::new(App {
        store,
        keys: config.keys,
        oauth: OAuth::new(client, redirect_uri, http.clone()),
        clock: config.clock,
        sink,
        api_url: config.api_url,
        http,
        limiter: RateLimiter::new(config.settings.google_rps),
        settings: config.settings,
        api_key: config.api_key,
        owner: format!("pid-{}-{}", std::process::id(), crypto::random_hex(4)),
        tokens: Default::default(),
        metrics: Metrics::default(),
        wake: Default::default(),
        webhook: config.webhook,
        stopping: tokio::sync::watch::Sender::new(false),
        in_flight: Default::default(),
    });
    let router = if config.serve {
        api::router(Arc::clone(&app))
    } else {
        api::ops_router(Arc::clone(&app))
    };
    let server = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            tracing::error!(%error, "the HTTP server stopped");
        }
    });
    let mut tasks = vec![server];
    if config.serve {
        tasks.push(tokio::spawn(webhook::run(Arc::clone(&app))));
    }
    let mut scheduler = None;
    if config.scheduler {
        scheduler = Some(tokio::spawn(worker::run(Arc::clone(&app))));
    } else if let Err(error) = app.store.release_all_leases().await {
        tracing::warn!(%error, "giving back the leases of an earlier process");
    }
    Ok(Running {
        url,
        app,
        tasks,
        scheduler,
    })
}

/// The emulator's web client for `redirect_uri`: the one kept in `cache`, or a new one.
async fn emulator_client(
    http: &reqwest::Client,
    api_url: &str,
    redirect_uri: &str,
    cache: &std::path::Path,
) -> Result<WebClient, StartError> {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Cached {
        redirect_uri: String,
        api_url: String,
        client: serde_json::Value,
    }
    if let Ok(text) = std::fs::read_to_string(cache)
        && let Ok(cached) = serde_json::from_str::<Cached>(&text)
        && cached.redirect_uri == redirect_uri
        && cached.api_url == api_url
        && let Ok(client) = WebClient::from_json(&cached.client.to_string())
    {
        return Ok(client);
    }
    let (json, client) = register_at_emulator(http, api_url, redirect_uri).await?;
    let cached = Cached {
        redirect_uri: redirect_uri.to_owned(),
        api_url: api_url.to_owned(),
        client: json,
    };
    let text = serde_json::to_string(&cached).unwrap_or_default();
    let _ = std::fs::remove_file(cache);
    crypto::write_private(cache, &text).map_err(|source| StartError::Io {
        what: format!("keeping the emulator's client in {}", cache.display()),
        source,
    })?;
    Ok(client)
}

async fn register_at_emulator(
    http: &reqwest::Client,
    api_url: &str,
    redirect_uri: &str,
) -> Result<(serde_json::Value, WebClient), StartError> {
    let url = format!("{}/emulator/v1/clients", api_url.trim_end_matches('/'));
    let response = http
        .post(&url)
        .json(&serde_json::json!({"type": "web", "redirectUris": [redirect_uri]}))
        .send()
        .await
        .map_err(|e| StartError::OAuth(format!("registering a web client at the emulator: {}", e.without_url())))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(StartError::OAuth(format!(
            "the emulator answered {status} to the client registration"
        )));
    }
    let client = WebClient::from_json(&text).map_err(|e| StartError::OAuth(e.to_string()))?;
    let json = serde_json::from_str(&text).map_err(|e| StartError::OAuth(e.to_string()))?;
    Ok((json, client))
}
