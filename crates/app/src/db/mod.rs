//! Storage: one set of queries, two backends.
//!
//! `Db` is SQLite (default, a file in the data dir, WAL) or PostgreSQL (`DATABASE_URL`).
//! Instead of a trait with two hand-written implementations, every query is written once
//! and expanded for both pools by the `run!` / `run_tx!` macros: sqlx's SQLite driver
//! accepts the `$1…$n` placeholders PostgreSQL uses, and the schema sticks to types both
//! share (TEXT, BIGINT, BOOLEAN, bytes; times as unix milliseconds), so the text is the same.
//! Where the backends truly differ (claiming jobs, opening write transactions) the code
//! matches on the variant explicitly.
//!
//! Tenancy: every function takes the store it acts for, and every query filters on it.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

pub mod settings;
pub mod solicitations;
pub mod stores;
pub mod transaction_log;
pub mod webhooks;

/// Expands `$body` once per backend with `$pool` bound to that backend's pool.
macro_rules! run {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
/// Expands `$body` once per backend with `$conn` bound to the transaction's connection.
macro_rules! run_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}
/// Runs a statement on either backend and returns the number of rows it affected.
macro_rules! execute {
    ($db:expr, |$pool:ident| $query:expr) => {
        $crate::db::run!($db, |$pool| $query
            .execute($pool)
            .await
            .map(|done| done.rows_affected()))
    };
}
/// Like `execute!`, inside a transaction.
macro_rules! execute_tx {
    ($tx:expr, |$conn:ident| $query:expr) => {
        $crate::db::run_tx!($tx, |$conn| $query
            .execute(&mut *$conn)
            .await
            .map(|done| done.rows_affected()))
    };
}
pub(crate) use {execute, execute_tx, run, run_tx};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub async fn commit(self) -> Result<(), DbError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

impl Db {
    /// Opens (creating if needed) a SQLite database file with the settings a durable
    /// single-node service wants: WAL, `synchronous=FULL` (an acknowledged write survives a
    /// power cut, not just a crash), foreign keys, a busy timeout instead of SQLITE_BUSY.
    pub async fn open_sqlite(path: &Path) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    pub async fn connect_postgres(url: &str, max_connections: u32) -> Result<Self, DbError> {
        Self::connect_postgres_with(PgConnectOptions::from_str(url)?, max_connections).await
    }

    pub async fn connect_postgres_with(
        options: PgConnectOptions,
        max_connections: u32,
    ) -> Result<Self, DbError> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Db::Postgres(pool))
    }

    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// A write transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the write
    /// lock up front, so that two writers never deadlock upgrading a read lock.
    pub async fn begin(&self) -> Result<Tx, DbError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    pub async fn ping(&self) -> Result<(), DbError> {
        execute!(self, |p| sqlx::query("SELECT 1"))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Unix milliseconds, the one time representation in the schema.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
