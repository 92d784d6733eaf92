//! What the shopper's browser and the merchant see: `form_v2` (the snippet a shop
//! injects), its script, the identification form (`pumbaa_form`) with its waiting and
//! result screens, a status endpoint the form polls, and a tiny merchant portal.
//!
//! The form talks to the shop's page with `postMessage` (the shop page runs the
//! simulator's script, which listens):
//! * `{type: "sequra:redirect", url}` — send the top window to `return_url`;
//! * `{type: "sequra:approved", callback}` / `{type: "sequra:rejected", callback}` —
//!   call the merchant's `approved_callback` / `rejected_callback` if the page defines
//!   it (rejected also closes the form);
//! * `{type: "sequra:close", reason}` — hide the iframe and call the close callback.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::api::{Caller, caller, error_response, html};
use super::catalogue::{PaymentMethod, euros};
use super::engine::Shared;
use super::payload::Cart;
use super::records::{Notification, Order};
use super::state::ApiError;
use super::state::{Decision, ReviewOutcome, State as SimState};

/// Persona (given names + surnames, case-insensitive) whose order goes to review and
/// is later approved (§6.5).
pub const PERSONA_REVIEW_APPROVE: &str = "Review Test Approve";
/// Persona whose order goes to review and is later cancelled (§6.5).
pub const PERSONA_REVIEW_CANCEL: &str = "Review Test Cancel";
/// Persona whose order is rejected at the form (assumed name; SeQura's is unknown).
pub const PERSONA_REJECT: &str = "Reject Test";

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/assets/sequra_form.js", get(form_script))
        .route(
            "/orders/{uuid}/pumbaa_form",
            get(pumbaa_form).post(submit_pumbaa_form),
        )
        .route("/orders/{uuid}/pumbaa_form/status", get(form_status))
        .route("/portal", get(portal_index))
        .route("/portal/orders/{uuid}", get(portal_order))
}

/// The decision a persona leads to.
pub fn persona_decision(given_names: &str, surnames: &str) -> Decision {
    let name = format!("{given_names} {surnames}");
    let name: Vec<&str> = name.split_whitespace().collect();
    let name = name.join(" ");
    if name.eq_ignore_ascii_case(PERSONA_REVIEW_APPROVE) {
        Decision::Review(Some(ReviewOutcome::Approve))
    } else if name.eq_ignore_ascii_case(PERSONA_REVIEW_CANCEL) {
        Decision::Review(Some(ReviewOutcome::Cancel))
    } else if name.eq_ignore_ascii_case(PERSONA_REJECT) {
        Decision::Reject
    } else {
        Decision::Approve
    }
}

/// Escapes text for HTML element content and quoted attributes.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON safe to put inside a `<script>` element.
fn js_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The method the form is for: `product` (default `i1`) and `campaign` (default the
/// product's first active campaign). Only catalogue values come out of here, so they
/// are safe in URLs, ids and scripts.
fn resolve_method<'a>(
    catalogue: &'a [PaymentMethod],
    product: Option<&str>,
    campaign: Option<&str>,
    now: DateTime<Utc>,
) -> Option<&'a PaymentMethod> {
    let product = product.unwrap_or("i1");
    let mut candidates = catalogue.iter().filter(|m| m.product == product);
    match campaign {
        Some(campaign) => candidates.find(|m| m.campaign.as_deref() == Some(campaign)),
        None => {
            let all: Vec<&PaymentMethod> = candidates.collect();
            all.iter()
                .find(|m| m.starts_at <= now && now < m.ends_at)
                .or_else(|| all.first())
                .copied()
        }
    }
}

/// Rails' 404 page, as SeQura answers for an unknown form.
pub(crate) fn not_found_page() -> Response {
    html(
        StatusCode::NOT_FOUND,
        "<!DOCTYPE html>\n<html>\n<head>\n  <title>The page you were looking for doesn't exist (404)</title>\n\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n</head>\n<body>\n\
         <div class=\"dialog\">\n  <h1>The page you were looking for doesn't exist.</h1>\n\
         <p>You may have mistyped the address or the page may have moved.</p>\n</div>\n</body>\n</html>\n"
            .to_owned(),
    )
}

fn form_url(base: &str, order: &Order, method: &PaymentMethod) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("product", &method.product);
    if let Some(campaign) = &method.campaign {
        query.append_pair("campaign", campaign);
    }
    format!(
        "{base}/orders/{}/pumbaa_form?{}",
        order.uuid,
        query.finish()
    )
}

/// `GET orders/{uuid}/form_v2` (authenticated).
pub(crate) async fn form_v2(
    State(shared): State<Arc<Shared>>,
    found: Option<axum::Extension<Caller>>,
    Path(uuid): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    let pairs = query_pairs(query.as_deref());
    let now = shared.now();
    let mut state = shared.state.lock();
    let Some(order) = state.order_of(&caller.username, &uuid) else {
        return not_found_page();
    };
    let key = order.uuid;
    let Some(method) = resolve_method(
        state.catalogue(&order.merchant_id),
        param(&pairs, "product"),
        param(&pairs, "campaign"),
        now,
    ) else {
        return not_found_page();
    };
    let src = form_url(&shared.base_url, order, method);
    let element = format!("sq-identification-{}", method.product);
    let body = format!(
        "<iframe id='{element}' name='{element}' class=\"sq-identification-iframe\"\n        \
         src=\"{src}\"\n        frameborder=\"0\" style=\"display:none;position:fixed;top:0;left:0;width:100%;height:100%;z-index:999999;\"></iframe>\n\
         <script type=\"text/javascript\">window.SequraFormElement = '{element}';</script>\n\
         <script src='{base}/assets/sequra_form.js'></script>\n",
        element = esc(&element),
        src = esc(&src),
        base = esc(&shared.base_url),
    );
    let detail = format!(
        "product {}{}",
        method.product,
        method
            .campaign
            .as_deref()
            .map(|c| format!(", campaign {c}"))
            .unwrap_or_default()
    );
    if let Some(order) = state.orders.get_mut(&key) {
        order.log(now, "GET orders/{uuid}/form_v2", Some(200), detail);
    }
    html(StatusCode::OK, body)
}

/// The script `form_v2` loads into the shop's page: `window.SequraFormInstance`.
async fn form_script(State(shared): State<Arc<Shared>>) -> Response {
    let origin = url::Url::parse(&shared.base_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let script = FORM_SCRIPT.replace("__SQ_ORIGIN__", &js_json(&json!(origin)));
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        script,
    )
        .into_response()
}

const FORM_SCRIPT: &str = r#"/* SeQura identification form (sequra-bigcommerce sandbox). No dependencies. */
(function () {
  var origin = __SQ_ORIGIN__;
  var closeCallback = null;
  function frame() {
    var id = window.SequraFormElement;
    return (id && document.getElementById(id)) || document.querySelector('iframe.sq-identification-iframe');
  }
  function callNamed(name) {
    if (typeof name === 'string' && typeof window[name] === 'function') {
      try { window[name](); } catch (e) { if (window.console) { console.error(e); } }
    }
  }
  function hide() {
    var f = frame();
    if (f) { f.style.display = 'none'; }
  }
  function close(reason) {
    hide();
    if (typeof closeCallback === 'function') {
      try { closeCallback(reason); } catch (e) { if (window.console) { console.error(e); } }
    }
  }
  window.SequraFormInstance = {
    show: function () {
      var f = frame();
      if (f) { f.style.display = 'block'; }
    },
    hide: hide,
    setCloseCallback: function (fn) { closeCallback = fn; }
  };
  if (!window.__sequraFormListener) {
    window.__sequraFormListener = true;
    window.addEventListener('message', function (event) {
      if (event.origin !== origin) { return; }
      var data = event.data || {};
      var instance = window.SequraFormInstance;
      if (data.type === 'sequra:redirect' && typeof data.url === 'string') {
        window.location.href = data.url;
      } else if (data.type === 'sequra:approved') {
        callNamed(data.callback);
      } else if (data.type === 'sequra:rejected') {
        callNamed(data.callback);
        instance.__close('rejected');
      } else if (data.type === 'sequra:close') {
        instance.__close(data.reason || 'closed');
      }
    });
  }
  window.SequraFormInstance.__close = close;
})();
"#;

fn customer_field(order: &Order, key: &str) -> String {
    order
        .customer
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

fn phone_of(order: &Order) -> String {
    [&order.invoice_address, &order.delivery_address]
        .iter()
        .flat_map(|address| ["mobile_phone", "phone"].map(|key| address.get(key)))
        .flatten()
        .filter_map(Value::as_str)
        .find(|p| !p.is_empty())
        .unwrap_or("")
        .to_owned()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f5f7f8;margin:0;padding:24px;color:#1c1c1c}\
main{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 2px 12px rgba(0,0,0,.15)}\
label{display:block;margin:10px 0 2px;font-size:14px}input{width:100%;box-sizing:border-box;padding:8px;font-size:15px}\
button,a.button{margin-top:16px;padding:10px 16px;font-size:15px;border:0;border-radius:4px;background:#00c2a3;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}\
button.secondary{background:#999}.error{color:#b00020}h1{font-size:20px}";

fn page(title: &str, action: &str, uuid: &str, content: &str, script: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>{title} - seQura</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n<main id=\"sq-form\" data-action=\"{action}\" data-order=\"{uuid}\">\n{content}\n</main>\n\
         <script>\n{script}\n</script>\n</body>\n</html>\n",
        title = esc(title),
        action = esc(action),
        uuid = esc(uuid),
    )
}

const CLOSE_SCRIPT: &str = "function sqPost(message){ if (window.parent && window.parent !== window) { window.parent.postMessage(message, '*'); } }\n\
var closeButton = document.getElementById('sq-close');\n\
if (closeButton) { closeButton.addEventListener('click', function(){ sqPost({type:'sequra:close', reason:'closed'}); }); }";

fn identification_page(
    base: &str,
    order: &Order,
    method: Option<&PaymentMethod>,
    values: &[(&str, String)],
    error: Option<&str>,
) -> String {
    let uuid = order.uuid.to_string();
    let title = method.map_or("seQura", |m| m.title.as_str());
    let field = |name: &str, label: &str, kind: &str| {
        let value = values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        format!(
            "<label for=\"{name}\">{label}</label><input type=\"{kind}\" id=\"{name}\" name=\"{name}\" value=\"{}\" required>\n",
            esc(value)
        )
    };
    let mut content = format!(
        "<h1>{}</h1>\n<p id=\"sq-amount\">Total: {}</p>\n",
        esc(title),
        esc(&euros(order.solicited_cart.order_total_with_tax))
    );
    if let Some(error) = error {
        content.push_str(&format!(
            "<p class=\"error\" id=\"sq-error\">{}</p>\n",
            esc(error)
        ));
    }
    content.push_str(&format!(
        "<form id=\"sq-identification\" method=\"post\" action=\"{}/orders/{}/pumbaa_form\">\n",
        esc(base),
        esc(&uuid)
    ));
    if let Some(method) = method {
        content.push_str(&format!(
            "<input type=\"hidden\" name=\"product\" value=\"{}\">\n",
            esc(&method.product)
        ));
        if let Some(campaign) = &method.campaign {
            content.push_str(&format!(
                "<input type=\"hidden\" name=\"campaign\" value=\"{}\">\n",
                esc(campaign)
            ));
        }
    }
    content.push_str(&field("given_names", "Nombre", "text"));
    content.push_str(&field("surnames", "Apellidos", "text"));
    content.push_str(&field("email", "Email", "email"));
    content.push_str(&field("date_of_birth", "Fecha de nacimiento", "date"));
    content.push_str(&field("nin", "DNI / NIE", "text"));
    content.push_str(&field("phone", "Móvil", "tel"));
    content.push_str(
        "<button type=\"submit\" id=\"sq-submit\">Confirmar</button>\n\
         <button type=\"button\" class=\"secondary\" id=\"sq-close\">Cancelar</button>\n</form>\n",
    );
    page(title, "identify", &uuid, &content, CLOSE_SCRIPT)
}

fn prefilled(order: &Order) -> Vec<(&'static str, String)> {
    vec![
        ("given_names", customer_field(order, "given_names")),
        ("surnames", customer_field(order, "surnames")),
        ("email", customer_field(order, "email")),
        ("date_of_birth", customer_field(order, "date_of_birth")),
        ("nin", customer_field(order, "nin")),
        ("phone", phone_of(order)),
    ]
}

/// `return_url` with WooCommerce's `SQ_PRODUCT_CODE` placeholder filled in.
fn return_url(order: &Order) -> Option<String> {
    let product = order.product_code.as_deref().unwrap_or("i1");
    order
        .merchant
        .return_url
        .as_ref()
        .map(|url| url.replace("SQ_PRODUCT_CODE", product))
}

fn status_json(base: &str, state: &SimState, order: &Order) -> Value {
    json!({
        "order": order.uuid.to_string(),
        "state": order.state.as_str(),
        "action": state.form_action(order),
        "return_url": return_url(order),
        "approved_callback": order.merchant.approved_callback,
        "rejected_callback": order.merchant.rejected_callback,
        "page_url": format!("{base}/orders/{}/pumbaa_form", order.uuid),
    })
}

/// The screen after the shopper submitted: waiting, review notice, conflict, result.
fn result_page(base: &str, state: &SimState, order: &Order) -> String {
    let status = status_json(base, state, order);
    let action = state.form_action(order);
    let uuid = order.uuid.to_string();
    let continue_link = |label: &str| match return_url(order) {
        Some(url) => format!(
            "<a class=\"button\" id=\"sq-continue\" href=\"{}\" target=\"_top\">{label}</a>",
            esc(&url)
        ),
        None => format!("<button type=\"button\" id=\"sq-close\">{label}</button>"),
    };
    let (title, content) = match action {
        "finish" => (
            "Pedido aprobado",
            format!(
                "<h1>¡Listo! Tu compra está aprobada</h1>\n<p>Your purchase is approved. Taking you back to the shop…</p>\n{}",
                continue_link("Volver a la tienda")
            ),
        ),
        "show_on_hold" => (
            "Solicitud en revisión",
            format!(
                "<h1 id=\"sq-review-notice\">Tu solicitud está siendo revisada</h1>\n\
                 <p>Your request is being reviewed. In a few minutes you will receive an email with the result; \
                 seQura might contact you for more information.</p>\n{}",
                continue_link("Continuar")
            ),
        ),
        "show_conflict" => (
            "La tienda no ha podido aceptar el pedido",
            "<h1 id=\"sq-conflict\">La tienda no ha podido aceptar el pedido</h1>\n\
             <p>The shop could not accept the order. Nothing will be charged; please contact the shop.</p>\n\
             <button type=\"button\" id=\"sq-close\">Cerrar</button>"
                .to_owned(),
        ),
        "reject" => (
            "Solicitud no aprobada",
            "<h1 id=\"sq-rejected\">Lo sentimos, no podemos aprobar tu solicitud</h1>\n\
             <p>We are sorry: your request was not approved. Please choose another payment method.</p>\n\
             <button type=\"button\" id=\"sq-close\">Cerrar</button>"
                .to_owned(),
        ),
        "cancelled" => (
            "Pedido cancelado",
            "<h1>Pedido cancelado</h1>\n<p>This order was cancelled.</p>\n\
             <button type=\"button\" id=\"sq-close\">Cerrar</button>"
                .to_owned(),
        ),
        "gave_up" => (
            "No hemos podido confirmar el pedido",
            "<h1 id=\"sq-gave-up\">No hemos podido confirmar tu pedido con la tienda</h1>\n\
             <p>We could not reach the shop to confirm your order. Please contact the shop.</p>\n\
             <button type=\"button\" id=\"sq-close\">Cerrar</button>"
                .to_owned(),
        ),
        _ => (
            "Confirmando",
            "<h1 id=\"sq-waiting\">Estamos confirmando tu pedido con la tienda…</h1>\n\
             <p>Waiting for the shop to confirm your order. Please do not close this window.</p>"
                .to_owned(),
        ),
    };
    let script = format!(
        "{CLOSE_SCRIPT}\nvar sqStatus = {status};\n{RESULT_SCRIPT}",
        status = js_json(&status)
    );
    page(title, action, &uuid, &content, &script)
}

const RESULT_SCRIPT: &str = r#"function sqRedirect(url) {
  if (window.parent && window.parent !== window) { sqPost({type:'sequra:redirect', url: url}); }
  else { window.location.href = url; }
}
var sqContinue = document.getElementById('sq-continue');
if (sqContinue) {
  sqContinue.addEventListener('click', function (event) { event.preventDefault(); sqRedirect(sqStatus.return_url); });
}
if (sqStatus.action === 'finish') {
  sqPost({type:'sequra:approved', callback: sqStatus.approved_callback});
  if (sqStatus.return_url) { sqRedirect(sqStatus.return_url); } else { sqPost({type:'sequra:close', reason:'approved'}); }
} else if (sqStatus.action === 'show_on_hold') {
  if (sqStatus.return_url) { setTimeout(function () { sqRedirect(sqStatus.return_url); }, 5000); }
} else if (sqStatus.action === 'reject') {
  sqPost({type:'sequra:rejected', callback: sqStatus.rejected_callback});
} else if (sqStatus.action === 'wait') {
  var statusUrl = sqStatus.page_url + '/status';
  var poll = function () {
    fetch(statusUrl, {cache: 'no-store'}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.action !== sqStatus.action) { window.location.replace(sqStatus.page_url); }
      else { setTimeout(poll, 1000); }
    }).catch(function () { setTimeout(poll, 2000); });
  };
  setTimeout(poll, 1000);
}"#;

/// `GET orders/{uuid}/pumbaa_form`: the form while the order is solicited, then the
/// screen that fits its state.
async fn pumbaa_form(
    State(shared): State<Arc<Shared>>,
    Path(uuid): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let pairs = query_pairs(query.as_deref());
    let now = shared.now();
    let state = shared.state.lock();
    let Some(order) = state.order_by_text(&uuid) else {
        return not_found_page();
    };
    if order.state != super::records::OrderState::Solicited {
        return html(StatusCode::OK, result_page(&shared.base_url, &state, order));
    }
    let catalogue = state.catalogue(&order.merchant_id);
    let Some(method) = resolve_method(
        catalogue,
        param(&pairs, "product"),
        param(&pairs, "campaign"),
        now,
    ) else {
        return not_found_page();
    };
    html(
        StatusCode::OK,
        identification_page(
            &shared.base_url,
            order,
            Some(method),
            &prefilled(order),
            None,
        ),
    )
}

/// `POST orders/{uuid}/pumbaa_form`: the shopper identifies; the persona decides.
async fn submit_pumbaa_form(
    State(shared): State<Arc<Shared>>,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Response {
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let now = shared.now();
    let mut state = shared.state.lock();
    let Some(order) = state.order_by_text(&uuid) else {
        return not_found_page();
    };
    let key = order.uuid;
    if order.state != super::records::OrderState::Solicited {
        return html(StatusCode::OK, result_page(&shared.base_url, &state, order));
    }
    let value = |name: &str| param(&fields, name).map(str::trim).unwrap_or("").to_owned();
    let values: Vec<(&str, String)> = [
        "given_names",
        "surnames",
        "email",
        "date_of_birth",
        "nin",
        "phone",
    ]
    .into_iter()
    .map(|name| (name, value(name)))
    .collect();
    let method = resolve_method(
        state.catalogue(&order.merchant_id),
        param(&fields, "product"),
        param(&fields, "campaign"),
        now,
    )
    .cloned();
    let Some(method) = method else {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            identification_page(
                &shared.base_url,
                order,
                None,
                &values,
                Some(
                    "Este método de pago no está disponible / This payment method is not available.",
                ),
            ),
        );
    };
    let missing = ["given_names", "surnames", "email"]
        .iter()
        .any(|name| value(name).is_empty());
    if missing {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            identification_page(
                &shared.base_url,
                order,
                Some(&method),
                &values,
                Some("Rellena nombre, apellidos y email / Please fill in your name and email."),
            ),
        );
    }
    let decision = persona_decision(&value("given_names"), &value("surnames"));
    let chosen = Some((method.product.clone(), method.campaign.clone()));
    if let Err(err) = state.decide(key, decision, chosen, now, &shared.policy) {
        tracing::debug!(%err, "form decision refused");
    }
    if let Some(order) = state.orders.get_mut(&key) {
        let name = format!("{} {}", value("given_names"), value("surnames"));
        order.log(
            now,
            "POST orders/{uuid}/pumbaa_form",
            Some(200),
            format!("submitted by '{name}'"),
        );
    }
    let page = state
        .orders
        .get(&key)
        .map(|order| result_page(&shared.base_url, &state, order));
    drop(state);
    shared.wake();
    match page {
        Some(page) => html(StatusCode::OK, page),
        None => not_found_page(),
    }
}

/// `GET orders/{uuid}/pumbaa_form/status`: what the form should show now.
async fn form_status(State(shared): State<Arc<Shared>>, Path(uuid): Path<String>) -> Response {
    let state = shared.state.lock();
    match state.order_by_text(&uuid) {
        Some(order) => (
            [(header::CACHE_CONTROL, "no-store")],
            axum::Json(status_json(&shared.base_url, &state, order)),
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"errors": ["Not found"]})),
        )
            .into_response(),
    }
}

// --- portal ---------------------------------------------------------------------------

fn cart_table(title: &str, cart: &Cart) -> String {
    let mut rows = String::new();
    for item in &cart.items {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&item.kind),
            esc(&item.reference),
            esc(&item.name),
            item.quantity.map(|q| q.to_string()).unwrap_or_default(),
            esc(&euros(item.total_with_tax)),
        ));
    }
    format!(
        "<h3>{}</h3><table><tr><th>type</th><th>reference</th><th>name</th><th>qty</th><th>total</th></tr>{rows}\
         <tr><td colspan=\"4\"><b>order_total_with_tax</b></td><td><b>{}</b></td></tr></table>\n",
        esc(title),
        esc(&euros(cart.order_total_with_tax))
    )
}

fn notification_rows(notifications: &[&Notification]) -> String {
    let mut rows = String::new();
    for n in notifications {
        let answers: Vec<String> = n
            .attempts
            .iter()
            .map(|a| match a.outcome.status() {
                Some(status) => status.to_string(),
                None => format!("{:?}", a.outcome),
            })
            .collect();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            n.id,
            esc(&format!("{:?}", n.kind)),
            esc(&format!("{:?}", n.status)),
            esc(&answers.join(", ")),
        ));
    }
    rows
}

async fn portal_order(State(shared): State<Arc<Shared>>, Path(uuid): Path<String>) -> Response {
    let state = shared.state.lock();
    let Some(order) = state.order_by_text(&uuid) else {
        return not_found_page();
    };
    let mut body = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Order {uuid} - seQura portal (sandbox)</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:24px}}table{{border-collapse:collapse;margin-bottom:12px}}\
         td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}</style></head><body>\n\
         <h1>Order <code>{uuid}</code></h1>\n<dl>\
         <dt>State</dt><dd id=\"state\">{state_name}</dd>\
         <dt>Merchant</dt><dd>{merchant}</dd>\
         <dt>order_ref_1</dt><dd id=\"order-ref-1\">{ref1}</dd>\
         <dt>Product</dt><dd>{product}</dd>\
         <dt>Created</dt><dd>{created}</dd>{cancel}</dl>\n",
        uuid = esc(&order.uuid.to_string()),
        state_name = esc(order.state.as_str()),
        merchant = esc(&order.merchant_id),
        ref1 = esc(order.order_ref_1().unwrap_or("")),
        product = esc(order.product_code.as_deref().unwrap_or("")),
        created = esc(&order.created_at.to_rfc3339()),
        cancel = order
            .cancel_reason
            .as_deref()
            .map(|r| format!("<dt>Cancelled</dt><dd>{}</dd>", esc(r)))
            .unwrap_or_default(),
    );
    body.push_str("<h2>Carts</h2>\n");
    body.push_str(&cart_table("Solicited cart", &order.solicited_cart));
    if let Some(cart) = &order.confirmed_cart {
        body.push_str(&cart_table("Confirmed cart", cart));
    }
    body.push_str(&cart_table("Shipped cart", &order.shipped_cart));
    body.push_str(&cart_table("Unshipped cart", &order.unshipped_cart));
    body.push_str("<h2>Updates</h2>\n<table id=\"updates\"><tr><th>at</th><th>status</th><th>shipped</th><th>unshipped</th><th>errors</th></tr>");
    for update in &order.updates {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&update.at.to_rfc3339()),
            update.status,
            update
                .shipped_cart
                .as_ref()
                .map(|c| esc(&euros(c.order_total_with_tax)))
                .unwrap_or_default(),
            update
                .unshipped_cart
                .as_ref()
                .map(|c| esc(&euros(c.order_total_with_tax)))
                .unwrap_or_default(),
            esc(&update.errors.join(" ")),
        ));
    }
    body.push_str("</table>\n<h2>Notifications</h2>\n<table><tr><th>id</th><th>kind</th><th>status</th><th>answers</th></tr>");
    let notifications: Vec<&Notification> = state
        .notifications
        .values()
        .filter(|n| n.order == order.uuid)
        .collect();
    body.push_str(&notification_rows(&notifications));
    body.push_str("</table>\n<h2>History</h2>\n<table id=\"history\"><tr><th>at</th><th>action</th><th>status</th><th>detail</th></tr>");
    for entry in &order.history {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&entry.at.to_rfc3339()),
            esc(&entry.action),
            entry.status.map(|s| s.to_string()).unwrap_or_default(),
            esc(&entry.detail),
        ));
    }
    body.push_str("</table>\n</body></html>\n");
    html(StatusCode::OK, body)
}

async fn portal_index(State(shared): State<Arc<Shared>>) -> Response {
    let state = shared.state.lock();
    let mut rows = String::new();
    for uuid in state.order_list.iter().rev() {
        let Some(order) = state.orders.get(uuid) else {
            continue;
        };
        rows.push_str(&format!(
            "<tr><td><a href=\"{base}/portal/orders/{uuid}\">{uuid}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&order.merchant_id),
            esc(order.order_ref_1().unwrap_or("")),
            esc(order.state.as_str()),
            esc(&euros(order.solicited_cart.order_total_with_tax)),
            base = esc(&shared.base_url),
        ));
    }
    html(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>seQura portal (sandbox)</title></head><body>\
             <h1>Orders</h1><table><tr><th>uuid</th><th>merchant</th><th>order_ref_1</th><th>state</th><th>total</th></tr>{rows}</table></body></html>\n"
        ),
    )
}
