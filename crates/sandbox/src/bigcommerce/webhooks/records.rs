//! What the engine remembers about deliveries, for tests and the demo to inspect.

use chrono::{DateTime, Utc};

/// One event on its way to one hook. Every attempt POSTs the same `body`.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub id: u64,
    pub hook_id: i64,
    pub store_hash: String,
    pub store_id: String,
    pub client_id: String,
    pub scope: String,
    /// Hex SHA-1 of the JSON-encoded `data` (the payload's `hash`).
    pub hash: String,
    /// The event's time, unix seconds (the payload's `created_at`).
    pub created_at: i64,
    /// The exact JSON body POSTed on every attempt.
    pub body: String,
    pub status: DeliveryStatus,
    pub attempts: Vec<Attempt>,
    /// Set on the second copy made by the duplicate switch.
    pub duplicate_of: Option<u64>,
}

impl Delivery {
    /// The body as JSON (for assertions).
    pub fn payload(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt, due at this time of the simulator's clock.
    Pending { due_at: DateTime<Utc> },
    /// Held by the reorder switch until the next `flush`.
    Held,
    /// An attempt is being made right now.
    InFlight,
    /// A 2xx answer was received.
    Delivered,
    /// Every retry failed; the hook was deactivated.
    Exhausted,
    /// Lost by the drop switch: never attempted, never retried.
    Dropped,
    /// Its hook was deleted, deactivated or removed with its app before it got through.
    Cancelled,
}

/// One POST (or, for the fail-first switch, one pretended POST) of a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// 1 for the first attempt, 2 for the first retry, …
    pub number: u32,
    /// When the attempt was made, on the simulator's clock.
    pub at: DateTime<Utc>,
    pub destination: String,
    /// The headers set by the simulator: `Content-Type`, `User-Agent` and the hook's
    /// custom headers (not the transport's own `Host`, `Content-Length`, `Accept`).
    pub headers: Vec<(String, String)>,
    pub outcome: AttemptOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// Any 2xx.
    Success { status: u16 },
    /// Any other status.
    HttpError { status: u16 },
    /// No answer within the attempt timeout.
    Timeout,
    /// Connection refused, reset, DNS failure, TLS failure, …
    ConnectionError { message: String },
    /// Lost on purpose by the fail-first switch; the destination saw nothing.
    Lost,
}

impl AttemptOutcome {
    pub fn is_success(&self) -> bool {
        matches!(self, AttemptOutcome::Success { .. })
    }

    /// How the failure is described in deliveryException messages and in the
    /// admin endpoint's `blocked_domains[].reasons`.
    pub(super) fn failure_description(&self) -> String {
        match self {
            AttemptOutcome::Success { status } => format!("HTTP {status}"),
            AttemptOutcome::HttpError { status } => format!("Non-200 response received ({status})"),
            AttemptOutcome::Timeout => "No response received (timeout)".to_owned(),
            AttemptOutcome::ConnectionError { .. } | AttemptOutcome::Lost => {
                "No response received (connection failed)".to_owned()
            }
        }
    }
}

/// An e-mail BigCommerce would send to the addresses registered with
/// `PUT /v3/hooks/admin` (recorded, not sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub store_hash: String,
    pub client_id: String,
    /// The registered addresses at the time; empty if none were registered.
    pub to: Vec<String>,
    pub kind: NotificationKind,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotificationKind {
    HookDeactivated { hook_id: i64 },
    DomainBlocked { domain: String },
}
