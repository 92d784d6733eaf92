//! Signing in as a store user (the picker, the direct link) and out.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pages::{Chrome, CpError, CpResult, UserView, render};
use super::session::{StorePage, sign_in_cookie, sign_out_cookie};
use crate::bigcommerce::control::BigCommerce;

#[derive(Template, Debug)]
#[template(path = "bigcommerce/control_panel/login.html")]
pub(crate) struct LoginPage {
    chrome: Chrome,
    /// Owner first, then by id.
    users: Vec<UserView>,
    next: String,
}

impl LoginPage {
    pub(super) fn new(page: &StorePage, next: &str) -> Self {
        let mut users: Vec<UserView> = page.store.users.values().map(UserView::from).collect();
        users.sort_by_key(|u| (!u.is_owner, u.id));
        Self {
            chrome: page.chrome(None, ""),
            users,
            next: next.to_owned(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct LoginForm {
    user_id: Option<String>,
    next: Option<String>,
}

/// `{base}`, `{base}/`, `{base}/manage`: My Apps, through the picker when signed out.
pub(super) async fn home(
    State(sim): State<BigCommerce>,
    Path(store): Path<String>,
) -> CpResult<Redirect> {
    let page = StorePage::load(&sim, &store)?;
    Ok(Redirect::to(&page.next_or_home(None)))
}

/// The picker (200; signed-out requests for other pages get it with 401).
pub(super) async fn page(
    State(sim): State<BigCommerce>,
    Path(store): Path<String>,
    Query(query): Query<NextQuery>,
) -> CpResult<Response> {
    let page = StorePage::load(&sim, &store)?;
    let next = page.next_or_home(query.next.as_deref());
    Ok(render(StatusCode::OK, &LoginPage::new(&page, &next)))
}

fn signed_in_redirect(page: &StorePage, user_id: i64, next: Option<&str>) -> CpResult<Response> {
    if !page.store.users.contains_key(&user_id) {
        return Err(CpError::not_found("user"));
    }
    let cookie = sign_in_cookie(&page.base, user_id)
        .ok_or_else(|| CpError::bad_request("the store hash cannot be put in a cookie"))?;
    let to = page.next_or_home(next);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response())
}

/// The picker's choice: sets the cookie and goes on to `next`.
pub(super) async fn submit(
    State(sim): State<BigCommerce>,
    Path(store): Path<String>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> CpResult<Response> {
    let page = StorePage::load(&sim, &store)?;
    let Form(form) = form.map_err(|e| CpError::bad_request(e.body_text()))?;
    let user_id = form
        .user_id
        .as_deref()
        .and_then(|id| id.trim().parse::<i64>().ok())
        .ok_or_else(|| CpError::bad_request("Choose a user: user_id must be a user id."))?;
    signed_in_redirect(&page, user_id, form.next.as_deref())
}

/// The direct sign-in link of [`BigCommerce::control_panel_sign_in_url`].
pub(super) async fn sign_in_as(
    State(sim): State<BigCommerce>,
    Path((store, user_id)): Path<(String, String)>,
    Query(query): Query<NextQuery>,
) -> CpResult<Response> {
    let page = StorePage::load(&sim, &store)?;
    let user_id = user_id
        .parse::<i64>()
        .map_err(|_| CpError::not_found("user"))?;
    signed_in_redirect(&page, user_id, query.next.as_deref())
}

/// Clears the cookie and shows the picker. A signed-in session must send its CSRF token
/// (a foreign page cannot sign the merchant out); a browser already signed out is simply
/// shown the picker.
pub(super) async fn logout(
    State(sim): State<BigCommerce>,
    Path(store): Path<String>,
    headers: axum::http::HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> CpResult<Response> {
    if let Ok(ctx) = super::session::Ctx::for_action(&sim, &store, &headers) {
        let chrome = ctx.chrome("", None);
        ctx.check_posted_csrf(form, &chrome)?;
    }
    let page = StorePage::load(&sim, &store)?;
    let cookie = sign_out_cookie(&page.base)
        .ok_or_else(|| CpError::bad_request("the store hash cannot be put in a cookie"))?;
    let to = format!("{}{}", page.base, super::paths::LOGIN);
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response())
}
