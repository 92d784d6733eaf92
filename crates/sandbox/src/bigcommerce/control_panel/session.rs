//! Who is signed in: the `bc_cp_user` cookie (a user id), scoped to the store's base path,
//! checked against the store's users on every request.

use axum::http::{HeaderMap, HeaderValue, Uri, header};

use super::login::LoginPage;
use super::pages::{Chrome, CpError, CpResult, UserView};
use super::{base_path, is_local_path};
use crate::bigcommerce::control::BigCommerce;
use crate::bigcommerce::model::{StoreState, StoreStatus, User};

pub(super) const COOKIE: &str = "bc_cp_user";

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
            Some(user) => Ok(Self { page, user }),
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
            Some(user) => Ok(Self { page, user }),
            None => {
                let next = page.next_or_home(None);
                Err(page.signed_out(&next))
            }
        }
    }

    pub fn chrome(&self, section: &'static str, notice: Option<String>) -> Chrome {
        Chrome {
            notice: notice.filter(|n| !n.is_empty()),
            ..self.page.chrome(Some(&self.user), section)
        }
    }

    pub fn hash(&self) -> &str {
        self.page.hash()
    }

    /// `{base}{path}`.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.page.base)
    }
}

fn signed_in(headers: &HeaderMap, store: &StoreState) -> Option<User> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE)
        .filter_map(|(_, value)| value.parse::<i64>().ok())
        .find_map(|id| store.users.get(&id).cloned())
}

/// `Set-Cookie` signing `user_id` in to the control panel at `base`.
pub(super) fn sign_in_cookie(base: &str, user_id: i64) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{COOKIE}={user_id}; Path={base}; HttpOnly; SameSite=Lax"
    ))
    .ok()
}

pub(super) fn sign_out_cookie(base: &str) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path={base}; HttpOnly; SameSite=Lax; Max-Age=0"
    ))
    .ok()
}
