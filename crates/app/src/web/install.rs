//! BigCommerce's app callbacks (the URLs registered in the Developer Portal): `/bc/auth`
//! (install), `/bc/load`, `/bc/uninstall`, `/bc/remove_user`.
//! `/auth` and `/load` answer inside the control-panel iframe with the admin UI; the other
//! two are server-to-server and answer an empty 200.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use bigcommerce::oauth::AuthCallback;
use serde::Deserialize;

use super::AppError;
use super::session;
use crate::domain::StoreHash;
use crate::services::install;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/bc/auth", get(auth))
        .route("/bc/load", get(load))
        .route("/bc/uninstall", get(uninstall))
        .route("/bc/remove_user", get(remove_user))
}

#[derive(Deserialize)]
struct SignedPayloadQuery {
    signed_payload_jwt: String,
}

async fn auth(
    State(state): State<AppState>,
    query: Result<Query<AuthCallback>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(callback)) = query else {
        return error_page(AppError::BadRequest(
            "the install link is incomplete (code, scope and context are required)".into(),
        ));
    };
    match install::install(&state, &callback).await {
        Ok(installed) => {
            shell(
                &state,
                &installed.store,
                installed.user_id,
                "/admin/home",
                None,
            )
            .await
        }
        Err(err) => error_page(err),
    }
}

async fn load(
    State(state): State<AppState>,
    query: Result<Query<SignedPayloadQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return error_page(AppError::BadRequest("signed_payload_jwt is missing".into()));
    };
    match install::load(&state, &q.signed_payload_jwt).await {
        Ok(loaded) => {
            let user_id = i64::try_from(loaded.payload.user.id).unwrap_or(i64::MAX);
            let start = match loaded.payload.app_extension_order_id() {
                Some(order) => format!("/admin/orders/{order}"),
                None => "/admin/home".to_owned(),
            };
            let locale = loaded.payload.user.locale.clone();
            shell(&state, &loaded.store, user_id, &start, locale.as_deref()).await
        }
        Err(err) => error_page(err),
    }
}

async fn uninstall(
    State(state): State<AppState>,
    Query(q): Query<SignedPayloadQuery>,
) -> Result<StatusCode, AppError> {
    install::uninstall(&state, &q.signed_payload_jwt).await?;
    Ok(StatusCode::OK)
}

async fn remove_user(
    State(state): State<AppState>,
    Query(q): Query<SignedPayloadQuery>,
) -> Result<StatusCode, AppError> {
    install::remove_user(&state, &q.signed_payload_jwt).await?;
    Ok(StatusCode::OK)
}

#[derive(Template)]
#[template(path = "admin/shell.html")]
struct Shell<'a> {
    lang: &'a str,
    token: &'a str,
    start: &'a str,
    store_name: &'a str,
    onboarded: bool,
    /// Opened as the App Extension's side panel: no navigation.
    panel: bool,
}

/// The admin page for a verified user, framed only by the store's control panel.
async fn shell(
    state: &AppState,
    store: &StoreHash,
    user_id: i64,
    start: &str,
    locale: Option<&str>,
) -> Response {
    let token = session::issue(&state.session_key, store, user_id, state.clock.now_ms());
    let store_row = match state.db.store(store).await {
        Ok(Some(row)) => row,
        Ok(None) => return error_page(AppError::NotFound),
        Err(e) => return error_page(e.into()),
    };
    let onboarded = matches!(state.db.countries(store).await, Ok(c) if !c.is_empty());
    let lang = locale
        .and_then(|l| l.split('-').next())
        .filter(|l| l.len() == 2 && l.bytes().all(|b| b.is_ascii_lowercase()))
        .unwrap_or("en");
    let page = Shell {
        lang,
        token: &token,
        start,
        store_name: store_row.secure_url.as_deref().unwrap_or(store.as_str()),
        onboarded,
        panel: start.starts_with("/admin/orders/"),
    };
    match page.render() {
        Ok(html) => {
            let mut headers = HeaderMap::new();
            let cp = control_panel_base(store, store_row.control_panel_base_url.as_deref());
            if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&cp)) {
                headers.insert(header::CONTENT_SECURITY_POLICY, csp);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            headers.insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            (headers, Html(html)).into_response()
        }
        Err(e) => error_page(AppError::Internal(e.into())),
    }
}

/// The store's control-panel base: what `GET /v2/store` said (`control_panel_base_url`,
/// recorded at provisioning), else the platform's documented host for the store.
pub(crate) fn control_panel_base(store: &StoreHash, recorded: Option<&str>) -> String {
    recorded.map_or_else(
        || format!("https://store-{}.mybigcommerce.com", store.as_str()),
        str::to_owned,
    )
}

/// Only the store's own control panel may frame the app — no wildcard, which would also
/// admit other stores' control panels or any BigCommerce-hosted page; scripts and styles
/// come from the app itself, nothing inline.
pub fn content_security_policy(control_panel: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; \
         frame-ancestors {}",
        frame_ancestor(control_panel)
    )
}

/// The one origin `frame-ancestors` names for a control-panel base: its scheme, host and
/// port (browsers match ancestors by origin; a source with a path would never match).
/// Anything that is not an http(s) URL with a host allows no framing at all.
pub(crate) fn frame_ancestor(control_panel: &str) -> String {
    match url::Url::parse(control_panel) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => {
            u.origin().ascii_serialization()
        }
        _ => "'none'".to_owned(),
    }
}

/// The CSP of callback error pages: they carry no session and no action, and must stay
/// visible in whichever control panel opened the app (a failed load cannot tell which
/// store's it was), so they set no `frame-ancestors`; nothing else may load.
const ERROR_PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                              form-action 'none'; base-uri 'none'";

#[derive(Template)]
#[template(path = "admin/error.html")]
struct ErrorPage<'a> {
    title: &'a str,
    message: &'a str,
    hint: &'a str,
}

/// Browser-facing failures get a styled page rather than JSON (BigCommerce shows the
/// callback's answer to the merchant in the iframe).
pub fn error_page(err: AppError) -> Response {
    let status = err.status();
    let (title, message, hint) = match &err {
        AppError::Unauthorized(m) => (
            "Access denied",
            (*m).to_owned(),
            "Open the app again from Apps › My Apps in your BigCommerce control panel.",
        ),
        AppError::Forbidden => (
            "Access denied",
            "You do not have access to this app in this store.".to_owned(),
            "Ask the store owner to give you access.",
        ),
        AppError::BadRequest(m) | AppError::Conflict(m) => (
            "The app could not be installed",
            m.clone(),
            "Start the installation again from the BigCommerce App Marketplace.",
        ),
        AppError::Unavailable(_) => (
            "Please try again",
            "BigCommerce could not be reached just now.".to_owned(),
            "Nothing was changed. Try again in a minute.",
        ),
        _ => (
            "Something went wrong",
            "The app hit an unexpected error.".to_owned(),
            "Nothing was changed. Try again, or contact SeQura support.",
        ),
    };
    // Log internals (and let AppError's own logging see them) without showing them.
    if status.is_server_error() {
        tracing::error!(error = %err, "callback failed");
    }
    let html = ErrorPage {
        title,
        message: &message,
        hint,
    }
    .render()
    .unwrap_or_else(|_| "Something went wrong".to_owned());
    (
        status,
        [(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(ERROR_PAGE_CSP),
        )],
        Html(html),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_name_one_origin_only() {
        let csp = content_security_policy("https://store-abc123.mybigcommerce.com");
        assert!(csp.ends_with("frame-ancestors https://store-abc123.mybigcommerce.com"));
        let csp = content_security_policy("http://127.0.0.1:4321/cp/abc123");
        assert!(csp.ends_with("frame-ancestors http://127.0.0.1:4321"));
        for bad in [
            "",
            "not a url",
            "javascript:alert(1)",
            "data:text/html,x",
            "file:///x",
        ] {
            assert!(
                content_security_policy(bad).ends_with("frame-ancestors 'none'"),
                "{bad}"
            );
        }
        assert!(!content_security_policy("https://x.example").contains('*'));
    }

    #[test]
    fn the_documented_host_when_none_was_recorded() {
        let store = StoreHash::parse("abc123").unwrap();
        assert_eq!(
            control_panel_base(&store, None),
            "https://store-abc123.mybigcommerce.com"
        );
        assert_eq!(
            control_panel_base(&store, Some("https://cp.example")),
            "https://cp.example"
        );
    }
}
