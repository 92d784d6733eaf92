//! What every page shares: the frame around the content ([`Chrome`]), rendering, and the
//! error pages ([`CpError`]).

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::login::LoginPage;
use crate::bigcommerce::domain::DomainError;
use crate::bigcommerce::model::User;

/// The signed-in user as pages show them.
#[derive(Clone, Debug)]
pub(super) struct UserView {
    pub id: i64,
    pub email: String,
    pub locale: String,
    pub is_owner: bool,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            email: user.email.clone(),
            locale: user.locale.clone(),
            is_owner: user.is_owner,
        }
    }
}

/// The sidebar, the top bar and the notice around a page.
#[derive(Clone, Debug)]
pub(super) struct Chrome {
    /// `/cp/{store_hash}` (empty when the store is unknown).
    pub base: String,
    pub store_name: String,
    pub store_hash: String,
    /// `None` on the sign-in page and on errors before sign-in: no navigation.
    pub user: Option<UserView>,
    /// Which navigation entry is current: `apps`, `orders`, `users` or empty.
    pub section: &'static str,
    pub notice: Option<String>,
    /// The signed-in session's CSRF token, for the hidden field of the forms every page
    /// has (sign out) and of the app and user forms; `None` when signed out.
    pub csrf: Option<String>,
}

impl Chrome {
    /// For pages about no known store.
    pub fn bare() -> Self {
        Self {
            base: String::new(),
            store_name: "BigCommerce".into(),
            store_hash: String::new(),
            user: None,
            section: "",
            notice: None,
            csrf: None,
        }
    }

    pub fn is_section(&self, section: &str) -> bool {
        self.section == section
    }
}

/// Renders a page with `status`; the control panel's pages are never cached.
pub(super) fn render<T: Template>(status: StatusCode, page: &T) -> Response {
    match page.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the control panel could not render this page: {e}"),
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/error.html")]
struct ErrorPage<'a> {
    chrome: &'a Chrome,
    status: u16,
    title: &'a str,
    message: &'a str,
}

/// Why a page cannot be shown; each answers an HTML page with a 4xx (or 500) status.
#[derive(Debug)]
pub(super) enum CpError {
    Page {
        status: StatusCode,
        title: String,
        message: String,
        chrome: Box<Chrome>,
    },
    /// No user is signed in: 401 with the sign-in picker, which comes back here.
    SignedOut(Box<LoginPage>),
}

impl CpError {
    pub fn new(status: StatusCode, title: &str, message: impl Into<String>) -> Self {
        CpError::Page {
            status,
            title: title.to_owned(),
            message: message.into(),
            chrome: Box::new(Chrome::bare()),
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Not found",
            format!("The {what} does not exist."),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "Not allowed", message)
    }

    /// The same error shown inside the store's frame (navigation, signed-in user).
    pub fn within(self, chrome: &Chrome) -> Self {
        match self {
            CpError::Page {
                status,
                title,
                message,
                ..
            } => CpError::Page {
                status,
                title,
                message,
                chrome: Box::new(Chrome {
                    notice: None,
                    ..chrome.clone()
                }),
            },
            signed_out @ CpError::SignedOut(_) => signed_out,
        }
    }
}

impl From<DomainError> for CpError {
    fn from(error: DomainError) -> Self {
        let message = error.to_string();
        match error {
            DomainError::NotFound(what) => Self::not_found(&what),
            DomainError::Invalid { .. } => Self::bad_request(message),
            DomainError::Conflict(_) => Self::new(StatusCode::CONFLICT, "Conflict", message),
            DomainError::Forbidden(_) => Self::forbidden(message),
            DomainError::GuestStoreCredit => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "Not possible", message)
            }
        }
    }
}

impl IntoResponse for CpError {
    fn into_response(self) -> Response {
        match self {
            CpError::Page {
                status,
                title,
                message,
                chrome,
            } => render(
                status,
                &ErrorPage {
                    chrome: &chrome,
                    status: status.as_u16(),
                    title: &title,
                    message: &message,
                },
            ),
            CpError::SignedOut(page) => render(StatusCode::UNAUTHORIZED, page.as_ref()),
        }
    }
}

pub(super) type CpResult<T> = Result<T, CpError>;

/// Any other path under `/cp/`.
pub(super) async fn unknown_page() -> CpError {
    CpError::not_found("page")
}

/// Cents as the control panel shows money: `€115.00`, `-€5.00`.
pub(super) fn money(symbol: &str, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{symbol}{}.{:02}", abs / 100, abs % 100)
}

/// What a scope lets an app do, as the confirm-permissions page lists it.
pub(super) fn scope_label(scope: &str) -> &'static str {
    match scope {
        "store_v2_orders" => "Orders: modify",
        "store_v2_orders_read_only" => "Orders: read-only",
        "store_v2_transactions" => "Order transactions: modify",
        "store_v2_transactions_read_only" => "Order transactions: read-only",
        "store_checkout" => "Checkouts: modify",
        "store_checkout_read_only" => "Checkouts: read-only",
        "store_cart" => "Carts: modify",
        "store_cart_read_only" => "Carts: read-only",
        "store_content_checkout" => "Checkout content: modify",
        "store_content_checkout_read_only" => "Checkout content: read-only",
        "store_v2_content" => "Content: modify",
        "store_v2_content_read_only" => "Content: read-only",
        "store_v2_information" => "Information & settings: modify",
        "store_v2_information_read_only" => "Information & settings: read-only",
        "store_v2_customers" => "Customers: modify",
        "store_v2_customers_read_only" => "Customers: read-only",
        "store_app_extensions_manage" => "App extensions: manage",
        "store_channel_settings" => "Channel settings: modify",
        "store_channel_settings_read_only" => "Channel settings: read-only",
        _ => "Other access",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_shown_with_two_decimals_and_a_sign() {
        assert_eq!(money("€", 11_500), "€115.00");
        assert_eq!(money("€", 5), "€0.05");
        assert_eq!(money("€", -500), "-€5.00");
        assert_eq!(money("€", i64::MIN), "-€92233720368547758.08");
    }
}
