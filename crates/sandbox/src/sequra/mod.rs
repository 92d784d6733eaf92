//! SeQura merchant API simulator: an axum router ([`SequraSim::router`]), a control
//! handle ([`SequraSim`]) and a spawn helper ([`spawn`]). Written from the contract
//! (`shared/spec/sequra-api.md`, §1, §2, §6 and Appendix A), not from the client crate.
//!
//! # Accounts
//!
//! Every simulator starts with the demo account ([`accounts::demo_account`]):
//! username **`sequra_demo`**, password **`sequra_demo_secret`**, merchants `demo_es`,
//! `demo_fr`, `demo_it`, `demo_pt` (EUR). Each merchant gets the default catalogue
//! (`i1`, `pp5` campaign `temporary`, `sp1`, `pp3`, `fp1`; see [`catalogue`] for the
//! amount/date windows and the assumed fee tables).
//!
//! # Endpoints (paths relative to the base URL)
//!
//! Basic auth on the merchant API; a bad or missing `Authorization` is 401 text
//! `HTTP Basic: Access denied.`. `Sequra-Merchant-Id` is recorded with every call; if
//! it names a merchant the account does not own the answer is 403
//! `{"errors":["Bad merchant id '{m}' for {username}"]}` (assumed, Appendix A).
//!
//! | call | answers |
//! |---|---|
//! | `GET merchants/credentials` | 200 array of the account's merchants (§1.5.1) |
//! | `GET merchants/{m}/credentials` | 200 array with that merchant / 403 bad merchant |
//! | `GET merchants/{m}/payment_methods` | 200 `{"payment_options":[..]}`, zero costs, with `min_amount`/`max_amount` / 403 |
//! | `POST orders` | 204 + `Location: {base}/orders/{uuid}` / 400 malformed JSON (SeQura's real answer is undocumented) / 403 merchant not owned / 409 invalid data (one `errors` entry per problem; the items-sum message is SeQura's verbatim) |
//! | `GET orders/{uuid}/payment_methods` | 200 methods eligible for the order's amount and the clock's date, with costs / 403 `Bad order id '{uuid}' for {username}` |
//! | `GET orders/{uuid}/form_v2?product&campaign&ajax` | 200 `text/html` iframe + script / 404 Rails HTML page (unknown order, or a product/campaign not in the catalogue) |
//! | `PUT orders/{uuid}` | 200 / 404 unknown / 403 another account's / 409 (rules below) |
//! | `PUT merchants/{m}/orders/{ref1}` | 200 / 403 / 404 / 409 (rules below) |
//! | `POST orders/delivery_reports` | 204 / 400 / 403 / 409 (a state other than shipped/delivered) |
//! | `POST store_integrations`, `DELETE store_integrations/{url}` | 204 (+`Location`) / 404 |
//! | `GET deployments` (no auth) | the deployment list, pointing at the simulator |
//!
//! Browser-facing pages (no auth; the order uuid is the secret): `GET/POST
//! orders/{uuid}/pumbaa_form`, `GET orders/{uuid}/pumbaa_form/status`,
//! `GET assets/sequra_form.js`, and the portal `GET portal`, `GET portal/orders/{uuid}`.
//!
//! ## Order states and the rules chosen where the spec is silent
//!
//! `solicited` → (form) `approved` | `needs_review` | `rejected` → (shop's PUT)
//! `confirmed` | `on_hold`; `cancelled` by review, by a 410 answer, or by an update with
//! both carts empty.
//!
//! * `PUT orders/{uuid}` with `confirmed` needs the order `approved` (or already
//!   `confirmed`), with `on_hold` needs `needs_review` (or `on_hold`); otherwise 409.
//!   409 too when the cart total differs from the solicited (approved) one, when
//!   `merchant.id` is not the order's, when confirming without any `order_ref_1`, or
//!   when `(merchant, order_ref_1)` belongs to another confirmed or on-hold order.
//! * Order Update API: the order is found by `(merchant, order_ref_1)` among the
//!   account's confirmed orders (then cancelled ones, then on-hold ones). **On-hold
//!   orders answer 404 to any update, cancellation included** (SeQura answers 404 for
//!   on-hold → cancel, §5.1; we extend it to every update of an order on hold). 409
//!   when a cart's items do not add up, shipped + unshipped exceed the confirmed
//!   total, a product's (by reference, else name) quantity exceeds the ordered one,
//!   the body's merchant/reference disagree with the URL, or the order is cancelled
//!   (a repeated cancellation is 200). Both carts empty → cancelled.
//!
//! # The form and its personas
//!
//! The shopper's given names + surnames decide ([`pages::persona_decision`]):
//! `Review Test Approve` → needs_review, approved after [`SequraOptions::review_delay`];
//! `Review Test Cancel` → needs_review, cancelled after the delay (events webhook);
//! `Reject Test` → rejected, no IPN; anyone else → approved.
//!
//! # Notifications
//!
//! IPN: POST form-encoded to `merchant.notify_url`: `notification_parameters` as-is,
//! then `order_ref`, `order_ref_1` (or ""), `product_code`, `sq_state`, and
//! `approved_since` / `needs_review_since` (seconds since the decision). 2xx (and 302,
//! 307) = delivered, recording whether the shop had already PUT the order; 410 = the
//! order is cancelled and the shopper sees the conflict screen; anything else, a
//! timeout or a connection error is retried after [`IPN_RETRY_SCHEDULE_SECS`] (1, 2, 5,
//! 10, 30, 60 minutes; 7 attempts in all), then given up (the form says so). A newer
//! IPN of the same order supersedes a pending older one.
//!
//! Events webhook: `charset`, `utf8`, `event` (`cancelled`), `order_ref_1`,
//! `order_ref_2`, `order_ref`, `m_`+parameters, `User-Agent: seQura-Event/1.0
//! (www.sequra.es)`; 2xx = delivered, 501 = refused for good, anything else retried
//! up to 10 times after 1, 2, 4, … 512 minutes ([`EVENT_RETRY_SCHEDULE_SECS`]).
//!
//! # Driving it from tests
//!
//! First attempts go out promptly from a background worker. Retries and scheduled
//! reviews are due on the shared [`Clock`]: after `clock.advance(…)` call
//! [`SequraSim::run_due`]. [`SequraSim::flush`] returns once everything due has been
//! attempted and recorded. Nothing needs sleeping.

pub mod accounts;
mod api;
pub mod catalogue;
mod engine;
pub mod pages;
pub mod payload;
pub mod records;
mod state;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use accounts::{Account, DEMO_PASSWORD, DEMO_USERNAME, Merchant, demo_account};
pub use catalogue::{Category, Cost, Fees, PaymentMethod, default_catalogue};
pub use pages::{PERSONA_REJECT, PERSONA_REVIEW_APPROVE, PERSONA_REVIEW_CANCEL};
pub use records::{
    Attempt, AttemptOutcome, DeliveryReportRecord, HistoryEntry, Notification, NotificationKind,
    NotificationStatus, Order, OrderState, RequestRecord, StoreIntegration, UpdateRecord,
};
pub use state::{DecideError, Decision, EVENTS_USER_AGENT, IPN_USER_AGENT, ReviewOutcome};

use crate::clock::Clock;
use engine::Shared;
use state::FailureRule;

/// Waits before each IPN retry, in seconds (assumed; SeQura's schedule is unknown).
pub const IPN_RETRY_SCHEDULE_SECS: [u64; 6] = [60, 120, 300, 600, 1800, 3600];
/// Waits before each events-webhook retry: 10 retries, exponential backoff from 1 min.
pub const EVENT_RETRY_SCHEDULE_SECS: [u64; 10] =
    [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720];

/// How the simulator behaves; `Default` is the documented behaviour with the demo
/// account and a 1 s background ticker.
#[derive(Clone, Debug)]
pub struct SequraOptions {
    pub clock: Clock,
    pub ipn_retry_schedule: Vec<Duration>,
    pub event_retry_schedule: Vec<Duration>,
    /// Per attempt; SeQura documents 5 s for its webhooks.
    pub attempt_timeout: Duration,
    /// How often the worker looks for due work on its own (real time); `None`: only
    /// when something is queued and when driven by `run_due`/`flush`.
    pub tick_interval: Option<Duration>,
    /// How long the form's "Review Test …" personas stay in review (on the clock).
    pub review_delay: Duration,
    /// Start with [`demo_account`].
    pub demo_account: bool,
}

impl Default for SequraOptions {
    fn default() -> Self {
        let secs = |list: &[u64]| list.iter().map(|s| Duration::from_secs(*s)).collect();
        Self {
            clock: Clock::new(),
            ipn_retry_schedule: secs(&IPN_RETRY_SCHEDULE_SECS),
            event_retry_schedule: secs(&EVENT_RETRY_SCHEDULE_SECS),
            attempt_timeout: Duration::from_secs(5),
            tick_interval: Some(Duration::from_secs(1)),
            review_delay: Duration::from_secs(60),
            demo_account: true,
        }
    }
}

/// Control handle on one simulator; cheap to clone.
#[derive(Clone)]
pub struct SequraSim {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SequraSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SequraSim")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl SequraSim {
    /// A simulator that answers on `base_url` (no trailing slash; it appears in
    /// `Location` headers and form URLs).
    pub fn new(base_url: &str, options: SequraOptions) -> Self {
        let demo = options.demo_account;
        let shared = Arc::new(Shared::new(
            base_url.trim_end_matches('/').to_owned(),
            options,
        ));
        if demo {
            shared.state.lock().add_account(demo_account());
        }
        shared.ensure_worker();
        Self { shared }
    }

    pub fn router(&self) -> Router {
        self.shared.ensure_worker();
        api::router(Arc::clone(&self.shared))
    }

    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    pub fn clock(&self) -> &Clock {
        &self.shared.options.clock
    }

    // --- accounts and catalogue ------------------------------------------------

    /// Adds (or replaces, by username) an account; its merchants get the default
    /// catalogue unless they have one.
    pub fn add_account(&self, account: Account) {
        self.shared.state.lock().add_account(account);
    }

    /// Adds (or replaces) a merchant of an account; false if there is no such account.
    pub fn add_merchant(&self, username: &str, merchant: Merchant) -> bool {
        self.shared.state.lock().add_merchant(username, merchant)
    }

    pub fn accounts(&self) -> Vec<Account> {
        self.shared.state.lock().accounts.clone()
    }

    /// Replaces a merchant's catalogue.
    pub fn set_payment_methods(&self, merchant: &str, methods: Vec<PaymentMethod>) {
        self.shared
            .state
            .lock()
            .catalogues
            .insert(merchant.to_owned(), methods);
    }

    pub fn payment_methods(&self, merchant: &str) -> Vec<PaymentMethod> {
        self.shared.state.lock().catalogue(merchant).to_vec()
    }

    // --- inspection ------------------------------------------------------------

    /// Every order, oldest first.
    pub fn orders(&self) -> Vec<Order> {
        let state = self.shared.state.lock();
        state
            .order_list
            .iter()
            .filter_map(|uuid| state.orders.get(uuid).cloned())
            .collect()
    }

    pub fn order(&self, uuid: Uuid) -> Option<Order> {
        self.shared.state.lock().orders.get(&uuid).cloned()
    }

    /// The newest order of a merchant with this `order_ref_1`.
    pub fn order_by_reference(&self, merchant: &str, order_ref_1: &str) -> Option<Order> {
        self.orders()
            .into_iter()
            .rev()
            .find(|o| o.merchant_id == merchant && o.order_ref_1() == Some(order_ref_1))
    }

    /// Every notification (IPNs and events), oldest first, with their attempts.
    pub fn notifications(&self) -> Vec<Notification> {
        self.shared
            .state
            .lock()
            .notifications
            .values()
            .cloned()
            .collect()
    }

    pub fn notifications_for(&self, uuid: Uuid) -> Vec<Notification> {
        self.notifications()
            .into_iter()
            .filter(|n| n.order == uuid)
            .collect()
    }

    /// Every call answered, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.state.lock().requests.clone()
    }

    pub fn delivery_reports(&self) -> Vec<DeliveryReportRecord> {
        self.shared.state.lock().reports.clone()
    }

    pub fn store_integrations(&self) -> Vec<StoreIntegration> {
        self.shared.state.lock().integrations.clone()
    }

    /// What the order's form shows now: `identify`, `wait`, `finish`, `show_on_hold`,
    /// `show_conflict`, `reject`, `cancelled` or `gave_up`.
    pub fn form_action(&self, uuid: Uuid) -> Option<&'static str> {
        let state = self.shared.state.lock();
        state
            .orders
            .get(&uuid)
            .map(|order| state.form_action(order))
    }

    // --- decisions (the form's code path, without a browser) -------------------

    fn decide(&self, uuid: Uuid, decision: Decision) -> Result<(), DecideError> {
        let now = self.shared.now();
        self.shared
            .state
            .lock()
            .decide(uuid, decision, None, now, &self.shared.policy)?;
        self.shared.wake();
        Ok(())
    }

    /// The shopper is approved: IPN `approved`.
    pub fn approve(&self, uuid: Uuid) -> Result<(), DecideError> {
        self.decide(uuid, Decision::Approve)
    }

    /// The order goes to manual review: IPN `needs_review`. It stays there until
    /// [`SequraSim::complete_review`].
    pub fn review(&self, uuid: Uuid) -> Result<(), DecideError> {
        self.decide(uuid, Decision::Review(None))
    }

    /// The shopper is rejected: no IPN.
    pub fn reject(&self, uuid: Uuid) -> Result<(), DecideError> {
        self.decide(uuid, Decision::Reject)
    }

    /// Ends a review: IPN `approved`, or cancellation through the events webhook.
    pub fn complete_review(&self, uuid: Uuid, outcome: ReviewOutcome) -> Result<(), DecideError> {
        let now = self.shared.now();
        self.shared
            .state
            .lock()
            .complete_review(uuid, outcome, now)?;
        self.shared.wake();
        Ok(())
    }

    // --- fault injection -------------------------------------------------------

    /// Delays every answer by `latency` (real time), until set to `None`.
    pub fn set_latency(&self, latency: Option<Duration>) {
        self.shared.state.lock().faults.latency = latency;
    }

    /// The next `calls` calls answer `status` with `{"errors":["Simulated failure …"]}`.
    pub fn fail_next(&self, calls: u32, status: u16) {
        self.push_failure(None, calls, status);
    }

    /// Like [`SequraSim::fail_next`], only for paths starting with `prefix` (with or
    /// without the leading `/`, e.g. `orders` or `/merchants/demo_es/orders`).
    pub fn fail_next_for(&self, prefix: &str, calls: u32, status: u16) {
        self.push_failure(Some(prefix.to_owned()), calls, status);
    }

    fn push_failure(&self, prefix: Option<String>, calls: u32, status: u16) {
        if calls == 0 {
            return;
        }
        self.shared.state.lock().faults.failures.push(FailureRule {
            prefix,
            remaining: calls,
            status,
        });
    }

    /// The next `count` IPNs are dropped: recorded as such, never sent.
    pub fn drop_next_ipn(&self, count: u32) {
        self.shared.state.lock().faults.drop_ipns = count;
    }

    /// Sends the order's last IPN again, `times` times one after the other (through
    /// the queue: call `flush`). Replays get one attempt each and are not retried;
    /// their answers act like the original's (2xx delivers, 410 cancels).
    pub fn replay_ipn(&self, uuid: Uuid, times: u32) -> Result<(), DecideError> {
        let now = self.shared.now();
        self.shared.state.lock().replay_ipn(uuid, times, now)?;
        self.shared.wake();
        Ok(())
    }

    /// Sends the order's last IPN `copies` times at once, and returns when all were
    /// answered and recorded.
    pub async fn replay_ipn_concurrently(
        &self,
        uuid: Uuid,
        copies: u32,
    ) -> Result<Vec<Notification>, DecideError> {
        let now = self.shared.now();
        let planned = {
            let mut state = self.shared.state.lock();
            let ids = state.replay_ipn(uuid, copies, now)?;
            state.claim(&ids, now)
        };
        let ids: Vec<u64> = planned.iter().map(|p| p.id).collect();
        self.shared
            .send_groups(planned.into_iter().map(|p| vec![p]).collect())
            .await;
        let state = self.shared.state.lock();
        Ok(ids
            .iter()
            .filter_map(|id| state.notifications.get(id).cloned())
            .collect())
    }

    /// For each path written to (`POST`/`PUT`/`PATCH`/`DELETE`), the most writes that were
    /// being answered at the same time. A shop that never writes one order from two places
    /// at once shows 1 everywhere.
    pub fn write_overlap(&self) -> BTreeMap<String, u32> {
        self.shared.state.lock().write_overlap.clone()
    }

    /// Turns every fault off.
    pub fn reset_faults(&self) {
        let mut state = self.shared.state.lock();
        state.faults.latency = None;
        state.faults.failures.clear();
        state.faults.drop_ipns = 0;
    }

    // --- stepping ----------------------------------------------------------------

    /// Completes due reviews and attempts every notification due now, returning once
    /// all are recorded (whether this call or the background worker made them). Call
    /// after `clock.advance(…)`.
    pub async fn run_due(&self) {
        self.shared.drain().await;
    }

    /// Waits until every notification due now has been sent and its answer recorded
    /// (the same work as [`SequraSim::run_due`]; named for the "after an action"
    /// use).
    pub async fn flush(&self) {
        self.shared.drain().await;
    }
}

/// A simulator serving on a loopback port. Dropping it stops the server.
pub struct SpawnedSequra {
    pub sim: SequraSim,
    pub addr: SocketAddr,
    server: JoinHandle<()>,
}

impl SpawnedSequra {
    pub fn base_url(&self) -> &str {
        self.sim.base_url()
    }

    pub fn control(&self) -> &SequraSim {
        &self.sim
    }
}

impl Drop for SpawnedSequra {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Binds `127.0.0.1:0`, builds the simulator with its base URL and serves it.
pub async fn spawn(options: SequraOptions) -> std::io::Result<SpawnedSequra> {
    spawn_on(0, options).await
}

/// Like [`spawn`], on a given port (0 = any), for the demo.
pub async fn spawn_on(port: u16, options: SequraOptions) -> std::io::Result<SpawnedSequra> {
    let bound = crate::server::bind_local(port).await?;
    let sim = SequraSim::new(&bound.base_url, options);
    let server = crate::server::serve(bound.listener, sim.router());
    Ok(SpawnedSequra {
        sim,
        addr: bound.addr,
        server,
    })
}
