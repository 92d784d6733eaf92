//! Static assets of the admin UI, compiled into the binary.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

const ADMIN_CSS: &str = include_str!("../../assets/admin.css");
const ADMIN_JS: &str = include_str!("../../assets/admin.js");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        body,
    )
        .into_response()
}

pub async fn admin_css() -> Response {
    asset(ADMIN_CSS, "text/css; charset=utf-8")
}

pub async fn admin_js() -> Response {
    asset(ADMIN_JS, "text/javascript; charset=utf-8")
}

/// The checkout script. BigCommerce loads it with `integrity` and `crossorigin="anonymous"`,
/// so the response must allow any origin or the browser refuses it.
pub async fn checkout_js() -> Response {
    let body = crate::services::provision::CHECKOUT_JS;
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        body,
    )
        .into_response()
}
