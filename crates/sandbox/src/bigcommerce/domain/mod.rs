//! Merchant, shopper and app actions on a store: the ONE place where state changes and
//! where the webhook events BigCommerce would send are decided. The REST/GraphQL handlers
//! and the control handle (tests, the future control panel) both call these functions, so
//! an edit made "in the control panel" and one made through the API change state the same
//! way and fire the same events.
//!
//! Each action runs on a [`StoreTx`]: it validates everything first and only then mutates,
//! so an error leaves the store untouched and emits nothing. Events are collected in the
//! transaction and recorded/emitted by the caller after the lock is released.

pub mod catalog;
pub mod checkout;
pub mod extensions;
pub mod metafields;
pub mod orders;
pub mod refunds;
pub mod scripts;
pub mod shipments;
pub mod totals;

use serde_json::{Value, json};

use super::model::{Instant, StoreState};

/// Why an action was refused. Handlers map each kind to the API's status and error style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainError {
    /// The named resource does not exist (or is not visible to the caller).
    NotFound(String),
    /// The request is understood but its data is wrong; `field` names the culprit.
    Invalid {
        field: Option<String>,
        message: String,
    },
    /// A uniqueness or version clash (metafield key, cart version).
    Conflict(String),
    /// The caller may not do this (missing scope for this particular variant).
    Forbidden(String),
    /// Refunding store credit to a guest: BigCommerce's own 422 title.
    GuestStoreCredit,
}

impl DomainError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }

    pub fn invalid_body(message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: None,
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        DomainError::NotFound(what.into())
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DomainError::NotFound(what) => write!(f, "{what} not found"),
            DomainError::Invalid {
                field: Some(field),
                message,
            } => write!(f, "{field}: {message}"),
            DomainError::Invalid {
                field: None,
                message,
            } => f.write_str(message),
            DomainError::Conflict(message) | DomainError::Forbidden(message) => {
                f.write_str(message)
            }
            DomainError::GuestStoreCredit => {
                f.write_str("Unable to provide store credit for a guest customer.")
            }
        }
    }
}

impl std::error::Error for DomainError {}

pub type DomainResult<T> = Result<T, DomainError>;

/// A webhook event decided by an action, before it gets its store ids and timestamp.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingEvent {
    pub scope: String,
    pub data: Value,
}

/// One action on one store: the store's state, the time, and the events it produces.
pub struct StoreTx<'a> {
    pub store: &'a mut StoreState,
    pub now: Instant,
    pub events: Vec<PendingEvent>,
}

impl<'a> StoreTx<'a> {
    pub fn new(store: &'a mut StoreState, now: Instant) -> Self {
        Self {
            store,
            now,
            events: Vec::new(),
        }
    }

    pub fn emit(&mut self, scope: &str, data: Value) {
        self.events.push(PendingEvent {
            scope: scope.to_owned(),
            data,
        });
    }

    /// `{type: "order", id}` events.
    pub fn emit_order(&mut self, scope: &str, order_id: i64) {
        self.emit(scope, json!({"type": "order", "id": order_id}));
    }

    pub fn emit_status_updated(&mut self, order_id: i64, previous: u8, new: u8) {
        self.emit(
            "store/order/statusUpdated",
            json!({
                "type": "order",
                "id": order_id,
                "status": {"previous_status_id": previous, "new_status_id": new}
            }),
        );
    }
}

/// Whether a string field is within BigCommerce's length bounds (in characters).
pub(crate) fn check_len(field: &str, value: &str, min: usize, max: usize) -> DomainResult<()> {
    let len = value.chars().count();
    if len < min || len > max {
        return Err(DomainError::invalid(
            field,
            format!("{field} must be between {min} and {max} characters long"),
        ));
    }
    Ok(())
}

/// The most units of one line the simulator accepts (keeps money sums far from overflow).
pub const MAX_QUANTITY: i64 = 1_000_000;

pub(crate) fn check_quantity(field: &str, quantity: i64, min: i64) -> DomainResult<()> {
    if (min..=MAX_QUANTITY).contains(&quantity) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!("{field} must be between {min} and {MAX_QUANTITY}"),
        ))
    }
}

pub(crate) fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Lowercase hex made of random UUID bytes, `len` characters long (≤ 64).
pub(crate) fn random_hex(len: usize) -> String {
    let mut out = String::with_capacity(64);
    out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    out.truncate(len.min(64));
    out
}

/// Lowercase alphanumerics (BigCommerce's grant codes and tokens look like this).
pub(crate) fn random_alnum(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in uuid::Uuid::new_v4().as_bytes() {
            if out.len() == len {
                break;
            }
            let index = usize::from(*byte) % ALPHABET.len();
            if let Some(c) = ALPHABET.get(index) {
                out.push(char::from(*c));
            }
        }
    }
    out
}
