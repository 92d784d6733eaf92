//! Settings › Users (the owner only): the store's users, adding one, and revoking a user's
//! access to an installed app (the app's remove_user callback).

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Redirect, Response};
use serde::Deserialize;

use super::apps::{NoticeQuery, callback_result, find_app, with_notice};
use super::pages::{Chrome, CpError, CpResult, render};
use super::paths;
use super::session::Ctx;
use crate::bigcommerce::control::BigCommerce;
use crate::bigcommerce::domain::catalog::NewUser;

struct UserAppRow {
    client_id: String,
    /// Whether the user is one of the app's users (installed or loaded it).
    has_access: bool,
    remove_url: String,
}

struct UserRow {
    id: i64,
    email: String,
    locale: String,
    is_owner: bool,
    apps: Vec<UserAppRow>,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    installed_apps: Vec<String>,
    add_action: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AddUserForm {
    email: Option<String>,
    locale: Option<String>,
    csrf_token: Option<String>,
}

/// The signed-in owner, or 403.
fn owner(ctx: &Ctx, chrome: &Chrome) -> CpResult<()> {
    if ctx.user.is_owner {
        Ok(())
    } else {
        Err(CpError::forbidden("Only the store owner manages users.").within(chrome))
    }
}

pub(super) async fn list(
    State(sim): State<BigCommerce>,
    Path(store): Path<String>,
    Query(query): Query<NoticeQuery>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let ctx = Ctx::new(&sim, &store, &headers, &uri)?;
    let chrome = ctx.chrome("users", query.notice);
    owner(&ctx, &chrome)?;
    let installs = &ctx.page.store.installs;
    let users = ctx
        .page
        .store
        .users
        .values()
        .map(|user| UserRow {
            id: user.id,
            email: user.email.clone(),
            locale: user.locale.clone(),
            is_owner: user.is_owner,
            apps: installs
                .values()
                .map(|install| UserAppRow {
                    client_id: install.client_id.clone(),
                    has_access: install.users.contains(&user.id),
                    remove_url: ctx.at(&paths::remove_user_app(user.id, &install.client_id)),
                })
                .collect(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &UsersPage {
            installed_apps: installs.keys().cloned().collect(),
            users,
            add_action: ctx.at(paths::USERS),
            chrome,
        },
    ))
}

/// Adds a user (the same `add_user` as the control handle).
pub(super) async fn add(
    State(sim): State<BigCommerce>,
    Path(store): Path<String>,
    headers: HeaderMap,
    form: Result<Form<AddUserForm>, FormRejection>,
) -> CpResult<Redirect> {
    let ctx = Ctx::for_action(&sim, &store, &headers)?;
    let chrome = ctx.chrome("users", None);
    owner(&ctx, &chrome)?;
    let Form(form) = form.map_err(|e| CpError::bad_request(e.body_text()).within(&chrome))?;
    ctx.check_csrf(form.csrf_token.as_deref(), &chrome)?;
    let email = form.email.unwrap_or_default().trim().to_owned();
    if !email.contains('@') {
        return Err(CpError::bad_request("Enter the new user's e-mail address.").within(&chrome));
    }
    let locale = form
        .locale
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "en-US".to_owned());
    if locale.len() > 35
        || !locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(
            CpError::bad_request("The locale is a language tag such as es-ES.").within(&chrome),
        );
    }
    let id = sim
        .add_user(ctx.hash(), NewUser::new(&email, &locale))
        .map_err(|e| CpError::from(e).within(&chrome))?;
    Ok(Redirect::to(&with_notice(
        &ctx.at(paths::USERS),
        &format!("Added {email} (user {id})."),
    )))
}

/// Revokes a user's access to an app: the app's remove_user callback (server to server).
pub(super) async fn remove_app_access(
    State(sim): State<BigCommerce>,
    Path((store, user_id, client_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> CpResult<Redirect> {
    let ctx = Ctx::for_action(&sim, &store, &headers)?;
    let chrome = ctx.chrome("users", None);
    ctx.check_posted_csrf(form, &chrome)?;
    owner(&ctx, &chrome)?;
    let user = user_id
        .parse::<i64>()
        .ok()
        .and_then(|id| ctx.page.store.users.get(&id).cloned())
        .ok_or_else(|| CpError::not_found("user").within(&chrome))?;
    let app = find_app(&sim, &client_id).map_err(|e| e.within(&chrome))?;
    if !ctx.page.store.installs.contains_key(&app.client_id) {
        return Err(CpError::not_found("install").within(&chrome));
    }
    let outcome = sim
        .remove_user(ctx.hash(), &app.client_id, user.id)
        .await
        .map_err(|e| CpError::from(e).within(&chrome))?;
    let notice = format!(
        "{} no longer has access to {}. {}",
        user.email,
        app.client_id,
        callback_result("remove_user", &outcome)
    );
    Ok(Redirect::to(&with_notice(&ctx.at(paths::USERS), &notice)))
}
