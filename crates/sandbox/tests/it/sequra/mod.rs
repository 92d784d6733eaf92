//! Tests of the SeQura simulator over HTTP (reqwest), with a stand-in shop on a
//! loopback port that receives IPNs and events. Time moves only by `clock.advance`;
//! notifications are stepped with `flush`/`run_due`; nothing sleeps.

mod api;
mod form;
mod garbage;
mod journeys;

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use parking_lot::Mutex;
use reqwest::Method;
use sandbox::Clock;
use sandbox::sequra::{DEMO_PASSWORD, DEMO_USERNAME, SequraOptions, SequraSim, SpawnedSequra};
use sandbox::server::{bind_local, serve};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use uuid::Uuid;

pub const MERCHANT: &str = "demo_es";

pub fn basic(username: &str, password: &str) -> String {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    format!("Basic {token}")
}

/// An answer: status, headers, body text.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn errors(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors array: {}", self.text))
            .iter()
            .map(|e| e.as_str().unwrap().to_owned())
            .collect()
    }
}

/// A simulator with the demo account, a stand-in shop, and an HTTP client.
pub struct Harness {
    pub spawned: SpawnedSequra,
    pub sim: SequraSim,
    pub clock: Clock,
    pub shop: Shop,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn new() -> Self {
        Self::with(|_| {}).await
    }

    /// With options tweaked; the background ticker is off so only queueing, `flush` and
    /// `run_due` send anything.
    pub async fn with(tweak: impl FnOnce(&mut SequraOptions)) -> Self {
        let clock = Clock::new();
        let mut options = SequraOptions {
            clock: clock.clone(),
            tick_interval: None,
            ..SequraOptions::default()
        };
        tweak(&mut options);
        let spawned = sandbox::sequra::spawn(options).await.unwrap();
        let sim = spawned.sim.clone();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap();
        let shop = Shop::start(sim.clone(), http.clone()).await;
        Self {
            spawned,
            sim,
            clock,
            shop,
            http,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.spawned.base_url(),
            path.trim_start_matches('/')
        )
    }

    /// A call with the demo credentials and `Sequra-Merchant-Id: demo_es`.
    pub async fn call(&self, method: Method, path: &str, body: Option<&str>) -> Answer {
        self.call_with(
            method,
            path,
            body,
            Some(&basic(DEMO_USERNAME, DEMO_PASSWORD)),
            Some(MERCHANT),
        )
        .await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        authorization: Option<&str>,
        merchant: Option<&str>,
    ) -> Answer {
        let mut request = self
            .http
            .request(method, self.url(path))
            .header("Accept", "application/json");
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        if let Some(merchant) = merchant {
            request = request.header("Sequra-Merchant-Id", merchant);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    /// A browser-like request without credentials.
    pub async fn browser(
        &self,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let mut request = self.http.request(method, self.url(path));
        if let Some(form) = form {
            request = request.form(form);
        }
        let response = request.send().await.unwrap();
        Answer {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    /// A valid `POST orders` body whose IPNs and events go to the shop.
    pub fn order_body(&self) -> Value {
        order_body(&self.shop.base_url, "A1001", 5097)
    }

    /// `POST orders` → the new order's uuid.
    pub async fn create(&self, body: &Value) -> Uuid {
        let answer = self
            .call(Method::POST, "orders", Some(&body.to_string()))
            .await;
        assert_eq!(answer.status, 204, "{}", answer.text);
        let location = answer.header("location").unwrap();
        Uuid::parse_str(location.rsplit('/').next().unwrap()).unwrap()
    }

    pub async fn create_default(&self) -> Uuid {
        let body = self.order_body();
        self.create(&body).await
    }

    /// `PUT orders/{uuid}` with the solicited body, `state` and `order_ref_1`.
    pub async fn acknowledge(&self, uuid: Uuid, state: &str, order_ref_1: &str) -> Answer {
        let body = acknowledgement(&self.sim, uuid, state, order_ref_1);
        self.call(
            Method::PUT,
            &format!("orders/{uuid}"),
            Some(&body.to_string()),
        )
        .await
    }

    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

/// The body a shop sends to confirm / hold: the solicitation with `state` set.
pub fn acknowledgement(sim: &SequraSim, uuid: Uuid, state: &str, order_ref_1: &str) -> Value {
    let mut order = sim.order(uuid).unwrap().solicitation;
    order["state"] = json!(state);
    order["merchant_reference"] = json!({"order_ref_1": order_ref_1, "order_ref_2": "cart-77"});
    json!({ "order": order })
}

pub fn product(reference: &str, price: i64, quantity: i64) -> Value {
    json!({
        "type": "product", "reference": reference, "name": format!("Product {reference}"),
        "price_with_tax": price, "quantity": quantity, "total_with_tax": price * quantity,
        "downloadable": false
    })
}

/// A complete, valid order of `total` cents (one product plus 5 € shipping), with
/// IPNs to `{shop}/ipn` and events to `{shop}/events`.
pub fn order_body(shop: &str, order_ref_1: &str, total: i64) -> Value {
    let shipping = 500;
    json!({"order": {
        "state": "",
        "merchant": {
            "id": MERCHANT,
            "notify_url": format!("{shop}/ipn"),
            "notification_parameters": {"signature": "sig-123", "storeId": "store-1", "cartId": "cart-77"},
            "return_url": format!("{shop}/return?product=SQ_PRODUCT_CODE"),
            "approved_callback": "__sequraApproved",
            "rejected_callback": "__sequraRejected",
            "events_webhook": {"url": format!("{shop}/events"), "parameters": {"signature": "ev-sig", "storeId": "store-1"}},
            "options": {"has_jquery": false}
        },
        "merchant_reference": {"order_ref_1": order_ref_1},
        "cart": {
            "currency": "EUR", "gift": false, "cart_ref": "cart-77",
            "order_total_with_tax": total,
            "items": [
                product("SKU-1", total - shipping, 1),
                {"type": "handling", "reference": "shipping cost", "name": "Shipping cost", "total_with_tax": shipping}
            ]
        },
        "delivery_method": {"name": "Standard", "home_delivery": true},
        "delivery_address": address(),
        "invoice_address": address(),
        "customer": {
            "email": "test@sequra.es", "given_names": "Fulano", "surnames": "De Tal",
            "language_code": "es-ES", "ip_number": "127.0.0.1", "user_agent": "Mozilla/5.0",
            "logged_in": false, "date_of_birth": "2000-01-01", "nin": "23232323T"
        },
        "gui": {"layout": "desktop"},
        "platform": {"name": "BigCommerce", "version": "3", "plugin_version": "0.1.0", "uname": "Linux", "db_name": "postgres", "db_version": "16"}
    }})
}

pub fn address() -> Value {
    json!({
        "given_names": "Fulano", "surnames": "De Tal", "company": "",
        "address_line_1": "Carrer d'Alí Bei, 7", "address_line_2": "",
        "postal_code": "08010", "city": "Barcelona", "country_code": "ES",
        "phone": "666666666"
    })
}

// --- the stand-in shop -----------------------------------------------------------

/// A request the shop got.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub raw: Bytes,
    pub fields: Vec<(String, String)>,
}

impl Received {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the shop does with an IPN before answering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShopMode {
    /// `PUT orders/{uuid}` confirmed (approved) / on_hold (needs_review), like a real shop.
    Acknowledge,
    /// Answers without telling SeQura anything.
    JustAnswer,
}

struct ShopState {
    sim: SequraSim,
    http: reqwest::Client,
    received: Mutex<Vec<Received>>,
    status: AtomicU16,
    mode: Mutex<ShopMode>,
    /// Status of each acknowledgement PUT the shop made.
    acknowledgements: Mutex<Vec<u16>>,
}

pub struct Shop {
    pub base_url: String,
    state: Arc<ShopState>,
    _server: JoinHandle<()>,
}

impl Shop {
    async fn start(sim: SequraSim, http: reqwest::Client) -> Self {
        let state = Arc::new(ShopState {
            sim,
            http,
            received: Mutex::new(Vec::new()),
            status: AtomicU16::new(200),
            mode: Mutex::new(ShopMode::Acknowledge),
            acknowledgements: Mutex::new(Vec::new()),
        });
        let bound = bind_local(0).await.unwrap();
        let router = Router::new()
            .fallback(shop_receive)
            .with_state(Arc::clone(&state));
        let server = serve(bound.listener, router);
        Self {
            base_url: bound.base_url,
            state,
            _server: server,
        }
    }

    pub fn set_status(&self, status: u16) {
        self.state.status.store(status, Ordering::SeqCst);
    }

    pub fn set_mode(&self, mode: ShopMode) {
        *self.state.mode.lock() = mode;
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().clone()
    }

    pub fn received_at(&self, path: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    pub fn acknowledgements(&self) -> Vec<u16> {
        self.state.acknowledgements.lock().clone()
    }
}

async fn shop_receive(State(state): State<Arc<ShopState>>, request: Request) -> StatusCode {
    let path = request.uri().path().to_owned();
    if path == "/hang" {
        std::future::pending::<()>().await;
    }
    let headers = request.headers().clone();
    let raw = axum::body::to_bytes(request.into_body(), usize::MAX)
        .await
        .unwrap();
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&raw).into_owned().collect();
    let received = Received {
        path: path.clone(),
        headers,
        raw,
        fields,
    };
    state.received.lock().push(received.clone());
    let mode = *state.mode.lock();
    if path == "/ipn" && mode == ShopMode::Acknowledge {
        let target = match received.field("sq_state") {
            Some("approved") => Some("confirmed"),
            Some("needs_review") => Some("on_hold"),
            _ => None,
        };
        let uuid = received
            .field("order_ref")
            .and_then(|r| Uuid::parse_str(r).ok());
        if let (Some(target), Some(uuid)) = (target, uuid) {
            let reference = state
                .sim
                .order(uuid)
                .and_then(|o| o.order_ref_1().map(str::to_owned))
                .unwrap_or_else(|| "A1001".to_owned());
            let body = acknowledgement(&state.sim, uuid, target, &reference);
            let status = state
                .http
                .put(format!("{}/orders/{uuid}", state.sim.base_url()))
                .header("Authorization", basic(DEMO_USERNAME, DEMO_PASSWORD))
                .header("Sequra-Merchant-Id", MERCHANT)
                .header("Content-Type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            state.acknowledgements.lock().push(status);
        }
    }
    StatusCode::from_u16(state.status.load(Ordering::SeqCst)).unwrap()
}
