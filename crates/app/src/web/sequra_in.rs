//! SeQura's notifications in: `POST /sequra/ipn/{store}/{solicitation}` (IPN) and
//! `POST /sequra/events/{store}/{solicitation}` (events webhook), both form-encoded.
//! 200 done, 409 try again later, 410 cannot be placed, 404 unknown order, 403 bad
//! signature, 400 malformed, 413 too large, 415 not form-encoded, 501 unknown event (what
//! SeQura expects, sequra-api.md §2).

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::AppError;
use super::form::{FORM, body_error, require_content_type};
use crate::services::notifications::{self, Answer, Channel};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sequra/ipn/{store}/{id}", post(ipn))
        .route("/sequra/events/{store}/{id}", post(events))
        .layer(DefaultBodyLimit::max(64 * 1024))
}

fn respond(answer: Answer) -> Response {
    match answer {
        Answer::Done => StatusCode::OK.into_response(),
        Answer::TryLater(why) => (StatusCode::CONFLICT, why).into_response(),
        Answer::Gone(why) => (StatusCode::GONE, why).into_response(),
    }
}

async fn ipn(
    State(state): State<AppState>,
    Path((store, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    require_content_type(&headers, FORM)?;
    let body = body.map_err(body_error)?;
    Ok(respond(
        notifications::handle(&state, &store, &id, Channel::Ipn, &body).await?,
    ))
}

async fn events(
    State(state): State<AppState>,
    Path((store, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    require_content_type(&headers, FORM)?;
    let body = body.map_err(body_error)?;
    Ok(respond(
        notifications::handle(&state, &store, &id, Channel::Events, &body).await?,
    ))
}
