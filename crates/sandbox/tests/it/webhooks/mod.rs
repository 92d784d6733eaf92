//! Tests of the BigCommerce webhook subsystem, from the outside: the hooks API through
//! its router (with a stand-in for the store's auth layer) and deliveries through a
//! real receiver on a loopback port. Time moves only by `clock.advance`, and work is
//! stepped with `flush`/`run_due`; nothing sleeps.

mod api;
mod chaos;
mod delivery;
mod retries;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use parking_lot::Mutex;
use sandbox::Clock;
use sandbox::bigcommerce::ApiCaller;
use sandbox::bigcommerce::webhooks::{Event, Webhooks, WebhooksOptions};
use sandbox::server::{bind_local, serve};
use serde_json::{Value, json};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tower::ServiceExt;

pub const STORE: &str = "abc123";
pub const STORE_ID: &str = "1001234567";
pub const OTHER_STORE: &str = "zzz999";
pub const CLIENT: &str = "test-client-id-abc123";
pub const OTHER_CLIENT: &str = "other-client-id";

/// Header the stand-in auth layer turns into an `ApiCaller` (the real one reads
/// `X-Auth-Token`); `X-Test-Store` picks the store the token belongs to.
const CLIENT_HEADER: &str = "x-test-client";
const STORE_HEADER: &str = "x-test-store";

/// A webhook subsystem, its API behind a stand-in auth layer, and a receiver.
pub struct Harness {
    pub webhooks: Webhooks,
    pub clock: Clock,
    pub receiver: Receiver,
    router: Router,
}

impl Harness {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// With options changed from the defaults by `tweak` (the clock is always shared).
    /// The background ticker is off so that only `emit`, `flush` and `run_due` make
    /// attempts; one test turns it back on.
    pub async fn with(tweak: impl FnOnce(&mut WebhooksOptions)) -> Self {
        let clock = Clock::new();
        let mut options = WebhooksOptions {
            clock: clock.clone(),
            tick_interval: None,
            ..WebhooksOptions::default()
        };
        tweak(&mut options);
        let webhooks = Webhooks::with_options(options);
        let router = webhooks
            .api_router()
            .layer(middleware::from_fn(stand_in_auth));
        Self {
            webhooks,
            clock,
            receiver: Receiver::start().await,
            router,
        }
    }

    /// Calls the hooks API as `client` (of `STORE`), or unauthenticated with `None`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        client: Option<&str>,
        body: Option<&str>,
    ) -> (StatusCode, Value) {
        self.call_as(method, path, client.map(|client| (STORE, client)), body)
            .await
    }

    /// Calls the hooks API with a token of (store, client).
    pub async fn call_as(
        &self,
        method: Method,
        path: &str,
        caller: Option<(&str, &str)>,
        body: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some((store, client)) = caller {
            request = request
                .header(CLIENT_HEADER, client)
                .header(STORE_HEADER, store);
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Body::from(body.unwrap_or_default().to_owned()))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                panic!("not JSON ({err}): {}", String::from_utf8_lossy(&bytes))
            })
        };
        (status, value)
    }

    /// Creates a hook for `client` in `STORE` and returns its id.
    pub async fn create_hook(&self, client: &str, body: Value) -> i64 {
        let (status, response) = self
            .call(
                Method::POST,
                &hooks_path(),
                Some(client),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{response}");
        response["data"]["id"].as_i64().unwrap()
    }

    /// A hook of `CLIENT` delivering `scope` to the receiver's `path`.
    pub async fn hook_to(&self, scope: &str, path: &str) -> i64 {
        self.create_hook(
            CLIENT,
            json!({"scope": scope, "destination": self.receiver.url(path)}),
        )
        .await
    }

    pub fn emit(&self, scope: &str, data: Value) {
        self.emit_to(STORE, scope, data);
    }

    pub fn emit_to(&self, store_hash: &str, scope: &str, data: Value) {
        self.webhooks.emit(Event {
            store_hash: store_hash.to_owned(),
            store_id: STORE_ID.to_owned(),
            scope: scope.to_owned(),
            data,
            created_at: self.clock.unix(),
        });
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

pub fn hooks_path() -> String {
    format!("/stores/{STORE}/v3/hooks")
}

pub fn hook_path(id: i64) -> String {
    format!("/stores/{STORE}/v3/hooks/{id}")
}

pub fn admin_path() -> String {
    format!("/stores/{STORE}/v3/hooks/admin")
}

async fn stand_in_auth(mut request: Request, next: Next) -> Response {
    let caller = {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        match (header(CLIENT_HEADER), header(STORE_HEADER)) {
            (Some(client_id), Some(store_hash)) => Some(ApiCaller {
                store_hash,
                client_id,
                scopes: Vec::new(),
            }),
            _ => None,
        }
    };
    if let Some(caller) = caller {
        request.extensions_mut().insert(caller);
    }
    next.run(request).await
}

/// A request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub raw: Bytes,
    pub body: Value,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

#[derive(Default)]
struct ReceiverState {
    received: Mutex<Vec<Received>>,
    /// Status answered on paths without their own.
    status: AtomicU16,
    status_by_path: Mutex<HashMap<String, u16>>,
    arrived: Notify,
}

/// A destination app on a loopback port: records every request and answers the status
/// set for its path (200 unless changed). Requests to `/hang` are never answered.
pub struct Receiver {
    pub base_url: String,
    state: Arc<ReceiverState>,
    _server: JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Self {
        let state = Arc::new(ReceiverState::default());
        state.status.store(200, Ordering::SeqCst);
        let bound = bind_local(0).await.unwrap();
        let router = Router::new()
            .fallback(receive)
            .with_state(Arc::clone(&state));
        let server = serve(bound.listener, router);
        Self {
            base_url: bound.base_url,
            state,
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn set_status(&self, status: u16) {
        self.state.status.store(status, Ordering::SeqCst);
    }

    pub fn set_status_for(&self, path: &str, status: u16) {
        self.state
            .status_by_path
            .lock()
            .insert(path.to_owned(), status);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().clone()
    }

    pub fn received_at(&self, path: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|request| request.path == path)
            .collect()
    }

    /// Waits for the `n`th request (1-based) to arrive — for the one test that checks
    /// the background worker delivers on its own.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        loop {
            let arrived = self.state.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            arrived.await;
        }
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    request: Request,
) -> Result<StatusCode, StatusCode> {
    let path = request.uri().path().to_owned();
    if path == "/hang" {
        std::future::pending::<()>().await;
    }
    let headers = request.headers().clone();
    let raw = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .map_err(|_| StatusCode::BAD_REQUEST)?;
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    let status = state
        .status_by_path
        .lock()
        .get(&path)
        .copied()
        .unwrap_or_else(|| state.status.load(Ordering::SeqCst));
    state.received.lock().push(Received {
        path,
        headers,
        raw,
        body,
    });
    state.arrived.notify_waiters();
    Ok(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
}
