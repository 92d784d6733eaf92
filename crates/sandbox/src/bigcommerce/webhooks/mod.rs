//! Webhooks: the hooks API (`/stores/{hash}/v3/hooks…`) and the delivery engine that
//! POSTs BigCommerce's payload, with the hook's custom headers, on every state change.
//!
//! # Behaviour (spec §5, `webhooks.v3.yml`)
//!
//! * Hooks belong to (store, client id) and are visible only to that client. At most 10
//!   per (store, client, scope), one per (store, client, scope, destination), one
//!   `store/hook/deliveryException` hook per (store, client) on a destination no other
//!   hook of the client uses. Violations are 422 in v3 error style.
//! * Destinations must be HTTPS on port 443. **The one deliberate relaxation:** with
//!   [`WebhooksOptions::allow_insecure_loopback`] (on by default, because the sandbox
//!   and the app run on plain-HTTP loopback ports) `http://`/`https://` URLs on
//!   `127.0.0.0/8`, `[::1]` or `localhost`, any port, are accepted too.
//! * Each event is delivered once per matching active hook (exact scope or wildcard
//!   prefix such as `store/order/*`) as `{scope, store_id, data, hash, created_at,
//!   producer}`; `hash` is the hex SHA-1 of the compact JSON encoding of `data`, so
//!   retries and duplicates carry the same hash.
//! * Success is any 2xx; anything else, a timeout ([`WebhooksOptions::attempt_timeout`])
//!   or a connection error is a failure, retried after 60 s, 180 s, 300 s, 600 s,
//!   900 s, 1800 s, 3600 s, 7200 s, 21600 s, 50400 s and 86400 s (each measured from
//!   the previous attempt, on the shared [`Clock`]). When the last retry fails the hook
//!   is deactivated (`is_active: false`, admin status `deactivated`), its other queued
//!   deliveries are cancelled, and an e-mail [`Notification`] is recorded.
//! * deliveryException events go to the client's deliveryException hook in the same
//!   store: 90001 after a failed attempt that will be retried (at most once per
//!   destination every 10 minutes, as BigCommerce documents), 90002 when retries are
//!   exhausted, 90003 when the destination domain gets blocked. Failures of the
//!   deliveryException hook itself are retried but never reported to itself.
//! * The per-domain success ratio of §5.4 is implemented ([`WebhooksOptions::domain_blocklist`]):
//!   per (client id, `scheme://host`), ≥ 100 attempts in a sliding 2-minute window with
//!   < 90 % successes block the domain for 3 minutes; deliveries due meanwhile wait for
//!   the block to end without using up a retry.
//! * A queued delivery uses its hook's destination and headers as they are when it is
//!   attempted (so a rotated secret applies to retries); a hook that is deleted or
//!   switched off loses its queued deliveries.
//! * One destination receives its deliveries one at a time, in due order; different
//!   destinations are attempted in parallel.
//!
//! Left out: the "up to one minute before a new hook fires" delay (hooks fire at once),
//! deactivation after 90 days of inactivity, the v2 `/hooks` endpoints, and real e-mail.
//!
//! # Driving it from tests
//!
//! First attempts go out promptly from a background task. Later attempts are due on the
//! clock; after `clock.advance(…)`, [`Webhooks::run_due`] (or [`Webhooks::flush`]) makes
//! them without waiting for the next tick. `flush` returns only when everything due has
//! been attempted and recorded, so tests never sleep.

mod api;
mod blocklist;
mod chaos;
mod engine;
mod hooks;
mod records;
pub mod scopes;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;

pub use blocklist::{BlockReason, BlockedDomain};
pub use chaos::{DropMode, FailFirstMode, ReorderMode};
pub use engine::{ERROR_DOMAIN_BLOCKED, ERROR_RETRIES_EXHAUSTED, ERROR_WILL_RETRY, payload_hash};
pub use hooks::{
    Hook, HookStatus, MAX_HEADER_NAME_BYTES, MAX_HEADER_VALUE_BYTES, MAX_HEADERS,
    MAX_HOOKS_PER_SCOPE,
};
pub use records::{
    Attempt, AttemptOutcome, Delivery, DeliveryStatus, Notification, NotificationKind,
};

use crate::clock::Clock;
use engine::Shared;

/// BigCommerce's retry intervals, in seconds, each after the previous attempt.
pub const RETRY_SCHEDULE_SECS: [u64; 11] = [
    60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400,
];

/// The `User-Agent` of deliveries. BigCommerce does not document its own; this one
/// says what it is.
pub const USER_AGENT: &str = "BigCommerce-Webhooks/1.0 (sequra-bigcommerce sandbox)";

/// A state change in a store, to be delivered to the active hooks subscribed to its scope.
#[derive(Clone, Debug)]
pub struct Event {
    pub store_hash: String,
    /// The numeric store id (a string of digits in the payload), not the hash.
    pub store_id: String,
    /// e.g. `store/order/statusUpdated`.
    pub scope: String,
    /// The event's `data` object, e.g. `{"type":"order","id":250,"status":{...}}`.
    pub data: serde_json::Value,
    /// Unix seconds (from the simulator's clock).
    pub created_at: i64,
}

/// How the webhook subsystem behaves; `Default` is BigCommerce's behaviour plus the
/// loopback relaxation.
#[derive(Clone, Debug)]
pub struct WebhooksOptions {
    /// The simulator's clock, shared with the rest of the store so that
    /// `clock.advance(…)` moves retries along.
    pub clock: Clock,
    /// Waits before each retry; a delivery gets `1 + retry_schedule.len()` attempts.
    pub retry_schedule: Vec<Duration>,
    /// How long an attempt may take before it counts as a timeout.
    pub attempt_timeout: Duration,
    /// Accept `http(s)://127.0.0.1:*`, `[::1]:*` and `localhost:*` destinations.
    pub allow_insecure_loopback: bool,
    /// How often the background worker looks for due retries on its own (real time).
    /// `None`: only on `emit` and when driven by `run_due`/`flush`.
    pub tick_interval: Option<Duration>,
    /// BigCommerce's per-domain success-ratio blocklist (§5.4).
    pub domain_blocklist: bool,
    pub user_agent: String,
    /// The HTTP client for deliveries; `None` builds one (no redirects, no proxy).
    pub http_client: Option<reqwest::Client>,
}

impl Default for WebhooksOptions {
    fn default() -> Self {
        Self {
            clock: Clock::new(),
            retry_schedule: RETRY_SCHEDULE_SECS
                .iter()
                .map(|secs| Duration::from_secs(*secs))
                .collect(),
            attempt_timeout: Duration::from_secs(2),
            allow_insecure_loopback: true,
            tick_interval: Some(Duration::from_secs(1)),
            domain_blocklist: true,
            user_agent: USER_AGENT.to_owned(),
            http_client: None,
        }
    }
}

/// Handle on the webhook subsystem; cheap to clone.
#[derive(Clone)]
pub struct Webhooks {
    shared: Arc<Shared>,
}

impl Default for Webhooks {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhooks")
            .field("options", &self.shared.options)
            .finish_non_exhaustive()
    }
}

impl Webhooks {
    /// BigCommerce's behaviour with its own clock; see [`WebhooksOptions::default`].
    pub fn new() -> Self {
        Self::with_options(WebhooksOptions::default())
    }

    pub fn with_options(options: WebhooksOptions) -> Self {
        let shared = Arc::new(Shared::new(options));
        shared.ensure_worker();
        Self { shared }
    }

    pub fn options(&self) -> &WebhooksOptions {
        &self.shared.options
    }

    pub fn clock(&self) -> &Clock {
        &self.shared.options.clock
    }

    /// Queues `event` for every active hook of its store whose scope matches. Never blocks.
    pub fn emit(&self, event: Event) {
        self.shared.emit(&event);
    }

    /// The hooks API. Expects an [`super::ApiCaller`] in the request extensions (put there
    /// by the store API's auth layer); answers 401 without one.
    pub fn api_router(&self) -> Router {
        self.shared.ensure_worker();
        api::router(Arc::clone(&self.shared))
    }

    /// Deletes the hooks an app created in a store (BigCommerce does this on uninstall).
    pub fn remove_app(&self, store_hash: &str, client_id: &str) {
        let owner = (store_hash.to_owned(), client_id.to_owned());
        self.shared.state.lock().remove_owner(&owner);
    }

    // --- stepping --------------------------------------------------------------

    /// Attempts everything whose time has come (including the deliveryException events
    /// those attempts raise) and returns once they are recorded — whether this call or
    /// the background worker made them. This is what the worker does on every tick;
    /// call it after `clock.advance(…)`.
    pub async fn run_due(&self) {
        self.shared.drain(false).await;
    }

    /// Releases the deliveries held by the reorder switch (in its order), then waits
    /// until every delivery due now has been attempted and recorded — whether by this
    /// call or by the background worker.
    pub async fn flush(&self) {
        self.shared.drain(true).await;
    }

    // --- inspection ------------------------------------------------------------

    /// Deliveries to a store's hooks, oldest first, with their attempts.
    pub fn deliveries(&self, store_hash: &str) -> Vec<Delivery> {
        self.shared.state.lock().deliveries(Some(store_hash))
    }

    /// Deliveries of every store, oldest first.
    pub fn all_deliveries(&self) -> Vec<Delivery> {
        self.shared.state.lock().deliveries(None)
    }

    /// A store's hooks (of every client), by id.
    pub fn hooks(&self, store_hash: &str) -> Vec<Hook> {
        self.shared
            .state
            .lock()
            .registry
            .in_store(store_hash)
            .cloned()
            .collect()
    }

    pub fn hook(&self, id: i64) -> Option<Hook> {
        self.shared.state.lock().registry.get(id).cloned()
    }

    /// Control: switches a hook off as BigCommerce does after a delivery's last retry failed
    /// (without waiting out the 48-hour schedule), so tests and the demo can show how the
    /// app notices and repairs it. Queued deliveries for it are kept.
    pub fn deactivate(&self, id: i64) -> bool {
        let now = self.options().clock.unix();
        self.shared
            .state
            .lock()
            .registry
            .deactivate(id, now)
            .is_some()
    }

    /// The e-mails BigCommerce would have sent (deactivations, blocked domains).
    pub fn notifications(&self) -> Vec<Notification> {
        self.shared.state.lock().notifications.clone()
    }

    /// Domains currently blocked for a client by the success-ratio rule.
    pub fn blocked_domains(&self, client_id: &str) -> Vec<BlockedDomain> {
        let now = self.shared.now();
        self.shared
            .state
            .lock()
            .blocklist
            .blocked_for(client_id, now)
    }

    // --- chaos switches (each applies to deliveries queued after it is set) -----

    pub fn set_drop(&self, mode: DropMode) {
        self.shared.state.lock().chaos.set_drop(mode);
    }

    pub fn set_fail_first(&self, mode: FailFirstMode) {
        self.shared.state.lock().chaos.fail_first = mode;
    }

    /// Deliver every event twice: two deliveries per hook with identical bodies.
    pub fn set_duplicate(&self, on: bool) {
        self.shared.state.lock().chaos.duplicate = on;
    }

    /// Hold new deliveries until the next [`Webhooks::flush`], which releases them in
    /// the given order. Turning it off does not release what is held.
    pub fn set_reorder(&self, mode: ReorderMode) {
        self.shared.state.lock().chaos.set_reorder(mode);
    }

    /// Hold new deliveries until the clock has advanced by `delay`.
    pub fn set_delay(&self, delay: Option<Duration>) {
        self.shared.state.lock().chaos.delay = delay;
    }

    /// Turns every switch off (held deliveries stay held until the next `flush`).
    pub fn reset_chaos(&self) {
        let mut state = self.shared.state.lock();
        state.chaos.set_drop(DropMode::Off);
        state.chaos.fail_first = FailFirstMode::Off;
        state.chaos.duplicate = false;
        state.chaos.set_reorder(ReorderMode::Off);
        state.chaos.delay = None;
    }
}
