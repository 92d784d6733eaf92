//! BigCommerce store simulator: a stateful, in-memory BigCommerce that the app reaches only
//! through base URLs (API base and login base are both the simulator's base URL).
//!
//! * [`spawn`] binds `127.0.0.1:0` and returns the base URL and the control handle;
//!   [`BigCommerce::router`] gives the axum router to mount elsewhere.
//! * HTTP surface ([`api`]): REST v2/v3 under `/stores/{hash}/v2|v3/…`, GraphQL App
//!   Extensions at `/stores/{hash}/graphql`, the hooks API of [`webhooks`], and
//!   `/oauth2/token`; BigCommerce's error styles, scopes ([`api::scopes`]), rate limit
//!   ([`ratelimit`]) and test fault switches ([`faults`]).
//! * One domain layer ([`domain`]) for every state change, used by the handlers and by the
//!   control handle alike; each change emits the webhook events BigCommerce would
//!   (`Webhooks::emit`) and records them in the simulator's own event log.
//! * [`model`]: the simulator's own representation, written from the contract (it does
//!   not depend on the client crate).
//! * [`control_panel`]: the merchant's browser pages at each store's
//!   `control_panel_base_url` (`{base}/cp/{hash}`): sign-in as a store user, My Apps
//!   (install with the auth callback in an iframe, open, uninstall), users, orders with
//!   their App Extensions; every click goes through the control handle.
//!
//! # Sharing the clock with the webhook engine
//!
//! `BigCommerceOptions::webhooks` takes the [`webhooks::Webhooks`] handle; build it on the
//! same [`crate::Clock`] as the store so that `clock.advance(…)` moves rate-limit windows,
//! token expiries and webhook retries together.
//!
//! # Decisions where the spec is silent or UNVERIFIED
//!
//! Each is also stated beside the code that makes it.
//!
//! * OAuth (`apps`): grant codes live 10 minutes and are consumed only by a successful
//!   exchange; `/oauth2/token` errors are `{"error", "error_description"}` — 400
//!   `invalid_request` / `invalid_grant` / `unsupported_grant_type`, 401 `invalid_client`;
//!   re-authorising with the same scopes keeps the token, new scopes replace (and revoke) it.
//!   Any store user may install; users who load the app become its users (`remove_user`).
//! * `control_panel_base_url` is the simulator's own control panel, `{base}/cp/{hash}`,
//!   not `https://store-{hash}.mybigcommerce.com`, so that the app's iframe and its links
//!   to orders work on one machine (apps must frame-allow its origin; see [`control_panel`]).
//! * Uninstall revokes the token, removes `auto_uninstall` scripts and the app's App
//!   Extensions, asks the webhook engine to `remove_app`, then calls the uninstall callback
//!   (its failure does not undo the uninstall). Metafields stay (they belong to the API
//!   account). A cancelled store emits `store/app/uninstalled` (`{"type": "store"}`) once
//!   and answers 401 afterwards.
//! * Gate order: faults, then the store's rate limit, then authentication — so a request
//!   with a bad token still uses quota and a 429 comes before a 401. The OAuth endpoint is
//!   not rate limited. Rate-limit headers are on every answer of a known store.
//! * Events: creating an order (API or storefront) emits `store/cart/converted` then
//!   `store/order/created`, and no `statusUpdated` (whether BigCommerce sends
//!   `cart/converted` for Checkout-API orders is UNVERIFIED). Status changes emit
//!   `statusUpdated` before `updated`. Every `PUT /v2/orders/{id}` emits `updated`, even one
//!   that changes nothing. Beyond the brief the store also emits `store/cart/created|updated|
//!   deleted`, `store/product/created`, `store/customer/created|updated` and
//!   `store/order/metafield/created|updated|deleted` (`{metafield_id, resource_id}`).
//!   `store/order/transaction/created` fills status/type/result like the documented example.
//! * Orders: `GET /v2/orders` lists Incomplete (0) orders too (so `cart_id` finds them);
//!   archived ones only with `is_deleted=true`, though they stay readable by id. Checkout-API
//!   orders have `order_source: "checkout_api"`, no payment, no store credit, no transactions.
//!   Storefront placement (`place_order`) applies all usable store credit, status 7, and
//!   writes `purchase` (store credit) and `pending` (offline method) transactions.
//!   `refunded_amount` and the lines' `refund_amount` stay 0, as documented.
//! * Totals: one tax rate per store, prices and shipping tax-inclusive; ex-tax values are
//!   derived (4 decimals in v2, 2 in v3). Editing a line clears its coupon share; a manual
//!   discount spreads over lines by their value.
//! * Shipments: the status becomes 2 once every physical unit not refunded is shipped
//!   (else 3); deleting a shipment gives its units back to `quantity_shipped` but keeps the
//!   status. Tracking fields only are updatable (`items` in a PUT is ignored).
//! * Refunds: see `domain::refunds` for amounts and the quote's methods (original payments
//!   first, store credit for registered customers, `custom`); the status is 4 once refunds
//!   reach the order total, else 14; API refunds have `user_id` 0, control-panel ones the
//!   owner's id. GIFT_WRAPPING, FEE and tax-adjustment refunds are refused (nothing to
//!   refund in the simulated stores). `requested_amount` is a number except in
//!   `GET …/refunds/{id}`, whose schema declares a string.
//! * Checkout tokens: refused (422) once the checkout's latest order has left status 0;
//!   `maxUses`/`ttl` default to 1 and 86 400 s when absent.
//! * Scripts: `consent_category` defaults to BigCommerce's `unknown`; `script_tag` html may
//!   hold 1–5 `<script>` tags; the 10-per-app limit is a 422.
//! * GraphQL: selections are validated against the known App Extensions schema; a request
//!   touching App Extensions without `store_app_extensions_manage` is an HTTP 403 with a
//!   GraphQL error body; extensions list per app.
//! * v3 error bodies carry `errors` only when non-empty (the documented 404 bodies disagree
//!   on its type); v2 validation errors are 400, v3 ones 422, malformed JSON is 400.

pub mod api;
pub mod api_caller;
pub mod apps;
pub mod control;
pub mod control_panel;
pub mod domain;
pub mod faults;
pub mod model;
pub mod money;
pub mod ratelimit;
pub mod state;
pub mod storefront;
pub mod webhooks;
pub mod wire;

pub use api_caller::ApiCaller;
// The inputs of the control handle's actions, for callers' convenience.
pub use apps::NewStore;
pub use control::{
    APP_SCOPES, BigCommerce, BigCommerceOptions, CallbackOutcome, EXAMPLE_CLIENT_ID,
    EXAMPLE_CLIENT_SECRET, Example, Spawned, spawn,
};
pub use domain::DomainError;
pub use domain::catalog::{CustomerUpdate, NewCustomer, NewProduct, NewUser};
pub use domain::checkout::{
    CheckoutEdit, NewCheckout, NewCoupon, NewLine, OfflineMethod, Placement,
};
pub use domain::orders::{AddressPatch, OrderEdit, OrderUpdate};
pub use domain::refunds::{RefundItemRequest, RefundPaymentRequest, RefundQuote, RefundRequest};
pub use domain::shipments::{NewShipment, ShipmentPatch};
pub use faults::FaultRule;
pub use model::AppRegistration;
pub use ratelimit::{RateLimit, RateLimitState};
pub use state::{CallbackKind, LifecycleRecord, RecordedEvent, RequestRecord};
