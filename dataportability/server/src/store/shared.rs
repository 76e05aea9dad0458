//! The transactions both stores run, written once. A statement is the same text on both
//! databases: `$1`, `$2`, ... are PostgreSQL's parameters and, to SQLite, numbered ones that
//! sqlx binds to the first, second, ... value (SQLite's "Binding Values To Prepared
//! Statements": `$AAAA` parameters; sqlx-sqlite reads the number after `$`). What differs
//! between the two is a [`Dialect`]'s: PostgreSQL orders the event feed's appends with an
//! advisory lock, SQLite has one writer at a time.

use std::future::Future;

use sqlx::{ColumnIndex, Database, Encode, Executor, IntoArguments, Pool, Type};

use super::rows::{self, Columns};
use super::rules::{self, ACTIVE};
use super::*;

/// What one database does its own way.
pub(super) trait Dialect: Database {
    /// Called first in a transaction that appends events.
    fn lock_events(tx: &mut Self::Connection) -> impl Future<Output = Result<()>> + Send;
    /// The rows a statement changed.
    fn rows_affected(result: &Self::QueryResult) -> u64;
}

/// The shared transactions on the pool of database `DB`.
pub(super) struct Shared<'a, DB: Database>(pub &'a Pool<DB>);

impl<DB> Shared<'_, DB>
where
    DB: Dialect,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'q> Vec<u8>: Encode<'q, DB> + Type<DB>,
    DB::Row: Columns,
    &'static str: ColumnIndex<DB::Row>,
{
    /// Appends `event` in transaction `tx`.
    async fn append_event(tx: &mut DB::Connection, event: &NewEvent) -> Result<()> {
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

    /// [`Store::create_connection`].
    pub async fn create_connection(
        &self,
        connection: &NewConnection,
        state_hash: &str,
        code_verifier: &str,
        state_expires_at: i64,
    ) -> Result<()> {
        let mut tx = self.0.begin().await?;
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
        Ok(())
    }

    /// [`Store::take_state`].
    pub async fn take_state(&self, state_hash: &str, now_ms: i64) -> Result<Option<(String, String)>> {
        let row = sqlx::query(
            "DELETE FROM oauth_states WHERE state_hash = $1 RETURNING connection_id, code_verifier, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(self.0)
        .await?;
        Ok(row
            .filter(|row| row.int("expires_at") > now_ms)
            .map(|row| (row.text("connection_id"), row.text("code_verifier"))))
    }

    /// [`Store::connection`].
    pub async fn connection(&self, id: &str) -> Result<Option<Connection>> {
        let row = sqlx::query("SELECT * FROM connections WHERE id = $1")
            .bind(id)
            .fetch_optional(self.0)
            .await?;
        Ok(row.as_ref().map(rows::connection))
    }

    /// [`Store::items`].
    pub async fn items(&self, id: &str) -> Result<Vec<Item>> {
        let rows = sqlx::query("SELECT * FROM items WHERE connection_id = $1 ORDER BY group_name")
            .bind(id)
            .fetch_all(self.0)
            .await?;
        Ok(rows.iter().map(rows::item).collect())
    }

    /// [`Store::archives`].
    pub async fn archives(&self, id: &str) -> Result<Vec<Archive>> {
        let rows =
            sqlx::query("SELECT * FROM archives WHERE connection_id = $1 ORDER BY group_name, round, object_key")
                .bind(id)
                .fetch_all(self.0)
                .await?;
        Ok(rows.iter().map(rows::archive).collect())
    }

    /// [`Store::consented`].
    pub async fn consented(&self, id: &str, consent: &Consent) -> Result<()> {
        let mut tx = self.0.begin().await?;
        DB::lock_events(&mut *tx).await?;
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
        let items = sqlx::query("SELECT * FROM items WHERE connection_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
        for item in items.iter().map(rows::item) {
            let granted = consent.granted.contains(&item.group);
            let status = rules::consented_status(granted, item.status);
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
                Self::append_event(&mut *tx, &rules::not_granted(id, &item.group, &consent.now)).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// [`Store::grant`].
    pub async fn grant(&self, id: &str) -> Result<Option<Sealed>> {
        let row = sqlx::query("SELECT key_id, nonce, ciphertext FROM grants WHERE connection_id = $1")
            .bind(id)
            .fetch_optional(self.0)
            .await?;
        Ok(row.as_ref().map(rows::sealed))
    }

    /// [`Store::needs_consent`].
    pub async fn needs_consent(&self, id: &str, reason: &str, now: &str) -> Result<()> {
        let mut tx = self.0.begin().await?;
        DB::lock_events(&mut *tx).await?;
        let changed = DB::rows_affected(
            &sqlx::query("UPDATE connections SET status = 'needs_consent' WHERE id = $1 AND status = 'active'")
                .bind(id)
                .execute(&mut *tx)
                .await?,
        );
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
            Self::append_event(&mut *tx, &rules::consent_needed(id, reason, now)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// [`Store::end`].
    pub async fn end(&self, id: &str, delete_archives: bool, now: &str) -> Result<()> {
        let mut tx = self.0.begin().await?;
        DB::lock_events(&mut *tx).await?;
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
        Self::append_event(&mut *tx, &rules::connection_ended(id, delete_archives, now)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// [`Store::save`]: `Ok(false)` (nothing written) when `owner` no longer holds the lease.
    pub async fn save(&self, owner: &str, item: &Item, effects: &Effects) -> Result<bool> {
        let mut tx = self.0.begin().await?;
        if !effects.events.is_empty() {
            DB::lock_events(&mut *tx).await?;
        }
        let result = sqlx::query(
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
        .await?;
        let changed = DB::rows_affected(&result);
        if changed == 0 {
            return Ok(false);
        }
        if let Some(job) = &effects.new_job {
            sqlx::query(
                "INSERT INTO jobs (job_id, connection_id, group_name, round) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
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
            Self::append_event(&mut *tx, event).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// [`Store::renew`]: how many leases.
    pub async fn renew(&self, owner: &str, until_ms: i64) -> Result<u64> {
        let result = sqlx::query("UPDATE items SET lease_until = $1 WHERE lease_owner = $2")
            .bind(until_ms)
            .bind(owner)
            .execute(self.0)
            .await?;
        Ok(DB::rows_affected(&result))
    }

    /// [`Store::release`]: how many leases.
    pub async fn release(&self, owner: &str) -> Result<u64> {
        let result = sqlx::query("UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1")
            .bind(owner)
            .execute(self.0)
            .await?;
        Ok(DB::rows_affected(&result))
    }

    /// [`Store::next_due`].
    pub async fn next_due(&self) -> Result<Option<i64>> {
        let row = sqlx::query(&format!(
            "SELECT MIN(due_at) AS due FROM items WHERE status IN {ACTIVE}"
        ))
        .fetch_one(self.0)
        .await?;
        Ok(row.maybe_int("due"))
    }

    /// [`Store::jobs`].
    pub async fn jobs(&self, id: &str, group: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT job_id FROM jobs WHERE connection_id = $1 AND group_name = $2 ORDER BY round")
            .bind(id)
            .bind(group)
            .fetch_all(self.0)
            .await?;
        Ok(rows.iter().map(|row| row.text("job_id")).collect())
    }

    /// [`Store::events`].
    pub async fn events(&self, after: i64, limit: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query("SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2")
            .bind(after)
            .bind(limit)
            .fetch_all(self.0)
            .await?;
        Ok(rows.iter().map(rows::event).collect())
    }

    /// [`Store::webhook_cursor`].
    pub async fn webhook_cursor(&self) -> Result<i64> {
        let row = sqlx::query("SELECT delivered FROM webhook_cursor WHERE id = 1")
            .fetch_optional(self.0)
            .await?;
        Ok(row.map_or(0, |row| row.int("delivered")))
    }

    /// [`Store::set_webhook_cursor`].
    pub async fn set_webhook_cursor(&self, delivered: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO webhook_cursor (id, delivered) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET delivered = excluded.delivered",
        )
        .bind(delivered)
        .execute(self.0)
        .await?;
        Ok(())
    }

    /// [`Store::counts`].
    pub async fn counts(&self) -> Result<Counts> {
        let pairs = |rows: Vec<DB::Row>| rows.iter().map(|r| (r.text("status"), r.int("n"))).collect();
        let items = sqlx::query("SELECT status, COUNT(*) AS n FROM items GROUP BY status")
            .fetch_all(self.0)
            .await?;
        let connections = sqlx::query("SELECT status, COUNT(*) AS n FROM connections GROUP BY status")
            .fetch_all(self.0)
            .await?;
        let archives = sqlx::query("SELECT COUNT(*) AS n FROM archives")
            .fetch_one(self.0)
            .await?
            .int("n");
        let last_event = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS n FROM events")
            .fetch_one(self.0)
            .await?
            .int("n");
        let min_round = sqlx::query(
            "SELECT COALESCE(MIN(round), 0) AS n FROM items WHERE granted = 1 AND status NOT IN ('ended', 'refused', 'needs_consent')",
        )
        .fetch_one(self.0)
        .await?
        .int("n");
        Ok(Counts {
            min_round,
            items: pairs(items),
            connections: pairs(connections),
            archives,
            last_event,
        })
    }
}
