//! Client ↔ simulator round trips: every public call of the client against a spawned
//! SeQura simulator (`sandbox::sequra`), reached only through its base URL, with the
//! simulator's control handle to decide orders, inject faults, step notifications
//! (`flush`/`run_due` on the shared `Clock`) and inspect what it recorded. SeQura's
//! notifications arrive at a small stand-in shop ([`Shop`]) that does what the app will:
//! parse with `Notification::parse`, check the signature with `signature::verify`, and
//! acknowledge with `PUT orders/{uuid}` before answering.

mod credentials;
mod faults;
mod notifications;
mod orders;
mod payment_methods;
mod updates;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use parking_lot::Mutex;
use sandbox::Clock;
use sandbox::sequra::{DEMO_PASSWORD, DEMO_USERNAME, SequraOptions, SequraSim, SpawnedSequra};
use secrecy::SecretString;
use sequra::{
    AcknowledgedState, Address, Cart, ClientConfig, Customer, DeliveryMethod, EventsWebhook, Gui,
    Item, Layout, LoggedIn, Merchant, MerchantOptions, MerchantReference, Notification,
    NotificationError, NotificationState, OrderRequest, OrderState, Platform, ProductItem,
    SequraClient, signature,
};
use tokio::task::JoinHandle;
use uuid::Uuid;

pub const MERCHANT: &str = "demo_es";
/// The shop's key for the tokens it asks SeQura to echo (the app's secret in production).
pub const SHOP_KEY: &[u8] = b"shop-signing-key";
pub const STORE_HASH: &str = "abc123";

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// The client of the demo account, pointed at `base_url`.
pub fn client(base_url: &str) -> SequraClient {
    client_with(ClientConfig::new(
        base_url,
        DEMO_USERNAME,
        SecretString::from(DEMO_PASSWORD),
    ))
}

pub fn client_with(config: ClientConfig) -> SequraClient {
    SequraClient::new(http(), config).unwrap()
}

/// A spawned simulator (demo account, no background ticker: notifications go out when
/// queued and when the test steps them), the client, and the stand-in shop.
pub struct Sim {
    pub spawned: SpawnedSequra,
    pub sim: SequraSim,
    pub clock: Clock,
    pub sequra: SequraClient,
    pub shop: Shop,
}

impl Sim {
    pub async fn new() -> Sim {
        let clock = Clock::new();
        let spawned = sandbox::sequra::spawn(SequraOptions {
            clock: clock.clone(),
            tick_interval: None,
            ..SequraOptions::default()
        })
        .await
        .unwrap();
        let sim = spawned.sim.clone();
        let sequra = client(spawned.base_url());
        let shop = Shop::start(sequra.clone()).await;
        Sim {
            spawned,
            sim,
            clock,
            sequra,
            shop,
        }
    }

    pub fn base_url(&self) -> &str {
        self.spawned.base_url()
    }

    /// The demo account's username with another password.
    pub fn wrong_password_client(&self) -> SequraClient {
        client_with(ClientConfig::new(
            self.base_url(),
            DEMO_USERNAME,
            SecretString::from("not-the-password"),
        ))
    }

    /// A realistic order for `cart_id`, created on the simulator and registered with the
    /// shop (which will confirm it as `order_ref_1`). Returns the uuid.
    pub async fn solicit(&self, cart_id: &str, order_ref_1: &str) -> String {
        let order = shop_order(&self.shop, MERCHANT, cart_id);
        let uuid = self.sequra.create_order(&order).await.unwrap();
        self.shop.expect(&uuid, order, order_ref_1, cart_id);
        uuid
    }

    /// The simulator's record of an order.
    pub fn order(&self, uuid: &str) -> sandbox::sequra::Order {
        self.sim.order(Uuid::parse_str(uuid).unwrap()).unwrap()
    }

    pub fn approve(&self, uuid: &str) {
        self.sim.approve(Uuid::parse_str(uuid).unwrap()).unwrap();
    }

    /// Solicited, approved, IPN delivered and the order confirmed as `order_ref_1`.
    pub async fn confirmed_order(&self, cart_id: &str, order_ref_1: &str) -> String {
        let uuid = self.solicit(cart_id, order_ref_1).await;
        self.approve(&uuid);
        self.sim.flush().await;
        assert_eq!(
            self.order(&uuid).state,
            sandbox::sequra::OrderState::Confirmed
        );
        uuid
    }

    /// Method + path + status of every call the simulator answered whose path starts with
    /// `prefix`.
    pub fn calls_to(&self, prefix: &str) -> Vec<(String, String, u16)> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with(prefix))
            .map(|r| (r.method, r.path, r.status))
            .collect()
    }
}

// --- the order the shop sends --------------------------------------------------------

pub fn product(reference: &str, name: &str, price: i64, quantity: i64) -> Item {
    Item::Product(ProductItem {
        reference: reference.into(),
        name: name.into(),
        price_with_tax: price,
        quantity,
        total_with_tax: price * quantity,
        downloadable: false,
        category: Some("Shoes".into()),
        url: Some(format!("https://shop.example.es/products/{reference}")),
        ..ProductItem::default()
    })
}

/// Two products (2 × 19.99 + 45.00), shipping 4.95, a 5.00 coupon and a 10.00 gift card:
/// 74.93 EUR.
pub fn shop_items() -> Vec<Item> {
    vec![
        product("SKU-RUN-42", "Running shoes", 1999, 2),
        product("SKU-JKT-M", "Rain jacket", 4500, 1),
        Item::handling("shipping", "Correos Express", 495),
        Item::discount("WELCOME5", "Coupon WELCOME5", -500),
        Item::other_payment("GIFT-0042", "Gift card", -1000),
    ]
}

pub const SHOP_TOTAL: i64 = 7493;

pub fn address() -> Address {
    Address {
        given_names: Some("Laura".into()),
        surnames: Some("García López".into()),
        company: String::new(),
        address_line_1: "Calle Mayor 12".into(),
        address_line_2: "3º B".into(),
        postal_code: "28013".into(),
        city: "Madrid".into(),
        country_code: "ES".into(),
        mobile_phone: Some("+34600000000".into()),
        state: Some("Madrid".into()),
        ..Address::default()
    }
}

pub fn platform() -> Platform {
    Platform {
        name: "BigCommerce".into(),
        version: "3.0".into(),
        plugin_version: Some("0.1.0".into()),
        uname: "Linux".into(),
        db_name: "postgresql".into(),
        db_version: "16".into(),
        php_version: None,
    }
}

/// The token the shop asks SeQura to echo for this cart.
pub fn token(cart_id: &str, merchant: &str) -> String {
    signature::sign(SHOP_KEY, &[STORE_HASH, cart_id, merchant])
}

/// A complete `POST orders` body for `cart_id`, notifications pointed at `shop`.
pub fn shop_order(shop: &Shop, merchant: &str, cart_id: &str) -> OrderRequest {
    let parameters: BTreeMap<String, String> = [
        ("signature".to_owned(), token(cart_id, merchant)),
        ("storeId".to_owned(), STORE_HASH.to_owned()),
        ("cartId".to_owned(), cart_id.to_owned()),
    ]
    .into();
    OrderRequest {
        state: OrderState::Solicited,
        merchant: Merchant {
            id: merchant.into(),
            notify_url: Some(shop.url("/sequra/ipn")),
            notification_parameters: Some(parameters.clone()),
            return_url: Some(format!(
                "https://shop.example.es/checkout/order-received?cart={cart_id}"
            )),
            approved_callback: Some("sequraApproved".into()),
            rejected_callback: Some("sequraRejected".into()),
            abort_url: Some("https://shop.example.es/checkout".into()),
            events_webhook: Some(EventsWebhook {
                url: shop.url("/sequra/events"),
                parameters,
            }),
            options: Some(MerchantOptions {
                has_jquery: Some(false),
                uses_shipped_cart: Some(true),
                ..MerchantOptions::default()
            }),
            ..Merchant::default()
        },
        merchant_reference: None,
        cart: Cart::new("EUR", shop_items()).with_ref(cart_id),
        delivery_method: DeliveryMethod {
            name: "Correos Express".into(),
            days: Some("1-2".into()),
            provider: Some("correos".into()),
            home_delivery: Some(true),
        },
        delivery_address: address(),
        invoice_address: address(),
        customer: Customer {
            email: "laura@example.es".into(),
            language_code: "es-ES".into(),
            ip_number: "203.0.113.7".into(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64)".into(),
            logged_in: LoggedIn::Known(true),
            given_names: Some("Laura".into()),
            surnames: Some("García López".into()),
            reference: Some("1042".into()),
            date_of_birth: Some("1985-04-12".into()),
            nin: Some("12345678Z".into()),
            ..Customer::default()
        },
        gui: Gui {
            layout: Layout::Desktop,
        },
        platform: platform(),
        trackings: None,
    }
}

// --- the stand-in shop -----------------------------------------------------------------

/// What the shop knows about one SeQura order: the body it solicited with, the shop
/// order number it will confirm as, the cart id the token was made for.
#[derive(Clone, Debug)]
pub struct Expected {
    pub order: OrderRequest,
    pub order_ref_1: String,
    pub cart_id: String,
}

/// One POST SeQura made to the shop, and what the shop did with it.
#[derive(Clone, Debug)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub parsed: Result<Notification, NotificationError>,
    pub signature_ok: bool,
    /// The shop's `PUT orders/{uuid}`, if it made one.
    pub acknowledged: Option<Result<(), String>>,
    pub answered: u16,
}

#[derive(Default)]
struct ShopState {
    expected: Mutex<HashMap<String, Expected>>,
    received: Mutex<Vec<Received>>,
}

/// A shop on a loopback port: `/sequra/ipn` and `/sequra/events`.
pub struct Shop {
    pub base_url: String,
    state: Arc<ShopState>,
    _server: JoinHandle<()>,
}

impl Shop {
    pub async fn start(sequra: SequraClient) -> Shop {
        let state = Arc::new(ShopState::default());
        let bound = sandbox::server::bind_local(0).await.unwrap();
        let router = Router::new().fallback({
            let state = Arc::clone(&state);
            move |uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = Arc::clone(&state);
                let sequra = sequra.clone();
                async move { handle(&state, &sequra, uri.path(), headers, body).await }
            }
        });
        let server = sandbox::server::serve(bound.listener, router);
        Shop {
            base_url: bound.base_url,
            state,
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Registers an order the shop will acknowledge when its IPN arrives.
    pub fn expect(&self, uuid: &str, order: OrderRequest, order_ref_1: &str, cart_id: &str) {
        self.state.expected.lock().insert(
            uuid.to_owned(),
            Expected {
                order,
                order_ref_1: order_ref_1.to_owned(),
                cart_id: cart_id.to_owned(),
            },
        );
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
}

/// What the app's IPN endpoint does (§2.1, §2.5): parse, find the order, check the
/// token, acknowledge with SeQura (confirm for `approved`, hold for `needs_review`),
/// answer 200 — or 410 when the order cannot be placed.
async fn handle(
    state: &ShopState,
    sequra: &SequraClient,
    path: &str,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let parsed = Notification::parse(&body);
    let mut received = Received {
        path: path.to_owned(),
        headers,
        body: body.clone(),
        parsed: parsed.clone(),
        signature_ok: false,
        acknowledged: None,
        answered: 200,
    };
    let answer = match parsed {
        Err(NotificationError::UnknownState(_)) => StatusCode::NOT_IMPLEMENTED,
        Err(_) => StatusCode::BAD_REQUEST,
        Ok(notification) => {
            let expected = state.expected.lock().get(&notification.order_ref).cloned();
            match expected {
                None => StatusCode::NOT_FOUND,
                Some(expected) => {
                    received.signature_ok = notification.parameter("signature").is_some_and(|s| {
                        signature::verify(
                            SHOP_KEY,
                            &[STORE_HASH, &expected.cart_id, &expected.order.merchant.id],
                            s,
                        )
                    });
                    if !received.signature_ok {
                        StatusCode::GONE
                    } else {
                        let target = match notification.state {
                            NotificationState::Approved => Some(AcknowledgedState::Confirmed),
                            NotificationState::NeedsReview => Some(AcknowledgedState::OnHold),
                            NotificationState::Cancelled => None,
                        };
                        match target {
                            None => StatusCode::OK,
                            Some(target) => {
                                let mut order = expected.order.clone();
                                order.merchant_reference = Some(MerchantReference {
                                    order_ref_1: expected.order_ref_1.clone(),
                                    order_ref_2: Some(notification.order_ref.clone()),
                                });
                                let result = sequra
                                    .update_order_state(&notification.order_ref, target, &order)
                                    .await
                                    .map_err(|e| e.to_string());
                                let ok = result.is_ok();
                                received.acknowledged = Some(result);
                                if ok { StatusCode::OK } else { StatusCode::GONE }
                            }
                        }
                    }
                }
            }
        }
    };
    received.answered = answer.as_u16();
    state.received.lock().push(received);
    answer
}

/// §0.3: keys whose value is null are omitted from request JSON. Panics on the first
/// null in a body the client sent, naming where it is.
pub fn assert_no_nulls(value: &serde_json::Value, path: &str) {
    match value {
        serde_json::Value::Null => panic!("null at {path}"),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_no_nulls(item, &format!("{path}[{i}]"));
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                assert_no_nulls(item, &format!("{path}.{key}"));
            }
        }
        _ => {}
    }
}

/// The `errors` of a 403/409, or a panic naming the error.
pub fn errors_of(result: Result<impl std::fmt::Debug, sequra::Error>) -> Vec<String> {
    match result {
        Err(e @ (sequra::Error::Rejected { .. } | sequra::Error::Forbidden { .. })) => {
            e.errors().to_vec()
        }
        other => panic!("expected a 403/409, got {other:?}"),
    }
}
