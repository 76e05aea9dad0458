//! The service benchmark's PostgreSQL reader when the benchmark is built without its `postgres`
//! feature (as `cargo xtask bench requests` builds it): `--database postgres://...` is refused
//! with what to do instead, and a [`Database`] can never exist.

use std::convert::Infallible;

use anyhow::{Result, bail};

/// Never made: [`Database::create`] refuses.
pub struct Database {
    never: Infallible,
    /// Its URL, for the service.
    pub url: String,
}

/// The rows and bytes of a table.
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
    /// Refuses: this build has no PostgreSQL client.
    pub async fn create(_admin: &str, _name: &str) -> Result<Self> {
        bail!(
            "--database postgres://...: this bench binary was built without its `postgres` feature; \
             run `cargo xtask bench service` (or `cargo run --release -p bench -- service`)"
        )
    }

    /// Unreachable: no [`Database`] exists.
    pub async fn xact_commit(&mut self) -> Result<i64> {
        match self.never {}
    }

    /// Unreachable: no [`Database`] exists.
    pub async fn min_round(&mut self) -> Result<i64> {
        match self.never {}
    }

    /// Unreachable: no [`Database`] exists.
    pub async fn backend_pids(&mut self) -> Result<Vec<u32>> {
        match self.never {}
    }

    /// Unreachable: no [`Database`] exists.
    pub async fn sizes(&mut self) -> Result<(Vec<TableSize>, i64)> {
        match self.never {}
    }

    /// Unreachable: no [`Database`] exists.
    pub async fn drop_database(self) -> Result<()> {
        match self.never {}
    }
}
