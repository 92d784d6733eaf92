//! Stores, app profiles and the single-click app lifecycle (§2): install (auth callback
//! URL with a one-time code), the `/oauth2/token` exchange, `signed_payload_jwt` for load /
//! uninstall / remove_user, and what uninstalling removes.
//!
//! Decisions where the spec is silent:
//! * A grant code lives 10 minutes and is consumed by a successful exchange only.
//! * Errors of `/oauth2/token` are `{"error", "error_description"}` (UNVERIFIED shape):
//!   400 `invalid_request` (missing field), 401 `invalid_client` (unknown client or wrong
//!   secret), 400 `invalid_grant` (unknown/used/expired code, redirect_uri or context that
//!   does not match), 400 `unsupported_grant_type`.
//! * Re-authorising with the same scopes keeps the access token (BigCommerce's tokens are
//!   stable); different scopes replace it and revoke the old one.
//! * Any user of the store may install and load; users who loaded are the app's users, to
//!   whom `remove_user` applies.

use crate::secrets::{find_by_secret, secrets_equal};
use chrono::Duration;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use serde_json::{Value, json};

use super::domain::{DomainError, DomainResult, extensions, random_alnum, scripts};
use super::model::{
    AppRegistration, ChannelCheckoutSettings, CheckoutSettings, GrantCode, IdCounters, Install,
    Instant, ORDER_STATUSES, StoreProfile, StoreState, StoreStatus, TokenGrant, User,
};
use super::state::State;

/// A store to create.
#[derive(Clone, Debug)]
pub struct NewStore {
    pub hash: String,
    pub store_id: i64,
    pub name: String,
    /// Storefront domain, e.g. `tienda.example.es`.
    pub domain: String,
    pub owner_email: String,
    pub owner_locale: String,
    pub owner_first_name: String,
    pub owner_last_name: String,
    pub account_uuid: String,
    pub language: String,
    pub country: String,
    pub country_code: String,
    pub timezone: String,
    pub tax_rate_bp: i64,
    pub tax_name: String,
    /// Where new ids start (the example store starts where the fixtures do).
    pub ids: IdCounters,
}

impl NewStore {
    /// The fixtures' store: `abc123`, id 1001234567, "Tienda Ejemplo", EUR, 21 % IVA.
    pub fn example() -> Self {
        Self {
            hash: "abc123".into(),
            store_id: 1_001_234_567,
            name: "Tienda Ejemplo".into(),
            domain: "tienda.example.es".into(),
            owner_email: "owner@example.es".into(),
            owner_locale: "es-ES".into(),
            owner_first_name: "Ana".into(),
            owner_last_name: "García".into(),
            account_uuid: "12345678-90ab-cdef-1234-567890abcdef".into(),
            language: "es".into(),
            country: "Spain".into(),
            country_code: "ES".into(),
            timezone: "Europe/Madrid".into(),
            tax_rate_bp: 2100,
            tax_name: "IVA 21%".into(),
            ids: IdCounters::default(),
        }
    }

    /// Another store like the example one, with its own hash and id.
    pub fn named(hash: &str, store_id: i64) -> Self {
        Self {
            hash: hash.into(),
            store_id,
            name: format!("Store {hash}"),
            domain: format!("{hash}.example.es"),
            owner_email: format!("owner@{hash}.example.es"),
            ..Self::example()
        }
    }
}

/// `control_panel_base_url` is where the store's control panel answers: the simulator's own
/// pages (`control_panel::base_url`), so that the app's `frame-ancestors` and its links to
/// orders point at a real page of the simulator rather than `store-{hash}.mybigcommerce.com`.
pub(crate) fn create_store(
    state: &mut State,
    new: NewStore,
    control_panel_base_url: String,
) -> DomainResult<()> {
    if new.hash.is_empty() || !new.hash.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(DomainError::invalid("hash", "a store hash is alphanumeric"));
    }
    if state.stores.contains_key(&new.hash) {
        return Err(DomainError::Conflict(format!(
            "store {} already exists",
            new.hash
        )));
    }
    let mut ids = new.ids;
    let owner_id = IdCounters::take(&mut ids.user);
    let owner = User {
        id: owner_id,
        email: new.owner_email.clone(),
        username: new.owner_email.clone(),
        locale: new.owner_locale,
        is_owner: true,
    };
    let order_email = format!("pedidos@{}", new.domain);
    let profile = StoreProfile {
        hash: new.hash.clone(),
        store_id: new.store_id,
        account_uuid: new.account_uuid,
        name: new.name,
        secure_url: format!("https://{}", new.domain),
        domain: new.domain,
        control_panel_base_url,
        first_name: new.owner_first_name,
        last_name: new.owner_last_name,
        address: String::new(),
        country: new.country,
        country_code: new.country_code,
        phone: String::new(),
        admin_email: new.owner_email,
        order_email: order_email.clone(),
        timezone: new.timezone,
        language: new.language,
        currency: "EUR".into(),
        currency_symbol: "€".into(),
        plan_name: "Plus".into(),
        is_price_entered_with_tax: true,
        checkout_type: "optimized".into(),
        default_channel_id: 1,
        tax_rate_bp: new.tax_rate_bp,
        tax_name: new.tax_name,
        status: StoreStatus::Live,
    };
    let store = StoreState {
        profile,
        users: [(owner_id, owner)].into_iter().collect(),
        owner_id,
        installs: Default::default(),
        products: Default::default(),
        customers: Default::default(),
        checkouts: Default::default(),
        checkout_tokens: Vec::new(),
        orders: Default::default(),
        shipments: Default::default(),
        refunds: Default::default(),
        transactions: Default::default(),
        metafields: Default::default(),
        scripts: Vec::new(),
        app_extensions: Default::default(),
        checkout_settings: CheckoutSettings::default(),
        channel_settings: [(1, ChannelCheckoutSettings::new(&order_email))]
            .into_iter()
            .collect(),
        status_labels: ORDER_STATUSES
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect(),
        ids,
    };
    state.stores.insert(new.hash, store);
    Ok(())
}

pub(crate) fn register_app(state: &mut State, app: AppRegistration) -> DomainResult<()> {
    if app.client_id.is_empty() || app.client_secret.is_empty() {
        return Err(DomainError::invalid_body(
            "an app needs a client id and a client secret",
        ));
    }
    state.apps.insert(app.client_id.clone(), app);
    Ok(())
}

fn app(state: &State, client_id: &str) -> DomainResult<AppRegistration> {
    state
        .apps
        .get(client_id)
        .cloned()
        .ok_or_else(|| DomainError::not_found("app"))
}

fn live_store<'s>(state: &'s State, hash: &str) -> DomainResult<&'s StoreState> {
    let store = state.store(hash)?;
    if store.profile.status != StoreStatus::Live {
        return Err(DomainError::Forbidden("the store is cancelled".into()));
    }
    Ok(store)
}

fn user_of(store: &StoreState, user_id: i64) -> DomainResult<User> {
    store
        .users
        .get(&user_id)
        .cloned()
        .ok_or_else(|| DomainError::not_found("user"))
}

fn url_with(base: &str, params: &[(&str, &str)]) -> DomainResult<String> {
    let mut url = url::Url::parse(base)
        .map_err(|_| DomainError::invalid("callback", format!("'{base}' is not a URL")))?;
    url.query_pairs_mut().extend_pairs(params);
    Ok(url.into())
}

/// The merchant clicks Install: a one-time code is issued and the browser is sent to the
/// app's auth callback with `code`, `scope`, `context` and `account_uuid`.
pub(crate) fn start_install(
    state: &mut State,
    now: Instant,
    hash: &str,
    client_id: &str,
    user_id: i64,
) -> DomainResult<String> {
    let app = app(state, client_id)?;
    let store = live_store(state, hash)?;
    user_of(store, user_id)?;
    let code = random_alnum(16);
    let scope = app.scopes.join(" ");
    state.codes.insert(
        code.clone(),
        GrantCode {
            code: code.clone(),
            store_hash: hash.to_owned(),
            client_id: client_id.to_owned(),
            user_id,
            scopes: app.scopes.clone(),
            expires_at: now + Duration::minutes(10),
        },
    );
    url_with(
        &app.auth_callback,
        &[
            ("account_uuid", app.account_uuid.as_str()),
            ("code", code.as_str()),
            ("context", &format!("stores/{hash}")),
            ("scope", scope.as_str()),
        ],
    )
}

/// The body of `POST /oauth2/token` (JSON or form); every field optional so that a missing
/// one is an `invalid_request`, not a parse error.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TokenRequest {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub code: Option<String>,
    pub context: Option<String>,
    pub scope: Option<String>,
    pub grant_type: Option<String>,
    pub redirect_uri: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OAuthError {
    InvalidRequest(String),
    InvalidClient,
    InvalidGrant(String),
    UnsupportedGrantType,
}

impl OAuthError {
    pub fn status(&self) -> u16 {
        match self {
            OAuthError::InvalidClient => 401,
            _ => 400,
        }
    }

    pub fn body(&self) -> Value {
        let (error, description) = match self {
            OAuthError::InvalidRequest(d) => ("invalid_request", d.clone()),
            OAuthError::InvalidClient => {
                ("invalid_client", "Client authentication failed.".to_owned())
            }
            OAuthError::InvalidGrant(d) => ("invalid_grant", d.clone()),
            OAuthError::UnsupportedGrantType => (
                "unsupported_grant_type",
                "grant_type must be authorization_code".to_owned(),
            ),
        };
        json!({"error": error, "error_description": description})
    }
}

/// Upserts the install of `client_id` in `hash` and returns its access token.
fn install(
    state: &mut State,
    now: Instant,
    hash: &str,
    client_id: &str,
    scopes: Vec<String>,
    user_id: i64,
) -> DomainResult<String> {
    let store = state.store_mut(hash)?;
    let existing = store.installs.get(client_id).cloned();
    let token = match &existing {
        Some(install) if install.scopes == scopes => install.access_token.clone(),
        _ => random_alnum(31),
    };
    let mut users = existing
        .as_ref()
        .map(|i| i.users.clone())
        .unwrap_or_default();
    users.insert(user_id);
    store.installs.insert(
        client_id.to_owned(),
        Install {
            client_id: client_id.to_owned(),
            access_token: token.clone(),
            scopes: scopes.clone(),
            installed_by: existing.as_ref().map_or(user_id, |i| i.installed_by),
            installed_at: existing.as_ref().map_or(now, |i| i.installed_at),
            users,
        },
    );
    if let Some(old) = existing
        && !secrets_equal(&old.access_token, &token)
    {
        state.tokens.remove(&old.access_token);
    }
    state.tokens.insert(
        token.clone(),
        TokenGrant {
            store_hash: hash.to_owned(),
            client_id: client_id.to_owned(),
            scopes,
        },
    );
    Ok(token)
}

/// `POST /oauth2/token`.
pub(crate) fn exchange_code(
    state: &mut State,
    now: Instant,
    request: TokenRequest,
) -> Result<Value, OAuthError> {
    let required = |value: &Option<String>, name: &str| {
        value
            .clone()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| OAuthError::InvalidRequest(format!("{name} is required")))
    };
    let client_id = required(&request.client_id, "client_id")?;
    let client_secret = required(&request.client_secret, "client_secret")?;
    let code = required(&request.code, "code")?;
    let context = required(&request.context, "context")?;
    let grant_type = required(&request.grant_type, "grant_type")?;
    let redirect_uri = required(&request.redirect_uri, "redirect_uri")?;
    let app = state
        .apps
        .get(&client_id)
        .cloned()
        .ok_or(OAuthError::InvalidClient)?;
    if !secrets_equal(&client_secret, &app.client_secret) {
        return Err(OAuthError::InvalidClient);
    }
    if grant_type != "authorization_code" {
        return Err(OAuthError::UnsupportedGrantType);
    }
    let grant = find_by_secret(&state.codes, &code)
        .map(|(_, g)| g)
        .filter(|g| g.client_id == client_id && g.expires_at > now)
        .cloned()
        .ok_or_else(|| {
            OAuthError::InvalidGrant("The code is invalid, expired or already used.".into())
        })?;
    if redirect_uri != app.auth_callback {
        return Err(OAuthError::InvalidGrant(
            "redirect_uri does not match the app's auth callback URL.".into(),
        ));
    }
    if context != format!("stores/{}", grant.store_hash) {
        return Err(OAuthError::InvalidGrant(
            "context does not match the code.".into(),
        ));
    }
    let store = state
        .store(&grant.store_hash)
        .map_err(|_| OAuthError::InvalidGrant("The store no longer exists.".into()))?;
    if store.profile.status != StoreStatus::Live {
        return Err(OAuthError::InvalidGrant("The store is cancelled.".into()));
    }
    let user = store
        .users
        .get(&grant.user_id)
        .cloned()
        .ok_or_else(|| OAuthError::InvalidGrant("The installing user is gone.".into()))?;
    let owner = store
        .owner()
        .cloned()
        .ok_or_else(|| OAuthError::InvalidGrant("The store has no owner.".into()))?;
    state.codes.remove(&code);
    let token = install(
        state,
        now,
        &grant.store_hash,
        &client_id,
        grant.scopes.clone(),
        grant.user_id,
    )
    .map_err(|_| OAuthError::InvalidGrant("The store no longer exists.".into()))?;
    Ok(json!({
        "access_token": token,
        "scope": grant.scopes.join(" "),
        "user": {"id": user.id, "username": user.username, "email": user.email},
        "owner": {"id": owner.id, "username": owner.username, "email": owner.email},
        "context": format!("stores/{}", grant.store_hash),
        "account_uuid": app.account_uuid,
    }))
}

/// Installs without the browser dance (an API account for tests), granting `scopes` (the
/// app's registered scopes when `None`).
pub(crate) fn grant_token(
    state: &mut State,
    now: Instant,
    hash: &str,
    client_id: &str,
    scopes: Option<Vec<String>>,
) -> DomainResult<String> {
    let app = app(state, client_id)?;
    let owner_id = live_store(state, hash)?.owner_id;
    install(
        state,
        now,
        hash,
        client_id,
        scopes.unwrap_or(app.scopes),
        owner_id,
    )
}

#[derive(Serialize)]
struct JwtUser<'a> {
    id: i64,
    email: &'a str,
    locale: &'a str,
}

#[derive(Serialize)]
struct JwtOwner<'a> {
    id: i64,
    email: &'a str,
}

#[derive(Serialize)]
struct Claims<'a> {
    aud: &'a str,
    iss: &'static str,
    iat: i64,
    nbf: i64,
    exp: i64,
    jti: String,
    sub: String,
    user: JwtUser<'a>,
    owner: JwtOwner<'a>,
    url: &'a str,
    channel_id: Option<i64>,
}

/// A `signed_payload_jwt` (HS256 with the client secret; `exp` = `nbf` + 24 h).
pub(crate) fn signed_payload(
    state: &State,
    now: Instant,
    hash: &str,
    client_id: &str,
    user_id: i64,
    url: &str,
    channel_id: Option<i64>,
) -> DomainResult<String> {
    let app = app(state, client_id)?;
    let store = state.store(hash)?;
    let user = user_of(store, user_id)?;
    let owner = store
        .owner()
        .cloned()
        .ok_or_else(|| DomainError::not_found("owner"))?;
    let issued = now.timestamp();
    let claims = Claims {
        aud: &app.client_id,
        iss: "bc",
        iat: issued,
        nbf: issued,
        exp: issued + 24 * 3600,
        jti: uuid::Uuid::new_v4().to_string(),
        sub: format!("stores/{hash}"),
        user: JwtUser {
            id: user.id,
            email: &user.email,
            locale: &user.locale,
        },
        owner: JwtOwner {
            id: owner.id,
            email: &owner.email,
        },
        url,
        channel_id,
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(app.client_secret.as_bytes()),
    )
    .map_err(|e| DomainError::invalid_body(format!("cannot sign the payload: {e}")))
}

fn installed<'s>(store: &'s StoreState, client_id: &str) -> DomainResult<&'s Install> {
    store
        .installs
        .get(client_id)
        .ok_or_else(|| DomainError::not_found("install"))
}

/// The browser opens the app (Apps menu with `url` `/`, a deep link, or an App Extension
/// click with the substituted path): the load callback URL with a fresh JWT.
pub(crate) fn load_url(
    state: &mut State,
    now: Instant,
    hash: &str,
    client_id: &str,
    user_id: i64,
    url: &str,
    channel_id: Option<i64>,
) -> DomainResult<String> {
    let app = app(state, client_id)?;
    let store = live_store(state, hash)?;
    installed(store, client_id)?;
    let jwt = signed_payload(state, now, hash, client_id, user_id, url, channel_id)?;
    if let Some(install) = state.store_mut(hash)?.installs.get_mut(client_id) {
        install.users.insert(user_id);
    }
    url_with(&app.load_callback, &[("signed_payload_jwt", jwt.as_str())])
}

/// Removes an app from a store: its token, its `auto_uninstall` scripts, its App
/// Extensions and the install. Returns the uninstall callback URL (with a JWT signed
/// before the removal) for the server-to-server GET; the caller removes the hooks.
pub(crate) fn uninstall(
    state: &mut State,
    now: Instant,
    hash: &str,
    client_id: &str,
    user_id: Option<i64>,
) -> DomainResult<String> {
    let app = app(state, client_id)?;
    let store = state.store(hash)?;
    installed(store, client_id)?;
    let user_id = user_id.unwrap_or(store.owner_id);
    let jwt = signed_payload(state, now, hash, client_id, user_id, "/", None)?;
    let store = state.store_mut(hash)?;
    let install = store
        .installs
        .remove(client_id)
        .ok_or_else(|| DomainError::not_found("install"))?;
    scripts::remove_auto_uninstall(store, client_id);
    extensions::remove_app(store, client_id);
    state.tokens.remove(&install.access_token);
    state
        .codes
        .retain(|_, c| !(c.store_hash == hash && c.client_id == client_id));
    url_with(
        &app.uninstall_callback,
        &[("signed_payload_jwt", jwt.as_str())],
    )
}

/// The owner revokes a user's access to the app: the remove_user callback URL, with the
/// removed user in the JWT's `user` claim.
pub(crate) fn remove_user(
    state: &mut State,
    now: Instant,
    hash: &str,
    client_id: &str,
    user_id: i64,
) -> DomainResult<String> {
    let app = app(state, client_id)?;
    let store = state.store(hash)?;
    installed(store, client_id)?;
    let user = user_of(store, user_id)?;
    if user.is_owner {
        return Err(DomainError::invalid(
            "user_id",
            "the owner cannot be removed",
        ));
    }
    let jwt = signed_payload(state, now, hash, client_id, user_id, "/", None)?;
    if let Some(install) = state.store_mut(hash)?.installs.get_mut(client_id) {
        install.users.remove(&user_id);
    }
    url_with(
        &app.remove_user_callback,
        &[("signed_payload_jwt", jwt.as_str())],
    )
}
