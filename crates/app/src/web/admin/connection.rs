//! Admin pages of the SeQura connection: connect, selling countries, payment methods,
//! connection settings and disconnect; and `/admin/home`, which opens the step of the
//! onboarding the store is at.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::fragment_with_status;
use crate::services::connection::{
    self, CATEGORIES, ConnectOutcome, ConnectionForm, CountriesOutcome, CountryChoice, MethodView,
    UNREACHABLE, country_name,
};
use crate::state::AppState;
use crate::web::form::StrictForm;
use crate::web::session::AdminSession;
use crate::web::{AppError, FieldError};

#[derive(Template)]
#[template(path = "admin/connect.html")]
struct ConnectPage {
    form: ConnectionForm,
    errors: Vec<FieldError>,
    form_message: Option<String>,
    confirm_live: bool,
    action: &'static str,
    cancel_href: &'static str,
    submit_label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/connection.html")]
struct ConnectionPage {
    current_env: String,
    current_username: String,
    saved: bool,
    confirm_disconnect: bool,
    form: ConnectionForm,
    errors: Vec<FieldError>,
    form_message: Option<String>,
    confirm_live: bool,
    action: &'static str,
    cancel_href: &'static str,
    submit_label: &'static str,
}

macro_rules! field_errors {
    ($t:ty) => {
        impl $t {
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
    };
}
field_errors!(ConnectPage);
field_errors!(ConnectionPage);

struct CountryOption {
    code: String,
    name: &'static str,
}

#[derive(Template)]
#[template(path = "admin/countries.html")]
struct CountriesPage {
    rows: Vec<CountryChoice>,
    onboarding: bool,
    saved: bool,
    form_message: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/methods.html")]
struct MethodsPage {
    countries: Vec<CountryOption>,
    country: String,
    categories: Vec<(&'static str, &'static str)>,
    category: String,
    query: String,
    methods: Vec<MethodView>,
    message: Option<String>,
}

fn connect_page(
    form: ConnectionForm,
    errors: Vec<FieldError>,
    message: Option<String>,
) -> ConnectPage {
    ConnectPage {
        form: ConnectionForm {
            password: String::new(),
            ..form
        },
        errors,
        form_message: message,
        confirm_live: false,
        action: "/admin/connect",
        cancel_href: "/admin/connect",
        submit_label: "Connect",
    }
}

/// The onboarding step the store is at: connect, then countries, then the dashboard
/// (payment methods).
pub async fn home(
    State(state): State<AppState>,
    session: AdminSession,
) -> Result<Response, AppError> {
    let Some(conn) = connection::connection(&state, &session.store).await? else {
        let page = connect_page(ConnectionForm::default(), Vec::new(), None);
        return fragment_with_status(&state, &session, "connect", StatusCode::OK, page).await;
    };
    if state.db.countries(&session.store).await?.is_empty() {
        return countries_fragment(&state, &session, &conn, StatusCode::OK, None).await;
    }
    methods_fragment(&state, &session, &conn, MethodsQuery::default()).await
}

pub async fn connect_form(
    State(state): State<AppState>,
    session: AdminSession,
) -> Result<Response, AppError> {
    let form = match connection::connection(&state, &session.store).await? {
        Some(c) => ConnectionForm {
            environment: c.environment.as_str().to_owned(),
            username: c.username,
            ..ConnectionForm::default()
        },
        None => ConnectionForm::default(),
    };
    let page = connect_page(form, Vec::new(), None);
    fragment_with_status(&state, &session, "connect", StatusCode::OK, page).await
}

pub async fn connect(
    State(state): State<AppState>,
    session: AdminSession,
    StrictForm(form): StrictForm<ConnectionForm>,
) -> Result<Response, AppError> {
    match connection::connect(&state, &session.store, &form).await? {
        ConnectOutcome::Saved => {
            let conn = connection::connection(&state, &session.store)
                .await?
                .ok_or(AppError::NotFound)?;
            countries_fragment(&state, &session, &conn, StatusCode::OK, None).await
        }
        ConnectOutcome::NeedsConfirmation => {
            let mut page = connect_page(form.clone(), Vec::new(), None);
            page.form.password = form.password;
            page.confirm_live = true;
            fragment_with_status(&state, &session, "connect", StatusCode::OK, page).await
        }
        ConnectOutcome::Invalid(errors) => {
            let page = connect_page(form, errors, None);
            fragment_with_status(
                &state,
                &session,
                "connect",
                StatusCode::UNPROCESSABLE_ENTITY,
                page,
            )
            .await
        }
        ConnectOutcome::Unreachable => {
            let page = connect_page(form, Vec::new(), Some(UNREACHABLE.into()));
            fragment_with_status(
                &state,
                &session,
                "connect",
                StatusCode::SERVICE_UNAVAILABLE,
                page,
            )
            .await
        }
    }
}

async fn countries_fragment(
    state: &AppState,
    session: &AdminSession,
    conn: &connection::Connection,
    status: StatusCode,
    saved_message: Option<bool>,
) -> Result<Response, AppError> {
    let onboarding = state.db.countries(&session.store).await?.is_empty();
    let rows = connection::country_choices(state, &session.store, conn).await?;
    let page = CountriesPage {
        rows,
        onboarding,
        saved: saved_message.unwrap_or(false),
        form_message: None,
    };
    fragment_with_status(state, session, "countries", status, page).await
}

async fn require_connection(
    state: &AppState,
    session: &AdminSession,
) -> Result<Result<connection::Connection, Response>, AppError> {
    match connection::connection(state, &session.store).await? {
        Some(c) => Ok(Ok(c)),
        None => {
            let page = connect_page(
                ConnectionForm::default(),
                Vec::new(),
                Some("Connect to SeQura first.".into()),
            );
            Ok(Err(fragment_with_status(
                state,
                session,
                "connect",
                StatusCode::OK,
                page,
            )
            .await?))
        }
    }
}

pub async fn countries_form(
    State(state): State<AppState>,
    session: AdminSession,
) -> Result<Response, AppError> {
    let conn = match require_connection(&state, &session).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    countries_fragment(&state, &session, &conn, StatusCode::OK, None).await
}

pub async fn save_countries(
    State(state): State<AppState>,
    session: AdminSession,
    StrictForm(form): StrictForm<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let conn = match require_connection(&state, &session).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let onboarding = state.db.countries(&session.store).await?.is_empty();
    let (rows, status, message) =
        match connection::save_countries(&state, &session.store, &conn, &form).await? {
            CountriesOutcome::Saved if onboarding => {
                // Onboarding done: on to the dashboard.
                return methods_fragment(&state, &session, &conn, MethodsQuery::default()).await;
            }
            CountriesOutcome::Saved => {
                return countries_fragment(&state, &session, &conn, StatusCode::OK, Some(true))
                    .await;
            }
            CountriesOutcome::Invalid { rows, message } => {
                (rows, StatusCode::UNPROCESSABLE_ENTITY, message)
            }
            CountriesOutcome::Unreachable(rows) => (
                rows,
                StatusCode::SERVICE_UNAVAILABLE,
                Some(UNREACHABLE.to_owned()),
            ),
        };
    let page = CountriesPage {
        rows,
        onboarding,
        saved: false,
        form_message: message,
    };
    fragment_with_status(&state, &session, "countries", status, page).await
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MethodsQuery {
    #[serde(default)]
    country: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    q: String,
}

async fn methods_fragment(
    state: &AppState,
    session: &AdminSession,
    conn: &connection::Connection,
    query: MethodsQuery,
) -> Result<Response, AppError> {
    let configured = state.db.countries(&session.store).await?;
    let Some(selected) = configured
        .iter()
        .find(|c| c.country_code == query.country)
        .or_else(|| configured.first())
    else {
        return countries_fragment(state, session, conn, StatusCode::OK, None).await;
    };
    let category = if CATEGORIES.iter().any(|(c, _)| *c == query.category) {
        query.category.clone()
    } else {
        String::new()
    };
    let q: String = query.q.chars().take(100).collect();
    let (methods, message) = match connection::payment_methods(
        conn,
        &selected.merchant_id,
        &category,
        &q,
    )
    .await
    {
        Ok(m) => (m, None),
        Err(err) => {
            tracing::warn!(store = %session.store, error = %err, "payment methods unavailable");
            (Vec::new(), Some("SeQura could not be reached to list the payment methods. Try again in a minute.".to_owned()))
        }
    };
    let page = MethodsPage {
        countries: configured
            .iter()
            .map(|c| CountryOption {
                code: c.country_code.clone(),
                name: country_name(&c.country_code),
            })
            .collect(),
        country: selected.country_code.clone(),
        categories: CATEGORIES.to_vec(),
        category,
        query: q,
        methods,
        message,
    };
    fragment_with_status(state, session, "payment-methods", StatusCode::OK, page).await
}

pub async fn methods(
    State(state): State<AppState>,
    session: AdminSession,
    query: Result<Query<MethodsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let conn = match require_connection(&state, &session).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let query = query.map(|Query(q)| q).unwrap_or_default();
    methods_fragment(&state, &session, &conn, query).await
}

fn connection_page(conn: &connection::Connection, form: ConnectionForm) -> ConnectionPage {
    ConnectionPage {
        current_env: conn.environment.as_str().to_owned(),
        current_username: conn.username.clone(),
        saved: false,
        confirm_disconnect: false,
        form: ConnectionForm {
            password: String::new(),
            ..form
        },
        errors: Vec::new(),
        form_message: None,
        confirm_live: false,
        action: "/admin/connection",
        cancel_href: "/admin/connection",
        submit_label: "Save credentials",
    }
}

pub async fn connection_settings(
    State(state): State<AppState>,
    session: AdminSession,
) -> Result<Response, AppError> {
    let conn = match require_connection(&state, &session).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let form = ConnectionForm {
        environment: conn.environment.as_str().to_owned(),
        username: conn.username.clone(),
        ..ConnectionForm::default()
    };
    let page = connection_page(&conn, form);
    fragment_with_status(&state, &session, "connection", StatusCode::OK, page).await
}

pub async fn change_connection(
    State(state): State<AppState>,
    session: AdminSession,
    StrictForm(form): StrictForm<ConnectionForm>,
) -> Result<Response, AppError> {
    let conn = match require_connection(&state, &session).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    let outcome = connection::connect(&state, &session.store, &form).await?;
    let mut page = connection_page(&conn, form.clone());
    let status = match outcome {
        ConnectOutcome::Saved => {
            let fresh = connection::connection(&state, &session.store)
                .await?
                .ok_or(AppError::NotFound)?;
            if state.db.countries(&session.store).await?.is_empty() {
                // A new environment: its merchant IDs come next.
                return countries_fragment(&state, &session, &fresh, StatusCode::OK, None).await;
            }
            page = connection_page(&fresh, form);
            page.saved = true;
            StatusCode::OK
        }
        ConnectOutcome::NeedsConfirmation => {
            page.form.password = form.password;
            page.confirm_live = true;
            StatusCode::OK
        }
        ConnectOutcome::Invalid(errors) => {
            page.errors = errors;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ConnectOutcome::Unreachable => {
            page.form_message = Some(UNREACHABLE.into());
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    fragment_with_status(&state, &session, "connection", status, page).await
}

#[derive(Deserialize)]
pub struct DisconnectForm {
    confirmed: Option<String>,
}

pub async fn disconnect(
    State(state): State<AppState>,
    session: AdminSession,
    StrictForm(form): StrictForm<DisconnectForm>,
) -> Result<Response, AppError> {
    let conn = match require_connection(&state, &session).await? {
        Ok(c) => c,
        Err(page) => return Ok(page),
    };
    if form.confirmed.as_deref() != Some("1") {
        let mut page = connection_page(
            &conn,
            ConnectionForm {
                environment: conn.environment.as_str().to_owned(),
                username: conn.username.clone(),
                ..ConnectionForm::default()
            },
        );
        page.confirm_disconnect = true;
        return fragment_with_status(&state, &session, "connection", StatusCode::OK, page).await;
    }
    connection::disconnect(&state, &session.store).await?;
    let page = connect_page(
        ConnectionForm::default(),
        Vec::new(),
        Some("Disconnected from SeQura. Shoppers no longer see SeQura at checkout.".into()),
    );
    fragment_with_status(&state, &session, "connect", StatusCode::OK, page).await
}
