//! The admin UI inside the control-panel iframe. Every route answers an HTML fragment
//! that `assets/admin.js` swaps into the page, with a refreshed session token in
//! `X-Session-Token` and the active navigation item in `X-Admin-Nav`. Forms are validated
//! on the server: on any error nothing is saved and the form comes back with the error next
//! to each field.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::form::StrictForm;
use super::session::{self, AdminSession, REFRESH_HEADER};
use super::{AppError, FieldError};
use crate::domain::SequraState;
use crate::services::settings::{self, GeneralSettingsForm, StatusMappingForm, state_label};
use crate::services::{bc_error, bc_store_client};
use crate::state::AppState;

mod connection;
mod log;
mod order;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/home", get(connection::home))
        .route(
            "/admin/connect",
            get(connection::connect_form).post(connection::connect),
        )
        .route(
            "/admin/countries",
            get(connection::countries_form).post(connection::save_countries),
        )
        .route("/admin/payment-methods", get(connection::methods))
        .route(
            "/admin/connection",
            get(connection::connection_settings).post(connection::change_connection),
        )
        .route(
            "/admin/disconnect",
            axum::routing::post(connection::disconnect),
        )
        .route(
            "/admin/order-statuses",
            get(statuses_page).post(save_statuses),
        )
        .route("/admin/settings", get(settings_page).post(save_settings))
        .route("/admin/transactions", get(log::page))
        .route("/admin/orders/{order}", get(order::page))
}

/// An HTML fragment for the admin page, with the session refreshed.
async fn fragment(
    state: &AppState,
    session: &AdminSession,
    nav: &'static str,
    page: impl Template,
) -> Result<Response, AppError> {
    fragment_with_status(state, session, nav, StatusCode::OK, page).await
}

/// A fragment with an explicit status: a form that did not validate comes back with 422,
/// so that anything but the page (tests, logs) also sees that nothing was saved.
pub(super) async fn fragment_with_status(
    state: &AppState,
    session: &AdminSession,
    nav: &'static str,
    status: StatusCode,
    page: impl Template,
) -> Result<Response, AppError> {
    let html = page.render().map_err(|e| AppError::Internal(e.into()))?;
    let onboarded = !state.db.countries(&session.store).await?.is_empty();
    // Fragments are fetched by the admin page, never framed; should one be opened in a
    // frame anyway, only the session's own store's control panel may do it.
    let recorded = state
        .db
        .store(&session.store)
        .await?
        .and_then(|row| row.control_panel_base_url);
    let cp = super::install::control_panel_base(&session.store, recorded.as_deref());
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
         base-uri 'none'; frame-ancestors {}",
        super::install::frame_ancestor(&cp)
    );
    let token = session::issue(
        &state.session_key,
        &session.store,
        session.user_id,
        state.clock.now_ms(),
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    headers.insert("x-admin-nav", HeaderValue::from_static(nav));
    headers.insert(
        "x-admin-onboarded",
        HeaderValue::from_static(if onboarded { "1" } else { "0" }),
    );
    if let Ok(v) = HeaderValue::from_str(&token) {
        headers.insert(REFRESH_HEADER, v);
    }
    Ok((status, headers, html).into_response())
}

// ---------------------------------------------------------------------------------------
// Order status mapping

struct StatusOption {
    id: u32,
    id_text: String,
    name: String,
}

struct MappingRow {
    key: &'static str,
    label: &'static str,
    selected: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/statuses.html")]
struct StatusesPage {
    rows: Vec<MappingRow>,
    statuses: Vec<StatusOption>,
    saved: bool,
    errors: Vec<FieldError>,
}

async fn bc_statuses(
    state: &AppState,
    session: &AdminSession,
) -> Result<Vec<StatusOption>, AppError> {
    let client = bc_store_client(state, &session.store).await?;
    let statuses = client
        .list_order_statuses()
        .await
        .map_err(|e| bc_error("order statuses", e))?;
    Ok(statuses
        .into_iter()
        .map(|s| StatusOption {
            id: s.id,
            id_text: s.id.to_string(),
            // The merchant may have renamed a status; show their name.
            name: if s.custom_label.is_empty() {
                s.name
            } else {
                s.custom_label
            },
        })
        .collect())
}

async fn statuses_page(
    State(state): State<AppState>,
    session: AdminSession,
) -> Result<Response, AppError> {
    let statuses = bc_statuses(&state, &session).await?;
    let mapping = state.db.status_mapping(&session.store).await?;
    let rows = mapping
        .iter()
        .map(|(s, status)| MappingRow {
            key: s.as_str(),
            label: state_label(*s),
            selected: status.map(|id| id.to_string()).unwrap_or_default(),
            error: None,
        })
        .collect();
    let page = StatusesPage {
        rows,
        statuses,
        saved: false,
        errors: Vec::new(),
    };
    fragment(&state, &session, "order-statuses", page).await
}

async fn save_statuses(
    State(state): State<AppState>,
    session: AdminSession,
    StrictForm(form): StrictForm<StatusMappingForm>,
) -> Result<Response, AppError> {
    let statuses = bc_statuses(&state, &session).await?;
    let ids: Vec<u32> = statuses.iter().map(|o| o.id).collect();
    let (mapping, errors) = match form.parse(&ids) {
        Ok(mapping) => (mapping, Vec::new()),
        Err(errors) => (Vec::new(), errors),
    };
    let rows = SequraState::ALL
        .iter()
        .map(|s| MappingRow {
            key: s.as_str(),
            label: state_label(*s),
            selected: form.value(*s).to_owned(),
            error: errors
                .iter()
                .find(|e| e.field == s.as_str())
                .map(|e| e.message.clone()),
        })
        .collect();
    let saved = errors.is_empty();
    if saved {
        state
            .db
            .put_status_mapping(&session.store, &mapping)
            .await?;
    }
    let status = if saved {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = StatusesPage {
        rows,
        statuses,
        saved,
        errors,
    };
    fragment_with_status(&state, &session, "order-statuses", status, page).await
}

// ---------------------------------------------------------------------------------------
// General settings

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    form: GeneralSettingsForm,
    saved: bool,
    errors: Vec<FieldError>,
}

impl SettingsPage {
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    fn errors_for(&self, field: &str) -> Vec<&str> {
        self.errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect()
    }
}

async fn settings_page(
    State(state): State<AppState>,
    session: AdminSession,
) -> Result<Response, AppError> {
    let current = settings::general_settings(&state, &session.store).await?;
    let form = GeneralSettingsForm::from_settings(&current);
    let page = SettingsPage {
        form,
        saved: false,
        errors: Vec::new(),
    };
    fragment(&state, &session, "settings", page).await
}

async fn save_settings(
    State(state): State<AppState>,
    session: AdminSession,
    StrictForm(form): StrictForm<GeneralSettingsForm>,
) -> Result<Response, AppError> {
    let (saved, errors) = match form.parse() {
        Ok(valid) => {
            settings::save_general_settings(&state, &session.store, &valid).await?;
            (true, Vec::new())
        }
        Err(errors) => (false, errors),
    };
    let status = if saved {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SettingsPage {
        form,
        saved,
        errors,
    };
    fragment_with_status(&state, &session, "settings", status, page).await
}
