//! Test databases: a fresh SQLite file per test, and — whenever `DATABASE_URL` is set, as
//! `.ci/run` always does — a fresh PostgreSQL database per test, dropped afterwards.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::str::FromStr;

use futures::FutureExt;
use sequra_bc::db::Db;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

/// Runs `case` against a migrated SQLite database, then against a migrated PostgreSQL
/// database when `DATABASE_URL` is set. Databases are removed even when `case` panics.
pub async fn on_each_backend<F, Fut>(case: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(&dir.path().join("app.db")).await.unwrap();
    db.migrate().await.unwrap();
    case(db.clone()).await;
    db.close().await;

    match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => {
            let pg = PgTestDb::create(&url).await;
            let result = AssertUnwindSafe(case(pg.db.clone())).catch_unwind().await;
            pg.drop().await;
            if let Err(panic) = result {
                std::panic::resume_unwind(panic);
            }
        }
        _ => skip_postgres(
            "the PostgreSQL half of this test",
            "DATABASE_URL is not set",
        ),
    }
}

/// `DATABASE_URL`, the PostgreSQL server's admin URL, when it is set; else `what` is
/// skipped (see [`skip_postgres`]).
pub fn postgres_url(what: &str) -> Option<String> {
    let url = std::env::var("DATABASE_URL").ok();
    if url.is_none() {
        skip_postgres(what, "DATABASE_URL is not set");
    }
    url
}

/// A PostgreSQL test that cannot run here (`why`) is skipped with a note, unless
/// `SEQURA_BC_REQUIRE_POSTGRES=1` (as in CI) makes that a failure.
pub fn skip_postgres(what: &str, why: &str) {
    let required = std::env::var("SEQURA_BC_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    assert!(!required, "{why}, and SEQURA_BC_REQUIRE_POSTGRES=1");
    eprintln!("{why}: {what} skipped");
}

pub struct PgTestDb {
    pub db: Db,
    admin: PgConnectOptions,
    admin_url: String,
    name: String,
}

impl PgTestDb {
    pub async fn create(admin_url: &str) -> Self {
        let admin = PgConnectOptions::from_str(admin_url).unwrap();
        let name = format!("sqbc_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect_with(&admin).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let db = Db::connect_postgres_with(admin.clone().database(&name), 8)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        Self {
            db,
            admin,
            admin_url: admin_url.to_owned(),
            name,
        }
    }

    /// A connection URL for this database (for the app's `DATABASE_URL`).
    pub fn url(&self) -> String {
        let admin = &self.admin_url;
        match admin.rfind('/') {
            Some(i) => format!("{}/{}", &admin[..i], self.name),
            None => admin.clone(),
        }
    }

    pub async fn drop(self) {
        self.db.close().await;
        if let Ok(mut conn) = PgConnection::connect_with(&self.admin).await {
            let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await;
            let _ = conn.close().await;
        }
    }
}

/// Every row of the app's SQLite database at `path`, as text (`quote()` of each column),
/// by table and sorted; with `store`, only that store's rows of the tables that have a
/// `store_hash` column (and every row of those that do not). What tests compare before
/// and after a request that must change nothing.
pub async fn sqlite_digest(
    path: &std::path::Path,
    store: Option<&str>,
) -> std::collections::BTreeMap<String, Vec<String>> {
    use sqlx::Row;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .read_only(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let mut out = std::collections::BTreeMap::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT name FROM pragma_table_info('{table}')"
        )))
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let scoped = store.is_some() && columns.iter().any(|c| c == "store_hash");
        let sql = if scoped {
            format!("SELECT {row} FROM \"{table}\" WHERE store_hash = ?1")
        } else {
            format!("SELECT {row} FROM \"{table}\"")
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if scoped {
            query = query.bind(store.unwrap_or_default().to_owned());
        }
        let mut rows: Vec<String> = query
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
        rows.sort();
        out.insert(table, rows);
    }
    out
}

/// Two digests are equal; on failure names the tables that differ (not the whole dump).
pub fn assert_same(
    after: &std::collections::BTreeMap<String, Vec<String>>,
    before: &std::collections::BTreeMap<String, Vec<String>>,
    what: &str,
) {
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|t| before.get(*t) != after.get(*t))
        .collect();
    assert!(changed.is_empty(), "{what} changed rows of {changed:?}");
}
