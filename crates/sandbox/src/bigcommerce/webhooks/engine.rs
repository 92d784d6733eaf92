//! The delivery engine: queues one delivery per (event, matching hook), POSTs it,
//! retries failures on BigCommerce's schedule measured on the simulator's clock,
//! deactivates hooks whose retries are exhausted and reports delivery problems to the
//! client's deliveryException hook.
//!
//! Deliveries are attempted in *passes*. A pass claims everything due now (in due
//! order), then attempts the claimed deliveries — sequentially per destination, and
//! destinations in parallel — and records each outcome. Passes never overlap (the
//! `lane`), so the order in which one destination receives its deliveries is the due
//! order, which is what makes the reorder switch observable and tests deterministic.
//! The background worker runs passes when an event is emitted and on every tick; tests
//! run them directly through `flush`/`run_due`.

use std::collections::{BTreeMap, HashMap};
use std::pin::pin;
use std::sync::{Arc, Weak};

use chrono::{DateTime, Duration, Utc};
use parking_lot::Mutex;
use serde::Serialize;
use sha1::{Digest, Sha1};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::blocklist::{Blocklist, domain_of};
use super::chaos::{Chaos, Verdict};
use super::hooks::{Hook, HookError, HookPatch, Owner, Registry};
use super::records::{
    Attempt, AttemptOutcome, Delivery, DeliveryStatus, Notification, NotificationKind,
};
use super::scopes::{self, DELIVERY_EXCEPTION_SCOPE};
use super::{Event, WebhooksOptions};

/// `error_code` of deliveryException events.
pub const ERROR_WILL_RETRY: u32 = 90001;
pub const ERROR_RETRIES_EXHAUSTED: u32 = 90002;
pub const ERROR_DOMAIN_BLOCKED: u32 = 90003;

/// BigCommerce sends at most one 90001 per destination in this many seconds.
const WILL_RETRY_NOTICE_INTERVAL_SECS: i64 = 600;

pub(super) struct Shared {
    pub options: WebhooksOptions,
    /// `None` if the HTTP client could not be built; attempts then fail as connection
    /// errors instead of panicking.
    http: Option<reqwest::Client>,
    pub state: Mutex<State>,
    /// Serialises passes (see the module docs).
    lane: tokio::sync::Mutex<()>,
    /// Wakes the background worker (an event was queued).
    wake: Arc<Notify>,
    /// Signalled after every recorded attempt (`drain` waits on it for attempts that
    /// a cancelled pass left in flight).
    recorded: Notify,
    worker: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Default)]
pub(super) struct State {
    pub registry: Registry,
    pub chaos: Chaos,
    pub blocklist: Blocklist,
    entries: BTreeMap<u64, Entry>,
    next_delivery_id: u64,
    /// Ordering key of due deliveries; reassigned when held deliveries are released.
    next_seq: u64,
    /// Last 90001 notice per (store, client, destination).
    will_retry_notices: HashMap<(String, String, String), DateTime<Utc>>,
    pub notifications: Vec<Notification>,
}

struct Entry {
    delivery: Delivery,
    seq: u64,
    lose_first_attempt: bool,
}

/// An event turned into the body every matching hook receives.
struct Prepared {
    store_hash: String,
    store_id: String,
    scope: String,
    created_at: i64,
    hash: String,
    body: String,
}

#[derive(Serialize)]
struct Payload<'a> {
    scope: &'a str,
    store_id: &'a str,
    data: &'a serde_json::Value,
    hash: &'a str,
    created_at: i64,
    producer: String,
}

/// An attempt claimed by a pass, with everything needed to make it without the lock.
struct Planned {
    delivery_id: u64,
    number: u32,
    destination: String,
    headers: Vec<(String, String)>,
    body: String,
    lose: bool,
}

/// The payload's `hash`: hex SHA-1 of the JSON encoding of `data` (compact, as
/// `serde_json` writes it — the same bytes that appear in the body).
pub fn payload_hash(data: &serde_json::Value) -> String {
    hex::encode(Sha1::digest(data.to_string().as_bytes()))
}

fn prepare(event: &Event) -> Option<Prepared> {
    let hash = payload_hash(&event.data);
    let payload = Payload {
        scope: &event.scope,
        store_id: &event.store_id,
        data: &event.data,
        hash: &hash,
        created_at: event.created_at,
        producer: format!("stores/{}", event.store_hash),
    };
    match serde_json::to_string(&payload) {
        Ok(body) => Some(Prepared {
            store_hash: event.store_hash.clone(),
            store_id: event.store_id.clone(),
            scope: event.scope.clone(),
            created_at: event.created_at,
            hash,
            body,
        }),
        Err(err) => {
            tracing::error!(%err, scope = %event.scope, "webhook payload could not be encoded");
            None
        }
    }
}

impl Shared {
    pub fn new(options: WebhooksOptions) -> Self {
        let http = match options.http_client.clone() {
            Some(client) => Some(client),
            None => match reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(options.attempt_timeout)
                .build()
            {
                Ok(client) => Some(client),
                Err(err) => {
                    tracing::error!(%err, "webhook HTTP client could not be built; every delivery will fail");
                    None
                }
            },
        };
        Self {
            options,
            http,
            state: Mutex::new(State::default()),
            lane: tokio::sync::Mutex::new(()),
            wake: Arc::new(Notify::new()),
            recorded: Notify::new(),
            worker: Mutex::new(None),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.options.clock.now()
    }

    /// Queues `event` for every active hook of its store whose scope matches.
    pub fn emit(self: &Arc<Self>, event: &Event) {
        let Some(prepared) = prepare(event) else {
            return;
        };
        let now = self.now();
        {
            let mut state = self.state.lock();
            let hooks: Vec<Hook> = state
                .registry
                .in_store(&event.store_hash)
                .filter(|hook| hook.is_active() && scopes::matches(&hook.scope, &event.scope))
                .cloned()
                .collect();
            for hook in &hooks {
                state.enqueue(hook, &prepared, now);
            }
        }
        self.wake();
    }

    /// Wakes (starting it if needed) the background worker.
    pub fn wake(self: &Arc<Self>) {
        self.ensure_worker();
        self.wake.notify_one();
    }

    /// Starts the background worker on the current tokio runtime, if there is one and
    /// the worker is not running already.
    pub fn ensure_worker(self: &Arc<Self>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let mut worker = self.worker.lock();
        if worker.as_ref().is_some_and(|handle| !handle.is_finished()) {
            return;
        }
        let shared: Weak<Shared> = Arc::downgrade(self);
        let wake = Arc::clone(&self.wake);
        let tick = self.options.tick_interval;
        *worker = Some(runtime.spawn(async move {
            loop {
                {
                    // Only a weak reference is kept between passes, so the worker ends
                    // when the last handle is dropped.
                    let Some(shared) = shared.upgrade() else {
                        return;
                    };
                    shared.drain(false).await;
                }
                match tick {
                    Some(tick) => {
                        tokio::select! {
                            () = wake.notified() => {}
                            () = tokio::time::sleep(tick) => {}
                        }
                    }
                    None => wake.notified().await,
                }
            }
        }));
    }

    /// Runs passes until nothing is due and nothing is in flight. With `release_held`,
    /// deliveries held by the reorder switch are released (in the switch's order) first.
    pub async fn drain(self: &Arc<Self>, release_held: bool) {
        loop {
            if self.run_pass(release_held).await > 0 {
                continue;
            }
            // Attempts left in flight by a pass whose caller went away still count:
            // wait until they are recorded, then look again.
            let mut recorded = pin!(self.recorded.notified());
            recorded.as_mut().enable();
            if !self.state.lock().has_in_flight() {
                return;
            }
            recorded.await;
        }
    }

    async fn run_pass(self: &Arc<Self>, release_held: bool) -> usize {
        let _lane = self.lane.lock().await;
        let planned = {
            let mut state = self.state.lock();
            state.plan(self.now(), release_held, &self.options)
        };
        let attempted = planned.len();
        if attempted == 0 {
            return 0;
        }
        // One sequential queue per destination, destinations in parallel.
        let mut groups: Vec<(String, Vec<Planned>)> = Vec::new();
        for item in planned {
            match groups
                .iter_mut()
                .find(|(destination, _)| *destination == item.destination)
            {
                Some((_, group)) => group.push(item),
                None => groups.push((item.destination.clone(), vec![item])),
            }
        }
        // The attempts run in their own tasks, so that a caller who stops waiting (a
        // cancelled `flush`) does not cancel them half-way: they finish and are
        // recorded, and `drain` waits for them.
        let tasks: Vec<JoinHandle<()>> = groups
            .into_iter()
            .map(|(_, group)| {
                let shared = Arc::clone(self);
                tokio::spawn(async move {
                    let claimed = Claimed {
                        shared: Arc::clone(&shared),
                        ids: group.iter().map(|item| item.delivery_id).collect(),
                    };
                    for item in group {
                        shared.attempt_and_record(item).await;
                    }
                    drop(claimed);
                })
            })
            .collect();
        for task in tasks {
            if let Err(err) = task.await {
                tracing::error!(%err, "webhook delivery task failed");
            }
        }
        attempted
    }

    async fn attempt_and_record(&self, item: Planned) {
        // An earlier attempt of this pass may have exhausted the hook or got its domain
        // blocked, or the app may have switched it off meanwhile.
        let now = self.now();
        let wanted = self
            .state
            .lock()
            .still_wanted(item.delivery_id, now, &self.options);
        if wanted {
            let at = self.now();
            let outcome = self.attempt(&item).await;
            let attempt = Attempt {
                number: item.number,
                at,
                destination: item.destination,
                headers: item.headers,
                outcome,
            };
            let now = self.now();
            self.state
                .lock()
                .record(item.delivery_id, attempt, now, &self.options);
        }
        self.recorded.notify_waiters();
    }

    async fn attempt(&self, item: &Planned) -> AttemptOutcome {
        if item.lose {
            return AttemptOutcome::Lost;
        }
        let Some(http) = &self.http else {
            return AttemptOutcome::ConnectionError {
                message: "the simulator's HTTP client is unavailable".to_owned(),
            };
        };
        let mut request = http
            .post(&item.destination)
            .timeout(self.options.attempt_timeout)
            .body(item.body.clone());
        for (name, value) in &item.headers {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                // Read the answer so the connection can be reused; its content and any
                // error reading it do not matter, only the status does.
                let _ = response.bytes().await;
                if status.is_success() {
                    AttemptOutcome::Success {
                        status: status.as_u16(),
                    }
                } else {
                    AttemptOutcome::HttpError {
                        status: status.as_u16(),
                    }
                }
            }
            Err(err) if err.is_timeout() => AttemptOutcome::Timeout,
            Err(err) => AttemptOutcome::ConnectionError {
                message: error_chain(&err),
            },
        }
    }
}

/// The deliveries a task has claimed. If the task is dropped before it gets to all of
/// them (its runtime shut down), the ones still in flight go back to the queue instead of
/// staying in flight for ever.
struct Claimed {
    shared: Arc<Shared>,
    ids: Vec<u64>,
}

impl Drop for Claimed {
    fn drop(&mut self) {
        let now = self.shared.now();
        let mut state = self.shared.state.lock();
        for id in &self.ids {
            state.unclaim(*id, now);
        }
        drop(state);
        self.shared.recorded.notify_waiters();
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.get_mut().take() {
            worker.abort();
        }
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

impl State {
    fn enqueue(&mut self, hook: &Hook, prepared: &Prepared, now: DateTime<Utc>) {
        let copies = if self.chaos.duplicate { 2 } else { 1 };
        let mut first_id = None;
        for _ in 0..copies {
            let verdict = self.chaos.judge();
            let id = self.push_delivery(hook, prepared, now, verdict, first_id);
            first_id.get_or_insert(id);
        }
    }

    fn push_delivery(
        &mut self,
        hook: &Hook,
        prepared: &Prepared,
        now: DateTime<Utc>,
        verdict: Verdict,
        duplicate_of: Option<u64>,
    ) -> u64 {
        self.next_delivery_id += 1;
        self.next_seq += 1;
        let id = self.next_delivery_id;
        let status = if verdict.dropped {
            DeliveryStatus::Dropped
        } else if verdict.held {
            DeliveryStatus::Held
        } else {
            let delay = self
                .chaos
                .delay
                .and_then(|delay| Duration::from_std(delay).ok())
                .unwrap_or_else(Duration::zero);
            DeliveryStatus::Pending {
                due_at: now + delay,
            }
        };
        let delivery = Delivery {
            id,
            hook_id: hook.id,
            store_hash: prepared.store_hash.clone(),
            store_id: prepared.store_id.clone(),
            client_id: hook.client_id.clone(),
            scope: prepared.scope.clone(),
            hash: prepared.hash.clone(),
            created_at: prepared.created_at,
            body: prepared.body.clone(),
            status,
            attempts: Vec::new(),
            duplicate_of,
        };
        self.entries.insert(
            id,
            Entry {
                delivery,
                seq: self.next_seq,
                lose_first_attempt: verdict.lose_first_attempt,
            },
        );
        id
    }

    /// Whether a claimed delivery should still be attempted; if not, it is cancelled
    /// (hook gone or off) or put back to wait for its domain's block to end.
    fn still_wanted(
        &mut self,
        delivery_id: u64,
        now: DateTime<Utc>,
        options: &WebhooksOptions,
    ) -> bool {
        let Some(entry) = self.entries.get_mut(&delivery_id) else {
            return false;
        };
        let hook = match self.registry.get(entry.delivery.hook_id) {
            Some(hook) if hook.is_active() => hook,
            _ => {
                entry.delivery.status = DeliveryStatus::Cancelled;
                return false;
            }
        };
        if options.domain_blocklist {
            let domain = domain_of(&hook.destination);
            if let Some(until) = self.blocklist.blocked_until(&hook.client_id, &domain, now) {
                entry.delivery.status = DeliveryStatus::Pending { due_at: until };
                return false;
            }
        }
        true
    }

    /// Puts a delivery that is still in flight back in the queue, due now.
    fn unclaim(&mut self, delivery_id: u64, now: DateTime<Utc>) {
        if let Some(entry) = self.entries.get_mut(&delivery_id)
            && entry.delivery.status == DeliveryStatus::InFlight
        {
            entry.delivery.status = DeliveryStatus::Pending { due_at: now };
        }
    }

    fn has_in_flight(&self) -> bool {
        self.entries
            .values()
            .any(|entry| entry.delivery.status == DeliveryStatus::InFlight)
    }

    /// Claims the deliveries to attempt now, in due order.
    fn plan(
        &mut self,
        now: DateTime<Utc>,
        release_held: bool,
        options: &WebhooksOptions,
    ) -> Vec<Planned> {
        if release_held {
            let held: Vec<u64> = self
                .entries
                .values()
                .filter(|entry| entry.delivery.status == DeliveryStatus::Held)
                .map(|entry| entry.delivery.id)
                .collect();
            for id in self.chaos.release_order(held) {
                self.next_seq += 1;
                if let Some(entry) = self.entries.get_mut(&id) {
                    entry.seq = self.next_seq;
                    entry.delivery.status = DeliveryStatus::Pending { due_at: now };
                }
            }
        }
        let mut due: Vec<(DateTime<Utc>, u64, u64)> = self
            .entries
            .values()
            .filter_map(|entry| match entry.delivery.status {
                DeliveryStatus::Pending { due_at } if due_at <= now => {
                    Some((due_at, entry.seq, entry.delivery.id))
                }
                _ => None,
            })
            .collect();
        due.sort_unstable();

        let mut planned = Vec::new();
        for (_, _, id) in due {
            let Some(entry) = self.entries.get_mut(&id) else {
                continue;
            };
            let hook = match self.registry.get(entry.delivery.hook_id) {
                Some(hook) if hook.is_active() => hook,
                _ => {
                    entry.delivery.status = DeliveryStatus::Cancelled;
                    continue;
                }
            };
            if options.domain_blocklist {
                let domain = domain_of(&hook.destination);
                if let Some(until) = self.blocklist.blocked_until(&hook.client_id, &domain, now) {
                    // Waits for the block to end; this does not use up a retry.
                    entry.delivery.status = DeliveryStatus::Pending { due_at: until };
                    continue;
                }
            }
            let number = u32::try_from(entry.delivery.attempts.len()).unwrap_or(u32::MAX - 1) + 1;
            entry.delivery.status = DeliveryStatus::InFlight;
            planned.push(Planned {
                delivery_id: id,
                number,
                destination: hook.destination.clone(),
                headers: request_headers(hook, &options.user_agent),
                body: entry.delivery.body.clone(),
                lose: entry.lose_first_attempt && number == 1,
            });
        }
        planned
    }

    /// Records an attempt and decides what comes next: done, a retry, or — after the
    /// last retry — deactivation of the hook.
    fn record(
        &mut self,
        delivery_id: u64,
        attempt: Attempt,
        now: DateTime<Utc>,
        options: &WebhooksOptions,
    ) {
        let Some(entry) = self.entries.get_mut(&delivery_id) else {
            return;
        };
        let success = attempt.outcome.is_success();
        let failure = (!success).then(|| attempt.outcome.failure_description());
        let destination = attempt.destination.clone();
        let attempted_at = attempt.at;
        let number = attempt.number;
        entry.delivery.attempts.push(attempt);
        let delivery = entry.delivery.clone();
        let owner: Owner = (delivery.store_hash.clone(), delivery.client_id.clone());

        if options.domain_blocklist {
            let domain = domain_of(&destination);
            if self
                .blocklist
                .observe(&delivery.client_id, &domain, attempted_at, failure.clone())
            {
                let message = format!(
                    "Deliveries to {destination} are paused: the domain {domain} is temporarily blocked after too many unsuccessful attempts"
                );
                self.raise_exception(&delivery, ERROR_DOMAIN_BLOCKED, message, now);
                self.notify_owner(&owner, NotificationKind::DomainBlocked { domain }, now);
            }
        }

        let hook_active = self
            .registry
            .get(delivery.hook_id)
            .is_some_and(Hook::is_active);
        let retries_done = usize::try_from(number.saturating_sub(1)).unwrap_or(usize::MAX);
        let next_status = if success {
            DeliveryStatus::Delivered
        } else if !hook_active {
            DeliveryStatus::Cancelled
        } else if let Some(wait) = options.retry_schedule.get(retries_done) {
            let wait = Duration::from_std(*wait).unwrap_or_else(|_| Duration::days(1));
            let description = failure.unwrap_or_default();
            self.will_retry_notice(&delivery, &destination, &description, now);
            DeliveryStatus::Pending {
                due_at: attempted_at + wait,
            }
        } else {
            self.exhausted(&delivery, &destination, now);
            DeliveryStatus::Exhausted
        };
        if let Some(entry) = self.entries.get_mut(&delivery_id) {
            entry.delivery.status = next_status;
        }
    }

    /// 90001, at most once per destination every ten minutes.
    fn will_retry_notice(
        &mut self,
        delivery: &Delivery,
        destination: &str,
        description: &str,
        now: DateTime<Utc>,
    ) {
        let key = (
            delivery.store_hash.clone(),
            delivery.client_id.clone(),
            destination.to_owned(),
        );
        if self
            .will_retry_notices
            .get(&key)
            .is_some_and(|last| now - *last < Duration::seconds(WILL_RETRY_NOTICE_INTERVAL_SECS))
        {
            return;
        }
        let message = format!("{description} when delivering to {destination}, will retry");
        if self.raise_exception(delivery, ERROR_WILL_RETRY, message, now) {
            self.will_retry_notices.insert(key, now);
        }
    }

    fn exhausted(&mut self, delivery: &Delivery, destination: &str, now: DateTime<Utc>) {
        self.registry.deactivate(delivery.hook_id, now.timestamp());
        self.cancel_pending_for_hook(delivery.hook_id);
        let attempts = delivery.attempts.len();
        let message = format!(
            "Delivery to {destination} failed after {attempts} attempts; all retries are exhausted and the webhook is disabled"
        );
        self.raise_exception(delivery, ERROR_RETRIES_EXHAUSTED, message, now);
        let owner: Owner = (delivery.store_hash.clone(), delivery.client_id.clone());
        self.notify_owner(
            &owner,
            NotificationKind::HookDeactivated {
                hook_id: delivery.hook_id,
            },
            now,
        );
    }

    /// Queues a `store/hook/deliveryException` event for the client's exception hook.
    /// Problems of the exception hook itself are not reported (to itself). Returns
    /// whether an event was queued.
    fn raise_exception(
        &mut self,
        about: &Delivery,
        error_code: u32,
        message: String,
        now: DateTime<Utc>,
    ) -> bool {
        let owner: Owner = (about.store_hash.clone(), about.client_id.clone());
        let Some(exception_hook) = self.registry.delivery_exception_hook(&owner).cloned() else {
            return false;
        };
        if exception_hook.id == about.hook_id {
            return false;
        }
        let event = Event {
            store_hash: about.store_hash.clone(),
            store_id: about.store_id.clone(),
            scope: DELIVERY_EXCEPTION_SCOPE.to_owned(),
            data: serde_json::json!({
                "type": "webhook",
                "id": about.hook_id,
                "error_code": error_code,
                "message": message,
            }),
            created_at: now.timestamp(),
        };
        let Some(prepared) = prepare(&event) else {
            return false;
        };
        self.enqueue(&exception_hook, &prepared, now);
        true
    }

    fn notify_owner(&mut self, owner: &Owner, kind: NotificationKind, now: DateTime<Utc>) {
        let to = self.registry.emails(owner).to_vec();
        self.notifications.push(Notification {
            store_hash: owner.0.clone(),
            client_id: owner.1.clone(),
            to,
            kind,
            at: now,
        });
    }

    /// Updates a hook; a hook switched off loses its queued deliveries.
    pub fn update_hook(
        &mut self,
        owner: &Owner,
        id: i64,
        patch: HookPatch,
        now: i64,
    ) -> Result<Hook, HookError> {
        let hook = self.registry.update(owner, id, patch, now)?;
        if !hook.is_active() {
            self.cancel_pending_for_hook(id);
        }
        Ok(hook)
    }

    pub fn delete_hook(&mut self, owner: &Owner, id: i64) -> Result<Hook, HookError> {
        let hook = self.registry.delete(owner, id)?;
        self.cancel_pending_for_hook(id);
        Ok(hook)
    }

    /// What BigCommerce does on uninstall: the app's hooks (and its queued
    /// deliveries) go away.
    pub fn remove_owner(&mut self, owner: &Owner) {
        for id in self.registry.remove_owner(owner) {
            self.cancel_pending_for_hook(id);
        }
    }

    /// A hook that was deleted or switched off gets nothing more: its queued deliveries
    /// are cancelled (an attempt in flight is recorded, then not retried).
    pub fn cancel_pending_for_hook(&mut self, hook_id: i64) {
        for entry in self.entries.values_mut() {
            if entry.delivery.hook_id == hook_id
                && matches!(
                    entry.delivery.status,
                    DeliveryStatus::Pending { .. } | DeliveryStatus::Held
                )
            {
                entry.delivery.status = DeliveryStatus::Cancelled;
            }
        }
    }

    pub fn deliveries(&self, store_hash: Option<&str>) -> Vec<Delivery> {
        self.entries
            .values()
            .filter(|entry| store_hash.is_none_or(|hash| entry.delivery.store_hash == hash))
            .map(|entry| entry.delivery.clone())
            .collect()
    }
}

/// The headers of a delivery: ours, then the hook's custom headers. A custom header
/// cannot replace `Content-Type` or `User-Agent` (nor the transport's `Host` and
/// `Content-Length`): BigCommerce's delivery format is not the hook owner's to change.
fn request_headers(hook: &Hook, user_agent: &str) -> Vec<(String, String)> {
    const RESERVED: [&str; 4] = ["content-type", "user-agent", "host", "content-length"];
    let mut headers = vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("User-Agent".to_owned(), user_agent.to_owned()),
    ];
    if let Some(custom) = &hook.headers {
        headers.extend(
            custom
                .iter()
                .filter(|(name, _)| !RESERVED.iter().any(|r| name.eq_ignore_ascii_case(r)))
                .map(|(name, value)| (name.clone(), value.clone())),
        );
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_sha1_of_the_compact_data() {
        let data = serde_json::json!({"type": "order", "id": 250});
        let expected = hex::encode(Sha1::digest(data.to_string().as_bytes()));
        assert_eq!(payload_hash(&data), expected);
        assert_eq!(payload_hash(&data).len(), 40);
    }

    #[test]
    fn payload_has_bigcommerce_fields_and_the_data_bytes() {
        let event = Event {
            store_hash: "abc123".to_owned(),
            store_id: "1001234567".to_owned(),
            scope: "store/order/created".to_owned(),
            data: serde_json::json!({"type": "order", "id": 250}),
            created_at: 1_767_261_000,
        };
        let prepared = prepare(&event).unwrap();
        let body: serde_json::Value = serde_json::from_str(&prepared.body).unwrap();
        assert_eq!(body["scope"], "store/order/created");
        assert_eq!(body["store_id"], "1001234567");
        assert_eq!(body["producer"], "stores/abc123");
        assert_eq!(body["created_at"], 1_767_261_000);
        assert_eq!(body["data"], event.data);
        assert_eq!(body["hash"], payload_hash(&event.data));
        assert!(prepared.body.contains(&event.data.to_string()));
    }
}
