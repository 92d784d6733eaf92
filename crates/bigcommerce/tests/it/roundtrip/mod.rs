//! Client ↔ simulator round trips: every public call of the client against a spawned
//! BigCommerce simulator (`sandbox::bigcommerce`), reached only through base URLs, with the
//! simulator's control handle to set scenes up, step time (the shared `Clock`) and inspect
//! what it computed. Amounts the client parses are compared, in cents, with the simulator's
//! own figures.

mod checkouts;
mod content;
mod errors;
mod install;
mod orders;
mod payments;
mod webhooks;

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use bigcommerce::{BigCommerce, ClientConfig, StoreClient, StoreHash};
use parking_lot::Mutex;
use sandbox::Clock;
use sandbox::bigcommerce::webhooks::{Webhooks, WebhooksOptions};
use sandbox::bigcommerce::{
    AppRegistration, BigCommerce as Simulator, BigCommerceOptions, EXAMPLE_CLIENT_ID, Example,
    OfflineMethod, Placement, spawn,
};
use secrecy::SecretString;
use tokio::task::JoinHandle;

/// A spawned simulator seeded with the example store, the example app installed (all its
/// scopes) with its callbacks on a loopback receiver, a webhook engine on the same clock,
/// and the client pointed at the simulator.
pub struct Sim {
    pub sim: Simulator,
    /// The app's side: callbacks (`/bc/auth`, `/bc/uninstall`, …) and webhook deliveries.
    pub app: Receiver,
    pub clock: Clock,
    pub webhooks: Webhooks,
    pub ex: Example,
    /// The example app's access token in the example store.
    pub token: String,
    pub bc: BigCommerce,
    /// `bc.store(abc123, token)`.
    pub store: StoreClient,
    _server: JoinHandle<()>,
}

impl Sim {
    pub async fn new() -> Sim {
        Sim::with_config(|_| {}).await
    }

    /// With the client's configuration changed by `tweak` (bases are always the simulator).
    pub async fn with_config(tweak: impl FnOnce(&mut ClientConfig)) -> Sim {
        let clock = Clock::new();
        // No background ticker: first attempts go out on emit, later ones only when a test
        // steps the engine (`flush`/`run_due`) after `clock.advance`.
        let webhooks = Webhooks::with_options(WebhooksOptions {
            clock: clock.clone(),
            tick_interval: None,
            ..WebhooksOptions::default()
        });
        let spawned = spawn(BigCommerceOptions {
            clock: clock.clone(),
            webhooks: Some(webhooks.clone()),
            ..BigCommerceOptions::default()
        })
        .await
        .unwrap();
        let sim = spawned.sim;
        let ex = sim.seed_example().unwrap();
        let app = Receiver::start().await;
        sim.register_app(AppRegistration::example(&app.base_url))
            .unwrap();
        let token = sim
            .grant_token(&ex.store_hash, EXAMPLE_CLIENT_ID, None)
            .unwrap();
        let mut config = ClientConfig::with_bases(&spawned.base_url, &spawned.base_url);
        tweak(&mut config);
        let bc = BigCommerce::new(http(), config).unwrap();
        let store = bc.store(
            StoreHash::parse(&ex.store_hash).unwrap(),
            SecretString::from(token.clone()),
        );
        Sim {
            sim,
            app,
            clock,
            webhooks,
            ex,
            token,
            bc,
            store,
            _server: spawned.task,
        }
    }

    /// The example app's auth callback URL (the OAuth `redirect_uri`).
    pub fn auth_callback(&self) -> String {
        self.app.url("/bc/auth")
    }

    pub fn hash(&self) -> &str {
        &self.ex.store_hash
    }

    /// A client of `store_hash` with `token`.
    pub fn client(&self, store_hash: &str, token: &str) -> StoreClient {
        self.bc.store(
            StoreHash::parse(store_hash).unwrap(),
            SecretString::from(token.to_owned()),
        )
    }

    /// The example app re-granted with only `scopes` (replaces `self.token`).
    pub fn client_with_scopes(&self, scopes: &[&str]) -> StoreClient {
        let token = self
            .sim
            .grant_token(
                self.hash(),
                EXAMPLE_CLIENT_ID,
                Some(scopes.iter().map(|s| (*s).to_owned()).collect()),
            )
            .unwrap();
        self.client(self.hash(), &token)
    }

    /// A second app ("other-app"), installed in the example store: visibility tests.
    pub fn other_app(&self) -> StoreClient {
        self.sim
            .register_app(AppRegistration {
                client_id: "other-app".into(),
                client_secret: "other-secret".into(),
                ..AppRegistration::example("https://other.example.com")
            })
            .unwrap();
        let token = self
            .sim
            .grant_token(self.hash(), "other-app", None)
            .unwrap();
        self.client(self.hash(), &token)
    }

    /// Laura's example checkout placed on the storefront with the "SeQura" offline method
    /// (status 7), paying `with_store_credit` what her credit covers.
    pub fn place_example_order(&self, with_store_credit: bool) -> u64 {
        let id = self
            .sim
            .place_order(
                self.hash(),
                &self.ex.checkout_id,
                Placement::offline(OfflineMethod::example(), with_store_credit),
            )
            .unwrap();
        u64::try_from(id).unwrap()
    }

    /// A fresh guest checkout of `lines` (product, quantity) with the example addresses and
    /// shipping option; returns its id.
    pub fn guest_checkout(&self, lines: &[(i64, i64)]) -> String {
        use sandbox::bigcommerce::model::{Address, ShippingOption};
        use sandbox::bigcommerce::{NewCheckout, NewLine};
        self.sim
            .create_checkout(
                self.hash(),
                NewCheckout {
                    email: Some("guest@example.es".into()),
                    items: lines
                        .iter()
                        .map(|&(product_id, quantity)| NewLine {
                            product_id,
                            quantity,
                        })
                        .collect(),
                    billing_address: Some(Address::example()),
                    shipping_address: Some(Address::example()),
                    shipping_option: Some(ShippingOption::example()),
                    ..NewCheckout::default()
                },
            )
            .unwrap()
    }

    /// Statuses the simulator answered on requests whose path contains `fragment`.
    pub fn statuses_of(&self, fragment: &str) -> Vec<u16> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| r.path.contains(fragment))
            .map(|r| r.status)
            .collect()
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

pub fn id(value: u64) -> i64 {
    i64::try_from(value).unwrap()
}

/// A webhook destination on a loopback port: records every delivery, answers 200.
pub struct Receiver {
    pub base_url: String,
    received: Arc<Mutex<Vec<Delivered>>>,
    _server: JoinHandle<()>,
}

#[derive(Clone, Debug)]
pub struct Delivered {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let received: Arc<Mutex<Vec<Delivered>>> = Arc::default();
        let bound = sandbox::server::bind_local(0).await.unwrap();
        let router = Router::new()
            .fallback(
                |State(log): State<Arc<Mutex<Vec<Delivered>>>>,
                 uri: Uri,
                 headers: HeaderMap,
                 body: Bytes| async move {
                    log.lock().push(Delivered {
                        path: uri.path().to_owned(),
                        headers,
                        body,
                    });
                    StatusCode::OK
                },
            )
            .with_state(Arc::clone(&received));
        let server = sandbox::server::serve(bound.listener, router);
        Receiver {
            base_url: bound.base_url,
            received,
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn received(&self) -> Vec<Delivered> {
        self.received.lock().clone()
    }
}
