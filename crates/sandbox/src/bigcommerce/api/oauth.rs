//! `POST /oauth2/token` on the login host (the simulator's base URL): the code exchange of
//! §2.3, with a JSON or a form-encoded body.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::bigcommerce::apps::{self, OAuthError, TokenRequest};
use crate::bigcommerce::state::Inner;

fn parse(headers: &HeaderMap, body: &Bytes) -> Result<TokenRequest, OAuthError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let bad = |e: String| OAuthError::InvalidRequest(format!("The request body is invalid: {e}"));
    if form {
        serde_urlencoded::from_bytes(body).map_err(|e| bad(e.to_string()))
    } else {
        serde_json::from_slice(body).map_err(|e| bad(e.to_string()))
    }
}

pub async fn token(State(inner): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Response {
    let now = inner.now();
    let result = parse(&headers, &body)
        .and_then(|request| apps::exchange_code(&mut inner.state.lock(), now, request));
    match result {
        Ok(body) => Json(body).into_response(),
        Err(error) => (
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST),
            Json(error.body()),
        )
            .into_response(),
    }
}
