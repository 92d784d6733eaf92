//! Apps › My Apps: install (confirm the scopes, then the auth callback in the iframe), open
//! (the load callback in the iframe) and uninstall (confirm, then the uninstall callback).

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Redirect, Response};
use serde::Deserialize;

use super::pages::{Chrome, CpError, CpResult, render, scope_label};
use super::paths;
use super::session::Ctx;
use crate::bigcommerce::control::{BigCommerce, CallbackOutcome};
use crate::bigcommerce::model::AppRegistration;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NoticeQuery {
    pub notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct OpenQuery {
    url: Option<String>,
}

struct AppRow {
    client_id: String,
    host: String,
    installed: bool,
    install_url: String,
    open_url: String,
    uninstall_url: String,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/my_apps.html")]
struct MyAppsPage {
    chrome: Chrome,
    apps: Vec<AppRow>,
}

struct ScopeRow {
    name: String,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/install.html")]
struct InstallPage {
    chrome: Chrome,
    client_id: String,
    host: String,
    installed: bool,
    scopes: Vec<ScopeRow>,
    action: String,
    cancel_url: String,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/app_frame.html")]
pub(super) struct AppFramePage {
    pub chrome: Chrome,
    pub client_id: String,
    /// `install` (the auth callback) or `load` (the load callback).
    pub phase: &'static str,
    pub src: String,
    pub my_apps_url: String,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/uninstall.html")]
struct UninstallPage {
    chrome: Chrome,
    client_id: String,
    action: String,
    cancel_url: String,
}

/// The registered app, or 404.
pub(super) fn find_app(sim: &BigCommerce, client_id: &str) -> CpResult<AppRegistration> {
    sim.apps()
        .into_iter()
        .find(|a| a.client_id == client_id)
        .ok_or_else(|| CpError::not_found("app"))
}

/// `host:port` of the app's load callback, as its subtitle.
pub(super) fn app_host(app: &AppRegistration) -> String {
    url::Url::parse(&app.load_callback).map_or_else(
        |_| app.load_callback.clone(),
        |u| u[url::Position::BeforeHost..url::Position::AfterPort].to_owned(),
    )
}

/// `path?notice=…`.
pub(super) fn with_notice(path: &str, notice: &str) -> String {
    match serde_urlencoded::to_string([("notice", notice)]) {
        Ok(query) => format!("{path}?{query}"),
        Err(_) => path.to_owned(),
    }
}

/// How a server-to-server callback went, for a notice.
pub(super) fn callback_result(kind: &str, outcome: &CallbackOutcome) -> String {
    match &outcome.status {
        Ok(status) => format!("The app's {kind} callback answered {status}."),
        Err(e) => format!("The app's {kind} callback could not be reached ({e})."),
    }
}

fn require_installed(ctx: &Ctx, app: &AppRegistration) -> CpResult<()> {
    if ctx.page.store.installs.contains_key(&app.client_id) {
        Ok(())
    } else {
        Err(CpError::new(
            StatusCode::NOT_FOUND,
            "Not installed",
            format!(
                "{} is not installed in this store; install it from My Apps.",
                app.client_id
            ),
        ))
    }
}

pub(super) async fn my_apps(
    State(sim): State<BigCommerce>,
    Path(store): Path<String>,
    Query(query): Query<NoticeQuery>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let ctx = Ctx::new(&sim, &store, &headers, &uri)?;
    let apps = sim
        .apps()
        .iter()
        .map(|app| AppRow {
            client_id: app.client_id.clone(),
            host: app_host(app),
            installed: ctx.page.store.installs.contains_key(&app.client_id),
            install_url: ctx.at(&paths::install(&app.client_id)),
            open_url: ctx.at(&paths::app(&app.client_id)),
            uninstall_url: ctx.at(&paths::uninstall(&app.client_id)),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &MyAppsPage {
            chrome: ctx.chrome("apps", query.notice),
            apps,
        },
    ))
}

pub(super) async fn confirm_install(
    State(sim): State<BigCommerce>,
    Path((store, client_id)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let ctx = Ctx::new(&sim, &store, &headers, &uri)?;
    let chrome = ctx.chrome("apps", None);
    let app = find_app(&sim, &client_id).map_err(|e| e.within(&chrome))?;
    Ok(render(
        StatusCode::OK,
        &InstallPage {
            installed: ctx.page.store.installs.contains_key(&app.client_id),
            host: app_host(&app),
            scopes: app
                .scopes
                .iter()
                .map(|s| ScopeRow {
                    name: s.clone(),
                    label: scope_label(s),
                })
                .collect(),
            action: ctx.at(&paths::install(&app.client_id)),
            cancel_url: ctx.at(paths::MY_APPS),
            client_id: app.client_id,
            chrome,
        },
    ))
}

/// Confirm: a one-time code is issued and the app's auth callback opens in the iframe.
pub(super) async fn install(
    State(sim): State<BigCommerce>,
    Path((store, client_id)): Path<(String, String)>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> CpResult<Response> {
    let ctx = Ctx::for_action(&sim, &store, &headers)?;
    let chrome = ctx.chrome("apps", None);
    ctx.check_posted_csrf(form, &chrome)?;
    let app = find_app(&sim, &client_id).map_err(|e| e.within(&chrome))?;
    let src = sim
        .start_install(ctx.hash(), &app.client_id, ctx.user.id)
        .map_err(|e| CpError::from(e).within(&chrome))?;
    Ok(render(
        StatusCode::OK,
        &AppFramePage {
            chrome,
            client_id: app.client_id,
            phase: "install",
            src,
            my_apps_url: ctx.at(paths::MY_APPS),
        },
    ))
}

/// Open: the load callback in the iframe with a fresh JWT for the signed-in user (`url`
/// claim `/`, or the `url` query's path for a deep link).
pub(super) async fn open(
    State(sim): State<BigCommerce>,
    Path((store, client_id)): Path<(String, String)>,
    Query(query): Query<OpenQuery>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let ctx = Ctx::new(&sim, &store, &headers, &uri)?;
    let chrome = ctx.chrome("apps", None);
    let app = find_app(&sim, &client_id).map_err(|e| e.within(&chrome))?;
    require_installed(&ctx, &app).map_err(|e| e.within(&chrome))?;
    let url = query.url.unwrap_or_else(|| "/".to_owned());
    if !url.starts_with('/') || url.chars().count() > 255 {
        return Err(CpError::bad_request(
            "url must be a path starting with / (at most 255 characters).",
        )
        .within(&chrome));
    }
    let src = sim
        .load_url(ctx.hash(), &app.client_id, ctx.user.id, &url)
        .map_err(|e| CpError::from(e).within(&chrome))?;
    Ok(render(
        StatusCode::OK,
        &AppFramePage {
            chrome,
            client_id: app.client_id,
            phase: "load",
            src,
            my_apps_url: ctx.at(paths::MY_APPS),
        },
    ))
}

pub(super) async fn confirm_uninstall(
    State(sim): State<BigCommerce>,
    Path((store, client_id)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let ctx = Ctx::new(&sim, &store, &headers, &uri)?;
    let chrome = ctx.chrome("apps", None);
    let app = find_app(&sim, &client_id).map_err(|e| e.within(&chrome))?;
    require_installed(&ctx, &app).map_err(|e| e.within(&chrome))?;
    Ok(render(
        StatusCode::OK,
        &UninstallPage {
            action: ctx.at(&paths::uninstall(&app.client_id)),
            cancel_url: ctx.at(paths::MY_APPS),
            client_id: app.client_id,
            chrome,
        },
    ))
}

/// Uninstall: the simulator's uninstall (server-to-server callback), back to My Apps.
pub(super) async fn uninstall(
    State(sim): State<BigCommerce>,
    Path((store, client_id)): Path<(String, String)>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> CpResult<Redirect> {
    let ctx = Ctx::for_action(&sim, &store, &headers)?;
    let chrome = ctx.chrome("apps", None);
    ctx.check_posted_csrf(form, &chrome)?;
    let app = find_app(&sim, &client_id).map_err(|e| e.within(&chrome))?;
    require_installed(&ctx, &app).map_err(|e| e.within(&chrome))?;
    let outcome = sim
        .uninstall(ctx.hash(), &app.client_id, Some(ctx.user.id))
        .await
        .map_err(|e| CpError::from(e).within(&chrome))?;
    let notice = format!(
        "{} was uninstalled. {}",
        app.client_id,
        callback_result("uninstall", &outcome)
    );
    Ok(Redirect::to(&with_notice(&ctx.at(paths::MY_APPS), &notice)))
}
