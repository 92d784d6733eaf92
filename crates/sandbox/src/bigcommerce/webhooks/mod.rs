//! Webhooks: the hooks API (`/stores/{hash}/v3/hooks…`) and the delivery engine that
//! POSTs BigCommerce's payload, with the hook's custom headers, on every state change.

use std::sync::Arc;

use axum::Router;

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

/// Handle on the webhook subsystem; cheap to clone.
#[derive(Clone, Default)]
pub struct Webhooks {
    _inner: Arc<()>,
}

impl Webhooks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues `event` for every active hook of its store whose scope matches. Never blocks.
    pub fn emit(&self, _event: Event) {}

    /// The hooks API. Expects an [`super::ApiCaller`] in the request extensions (put there
    /// by the store API's auth layer); answers 401 without one.
    pub fn api_router(&self) -> Router {
        Router::new()
    }

    /// Deletes the hooks an app created in a store (BigCommerce does this on uninstall).
    pub fn remove_app(&self, _store_hash: &str, _client_id: &str) {}
}
