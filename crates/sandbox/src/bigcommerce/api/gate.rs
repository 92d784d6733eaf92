//! What happens to every request before a handler sees it, in this order:
//! 1. fault switches (added latency; a forced status for matching calls),
//! 2. for `/stores/{hash}/…`: the store must exist and be live (else 401),
//! 3. the store's rate limit (429; headers on every answer of a known store),
//! 4. authentication: `X-Auth-Token` must belong to this store (else 401) → [`ApiCaller`]
//!    in the request extensions (the hooks API reads it too),
//! 5. per route (after routing): the scope table ([`super::scopes`]) → 403.
//!
//! Every answer is logged (method, path, caller, status) for the control handle.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::{ApiError, Style, style_for};
use super::scopes;
use crate::bigcommerce::ApiCaller;
use crate::bigcommerce::model::StoreStatus;
use crate::bigcommerce::ratelimit::Decision;
use crate::bigcommerce::state::{Inner, RequestRecord};

/// `/stores/{hash}/…` → `hash`.
pub fn store_hash_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/stores/")?;
    let hash = rest.split('/').next()?;
    (!hash.is_empty()).then_some(hash)
}

/// Marks a response with the caller, for the request log.
#[derive(Clone)]
struct LoggedCaller(String);

pub(crate) async fn gate(
    State(inner): State<Arc<Inner>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let path_and_query = request
        .uri()
        .path_and_query()
        .map_or_else(|| path.clone(), ToString::to_string);
    let style = style_for(&path);
    let at = inner.now();
    let (latency, forced) = {
        let mut state = inner.state.lock();
        (state.faults.latency, state.faults.take(&method, &path))
    };
    if let Some(latency) = latency {
        tokio::time::sleep(latency).await;
    }
    let store_hash = store_hash_of(&path).map(str::to_owned);
    let response = match (forced, &store_hash) {
        (Some(status), _) => forced_response(status, style),
        (None, Some(hash)) => guarded(&inner, hash, style, request, next).await,
        (None, None) => next.run(request).await,
    };
    let client_id = response
        .extensions()
        .get::<LoggedCaller>()
        .map(|c| c.0.clone());
    inner.state.lock().record_request(RequestRecord {
        seq: 0,
        at,
        method,
        path: path_and_query,
        store_hash,
        client_id,
        status: response.status().as_u16(),
    });
    response
}

fn forced_response(status: u16, style: Style) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let title = status
        .canonical_reason()
        .unwrap_or("Internal Server Error")
        .to_owned();
    ApiError::new(status, style, title).into_response()
}

async fn guarded(
    inner: &Inner,
    hash: &str,
    style: Style,
    mut request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let now = inner.now_precise();
    let (decision, grant, headerless) = {
        let mut state = inner.state.lock();
        let live = state
            .stores
            .get(hash)
            .is_some_and(|s| s.profile.status == StoreStatus::Live);
        if !live {
            return ApiError::unauthorized(style).into_response();
        }
        let decision = state.limiter.check(hash, now);
        let grant = token.and_then(|t| {
            crate::secrets::find_by_secret(&state.tokens, &t).map(|(_, g)| g.clone())
        });
        (decision, grant, state.limiter.headerless_429)
    };
    let limits = match decision {
        Decision::Limited(limits) => {
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                if style == Style::V2 {
                    Style::V2
                } else {
                    Style::V3
                },
                "Too many requests",
            )
            .into_response();
            if !headerless {
                let headers = response.headers_mut();
                limits.apply_headers(headers);
                if let Ok(value) = HeaderValue::from_str(&limits.retry_after_secs().to_string()) {
                    headers.insert(HeaderName::from_static("x-retry-after"), value);
                }
            }
            return response;
        }
        Decision::Allowed(limits) => limits,
    };
    let mut response = match grant {
        Some(grant) if grant.store_hash == hash => {
            let caller = ApiCaller {
                store_hash: grant.store_hash,
                client_id: grant.client_id,
                scopes: grant.scopes,
            };
            let logged = LoggedCaller(caller.client_id.clone());
            request.extensions_mut().insert(caller);
            let mut response = next.run(request).await;
            response.extensions_mut().insert(logged);
            response
        }
        _ => ApiError::unauthorized(style).into_response(),
    };
    limits.apply_headers(response.headers_mut());
    response
}

/// Route layer: the caller must hold one of the route's scopes.
pub(crate) async fn require_scope(matched: MatchedPath, request: Request, next: Next) -> Response {
    let style = style_for(request.uri().path());
    let allowed = match scopes::accepted(request.method().as_str(), matched.as_str()) {
        None => false,
        Some([]) => true,
        Some(accepted) => request
            .extensions()
            .get::<ApiCaller>()
            .is_some_and(|caller| accepted.iter().any(|s| caller.has_scope(s))),
    };
    if allowed {
        next.run(request).await
    } else {
        ApiError::missing_scope(style).into_response()
    }
}
