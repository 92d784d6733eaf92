//! The merchant API (handlers parse and answer; `state` decides), its Basic-auth
//! layer, and the outer layer that records every call and applies injected faults.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use base64::Engine as _;
use serde_json::{Value, json};

use super::catalogue::payment_options_json;
use super::engine::Shared;
use super::pages;
use super::payload::{self, OrderCall};
use super::records::{RequestRecord, StoreIntegration};
use super::state::{ApiError, bad_merchant, bad_order};

/// The authenticated caller, put in the request (and response) extensions by `auth`.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub username: String,
    pub merchant_header: Option<String>,
}

type SharedState = State<Arc<Shared>>;

/// How many answered calls `requests()` keeps.
const MAX_REQUEST_RECORDS: usize = 10_000;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let authenticated = Router::new()
        .route("/merchants/credentials", get(all_credentials))
        .route(
            "/merchants/{merchant}/credentials",
            get(merchant_credentials),
        )
        .route(
            "/merchants/{merchant}/payment_methods",
            get(merchant_payment_methods),
        )
        .route(
            "/merchants/{merchant}/orders/{reference}",
            put(update_order),
        )
        .route("/orders", post(create_order))
        .route("/orders/delivery_reports", post(delivery_report))
        .route("/orders/{uuid}", put(acknowledge_order))
        .route("/orders/{uuid}/payment_methods", get(order_payment_methods))
        .route("/orders/{uuid}/form_v2", get(pages::form_v2))
        .route("/store_integrations", post(create_store_integration))
        .route(
            "/store_integrations/{url}",
            delete(delete_store_integration),
        )
        .route_layer(middleware::from_fn_with_state(Arc::clone(&shared), auth));
    Router::new()
        .merge(authenticated)
        .route("/deployments", get(deployments))
        .merge(pages::router())
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not Found") })
        .layer(middleware::from_fn_with_state(Arc::clone(&shared), observe))
        .with_state(shared)
}

/// One place where refusals become HTTP answers.
pub(crate) fn error_response(error: ApiError) -> Response {
    let errors = |status: StatusCode, errors: Vec<String>| {
        (status, axum::Json(json!({ "errors": errors }))).into_response()
    };
    match error {
        ApiError::Unauthorized => (
            StatusCode::UNAUTHORIZED,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::WWW_AUTHENTICATE, "Basic realm=\"Application\""),
            ],
            "HTTP Basic: Access denied.",
        )
            .into_response(),
        ApiError::Forbidden(message) => errors(StatusCode::FORBIDDEN, vec![message]),
        ApiError::NotFound(message) => errors(StatusCode::NOT_FOUND, vec![message]),
        ApiError::Conflict(list) => errors(StatusCode::CONFLICT, list),
        ApiError::BadRequest(message) => errors(StatusCode::BAD_REQUEST, vec![message]),
    }
}

/// Records the call, then applies injected latency and failures.
async fn observe(State(shared): SharedState, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let merchant_header = request
        .headers()
        .get("sequra-merchant-id")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let (latency, failure) = {
        let mut state = shared.state.lock();
        (state.faults.latency, state.faults.take_failure(&path))
    };
    let _write =
        (method != "GET" && method != "HEAD").then(|| WriteInFlight::enter(&shared, &path));
    if let Some(latency) = latency {
        tokio::time::sleep(latency).await;
    }
    let response = match failure {
        Some(status) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            axum::Json(json!({"errors": [format!("Simulated failure ({status}), injected by the sandbox")]})),
        )
            .into_response(),
        None => next.run(request).await,
    };
    let username = response
        .extensions()
        .get::<Caller>()
        .map(|caller| caller.username.clone());
    let record = RequestRecord {
        at: shared.now(),
        method,
        path,
        username,
        merchant_header,
        status: response.status().as_u16(),
    };
    let mut state = shared.state.lock();
    // A long-running demo must not grow without bound: keep the newest calls.
    if state.requests.len() >= MAX_REQUEST_RECORDS {
        state.requests.drain(..MAX_REQUEST_RECORDS / 10);
    }
    state.requests.push(record);
    drop(state);
    response
}

/// Counts a write to `path` while it is answered (dropped when the answer is ready or
/// the caller went away), keeping the highest overlap seen: evidence, for tests, that a
/// client never writes one order from two places at once.
struct WriteInFlight {
    shared: Arc<Shared>,
    path: String,
}

impl WriteInFlight {
    fn enter(shared: &Arc<Shared>, path: &str) -> Self {
        let mut state = shared.state.lock();
        let now = {
            let n = state.writes_in_flight.entry(path.to_owned()).or_insert(0);
            *n += 1;
            *n
        };
        let max = state.write_overlap.entry(path.to_owned()).or_insert(0);
        *max = (*max).max(now);
        drop(state);
        Self {
            shared: Arc::clone(shared),
            path: path.to_owned(),
        }
    }
}

impl Drop for WriteInFlight {
    fn drop(&mut self) {
        let mut state = self.shared.state.lock();
        if let Some(n) = state.writes_in_flight.get_mut(&self.path) {
            *n = n.saturating_sub(1);
        }
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (username, password) = decoded.split_once(':')?;
    Some((username.to_owned(), password.to_owned()))
}

/// Basic auth (401 text otherwise), then `Sequra-Merchant-Id` must name a merchant of
/// the account (403 otherwise; an assumption of Appendix A).
async fn auth(State(shared): SharedState, mut request: Request, next: Next) -> Response {
    let Some((username, password)) = basic_credentials(request.headers()) else {
        return error_response(ApiError::Unauthorized);
    };
    let merchant_header = request
        .headers()
        .get("sequra-merchant-id")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    {
        let state = shared.state.lock();
        if !state.authenticate(&username, &password) {
            return error_response(ApiError::Unauthorized);
        }
        if let Some(merchant) = &merchant_header
            && state.merchant(&username, merchant).is_none()
        {
            drop(state);
            let mut response = error_response(bad_merchant(merchant, &username));
            response.extensions_mut().insert(Caller {
                username,
                merchant_header,
            });
            return response;
        }
    }
    let caller = Caller {
        username,
        merchant_header,
    };
    request.extensions_mut().insert(caller.clone());
    let mut response = next.run(request).await;
    response.extensions_mut().insert(caller);
    response
}

/// The caller put in by `auth`; its absence (a routing mistake) fails closed.
pub(crate) fn caller(found: Option<axum::Extension<Caller>>) -> Option<Caller> {
    found.map(|axum::Extension(caller)| caller)
}

type Found = Option<axum::Extension<Caller>>;

async fn all_credentials(State(shared): SharedState, found: Found) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    let state = shared.state.lock();
    let merchants: Vec<Value> = state
        .account(&caller.username)
        .map(|a| a.merchants.iter().map(|m| m.credentials_json()).collect())
        .unwrap_or_default();
    axum::Json(Value::Array(merchants)).into_response()
}

async fn merchant_credentials(
    State(shared): SharedState,
    found: Found,
    Path(merchant): Path<String>,
) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    let state = shared.state.lock();
    match state.merchant(&caller.username, &merchant) {
        Some(m) => axum::Json(json!([m.credentials_json()])).into_response(),
        None => error_response(bad_merchant(&merchant, &caller.username)),
    }
}

async fn merchant_payment_methods(
    State(shared): SharedState,
    found: Found,
    Path(merchant): Path<String>,
) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    let state = shared.state.lock();
    match state.merchant(&caller.username, &merchant) {
        Some(m) => axum::Json(payment_options_json(
            state.catalogue(&merchant),
            None,
            &m.country,
        ))
        .into_response(),
        None => error_response(bad_merchant(&merchant, &caller.username)),
    }
}

async fn create_order(State(shared): SharedState, found: Found, body: Bytes) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    let parsed =
        payload::parse_json(&body).and_then(|root| payload::order(&root, OrderCall::Solicit));
    let order = match parsed {
        Ok(order) => order,
        Err(invalid) => return error_response(invalid.into()),
    };
    let now = shared.now();
    let result = shared.state.lock().solicit(&caller.username, order, now);
    match result {
        Ok(uuid) => {
            let location = format!("{}/orders/{uuid}", shared.base_url);
            let mut response = StatusCode::NO_CONTENT.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Err(err) => error_response(err),
    }
}

async fn order_payment_methods(
    State(shared): SharedState,
    found: Found,
    Path(uuid): Path<String>,
) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    let now = shared.now();
    let mut state = shared.state.lock();
    let Some(order) = state.order_of(&caller.username, &uuid) else {
        return error_response(bad_order(&uuid, &caller.username));
    };
    let amount = order.solicited_cart.order_total_with_tax;
    let merchant = order.merchant_id.clone();
    let key = order.uuid;
    let country = state
        .merchant(&caller.username, &merchant)
        .map(|m| m.country.clone())
        .unwrap_or_default();
    let eligible: Vec<_> = state
        .catalogue(&merchant)
        .iter()
        .filter(|m| m.is_eligible(amount, now))
        .cloned()
        .collect();
    let body = payment_options_json(&eligible, Some(amount), &country);
    if let Some(order) = state.orders.get_mut(&key) {
        let products: Vec<&str> = eligible.iter().map(|m| m.product.as_str()).collect();
        order.log(
            now,
            "GET orders/{uuid}/payment_methods",
            Some(200),
            products.join(", "),
        );
    }
    axum::Json(body).into_response()
}

async fn acknowledge_order(
    State(shared): SharedState,
    found: Found,
    Path(uuid): Path<String>,
    body: Bytes,
) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    if shared.state.lock().order_by_text(&uuid).is_none() {
        return error_response(ApiError::NotFound(format!("Order '{uuid}' not found")));
    }
    let parsed =
        payload::parse_json(&body).and_then(|root| payload::order(&root, OrderCall::Acknowledge));
    let now = shared.now();
    let result = match parsed {
        Ok(order) => shared
            .state
            .lock()
            .acknowledge(&caller.username, &uuid, order, now),
        Err(invalid) => {
            let error: ApiError = invalid.into();
            let mut state = shared.state.lock();
            let own = state
                .order_of(&caller.username, &uuid)
                .map(|order| order.uuid);
            if let Some(order) = own.and_then(|key| state.orders.get_mut(&key)) {
                let status = if matches!(error, ApiError::BadRequest(_)) {
                    400
                } else {
                    409
                };
                order.log(now, "PUT orders/{uuid}", Some(status), "invalid body");
            }
            Err(error)
        }
    };
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(err) => error_response(err),
    }
}

async fn update_order(
    State(shared): SharedState,
    found: Found,
    Path((merchant, reference)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    if shared
        .state
        .lock()
        .merchant(&caller.username, &merchant)
        .is_none()
    {
        return error_response(bad_merchant(&merchant, &caller.username));
    }
    let parsed = payload::parse_json(&body).and_then(|root| payload::update(&root));
    let now = shared.now();
    let update = match parsed {
        Ok(update) => update,
        Err(invalid) => {
            let refusal: ApiError = invalid.into();
            shared.state.lock().note_refused_update(
                &caller.username,
                &merchant,
                &reference,
                &refusal,
                &body,
                now,
            );
            return error_response(refusal);
        }
    };
    let result = shared
        .state
        .lock()
        .update(&caller.username, &merchant, &reference, update, now);
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(err) => error_response(err),
    }
}

async fn delivery_report(State(shared): SharedState, found: Found, body: Bytes) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    let parsed = payload::parse_json(&body).and_then(|root| payload::delivery_report(&root));
    let report = match parsed {
        Ok(report) => report,
        Err(invalid) => return error_response(invalid.into()),
    };
    let now = shared.now();
    match shared.state.lock().report(&caller.username, report, now) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => error_response(err),
    }
}

/// `GET deployments` (no auth): SeQura's list, with the simulator as both environments.
async fn deployments(State(shared): SharedState) -> Response {
    let base = format!("{}/", shared.base_url);
    let assets = format!("{}/assets/", shared.base_url);
    let environment = json!({"api_base_url": base, "assets_base_url": assets});
    axum::Json(json!([{
        "id": "sequra",
        "name": "seQura",
        "live": environment,
        "sandbox": environment,
    }]))
    .into_response()
}

async fn create_store_integration(
    State(shared): SharedState,
    found: Found,
    body: Bytes,
) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    let root = match payload::parse_json(&body) {
        Ok(root) => root,
        Err(invalid) => return error_response(invalid.into()),
    };
    let integration = root.get("store_integration");
    let webhook_url = integration
        .and_then(|i| i.get("webhook_url"))
        .and_then(Value::as_str)
        .filter(|u| url::Url::parse(u).is_ok());
    let capabilities: Option<Vec<String>> = integration
        .and_then(|i| i.get("capabilities"))
        .and_then(Value::as_array)
        .and_then(|list| list.iter().map(|c| c.as_str().map(str::to_owned)).collect())
        .filter(|list: &Vec<String>| !list.is_empty());
    let (Some(webhook_url), Some(capabilities)) = (webhook_url, capabilities) else {
        return error_response(ApiError::Conflict(vec![
            "Invalid data: store_integration needs a valid webhook_url and non-empty capabilities"
                .to_owned(),
        ]));
    };
    let mut state = shared.state.lock();
    let id = u64::try_from(state.integrations.len())
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    state.integrations.push(StoreIntegration {
        id,
        username: caller.username,
        merchant_id: caller.merchant_header,
        webhook_url: webhook_url.to_owned(),
        capabilities,
        deleted: false,
    });
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(value) =
        HeaderValue::from_str(&format!("{}/store_integrations/{id}", shared.base_url))
    {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

async fn delete_store_integration(
    State(shared): SharedState,
    found: Found,
    Path(url): Path<String>,
) -> Response {
    let Some(caller) = caller(found) else {
        return error_response(ApiError::Unauthorized);
    };
    let mut state = shared.state.lock();
    let mut found_any = false;
    for integration in state
        .integrations
        .iter_mut()
        .filter(|i| i.username == caller.username && i.webhook_url == url && !i.deleted)
    {
        integration.deleted = true;
        found_any = true;
    }
    if found_any {
        StatusCode::NO_CONTENT.into_response()
    } else {
        error_response(ApiError::NotFound(format!(
            "Store integration '{url}' not found"
        )))
    }
}

/// A response with an HTML body.
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Body::from(body),
    )
        .into_response()
}
