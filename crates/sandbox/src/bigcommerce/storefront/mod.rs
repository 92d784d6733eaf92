//! The store's storefront, as far as a shopper's checkout needs it: products, a cart, a
//! checkout page shaped like Optimized One-Page Checkout, the storefront REST API the
//! checkout scripts read, and the order confirmation pages.
//!
//! # One origin per store
//!
//! A real storefront is its own origin and its APIs live at root paths
//! (`/api/storefront/…`, `/order-confirmation/…`), so scripts use relative URLs. Each store's
//! storefront is therefore served on its own loopback listener
//! ([`BigCommerce::spawn_storefront`]), and the store's `secure_url` (what `GET /v2/store`
//! answers) becomes that origin.
//!
//! # The checkout page (bigcommerce-platform.md §3.6)
//!
//! The payment step is `.checkout-step--payment` › `.checkout-view-content` with the method
//! list `ul.form-checklist.optimizedCheckout-form-checklist` of
//! `li.form-checklist-item.optimizedCheckout-form-checklist-item` (radio
//! `input[name="paymentProviderRadio"]`, name `.paymentProviderHeader-name[data-test=
//! "payment-method-name"]`), the total `[data-test="cart-total"] [data-test=
//! "cart-price-value"]`, the terms field `terms` in `fieldset.checkout-terms` (only when the
//! channel enables terms), store credit for a signed-in customer with credit, and
//! `#checkout-payment-continue` in `.form-actions`. Like checkout-js (a React app), the page's
//! own script replaces the whole payment-step subtree whenever the shopper changes
//! something (store credit, method), so third-party scripts must re-inject their nodes. An
//! unticked terms box gets checkout-js's error markup.
//!
//! Scripts registered through the Scripts API (enabled, `checkout` or `all_pages`) are
//! rendered in `head`/`footer` as BigCommerce does: `kind: src` with `integrity` and
//! `crossorigin="anonymous"`, so the browser refuses a file whose SRI hash does not match.
//!
//! # Sessions
//!
//! First-party cookies: `bc_cart` (the cart = checkout id), `bc_customer` (the signed-in
//! customer), `bc_order` (the order this session just placed). Whether store credit is
//! applied is storefront session state (the server-to-server checkout does not expose it
//! either).

use std::collections::HashSet;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use super::control::BigCommerce;
use super::domain::checkout::{CheckoutEdit, NewCheckout, NewLine, OfflineMethod, Placement};
use super::model::{Address, ShippingOption};

mod pages;

/// A storefront serving on a loopback port.
pub struct SpawnedStorefront {
    /// `http://127.0.0.1:{port}`: the store's `secure_url`.
    pub base_url: String,
    pub task: JoinHandle<()>,
}

impl Drop for SpawnedStorefront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Shop {
    sim: BigCommerce,
    store: String,
    /// Checkouts whose shopper applied their store credit.
    credit_applied: Arc<Mutex<HashSet<String>>>,
}

impl BigCommerce {
    /// Serves `store_hash`'s storefront on `127.0.0.1:port` (0 = any) and makes that origin
    /// the store's `secure_url`.
    pub async fn spawn_storefront(
        &self,
        store_hash: &str,
        port: u16,
    ) -> std::io::Result<SpawnedStorefront> {
        if self.store(store_hash).is_none() {
            return Err(std::io::Error::other(format!("no store {store_hash}")));
        }
        let bound = crate::server::bind_local(port).await?;
        self.set_storefront_url(store_hash, &bound.base_url);
        let shop = Shop {
            sim: self.clone(),
            store: store_hash.to_owned(),
            credit_applied: Arc::default(),
        };
        let task = crate::server::serve(bound.listener, router(shop));
        Ok(SpawnedStorefront {
            base_url: bound.base_url,
            task,
        })
    }
}

fn router(shop: Shop) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/cart", get(pages::cart))
        .route("/cart/add", post(add_to_cart))
        .route("/login", get(pages::login))
        .route("/login/as/{customer}", get(login_as))
        .route("/logout", post(logout))
        .route("/checkout", get(pages::checkout))
        .route("/checkout/payment-step", get(pages::payment_step))
        .route("/checkout/place", post(place))
        .route("/checkout/order-confirmation", get(pages::own_confirmation))
        .route(
            "/order-confirmation/{order}",
            get(pages::token_confirmation),
        )
        .route("/checkout-app.js", get(checkout_app_js))
        .route("/api/storefront/carts", get(api_carts))
        .route("/api/storefront/checkouts/{id}", get(api_checkout))
        .route(
            "/api/storefront/checkouts/{id}/store-credit",
            post(apply_credit).delete(remove_credit),
        )
        .with_state(shop)
}

// ---- session ---------------------------------------------------------------------------

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

fn set_cookie(name: &str, value: &str) -> (header::HeaderName, HeaderValue) {
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    (
        header::SET_COOKIE,
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("x=; Path=/")),
    )
}

impl Shop {
    fn customer_id(&self, headers: &HeaderMap) -> Option<i64> {
        cookie(headers, "bc_customer")
            .and_then(|c| c.parse().ok())
            .filter(|id| self.sim.customer(&self.store, *id).is_some())
    }

    /// The session's cart, if it still exists and is not yet an order.
    fn cart_id(&self, headers: &HeaderMap) -> Option<String> {
        cookie(headers, "bc_cart").filter(|id| {
            self.sim
                .checkout(&self.store, id)
                .is_some_and(|c| c.order_id.is_none())
        })
    }

    /// The checkout `id` if it is this session's; another session's (or no) checkout is
    /// as if it did not exist.
    fn checkout_of_session(&self, headers: &HeaderMap, id: &str) -> Option<Value> {
        if self.cart_id(headers).as_deref() != Some(id) {
            return None;
        }
        self.sim.checkout_json(&self.store, id)
    }
}

fn api_error(status: StatusCode, title: &str) -> Response {
    (
        status,
        axum::Json(json!({ "status": status.as_u16(), "title": title, "type": "about:blank" })),
    )
        .into_response()
}

fn page_error(status: StatusCode, message: &str) -> Response {
    (status, Html(pages::error_page(message))).into_response()
}

// ---- shopper actions --------------------------------------------------------------------

#[derive(Deserialize)]
struct AddForm {
    product_id: String,
    #[serde(default)]
    quantity: String,
}

async fn add_to_cart(
    State(shop): State<Shop>,
    headers: HeaderMap,
    form: Result<Form<AddForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return page_error(StatusCode::BAD_REQUEST, "The form could not be read.");
    };
    let (Ok(product_id), quantity) = (
        form.product_id.parse::<i64>(),
        form.quantity.parse::<i64>().unwrap_or(1),
    ) else {
        return page_error(StatusCode::BAD_REQUEST, "Unknown product.");
    };
    if !(1..=100).contains(&quantity) {
        return page_error(
            StatusCode::BAD_REQUEST,
            "Choose a quantity between 1 and 100.",
        );
    }
    let result = match shop.cart_id(&headers) {
        Some(id) => shop
            .sim
            .edit_checkout(
                &shop.store,
                &id,
                vec![CheckoutEdit::AddItem {
                    product_id,
                    quantity,
                }],
            )
            .map(|_| id),
        None => {
            let customer = shop.customer_id(&headers);
            let address = customer
                .and_then(|c| shop.sim.customer(&shop.store, c))
                .and_then(|c| c.addresses.first().cloned())
                .unwrap_or_else(Address::example);
            shop.sim.create_checkout(
                &shop.store,
                NewCheckout {
                    customer_id: customer,
                    email: customer.is_none().then(|| "guest@example.es".to_owned()),
                    items: vec![NewLine {
                        product_id,
                        quantity,
                    }],
                    billing_address: Some(address.clone()),
                    shipping_address: Some(address),
                    shipping_option: Some(ShippingOption::example()),
                    ..NewCheckout::default()
                },
            )
        }
    };
    match result {
        Ok(id) => ([set_cookie("bc_cart", &id)], Redirect::to("/cart")).into_response(),
        Err(e) => page_error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

#[derive(Deserialize)]
struct Next {
    #[serde(default)]
    next: String,
}

async fn login_as(
    State(shop): State<Shop>,
    Path(customer): Path<String>,
    Query(next): Query<Next>,
) -> Response {
    let Some(id) = customer
        .parse::<i64>()
        .ok()
        .filter(|id| shop.sim.customer(&shop.store, *id).is_some())
    else {
        return page_error(StatusCode::NOT_FOUND, "Unknown customer.");
    };
    // Only local paths: never an open redirect.
    let next = if next.next.starts_with('/') && !next.next.starts_with("//") {
        next.next
    } else {
        "/".to_owned()
    };
    (
        [set_cookie("bc_customer", &id.to_string())],
        Redirect::to(&next),
    )
        .into_response()
}

async fn logout() -> Response {
    ([set_cookie("bc_customer", "")], Redirect::to("/")).into_response()
}

#[derive(Deserialize)]
struct PlaceForm {
    #[serde(default, rename = "paymentProviderRadio")]
    method: String,
    #[serde(default)]
    terms: Option<String>,
}

async fn place(
    State(shop): State<Shop>,
    headers: HeaderMap,
    form: Result<Form<PlaceForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return page_error(StatusCode::BAD_REQUEST, "The form could not be read.");
    };
    let Some(id) = shop.cart_id(&headers) else {
        return page_error(StatusCode::NOT_FOUND, "Your cart is empty.");
    };
    if pages::terms_required(&shop) && form.terms.is_none() {
        return page_error(StatusCode::BAD_REQUEST, pages::TERMS_ERROR);
    }
    let Some(method) = pages::OFFLINE_METHODS
        .iter()
        .find(|(id, _)| *id == form.method)
    else {
        return page_error(StatusCode::BAD_REQUEST, "Choose a payment method.");
    };
    let use_credit = shop.credit_applied.lock().contains(&id);
    let placement = Placement::offline(
        OfflineMethod {
            provider_id: method.0.to_owned(),
            display_name: method.1.to_owned(),
        },
        use_credit,
    );
    match shop.sim.place_order(&shop.store, &id, placement) {
        Ok(order) => (
            [set_cookie("bc_order", &order.to_string())],
            Redirect::to("/checkout/order-confirmation"),
        )
            .into_response(),
        Err(e) => page_error(StatusCode::UNPROCESSABLE_ENTITY, &e.to_string()),
    }
}

async fn checkout_app_js() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        )],
        include_str!("checkout-app.js"),
    )
        .into_response()
}

// ---- storefront API ---------------------------------------------------------------------

/// `GET /api/storefront/carts`: the session's cart (an array, as BigCommerce answers).
async fn api_carts(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    let carts: Vec<Value> = shop
        .cart_id(&headers)
        .and_then(|id| shop.sim.checkout_json(&shop.store, &id))
        .map(|c| storefront_cart(&c["cart"]))
        .into_iter()
        .collect();
    axum::Json(Value::Array(carts)).into_response()
}

async fn api_checkout(
    State(shop): State<Shop>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match shop.checkout_of_session(&headers, &id) {
        Some(checkout) => {
            axum::Json(storefront_checkout(&shop, &headers, &checkout)).into_response()
        }
        None => api_error(StatusCode::NOT_FOUND, "Checkout not found"),
    }
}

async fn apply_credit(
    State(shop): State<Shop>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(checkout) = shop.checkout_of_session(&headers, &id) else {
        return api_error(StatusCode::NOT_FOUND, "Checkout not found");
    };
    let credit = shop
        .customer_id(&headers)
        .and_then(|c| shop.sim.customer(&shop.store, c))
        .map_or(0, |c| c.store_credit_cents);
    if credit <= 0 {
        return api_error(
            StatusCode::BAD_REQUEST,
            "There is no store credit to apply.",
        );
    }
    shop.credit_applied.lock().insert(id);
    axum::Json(storefront_checkout(&shop, &headers, &checkout)).into_response()
}

async fn remove_credit(
    State(shop): State<Shop>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(checkout) = shop.checkout_of_session(&headers, &id) else {
        return api_error(StatusCode::NOT_FOUND, "Checkout not found");
    };
    shop.credit_applied.lock().remove(&id);
    axum::Json(storefront_checkout(&shop, &headers, &checkout)).into_response()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// Cents of a v3 JSON amount (v3 amounts are JSON numbers with two decimals).
pub(super) fn cents(v: &Value) -> i64 {
    // Rounding a two-decimal number to cents is exact at these magnitudes.
    #[allow(clippy::cast_possible_truncation)]
    let c = (num(v) * 100.0).round() as i64;
    c
}

fn money(c: i64) -> Value {
    // Storefront amounts are JSON numbers.
    #[allow(clippy::cast_precision_loss)]
    let v = c as f64 / 100.0;
    json!(v)
}

fn line_items(items: &Value) -> Value {
    let map = |list: &Value| -> Vec<Value> {
        list.as_array()
            .map(|a| {
                a.iter()
                    .map(|l| {
                        json!({
                            "id": l["id"], "parentId": l["parent_id"], "variantId": l["variant_id"],
                            "productId": l["product_id"], "sku": l["sku"], "name": l["name"],
                            "url": l["url"], "quantity": l["quantity"], "isTaxable": l["is_taxable"],
                            "imageUrl": l["image_url"], "discounts": [], "discountAmount": l["discount_amount"],
                            "couponAmount": l["coupon_amount"], "listPrice": l["list_price"],
                            "salePrice": l["sale_price"], "extendedListPrice": l["extended_list_price"],
                            "extendedSalePrice": l["extended_sale_price"],
                            "isShippingRequired": l["is_require_shipping"], "options": [],
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    json!({
        "physicalItems": map(&items["physical_items"]),
        "digitalItems": map(&items["digital_items"]),
        "giftCertificates": [],
        "customItems": [],
    })
}

fn storefront_cart(cart: &Value) -> Value {
    json!({
        "id": cart["id"],
        "customerId": cart["customer_id"],
        "email": cart["email"],
        "currency": { "code": cart["currency"]["code"], "name": "Euro", "symbol": "€", "decimalPlaces": 2 },
        "isTaxIncluded": cart["tax_included"],
        "baseAmount": cart["base_amount"],
        "discountAmount": cart["discount_amount"],
        "cartAmount": cart["cart_amount_inc_tax"],
        "coupons": [],
        "discounts": [],
        "lineItems": line_items(&cart["line_items"]),
        "createdTime": cart["created_time"],
        "updatedTime": cart["updated_time"],
    })
}

/// The storefront (camelCase) view of a checkout for this session.
fn storefront_checkout(shop: &Shop, headers: &HeaderMap, c: &Value) -> Value {
    let id = c["id"].as_str().unwrap_or_default();
    let grand = cents(&c["grand_total"]);
    let customer = shop
        .customer_id(headers)
        .and_then(|id| shop.sim.customer(&shop.store, id));
    let credit = customer.as_ref().map_or(0, |c| c.store_credit_cents);
    let applied = customer.is_some() && shop.credit_applied.lock().contains(id);
    let used = if applied { credit.min(grand) } else { 0 };
    let b = &c["billing_address"];
    json!({
        "id": id,
        "cart": storefront_cart(&c["cart"]),
        "billingAddress": {
            "id": b["id"], "firstName": b["first_name"], "lastName": b["last_name"], "email": b["email"],
            "company": b["company"], "address1": b["address1"], "address2": b["address2"], "city": b["city"],
            "stateOrProvince": b["state_or_province"], "stateOrProvinceCode": b["state_or_province_code"],
            "country": b["country"], "countryCode": b["country_code"], "postalCode": b["postal_code"],
            "phone": b["phone"], "customFields": [],
        },
        "consignments": [],
        "taxes": c["taxes"],
        "coupons": [],
        "orderId": c["order_id"].as_str().and_then(|s| s.parse::<i64>().ok()),
        "shippingCostTotal": c["shipping_cost_total_inc_tax"],
        "grandTotal": money(grand),
        "subtotal": c["subtotal_inc_tax"],
        "outstandingBalance": money(grand - used),
        "isStoreCreditApplied": applied,
        "customer": match &customer {
            Some(cu) => json!({ "id": cu.id, "isGuest": false, "email": cu.email,
                "firstName": cu.first_name, "lastName": cu.last_name, "storeCredit": money(cu.store_credit_cents) }),
            None => json!({ "id": 0, "isGuest": true, "email": c["cart"]["email"], "storeCredit": 0 }),
        },
        "version": c["version"],
        "createdTime": c["created_time"],
        "updatedTime": c["updated_time"],
    })
}
