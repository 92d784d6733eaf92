//! No hot path reads a table from end to end (issue 8, part 3). A PostgreSQL database is
//! filled like a busy deployment's (2,000 stores, 100,000 solicitations, 200,000 finished
//! jobs, 100,000 webhook deliveries, 20,000 transaction-log entries) and analysed; then the
//! app's own queries of every hot path run through `Db`: the webhook receiver's insert and
//! enqueue, the worker's claim, completion and retry, the IPN's lookups, lock and progress,
//! the order sync's state, the transaction log's writes and pages, the checkout's settings
//! reads. PostgreSQL's own counters (`pg_stat_user_tables.seq_scan`) must show no
//! sequential scan of any of these tables meanwhile: what the planner chose, for the queries
//! the app really sends, not for copies of them.

use sequra_bc::db::Db;
use sequra_bc::db::transaction_log::{Failure, LogFilter};
use sequra_bc::domain::StoreHash;
use sequra_bc::jobs::queue::NewJob;
use sqlx::Row;

use crate::support::db::PgTestDb;

const TABLES: &[&str] = &[
    "stores",
    "store_users",
    "sequra_connections",
    "sequra_countries",
    "general_settings",
    "status_mappings",
    "jobs",
    "webhook_events",
    "solicitations",
    "transaction_log",
];

/// The busy deployment, written in SQL (seconds, where the app's own writes would take
/// minutes); the rows are shaped as the app writes them.
const FILL: &[&str] = &[
    "INSERT INTO stores (store_hash, access_token, scopes, owner_user_id, webhook_secret, \
     installed_at, updated_at) \
     SELECT 's' || lpad(n::text, 6, '0'), '\\x00', '', 1, '\\x00', 0, 0 \
     FROM generate_series(1, 2000) n",
    "INSERT INTO store_users (store_hash, user_id, email, is_owner, created_at, last_seen_at) \
     SELECT store_hash, 1, 'owner@example.com', true, 0, 0 FROM stores",
    "INSERT INTO sequra_connections (store_hash, environment, username, password, updated_at) \
     SELECT store_hash, 'sandbox', 'user', '\\x00', 0 FROM stores",
    "INSERT INTO sequra_countries (store_hash, country_code, merchant_id) \
     SELECT store_hash, c, 'demo_' || lower(c) FROM stores, unnest(ARRAY['ES','FR','IT','PT']) c",
    "INSERT INTO general_settings (store_hash, body, updated_at) SELECT store_hash, '{}', 0 FROM stores",
    "INSERT INTO status_mappings (store_hash, sequra_state, bc_status_id) \
     SELECT store_hash, st, 11 FROM stores, \
     unnest(ARRAY['approved','needs_review','cancelled']) st",
    "INSERT INTO solicitations (id, store_hash, checkout_id, checkout_version, product, campaign, \
     method_title, merchant_id, environment, sequra_order_ref, currency, grand_total, \
     store_credit, customer_id, signature, order_body, state, bc_order_id, progress, \
     created_at, updated_at, synced) \
     SELECT 'sol-' || n, 's' || lpad((1 + n % 2000)::text, 6, '0'), 'chk-' || n, 1, 'i1', '', \
     'Paga Después', 'demo_es', 'sandbox', 'ref-' || n, 'EUR', 11500, 0, 0, 'sig', '{}', \
     'confirmed', 1000 + n, '{}', n, n, '{}' \
     FROM generate_series(1, 100000) n",
    "INSERT INTO jobs (store_hash, kind, payload, dedupe_key, serial_key, state, run_at, \
     attempts, max_attempts, created_at, updated_at) \
     SELECT 's' || lpad((1 + n % 2000)::text, 6, '0'), 'sync_order', \
     '{\"order_id\":' || (1000 + n % 100000) || '}', 'sync_order:' || (1000 + n % 100000), \
     'order:' || (1000 + n % 100000), 'done', n, 1, 12, n, n \
     FROM generate_series(1, 200000) n",
    "INSERT INTO webhook_events (store_hash, delivery_key, scope, order_id, payload, received_at) \
     SELECT 's' || lpad((1 + n % 2000)::text, 6, '0'), 'key-' || n, 'store/order/updated', \
     1000 + n % 100000, '{}', n FROM generate_series(1, 100000) n",
    "INSERT INTO transaction_log (store_hash, bc_order_id, solicitation_id, sequra_order_ref, \
     environment, payment_method, event, reason, state, attempts, created_at, updated_at, \
     resolved_at) \
     SELECT 's' || lpad((1 + n % 2000)::text, 6, '0'), 1000 + n, 'sol-' || n, 'ref-' || n, \
     'sandbox', 'Paga Después', 'order.shipped', 'SeQura could not be reached', 'resolved', \
     1, n, n, n FROM generate_series(1, 20000) n",
];

async fn seq_scans(db: &Db) -> Vec<(String, i64)> {
    let Db::Postgres(pool) = db else {
        unreachable!("PostgreSQL only")
    };
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(pool)
        .await
        .unwrap();
    let rows = sqlx::query(
        "SELECT relname::text AS name, seq_scan FROM pg_stat_user_tables \
         WHERE relname = ANY($1) ORDER BY relname",
    )
    .bind(TABLES)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.iter()
        .map(|r| (r.get::<String, _>("name"), r.get::<i64, _>("seq_scan")))
        .collect()
}

/// Makes the one connection of `db`'s pool report its counters now.
async fn flush_stats(db: &Db) {
    let Db::Postgres(pool) = db else {
        unreachable!("PostgreSQL only")
    };
    sqlx::query("SELECT pg_stat_force_next_flush()")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("SELECT 1").execute(pool).await.unwrap();
}

#[tokio::test]
async fn no_hot_path_scans_a_whole_table() {
    let Some(admin) = crate::support::db::postgres_url("the query plan test") else {
        return;
    };
    let pg = PgTestDb::create(&admin).await;
    {
        let Db::Postgres(pool) = &pg.db else {
            unreachable!()
        };
        for sql in FILL {
            sqlx::query(sqlx::AssertSqlSafe(*sql))
                .execute(pool)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        sqlx::query("ANALYZE").execute(pool).await.unwrap();
    }
    // One connection, so that its counters can be flushed on demand.
    let db = Db::connect_postgres(&pg.url(), 1).await.unwrap();
    flush_stats(&db).await;
    let before = seq_scans(&db).await;
    assert_eq!(before.len(), TABLES.len(), "{before:?}");

    let store = StoreHash::parse("s000042").unwrap();
    let now = 1_000_000_000;
    // Checkout: the store, its settings, its SeQura connection.
    assert!(db.store(&store).await.unwrap().is_some());
    assert!(db.user(&store, 1).await.unwrap().is_some());
    assert!(db.connection(&store).await.unwrap().is_some());
    assert_eq!(db.countries(&store).await.unwrap().len(), 4);
    assert!(db.general_settings(&store).await.unwrap().is_some());
    db.status_mapping(&store).await.unwrap();
    // Webhooks in: stored once, one coalesced job per order.
    let mut tx = db.begin().await.unwrap();
    assert!(
        tx.insert_webhook_event(&store, "key-new", "store/order/updated", Some(1041), "{}")
            .await
            .unwrap()
    );
    assert!(
        !tx.insert_webhook_event(&store, "key-new", "store/order/updated", Some(1041), "{}")
            .await
            .unwrap()
    );
    let job = sequra_bc::services::order_sync::sync_job(&store, 1041, now);
    tx.enqueue(&job).await.unwrap();
    tx.commit().await.unwrap();
    assert!(!db.enqueue(&job).await.unwrap(), "coalesced");
    // The worker: claim, complete, and a retry of another job.
    let claimed = db.claim_job(now, 120_000).await.unwrap().expect("the job");
    assert!(db.complete_job(&claimed).await.unwrap());
    db.enqueue(&NewJob {
        dedupe_key: Some("sync_order:1042".into()),
        serial_key: Some("order:1042".into()),
        ..job.clone()
    })
    .await
    .unwrap();
    let claimed = db.claim_job(now, 120_000).await.unwrap().expect("the job");
    assert!(db.retry_job(&claimed, now + 5_000, "503").await.unwrap());
    db.next_job_due().await.unwrap();
    // The IPN: the solicitation, its lease, its progress; the sync's lookups.
    let sol = db.solicitation(&store, "sol-41").await.unwrap().unwrap();
    assert!(
        db.lock_solicitation(&store, &sol.id, "t", now, now + 60_000)
            .await
            .unwrap()
    );
    db.unlock_solicitation(&store, &sol.id, "t").await.unwrap();
    assert!(
        db.solicitation_by_order(&store, 1041)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        db.solicitation_for(&store, "chk-41", 1, "i1", "")
            .await
            .unwrap()
            .is_some()
    );
    db.synced(&store, &sol.id).await.unwrap();
    db.set_synced(&store, &sol.id, "{}").await.unwrap();
    // The transaction log: a failure, its resolution, the merchant's pages.
    let failure = Failure {
        bc_order_id: 1041,
        solicitation_id: "sol-41",
        sequra_order_ref: "ref-41",
        environment: "sandbox",
        payment_method: "Paga Después",
        event: "order.shipped",
        reason: "SeQura could not be reached",
        state: "retrying",
    };
    db.log_failure(&store, &failure).await.unwrap();
    db.log_failure(&store, &failure).await.unwrap();
    assert!(db.resolve_log(&store, 1041).await.unwrap());
    let page = db
        .log_entries(&store, &LogFilter::default(), 21, 0)
        .await
        .unwrap();
    assert_eq!(page.len(), 11, "the store's ten entries and the new one");
    db.log_entries(
        &store,
        &LogFilter {
            state: Some("open".into()),
            order_id: Some(1041),
        },
        21,
        0,
    )
    .await
    .unwrap();

    flush_stats(&db).await;
    let after = seq_scans(&db).await;
    let scanned: Vec<String> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| a.1 > b.1)
        .map(|(b, a)| format!("{}: {} sequential scan(s)", b.0, a.1 - b.1))
        .collect();
    assert!(
        scanned.is_empty(),
        "hot paths scanned whole tables: {scanned:?}"
    );
    db.close().await;
    pg.drop().await;
}
