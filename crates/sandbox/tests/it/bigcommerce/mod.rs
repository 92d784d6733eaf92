//! The BigCommerce store simulator, driven over HTTP with reqwest (not through the client
//! crate), plus its control handle for setup and inspection.

mod app_extensions;
mod checkouts;
mod errors_and_limits;
mod install;
mod metafields;
mod orders;
mod refunds;
mod scripts;
mod shipments;

use reqwest::{Method, StatusCode};
use sandbox::bigcommerce::{
    AppRegistration, BigCommerce, BigCommerceOptions, EXAMPLE_CLIENT_ID, Example, spawn,
};
use serde_json::Value;

/// A spawned simulator with the example store and the example app installed.
pub struct Harness {
    pub sim: BigCommerce,
    pub base: String,
    pub http: reqwest::Client,
    pub ex: Example,
    /// The example app's token in the example store (all of the app's scopes).
    pub token: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    /// `Value::Null` for an empty body.
    pub body: Value,
    pub raw: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

impl Harness {
    pub async fn new() -> Self {
        Self::with_app_base("https://app.example.com").await
    }

    /// The example app registered with its callbacks under `app_base`.
    pub async fn with_app_base(app_base: &str) -> Self {
        let spawned = spawn(BigCommerceOptions::default()).await.unwrap();
        let sim = spawned.sim;
        let ex = sim.seed_example().unwrap();
        sim.register_app(AppRegistration::example(app_base))
            .unwrap();
        let token = sim
            .grant_token(&ex.store_hash, EXAMPLE_CLIENT_ID, None)
            .unwrap();
        Self {
            sim,
            base: spawned.base_url,
            http: client(),
            ex,
            token,
        }
    }

    /// `/stores/{hash}{path}`.
    pub fn store_path(&self, path: &str) -> String {
        format!("/stores/{}{}", self.ex.store_hash, path)
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header("Accept", "application/json");
        if let Some(token) = token {
            request = request.header("X-Auth-Token", token);
        }
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let raw = response.text().await.unwrap();
        let body = if raw.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&raw).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {raw}"))
        };
        Reply {
            status,
            headers,
            body,
            raw,
        }
    }

    /// A call to the example store with the app's token.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let body = body.map(|b| b.to_string());
        self.raw(
            method,
            &self.store_path(path),
            Some(&self.token),
            body.as_deref(),
        )
        .await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    /// A token of the example app with only `scopes` (re-granted: replaces the app's
    /// token, so use `self.token` no more afterwards in that test).
    pub fn token_with(&self, scopes: &[&str]) -> String {
        self.sim
            .grant_token(
                &self.ex.store_hash,
                EXAMPLE_CLIENT_ID,
                Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
            )
            .unwrap()
    }

    /// Turns the example checkout into an order through the API and returns its id.
    pub async fn checkout_order(&self) -> i64 {
        let reply = self
            .post(
                &format!("/v3/checkouts/{}/orders", self.ex.checkout_id),
                Value::Null,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
        reply.body["data"]["id"].as_i64().unwrap()
    }

    /// Scopes of the events of the example store after `mark`.
    pub fn scopes_since(&self, mark: u64) -> Vec<String> {
        self.sim
            .events_since(&self.ex.store_hash, mark)
            .into_iter()
            .map(|e| e.event.scope)
            .collect()
    }

    pub fn events_since(&self, mark: u64) -> Vec<(String, Value)> {
        self.sim
            .events_since(&self.ex.store_hash, mark)
            .into_iter()
            .map(|e| (e.event.scope, e.event.data))
            .collect()
    }
}

/// A v2 money string as cents (`"115.0000"` → 11500).
pub fn cents(v: &Value) -> i64 {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("not a money string: {v}"));
    let (whole, frac) = s.split_once('.').unwrap();
    assert_eq!(frac.len(), 4, "{s}");
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    let whole: i64 = whole.trim_start_matches('-').parse().unwrap();
    let frac: i64 = frac.parse().unwrap();
    assert_eq!(frac % 100, 0, "{s} has sub-cent digits");
    sign * (whole * 100 + frac / 100)
}

/// Checks the order identity of §4.4 on a v2 order body.
pub fn assert_totals_add_up(order: &Value) {
    let total = cents(&order["subtotal_inc_tax"])
        + cents(&order["shipping_cost_inc_tax"])
        + cents(&order["handling_cost_inc_tax"])
        + cents(&order["wrapping_cost_inc_tax"])
        - cents(&order["discount_amount"])
        - cents(&order["coupon_discount"]);
    assert_eq!(cents(&order["total_inc_tax"]), total, "{order:#}");
}

/// A second app, for visibility tests.
pub fn register_other_app(h: &Harness) -> String {
    h.sim
        .register_app(AppRegistration {
            client_id: "other-app".into(),
            client_secret: "other-secret".into(),
            ..AppRegistration::example("https://other.example.com")
        })
        .unwrap();
    h.sim.grant_token("abc123", "other-app", None).unwrap()
}

/// The shared fixtures directory (`SEQURA_BC_SHARED_DIR`, default `<workspace>/../shared`).
pub fn fixture(name: &str) -> Value {
    let dir = std::env::var("SEQURA_BC_SHARED_DIR")
        .unwrap_or_else(|_| format!("{}/../../../shared", env!("CARGO_MANIFEST_DIR")));
    let path = format!("{dir}/contracts/bigcommerce/examples/{name}");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap()
}
