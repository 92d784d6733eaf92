//! The store's control panel, as far as the app-install journey needs it: server-rendered
//! pages (no scripts, no external assets) in which a merchant signs in as a store user,
//! installs, opens and uninstalls apps, manages users' access to apps, opens an app's
//! App Extension from an order, and acts on orders as a merchant does (edit, ship items,
//! refund, change status, archive).
//!
//! Every action calls the control handle ([`BigCommerce`]), i.e. the same domain functions
//! as the API and the tests, so a click here changes state and fires callbacks and webhooks
//! exactly as the same action through the handle does.
//!
//! # URL scheme
//!
//! The control-panel base of a store is `{simulator}/cp/{store_hash}` ([`base_url`]); it is
//! what `GET /v2/store` returns as `control_panel_base_url`, so the pages below, which frame
//! the app, are on the base's origin.
//!
//! An app must put the base's **origin** (`scheme://host:port`) in its `frame-ancestors`,
//! not the whole base: browsers match `frame-ancestors` against each ancestor's origin, so
//! a source with a path (`http://127.0.0.1:…/cp/abc123`, with or without a trailing slash)
//! blocks the frame (checked in Chromium). Real bases have no path, so taking the origin
//! changes nothing in production.
//!
//! Under the base, the paths mirror BigCommerce's own (`/manage/…`):
//!
//! | Path under the base | |
//! |---|---|
//! | `GET /login?next=…`, `POST /login` (`user_id`, `next`) | pick the store user to act as |
//! | `GET /login/as/{user_id}?next=…` | sign in directly ([`BigCommerce::control_panel_sign_in_url`]) |
//! | `POST /logout` | sign out |
//! | `GET /manage/marketplace/apps/my-apps` | My Apps: every registered app, Install / Open / Uninstall |
//! | `GET`, `POST /manage/marketplace/apps/{client_id}/install` | confirm the scopes; Confirm → the auth callback in the iframe |
//! | `GET /manage/app/{client_id}?url=/…` | Open: the load callback in the iframe (`url` claim `/` by default) |
//! | `GET`, `POST /manage/marketplace/apps/{client_id}/uninstall` | confirm; Uninstall → the uninstall callback, back to My Apps |
//! | `GET`, `POST /manage/settings/users` | the owner's Users page; add a user |
//! | `POST /manage/settings/users/{user_id}/apps/{client_id}/remove` | revoke a user's access → remove_user callback |
//! | `GET /manage/orders`, `GET /manage/orders/{order_id}` | View Orders; an order with its Actions menu |
//! | `GET`, `POST /manage/orders/{order_id}/edit` | Edit order → `edit_order` (`update_order` with staff notes) |
//! | `GET`, `POST /manage/orders/{order_id}/ship` (`?address=`) | Ship items → `ship_items` (one shipment) |
//! | `GET /manage/orders/{order_id}/refund`, `POST …/refund/quote`, `POST …/refund` | Refund: items, the quote's refund methods, the refund → `refund` |
//! | `GET`, `POST /manage/orders/{order_id}/status` | Change status → `set_order_status` |
//! | `GET`, `POST /manage/orders/{order_id}/archive` | Archive, after a confirmation → `archive_order` |
//! | `GET /manage/orders/{order_id}/app-extensions/{n}` | an App Extension click (`bc/store/appExtension/{n}`) |
//!
//! Browser tests find things by `data-test` attributes (listed in each template); rows and
//! buttons about one app, user, order or extension also carry `data-client-id`,
//! `data-user-id`, `data-order-id` or `data-extension-id`; order lines, addresses,
//! shipments and refunds carry `data-line-id`, `data-address-id`, `data-shipment-id` and
//! `data-refund-id`, and amounts their cents in `data-cents`.
//!
//! # Decisions where the platform is silent
//!
//! * Signing in is picking a user of the store (no passwords): the choice is kept in a
//!   first-party cookie `bc_cp_user` (`{user_id}.{session}`, a new random session id at each
//!   sign-in) scoped to the store's base path. An unknown or missing user, or a cookie
//!   without a session id, is "signed out": every page but the sign-in page answers 401
//!   with the sign-in picker (coming back to the page asked for).
//! * Every form that changes state carries the session's CSRF token (`csrf_token`, an HMAC
//!   of store, user and session under a per-simulator key): the order actions, install and
//!   uninstall confirmations, adding a user, revoking a user's access to an app, and sign
//!   out. A post without it, with another session's or a forged one answers 403 and changes
//!   nothing (a signed-out browser's sign-out just shows the picker).
//! * Unknown store, app, order, user or extension: 404; a cancelled store: 403; a malformed
//!   form: 400; a non-owner on the Users page: 403. Errors are HTML pages, never panics.
//! * Any signed-in user may install, open and uninstall (as the domain allows); only the
//!   owner manages users. Uninstall callbacks carry the signed-in user in the JWT.
//! * Install is offered for apps that are not installed; Confirm on an installed app
//!   re-authorises (a new code, the domain's upsert). The install page is the answer to the
//!   POST (the one-time code is not put in a redirect).
//! * Revoking a user's access calls `remove_user`; as in the domain, the user may load the
//!   app again afterwards (which makes them one of its users again).
//! * An app's display name is its client id (profiles have no name); the subtitle is the
//!   host of its load callback.
//! * ORDERS App Extensions of the store appear in the Actions menu of each order row on
//!   View Orders and on the order page, labelled in the signed-in user's locale when the
//!   extension has it. PANEL opens a side panel over the order page; LINK opens the app's
//!   page under Apps. Incomplete (status 0) and archived orders are left out of the list
//!   but their pages open.
//! * The merchant's actions (Edit order, Ship items, Refund, Change status, Archive) are
//!   always in the Actions menu; an action with nothing to do says so on its page or is
//!   refused by the domain. Each is a page with a form; a success redirects (303) to the
//!   order page with a notice (`cp-notice`; Archive: to the order list); a refusal answers
//!   the order page with the domain's message (`order-error`) and 400 (invalid), 404
//!   (unknown), 409 or 422 (store credit for a guest); an unreadable form is a 400 page.
//! * Edit order sends only what changed (a quantity re-sent as it was does not clear the
//!   line's discounts), all in one `edit_order`, so one `store/order/updated` per Save —
//!   a Save without changes included, as every `PUT` fires it. Blank fields of an address
//!   are sent as blank; a line is removed with its Remove box or quantity 0.
//! * Ship items ships to one shipping address at a time (the first with something left,
//!   or `?address=`), every remaining unit by default; the provider is one of the
//!   documented `shipping_provider` values, the carrier a free AfterShip slug.
//! * Refund asks the quote first (products by quantity, shipping and a custom ORDER
//!   amount), shows its refund methods (the order's original payments first, then store
//!   credit for registered customers, then a manual `custom` refund) and refunds with the
//!   one picked, as the signed-in user (`user_id`), through the same path as the API.

mod apps;
mod login;
mod order_actions;
mod orders;
mod pages;
mod session;
mod users;

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::control::BigCommerce;
use super::domain::{DomainError, DomainResult};

/// The prefix of every control panel: `{simulator}/cp/{store_hash}`.
pub const PREFIX: &str = "/cp";

/// Paths under a control-panel base (see the module docs).
pub mod paths {
    pub const LOGIN: &str = "/login";
    pub const LOGOUT: &str = "/logout";
    pub const MY_APPS: &str = "/manage/marketplace/apps/my-apps";
    pub const USERS: &str = "/manage/settings/users";
    pub const ORDERS: &str = "/manage/orders";

    /// The confirm-permissions page (GET) and the Confirm action (POST).
    pub fn install(client_id: &str) -> String {
        format!(
            "/manage/marketplace/apps/{}/install",
            super::segment(client_id)
        )
    }

    pub fn uninstall(client_id: &str) -> String {
        format!(
            "/manage/marketplace/apps/{}/uninstall",
            super::segment(client_id)
        )
    }

    /// The app's page under Apps (its load callback in the iframe).
    pub fn app(client_id: &str) -> String {
        format!("/manage/app/{}", super::segment(client_id))
    }

    pub fn order(order_id: i64) -> String {
        format!("/manage/orders/{order_id}")
    }

    /// An order action's form (GET) and its submission (POST).
    pub fn order_action(order_id: i64, action: super::OrderAction) -> String {
        format!("/manage/orders/{order_id}/{}", action.segment())
    }

    /// The refund's second step: the quote and its refund methods (POST).
    pub fn refund_quote(order_id: i64) -> String {
        format!("/manage/orders/{order_id}/refund/quote")
    }

    /// A click on App Extension `bc/store/appExtension/{extension}` for an order.
    pub fn order_extension(order_id: i64, extension: i64) -> String {
        format!("/manage/orders/{order_id}/app-extensions/{extension}")
    }

    pub fn remove_user_app(user_id: i64, client_id: &str) -> String {
        format!(
            "/manage/settings/users/{user_id}/apps/{}/remove",
            super::segment(client_id)
        )
    }

    pub fn sign_in_as(user_id: i64) -> String {
        format!("/login/as/{user_id}")
    }
}

/// The merchant's actions in an order's Actions menu, each a page with a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderAction {
    /// Items, quantities, products, addresses, shipping cost, discount, staff notes.
    Edit,
    /// Ship items: one shipment for one shipping address.
    Ship,
    /// Refund items and/or amounts: the quote's refund methods, then the refund.
    Refund,
    /// Change the status (any of the 15, Cancelled included).
    Status,
    /// Archive, after a confirmation.
    Archive,
}

impl OrderAction {
    pub const ALL: [OrderAction; 5] = [
        OrderAction::Edit,
        OrderAction::Ship,
        OrderAction::Refund,
        OrderAction::Status,
        OrderAction::Archive,
    ];

    /// The path segment after `/manage/orders/{id}/`.
    pub fn segment(self) -> &'static str {
        match self {
            OrderAction::Edit => "edit",
            OrderAction::Ship => "ship",
            OrderAction::Refund => "refund",
            OrderAction::Status => "status",
            OrderAction::Archive => "archive",
        }
    }
}

/// A store's control panel on its own origin ([`BigCommerce::spawn_control_panel`]).
pub struct SpawnedControlPanel {
    /// `http://127.0.0.1:{port}/cp/{hash}`: the store's `control_panel_base_url`.
    pub base_url: String,
    pub task: tokio::task::JoinHandle<()>,
}

impl Drop for SpawnedControlPanel {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `{sim_base}/cp/{store_hash}`: the store's `control_panel_base_url`.
pub fn base_url(sim_base: &str, store_hash: &str) -> String {
    format!(
        "{}{}",
        sim_base.trim_end_matches('/'),
        base_path(store_hash)
    )
}

/// `/cp/{store_hash}`: the base as a path (pages link to each other with paths).
pub fn base_path(store_hash: &str) -> String {
    format!("{PREFIX}/{}", segment(store_hash))
}

/// A path segment, percent-encoded (client ids are free text).
pub(crate) fn segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether `path` may follow a sign-in: a path under the control panel, not a
/// scheme-relative URL.
pub(crate) fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.contains('\\')
}

pub(crate) fn router(sim: BigCommerce) -> Router {
    let base = |path: &str| format!("/{{store}}{path}");
    let pages = Router::new()
        .route(&base(""), get(login::home))
        .route(&base("/"), get(login::home))
        .route(&base("/manage"), get(login::home))
        .route(&base(paths::LOGIN), get(login::page).post(login::submit))
        .route(&base("/login/as/{user_id}"), get(login::sign_in_as))
        .route(&base(paths::LOGOUT), post(login::logout))
        .route(&base(paths::MY_APPS), get(apps::my_apps))
        .route(
            &base("/manage/marketplace/apps/{client_id}/install"),
            get(apps::confirm_install).post(apps::install),
        )
        .route(
            &base("/manage/marketplace/apps/{client_id}/uninstall"),
            get(apps::confirm_uninstall).post(apps::uninstall),
        )
        .route(&base("/manage/app/{client_id}"), get(apps::open))
        .route(&base(paths::USERS), get(users::list).post(users::add))
        .route(
            &base("/manage/settings/users/{user_id}/apps/{client_id}/remove"),
            post(users::remove_app_access),
        )
        .route(&base(paths::ORDERS), get(orders::list))
        .route(&base("/manage/orders/{order_id}"), get(orders::detail))
        .route(
            &base("/manage/orders/{order_id}/edit"),
            get(order_actions::edit_page).post(order_actions::edit),
        )
        .route(
            &base("/manage/orders/{order_id}/ship"),
            get(order_actions::ship_page).post(order_actions::ship),
        )
        .route(
            &base("/manage/orders/{order_id}/refund"),
            get(order_actions::refund_page).post(order_actions::refund),
        )
        .route(
            &base("/manage/orders/{order_id}/refund/quote"),
            post(order_actions::refund_quote),
        )
        .route(
            &base("/manage/orders/{order_id}/status"),
            get(order_actions::status_page).post(order_actions::set_status),
        )
        .route(
            &base("/manage/orders/{order_id}/archive"),
            get(order_actions::archive_page).post(order_actions::archive),
        )
        .route(
            &base("/manage/orders/{order_id}/app-extensions/{extension}"),
            get(orders::extension),
        )
        .fallback(pages::unknown_page)
        .with_state(sim);
    Router::new().nest(PREFIX, pages)
}

impl BigCommerce {
    /// The store's control-panel base (`control_panel_base_url`): `{base}/cp/{hash}`, or
    /// the store's own origin once [`Self::spawn_control_panel`] gave it one.
    pub fn control_panel_url(&self, store_hash: &str) -> String {
        self.control_panel_base(store_hash)
            .unwrap_or_else(|| base_url(self.base_url(), store_hash))
    }

    /// Serves `store_hash`'s control panel on `127.0.0.1:port` (0 = any), an origin of its
    /// own, and makes `{origin}/cp/{hash}` the store's `control_panel_base_url`. Real stores
    /// each have their own control-panel origin (`store-{hash}.mybigcommerce.com`); on the
    /// simulator's shared origin two stores' control panels could not be told apart by a
    /// browser (`frame-ancestors`, cookies). That origin answers this store's pages only.
    /// Call it before the app is installed: the app reads the base at provisioning.
    pub async fn spawn_control_panel(
        &self,
        store_hash: &str,
        port: u16,
    ) -> std::io::Result<SpawnedControlPanel> {
        if self.control_panel_base(store_hash).is_none() {
            return Err(std::io::Error::other(format!("no store {store_hash}")));
        }
        let bound = crate::server::bind_local(port).await?;
        let base = format!("{}{}", bound.base_url, base_path(store_hash));
        self.set_control_panel_url(store_hash, &base);
        let own = base_path(store_hash);
        let only_this_store = axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                let path = request.uri().path();
                let allowed = path == own || path.starts_with(&format!("{own}/"));
                async move {
                    if allowed {
                        next.run(request).await
                    } else {
                        axum::http::StatusCode::NOT_FOUND.into_response()
                    }
                }
            },
        );
        let task =
            crate::server::serve(bound.listener, router(self.clone()).layer(only_this_store));
        Ok(SpawnedControlPanel {
            base_url: base,
            task,
        })
    }

    /// A URL that signs `user_id` in to the store's control panel and lands on `then`, a
    /// path under the base such as `/manage/orders/100` (My Apps when `None`). What a
    /// browser test or the demo opens to act as a given user.
    pub fn control_panel_sign_in_url(
        &self,
        store_hash: &str,
        user_id: i64,
        then: Option<&str>,
    ) -> DomainResult<String> {
        let store = self
            .store(store_hash)
            .ok_or_else(|| DomainError::not_found("store"))?;
        if !store.users.contains_key(&user_id) {
            return Err(DomainError::not_found("user"));
        }
        let then = then.unwrap_or(paths::MY_APPS);
        if !is_local_path(then) {
            return Err(DomainError::invalid(
                "then",
                "a path under the control panel, starting with /",
            ));
        }
        let next = format!("{}{then}", base_path(store_hash));
        let query = serde_urlencoded::to_string([("next", next.as_str())])
            .map_err(|e| DomainError::invalid("then", e.to_string()))?;
        Ok(format!(
            "{}{}?{query}",
            self.control_panel_url(store_hash),
            paths::sign_in_as(user_id)
        ))
    }

    /// `{base}/manage/orders`: View Orders (needs a signed-in browser).
    pub fn control_panel_orders_url(&self, store_hash: &str) -> String {
        format!("{}{}", self.control_panel_url(store_hash), paths::ORDERS)
    }

    /// `{base}/manage/orders/{order_id}`: the order's page (needs a signed-in browser).
    pub fn control_panel_order_url(&self, store_hash: &str, order_id: i64) -> String {
        format!(
            "{}{}",
            self.control_panel_url(store_hash),
            paths::order(order_id)
        )
    }

    /// The page of one of the merchant's actions on an order, e.g.
    /// `{base}/manage/orders/250/ship` (needs a signed-in browser).
    pub fn control_panel_order_action_url(
        &self,
        store_hash: &str,
        order_id: i64,
        action: OrderAction,
    ) -> String {
        format!(
            "{}{}",
            self.control_panel_url(store_hash),
            paths::order_action(order_id, action)
        )
    }

    /// A URL that signs `user_id` in and lands on the order's page: what a browser test
    /// opens to act on an order as that user. Unknown store, user or order: `NotFound`.
    pub fn control_panel_order_sign_in_url(
        &self,
        store_hash: &str,
        user_id: i64,
        order_id: i64,
    ) -> DomainResult<String> {
        if self.order(store_hash, order_id).is_none() {
            return Err(DomainError::not_found("order"));
        }
        self.control_panel_sign_in_url(store_hash, user_id, Some(&paths::order(order_id)))
    }

    /// [`Self::control_panel_order_sign_in_url`] for the store owner.
    pub fn control_panel_owner_order_url(
        &self,
        store_hash: &str,
        order_id: i64,
    ) -> DomainResult<String> {
        let owner = self
            .store(store_hash)
            .ok_or_else(|| DomainError::not_found("store"))?
            .owner_id;
        self.control_panel_order_sign_in_url(store_hash, owner, order_id)
    }

    /// [`Self::control_panel_sign_in_url`] for the store owner, landing on My Apps.
    pub fn control_panel_owner_url(&self, store_hash: &str) -> DomainResult<String> {
        let owner = self
            .store(store_hash)
            .ok_or_else(|| DomainError::not_found("store"))?
            .owner_id;
        self.control_panel_sign_in_url(store_hash, owner, None)
    }
}
