//! What the service benchmark reads from PostgreSQL: a database of its own, the transactions
//! committed in it (`pg_stat_database.xact_commit`), the rows and bytes of each table, and the
//! CPU time of the server processes (backends) serving it.

use anyhow::{Context, Result};
use sqlx::{Connection as _, PgConnection, Row as _};

/// The service's tables, in the order they are printed.
pub const TABLES: [&str; 8] = [
    "connections",
    "oauth_states",
    "grants",
    "items",
    "jobs",
    "archives",
    "events",
    "webhook_cursor",
];

/// A database created for one run, dropped by [`Database::drop_database`].
pub struct Database {
    admin: String,
    name: String,
    /// Its URL, for the service.
    pub url: String,
    conn: PgConnection,
}

/// The rows and bytes (`pg_total_relation_size`: the table, its indexes and TOAST) of a table.
#[derive(Clone, Debug)]
pub struct TableSize {
    /// The table.
    pub table: &'static str,
    /// Its rows.
    pub rows: i64,
    /// Its bytes with its indexes.
    pub bytes: i64,
}

impl Database {
    /// Creates database `name` (dropping an earlier one of that name) on the server of `admin`.
    pub async fn create(admin: &str, name: &str) -> Result<Self> {
        let mut conn = PgConnection::connect(admin).await.context("--database")?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        let mut url = url::Url::parse(admin).context("--database is a URL")?;
        url.set_path(name);
        let url = url.to_string();
        let conn = PgConnection::connect(&url).await?;
        Ok(Self {
            admin: admin.to_owned(),
            name: name.to_owned(),
            url,
            conn,
        })
    }

    /// Transactions committed in the database so far, by every backend (the statistics
    /// collector's figure: a backend reports at most once a second, so a delta is exact to
    /// about a second's worth of work at each end).
    pub async fn xact_commit(&mut self) -> Result<i64> {
        let row = sqlx::query("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
            .fetch_one(&mut self.conn)
            .await?;
        Ok(row.get("xact_commit"))
    }

    /// The fewest exports completed by a granted item still exported (as `/metrics` counts
    /// it): one transaction.
    pub async fn min_round(&mut self) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COALESCE(MIN(round), 0) AS n FROM items WHERE granted = 1 AND status NOT IN ('ended', 'refused', 'needs_consent')",
        )
        .fetch_one(&mut self.conn)
        .await?;
        Ok(row.get("n"))
    }

    /// The process ids of the backends connected to the database (this one's excluded).
    pub async fn backend_pids(&mut self) -> Result<Vec<u32>> {
        let rows = sqlx::query(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_all(&mut self.conn)
        .await?;
        Ok(rows
            .iter()
            .filter_map(|r| u32::try_from(r.get::<i32, _>("pid")).ok())
            .collect())
    }

    /// Rows and bytes of each of [`TABLES`], and `pg_database_size`.
    pub async fn sizes(&mut self) -> Result<(Vec<TableSize>, i64)> {
        let mut sizes = Vec::new();
        for table in TABLES {
            let row = sqlx::query(&format!(
                "SELECT (SELECT count(*) FROM {table}) AS rows, pg_total_relation_size('{table}') AS bytes"
            ))
            .fetch_one(&mut self.conn)
            .await?;
            sizes.push(TableSize {
                table,
                rows: row.get("rows"),
                bytes: row.get("bytes"),
            });
        }
        let total: i64 = sqlx::query("SELECT pg_database_size(current_database()) AS bytes")
            .fetch_one(&mut self.conn)
            .await?
            .get("bytes");
        Ok((sizes, total))
    }

    /// Drops the database.
    pub async fn drop_database(self) -> Result<()> {
        self.conn.close().await?;
        let mut conn = PgConnection::connect(&self.admin).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
            .execute(&mut conn)
            .await?;
        Ok(())
    }
}
