//! `sequra-bc-load`: drives the app on loopback and measures it against a baseline served by
//! the same binary in the same run (issue 8). Absolute figures are noisy on a shared 2-core
//! machine; the ratios are what to compare.
//!
//! `webhooks`: BigCommerce webhook ingestion (`POST /webhooks/bigcommerce`, each delivery
//! unique, acknowledged only once stored) against a no-op axum endpoint, on SQLite or
//! PostgreSQL. After the run, every acknowledged delivery must be in the database.
//!
//! ```sh
//! cargo run --release --bin sequra-bc-load -- webhooks --backend sqlite
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo run --release --bin sequra-bc-load -- webhooks --backend postgres
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::http::StatusCode;
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use sequra_bc::app::Application;
use sequra_bc::clock::SystemClock;
use sequra_bc::config::Config;
use sequra_bc::crypto::{Sealer, SecretField};
use sequra_bc::db::stores::InstallRecord;
use sequra_bc::domain::StoreHash;
use sequra_bc::services::provision::WEBHOOK_TOKEN_HEADER;
use sqlx::Connection;

#[derive(Parser)]
#[command(name = "sequra-bc-load", about = "Load tests of the app on loopback")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Webhook ingestion against a no-op endpoint.
    Webhooks(Load),
}

#[derive(clap::Args, Clone)]
struct Load {
    /// `sqlite` (a temporary data dir) or `postgres` (a fresh database on the server of
    /// `DATABASE_URL`, dropped afterwards).
    #[arg(long, default_value = "sqlite")]
    backend: String,
    /// Seconds per measured round.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Rounds per variant (alternating, the median is reported).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Stores the deliveries are spread over.
    #[arg(long, default_value_t = 50)]
    stores: usize,
}

/// One round of one variant.
#[derive(Clone, Debug)]
struct Round {
    ok: u64,
    failed: u64,
    per_sec: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1_000.0
}

/// `concurrency` clients send `make(n)` requests back to back for `seconds`.
async fn round<F>(seconds: u64, concurrency: usize, make: F) -> Round
where
    F: Fn(u64) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let counter = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let make = Arc::clone(&make);
        let counter = Arc::clone(&counter);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let (mut ok, mut failed) = (0_u64, 0_u64);
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let start = Instant::now();
                match make(n).send().await {
                    Ok(r) if r.status() == StatusCode::OK => {
                        let _ = r.bytes().await;
                        ok += 1;
                        latencies.push(start.elapsed());
                    }
                    _ => failed += 1,
                }
            }
            (ok, failed, latencies)
        }));
    }
    let mut all = Vec::new();
    let (mut ok, mut failed) = (0, 0);
    for t in tasks {
        if let Ok((o, f, l)) = t.await {
            ok += o;
            failed += f;
            all.extend(l);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    #[allow(clippy::cast_precision_loss)]
    let per_sec = ok as f64 / elapsed;
    Round {
        ok,
        failed,
        per_sec,
        p50_ms: percentile(&all, 0.5),
        p99_ms: percentile(&all, 0.99),
    }
}

fn median(rounds: &[Round]) -> Round {
    let mut sorted = rounds.to_vec();
    sorted.sort_by(|a, b| a.per_sec.total_cmp(&b.per_sec));
    sorted[sorted.len() / 2].clone()
}

/// The app on a loopback port, with `stores` installed stores (secret `secret-{n}`).
struct Running {
    base: String,
    state: sequra_bc::state::AppState,
    pg: Option<(String, String)>,
    _data: tempfile::TempDir,
}

async fn start_app(load: &Load) -> anyhow::Result<Running> {
    let data = tempfile::tempdir()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let mut config = Config::from_args([
        "sequra-bc",
        "--no-worker",
        "--data-dir",
        data.path().to_str().context("temp dir path")?,
        "--public-url",
        &base,
    ])?;
    config.master_key = Some(SecretString::from(Sealer::generate_key_base64()));
    config.database_url = None;
    let mut pg = None;
    match load.backend.as_str() {
        "sqlite" => {}
        "postgres" => {
            let admin = std::env::var("DATABASE_URL").context("postgres needs DATABASE_URL")?;
            let name = format!("sqbc_load_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&admin).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                .execute(&mut conn)
                .await?;
            conn.close().await?;
            let url = match admin.rfind('/') {
                Some(i) => format!("{}/{name}", &admin[..i]),
                None => bail!("DATABASE_URL has no database part"),
            };
            config.database_url = Some(url);
            pg = Some((admin, name));
        }
        other => bail!("unknown backend {other:?} (sqlite or postgres)"),
    }
    let app = Application::build_on(config, listener, Arc::new(SystemClock)).await?;
    let state = app.state.clone();
    for n in 0..load.stores {
        let hash = format!("load{n:04}");
        let store = StoreHash::parse(&hash).context("store hash")?;
        let sealer = &state.sealer;
        let record = InstallRecord {
            access_token: sealer.seal(
                &hash,
                SecretField::BigCommerceAccessToken,
                &SecretString::from(format!("token-{hash}")),
            ),
            scopes: String::new(),
            owner_user_id: 1,
            webhook_secret: sealer.seal(
                &hash,
                SecretField::WebhookSecret,
                &SecretString::from(format!("secret-{n}")),
            ),
        };
        state.db.upsert_store(&store, &record).await?;
    }
    tokio::spawn(async move {
        let _ = app.run().await;
    });
    Ok(Running {
        base,
        state,
        pg,
        _data: data,
    })
}

async fn noop_server() -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/noop", listener.local_addr()?);
    let router = axum::Router::new().route("/noop", axum::routing::post(|| async { "ok" }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(url)
}

fn delivery(n: u64, stores: usize) -> (usize, String) {
    let store = usize::try_from(n).unwrap_or(0) % stores;
    let body = serde_json::json!({
        "scope": "store/order/updated",
        "store_id": "1001",
        "data": { "type": "order", "id": 100 + n % 5_000 },
        "hash": format!("{:040x}", u128::from(n) * 0x9e37_79b9_7f4a_7c15 + 1),
        "created_at": 1_767_261_005_i64 + i64::try_from(n).unwrap_or(0),
        "producer": format!("stores/load{store:04}"),
    });
    (store, body.to_string())
}

async fn webhooks(load: Load) -> anyhow::Result<()> {
    let app = start_app(&load).await?;
    let noop = noop_server().await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(load.concurrency)
        .build()?;
    let target = format!("{}/webhooks/bigcommerce", app.base);
    let stores = load.stores;
    let noop_req = {
        let http = http.clone();
        let noop = noop.clone();
        move |n: u64| {
            let (_, body) = delivery(n, stores);
            http.post(&noop)
                .header("content-type", "application/json")
                .body(body)
        }
    };
    let hook_req = {
        let http = http.clone();
        move |n: u64| {
            let (store, body) = delivery(n, stores);
            http.post(&target)
                .header("content-type", "application/json")
                .header(WEBHOOK_TOKEN_HEADER, format!("secret-{store}"))
                .body(body)
        }
    };
    // Warm-up, then alternating rounds; each webhook round sends fresh deliveries.
    let offset = Arc::new(AtomicU64::new(1 << 40));
    round(1, load.concurrency, noop_req.clone()).await;
    let (mut noops, mut hooks) = (Vec::new(), Vec::new());
    let mut acked = 0;
    for _ in 0..load.rounds {
        noops.push(round(load.seconds, load.concurrency, noop_req.clone()).await);
        let base = offset.fetch_add(1 << 32, Ordering::Relaxed);
        let hook_req = hook_req.clone();
        let r = round(load.seconds, load.concurrency, move |n| hook_req(base + n)).await;
        acked += r.ok;
        hooks.push(r);
    }
    // Nothing acknowledged may be missing.
    let mut stored = 0_u64;
    for n in 0..stores {
        let store = StoreHash::parse(&format!("load{n:04}")).context("store hash")?;
        stored += u64::try_from(app.state.db.webhook_events(&store).await?.len()).unwrap_or(0);
    }
    let (n, h) = (median(&noops), median(&hooks));
    println!(
        "backend {}, {} s × {} rounds, {} in flight, {} stores",
        load.backend, load.seconds, load.rounds, load.concurrency, load.stores
    );
    println!("| variant | requests/s (median) | p50 ms | p99 ms | failed | vs no-op |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| no-op POST | {:.0} | {:.2} | {:.2} | {} | 1 |",
        n.per_sec, n.p50_ms, n.p99_ms, n.failed
    );
    println!(
        "| webhook, stored before the 200 | {:.0} | {:.2} | {:.2} | {} | {:.3} |",
        h.per_sec,
        h.p50_ms,
        h.p99_ms,
        h.failed,
        h.per_sec / n.per_sec
    );
    println!("acknowledged {acked}, stored {stored}");
    app.state.db.close().await;
    if let Some((admin, name)) = app.pg {
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await?;
    }
    if stored < acked {
        bail!("{} acknowledged deliveries are not stored", acked - stored);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Webhooks(load) => webhooks(load).await,
    }
}
