//! Everything the simulator holds, behind one `parking_lot::Mutex` in `Inner`. Actions
//! on a store run through `Inner::mutate`, which records the events they decide (in the
//! simulator's own event log) while holding the lock and hands them to the webhook engine
//! after releasing it.

use std::collections::{BTreeMap, HashMap};

use chrono::DateTime;
use parking_lot::Mutex;

use super::domain::{DomainError, DomainResult, StoreTx};
use super::faults::Faults;
use super::model::{AppRegistration, GrantCode, Instant, StoreState, TokenGrant};
use super::ratelimit::Limiter;
use super::webhooks::{Event, Webhooks};
use crate::clock::Clock;

/// An event the store emitted, in emission order.
#[derive(Clone, Debug)]
pub struct RecordedEvent {
    pub seq: u64,
    pub event: Event,
}

/// One request the simulator answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub seq: u64,
    pub at: Instant,
    pub method: String,
    /// Path and query as received.
    pub path: String,
    pub store_hash: Option<String>,
    /// The authenticated caller's client id (absent for 401s and the OAuth endpoint).
    pub client_id: Option<String>,
    pub status: u16,
}

/// A server-to-server call BigCommerce made to an app, or a request to the webhook
/// subsystem to drop an app's hooks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LifecycleRecord {
    /// The uninstall or remove_user callback: its URL (with the JWT) and the app's status.
    Callback {
        kind: CallbackKind,
        url: String,
        status: Result<u16, String>,
    },
    /// `Webhooks::remove_app(store_hash, client_id)` was called.
    HooksRemoved {
        store_hash: String,
        client_id: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallbackKind {
    Uninstall,
    RemoveUser,
}

#[derive(Default)]
pub(crate) struct State {
    pub stores: BTreeMap<String, StoreState>,
    pub apps: BTreeMap<String, AppRegistration>,
    pub tokens: HashMap<String, TokenGrant>,
    pub codes: HashMap<String, GrantCode>,
    pub events: Vec<RecordedEvent>,
    pub requests: Vec<RequestRecord>,
    pub lifecycle: Vec<LifecycleRecord>,
    pub faults: Faults,
    pub limiter: Limiter,
    pub next_seq: u64,
}

impl State {
    pub fn store(&self, hash: &str) -> DomainResult<&StoreState> {
        self.stores
            .get(hash)
            .ok_or_else(|| DomainError::not_found("store"))
    }

    pub fn store_mut(&mut self, hash: &str) -> DomainResult<&mut StoreState> {
        self.stores
            .get_mut(hash)
            .ok_or_else(|| DomainError::not_found("store"))
    }

    fn seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// Records events in the log and returns them for the webhook engine.
    pub fn record_events(
        &mut self,
        store_hash: &str,
        store_id: i64,
        created_at: i64,
        pending: Vec<super::domain::PendingEvent>,
    ) -> Vec<Event> {
        let mut out = Vec::with_capacity(pending.len());
        for event in pending {
            let event = Event {
                store_hash: store_hash.to_owned(),
                store_id: store_id.to_string(),
                scope: event.scope,
                data: event.data,
                created_at,
            };
            let seq = self.seq();
            self.events.push(RecordedEvent {
                seq,
                event: event.clone(),
            });
            out.push(event);
        }
        out
    }

    pub fn record_request(&mut self, mut record: RequestRecord) {
        record.seq = self.seq();
        self.requests.push(record);
    }
}

pub(crate) struct Inner {
    pub state: Mutex<State>,
    pub clock: Clock,
    pub webhooks: Webhooks,
    /// The simulator's own base URL (no trailing slash): API and login base.
    pub base_url: String,
    pub http: reqwest::Client,
    /// The control panel's secret for its CSRF tokens (random per simulator).
    pub control_panel_key: [u8; 32],
}

impl Inner {
    /// The clock's time to the second, as BigCommerce's timestamps are.
    pub fn now(&self) -> Instant {
        let now = self.clock.now();
        DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now)
    }

    /// The clock's time to the millisecond, for the rate limiter: its windows and the
    /// `X-Rate-Limit-Time-Reset-Ms` it announces are in milliseconds (§7), which a
    /// whole-second clock would get wrong by up to a second.
    pub fn now_precise(&self) -> Instant {
        self.clock.now()
    }

    /// Runs an action on one store; on success its events are logged and emitted.
    pub fn mutate<T>(
        &self,
        store_hash: &str,
        action: impl FnOnce(&mut StoreTx<'_>) -> DomainResult<T>,
    ) -> DomainResult<T> {
        let now = self.now();
        let (result, events) = {
            let mut state = self.state.lock();
            let store = state.store_mut(store_hash)?;
            let store_id = store.profile.store_id;
            let mut tx = StoreTx::new(store, now);
            let result = action(&mut tx);
            let pending = std::mem::take(&mut tx.events);
            match result {
                Ok(value) => {
                    let events =
                        state.record_events(store_hash, store_id, now.timestamp(), pending);
                    (Ok(value), events)
                }
                Err(err) => (Err(err), Vec::new()),
            }
        };
        for event in events {
            self.webhooks.emit(event);
        }
        result
    }

    /// Reads one store.
    pub fn read<T>(&self, store_hash: &str, f: impl FnOnce(&StoreState) -> T) -> DomainResult<T> {
        let state = self.state.lock();
        state.store(store_hash).map(f)
    }
}
