//! [`BigCommerce`]: the control handle of the simulator — set up stores and apps, act as
//! the merchant, the shopper or BigCommerce itself, inspect state, switch faults on — and
//! [`spawn`], which serves it on a loopback port.
//!
//! Merchant and shopper actions here call the same `domain` functions as the REST handlers,
//! so they change state and fire webhooks exactly as the API does.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use parking_lot::Mutex;
use serde_json::Value;
use tokio::task::JoinHandle;

use super::api;
use super::apps::{self, NewStore};
use super::control_panel;
use super::domain::catalog::{self, NewCustomer, NewProduct, NewUser};
use super::domain::checkout::{self, CheckoutEdit, NewCheckout, NewLine, Placement};
use super::domain::orders::{self, OrderEdit, OrderUpdate};
use super::domain::refunds::{self, RefundItemRequest, RefundQuote, RefundRequest};
use super::domain::shipments::{self, NewShipment, ShipmentPatch};
use super::domain::totals::{self, OrderTotals};
use super::domain::{DomainError, DomainResult, extensions};
use super::faults::FaultRule;
use super::model::{
    Address, AppExtension, AppRegistration, ChannelCheckoutSettings, Checkout, Customer, Install,
    Metafield, Order, Refund, Script, Shipment, ShippingOption, StoreState, StoreStatus,
    Transaction, status,
};
use super::ratelimit::{RateLimit, RateLimitState};
use super::state::{CallbackKind, Inner, LifecycleRecord, RecordedEvent, RequestRecord, State};
use super::webhooks::Webhooks;
use super::wire;
use crate::clock::Clock;

/// The fixtures' app (test values only).
pub const EXAMPLE_CLIENT_ID: &str = "test-client-id-abc123";
pub const EXAMPLE_CLIENT_SECRET: &str = "test-client-secret-0123456789abcdef";

/// The scopes the app requests (fixtures' auth callback, plus the modify Customers scope
/// that debiting store credit through `PUT /v3/customers` needs).
pub const APP_SCOPES: [&str; 9] = [
    "store_v2_orders",
    "store_v2_transactions_read_only",
    "store_checkout",
    "store_cart",
    "store_content_checkout",
    "store_v2_information_read_only",
    "store_v2_customers",
    "store_app_extensions_manage",
    "store_v2_products_read_only",
];

impl AppRegistration {
    /// The fixtures' app with its callbacks under `app_base_url` (`/bc/auth`, `/bc/load`,
    /// `/bc/uninstall`, `/bc/remove_user`).
    pub fn example(app_base_url: &str) -> Self {
        let base = app_base_url.trim_end_matches('/');
        Self {
            client_id: EXAMPLE_CLIENT_ID.into(),
            client_secret: EXAMPLE_CLIENT_SECRET.into(),
            auth_callback: format!("{base}/bc/auth"),
            load_callback: format!("{base}/bc/load"),
            uninstall_callback: format!("{base}/bc/uninstall"),
            remove_user_callback: format!("{base}/bc/remove_user"),
            scopes: APP_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            account_uuid: "12345678-90ab-cdef-1234-567890abcdef".into(),
        }
    }
}

#[derive(Clone)]
pub struct BigCommerceOptions {
    /// Shared with the webhook engine (pass a `Webhooks` built on the same clock).
    pub clock: Clock,
    /// The webhook subsystem; `Webhooks::new()` when `None`.
    pub webhooks: Option<Webhooks>,
    /// Every store's quota unless set per store.
    pub rate_limit: RateLimit,
    /// For the uninstall / remove_user callbacks; a plain client when `None`.
    pub http_client: Option<reqwest::Client>,
}

impl std::fmt::Debug for BigCommerceOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BigCommerceOptions")
            .field("clock", &self.clock)
            .field("webhooks", &self.webhooks.is_some())
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl Default for BigCommerceOptions {
    fn default() -> Self {
        Self {
            clock: Clock::new(),
            webhooks: None,
            rate_limit: RateLimit::default(),
            http_client: None,
        }
    }
}

/// What a server-to-server callback (uninstall, remove_user) got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallbackOutcome {
    /// The URL called, with its `signed_payload_jwt`.
    pub url: String,
    /// The app's HTTP status, or why there was none.
    pub status: std::result::Result<u16, String>,
}

/// The ids of the example scenario ([`BigCommerce::seed_example`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    pub store_hash: String,
    pub store_id: i64,
    pub owner_id: i64,
    pub staff_id: i64,
    /// "Camiseta algodón" (77, 25.00) and "Zapatillas running" (86, 60.00).
    pub products: [i64; 2],
    /// Laura Pérez, 20.00 store credit.
    pub customer_id: i64,
    /// 2 × 77 + 1 × 86 + 5.00 shipping = 115.00.
    pub checkout_id: String,
}

/// Control handle; cheap to clone.
#[derive(Clone)]
pub struct BigCommerce {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for BigCommerce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BigCommerce")
            .field("base_url", &self.inner.base_url)
            .finish_non_exhaustive()
    }
}

type Result<T> = DomainResult<T>;

/// 32 random bytes (two v4 UUIDs' worth of the OS's randomness).
fn random_key() -> [u8; 32] {
    let mut key = [0_u8; 32];
    let (a, b) = key.split_at_mut(16);
    a.copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    b.copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key
}

impl BigCommerce {
    /// A simulator answering on `base_url` (its API and login base, no trailing slash).
    pub fn new(base_url: impl Into<String>, options: BigCommerceOptions) -> Self {
        let state = State {
            limiter: super::ratelimit::Limiter::with_default(options.rate_limit),
            ..State::default()
        };
        let http = options.http_client.unwrap_or_else(|| {
            reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default()
        });
        Self {
            inner: Arc::new(Inner {
                state: Mutex::new(state),
                clock: options.clock,
                webhooks: options.webhooks.unwrap_or_default(),
                base_url: base_url.into().trim_end_matches('/').to_owned(),
                http,
                control_panel_key: random_key(),
            }),
        }
    }

    /// The HTTP surface: REST, GraphQL, hooks API, `/oauth2/token`, and the merchant's
    /// control panel (browser pages under `/cp/{store_hash}`, outside the API's gate).
    pub fn router(&self) -> Router {
        api::router(Arc::clone(&self.inner)).merge(control_panel::router(self.clone()))
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The control panel's CSRF secret.
    pub(crate) fn control_panel_key(&self) -> &[u8; 32] {
        &self.inner.control_panel_key
    }

    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub fn webhooks(&self) -> &Webhooks {
        &self.inner.webhooks
    }

    fn global<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.inner.state.lock())
    }

    fn mutate<T>(
        &self,
        store_hash: &str,
        action: impl FnOnce(&mut super::domain::StoreTx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.inner.mutate(store_hash, action)
    }

    // ---- setting up -------------------------------------------------------------------

    pub fn create_store(&self, new: NewStore) -> Result<()> {
        let control_panel = control_panel::base_url(&self.inner.base_url, &new.hash);
        self.global(|state| apps::create_store(state, new, control_panel))
    }

    /// Registers (or replaces) an app profile.
    pub fn register_app(&self, app: AppRegistration) -> Result<()> {
        self.global(|state| apps::register_app(state, app))
    }

    /// Makes `url` the store's storefront origin (`secure_url`, `domain`).
    pub fn set_storefront_url(&self, store_hash: &str, url: &str) {
        self.global(|state| {
            if let Ok(store) = state.store_mut(store_hash) {
                store.profile.secure_url = url.trim_end_matches('/').to_owned();
                store.profile.domain = url
                    .trim_start_matches("http://")
                    .trim_start_matches("https://")
                    .trim_end_matches('/')
                    .to_owned();
            }
        });
    }

    /// Makes `url` the store's `control_panel_base_url` (its control panel served on an
    /// origin of its own, as each real store has).
    pub(crate) fn set_control_panel_url(&self, store_hash: &str, url: &str) {
        self.global(|state| {
            if let Ok(store) = state.store_mut(store_hash) {
                store.profile.control_panel_base_url = url.trim_end_matches('/').to_owned();
            }
        });
    }

    /// The store's `control_panel_base_url`, if the store exists.
    pub(crate) fn control_panel_base(&self, store_hash: &str) -> Option<String> {
        self.inner
            .read(store_hash, |s| s.profile.control_panel_base_url.clone())
            .ok()
    }

    pub fn add_user(&self, store_hash: &str, user: NewUser) -> Result<i64> {
        self.mutate(store_hash, |tx| catalog::add_user(tx, user))
    }

    pub fn create_product(&self, store_hash: &str, product: NewProduct) -> Result<i64> {
        self.mutate(store_hash, |tx| catalog::create_product(tx, product))
    }

    pub fn create_customer(&self, store_hash: &str, customer: NewCustomer) -> Result<i64> {
        self.mutate(store_hash, |tx| catalog::create_customer(tx, customer))
    }

    pub fn set_store_credit(&self, store_hash: &str, customer_id: i64, cents: i64) -> Result<()> {
        self.mutate(store_hash, |tx| {
            catalog::set_store_credit(tx, customer_id, cents)
        })
    }

    /// The merchant renames a status (its `custom_label`, which orders show as `status`).
    pub fn rename_status(&self, store_hash: &str, status_id: u8, label: &str) -> Result<()> {
        self.mutate(store_hash, |tx| {
            let slot = tx
                .store
                .status_labels
                .get_mut(usize::from(status_id))
                .ok_or_else(|| DomainError::not_found("status"))?;
            *slot = label.to_owned();
            Ok(())
        })
    }

    /// The merchant changes a channel's checkout settings (terms and conditions, …).
    pub fn set_channel_settings(
        &self,
        store_hash: &str,
        channel_id: i64,
        change: impl FnOnce(&mut ChannelCheckoutSettings),
    ) -> Result<()> {
        self.mutate(store_hash, |tx| {
            let order_email = tx.store.profile.order_email.clone();
            let settings = tx
                .store
                .channel_settings
                .entry(channel_id)
                .or_insert_with(|| ChannelCheckoutSettings::new(&order_email));
            change(settings);
            Ok(())
        })
    }

    /// The fixtures' scenario (examples/README.md): store `abc123`, its owner and a staff
    /// user, two products, Laura Pérez with 20.00 store credit, and her checkout
    /// `c5e1b6f2-…` of 115.00. New orders start at 250, order products at 301, shipping
    /// addresses at 151, shipments at 12, refunds at 3, metafields at 7.
    pub fn seed_example(&self) -> Result<Example> {
        self.seed_like_example(NewStore::example(), "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10")
    }

    /// Another store seeded like the example one (same catalogue, customer and cart), with
    /// its own hash, ids and checkout id: for tests with several tenants. Give `store.ids`
    /// other starting points than the example's so that ids differ between the stores.
    pub fn seed_like_example(&self, store: NewStore, checkout_id: &str) -> Result<Example> {
        let hash = store.hash.clone();
        let store_id = store.store_id;
        self.create_store(store)?;
        let owner_id = self.inner.read(&hash, |s| s.owner_id)?;
        let staff_id = self.add_user(&hash, NewUser::new("staff@example.es", "es-ES"))?;
        let shirt = self.create_product(
            &hash,
            NewProduct {
                brand: "Ejemplo".into(),
                // Category 23 "Ropa".
                categories: vec![23],
                ..NewProduct::physical("Camiseta algodón", "CAM-ALG-M-AZ", 2_500)
            },
        )?;
        if hash == NewStore::example().hash {
            self.mutate(&hash, |tx| {
                tx.store.ids.product = 86;
                tx.store.ids.variant = 412;
                Ok(())
            })?;
        }
        let shoes = self.create_product(
            &hash,
            NewProduct {
                brand: "Ejemplo".into(),
                // Category 24 "Calzado".
                categories: vec![24],
                ..NewProduct::physical("Zapatillas running", "ZAP-RUN-42", 6_000)
            },
        )?;
        let customer_id = self.create_customer(
            &hash,
            NewCustomer {
                phone: "+34600000000".into(),
                store_credit_cents: 2_000,
                addresses: vec![Address::example()],
                ..NewCustomer::new("laura@example.es", "Laura", "Pérez")
            },
        )?;
        let checkout_id = self.create_checkout(
            &hash,
            NewCheckout {
                id: Some(checkout_id.to_owned()),
                customer_id: Some(customer_id),
                email: None,
                items: vec![
                    NewLine {
                        product_id: shirt,
                        quantity: 2,
                    },
                    NewLine {
                        product_id: shoes,
                        quantity: 1,
                    },
                ],
                billing_address: Some(Address::example()),
                shipping_address: Some(Address::example()),
                shipping_option: Some(ShippingOption::example()),
                coupons: Vec::new(),
                customer_message: String::new(),
            },
        )?;
        self.set_channel_settings(&hash, 1, |s| {
            s.is_order_terms_and_conditions_enabled = true;
            s.order_terms_and_conditions_type = "link".into();
            s.order_terms_and_conditions_link = "https://tienda.example.es/condiciones/".into();
        })?;
        Ok(Example {
            store_hash: hash,
            store_id,
            owner_id,
            staff_id,
            products: [shirt, shoes],
            customer_id,
            checkout_id,
        })
    }

    // ---- the app lifecycle --------------------------------------------------------------

    /// The user clicks Install: returns the app's auth callback URL with a one-time `code`,
    /// `scope`, `context` and `account_uuid` (what the browser would be sent to).
    pub fn start_install(&self, store_hash: &str, client_id: &str, user_id: i64) -> Result<String> {
        let now = self.inner.now();
        self.global(|state| apps::start_install(state, now, store_hash, client_id, user_id))
    }

    /// Installs without the OAuth dance and returns the access token (`scopes` default to
    /// the app's registered ones).
    pub fn grant_token(
        &self,
        store_hash: &str,
        client_id: &str,
        scopes: Option<Vec<String>>,
    ) -> Result<String> {
        let now = self.inner.now();
        self.global(|state| apps::grant_token(state, now, store_hash, client_id, scopes))
    }

    /// A `signed_payload_jwt` for `user_id` with the given `url` claim.
    pub fn signed_payload_jwt(
        &self,
        store_hash: &str,
        client_id: &str,
        user_id: i64,
        url: &str,
        channel_id: Option<i64>,
    ) -> Result<String> {
        let now = self.inner.now();
        self.global(|state| {
            apps::signed_payload(state, now, store_hash, client_id, user_id, url, channel_id)
        })
    }

    /// The user opens the app (Apps menu: `url` `/`; a deep link: its path): the load
    /// callback URL with a fresh `signed_payload_jwt`.
    pub fn load_url(
        &self,
        store_hash: &str,
        client_id: &str,
        user_id: i64,
        url: &str,
    ) -> Result<String> {
        let now = self.inner.now();
        self.global(|state| apps::load_url(state, now, store_hash, client_id, user_id, url, None))
    }

    /// The user clicks an App Extension on resource `resource_id` (an order for model
    /// ORDERS): the load URL whose JWT `url` is the extension's URL with `${id}` replaced,
    /// e.g. `/orders/250/sequra`.
    pub fn app_extension_click_url(
        &self,
        store_hash: &str,
        client_id: &str,
        user_id: i64,
        extension_id: &str,
        resource_id: i64,
    ) -> Result<String> {
        let number = extensions::parse_id(extension_id)
            .ok_or_else(|| DomainError::not_found("app extension"))?;
        let template = self
            .inner
            .read(store_hash, |s| {
                s.app_extensions
                    .get(&number)
                    .filter(|e| e.client_id == client_id)
                    .map(|e| e.url.clone())
            })?
            .ok_or_else(|| DomainError::not_found("app extension"))?;
        let url = template.replace("${id}", &resource_id.to_string());
        self.load_url(store_hash, client_id, user_id, &url)
    }

    async fn call_back(&self, kind: CallbackKind, url: String) -> CallbackOutcome {
        let status = match self.inner.http.get(&url).send().await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(e) => Err(e.to_string()),
        };
        self.global(|state| {
            state.lifecycle.push(LifecycleRecord::Callback {
                kind,
                url: url.clone(),
                status: status.clone(),
            });
        });
        CallbackOutcome { url, status }
    }

    /// The merchant uninstalls the app: its token, `auto_uninstall` scripts, App Extensions
    /// and webhooks are removed, then the uninstall callback is called (server to server).
    pub async fn uninstall(
        &self,
        store_hash: &str,
        client_id: &str,
        user_id: Option<i64>,
    ) -> Result<CallbackOutcome> {
        let now = self.inner.now();
        let url =
            self.global(|state| apps::uninstall(state, now, store_hash, client_id, user_id))?;
        self.inner.webhooks.remove_app(store_hash, client_id);
        self.global(|state| {
            state.lifecycle.push(LifecycleRecord::HooksRemoved {
                store_hash: store_hash.to_owned(),
                client_id: client_id.to_owned(),
            });
        });
        Ok(self.call_back(CallbackKind::Uninstall, url).await)
    }

    /// The owner revokes a user's access: the remove_user callback is called.
    pub async fn remove_user(
        &self,
        store_hash: &str,
        client_id: &str,
        user_id: i64,
    ) -> Result<CallbackOutcome> {
        let now = self.inner.now();
        let url =
            self.global(|state| apps::remove_user(state, now, store_hash, client_id, user_id))?;
        Ok(self.call_back(CallbackKind::RemoveUser, url).await)
    }

    /// The merchant's store is cancelled: `store/app/uninstalled` (`{type: "store"}`) is
    /// emitted and the store's API answers 401 from then on.
    pub fn cancel_store(&self, store_hash: &str) -> Result<()> {
        self.mutate(store_hash, |tx| {
            if tx.store.profile.status == StoreStatus::Cancelled {
                return Err(DomainError::Conflict(
                    "the store is already cancelled".into(),
                ));
            }
            tx.store.profile.status = StoreStatus::Cancelled;
            tx.emit(
                "store/app/uninstalled",
                serde_json::json!({"type": "store"}),
            );
            Ok(())
        })
    }

    // ---- shopper --------------------------------------------------------------------

    pub fn create_checkout(&self, store_hash: &str, new: NewCheckout) -> Result<String> {
        self.mutate(store_hash, |tx| checkout::create_checkout(tx, new))
    }

    /// Returns the new version.
    pub fn edit_checkout(
        &self,
        store_hash: &str,
        checkout_id: &str,
        edits: Vec<CheckoutEdit>,
    ) -> Result<i64> {
        self.mutate(store_hash, |tx| {
            checkout::edit_checkout(tx, checkout_id, edits, None)
        })
    }

    /// Storefront placement with an offline method (status 7, store credit if asked).
    pub fn place_order(
        &self,
        store_hash: &str,
        checkout_id: &str,
        placement: Placement,
    ) -> Result<i64> {
        self.mutate(store_hash, |tx| {
            checkout::place_order(tx, checkout_id, placement)
        })
    }

    /// `POST /v3/checkouts/{id}/orders`, as the API does it.
    pub fn create_order_from_checkout(&self, store_hash: &str, checkout_id: &str) -> Result<i64> {
        self.mutate(store_hash, |tx| checkout::create_order(tx, checkout_id))
    }

    /// What the order-confirmation page does with `?t=`: checks and uses the token.
    pub fn redeem_checkout_token(
        &self,
        store_hash: &str,
        order_id: i64,
        token: &str,
    ) -> Result<()> {
        self.mutate(store_hash, |tx| {
            checkout::redeem_checkout_token(tx, order_id, token)
        })
    }

    // ---- merchant ---------------------------------------------------------------------

    pub fn edit_order(&self, store_hash: &str, order_id: i64, edits: Vec<OrderEdit>) -> Result<()> {
        self.mutate(store_hash, |tx| orders::edit_order(tx, order_id, edits))
    }

    /// The same update `PUT /v2/orders/{id}` makes.
    pub fn update_order(&self, store_hash: &str, order_id: i64, update: OrderUpdate) -> Result<()> {
        self.mutate(store_hash, |tx| orders::update_order(tx, order_id, update))
    }

    pub fn set_order_status(&self, store_hash: &str, order_id: i64, status_id: u8) -> Result<()> {
        self.mutate(store_hash, |tx| orders::set_status(tx, order_id, status_id))
    }

    pub fn cancel_order(&self, store_hash: &str, order_id: i64) -> Result<()> {
        self.set_order_status(store_hash, order_id, status::CANCELLED)
    }

    pub fn archive_order(&self, store_hash: &str, order_id: i64) -> Result<()> {
        self.mutate(store_hash, |tx| orders::archive_order(tx, order_id))
    }

    /// "Ship items" for some items of one address.
    pub fn ship_items(
        &self,
        store_hash: &str,
        order_id: i64,
        shipment: NewShipment,
    ) -> Result<i64> {
        self.mutate(store_hash, |tx| {
            shipments::create_shipment(tx, order_id, shipment)
        })
    }

    /// "Ship items" for everything left, one shipment per address.
    pub fn ship_everything(
        &self,
        store_hash: &str,
        order_id: i64,
        tracking_number: &str,
    ) -> Result<Vec<i64>> {
        self.mutate(store_hash, |tx| {
            shipments::ship_everything(tx, order_id, tracking_number)
        })
    }

    pub fn update_shipment(
        &self,
        store_hash: &str,
        order_id: i64,
        shipment_id: i64,
        patch: ShipmentPatch,
    ) -> Result<()> {
        self.mutate(store_hash, |tx| {
            shipments::update_shipment(tx, order_id, shipment_id, patch)
        })
    }

    pub fn delete_shipment(&self, store_hash: &str, order_id: i64, shipment_id: i64) -> Result<()> {
        self.mutate(store_hash, |tx| {
            shipments::delete_shipment(tx, order_id, shipment_id)
        })
    }

    pub fn refund_quote(
        &self,
        store_hash: &str,
        order_id: i64,
        items: &[RefundItemRequest],
    ) -> Result<RefundQuote> {
        self.inner
            .read(store_hash, |s| refunds::quote(s, order_id, items))?
    }

    /// A refund with explicit payments (as the API takes them).
    pub fn refund(&self, store_hash: &str, order_id: i64, request: RefundRequest) -> Result<i64> {
        self.mutate(store_hash, |tx| {
            refunds::create_refund(tx, order_id, request)
        })
    }

    /// The merchant's Refund action by the store owner: items (by quantity) or amounts,
    /// back to the order's payment provider, or to store credit when asked.
    pub fn refund_items(
        &self,
        store_hash: &str,
        order_id: i64,
        items: Vec<RefundItemRequest>,
        to_store_credit: bool,
    ) -> Result<i64> {
        let owner = self.inner.read(store_hash, |s| s.owner_id)?;
        self.mutate(store_hash, |tx| {
            refunds::merchant_refund(tx, order_id, items, to_store_credit, owner)
        })
    }

    // ---- inspection -------------------------------------------------------------------

    /// A snapshot of everything a store holds.
    pub fn store(&self, store_hash: &str) -> Option<StoreState> {
        self.inner.read(store_hash, Clone::clone).ok()
    }

    pub fn order(&self, store_hash: &str, order_id: i64) -> Option<Order> {
        self.inner
            .read(store_hash, |s| s.orders.get(&order_id).cloned())
            .ok()
            .flatten()
    }

    pub fn order_totals(&self, store_hash: &str, order_id: i64) -> Option<OrderTotals> {
        self.order(store_hash, order_id)
            .map(|o| totals::order_totals(&o))
    }

    /// The order as `GET /v2/orders/{id}` shows it.
    pub fn order_json(&self, store_hash: &str, order_id: i64) -> Option<Value> {
        let base = self.inner.base_url.clone();
        self.inner
            .read(store_hash, |s| {
                s.orders.get(&order_id).map(|o| wire::order(s, o, &base))
            })
            .ok()
            .flatten()
    }

    pub fn orders(&self, store_hash: &str) -> Vec<Order> {
        self.inner
            .read(store_hash, |s| s.orders.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn checkout(&self, store_hash: &str, checkout_id: &str) -> Option<Checkout> {
        self.inner
            .read(store_hash, |s| s.checkouts.get(checkout_id).cloned())
            .ok()
            .flatten()
    }

    /// The checkout as `GET /v3/checkouts/{id}` shows it (`data`).
    pub fn checkout_json(&self, store_hash: &str, checkout_id: &str) -> Option<Value> {
        self.inner
            .read(store_hash, |s| {
                s.checkouts.get(checkout_id).map(|c| wire::checkout(s, c))
            })
            .ok()
            .flatten()
    }

    pub fn customer(&self, store_hash: &str, customer_id: i64) -> Option<Customer> {
        self.inner
            .read(store_hash, |s| s.customers.get(&customer_id).cloned())
            .ok()
            .flatten()
    }

    pub fn scripts(&self, store_hash: &str) -> Vec<Script> {
        self.inner
            .read(store_hash, |s| s.scripts.clone())
            .unwrap_or_default()
    }

    pub fn app_extensions(&self, store_hash: &str) -> Vec<AppExtension> {
        self.inner
            .read(store_hash, |s| s.app_extensions.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn metafields(&self, store_hash: &str, order_id: i64) -> Vec<Metafield> {
        self.inner
            .read(store_hash, |s| {
                s.metafields
                    .values()
                    .filter(|m| m.order_id == order_id)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn shipments(&self, store_hash: &str, order_id: i64) -> Vec<Shipment> {
        self.inner
            .read(store_hash, |s| {
                s.shipments
                    .values()
                    .filter(|x| x.order_id == order_id)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn refunds(&self, store_hash: &str, order_id: i64) -> Vec<Refund> {
        self.inner
            .read(store_hash, |s| {
                s.refunds
                    .values()
                    .filter(|r| r.order_id == order_id)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn transactions(&self, store_hash: &str, order_id: i64) -> Vec<Transaction> {
        self.inner
            .read(store_hash, |s| {
                s.transactions
                    .values()
                    .filter(|t| t.order_id == order_id)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn install(&self, store_hash: &str, client_id: &str) -> Option<Install> {
        self.inner
            .read(store_hash, |s| s.installs.get(client_id).cloned())
            .ok()
            .flatten()
    }

    /// Every registered app profile (the marketplace), by client id.
    pub fn apps(&self) -> Vec<AppRegistration> {
        self.global(|state| state.apps.values().cloned().collect())
    }

    /// Whether an access token is currently valid (for any store).
    pub fn token_is_valid(&self, token: &str) -> bool {
        self.global(|state| crate::secrets::find_by_secret(&state.tokens, token).is_some())
    }

    /// Every event emitted, in order.
    pub fn events(&self) -> Vec<RecordedEvent> {
        self.global(|state| state.events.clone())
    }

    /// Events of one store with a sequence number above `after` (0 = all).
    pub fn events_since(&self, store_hash: &str, after: u64) -> Vec<RecordedEvent> {
        self.global(|state| {
            state
                .events
                .iter()
                .filter(|e| e.seq > after && e.event.store_hash == store_hash)
                .cloned()
                .collect()
        })
    }

    /// The sequence number of the latest event or request (a mark for `events_since`).
    pub fn mark(&self) -> u64 {
        self.global(|state| state.next_seq)
    }

    /// Every request answered, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.global(|state| state.requests.clone())
    }

    /// Callbacks made to apps and hook removals asked of the webhook subsystem, in order.
    pub fn lifecycle(&self) -> Vec<LifecycleRecord> {
        self.global(|state| state.lifecycle.clone())
    }

    pub fn clear_logs(&self) {
        self.global(|state| {
            state.events.clear();
            state.requests.clear();
            state.lifecycle.clear();
        });
    }

    pub fn rate_limit_state(&self, store_hash: &str) -> RateLimitState {
        let now = self.inner.now_precise();
        self.global(|state| state.limiter.peek(store_hash, now))
    }

    // ---- limits and faults -------------------------------------------------------------

    /// The quota of one store, or the default of every store when `store_hash` is `None`.
    pub fn set_rate_limit(&self, store_hash: Option<&str>, limit: RateLimit) {
        self.global(|state| match store_hash {
            Some(hash) => {
                state.limiter.per_store.insert(hash.to_owned(), limit);
                state.limiter.reset(hash);
            }
            None => state.limiter.default = limit,
        });
    }

    /// Uses up the rest of the store's current window.
    pub fn exhaust_rate_limit(&self, store_hash: &str) {
        let now = self.inner.now_precise();
        self.global(|state| state.limiter.exhaust(store_hash, now));
    }

    pub fn reset_rate_limit(&self, store_hash: &str) {
        self.global(|state| state.limiter.reset(store_hash));
    }

    /// 429s from the rate limiter come without any rate-limit header.
    pub fn set_headerless_429(&self, on: bool) {
        self.global(|state| state.limiter.headerless_429 = on);
    }

    /// Added to every request (tests that need a slow platform).
    pub fn set_latency(&self, latency: Option<Duration>) {
        self.global(|state| state.faults.latency = latency);
    }

    /// The next `count` requests (any path) answer `status` (e.g. 500, 503, or 429 without
    /// headers for "platform load").
    pub fn fail_next(&self, count: u32, status: u16) {
        self.fail_matching(FaultRule {
            method: None,
            path: None,
            status,
            remaining: Some(count),
        });
    }

    pub fn fail_matching(&self, rule: FaultRule) {
        self.global(|state| state.faults.rules.push(rule));
    }

    pub fn clear_faults(&self) {
        self.global(|state| state.faults = Default::default());
    }
}

/// A simulator serving on a loopback port.
pub struct Spawned {
    /// `http://127.0.0.1:{port}`: the API base and the login base.
    pub base_url: String,
    pub sim: BigCommerce,
    pub task: JoinHandle<()>,
}

/// Binds `127.0.0.1:0`, builds the simulator with that base URL and serves it.
pub async fn spawn(options: BigCommerceOptions) -> std::io::Result<Spawned> {
    let bound = crate::server::bind_local(0).await?;
    let sim = BigCommerce::new(bound.base_url.clone(), options);
    let task = crate::server::serve(bound.listener, sim.router());
    Ok(Spawned {
        base_url: bound.base_url,
        sim,
        task,
    })
}
