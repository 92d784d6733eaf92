//! The HTTP surface: axum routes behind the standard layers (request id, tracing,
//! timeout, body limit, catch-panic). Handlers parse and respond; services decide.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;

pub mod admin;
pub mod assets;
pub mod error;
pub mod form;
pub mod install;
pub mod sequra_in;
pub mod session;
pub mod storefront;
pub mod webhooks;

pub use error::{AppError, FieldError};

/// Largest request body accepted anywhere (webhooks and forms are far smaller).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(install::routes())
        .merge(admin::routes())
        .merge(webhooks::routes())
        .merge(storefront::routes())
        .merge(sequra_in::routes())
        .route("/healthz", get(health))
        .route("/assets/admin.css", get(assets::admin_css))
        .route("/assets/admin.js", get(assets::admin_js))
        .route("/storefront/checkout.js", get(assets::checkout_js))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Duration::from_secs(30),
                )),
        )
        // Outermost, so that the catch-panic and timeout answers carry it too.
        .layer(axum::middleware::map_response(not_frameable))
}

/// Liveness and database reachability, for load balancers.
async fn health(State(state): State<AppState>) -> Result<&'static str, AppError> {
    state.db.ping().await?;
    Ok("ok")
}

/// Responses that name no framing rule of their own (JSON, assets, storefront pages,
/// webhook answers) may not be framed by anyone: only the admin page and its fragments
/// (the store's own control panel) and callback error pages set their own policy.
async fn not_frameable(mut response: axum::response::Response) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// The span of one request: method and path only. Never the query string: it carries the
/// OAuth code of `/bc/auth` and the `signed_payload_jwt` of `/bc/load` (secrets a log
/// reader could replay); never headers (session tokens, webhook secrets).
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        version = ?request.version(),
    )
}

/// Any path the app does not serve: a JSON 404 like every other (axum's own is empty).
async fn not_found() -> AppError {
    AppError::NotFound
}

/// A path served with other methods.
async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
