//! What the simulator keeps and shows: orders with their history, notification
//! deliveries with their attempts, requests, delivery reports. Cloned out to tests by
//! the control handle.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::payload::{Cart, MerchantBlock, MerchantReference};

/// An order's place in SeQura's life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderState {
    /// Created by `POST orders`; the shopper has not finished the form.
    Solicited,
    /// Approved; waiting for the shop to `PUT` it `confirmed`.
    Approved,
    /// Sent to manual review; waiting for the shop to `PUT` it `on_hold`.
    NeedsReview,
    Confirmed,
    OnHold,
    /// Rejected at the form (no IPN).
    Rejected,
    /// Cancelled: by review, by the shop's 410, or by an update with both carts empty.
    Cancelled,
}

impl OrderState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Solicited => "solicited",
            Self::Approved => "approved",
            Self::NeedsReview => "needs_review",
            Self::Confirmed => "confirmed",
            Self::OnHold => "on_hold",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }
}

impl std::fmt::Display for OrderState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One line of an order's history: a call about it, a decision, a notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    /// e.g. `POST orders`, `PUT orders/{uuid}`, `decision`, `IPN attempt`.
    pub action: String,
    /// The HTTP status answered (calls) or received (notifications), if any.
    pub status: Option<u16>,
    pub detail: String,
}

/// One call of the Order Update API on an order, accepted or not.
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateRecord {
    pub at: DateTime<Utc>,
    pub status: u16,
    pub errors: Vec<String>,
    pub shipped_cart: Option<Cart>,
    pub unshipped_cart: Option<Cart>,
    pub delivery_address: Option<Value>,
    pub invoice_address: Option<Value>,
    /// The `order` object as sent.
    pub body: Value,
}

/// A SeQura order.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub uuid: Uuid,
    /// The account that created it.
    pub username: String,
    pub merchant_id: String,
    pub state: OrderState,
    pub created_at: DateTime<Utc>,
    pub merchant: MerchantBlock,
    pub merchant_reference: Option<MerchantReference>,
    /// The cart of the solicitation (what the shopper was approved for).
    pub solicited_cart: Cart,
    /// The cart of the accepted `PUT orders/{uuid}`.
    pub confirmed_cart: Option<Cart>,
    pub unshipped_cart: Cart,
    pub shipped_cart: Cart,
    pub delivery_address: Value,
    pub invoice_address: Value,
    pub customer: Value,
    /// The `order` object of `POST orders`, as sent.
    pub solicitation: Value,
    /// Chosen at the form (`i1` when the form did not say).
    pub product_code: Option<String>,
    pub campaign: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub needs_review_at: Option<DateTime<Utc>>,
    /// The shop answered an IPN with 410: the shopper saw the conflict screen.
    pub conflict: bool,
    pub cancel_reason: Option<String>,
    pub history: Vec<HistoryEntry>,
    pub updates: Vec<UpdateRecord>,
}

impl Order {
    pub fn order_ref_1(&self) -> Option<&str> {
        self.merchant_reference
            .as_ref()
            .map(|r| r.order_ref_1.as_str())
    }

    pub(crate) fn log(
        &mut self,
        at: DateTime<Utc>,
        action: &str,
        status: Option<u16>,
        detail: impl Into<String>,
    ) {
        self.history.push(HistoryEntry {
            at,
            action: action.to_owned(),
            status,
            detail: detail.into(),
        });
    }
}

/// Which channel a notification goes through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    /// To `merchant.notify_url`; `sq_state` is `approved` or `needs_review`.
    Ipn { sq_state: String },
    /// To `merchant.events_webhook.url`; `event` is `cancelled`.
    Event { event: String },
}

/// Where a notification stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotificationStatus {
    Pending {
        due_at: DateTime<Utc>,
    },
    InFlight,
    /// The shop answered 2xx (IPN: also 302/307).
    Delivered,
    /// The shop refused for good: 410 to an IPN, 501 to an event.
    Refused {
        status: u16,
    },
    /// No attempts left (replays get one attempt).
    Exhausted,
    /// Dropped by fault injection: never sent.
    Dropped,
    /// A newer IPN of the same order, or the order's cancellation, replaced it.
    Superseded,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    Answered { status: u16 },
    Timeout,
    ConnectionError { message: String },
}

impl AttemptOutcome {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Answered { status } => Some(*status),
            _ => None,
        }
    }
}

/// One POST of a notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub number: u32,
    pub at: DateTime<Utc>,
    /// The form fields sent, in order.
    pub fields: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub outcome: AttemptOutcome,
    /// For IPN answers that count as success: whether the shop had already `PUT` the
    /// order `confirmed` (approved) / `on_hold` (needs_review) when it answered, as
    /// SeQura requires.
    pub shop_acknowledged: Option<bool>,
}

/// One notification (IPN or event) and its attempts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub id: u64,
    pub order: Uuid,
    pub kind: NotificationKind,
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub status: NotificationStatus,
    pub attempts: Vec<Attempt>,
    /// Set on replays (fault injection): the notification replayed.
    pub replay_of: Option<u64>,
}

impl Notification {
    pub fn is_ipn(&self) -> bool {
        matches!(self.kind, NotificationKind::Ipn { .. })
    }

    pub fn sq_state(&self) -> Option<&str> {
        match &self.kind {
            NotificationKind::Ipn { sq_state } => Some(sq_state),
            NotificationKind::Event { .. } => None,
        }
    }
}

/// A call the simulator answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    /// The account, when Basic auth succeeded.
    pub username: Option<String>,
    /// The `Sequra-Merchant-Id` header, as sent.
    pub merchant_header: Option<String>,
    pub status: u16,
}

/// An accepted `POST orders/delivery_reports`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryReportRecord {
    pub at: DateTime<Utc>,
    pub username: String,
    pub merchant_id: String,
    pub body: Value,
}

/// An accepted `POST store_integrations`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreIntegration {
    pub id: u64,
    pub username: String,
    pub merchant_id: Option<String>,
    pub webhook_url: String,
    pub capabilities: Vec<String>,
    pub deleted: bool,
}
