//! The storefront side, called by the checkout script from the store's own origin:
//! eligible methods, starting a solicitation, its status, and SeQura's return URL.
//! Nothing secret reaches the browser; every amount is re-read from BigCommerce. CORS
//! admits the store's storefront origin only.

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::StoreHash;
use crate::services::checkout::{self, CheckoutFacts, SolicitOutcome, SolicitRequest};
use crate::services::notifications;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/storefront/{store}/checkouts/{checkout}/methods",
            get(methods).options(preflight),
        )
        .route(
            "/storefront/{store}/checkouts/{checkout}/solicitations",
            axum::routing::post(solicit).options(preflight),
        )
        .route(
            "/storefront/{store}/solicitations/{id}",
            get(status).options(preflight),
        )
        .route(
            "/storefront/{store}/solicitations/{id}/return",
            get(return_page),
        )
        // The checkout script sends a product, a campaign and a flag.
        .layer(DefaultBodyLimit::max(MAX_SOLICIT_BYTES))
}

const MAX_SOLICIT_BYTES: usize = 4 * 1024;

/// The storefront origin of a store (its `secure_url`), for CORS.
async fn storefront_origin(
    state: &AppState,
    store: &StoreHash,
) -> Result<Option<String>, AppError> {
    Ok(state
        .db
        .store(store)
        .await?
        .and_then(|row| row.secure_url)
        .and_then(|u| url::Url::parse(&u).ok())
        .map(|u| u.origin().ascii_serialization()))
}

fn parse_store(store: &str) -> Result<StoreHash, AppError> {
    StoreHash::parse(store).map_err(|_| AppError::NotFound)
}

/// A store the app is installed in; any other is a 404, like a malformed hash.
async fn installed_store(state: &AppState, store: &str) -> Result<StoreHash, AppError> {
    let store = parse_store(store)?;
    if state.db.store(&store).await?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(store)
}

/// Adds CORS headers for the store's storefront origin, and only when the request comes
/// from it.
async fn with_cors(
    state: &AppState,
    store: &StoreHash,
    headers: &HeaderMap,
    mut response: Response,
) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let (Some(origin), Ok(Some(allowed))) = (origin, storefront_origin(state, store).await)
        && origin == allowed
        && let Ok(v) = HeaderValue::from_str(&allowed)
    {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

async fn preflight(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Response {
    let store = params
        .iter()
        .find(|(k, _)| k == "store")
        .map_or("", |(_, v)| v.as_str());
    let store = match installed_store(&state, store).await {
        Ok(store) => store,
        Err(e) => return e.into_response(),
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    with_cors(&state, &store, &headers, response).await
}

/// The shopper's address: the first `X-Forwarded-For` hop when behind a proxy, else the
/// peer. Only used for SeQura's `ip_number` and the IP allow-list (a testing aid, not a
/// security boundary).
fn shopper_ip(headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(peer.ip())
}

#[derive(Deserialize)]
struct MethodsQuery {
    #[serde(default)]
    country: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    skus: String,
    #[serde(default)]
    products: String,
}

#[derive(Serialize)]
struct MethodsBody {
    methods: Vec<checkout::OfferedMethod>,
}

async fn methods(
    State(state): State<AppState>,
    Path((store, _checkout)): Path<(String, String)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    query: Result<Query<MethodsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let store = installed_store(&state, &store).await?;
    let Query(q) = query.map_err(|_| AppError::BadRequest("bad query".into()))?;
    if q.country.trim().is_empty() || q.currency.trim().is_empty() || q.amount.trim().is_empty() {
        return Err(AppError::BadRequest(
            "country, currency and amount are required".into(),
        ));
    }
    let amount: i64 = q
        .amount
        .trim()
        .parse()
        .ok()
        .filter(|a| *a >= 0)
        .ok_or_else(|| AppError::BadRequest("amount must be a whole number of cents".into()))?;
    let facts = CheckoutFacts {
        country: q.country.trim().to_ascii_uppercase(),
        currency: q.currency.trim().to_ascii_uppercase(),
        amount,
        skus: q
            .skus
            .split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .take(200)
            .collect(),
        products: parse_products(&q.products)?,
        shopper_ip: Some(shopper_ip(&headers, peer)),
    };
    let methods = match checkout::eligible_methods(&state, &store, &facts).await {
        Ok(Ok((_, methods))) => methods,
        Ok(Err(reason)) => {
            tracing::debug!(store = %store, ?reason, "SeQura not offered");
            Vec::new()
        }
        // SeQura unreachable: the checkout simply shows no SeQura buttons.
        Err(AppError::Unavailable(why)) => {
            tracing::warn!(store = %store, %why, "methods unavailable");
            Vec::new()
        }
        Err(other) => return Err(other),
    };
    let response = axum::Json(MethodsBody { methods }).into_response();
    Ok(with_cors(&state, &store, &headers, response).await)
}

/// `products=12,34`: catalog product ids, at most 200 (a cart larger than that is
/// checked again, in full, when the shopper picks a method).
pub fn parse_products(raw: &str) -> Result<Vec<u64>, AppError> {
    let mut ids = Vec::new();
    for item in raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .take(200)
    {
        let id: u64 = item
            .parse()
            .map_err(|_| AppError::BadRequest("products must be product ids".into()))?;
        if id > 0 && !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

#[derive(Deserialize)]
struct SolicitBody {
    product: String,
    #[serde(default)]
    campaign: Option<String>,
    #[serde(default)]
    use_store_credit: bool,
}

/// A body the JSON extractor refused: 413 and 415 keep their status, the rest is a 400 with
/// serde's reason.
fn json_rejection(e: axum::extract::rejection::JsonRejection) -> AppError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge("the request body is too large".into())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::UnsupportedMediaType("the body must be sent as application/json".into())
        }
        _ => AppError::BadRequest(e.body_text().chars().take(200).collect()),
    }
}

#[derive(Serialize)]
struct Started {
    id: String,
    form_html: String,
    status_url: String,
}

fn json_error(status: StatusCode, error: &str, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": error, "message": message })),
    )
        .into_response()
}

async fn solicit(
    State(state): State<AppState>,
    Path((store, checkout_id)): Path<(String, String)>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<axum::Json<SolicitBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    let store = installed_store(&state, &store).await?;
    let axum::Json(body) = body.map_err(json_rejection)?;
    let id_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !id_ok(&checkout_id)
        || !id_ok(&body.product)
        || !body
            .campaign
            .as_deref()
            .is_none_or(|c| c.is_empty() || id_ok(c))
    {
        return Err(AppError::BadRequest(
            "invalid checkout, product or campaign".into(),
        ));
    }
    let request = SolicitRequest {
        checkout_id,
        product: body.product,
        campaign: body.campaign.filter(|c| !c.is_empty()),
        use_store_credit: body.use_store_credit,
        shopper_ip: Some(shopper_ip(&headers, peer)),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(512)
            .collect(),
    };
    let response = match checkout::solicit(&state, &store, &request).await {
        Ok(SolicitOutcome::Started { id, form_html }) => {
            let status_url = format!(
                "{}/storefront/{}/solicitations/{id}",
                state.config.public_base(),
                store.as_str()
            );
            (
                StatusCode::CREATED,
                axum::Json(Started {
                    id,
                    form_html,
                    status_url,
                }),
            )
                .into_response()
        }
        Ok(SolicitOutcome::NotEligible(reason)) => json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "not_eligible",
            reason.message(),
        ),
        Ok(SolicitOutcome::CheckoutChanged) => json_error(
            StatusCode::CONFLICT,
            "checkout_changed",
            "Your cart changed or was already paid. Please review your order.",
        ),
        Err(AppError::Unavailable(why)) => {
            tracing::warn!(store = %store, %why, "solicitation unavailable");
            json_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "SeQura could not be reached. Please try again or choose another payment method.",
            )
        }
        Err(AppError::NotFound) => json_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "This checkout does not exist.",
        ),
        Err(other) => return Err(other),
    };
    Ok(with_cors(&state, &store, &headers, response).await)
}

#[derive(Serialize)]
struct StatusBody {
    state: &'static str,
    confirmation_url: Option<String>,
    message: Option<&'static str>,
}

/// What the shopper's page should do next, from the solicitation's state.
async fn status_of(state: &AppState, store: &StoreHash, id: &str) -> Result<StatusBody, AppError> {
    let row = state
        .db
        .solicitation(store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let url = match (
        row.bc_order_id,
        notifications::checkout_token(state, store, &row),
    ) {
        (Some(order), Some(token)) => {
            let base = state
                .db
                .store(store)
                .await?
                .and_then(|s| s.secure_url)
                .unwrap_or_default();
            Some(format!(
                "{}/order-confirmation/{order}?t={}",
                base.trim_end_matches('/'),
                secrecy::ExposeSecret::expose_secret(&token)
            ))
        }
        _ => None,
    };
    Ok(match row.state.as_str() {
        // In review: SeQura's form shows its review notice as its last view and then
        // sends the shopper on; the page waits for that.
        "on_hold" => StatusBody {
            state: "in_review",
            confirmation_url: url,
            message: None,
        },
        "confirmed" if url.is_some() => StatusBody {
            state: "completed",
            confirmation_url: url,
            message: None,
        },
        "cancelled" => StatusBody {
            state: "rejected",
            confirmation_url: None,
            message: Some(
                "SeQura did not approve this payment. Please choose another payment method.",
            ),
        },
        "conflict" => StatusBody {
            state: "failed",
            confirmation_url: None,
            message: Some(
                "Your order could not be placed with SeQura. Please review your cart and try again.",
            ),
        },
        "needs_review" => StatusBody {
            state: "in_review",
            confirmation_url: None,
            message: None,
        },
        _ => StatusBody {
            state: "pending",
            confirmation_url: None,
            message: None,
        },
    })
}

async fn status(
    State(state): State<AppState>,
    Path((store, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let store = parse_store(&store)?;
    let body = status_of(&state, &store, &id).await?;
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(with_cors(&state, &store, &headers, response).await)
}

/// SeQura sends the shopper here after the form. Once the order exists the shopper goes
/// on to BigCommerce's order confirmation page; until then this page refreshes itself.
async fn return_page(
    State(state): State<AppState>,
    Path((store, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let store = parse_store(&store)?;
    let status = status_of(&state, &store, &id).await?;
    // SeQura sends the shopper here once it is done with them (after the review notice
    // for an order in review): on to the confirmation page as soon as the order exists.
    if let Some(url) = status.confirmation_url {
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response());
    }
    let (title, text, refresh) = match status.state {
        "rejected" | "failed" => (
            "Payment not completed",
            status.message.unwrap_or("The payment was not completed."),
            false,
        ),
        _ => (
            "Completing your order…",
            "Please wait a moment; this page updates by itself.",
            true,
        ),
    };
    let meta = if refresh {
        r#"<meta http-equiv="refresh" content="2">"#
    } else {
        ""
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">{meta}<title>{title}</title></head>\
         <body style=\"font-family:sans-serif;max-width:32rem;margin:4rem auto;text-align:center\">\
         <h1>{title}</h1><p>{text}</p></body></html>"
    );
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Html(html),
    )
        .into_response())
}
