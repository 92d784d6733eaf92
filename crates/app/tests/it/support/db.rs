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
        _ => {
            let required = std::env::var("SEQURA_BC_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "DATABASE_URL is not set and SEQURA_BC_REQUIRE_POSTGRES=1"
            );
            eprintln!("DATABASE_URL is not set: PostgreSQL half of this test skipped");
        }
    }
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
