//! The app as a real process (`sequra-bc serve`, worker included), killed with SIGKILL in
//! the middle of its work and started again on the same database, on SQLite and on
//! PostgreSQL:
//! - killed while it handles SeQura's IPN (the BigCommerce order may exist, SeQura not yet
//!   confirmed): SeQura's retry, answered by the restarted process, completes the same
//!   order;
//! - killed while its worker runs a `sync_order` job: the job's lease runs out and the
//!   restarted worker runs it again; SeQura ends with the right carts.
//!
//! Leases are shortened (`--job-lease-secs 2 --notification-lease-secs 2`) so the test
//! waits seconds, not minutes; waiting is by polling with a deadline, nothing is timed.

use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sandbox::bigcommerce::{EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, NewShipment};
use sequra_bc::db::Db;
use sequra_bc::domain::StoreHash;

use crate::faults::{Failures, Parties, invariants_of, new_checkout_in, solicit_in};
use crate::support::db::PgTestDb;
use crate::support::world::{Sandboxes, connect_and_sell, get, sandboxes};

struct Deployment {
    sb: Sandboxes,
    port: u16,
    base: String,
    data: tempfile::TempDir,
    master_key: String,
    pg: Option<PgTestDb>,
    child: Option<Child>,
    starts: u32,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Polls `check` every 100 ms until it holds; panics with `what` after `limit`.
async fn wait_until<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// SIGKILL: no shutdown code runs.
fn kill(child: &mut Option<Child>) {
    let mut c = child.take().expect("a running app");
    c.kill().unwrap();
    c.wait().unwrap();
}

/// No job is due (the app's clock is the real one): what is queued is for later, like the
/// cart clean-up half an hour after a payment.
async fn nothing_due(db: &Db) -> bool {
    let now = chrono::Utc::now().timestamp_millis();
    db.next_job_due().await.unwrap().is_none_or(|at| at > now)
}

impl Deployment {
    async fn new(postgres: bool) -> Self {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let sb = sandboxes(&base).await;
        let pg = if postgres {
            let admin = std::env::var("DATABASE_URL").expect("postgres tests need DATABASE_URL");
            Some(PgTestDb::create(&admin).await)
        } else {
            None
        };
        Self {
            sb,
            port,
            base,
            data: tempfile::tempdir().unwrap(),
            master_key: sequra_bc::crypto::Sealer::generate_key_base64(),
            pg,
            child: None,
            starts: 0,
        }
    }

    fn store(&self) -> &str {
        &self.sb.example.store_hash
    }

    fn log(&self) -> String {
        (0..self.starts)
            .map(|n| {
                let path = self.data.path().join(format!("app-{n}.log"));
                format!(
                    "--- run {n} ---\n{}",
                    std::fs::read_to_string(path).unwrap_or_default()
                )
            })
            .collect()
    }

    /// Starts `sequra-bc serve` on the deployment's port, database and key, and waits
    /// until it answers.
    async fn start(&mut self) {
        let log = std::fs::File::create(self.data.path().join(format!("app-{}.log", self.starts)))
            .unwrap();
        self.starts += 1;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sequra-bc"));
        cmd.arg("serve")
            .args(["--listen", &format!("127.0.0.1:{}", self.port)])
            .args(["--public-url", &self.base])
            .arg("--data-dir")
            .arg(self.data.path())
            .args(crate::support::app::sandbox_flags(
                Some(&self.sb.bc_base),
                Some(self.sb.sequra.base_url()),
            ))
            .args(["--job-lease-secs", "2", "--notification-lease-secs", "2"])
            .env("BC_CLIENT_ID", EXAMPLE_CLIENT_ID)
            .env("BC_CLIENT_SECRET", EXAMPLE_CLIENT_SECRET)
            .env("SEQURA_BC_MASTER_KEY", &self.master_key)
            .env("RUST_LOG", "info")
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log);
        if let Some(pg) = &self.pg {
            cmd.env("DATABASE_URL", pg.url());
        }
        self.child = Some(cmd.spawn().unwrap());
        let health = format!("{}/healthz", self.base);
        wait_until(Duration::from_secs(60), "the app to answer", || async {
            reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
    }

    /// The deployment's database, as the test reads it.
    async fn db(&self) -> Db {
        match &self.pg {
            Some(pg) => Db::connect_postgres(&pg.url(), 2).await.unwrap(),
            None => Db::open_sqlite(&self.data.path().join("sequra-bc.db"))
                .await
                .unwrap(),
        }
    }

    /// Lets the sandboxes deliver what is due (webhooks, SeQura's retries), moving their
    /// clock on a minute.
    async fn step(&self) {
        self.sb.clock.advance(Duration::from_secs(60));
        self.sb.sequra.control().run_due().await;
        self.sb.bc.webhooks().flush().await;
    }

    async fn finish(mut self) {
        if self.child.is_some() {
            kill(&mut self.child);
        }
        if let Some(pg) = self.pg.take() {
            pg.drop().await;
        }
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn killed_and_restarted(postgres: bool) {
    let mut d = Deployment::new(postgres).await;
    d.start().await;
    let store = d.store().to_owned();
    let hash = StoreHash::parse(&store).unwrap();
    let install =
        d.sb.bc
            .start_install(&store, EXAMPLE_CLIENT_ID, d.sb.example.owner_id)
            .unwrap();
    let (status, page) = get(&install).await;
    assert_eq!(status, 200, "{page}");
    connect_and_sell(&d.base, &page).await;
    // The worker registers the webhooks after the install.
    wait_until(Duration::from_secs(30), "the webhooks", || async {
        !d.sb.bc.webhooks().hooks(&store).is_empty()
    })
    .await;

    // 1. Killed while handling the IPN: SeQura is slow, so the process is caught in the
    //    middle (between BigCommerce's order and SeQura's confirmation).
    let checkout = new_checkout_in(&d.sb.bc, &d.sb.example, 2, 1);
    let uuid = solicit_in(d.sb.sequra.control(), &store, &d.base, &checkout).await;
    let sim = d.sb.sequra.control();
    sim.set_latency(Some(Duration::from_millis(1500)));
    sim.approve(uuid).unwrap();
    let order_path = format!("/orders/{uuid}");
    let child = &mut d.child;
    tokio::join!(sim.flush(), async {
        wait_until(
            Duration::from_secs(30),
            "the confirmation in flight",
            || async { sim.write_overlap().keys().any(|p| p.ends_with(&order_path)) },
        )
        .await;
        kill(child);
    });
    sim.set_latency(None);
    let ipn = sim.notifications_for(uuid);
    assert!(
        ipn[0].attempts.iter().all(|a| a.outcome.status().is_none()),
        "the killed process never answered the IPN: {ipn:?}"
    );
    assert!(
        sim.order(uuid).unwrap().order_ref_1().is_none(),
        "SeQura was not confirmed before the kill"
    );
    d.start().await;
    wait_until(Duration::from_secs(60), "SeQura's retried IPN", || async {
        d.step().await;
        d.sb.sequra
            .control()
            .order(uuid)
            .unwrap()
            .order_ref_1()
            .is_some()
    })
    .await;
    assert_eq!(d.sb.bc.orders(&store).len(), 1, "{}", d.log());

    // 2. Killed while its worker syncs a shipment: BigCommerce is slow, so the job is
    //    caught running.
    let order = d.sb.bc.orders(&store)[0].clone();
    let db = d.db().await;
    wait_until(
        Duration::from_secs(30),
        "the IPN's own updates synced",
        || async {
            d.step().await;
            nothing_due(&db).await
        },
    )
    .await;
    d.sb.bc.set_latency(Some(Duration::from_millis(1500)));
    d.sb.bc
        .ship_items(
            &store,
            order.id,
            NewShipment {
                order_address_id: order.shipping_addresses[0].id,
                items: order.lines.iter().map(|l| (l.id, l.quantity)).collect(),
                tracking_number: "EJ958083578ES".into(),
                ..NewShipment::default()
            },
        )
        .unwrap();
    d.sb.bc.webhooks().flush().await;
    wait_until(Duration::from_secs(30), "the sync job running", || async {
        !db.jobs(&hash, "running").await.unwrap().is_empty()
    })
    .await;
    kill(&mut d.child);
    d.sb.bc.set_latency(None);
    assert!(
        d.sb.sequra
            .control()
            .order(uuid)
            .unwrap()
            .shipped_cart
            .items
            .is_empty(),
        "the shipment had not reached SeQura"
    );
    d.start().await;
    wait_until(
        Duration::from_secs(60),
        "the restarted worker's sync",
        || async {
            d.step().await;
            let sq = d.sb.sequra.control().order(uuid).unwrap();
            sq.unshipped_cart.items.is_empty()
                && !sq.shipped_cart.items.is_empty()
                && nothing_due(&db).await
                && db.jobs(&hash, "running").await.unwrap().is_empty()
        },
    )
    .await;

    let parties = Parties {
        bc: &d.sb.bc,
        sequra: d.sb.sequra.control(),
        store: &store,
        db: &db,
        now_ms: chrono::Utc::now().timestamp_millis(),
    };
    let paid = invariants_of(&parties, Failures::None).await;
    assert_eq!(paid.len(), 1, "{}", d.log());
    db.close().await;
    d.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_ipn_and_mid_job_on_sqlite() {
    killed_and_restarted(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_ipn_and_mid_job_on_postgres() {
    if crate::support::db::postgres_url("the PostgreSQL crash scenario").is_none() {
        return;
    }
    killed_and_restarted(true).await;
}
