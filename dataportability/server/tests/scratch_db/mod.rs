//! A PostgreSQL database of a test's own, created on the server of
//! `DATAPORTABILITY_TEST_POSTGRES` and dropped by [`ScratchDatabase::drop_database`].

use sqlx::Connection as _;

/// A database created for one test.
pub struct ScratchDatabase {
    admin: sqlx::PgConnection,
    name: String,
    /// Its URL.
    pub url: String,
}

impl ScratchDatabase {
    /// Creates database `name` on the server `admin` (a URL) names.
    pub async fn create(admin: &str, name: &str) -> Self {
        let mut conn = sqlx::PgConnection::connect(admin).await.expect("postgres");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create database");
        let mut url = url::Url::parse(admin).expect("a URL");
        url.set_path(name);
        Self {
            admin: conn,
            name: name.to_owned(),
            url: url.to_string(),
        }
    }

    /// Drops the database, its connections included (best effort).
    pub async fn drop_database(mut self) {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
            .execute(&mut self.admin)
            .await;
    }
}
