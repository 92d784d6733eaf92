//! `POST /webhooks/bigcommerce`: acknowledged only once the delivery is stored.

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use super::AppError;
use super::form::{JSON, body_error, require_content_type};
use crate::services::provision::WEBHOOK_TOKEN_HEADER;
use crate::services::webhooks;
use crate::state::AppState;

/// BigCommerce's payloads are a few hundred bytes; anything near this is not one.
const MAX_WEBHOOK_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks/bigcommerce", post(bigcommerce))
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BYTES))
}

async fn bigcommerce(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, AppError> {
    // BigCommerce always sends JSON; the hook owner cannot change that header.
    require_content_type(&headers, JSON)?;
    let body = body.map_err(body_error)?;
    let token = headers
        .get(WEBHOOK_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok());
    let received = webhooks::receive(&state, token, &body).await?;
    tracing::debug!(store = %received.store, scope = %received.scope, new = received.new, "webhook stored");
    Ok(StatusCode::OK)
}
