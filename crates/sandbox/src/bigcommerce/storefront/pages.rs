//! The storefront's pages (server-rendered; the checkout page has one small script of its
//! own, `checkout-app.js`, that behaves like checkout-js).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::{Shop, cents, cookie, page_error};

/// The offline methods the store offers (provider id, display name).
pub(super) const OFFLINE_METHODS: [(&str, &str); 2] =
    [("cod", "Cash on delivery"), ("bankdeposit", "Bank deposit")];

/// checkout-js's message for an unticked terms box.
pub(super) const TERMS_ERROR: &str = "Please agree to the terms and conditions";

pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn euros(c: i64) -> String {
    format!("€{}.{:02}", c / 100, (c % 100).abs())
}

fn layout(
    shop: &Shop,
    headers: &HeaderMap,
    title: &str,
    body: &str,
    head_extra: &str,
    footer_extra: &str,
) -> String {
    let name = shop
        .sim
        .store(&shop.store)
        .map(|s| s.profile.name)
        .unwrap_or_default();
    let who = match shop
        .customer_id(headers)
        .and_then(|c| shop.sim.customer(&shop.store, c))
    {
        Some(c) => format!(
            "<span data-test=\"sf-customer\">{} {}</span> <form method=\"post\" action=\"/logout\" style=\"display:inline\"><button data-test=\"sf-sign-out\">Sign out</button></form>",
            esc(&c.first_name),
            esc(&c.last_name)
        ),
        None => "<a href=\"/login\" data-test=\"sf-sign-in\">Sign in</a>".to_owned(),
    };
    format!(
        "<!doctype html><html lang=\"es\"><head><meta charset=\"utf-8\"><title>{t} · {n}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <style>body{{font-family:Helvetica,Arial,sans-serif;margin:0;color:#333}}header{{display:flex;gap:16px;align-items:center;padding:12px 24px;border-bottom:1px solid #ddd}}\
         main{{max-width:960px;margin:0 auto;padding:24px}}.optimizedCheckout-form-checklist{{list-style:none;padding:0;border:1px solid #ddd}}\
         .form-checklist-item{{padding:12px;border-bottom:1px solid #ddd}}.form-field--error label{{color:#c00}}.form-inlineMessage{{color:#c00}}\
         button{{padding:8px 16px}}</style>{head_extra}</head><body>\
         <header><strong data-test=\"sf-store\">{n}</strong><a href=\"/\">Products</a><a href=\"/cart\" data-test=\"sf-cart-link\">Cart</a><span style=\"margin-left:auto\">{who}</span></header>\
         <main>{body}</main>{footer_extra}</body></html>",
        t = esc(title),
        n = esc(&name),
    )
}

pub(super) fn error_page(message: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Error</title></head><body>\
         <main><h1>Something went wrong</h1><p data-test=\"sf-error\">{}</p><a href=\"/\">Back to the store</a></main></body></html>",
        esc(message)
    )
}

pub(super) async fn home(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    let Some(store) = shop.sim.store(&shop.store) else {
        return page_error(StatusCode::NOT_FOUND, "This store does not exist.");
    };
    let mut body = String::from("<h1>Products</h1><ul data-test=\"sf-products\">");
    for p in store.products.values() {
        body.push_str(&format!(
            "<li data-test=\"sf-product\" data-product-id=\"{id}\"><strong>{name}</strong> <span>{price}</span> <code>{sku}</code>\
             <form method=\"post\" action=\"/cart/add\" style=\"display:inline\"><input type=\"hidden\" name=\"product_id\" value=\"{id}\">\
             <input type=\"number\" name=\"quantity\" value=\"1\" min=\"1\" max=\"100\" aria-label=\"Quantity\">\
             <button data-test=\"sf-add-to-cart\">Add to cart</button></form></li>",
            id = p.id,
            name = esc(&p.name),
            price = euros(p.price_cents),
            sku = esc(&p.sku),
        ));
    }
    body.push_str("</ul>");
    Html(layout(&shop, &headers, "Products", &body, "", "")).into_response()
}

pub(super) async fn cart(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    let body = match shop
        .cart_id(&headers)
        .and_then(|id| shop.sim.checkout_json(&shop.store, &id))
    {
        None => {
            "<h1>Your cart</h1><p data-test=\"sf-cart-empty\">Your cart is empty.</p>".to_owned()
        }
        Some(c) => {
            let mut rows = String::new();
            for l in c["cart"]["line_items"]["physical_items"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(
                    c["cart"]["line_items"]["digital_items"]
                        .as_array()
                        .into_iter()
                        .flatten(),
                )
            {
                rows.push_str(&format!(
                    "<tr data-test=\"sf-cart-line\"><td>{}</td><td>{}</td><td>{}</td></tr>",
                    esc(l["name"].as_str().unwrap_or_default()),
                    l["quantity"],
                    euros(cents(&l["extended_sale_price"]))
                ));
            }
            format!(
                "<h1>Your cart</h1><table>{rows}</table><p>Total: <strong data-test=\"sf-cart-total\">{}</strong></p>\
                 <a href=\"/checkout\" data-test=\"sf-checkout-link\">Check out</a>",
                euros(cents(&c["grand_total"]))
            )
        }
    };
    Html(layout(&shop, &headers, "Cart", &body, "", "")).into_response()
}

pub(super) async fn login(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    let Some(store) = shop.sim.store(&shop.store) else {
        return page_error(StatusCode::NOT_FOUND, "This store does not exist.");
    };
    let mut body = String::from("<h1>Sign in</h1><ul>");
    for c in store.customers.values() {
        body.push_str(&format!(
            "<li><a href=\"/login/as/{}?next=/\" data-test=\"sf-sign-in-as\" data-email=\"{}\">{} {} ({})</a></li>",
            c.id,
            esc(&c.email),
            esc(&c.first_name),
            esc(&c.last_name),
            esc(&c.email)
        ));
    }
    body.push_str("</ul>");
    Html(layout(&shop, &headers, "Sign in", &body, "", "")).into_response()
}

pub(super) fn terms_required(shop: &Shop) -> bool {
    shop.sim
        .store(&shop.store)
        .and_then(|s| {
            s.channel_settings
                .get(&1)
                .map(|c| c.is_order_terms_and_conditions_enabled)
        })
        .unwrap_or(false)
}

/// The scripts BigCommerce renders on `visibility` pages: `(head, footer)` HTML.
fn scripts(shop: &Shop, visibility: &str) -> (String, String) {
    let (mut head, mut footer) = (String::new(), String::new());
    for s in shop.sim.scripts(&shop.store) {
        if !s.enabled || !(s.visibility == visibility || s.visibility == "all_pages") {
            continue;
        }
        let tag = if s.kind == "src" {
            let integrity = s.integrity_hashes.join(" ");
            let load = match s.load_method.as_str() {
                "async" => " async",
                "defer" => " defer",
                _ => "",
            };
            format!(
                "<script src=\"{}\"{}{load} crossorigin=\"anonymous\" data-script-uuid=\"{}\"></script>",
                esc(&s.src),
                if integrity.is_empty() {
                    String::new()
                } else {
                    format!(" integrity=\"{}\"", esc(&integrity))
                },
                esc(&s.uuid)
            )
        } else {
            s.html.clone()
        };
        if s.location == "head" {
            head.push_str(&tag);
        } else {
            footer.push_str(&tag);
        }
    }
    (head, footer)
}

/// The payment step's content: what checkout-js renders and re-renders.
fn payment_content(shop: &Shop, headers: &HeaderMap) -> String {
    let customer = shop
        .customer_id(headers)
        .and_then(|c| shop.sim.customer(&shop.store, c));
    let cart = shop.cart_id(headers).unwrap_or_default();
    let applied = shop.credit_applied.lock().contains(&cart);
    let mut html = String::from(
        "<div class=\"checkout-view-content\"><form id=\"checkout-payment\" method=\"post\" action=\"/checkout/place\">\
         <ul class=\"form-checklist optimizedCheckout-form-checklist\">",
    );
    for (id, name) in OFFLINE_METHODS {
        html.push_str(&format!(
            "<li class=\"form-checklist-item optimizedCheckout-form-checklist-item\"><div class=\"form-checklist-header\">\
             <input type=\"radio\" class=\"form-checklist-checkbox\" name=\"paymentProviderRadio\" id=\"radio-{id}\" value=\"{id}\">\
             <label for=\"radio-{id}\" class=\"form-label optimizedCheckout-form-label\">\
             <span class=\"paymentProviderHeader-name\" data-test=\"payment-method-name\">{name}</span></label></div></li>"
        ));
    }
    html.push_str("</ul>");
    if let Some(c) = customer.filter(|c| c.store_credit_cents > 0) {
        html.push_str(&format!(
            "<div class=\"form-field\" data-test=\"store-credit\"><input type=\"checkbox\" id=\"useStoreCredit\" name=\"useStoreCredit\"{}>\
             <label for=\"useStoreCredit\">Apply my store credit ({})</label></div>",
            if applied { " checked" } else { "" },
            euros(c.store_credit_cents)
        ));
    }
    if terms_required(shop) {
        html.push_str(
            "<fieldset class=\"form-fieldset checkout-terms\"><div class=\"form-field\" data-test=\"terms-field\">\
             <input type=\"checkbox\" id=\"terms\" name=\"terms\" value=\"true\">\
             <label for=\"terms\">Yes, I agree with the <a href=\"/terms\" target=\"_blank\">terms and conditions</a>.</label></div></fieldset>",
        );
    }
    html.push_str(
        "<div class=\"form-actions\"><button type=\"submit\" id=\"checkout-payment-continue\" class=\"button button--primary optimizedCheckout-buttonPrimary\">Place order</button></div>\
         </form></div>",
    );
    html
}

fn due(shop: &Shop, headers: &HeaderMap, checkout: &serde_json::Value) -> i64 {
    let grand = cents(&checkout["grand_total"]);
    let id = checkout["id"].as_str().unwrap_or_default();
    let credit = shop
        .customer_id(headers)
        .and_then(|c| shop.sim.customer(&shop.store, c))
        .map_or(0, |c| c.store_credit_cents);
    if shop.credit_applied.lock().contains(id) {
        grand - credit.min(grand)
    } else {
        grand
    }
}

pub(super) async fn checkout(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    let Some(c) = shop
        .cart_id(&headers)
        .and_then(|id| shop.sim.checkout_json(&shop.store, &id))
    else {
        return page_error(StatusCode::NOT_FOUND, "Your cart is empty.");
    };
    let b = &c["billing_address"];
    let (head, footer) = scripts(&shop, "checkout");
    let body = format!(
        "<h1>Checkout</h1><div id=\"checkout-app\" data-checkout-id=\"{id}\" data-terms-error=\"{terms}\">\
         <ol class=\"checkout-steps\"><li class=\"checkout-step checkout-step--customer\"><h2>Customer</h2><p>{email}</p></li>\
         <li class=\"checkout-step checkout-step--billing\"><h2>Billing</h2><p>{name}, {street}, {zip} {city}, {country}</p></li>\
         <li class=\"checkout-step checkout-step--payment\"><h2>Payment</h2>{content}</li></ol>\
         <aside class=\"cart-summary\"><div data-test=\"cart-total\">Total: <span data-test=\"cart-price-value\">{total}</span></div></aside></div>",
        id = esc(c["id"].as_str().unwrap_or_default()),
        terms = TERMS_ERROR,
        email = esc(b["email"].as_str().unwrap_or_default()),
        name = esc(&format!(
            "{} {}",
            b["first_name"].as_str().unwrap_or_default(),
            b["last_name"].as_str().unwrap_or_default()
        )),
        street = esc(b["address1"].as_str().unwrap_or_default()),
        zip = esc(b["postal_code"].as_str().unwrap_or_default()),
        city = esc(b["city"].as_str().unwrap_or_default()),
        country = esc(b["country_code"].as_str().unwrap_or_default()),
        content = payment_content(&shop, &headers),
        total = euros(due(&shop, &headers, &c)),
    );
    let footer = format!("<script src=\"/checkout-app.js\"></script>{footer}");
    Html(layout(&shop, &headers, "Checkout", &body, &head, &footer)).into_response()
}

/// The payment step's content alone, with the amount due (for the page's re-render).
pub(super) async fn payment_step(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    let Some(c) = shop
        .cart_id(&headers)
        .and_then(|id| shop.sim.checkout_json(&shop.store, &id))
    else {
        return page_error(StatusCode::NOT_FOUND, "Your cart is empty.");
    };
    (
        [("x-amount-due", euros(due(&shop, &headers, &c)))],
        Html(payment_content(&shop, &headers)),
    )
        .into_response()
}

fn order_page(shop: &Shop, headers: &HeaderMap, order_id: i64) -> Response {
    let Some(order) = shop.sim.order(&shop.store, order_id) else {
        return page_error(StatusCode::NOT_FOUND, "Unknown order.");
    };
    let totals = shop.sim.order_totals(&shop.store, order_id);
    let total = totals.map(|t| t.total).unwrap_or_default();
    let message = match order.status_id {
        12 | 7 => {
            "<p data-test=\"order-pending\">Your order is pending. We'll let you know when it is confirmed; you will receive an email shortly.</p>"
        }
        _ => "<p data-test=\"order-thanks\">Thank you! Your order has been placed.</p>",
    };
    let mut lines = String::new();
    for l in &order.lines {
        lines.push_str(&format!(
            "<li data-test=\"order-line\">{} × {}</li>",
            l.quantity,
            esc(&l.name)
        ));
    }
    let (head, footer) = scripts(shop, "order_confirmation");
    let body = format!(
        "<h1 data-test=\"order-confirmation\">Order #<span data-test=\"order-number\">{order_id}</span></h1>{message}\
         <ul>{lines}</ul><p>Total: <strong data-test=\"order-total\">{}</strong></p><p>Status: <span data-test=\"order-status\">{}</span></p>",
        euros(total),
        esc(&shop
            .sim
            .store(&shop.store)
            .map(|s| s.status_label(order.status_id))
            .unwrap_or_default()),
    );
    Html(layout(
        shop,
        headers,
        "Order confirmation",
        &body,
        &head,
        &footer,
    ))
    .into_response()
}

/// The confirmation of the order this session placed through the page itself.
pub(super) async fn own_confirmation(State(shop): State<Shop>, headers: HeaderMap) -> Response {
    match cookie(&headers, "bc_order").and_then(|o| o.parse().ok()) {
        Some(order) => order_page(&shop, &headers, order),
        None => page_error(
            StatusCode::NOT_FOUND,
            "No order was placed in this session.",
        ),
    }
}

#[derive(Deserialize)]
pub(super) struct Token {
    #[serde(default)]
    t: String,
}

/// `/order-confirmation/{order}?t={checkoutToken}`: a single-use checkout token shows a
/// server-created order to the shopper who paid it.
pub(super) async fn token_confirmation(
    State(shop): State<Shop>,
    headers: HeaderMap,
    Path(order): Path<String>,
    token: Result<Query<Token>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(order) = order.parse::<i64>() else {
        return page_error(StatusCode::NOT_FOUND, "Unknown order.");
    };
    let token = token.map(|Query(t)| t.t).unwrap_or_default();
    if token.is_empty() {
        return page_error(
            StatusCode::FORBIDDEN,
            "This confirmation link is not valid.",
        );
    }
    match shop.sim.redeem_checkout_token(&shop.store, order, &token) {
        Ok(()) => order_page(&shop, &headers, order),
        Err(_) => page_error(
            StatusCode::FORBIDDEN,
            "This confirmation link is not valid or was already used.",
        ),
    }
}
