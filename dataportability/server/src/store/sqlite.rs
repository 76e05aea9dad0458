//! [`Store`] on SQLite: one file, WAL journal, migrations embedded and run at open (the file is
//! created on first run).
//!
//! `synchronous = NORMAL`: in WAL mode a committed transaction survives the process being
//! killed (SQLite's documentation, "WAL mode ... synchronous=NORMAL"); only a power loss may
//! lose the last ones. One process uses a database: [`Store::release_all_leases`] at start
//! takes back what a killed process held.

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row as _, SqlitePool};

use super::rows;
use super::rules::ACTIVE;
use super::shared::{Dialect, Shared};
use super::*;

/// The SQLite store.
#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    transactions: AtomicU64,
    taken_over: AtomicU64,
}

impl SqliteStore {
    /// Opens (creating it if needed) the database at `path` and runs the migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| StoreError(format!("{}: {e}", parent.display())))?;
        }
        // The database holds the encrypted grants and the users' references: owner only.
        // SQLite gives its WAL and shared-memory files the database file's permissions.
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt as _;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| StoreError(format!("{}: {e}", path.display())))?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Self {
            pool,
            transactions: AtomicU64::new(0),
            taken_over: AtomicU64::new(0),
        })
    }

    fn shared(&self) -> Shared<'_, sqlx::Sqlite> {
        Shared(&self.pool)
    }

    fn counted(&self) {
        self.transactions.fetch_add(1, Ordering::Relaxed);
    }
}

impl Dialect for sqlx::Sqlite {
    /// Nothing: SQLite has one writer at a time, so events commit in the order of their numbers.
    async fn lock_events(_tx: &mut sqlx::SqliteConnection) -> Result<()> {
        Ok(())
    }

    fn rows_affected(result: &sqlx::sqlite::SqliteQueryResult) -> u64 {
        result.rows_affected()
    }
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn create_connection(
        &self,
        connection: &NewConnection,
        state_hash: &str,
        code_verifier: &str,
        state_expires_at: i64,
    ) -> Result<()> {
        self.shared()
            .create_connection(connection, state_hash, code_verifier, state_expires_at)
            .await?;
        self.counted();
        Ok(())
    }

    async fn take_state(&self, state_hash: &str, now_ms: i64) -> Result<Option<(String, String)>> {
        let taken = self.shared().take_state(state_hash, now_ms).await?;
        self.counted();
        Ok(taken)
    }

    async fn connection(&self, id: &str) -> Result<Option<Connection>> {
        self.shared().connection(id).await
    }

    async fn items(&self, id: &str) -> Result<Vec<Item>> {
        self.shared().items(id).await
    }

    async fn archives(&self, id: &str) -> Result<Vec<Archive>> {
        self.shared().archives(id).await
    }

    async fn consented(&self, id: &str, consent: &Consent) -> Result<()> {
        self.shared().consented(id, consent).await?;
        self.counted();
        Ok(())
    }

    async fn grant(&self, id: &str) -> Result<Option<Sealed>> {
        self.shared().grant(id).await
    }

    async fn needs_consent(&self, id: &str, reason: &str, now: &str) -> Result<()> {
        self.shared().needs_consent(id, reason, now).await?;
        self.counted();
        Ok(())
    }

    async fn end(&self, id: &str, delete_archives: bool, now: &str) -> Result<()> {
        self.shared().end(id, delete_archives, now).await?;
        self.counted();
        Ok(())
    }

    async fn claim(&self, owner: &str, due_ms: i64, lease_now_ms: i64, until_ms: i64, limit: i64) -> Result<Vec<Item>> {
        // SQLite's RETURNING shows the new values only: the leases that ran out (a save or a
        // release would have cleared them) are counted first, in the same write transaction.
        let due = format!(
            "SELECT rowid, lease_until FROM items
             WHERE status IN {ACTIVE} AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?)
             ORDER BY due_at LIMIT ?"
        );
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let taken_over: i64 = sqlx::query(&format!("SELECT COUNT(lease_until) AS n FROM ({due})"))
            .bind(due_ms)
            .bind(lease_now_ms)
            .bind(limit)
            .fetch_one(&mut *tx)
            .await?
            .get("n");
        let rows = sqlx::query(&format!(
            "UPDATE items SET lease_owner = ?, lease_until = ?
             WHERE rowid IN (SELECT rowid FROM ({due}))
             RETURNING *"
        ))
        .bind(owner)
        .bind(until_ms)
        .bind(due_ms)
        .bind(lease_now_ms)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        self.counted();
        self.taken_over
            .fetch_add(u64::try_from(taken_over).unwrap_or(0), Ordering::Relaxed);
        Ok(rows.iter().map(rows::item).collect())
    }

    async fn save(&self, owner: &str, item: &Item, effects: &Effects) -> Result<bool> {
        let saved = self.shared().save(owner, item, effects).await?;
        if saved {
            self.counted();
        }
        Ok(saved)
    }

    async fn release_all_leases(&self) -> Result<()> {
        sqlx::query("UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL")
            .execute(&self.pool)
            .await?;
        self.counted();
        Ok(())
    }

    async fn renew(&self, owner: &str, until_ms: i64) -> Result<u64> {
        let renewed = self.shared().renew(owner, until_ms).await?;
        self.counted();
        Ok(renewed)
    }

    async fn release(&self, owner: &str) -> Result<u64> {
        let released = self.shared().release(owner).await?;
        self.counted();
        Ok(released)
    }

    async fn next_due(&self) -> Result<Option<i64>> {
        self.shared().next_due().await
    }

    async fn jobs(&self, id: &str, group: &str) -> Result<Vec<String>> {
        self.shared().jobs(id, group).await
    }

    async fn events(&self, after: i64, limit: i64) -> Result<Vec<Event>> {
        self.shared().events(after, limit).await
    }

    async fn webhook_cursor(&self) -> Result<i64> {
        self.shared().webhook_cursor().await
    }

    async fn set_webhook_cursor(&self, delivered: i64) -> Result<()> {
        self.shared().set_webhook_cursor(delivered).await?;
        self.counted();
        Ok(())
    }

    async fn webhook_turn(&self) -> Result<Option<Box<dyn WebhookTurn>>> {
        // One process uses a SQLite database, and it runs one delivery loop: the turn is always
        // its own.
        let cursor = self.webhook_cursor().await?;
        Ok(Some(Box::new(SqliteWebhookTurn {
            pool: self.pool.clone(),
            cursor,
        })))
    }

    async fn counts(&self) -> Result<Counts> {
        self.shared().counts().await
    }

    fn transactions(&self) -> u64 {
        self.transactions.load(Ordering::Relaxed)
    }

    fn leases_taken_over(&self) -> u64 {
        self.taken_over.load(Ordering::Relaxed)
    }
}

/// A webhook turn of the only process.
struct SqliteWebhookTurn {
    pool: SqlitePool,
    cursor: i64,
}

#[async_trait::async_trait]
impl WebhookTurn for SqliteWebhookTurn {
    fn cursor(&self) -> i64 {
        self.cursor
    }

    async fn finish(self: Box<Self>, delivered: Option<i64>) -> Result<()> {
        if let Some(delivered) = delivered {
            sqlx::query(
                "INSERT INTO webhook_cursor (id, delivered) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET delivered = excluded.delivered",
            )
            .bind(delivered)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }
}
