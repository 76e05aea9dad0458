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

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Row};

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

    fn counted(&self) {
        self.transactions.fetch_add(1, Ordering::Relaxed);
    }
}

/// Takes [`EVENT_LOCK`] until the transaction ends.
async fn lock_events(tx: &mut sqlx::PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(EVENT_LOCK)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

fn item_of(row: &PgRow) -> Item {
    Item {
        connection_id: row.get("connection_id"),
        group: row.get("group_name"),
        granted: row.get::<i64, _>("granted") != 0,
        status: Status::parse(row.get("status")),
        round: row.get("round"),
        range_start: row.get("range_start"),
        job_id: row.get("job_id"),
        job_state: row.get("job_state"),
        access_type: row.get("access_type"),
        polls: row.get("polls"),
        attempts: row.get("attempts"),
        last_error: row.get("last_error"),
        last_export_time: row.get("last_export_time"),
        last_export_at: row.get("last_export_at"),
        next_allowed_at: row.get("next_allowed_at"),
        due_at: row.get("due_at"),
    }
}

async fn append_event(tx: &mut sqlx::PgConnection, event: &NewEvent) -> Result<()> {
    sqlx::query("INSERT INTO events (kind, connection_id, group_name, data, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(event.kind)
        .bind(&event.connection_id)
        .bind(&event.group)
        .bind(event.data.to_string())
        .bind(&event.at)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

const ACTIVE: &str = "('due', 'initiating', 'polling', 'downloading')";

#[async_trait::async_trait]
impl Store for PgStore {
    async fn create_connection(
        &self,
        connection: &NewConnection,
        state_hash: &str,
        code_verifier: &str,
        state_expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO connections (id, user_ref, groups, return_url, status, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&connection.id)
        .bind(&connection.user_ref)
        .bind(serde_json::to_string(&connection.groups).unwrap_or_default())
        .bind(&connection.return_url)
        .bind(ConnectionStatus::PendingConsent.as_str())
        .bind(&connection.created_at)
        .execute(&mut *tx)
        .await?;
        for group in &connection.groups {
            sqlx::query("INSERT INTO items (connection_id, group_name, status, due_at) VALUES ($1, $2, 'waiting', 0)")
                .bind(&connection.id)
                .bind(group)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO oauth_states (state_hash, connection_id, code_verifier, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(state_hash)
        .bind(&connection.id)
        .bind(code_verifier)
        .bind(state_expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.counted();
        Ok(())
    }

    async fn take_state(&self, state_hash: &str, now_ms: i64) -> Result<Option<(String, String)>> {
        let row = sqlx::query(
            "DELETE FROM oauth_states WHERE state_hash = $1 RETURNING connection_id, code_verifier, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(&self.pool)
        .await?;
        self.counted();
        Ok(row
            .filter(|row| row.get::<i64, _>("expires_at") > now_ms)
            .map(|row| (row.get("connection_id"), row.get("code_verifier"))))
    }

    async fn connection(&self, id: &str) -> Result<Option<Connection>> {
        let row = sqlx::query("SELECT * FROM connections WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| Connection {
            id: row.get("id"),
            user_ref: row.get("user_ref"),
            groups: serde_json::from_str(row.get("groups")).unwrap_or_default(),
            return_url: row.get("return_url"),
            status: ConnectionStatus::parse(row.get("status")),
            access_type: row.get("access_type"),
            grant_end: row.get("grant_end"),
            created_at: row.get("created_at"),
        }))
    }

    async fn items(&self, id: &str) -> Result<Vec<Item>> {
        let rows = sqlx::query("SELECT * FROM items WHERE connection_id = $1 ORDER BY group_name")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(item_of).collect())
    }

    async fn archives(&self, id: &str) -> Result<Vec<Archive>> {
        let rows =
            sqlx::query("SELECT * FROM archives WHERE connection_id = $1 ORDER BY group_name, round, object_key")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|row| Archive {
                connection_id: row.get("connection_id"),
                group: row.get("group_name"),
                round: row.get("round"),
                object_key: row.get("object_key"),
                job_id: row.get("job_id"),
                size: row.get("size"),
                crc32c: row.get("crc32c"),
                md5: row.get("md5"),
                start_time: row.get("start_time"),
                export_time: row.get("export_time"),
                stored_at: row.get("stored_at"),
            })
            .collect())
    }

    async fn consented(&self, id: &str, consent: &Consent) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        lock_events(&mut tx).await?;
        sqlx::query("UPDATE connections SET status = 'active', access_type = $1, grant_end = $2 WHERE id = $3")
            .bind(&consent.access_type)
            .bind(&consent.grant_end)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO grants (connection_id, key_id, nonce, ciphertext) VALUES ($1, $2, $3, $4)
             ON CONFLICT (connection_id) DO UPDATE SET key_id = excluded.key_id, nonce = excluded.nonce, ciphertext = excluded.ciphertext",
        )
        .bind(id)
        .bind(&consent.sealed.key_id)
        .bind(&consent.sealed.nonce)
        .bind(&consent.sealed.ciphertext)
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query("SELECT * FROM items WHERE connection_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        for item in rows.iter().map(item_of) {
            let granted = consent.granted.contains(&item.group);
            // A job under way goes on; an item waiting (first consent, or consent again) is due.
            let status = match (granted, item.status) {
                (false, _) => Status::NotGranted,
                (true, Status::Initiating | Status::Polling | Status::Downloading | Status::Due) => item.status,
                (true, Status::Done) => Status::Done,
                (true, _) => Status::Due,
            };
            sqlx::query(
                "UPDATE items SET granted = $1, status = $2, access_type = COALESCE(access_type, $3), due_at = $4, attempts = 0, last_error = NULL
                 WHERE connection_id = $5 AND group_name = $6",
            )
            .bind(granted as i64)
            .bind(status.as_str())
            .bind(&consent.access_type)
            .bind(consent.now_ms)
            .bind(id)
            .bind(&item.group)
            .execute(&mut *tx)
            .await?;
            if !granted {
                let event = NewEvent {
                    kind: "export_refused",
                    connection_id: id.to_owned(),
                    group: Some(item.group.clone()),
                    data: serde_json::json!({"reason": "the user did not grant this group on the consent screen"}),
                    at: consent.now.clone(),
                };
                append_event(&mut tx, &event).await?;
            }
        }
        tx.commit().await?;
        self.counted();
        Ok(())
    }

    async fn grant(&self, id: &str) -> Result<Option<Sealed>> {
        let row = sqlx::query("SELECT key_id, nonce, ciphertext FROM grants WHERE connection_id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| Sealed {
            key_id: row.get("key_id"),
            nonce: row.get("nonce"),
            ciphertext: row.get("ciphertext"),
        }))
    }

    async fn needs_consent(&self, id: &str, reason: &str, now: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        lock_events(&mut tx).await?;
        let changed =
            sqlx::query("UPDATE connections SET status = 'needs_consent' WHERE id = $1 AND status = 'active'")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed > 0 {
            sqlx::query(&format!(
                "UPDATE items SET status = 'needs_consent', lease_owner = NULL, lease_until = NULL
                 WHERE connection_id = $1 AND status IN {ACTIVE}"
            ))
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM grants WHERE connection_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let event = NewEvent {
                kind: "consent_needed",
                connection_id: id.to_owned(),
                group: None,
                data: serde_json::json!({ "reason": reason }),
                at: now.to_owned(),
            };
            append_event(&mut tx, &event).await?;
        }
        tx.commit().await?;
        self.counted();
        Ok(())
    }

    async fn end(&self, id: &str, delete_archives: bool, now: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        lock_events(&mut tx).await?;
        sqlx::query("UPDATE connections SET status = 'ended' WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE items SET status = 'ended', lease_owner = NULL, lease_until = NULL WHERE connection_id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        for table in ["grants", "oauth_states"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE connection_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if delete_archives {
            sqlx::query("DELETE FROM archives WHERE connection_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let event = NewEvent {
            kind: "connection_ended",
            connection_id: id.to_owned(),
            group: None,
            data: serde_json::json!({ "archivesDeleted": delete_archives }),
            at: now.to_owned(),
        };
        append_event(&mut tx, &event).await?;
        tx.commit().await?;
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
        Ok(rows.iter().map(item_of).collect())
    }

    async fn save(&self, owner: &str, item: &Item, effects: &Effects) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        if !effects.events.is_empty() {
            lock_events(&mut tx).await?;
        }
        let changed = sqlx::query(
            "UPDATE items SET status = $1, round = $2, range_start = $3, job_id = $4, job_state = $5, access_type = $6, polls = $7,
                 attempts = $8, last_error = $9, last_export_time = $10, last_export_at = $11, next_allowed_at = $12, due_at = $13,
                 lease_owner = CASE WHEN $14 THEN lease_owner END, lease_until = CASE WHEN $15 THEN lease_until END
             WHERE connection_id = $16 AND group_name = $17 AND lease_owner = $18",
        )
        .bind(item.status.as_str())
        .bind(item.round)
        .bind(&item.range_start)
        .bind(&item.job_id)
        .bind(&item.job_state)
        .bind(&item.access_type)
        .bind(item.polls)
        .bind(item.attempts)
        .bind(&item.last_error)
        .bind(&item.last_export_time)
        .bind(&item.last_export_at)
        .bind(&item.next_allowed_at)
        .bind(item.due_at)
        .bind(effects.keep_lease)
        .bind(effects.keep_lease)
        .bind(&item.connection_id)
        .bind(&item.group)
        .bind(owner)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(false);
        }
        if let Some(job) = &effects.new_job {
            sqlx::query("INSERT INTO jobs (job_id, connection_id, group_name, round) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(job)
                .bind(&item.connection_id)
                .bind(&item.group)
                .bind(item.round)
                .execute(&mut *tx)
                .await?;
        }
        for archive in &effects.archives {
            sqlx::query(
                "INSERT INTO archives (connection_id, group_name, round, object_key, job_id, size, crc32c, start_time, export_time, stored_at, md5)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&archive.connection_id)
            .bind(&archive.group)
            .bind(archive.round)
            .bind(&archive.object_key)
            .bind(&archive.job_id)
            .bind(archive.size)
            .bind(&archive.crc32c)
            .bind(&archive.start_time)
            .bind(&archive.export_time)
            .bind(&archive.stored_at)
            .bind(&archive.md5)
            .execute(&mut *tx)
            .await?;
        }
        for event in &effects.events {
            append_event(&mut tx, event).await?;
        }
        tx.commit().await?;
        self.counted();
        Ok(true)
    }

    async fn release_all_leases(&self) -> Result<()> {
        // Other processes share the database: their leases run out or are given back by them.
        Ok(())
    }

    async fn renew(&self, owner: &str, until_ms: i64) -> Result<u64> {
        let renewed = sqlx::query("UPDATE items SET lease_until = $1 WHERE lease_owner = $2")
            .bind(until_ms)
            .bind(owner)
            .execute(&self.pool)
            .await?
            .rows_affected();
        self.counted();
        Ok(renewed)
    }

    async fn release(&self, owner: &str) -> Result<u64> {
        let released = sqlx::query("UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1")
            .bind(owner)
            .execute(&self.pool)
            .await?
            .rows_affected();
        self.counted();
        Ok(released)
    }

    async fn next_due(&self) -> Result<Option<i64>> {
        let row = sqlx::query(&format!(
            "SELECT MIN(due_at) AS due FROM items WHERE status IN {ACTIVE}"
        ))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get("due"))
    }

    async fn jobs(&self, id: &str, group: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT job_id FROM jobs WHERE connection_id = $1 AND group_name = $2 ORDER BY round")
            .bind(id)
            .bind(group)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|row| row.get("job_id")).collect())
    }

    async fn events(&self, after: i64, limit: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query("SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| Event {
                seq: row.get("seq"),
                kind: row.get("kind"),
                connection_id: row.get("connection_id"),
                group: row.get("group_name"),
                data: serde_json::from_str(row.get("data")).unwrap_or_default(),
                at: row.get("at"),
            })
            .collect())
    }

    async fn webhook_cursor(&self) -> Result<i64> {
        let row = sqlx::query("SELECT delivered FROM webhook_cursor WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map_or(0, |row| row.get("delivered")))
    }

    async fn set_webhook_cursor(&self, delivered: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO webhook_cursor (id, delivered) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET delivered = excluded.delivered",
        )
        .bind(delivered)
        .execute(&self.pool)
        .await?;
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
        let pairs = |rows: Vec<PgRow>| rows.iter().map(|r| (r.get("status"), r.get("n"))).collect();
        let items = sqlx::query("SELECT status, COUNT(*) AS n FROM items GROUP BY status")
            .fetch_all(&self.pool)
            .await?;
        let connections = sqlx::query("SELECT status, COUNT(*) AS n FROM connections GROUP BY status")
            .fetch_all(&self.pool)
            .await?;
        let archives: i64 = sqlx::query("SELECT COUNT(*) AS n FROM archives")
            .fetch_one(&self.pool)
            .await?
            .get("n");
        let last_event: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS n FROM events")
            .fetch_one(&self.pool)
            .await?
            .get("n");
        let min_round: i64 = sqlx::query(
            "SELECT COALESCE(MIN(round), 0) AS n FROM items WHERE granted = 1 AND status NOT IN ('ended', 'refused', 'needs_consent')",
        )
        .fetch_one(&self.pool)
        .await?
        .get("n");
        Ok(Counts {
            min_round,
            items: pairs(items),
            connections: pairs(connections),
            archives,
            last_event,
        })
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
