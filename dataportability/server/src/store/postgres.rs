//! [`Store`] on PostgreSQL: the state and the work queue of a service run as any number of
//! processes (`--role serve`, `--role work`) on several machines.
//!
//! The schema and its migrations are PostgreSQL's own (`migrations-postgres/`), with the same
//! tables, columns and meaning as SQLite's. Workers agree only through transactions and row
//! locks: [`Store::claim`] takes due items with `FOR UPDATE SKIP LOCKED` (two workers never
//! take one row; PostgreSQL's documentation, "The Locking Clause" of `SELECT`), a lease runs
//! out at `lease_until` unless its worker renews it ([`Store::renew`], the heartbeat), and
//! [`Store::save`] writes only while its worker still holds the lease. A killed worker's
//! items are taken over once their leases run out; nothing is released at start, since other
//! processes are working.
//!
//! The event feed's order: a sequence number is drawn when a row is inserted but becomes
//! visible when its transaction commits, so two writers could make a reader of
//! `seq > cursor` skip an event that commits late with a smaller number. Every transaction
//! that appends events first takes one transaction-level advisory lock ([`EVENT_LOCK`]), so
//! events commit in the order of their numbers (our design; it serialises only the commits
//! that append events).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Row as _};

use super::rows;
use super::rules::ACTIVE;
use super::shared::{Dialect, Shared};
use super::*;

/// The advisory lock key that orders the appends to the event feed.
pub const EVENT_LOCK: i64 = 0x6470_6576_656e_7473;

/// The PostgreSQL store.
#[derive(Debug)]
pub struct PgStore {
    pool: PgPool,
    transactions: AtomicU64,
    taken_over: AtomicU64,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/database`) with up to `connections`
    /// connections and runs the migrations (one process at a time: sqlx takes an advisory
    /// lock while it migrates).
    pub async fn connect(url: &str, connections: u32) -> Result<Self> {
        let options: PgConnectOptions = url.parse().map_err(|e| StoreError(format!("the database URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(connections.max(1))
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations-postgres").run(&pool).await?;
        Ok(Self {
            pool,
            transactions: AtomicU64::new(0),
            taken_over: AtomicU64::new(0),
        })
    }

    fn shared(&self) -> Shared<'_, sqlx::Postgres> {
        Shared(&self.pool)
    }

    fn counted(&self) {
        self.transactions.fetch_add(1, Ordering::Relaxed);
    }
}

impl Dialect for sqlx::Postgres {
    /// Takes [`EVENT_LOCK`] until the transaction ends.
    async fn lock_events(tx: &mut sqlx::PgConnection) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(EVENT_LOCK)
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    fn rows_affected(result: &sqlx::postgres::PgQueryResult) -> u64 {
        result.rows_affected()
    }
}

#[async_trait::async_trait]
impl Store for PgStore {
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
        // `taken_over`: the row still had a lease (run out, or the claim would skip it), which a
        // save or a release would have cleared: its worker died or stalled.
        let rows = sqlx::query(&format!(
            "WITH due AS (
                 SELECT connection_id, group_name, lease_until IS NOT NULL AS taken_over FROM items
                 WHERE status IN {ACTIVE} AND due_at <= $3 AND (lease_until IS NULL OR lease_until < $4)
                 ORDER BY due_at LIMIT $5
                 FOR UPDATE SKIP LOCKED)
             UPDATE items SET lease_owner = $1, lease_until = $2
             FROM due WHERE items.connection_id = due.connection_id AND items.group_name = due.group_name
             RETURNING items.*, due.taken_over"
        ))
        .bind(owner)
        .bind(until_ms)
        .bind(due_ms)
        .bind(lease_now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        self.counted();
        let taken_over = rows.iter().filter(|row| row.get::<bool, _>("taken_over")).count();
        self.taken_over.fetch_add(taken_over as u64, Ordering::Relaxed);
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
        // Other processes share the database: their leases run out or are given back by them.
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
        // One row, locked by the process that delivers for as long as it delivers: another
        // process skips it (SKIP LOCKED, "The Locking Clause" of PostgreSQL's SELECT), and the
        // cursor moves in the transaction that holds the lock. A process that dies mid-delivery
        // loses its connection, so its transaction rolls back and the lock goes with it.
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query("SELECT delivered FROM webhook_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED")
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = row {
            return Ok(Some(Box::new(PgWebhookTurn {
                tx,
                cursor: row.get("delivered"),
            })));
        }
        tx.rollback().await?;
        // No row to lock: another process holds it, or nothing was ever delivered and the row
        // does not exist yet (a plain read does not wait for a row lock). The next round takes it.
        let exists = sqlx::query("SELECT 1 AS one FROM webhook_cursor WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .is_some();
        if !exists {
            sqlx::query("INSERT INTO webhook_cursor (id, delivered) VALUES (1, 0) ON CONFLICT (id) DO NOTHING")
                .execute(&self.pool)
                .await?;
        }
        Ok(None)
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

/// A webhook turn: the cursor row locked by an open transaction.
struct PgWebhookTurn {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    cursor: i64,
}

#[async_trait::async_trait]
impl WebhookTurn for PgWebhookTurn {
    fn cursor(&self) -> i64 {
        self.cursor
    }

    async fn finish(mut self: Box<Self>, delivered: Option<i64>) -> Result<()> {
        if let Some(delivered) = delivered {
            sqlx::query("UPDATE webhook_cursor SET delivered = $1 WHERE id = 1")
                .bind(delivered)
                .execute(&mut *self.tx)
                .await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}
