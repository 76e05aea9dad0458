//! What the service keeps: connections, their encrypted grants, one work item per
//! (connection, group), the Google jobs and archives of each item, and the event feed.
//!
//! One async trait, [`Store`], two implementations: SQLite for one process
//! ([`sqlite::SqliteStore`]) and PostgreSQL for any number of processes on several machines
//! ([`postgres::PgStore`]), both passing one test suite (`tests/store.rs`). Work items carry `due_at` and a lease (`lease_owner`,
//! `lease_until`) that a worker takes with [`Store::claim`] and gives back with
//! [`Store::save`], which writes the item, its new job, its archives and its events in one
//! transaction, and only while the worker still holds the lease.

pub mod postgres;
mod rows;
mod rules;
mod shared;
pub mod sqlite;

use serde::Serialize;

use crate::crypto::Sealed;

/// A store failure (the database's message; never a token).
#[derive(Debug, thiserror::Error)]
#[error("database: {0}")]
pub struct StoreError(pub String);

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError(error.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        StoreError(error.to_string())
    }
}

/// A store result.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A connection's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Created; the user has not consented yet.
    PendingConsent,
    /// Consented; exports run.
    Active,
    /// The grant was refused (revoked, reset, ended): the user must consent again.
    NeedsConsent,
    /// Deleted by the app.
    Ended,
}

impl ConnectionStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingConsent => "pending_consent",
            Self::Active => "active",
            Self::NeedsConsent => "needs_consent",
            Self::Ended => "ended",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "active" => Self::Active,
            "needs_consent" => Self::NeedsConsent,
            "ended" => Self::Ended,
            _ => Self::PendingConsent,
        }
    }
}

/// A work item's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the user's consent.
    Waiting,
    /// The user did not grant this group.
    NotGranted,
    /// An export is due at `due_at`.
    Due,
    /// An `initiate` was recorded and may have been sent: after a restart it is sent again,
    /// and Google's `ALREADY_EXISTS` answer gives the job back.
    Initiating,
    /// The job runs; it is polled at `due_at`.
    Polling,
    /// The job completed; its archives are downloaded.
    Downloading,
    /// A one-time group was exported: nothing more to do.
    Done,
    /// Google refused the export for good (one-time access used up).
    Refused,
    /// The grant was refused: the user must consent again.
    NeedsConsent,
    /// The connection was deleted.
    Ended,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::NotGranted => "not_granted",
            Self::Due => "due",
            Self::Initiating => "initiating",
            Self::Polling => "polling",
            Self::Downloading => "downloading",
            Self::Done => "done",
            Self::Refused => "refused",
            Self::NeedsConsent => "needs_consent",
            Self::Ended => "ended",
        }
    }

    /// Every status, for `/metrics`.
    pub const ALL: [Status; 10] = [
        Self::Waiting,
        Self::NotGranted,
        Self::Due,
        Self::Initiating,
        Self::Polling,
        Self::Downloading,
        Self::Done,
        Self::Refused,
        Self::NeedsConsent,
        Self::Ended,
    ];

    fn parse(text: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or(Self::Waiting)
    }
}

/// A new connection and its consent request.
#[derive(Clone, Debug)]
pub struct NewConnection {
    /// The connection id.
    pub id: String,
    /// The app's reference for its user.
    pub user_ref: String,
    /// The groups asked for.
    pub groups: Vec<String>,
    /// Where the callback redirects.
    pub return_url: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

/// A connection as stored.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// The id.
    pub id: String,
    /// The app's reference for its user.
    pub user_ref: String,
    /// The groups asked for.
    pub groups: Vec<String>,
    /// Where the callback redirects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// Its state.
    pub status: ConnectionStatus,
    /// `ACCESS_TYPE_ONE_TIME` or `ACCESS_TYPE_TIME_BASED`, once consented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_type: Option<String>,
    /// When the grant ends, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_end: Option<String>,
    /// When it was created.
    pub created_at: String,
}

/// One work item: a (connection, group) and where its export stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The connection.
    pub connection_id: String,
    /// The resource group.
    pub group: String,
    /// Whether the user granted it.
    pub granted: bool,
    /// Its state.
    pub status: Status,
    /// The number of exports completed: the window the item works on.
    pub round: i64,
    /// The `startTime` asked for the current window (`None`: all the data).
    pub range_start: Option<String>,
    /// The current Google job.
    pub job_id: Option<String>,
    /// Its last known state (`IN_PROGRESS`, ...).
    pub job_state: Option<String>,
    /// The access type of the current or last job (`ACCESS_TYPE_ONE_TIME`, ...).
    pub access_type: Option<String>,
    /// Polls of the current job.
    pub polls: i64,
    /// Failed attempts in a row.
    pub attempts: i64,
    /// The last failure, for the API.
    pub last_error: Option<String>,
    /// The `exportTime` of the last export.
    pub last_export_time: Option<String>,
    /// When the last export was stored.
    pub last_export_at: Option<String>,
    /// Google's `timestamp_after_24hrs`, or our own next allowed time.
    pub next_allowed_at: Option<String>,
    /// When the item is to be looked at (unix ms).
    pub due_at: i64,
}

/// A verified archive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Archive {
    /// The connection.
    #[serde(skip)]
    pub connection_id: String,
    /// The group.
    #[serde(skip)]
    pub group: String,
    /// The window (0 for the first export).
    pub round: i64,
    /// Where the sink stored it.
    pub object_key: String,
    /// The Google job.
    pub job_id: String,
    /// Its size in bytes.
    pub size: i64,
    /// Its CRC32C (Castagnoli), 8 hex digits.
    pub crc32c: String,
    /// Its MD5, 32 hex digits, as the sink computed it over the bytes it stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// The job's `startTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// The job's `exportTime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_time: Option<String>,
    /// When it was stored.
    pub stored_at: String,
}

/// An event of the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Its position: the cursor of `GET /v1/events?after=`.
    pub seq: i64,
    /// `archive_stored`, `export_refused`, `consent_needed`, `connection_ended`.
    pub kind: String,
    /// The connection.
    pub connection_id: String,
    /// The group, when it concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Details (the archive, the reason).
    pub data: serde_json::Value,
    /// When it happened.
    pub at: String,
}

/// An event to append.
#[derive(Clone, Debug)]
pub struct NewEvent {
    /// Its kind.
    pub kind: &'static str,
    /// The connection.
    pub connection_id: String,
    /// The group.
    pub group: Option<String>,
    /// Details.
    pub data: serde_json::Value,
    /// When (RFC 3339).
    pub at: String,
}

/// What [`Store::save`] writes with the item, in the same transaction.
#[derive(Clone, Debug, Default)]
pub struct Effects {
    /// A Google job the item now has (for its round).
    pub new_job: Option<String>,
    /// Archives stored.
    pub archives: Vec<Archive>,
    /// Events.
    pub events: Vec<NewEvent>,
    /// Keep the lease: the item is recorded before a request is sent, and the worker goes on.
    pub keep_lease: bool,
}

/// The consent a callback brought.
#[derive(Clone, Debug)]
pub struct Consent {
    /// The groups granted.
    pub granted: Vec<String>,
    /// The access type.
    pub access_type: Option<String>,
    /// When the grant ends.
    pub grant_end: Option<String>,
    /// The encrypted refresh token.
    pub sealed: Sealed,
    /// Now (RFC 3339 and unix ms).
    pub now: String,
    /// Now in unix ms: the granted items are due then.
    pub now_ms: i64,
}

/// Counts for `/metrics`.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// Items per status.
    pub items: Vec<(String, i64)>,
    /// Connections per status.
    pub connections: Vec<(String, i64)>,
    /// Archives stored.
    pub archives: i64,
    /// The last event's sequence number.
    pub last_event: i64,
    /// The fewest exports completed by a granted item still exported.
    pub min_round: i64,
}

/// The service's store.
#[async_trait::async_trait]
pub trait Store: Send + Sync + 'static {
    /// Records a new connection and the hash of its single-use consent `state`.
    async fn create_connection(
        &self,
        connection: &NewConnection,
        state_hash: &str,
        code_verifier: &str,
        state_expires_at: i64,
    ) -> Result<()>;
    /// Deletes the consent state whose hash is `state_hash` and answers its connection and PKCE
    /// verifier, if it existed and had not expired: a state works once.
    async fn take_state(&self, state_hash: &str, now_ms: i64) -> Result<Option<(String, String)>>;
    /// The connection `id`.
    async fn connection(&self, id: &str) -> Result<Option<Connection>>;
    /// The items of connection `id`.
    async fn items(&self, id: &str) -> Result<Vec<Item>>;
    /// The archives of connection `id`, in order.
    async fn archives(&self, id: &str) -> Result<Vec<Archive>>;
    /// Stores a consent: the grant, the access type, and per group granted or not; granted
    /// items become due, others `not_granted` with an `export_refused` event.
    async fn consented(&self, id: &str, consent: &Consent) -> Result<()>;
    /// The encrypted grant of connection `id`.
    async fn grant(&self, id: &str) -> Result<Option<Sealed>>;
    /// The grant was refused: the connection and its items need consent; one
    /// `consent_needed` event.
    async fn needs_consent(&self, id: &str, reason: &str, now: &str) -> Result<()>;
    /// Ends connection `id`: its grant is deleted, its items ended, a `connection_ended` event
    /// appended; its archive records are deleted when `delete_archives`.
    async fn end(&self, id: &str, delete_archives: bool, now: &str) -> Result<()>;
    /// Leases up to `limit` items due at `due_ms` (the service's clock) whose lease has run
    /// out at `lease_now_ms` (the lease clock, real time), to `owner` until `until_ms`.
    async fn claim(&self, owner: &str, due_ms: i64, lease_now_ms: i64, until_ms: i64, limit: i64) -> Result<Vec<Item>>;
    /// Writes `item` (leased by `owner`) with its effects in one transaction and gives the
    /// lease back (unless [`Effects::keep_lease`]); `false` when `owner` no longer held it (nothing written).
    async fn save(&self, owner: &str, item: &Item, effects: &Effects) -> Result<bool>;
    /// Gives back every lease when this process is the only one using the store (SQLite at
    /// start: the last process is gone); a store shared by several processes does nothing.
    async fn release_all_leases(&self) -> Result<()>;
    /// The heartbeat: every lease `owner` holds now runs until `until_ms`. Answers how many.
    async fn renew(&self, owner: &str, until_ms: i64) -> Result<u64>;
    /// Gives back every lease `owner` holds (a graceful stop). Answers how many.
    async fn release(&self, owner: &str) -> Result<u64>;
    /// The earliest `due_at` of an item that has work, if any.
    async fn next_due(&self) -> Result<Option<i64>>;
    /// The jobs the item (connection, group) ever had.
    async fn jobs(&self, id: &str, group: &str) -> Result<Vec<String>>;
    /// Up to `limit` events after `after`.
    async fn events(&self, after: i64, limit: i64) -> Result<Vec<Event>>;
    /// The webhook's cursor (the last event delivered).
    async fn webhook_cursor(&self) -> Result<i64>;
    /// Moves the webhook's cursor.
    async fn set_webhook_cursor(&self, delivered: i64) -> Result<()>;
    /// The webhook's turn: `Some` when this process may deliver the next batch (no other
    /// process is delivering), with the cursor to deliver from; `None` while another process
    /// delivers. The turn lasts until [`WebhookTurn::finish`] (or until it is dropped, which
    /// gives it up without moving the cursor).
    async fn webhook_turn(&self) -> Result<Option<Box<dyn WebhookTurn>>>;
    /// Counts for `/metrics`.
    async fn counts(&self) -> Result<Counts>;
    /// Transactions committed since the start (for the benchmark).
    fn transactions(&self) -> u64;
    /// Items [`Store::claim`] took since the start whose previous lease had run out (its
    /// worker died or stalled), for `/metrics`.
    fn leases_taken_over(&self) -> u64;
}

/// One process's turn at delivering the webhook (see [`Store::webhook_turn`]).
#[async_trait::async_trait]
pub trait WebhookTurn: Send {
    /// The last event delivered.
    fn cursor(&self) -> i64;
    /// Ends the turn: moves the cursor to `delivered` (the batch was accepted), or leaves it
    /// (`None`: nothing to deliver, or the receiver failed).
    async fn finish(self: Box<Self>, delivered: Option<i64>) -> Result<()>;
}

/// Where the state is kept: `--database PATH` (SQLite) or `--database postgres://...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file (created with its directory on first run).
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL URL (`postgres://` or `postgresql://`).
    Postgres(String),
}

impl Database {
    /// `postgres://...` or `postgresql://...` is PostgreSQL; `sqlite:PATH` or any other text a
    /// SQLite file.
    pub fn parse(text: &str) -> Self {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Self::Postgres(text.to_owned())
        } else {
            Self::Sqlite(text.strip_prefix("sqlite:").unwrap_or(text).into())
        }
    }

    /// Opens the store (`connections`: the PostgreSQL pool's size).
    pub async fn open(&self, connections: u32) -> Result<std::sync::Arc<dyn Store>> {
        Ok(match self {
            Self::Sqlite(path) => std::sync::Arc::new(sqlite::SqliteStore::open(path).await?),
            Self::Postgres(url) => std::sync::Arc::new(postgres::PgStore::connect(url, connections).await?),
        })
    }
}

impl From<std::path::PathBuf> for Database {
    fn from(path: std::path::PathBuf) -> Self {
        Self::Sqlite(path)
    }
}
