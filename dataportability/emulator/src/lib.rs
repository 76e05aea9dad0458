//! A local emulator of Google's Data Portability API, for tests.
//!
//! It serves the six methods at Google's paths with Google's JSON shapes and errors, serves the
//! archives behind the signed URLs it hands out (real ZIP files, generated as streams, failing
//! as Cloud Storage fails), runs an OAuth 2.0 server at Google's paths (`/o/oauth2/v2/auth`,
//! `/token`, `/revoke`) whose tokens expire as Google's do, and adds a control surface under
//! `/emulator/v1/` to mint tokens, move jobs on, advance its clock and inject faults. The same
//! controls are methods of the [`Emulator`] handle.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use dataportability_emulator::{AccessType, Emulator};
//!
//! let emulator = Emulator::start().await?;
//! let token = emulator.mint_token(["myactivity.search"], AccessType::OneTime)?;
//! // Point a client at `emulator.url()` with `token` as its bearer token ...
//! emulator.advance_clock(std::time::Duration::from_secs(6 * 3600));
//! # Ok(())
//! # }
//! ```
//!
//! See the crate's README for the rules it enforces and the choices it makes where Google's
//! documentation is silent.

mod archive;
mod auth;
mod clock;
mod config;
mod consent;
mod error;
mod faults;
pub mod groups;
mod job;
mod oauth;
mod routes;
mod serve;
mod server;
mod signing;
mod store;
mod time;
pub mod units;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::auth::{AccessType, DEFAULT_CLIENT, DEFAULT_USER};
pub use crate::config::{EmulatorConfig, TimeBasedRefusal};
pub use crate::consent::ConsentChoices;
pub use crate::error::{ApiError, Code};
pub use crate::faults::Faults;
pub use crate::job::JobState;
pub use crate::oauth::{ClientRegistration, ClientType, PublishingStatus};
pub use crate::store::{JobSummary, Tokens};

use crate::auth::Principal;
use crate::server::Shared;

/// A consent to mint with [`Emulator::mint`]: `user` grants the OAuth client `client` the
/// `resources` with `access_type`. `Default` is [`DEFAULT_USER`], [`DEFAULT_CLIENT`], no
/// group, one-time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRequest {
    /// The user whose data is exported.
    pub user: String,
    /// The OAuth client id (a registered client: [`DEFAULT_CLIENT`] or one of
    /// [`Emulator::register_client`]).
    pub client: String,
    /// The resource groups granted.
    pub resources: Vec<String>,
    /// How long access lasts.
    pub access_type: AccessType,
}

impl Default for TokenRequest {
    fn default() -> Self {
        Self {
            user: DEFAULT_USER.to_owned(),
            client: DEFAULT_CLIENT.to_owned(),
            resources: Vec::new(),
            access_type: AccessType::OneTime,
        }
    }
}

/// A running emulator on 127.0.0.1. Dropping it stops the server.
pub struct Emulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<io::Result<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Starts an emulator with the default configuration on a free port.
    pub async fn start() -> io::Result<Self> {
        Self::start_with(EmulatorConfig::default()).await
    }

    /// Starts an emulator with `config`.
    pub async fn start_with(config: EmulatorConfig) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config, format!("http://{addr}/")));
        let app = routes::router(Arc::clone(&shared));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let config = shared.config.clone();
        let server = tokio::spawn(async move {
            serve::serve(listener, app, &config, async {
                let _ = stopped.await;
            })
            .await
        });
        Ok(Self {
            shared,
            addr,
            shutdown: Some(shutdown),
            server,
        })
    }

    /// The base URL, `http://127.0.0.1:PORT/`: the client's endpoint.
    pub fn url(&self) -> &str {
        &self.shared.base_url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration the emulator started with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }

    /// Mints a token of [`DEFAULT_USER`] granting `resources` with `access_type` (as
    /// `POST /emulator/v1/tokens`). Fails with `INVALID_ARGUMENT` for an unknown or no group.
    pub fn mint_token<I, S>(&self, resources: I, access_type: AccessType) -> Result<String, ApiError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.mint_token_for(DEFAULT_USER, resources, access_type)
    }

    /// Mints a token of `user` (with [`DEFAULT_CLIENT`]): jobs, one-time exports and
    /// `authorization.reset` are per user and client.
    pub fn mint_token_for<I, S>(&self, user: &str, resources: I, access_type: AccessType) -> Result<String, ApiError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let request = TokenRequest {
            user: user.to_owned(),
            resources: resources.into_iter().map(Into::into).collect(),
            access_type,
            ..TokenRequest::default()
        };
        Ok(self.mint(&request)?.access_token)
    }

    /// Mints the tokens of a new consent (as `POST /emulator/v1/tokens`): an access token that
    /// expires after the configured lifetime, and a refresh token the token endpoint exchanges
    /// for new ones.
    pub fn mint(&self, request: &TokenRequest) -> Result<Tokens, ApiError> {
        let principal = Principal {
            user: request.user.clone(),
            client: request.client.clone(),
        };
        self.shared
            .store
            .mint(&principal, &request.resources, request.access_type, self.now())
    }

    /// The installed-app client secret JSON of [`DEFAULT_CLIENT`] (as
    /// `GET /emulator/v1/clientSecret`): what `yup_oauth2::read_application_secret` and the
    /// Google Cloud console's "Desktop app" download give, with this emulator's URIs.
    pub fn client_secret_json(&self) -> serde_json::Value {
        let secret = self
            .shared
            .store
            .client(DEFAULT_CLIENT)
            .map(|c| c.secret)
            .unwrap_or_default();
        oauth::client_secret_json(self.url(), DEFAULT_CLIENT, &secret, &ClientRegistration::default())
    }

    /// Registers another installed-app OAuth client (as `POST /emulator/v1/clients` with an
    /// empty body) and returns its client secret JSON; its id is at `["installed"]["client_id"]`.
    pub fn register_client(&self) -> serde_json::Value {
        self.register_client_with(&ClientRegistration::default())
            .unwrap_or(serde_json::Value::Null)
    }

    /// Registers an OAuth client of any type (as `POST /emulator/v1/clients`) and returns its
    /// client secret JSON (`{"web": {...}}` for a web client). Fails with `INVALID_ARGUMENT`
    /// for redirect URIs Google would not accept.
    pub fn register_client_with(&self, registration: &ClientRegistration) -> Result<serde_json::Value, ApiError> {
        let (id, secret) = self.shared.store.register_client(registration.clone())?;
        Ok(oauth::client_secret_json(self.url(), &id, &secret, registration))
    }

    /// Sets what the emulated user chooses on every later consent screen (as
    /// `PUT /emulator/v1/consent`). Fails with `INVALID_ARGUMENT` for an unknown group or a
    /// length other than 30 or 180 days.
    pub fn set_consent(&self, choices: ConsentChoices) -> Result<(), ApiError> {
        choices.validate().map_err(ApiError::invalid_argument)?;
        self.shared.consent.set(choices);
        Ok(())
    }

    /// What the emulated user chooses on the consent screen now.
    pub fn consent(&self) -> ConsentChoices {
        self.shared.consent.get()
    }

    /// Every job of every user, oldest first (as `GET /emulator/v1/jobs`).
    pub fn jobs(&self) -> Vec<JobSummary> {
        self.shared.store.jobs(self.now())
    }

    /// Completes job `id` (`IN_PROGRESS` → `COMPLETE`) now; `id` may be `archiveJobs/{id}`.
    pub fn complete_job(&self, id: &str) -> Result<JobState, ApiError> {
        let view = self.shared.store.complete(job_id(id), self.shared.clock.now())?;
        Ok(view.state)
    }

    /// Fails job `id` (`IN_PROGRESS` → `FAILED`) now; `id` may be `archiveJobs/{id}`.
    pub fn fail_job(&self, id: &str) -> Result<JobState, ApiError> {
        let view = self.shared.store.fail(job_id(id), self.shared.clock.now())?;
        Ok(view.state)
    }

    /// Moves the emulator's clock forward, and returns the new emulator time.
    pub fn advance_clock(&self, by: Duration) -> DateTime<Utc> {
        self.shared.clock.advance(by)
    }

    /// The emulator time now.
    pub fn now(&self) -> DateTime<Utc> {
        self.shared.clock.now()
    }

    /// Replaces the injected faults.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.set(faults);
    }

    /// The injected faults now (the counts that remain).
    pub fn faults(&self) -> Faults {
        self.shared.faults.get()
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn shutdown(mut self) -> io::Result<()> {
        self.shared.stopped.send_replace(true);
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match (&mut self.server).await {
            Ok(result) => result,
            Err(error) => Err(io::Error::other(error)),
        }
    }

    /// Runs until the server stops (it stops only on an I/O error); for the binary.
    pub async fn wait(mut self) -> io::Result<()> {
        match (&mut self.server).await {
            Ok(result) => result,
            Err(error) => Err(io::Error::other(error)),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shared.stopped.send_replace(true);
        self.server.abort();
    }
}

fn job_id(id: &str) -> &str {
    id.strip_prefix("archiveJobs/").unwrap_or(id)
}
