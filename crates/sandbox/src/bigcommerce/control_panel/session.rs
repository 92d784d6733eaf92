//! Who is signed in: the `bc_cp_user` cookie (`{user_id}.{session}`, a fresh random session
//! id at every sign-in), scoped to the store's base path, checked against the store's users
//! on every request; and the session's CSRF token, which forms that change an order carry
//! in a hidden field.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::login::LoginPage;
use super::pages::{Chrome, CpError, CpResult, UserView};
use super::{base_path, is_local_path};
use crate::bigcommerce::control::BigCommerce;
use crate::bigcommerce::domain::random_hex;
use crate::bigcommerce::model::{StoreState, StoreStatus, User};

pub(super) const COOKIE: &str = "bc_cp_user";

/// The hidden form field carrying the CSRF token.
pub(super) const CSRF_FIELD: &str = "csrf_token";

/// Hex characters of a session id.
const SESSION_LEN: usize = 32;

/// A live store's snapshot and its control-panel base path.
pub(super) struct StorePage {
    pub store: StoreState,
    pub base: String,
}

impl StorePage {
    /// 404 for an unknown store, 403 for a cancelled one.
    pub fn load(sim: &BigCommerce, store_hash: &str) -> CpResult<Self> {
        let store = sim
            .store(store_hash)
            .ok_or_else(|| CpError::not_found("store"))?;
        if store.profile.status != StoreStatus::Live {
            return Err(CpError::forbidden(
                "The store is cancelled; its control panel is closed.",
            ));
        }
        Ok(Self {
            base: base_path(store_hash),
            store,
        })
    }

    pub fn hash(&self) -> &str {
        &self.store.profile.hash
    }

    pub fn chrome(&self, user: Option<&User>, section: &'static str) -> Chrome {
        Chrome {
            base: self.base.clone(),
            store_name: self.store.profile.name.clone(),
            store_hash: self.store.profile.hash.clone(),
            user: user.map(UserView::from),
            section,
            notice: None,
            csrf: None,
        }
    }

    /// `next` if it is a page of this control panel, else My Apps.
    pub fn next_or_home(&self, next: Option<&str>) -> String {
        next.filter(|n| is_local_path(n) && n.starts_with(&format!("{}/", self.base)))
            .map_or_else(
                || format!("{}{}", self.base, super::paths::MY_APPS),
                str::to_owned,
            )
    }

    /// The sign-in picker answering a signed-out request, coming back to `next`.
    pub fn signed_out(&self, next: &str) -> CpError {
        CpError::SignedOut(Box::new(LoginPage::new(self, next)))
    }
}

/// A signed-in request on a live store.
pub(super) struct Ctx {
    pub page: StorePage,
    pub user: User,
    /// The session's CSRF token, for the hidden field of forms.
    pub csrf: String,
    /// The same token's MAC, for checking a posted token in constant time.
    mac: Hmac<Sha256>,
}

impl Ctx {
    /// The store and the signed-in user; signed out → 401 with the picker (back to `uri`).
    pub fn new(
        sim: &BigCommerce,
        store_hash: &str,
        headers: &HeaderMap,
        uri: &Uri,
    ) -> CpResult<Self> {
        let page = StorePage::load(sim, store_hash)?;
        match signed_in(headers, &page.store) {
            Some((user, session)) => Self::signed_in(sim, page, user, &session),
            None => {
                let next = page.next_or_home(uri.path_and_query().map(|p| p.as_str()));
                Err(page.signed_out(&next))
            }
        }
    }

    /// As [`Ctx::new`] for a form post: signed out → the picker, back to My Apps.
    pub fn for_action(sim: &BigCommerce, store_hash: &str, headers: &HeaderMap) -> CpResult<Self> {
        let page = StorePage::load(sim, store_hash)?;
        match signed_in(headers, &page.store) {
            Some((user, session)) => Self::signed_in(sim, page, user, &session),
            None => {
                let next = page.next_or_home(None);
                Err(page.signed_out(&next))
            }
        }
    }

    fn signed_in(sim: &BigCommerce, page: StorePage, user: User, session: &str) -> CpResult<Self> {
        let mut mac = Hmac::<Sha256>::new_from_slice(sim.control_panel_key())
            .map_err(|_| CpError::forbidden("The control panel has no session key."))?;
        // Bound to the store, the user and this sign-in: a token is good for one session.
        mac.update(format!("cp-csrf\0{}\0{}\0{session}", page.hash(), user.id).as_bytes());
        let csrf = hex::encode(mac.clone().finalize().into_bytes());
        Ok(Self {
            page,
            user,
            csrf,
            mac,
        })
    }

    /// A form post that changes state must carry this session's token: 403 otherwise.
    pub fn check_csrf(&self, sent: Option<&str>, chrome: &Chrome) -> CpResult<()> {
        let valid = sent
            .and_then(|token| hex::decode(token.trim()).ok())
            .is_some_and(|bytes| self.mac.clone().verify_slice(&bytes).is_ok());
        if valid {
            Ok(())
        } else {
            Err(CpError::forbidden(
                "This form did not come from your control-panel session (its security token \
                 is missing or out of date). Reload the page and try again.",
            )
            .within(chrome))
        }
    }

    pub fn chrome(&self, section: &'static str, notice: Option<String>) -> Chrome {
        Chrome {
            notice: notice.filter(|n| !n.is_empty()),
            csrf: Some(self.csrf.clone()),
            ..self.page.chrome(Some(&self.user), section)
        }
    }

    /// [`Ctx::check_csrf`] on a posted form (an unreadable form carries no token).
    pub fn check_posted_csrf(
        &self,
        form: Result<Form<Vec<(String, String)>>, FormRejection>,
        chrome: &Chrome,
    ) -> CpResult<()> {
        let fields = form.map(|Form(f)| f).unwrap_or_default();
        let sent = fields
            .iter()
            .rev()
            .find(|(name, _)| name == CSRF_FIELD)
            .map(|(_, v)| v.as_str());
        self.check_csrf(sent, chrome)
    }

    pub fn hash(&self) -> &str {
        self.page.hash()
    }

    /// `{base}{path}`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.page.base)
    }
}

/// The signed-in user and the session id, from `{user_id}.{session}`.
fn signed_in(headers: &HeaderMap, store: &StoreState) -> Option<(User, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE)
        .filter_map(|(_, value)| value.split_once('.'))
        .filter(|(_, session)| {
            session.len() == SESSION_LEN && session.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .filter_map(|(id, session)| Some((id.parse::<i64>().ok()?, session)))
        .find_map(|(id, session)| Some((store.users.get(&id).cloned()?, session.to_owned())))
}

/// `Set-Cookie` signing `user_id` in to the control panel at `base`, in a new session.
pub(super) fn sign_in_cookie(base: &str, user_id: i64) -> Option<HeaderValue> {
    let session = random_hex(SESSION_LEN);
    HeaderValue::from_str(&format!(
        "{COOKIE}={user_id}.{session}; Path={base}; HttpOnly; SameSite=Lax"
    ))
    .ok()
}

pub(super) fn sign_out_cookie(base: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path={base}; HttpOnly; SameSite=Lax; Max-Age=0"
    ))
    .ok()
}
