//! Fault scenarios (issue 7): the sandboxes' chaos switches turned on while shoppers pay and
//! merchants work their orders, on SQLite and on PostgreSQL. After each scenario the faults
//! are lifted, time moves on until nothing is pending anywhere, and the same invariants are
//! checked (see [`invariants`]):
//! - every SeQura order approved by the shopper has exactly one BigCommerce order, and the
//!   SeQura order names it (`order_ref_1`);
//! - SeQura's final carts are what BigCommerce's order shows (per product, shipped and not,
//!   and the amounts);
//! - no job is lost: nothing queued, nothing dead unless the scenario expects a failure;
//! - every failure the merchant must know of is in the transaction log.

use std::collections::BTreeMap;
use std::time::Duration;

use sandbox::bigcommerce::model::{Address, ShippingOption};
use sandbox::bigcommerce::webhooks::{DeliveryStatus, FailFirstMode, ReorderMode};
use sandbox::bigcommerce::{NewCheckout, NewLine, NewShipment, RefundItemRequest};
use sandbox::sequra::records::{NotificationStatus, Order as SequraOrder, OrderState};
use sequra_bc::clock::Clock as _;
use sequra_bc::domain::StoreHash;
use serde_json::json;
use uuid::Uuid;

use crate::support::world::World;

/// Runs a scenario once on SQLite and once on PostgreSQL (when `DATABASE_URL` is set; CI
/// requires it).
macro_rules! on_both_backends {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                super::$scenario(false).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                if crate::support::db::postgres_url("the PostgreSQL scenario").is_none() {
                    return;
                }
                super::$scenario(true).await;
            }
        }
    };
}

/// A guest checkout of `shirts` × 25 € and `shoes` × 60 €, 5 € shipping, to Spain.
pub fn new_checkout(w: &World, shirts: i64, shoes: i64) -> String {
    new_checkout_in(&w.bc, &w.example, shirts, shoes)
}

pub fn new_checkout_in(
    bc: &sandbox::bigcommerce::BigCommerce,
    example: &sandbox::bigcommerce::Example,
    shirts: i64,
    shoes: i64,
) -> String {
    let [shirt, shoe] = example.products;
    let mut items = Vec::new();
    if shirts > 0 {
        items.push(NewLine {
            product_id: shirt,
            quantity: shirts,
        });
    }
    if shoes > 0 {
        items.push(NewLine {
            product_id: shoe,
            quantity: shoes,
        });
    }
    bc.create_checkout(
        &example.store_hash,
        NewCheckout {
            id: None,
            customer_id: None,
            email: Some(format!("guest-{}@example.es", Uuid::new_v4().simple())),
            items,
            billing_address: Some(Address::example()),
            shipping_address: Some(Address::example()),
            shipping_option: Some(ShippingOption::example()),
            coupons: Vec::new(),
            customer_message: String::new(),
        },
    )
    .unwrap()
}

/// The shopper picks "pay later" at the checkout: the app asks SeQura for an order.
pub async fn solicit(w: &World, app_base: &str, checkout: &str) -> Uuid {
    solicit_in(w.sequra.control(), w.store(), app_base, checkout).await
}

pub async fn solicit_in(
    sequra: &sandbox::sequra::SequraSim,
    store: &str,
    app_base: &str,
    checkout: &str,
) -> Uuid {
    let before = sequra.orders().len();
    let r = reqwest::Client::new()
        .post(format!(
            "{app_base}/storefront/{store}/checkouts/{checkout}/solicitations"
        ))
        .json(&json!({ "product": "i1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let orders = sequra.orders();
    assert_eq!(orders.len(), before + 1);
    orders.last().unwrap().uuid
}

/// Everything the sandboxes and the app still have to do, as one number per kind: used to
/// tell when a system is at rest.
fn pending(w: &World) -> (usize, usize) {
    let deliveries = w
        .bc
        .webhooks()
        .all_deliveries()
        .iter()
        .filter(|d| {
            matches!(
                d.status,
                DeliveryStatus::Pending { .. } | DeliveryStatus::Held | DeliveryStatus::InFlight
            )
        })
        .count();
    let notifications = w
        .sequra
        .control()
        .notifications()
        .iter()
        .filter(|n| {
            matches!(
                n.status,
                NotificationStatus::Pending { .. } | NotificationStatus::InFlight
            )
        })
        .count();
    (deliveries, notifications)
}

/// Moves both worlds' time on (the sandboxes' clock and the app's) and lets every party do
/// what is due, until nothing is pending anywhere: webhooks delivered or given up,
/// notifications answered, the app's queue empty.
pub async fn settle(w: &World) {
    settle_apps(w, &[&w.app]).await;
}

/// [`settle`] with several app instances sharing the work (their workers run at once);
/// returns how many jobs each instance's worker ran.
pub async fn settle_apps(w: &World, apps: &[&crate::support::app::TestApp]) -> Vec<usize> {
    let mut ran = vec![0; apps.len()];
    for _ in 0..200 {
        w.sequra.control().run_due().await;
        w.sequra.control().flush().await;
        w.bc.webhooks().flush().await;
        let drains = apps.iter().map(|a| a.drain_jobs());
        for (n, outcomes) in futures::future::join_all(drains).await.iter().enumerate() {
            ran[n] += outcomes.len();
        }
        let queued = apps[0].state.db.next_job_due().await.unwrap();
        if pending(w) == (0, 0) && queued.is_none() {
            return ran;
        }
        // Retries are minutes apart on every side: step by a minute, or straight to the
        // app's next retry when nothing else is waiting.
        let mut step = 60_000;
        if let (Some(at), (0, 0)) = (queued, pending(w)) {
            step = step.max(at - apps[0].clock.now_ms() + 1_000);
        }
        w.clock
            .advance(Duration::from_millis(u64::try_from(step).unwrap()));
        for a in apps {
            a.clock.advance_ms(step);
        }
    }
    panic!(
        "the system never came to rest: pending {:?}, next job at {:?}",
        pending(w),
        apps[0].state.db.next_job_due().await
    );
}

/// SeQura's quantities per product reference in one cart.
fn quantities(cart: &sandbox::sequra::payload::Cart) -> BTreeMap<String, i64> {
    let mut q = BTreeMap::new();
    for i in cart.items.iter().filter(|i| i.kind == "product") {
        *q.entry(i.reference.clone()).or_default() += i.quantity.unwrap_or(0);
    }
    q.retain(|_, v| *v != 0);
    q
}

/// What the scenario expects to end as failures the merchant must see.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Failures {
    None,
    /// Some updates failed for good: each dead job is in the transaction log.
    Logged,
}

/// The invariants every scenario ends with; returns the BigCommerce order of each approved
/// SeQura order.
pub async fn invariants(
    w: &World,
    app: &crate::support::app::TestApp,
    failures: Failures,
) -> BTreeMap<Uuid, i64> {
    let parties = Parties {
        bc: &w.bc,
        sequra: w.sequra.control(),
        store: w.store(),
        db: &app.state.db,
        now_ms: app.clock.now_ms(),
    };
    invariants_of(&parties, failures).await
}

/// The two platforms' states and the app's database, wherever the app runs.
pub struct Parties<'a> {
    pub bc: &'a sandbox::bigcommerce::BigCommerce,
    pub sequra: &'a sandbox::sequra::SequraSim,
    pub store: &'a str,
    pub db: &'a sequra_bc::db::Db,
    /// The app's time now.
    pub now_ms: i64,
}

pub async fn invariants_of(p: &Parties<'_>, failures: Failures) -> BTreeMap<Uuid, i64> {
    let store = p.store;
    let bc_orders = p.bc.orders(store);
    let mut paid = BTreeMap::new();
    for sq in p.sequra.orders() {
        let approved = sq.approved_at.is_some();
        let tied: Vec<i64> = bc_orders
            .iter()
            .filter(|o| {
                p.bc.metafields(store, o.id)
                    .iter()
                    .any(|m| m.value.contains(&sq.uuid.to_string()))
            })
            .map(|o| o.id)
            .collect();
        if !approved {
            assert!(tied.is_empty(), "no order for an unapproved {}", sq.uuid);
            continue;
        }
        assert_eq!(tied.len(), 1, "exactly one order for {}: {tied:?}", sq.uuid);
        assert_eq!(
            sq.order_ref_1(),
            Some(tied[0].to_string().as_str()),
            "SeQura knows the order's number"
        );
        assert!(
            matches!(sq.state, OrderState::Confirmed | OrderState::Cancelled),
            "{} ended {:?}",
            sq.uuid,
            sq.state
        );
        carts_match(p, &sq, tied[0]);
        paid.insert(sq.uuid, tied[0]);
    }
    assert_eq!(
        bc_orders.len(),
        paid.len(),
        "every BigCommerce order comes from one approved SeQura order"
    );
    let hash = StoreHash::parse(store).unwrap();
    let db = p.db;
    let next = db.next_job_due().await.unwrap();
    assert!(
        next.is_none_or(|at| at > p.now_ms),
        "nothing left queued that should have run: {next:?}"
    );
    let dead = db.jobs(&hash, "dead").await.unwrap();
    let log = db
        .log_entries(&hash, &Default::default(), 1_000, 0)
        .await
        .unwrap();
    match failures {
        Failures::None => {
            assert!(dead.is_empty(), "no dead job: {dead:?}");
            // A passing outage may show while it lasts (as retrying), never at the end.
            let open: Vec<_> = log.iter().filter(|e| e.state != "resolved").collect();
            assert!(open.is_empty(), "nothing open for the merchant: {open:?}");
        }
        Failures::Logged => {
            for job in &dead {
                assert!(
                    log.iter()
                        .any(|e| job.payload.contains(&e.bc_order_id.to_string())),
                    "the dead job {job:?} is in the transaction log {log:?}"
                );
            }
            assert!(!log.is_empty(), "the failure is in the transaction log");
        }
    }
    paid
}

/// SeQura's carts against BigCommerce's order: per product, what is shipped and what is not
/// (refunds come out of the unshipped part first), and together what is left to pay.
fn carts_match(p: &Parties<'_>, sq: &SequraOrder, order_id: i64) {
    let order = p.bc.order(p.store, order_id).unwrap();
    if [5, 6].contains(&order.status_id) {
        assert!(
            sq.unshipped_cart.items.is_empty() && sq.shipped_cart.items.is_empty(),
            "a cancelled order leaves SeQura nothing: {sq:?}"
        );
        return;
    }
    let mut shipped = BTreeMap::new();
    let mut unshipped = BTreeMap::new();
    for l in &order.lines {
        let open = (l.quantity - l.quantity_shipped).max(0);
        let refunded_open = l.quantity_refunded.min(open);
        let refunded_shipped = (l.quantity_refunded - open).max(0);
        let u = open - refunded_open;
        let s = (l.quantity_shipped - refunded_shipped).max(0);
        if u > 0 {
            *unshipped.entry(l.sku.clone()).or_insert(0) += u;
        }
        if s > 0 {
            *shipped.entry(l.sku.clone()).or_insert(0) += s;
        }
    }
    assert_eq!(
        quantities(&sq.shipped_cart),
        shipped,
        "shipped of {order_id}"
    );
    assert_eq!(
        quantities(&sq.unshipped_cart),
        unshipped,
        "unshipped of {order_id}"
    );
    let totals = p.bc.order_totals(p.store, order_id).unwrap();
    let refunded: i64 =
        p.bc.refunds(p.store, order_id)
            .iter()
            .flat_map(|r| r.payments.iter())
            .filter(|p| p.provider_id != "storecredit")
            .map(|p| p.amount_cents)
            .sum();
    assert_eq!(
        sq.shipped_cart.order_total_with_tax + sq.unshipped_cart.order_total_with_tax,
        totals.total - refunded,
        "SeQura collects what is left of {order_id}"
    );
}

/// The merchant's day: ship part of each order, refund one shirt of the first, ship the
/// rest, cancel the last (when there are three or more).
pub fn merchant_works(w: &World, orders: &[i64]) {
    let store = w.store();
    for (n, &id) in orders.iter().enumerate() {
        let order = w.bc.order(store, id).unwrap();
        let address = order.shipping_addresses[0].id;
        if n + 1 == orders.len() && orders.len() >= 3 {
            w.bc.cancel_order(store, id).unwrap();
            continue;
        }
        w.bc.ship_items(
            store,
            id,
            NewShipment {
                order_address_id: address,
                items: vec![(order.lines[0].id, 1)],
                tracking_number: format!("EJ{id:09}ES"),
                ..NewShipment::default()
            },
        )
        .unwrap();
        if n == 0 {
            w.bc.refund_items(
                store,
                id,
                vec![RefundItemRequest::product(order.lines[0].id, 1)],
                false,
            )
            .unwrap();
        }
        let left = w.bc.order(store, id).unwrap().lines.iter().any(|l| {
            l.quantity
                - l.quantity_shipped
                - l.quantity_refunded.min(l.quantity - l.quantity_shipped)
                > 0
        });
        if left {
            w.bc.ship_everything(store, id, "EJ000000001ES").unwrap();
        }
    }
}

/// Three shoppers pay; returns SeQura's uuids.
async fn three_shoppers(w: &World) -> Vec<Uuid> {
    let mut uuids = Vec::new();
    for (shirts, shoes) in [(2, 1), (3, 0), (1, 2)] {
        let checkout = new_checkout(w, shirts, shoes);
        uuids.push(solicit(w, &w.app.base_url, &checkout).await);
    }
    uuids
}

fn bc_ids(paid: &BTreeMap<Uuid, i64>) -> Vec<i64> {
    let mut ids: Vec<i64> = paid.values().copied().collect();
    ids.sort_unstable();
    ids
}

// ---- SeQura down or slow ---------------------------------------------------------------

/// SeQura answers 503 to every call for a while, right when the IPNs arrive: the app
/// answers 409, SeQura retries, and the retries complete the same orders.
async fn sequra_down_during_ipn_confirmation(postgres: bool) {
    let w = World::connected(postgres).await;
    let uuids = three_shoppers(&w).await;
    w.sequra.control().fail_next(12, 503);
    for uuid in &uuids {
        w.sequra.control().approve(*uuid).unwrap();
    }
    w.sequra.control().flush().await;
    let refused = w
        .sequra
        .control()
        .notifications()
        .iter()
        .filter(|n| n.attempts.iter().any(|a| a.outcome.status() == Some(409)))
        .count();
    assert!(refused > 0, "the outage was felt: {refused}");
    w.sequra.control().reset_faults();
    settle(&w).await;
    let paid = invariants(&w, &w.app, Failures::None).await;
    assert_eq!(paid.len(), 3);
    w.finish().await;
}
on_both_backends!(
    sequra_down_during_the_ipn,
    sequra_down_during_ipn_confirmation
);

/// SeQura is slow (real latency) while IPNs and order updates flow: nothing is lost or
/// doubled.
async fn sequra_slow(postgres: bool) {
    let w = World::connected(postgres).await;
    let uuids = three_shoppers(&w).await;
    w.sequra
        .control()
        .set_latency(Some(Duration::from_millis(150)));
    for uuid in &uuids {
        w.sequra.control().approve(*uuid).unwrap();
    }
    settle(&w).await;
    let paid = invariants(&w, &w.app, Failures::None).await;
    merchant_works(&w, &bc_ids(&paid));
    settle(&w).await;
    w.sequra.control().set_latency(None);
    invariants(&w, &w.app, Failures::None).await;
    w.finish().await;
}
on_both_backends!(sequra_slow_throughout, sequra_slow);

/// SeQura refuses order updates with 5xx for a while: the sync jobs back off and retry, and
/// land once SeQura is back; the transaction log shows them retrying, then resolved.
async fn sequra_down_during_updates(postgres: bool) {
    let w = World::connected(postgres).await;
    for uuid in three_shoppers(&w).await {
        w.sequra.control().approve(uuid).unwrap();
    }
    settle(&w).await;
    let paid = invariants(&w, &w.app, Failures::None).await;
    w.sequra.control().fail_next(6, 503);
    merchant_works(&w, &bc_ids(&paid));
    w.bc.webhooks().flush().await;
    w.app.drain_jobs().await;
    let hash = StoreHash::parse(w.store()).unwrap();
    let retried = w.app.state.db.jobs(&hash, "queued").await.unwrap();
    assert!(!retried.is_empty(), "the outage made jobs wait for a retry");
    w.sequra.control().reset_faults();
    settle(&w).await;
    invariants(&w, &w.app, Failures::None).await;
    let log = w
        .app
        .state
        .db
        .log_entries(&hash, &Default::default(), 100, 0)
        .await
        .unwrap();
    assert!(
        !log.is_empty() && log.iter().all(|e| e.state == "resolved"),
        "{log:?}"
    );
    w.finish().await;
}
on_both_backends!(sequra_down_during_order_updates, sequra_down_during_updates);

/// SeQura stays down longer than the job's retries: the merchant sees each failed update in
/// the transaction log; when SeQura is back, the next change of the order lands and
/// resolves the entry.
async fn sequra_down_for_good(postgres: bool) {
    let w = World::connected(postgres).await;
    for uuid in three_shoppers(&w).await {
        w.sequra.control().approve(uuid).unwrap();
    }
    settle(&w).await;
    let paid = invariants(&w, &w.app, Failures::None).await;
    let ids = bc_ids(&paid);
    w.sequra.control().fail_next(10_000, 503);
    merchant_works(&w, &ids[..1]);
    settle(&w).await;
    w.sequra.control().reset_faults();
    let hash = StoreHash::parse(w.store()).unwrap();
    let log = w
        .app
        .state
        .db
        .log_entries(&hash, &Default::default(), 100, 0)
        .await
        .unwrap();
    assert!(
        log.iter().any(|e| e.bc_order_id == ids[0]),
        "the merchant sees the failed update: {log:?}"
    );
    // Later the merchant changes the order again; this time it lands and resolves the
    // entry.
    let order = w.bc.order(w.store(), ids[0]).unwrap();
    w.bc.refund_items(
        w.store(),
        ids[0],
        vec![RefundItemRequest::product(
            order.lines.last().unwrap().id,
            1,
        )],
        false,
    )
    .unwrap();
    settle(&w).await;
    // The dead job stays dead (and in the log); every cart is right again.
    invariants(&w, &w.app, Failures::Logged).await;
    let open = w
        .app
        .state
        .db
        .log_entries(
            &hash,
            &sequra_bc::db::transaction_log::LogFilter {
                state: Some("open".into()),
                order_id: None,
            },
            100,
            0,
        )
        .await
        .unwrap();
    assert!(open.is_empty(), "the later update resolved it: {open:?}");
    w.finish().await;
}
on_both_backends!(sequra_down_longer_than_the_retries, sequra_down_for_good);

// ---- BigCommerce 429 and 5xx --------------------------------------------------------------

/// BigCommerce answers 5xx and its rate limiter says 429 while IPNs create orders and while
/// jobs sync them.
async fn bigcommerce_overloaded(postgres: bool) {
    let w = World::connected(postgres).await;
    let uuids = three_shoppers(&w).await;
    w.bc.fail_next(3, 503);
    w.bc.exhaust_rate_limit(w.store());
    for uuid in &uuids {
        w.sequra.control().approve(*uuid).unwrap();
    }
    w.sequra.control().flush().await;
    w.bc.clear_faults();
    w.bc.reset_rate_limit(w.store());
    settle(&w).await;
    let paid = invariants(&w, &w.app, Failures::None).await;
    assert_eq!(paid.len(), 3);

    w.bc.fail_next(4, 500);
    merchant_works(&w, &bc_ids(&paid));
    w.bc.webhooks().flush().await;
    w.app.drain_jobs().await;
    w.bc.exhaust_rate_limit(w.store());
    w.app.drain_jobs().await;
    w.bc.clear_faults();
    settle(&w).await;
    invariants(&w, &w.app, Failures::None).await;
    w.finish().await;
}
on_both_backends!(bigcommerce_answers_429_and_5xx, bigcommerce_overloaded);

// ---- Webhooks duplicated, reordered, delayed, dropped then redelivered -------------------

async fn webhooks_in_disorder(postgres: bool) {
    let w = World::connected(postgres).await;
    for uuid in three_shoppers(&w).await {
        w.sequra.control().approve(uuid).unwrap();
    }
    settle(&w).await;
    let paid = invariants(&w, &w.app, Failures::None).await;
    let hooks = w.bc.webhooks();
    hooks.set_duplicate(true);
    hooks.set_reorder(ReorderMode::Shuffle { seed: 7 });
    hooks.set_fail_first(FailFirstMode::Next(4));
    hooks.set_delay(Some(Duration::from_secs(90)));
    merchant_works(&w, &bc_ids(&paid));
    hooks.reset_chaos();
    settle(&w).await;
    let deliveries = hooks.all_deliveries();
    assert!(
        deliveries.iter().any(|d| d.attempts.len() > 1),
        "some deliveries were lost once and redelivered"
    );
    invariants(&w, &w.app, Failures::None).await;
    w.finish().await;
}
on_both_backends!(
    webhooks_duplicated_reordered_delayed_and_redelivered,
    webhooks_in_disorder
);

// ---- IPN replayed and concurrent ----------------------------------------------------------

async fn ipn_replayed_and_concurrent(postgres: bool) {
    let w = World::connected(postgres).await;
    let uuids = three_shoppers(&w).await;
    for uuid in &uuids {
        w.sequra.control().approve(*uuid).unwrap();
    }
    // The first IPN of each order arrives five times at once; later, five more one after
    // the other.
    let concurrent = uuids
        .iter()
        .map(|u| w.sequra.control().replay_ipn_concurrently(*u, 5));
    for r in futures::future::join_all(concurrent).await {
        r.unwrap();
    }
    w.sequra.control().flush().await;
    for uuid in &uuids {
        w.sequra.control().replay_ipn(*uuid, 5).unwrap();
    }
    settle(&w).await;
    let paid = invariants(&w, &w.app, Failures::None).await;
    assert_eq!(paid.len(), 3);
    w.finish().await;
}
on_both_backends!(
    ipn_replayed_and_concurrent_creates_each_order_once,
    ipn_replayed_and_concurrent
);

// ---- Two instances, two workers, one PostgreSQL database ---------------------------------

/// Two instances of the app behind a round-robin balancer share one PostgreSQL database;
/// their workers drain the queue at the same time while IPNs arrive several times at once
/// on both and every webhook is delivered twice. No order is created twice and no order is
/// ever written to SeQura from two places at once (the SeQura sandbox counts overlapping
/// writes per order, with latency so that overlaps would meet).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_and_two_workers_on_one_postgres() {
    if crate::support::db::postgres_url("the PostgreSQL scenario").is_none() {
        return;
    }
    let w = World::connected_instances(true, 2).await;
    let front = w.app.sibling.public_url.clone().unwrap();
    let apps = [&w.app, &w.more[0]];
    let mut uuids = Vec::new();
    for n in 0..6 {
        let checkout = new_checkout(&w, 1 + n % 3, n % 2);
        uuids.push(solicit(&w, &front, &checkout).await);
    }
    w.sequra
        .control()
        .set_latency(Some(Duration::from_millis(30)));
    w.bc.webhooks().set_duplicate(true);
    for uuid in &uuids {
        w.sequra.control().approve(*uuid).unwrap();
    }
    let copies = uuids
        .iter()
        .map(|u| w.sequra.control().replay_ipn_concurrently(*u, 4));
    for r in futures::future::join_all(copies).await {
        r.unwrap();
    }
    let ran = settle_apps(&w, &apps).await;
    let paid = invariants(&w, &w.app, Failures::None).await;
    assert_eq!(paid.len(), 6);

    merchant_works(&w, &bc_ids(&paid));
    let ran_later = settle_apps(&w, &apps).await;
    invariants(&w, &w.app, Failures::None).await;
    let overlap = w.sequra.control().write_overlap();
    let order_writes: Vec<_> = overlap
        .iter()
        .filter(|(path, _)| path.contains("/orders/"))
        .collect();
    assert!(order_writes.len() >= 6, "{overlap:?}");
    assert!(
        order_writes.iter().all(|(_, n)| **n == 1),
        "an order was written from two places at once: {overlap:?}"
    );
    assert!(
        ran.iter().zip(&ran_later).all(|(a, b)| a + b > 0),
        "both workers ran jobs: {ran:?} then {ran_later:?}"
    );
    w.finish().await;
}

// ---- PostgreSQL restarted under load --------------------------------------------------------

/// A PostgreSQL server of the test's own (a Debian cluster on a free port, trust auth), so
/// that restarting it disturbs no other test. Dropped with the value.
struct PrivateCluster {
    version: String,
    name: String,
    port: u16,
}

impl PrivateCluster {
    fn create() -> Option<Self> {
        use std::process::{Command, Stdio};
        let version = std::fs::read_dir("/etc/postgresql")
            .ok()?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .max()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let name = format!("seqbc_{}_{port}", std::process::id());
        let created = Command::new("pg_createcluster")
            .args([&version, &name, "-p", &port.to_string(), "--start"])
            .args(["--", "--auth=trust"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()?;
        created.success().then_some(Self {
            version,
            name,
            port,
        })
    }

    fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// `pg_ctlcluster restart -m fast`: every connection is cut, the server goes down
    /// and comes back.
    fn restart_command(&self) -> std::process::Command {
        let mut c = std::process::Command::new("pg_ctlcluster");
        c.args([&self.version, &self.name, "restart", "-m", "fast"]);
        c
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = std::process::Command::new("pg_dropcluster")
            .args([&self.version, &self.name, "--stop"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// The PostgreSQL server restarts while IPNs are handled, webhooks arrive, the worker
/// syncs and shoppers' requests keep coming. Whatever failed during the restart is retried
/// (SeQura's IPN retries, BigCommerce's webhook retries, the job queue); the pool reconnects
/// by itself, and the invariants hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_load() {
    let Some(cluster) = PrivateCluster::create() else {
        crate::support::db::skip_postgres(
            "the PostgreSQL restart scenario",
            "no PostgreSQL cluster could be created (pg_createcluster, as root)",
        );
        return;
    };
    let db = crate::support::db::PgTestDb::create(&cluster.admin_url()).await;
    let w = World::connected_on(true, 1, Some(db.url())).await;
    for uuid in three_shoppers(&w).await {
        w.sequra.control().approve(uuid).unwrap();
    }
    settle(&w).await;
    let paid = invariants(&w, &w.app, Failures::None).await;

    // The load: three more shoppers approved (IPNs), the merchant working the first
    // orders (webhooks, then jobs), a stream of health checks that read the database.
    for uuid in three_shoppers(&w).await {
        w.sequra.control().approve(uuid).unwrap();
    }
    merchant_works(&w, &bc_ids(&paid));
    let mut restart = cluster.restart_command();
    let restarting = tokio::task::spawn_blocking(move || restart.status());
    let health = format!("{}/healthz", w.app.base_url);
    let probe = async {
        let (mut ok, mut failed) = (0, 0);
        while !restarting.is_finished() {
            match reqwest::get(&health).await {
                Ok(r) if r.status().is_success() => ok += 1,
                _ => failed += 1,
            }
        }
        let status = restarting.await.unwrap().unwrap();
        assert!(status.success(), "pg_ctlcluster restart: {status}");
        (ok, failed)
    };
    // The worker meets the restart too: like the real worker loop, it takes a database
    // error as "try again later".
    let worker = async {
        let _ = sequra_bc::worker::worker(&w.app.state).drain().await;
    };
    let (_, _, _, (ok, failed)) = tokio::join!(
        w.sequra.control().flush(),
        w.bc.webhooks().flush(),
        worker,
        probe
    );
    eprintln!("during the restart: {ok} health checks answered, {failed} failed");
    assert!(ok + failed > 0, "requests were made during the restart");
    // Back up: the same pool serves again.
    let r = reqwest::get(&health).await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    settle(&w).await;
    let paid = invariants(&w, &w.app, Failures::None).await;
    assert_eq!(paid.len(), 6);
    w.finish().await;
    db.drop().await;
    drop(cluster);
}
