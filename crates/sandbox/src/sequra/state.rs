//! The simulator's state and the decisions SeQura makes on it (the service layer):
//! accounts, catalogues, orders and their transitions, the notification queue. All of
//! it synchronous, under one lock, so that a handler's check and its effect are atomic.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::accounts::{Account, Merchant};
use super::catalogue::{PaymentMethod, default_catalogue};
use super::payload::{Cart, DeliveryReport, Invalid, OrderPayload, UpdatePayload};
use super::records::{
    Attempt, AttemptOutcome, DeliveryReportRecord, Notification, NotificationKind,
    NotificationStatus, Order, OrderState, RequestRecord, StoreIntegration, UpdateRecord,
};

/// User-Agent of the events webhook (§2.2).
pub const EVENTS_USER_AGENT: &str = "seQura-Event/1.0 (www.sequra.es)";
/// User-Agent of IPNs. SeQura's is undocumented; this one says what it is.
pub const IPN_USER_AGENT: &str = "seQura-IPN/1.0 (sequra-bigcommerce sandbox)";

/// An answer other than success, mapped to HTTP in one place (`api::error_response`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// 401 `HTTP Basic: Access denied.`
    Unauthorized,
    /// 403 `{"errors":[..]}`
    Forbidden(String),
    /// 404 `{"errors":[..]}`
    NotFound(String),
    /// 409 `{"errors":[..]}`
    Conflict(Vec<String>),
    /// 400 `{"errors":[..]}`
    BadRequest(String),
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        match invalid {
            Invalid::Malformed(message) => Self::BadRequest(message),
            Invalid::Data(errors) => Self::Conflict(errors),
        }
    }
}

pub(crate) fn bad_merchant(merchant: &str, username: &str) -> ApiError {
    ApiError::Forbidden(format!("Bad merchant id '{merchant}' for {username}"))
}

pub(crate) fn bad_order(order: &str, username: &str) -> ApiError {
    ApiError::Forbidden(format!("Bad order id '{order}' for {username}"))
}

/// How the shopper's identification ends (the form's persona, or the control handle).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Manual review; with `Some`, the review completes by itself after the review
    /// delay (the form's "Review Test …" personas).
    Review(Option<ReviewOutcome>),
    Reject,
}

/// How a manual review ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewOutcome {
    /// A second IPN, `approved`.
    Approve,
    /// The order is cancelled and the events webhook gets `cancelled`.
    Cancel,
}

/// Why a decision through the control handle (or the form) was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecideError {
    UnknownOrder,
    /// Only solicited orders can be decided, only orders in review can complete it.
    WrongState(OrderState),
    /// `replay_ipn` on an order that never had one.
    NoIpn,
}

impl std::fmt::Display for DecideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownOrder => f.write_str("unknown order"),
            Self::WrongState(state) => write!(f, "the order is {state}"),
            Self::NoIpn => f.write_str("the order has no IPN to replay"),
        }
    }
}

impl std::error::Error for DecideError {}

/// Fault injection switches.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    pub latency: Option<Duration>,
    pub failures: Vec<FailureRule>,
    pub drop_ipns: u32,
}

#[derive(Debug)]
pub(crate) struct FailureRule {
    /// Matched against the path without its leading `/`.
    pub prefix: Option<String>,
    pub remaining: u32,
    pub status: u16,
}

impl Faults {
    /// Whether this call should fail, and with which status (uses up one failure).
    pub fn take_failure(&mut self, path: &str) -> Option<u16> {
        let path = path.trim_start_matches('/');
        let rule = self.failures.iter_mut().find(|rule| {
            rule.remaining > 0
                && rule
                    .prefix
                    .as_deref()
                    .is_none_or(|prefix| path.starts_with(prefix.trim_start_matches('/')))
        })?;
        rule.remaining -= 1;
        let status = rule.status;
        self.failures.retain(|rule| rule.remaining > 0);
        Some(status)
    }
}

#[derive(Debug)]
pub(crate) struct ScheduledReview {
    pub order: Uuid,
    pub due_at: DateTime<Utc>,
    pub outcome: ReviewOutcome,
}

/// Retry schedules and delays the state needs.
#[derive(Clone, Debug)]
pub(crate) struct Policy {
    pub ipn_retries: Vec<Duration>,
    pub event_retries: Vec<Duration>,
    pub review_delay: Duration,
}

/// An attempt claimed for sending, with everything needed to make it without the lock.
#[derive(Clone, Debug)]
pub(crate) struct Planned {
    pub id: u64,
    pub order: Uuid,
    pub number: u32,
    pub url: String,
    pub fields: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub is_event: bool,
}

#[derive(Default)]
pub(crate) struct State {
    pub accounts: Vec<Account>,
    /// Per merchant ref.
    pub catalogues: HashMap<String, Vec<PaymentMethod>>,
    pub orders: HashMap<Uuid, Order>,
    /// Creation order.
    pub order_list: Vec<Uuid>,
    pub notifications: BTreeMap<u64, Notification>,
    next_notification: u64,
    pub scheduled: Vec<ScheduledReview>,
    pub faults: Faults,
    pub requests: Vec<RequestRecord>,
    pub reports: Vec<DeliveryReportRecord>,
    pub integrations: Vec<StoreIntegration>,
    /// Writes (`POST`/`PUT`/`PATCH`/`DELETE`) being answered now, per path.
    pub writes_in_flight: HashMap<String, u32>,
    /// The most writes to one path ever answered at the same time, per path.
    pub write_overlap: BTreeMap<String, u32>,
}

fn chrono_duration(duration: Duration) -> chrono::Duration {
    chrono::Duration::from_std(duration).unwrap_or(chrono::Duration::MAX)
}

impl State {
    // --- accounts --------------------------------------------------------------

    pub fn add_account(&mut self, account: Account) {
        for merchant in &account.merchants {
            self.catalogues
                .entry(merchant.reference.clone())
                .or_insert_with(|| default_catalogue(&merchant.country));
        }
        self.accounts.retain(|a| a.username != account.username);
        self.accounts.push(account);
    }

    pub fn add_merchant(&mut self, username: &str, merchant: Merchant) -> bool {
        let Some(account) = self.accounts.iter_mut().find(|a| a.username == username) else {
            return false;
        };
        self.catalogues
            .entry(merchant.reference.clone())
            .or_insert_with(|| default_catalogue(&merchant.country));
        account
            .merchants
            .retain(|m| m.reference != merchant.reference);
        account.merchants.push(merchant);
        true
    }

    pub fn authenticate(&self, username: &str, password: &str) -> bool {
        self.accounts
            .iter()
            // Both compared in full, in constant time, whichever is wrong.
            .any(|a| {
                crate::secrets::secrets_equal(&a.username, username)
                    & crate::secrets::secrets_equal(&a.password, password)
            })
    }

    pub fn account(&self, username: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.username == username)
    }

    pub fn merchant(&self, username: &str, merchant: &str) -> Option<&Merchant> {
        self.account(username)?
            .merchants
            .iter()
            .find(|m| m.reference == merchant)
    }

    pub fn catalogue(&self, merchant: &str) -> &[PaymentMethod] {
        self.catalogues.get(merchant).map_or(&[], Vec::as_slice)
    }

    // --- orders ------------------------------------------------------------------

    /// The caller's order by its uuid (as text from the path).
    pub fn order_of(&self, username: &str, uuid: &str) -> Option<&Order> {
        let uuid = Uuid::parse_str(uuid).ok()?;
        self.orders.get(&uuid).filter(|o| o.username == username)
    }

    pub fn order_by_text(&self, uuid: &str) -> Option<&Order> {
        self.orders.get(&Uuid::parse_str(uuid).ok()?)
    }

    /// `POST orders`.
    pub fn solicit(
        &mut self,
        username: &str,
        payload: OrderPayload,
        now: DateTime<Utc>,
    ) -> Result<Uuid, ApiError> {
        let merchant_id = payload.merchant.id.clone();
        let currency = match self.merchant(username, &merchant_id) {
            Some(merchant) => merchant.currency.clone(),
            None => return Err(bad_merchant(&merchant_id, username)),
        };
        if payload.cart.currency != currency {
            return Err(ApiError::Conflict(vec![format!(
                "Invalid data: order.cart.currency '{}' is not the merchant's currency '{currency}'",
                payload.cart.currency
            )]));
        }
        if payload.cart.order_total_with_tax <= 0 {
            return Err(ApiError::Conflict(vec![
                "Invalid data: order.cart.order_total_with_tax must be positive".to_owned(),
            ]));
        }
        let uuid = Uuid::new_v4();
        let mut order = Order {
            uuid,
            username: username.to_owned(),
            merchant_id,
            state: OrderState::Solicited,
            created_at: now,
            merchant: payload.merchant,
            merchant_reference: payload.merchant_reference,
            unshipped_cart: payload.cart.clone(),
            shipped_cart: Cart::empty(&currency),
            solicited_cart: payload.cart,
            confirmed_cart: None,
            delivery_address: payload.delivery_address,
            invoice_address: payload.invoice_address,
            customer: payload.customer,
            solicitation: payload.raw,
            product_code: None,
            campaign: None,
            approved_at: None,
            needs_review_at: None,
            conflict: false,
            cancel_reason: None,
            history: Vec::new(),
            updates: Vec::new(),
        };
        order.log(now, "POST orders", Some(204), "solicited");
        self.orders.insert(uuid, order);
        self.order_list.push(uuid);
        Ok(uuid)
    }

    /// `PUT orders/{uuid}`: the shop confirms (`confirmed`) or holds (`on_hold`).
    pub fn acknowledge(
        &mut self,
        username: &str,
        uuid_text: &str,
        payload: OrderPayload,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        let uuid = Uuid::parse_str(uuid_text)
            .map_err(|_| ApiError::NotFound(format!("Order '{uuid_text}' not found")))?;
        let Some(order) = self.orders.get(&uuid) else {
            return Err(ApiError::NotFound(format!("Order '{uuid_text}' not found")));
        };
        if order.username != username {
            return Err(bad_order(uuid_text, username));
        }
        if self.merchant(username, &payload.merchant.id).is_none() {
            return Err(bad_merchant(&payload.merchant.id, username));
        }
        let result = self.check_acknowledge(order, &payload);
        let status = if result.is_ok() { 200 } else { 409 };
        let Some(order) = self.orders.get_mut(&uuid) else {
            return Err(ApiError::NotFound(format!("Order '{uuid_text}' not found")));
        };
        match result {
            Err(errors) => {
                order.log(now, "PUT orders/{uuid}", Some(status), errors.join(" "));
                Err(ApiError::Conflict(errors))
            }
            Ok(target) => {
                if let Some(reference) = payload.merchant_reference {
                    order.merchant_reference = Some(reference);
                }
                if order.updates.is_empty() {
                    order.unshipped_cart = payload.cart.clone();
                    order.shipped_cart = Cart::empty(&payload.cart.currency);
                    order.confirmed_cart = Some(payload.cart);
                }
                order.delivery_address = payload.delivery_address;
                order.invoice_address = payload.invoice_address;
                order.state = target;
                let reference = order.order_ref_1().unwrap_or("").to_owned();
                order.log(
                    now,
                    "PUT orders/{uuid}",
                    Some(status),
                    format!("{target} (order_ref_1 '{reference}')"),
                );
                Ok(())
            }
        }
    }

    /// The 409 rules of `PUT orders/{uuid}` (assumed where the spec is silent).
    fn check_acknowledge(
        &self,
        order: &Order,
        payload: &OrderPayload,
    ) -> Result<OrderState, Vec<String>> {
        let mut errors = Vec::new();
        let target = if payload.state == "confirmed" {
            OrderState::Confirmed
        } else {
            OrderState::OnHold
        };
        let allowed = match target {
            OrderState::Confirmed => {
                matches!(order.state, OrderState::Approved | OrderState::Confirmed)
            }
            _ => matches!(order.state, OrderState::NeedsReview | OrderState::OnHold),
        };
        if !allowed {
            errors.push(format!(
                "Invalid data: the order is {}; it cannot be {}",
                order.state, payload.state
            ));
        }
        if payload.merchant.id != order.merchant_id {
            errors.push(format!(
                "Invalid data: order.merchant.id '{}' is not the order's merchant '{}'",
                payload.merchant.id, order.merchant_id
            ));
        }
        let approved = order.solicited_cart.order_total_with_tax;
        let total = payload.cart.order_total_with_tax;
        if total != approved {
            errors.push(format!(
                "Invalid data: the cart's order_total_with_tax {total} differs from the approved {approved}. The diff is {}.",
                i128::from(total) - i128::from(approved)
            ));
        }
        let reference = payload
            .merchant_reference
            .as_ref()
            .or(order.merchant_reference.as_ref())
            .map(|r| r.order_ref_1.clone());
        match &reference {
            None if target == OrderState::Confirmed => errors.push(
                "Invalid data: order.merchant_reference.order_ref_1 is required to confirm"
                    .to_owned(),
            ),
            Some(reference) => {
                let taken = self.orders.values().any(|other| {
                    other.uuid != order.uuid
                        && other.merchant_id == order.merchant_id
                        && matches!(other.state, OrderState::Confirmed | OrderState::OnHold)
                        && other.order_ref_1() == Some(reference.as_str())
                });
                if taken {
                    errors.push(format!(
                        "Invalid data: order_ref_1 '{reference}' is already used by another order of merchant '{}'",
                        order.merchant_id
                    ));
                }
            }
            None => {}
        }
        if errors.is_empty() {
            Ok(target)
        } else {
            Err(errors)
        }
    }

    /// `PUT merchants/{m}/orders/{ref1}`.
    pub fn update(
        &mut self,
        username: &str,
        merchant: &str,
        reference: &str,
        payload: UpdatePayload,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if self.merchant(username, merchant).is_none() {
            return Err(bad_merchant(merchant, username));
        }
        let not_found = || {
            ApiError::NotFound(format!(
                "Order with order_ref_1 '{reference}' not found for merchant '{merchant}'"
            ))
        };
        // Re-solicitations leave older orders with the same reference behind; the one
        // that was confirmed is the one updates apply to.
        let candidates: Vec<&Order> = self
            .orders
            .values()
            .filter(|o| {
                o.username == username
                    && o.merchant_id == merchant
                    && o.order_ref_1() == Some(reference)
            })
            .collect();
        let chosen = candidates
            .iter()
            .find(|o| o.state == OrderState::Confirmed)
            .or_else(|| {
                candidates
                    .iter()
                    .find(|o| o.state == OrderState::Cancelled && o.confirmed_cart.is_some())
            })
            .or_else(|| candidates.iter().find(|o| o.state == OrderState::OnHold))
            .map(|o| o.uuid);
        let Some(uuid) = chosen else {
            return Err(not_found());
        };
        let Some(order) = self.orders.get_mut(&uuid) else {
            return Err(not_found());
        };
        let mut record = UpdateRecord {
            at: now,
            status: 200,
            errors: Vec::new(),
            shipped_cart: Some(payload.shipped_cart.clone()),
            unshipped_cart: Some(payload.unshipped_cart.clone()),
            delivery_address: payload.delivery_address.clone(),
            invoice_address: payload.invoice_address.clone(),
            body: payload.raw.clone(),
        };
        let outcome = check_update(order, merchant, reference, &payload);
        match outcome {
            Err(err) => {
                let (status, errors) = match &err {
                    ApiError::NotFound(message) => (404, vec![message.clone()]),
                    ApiError::Conflict(errors) => (409, errors.clone()),
                    _ => (400, Vec::new()),
                };
                record.status = status;
                record.errors = errors.clone();
                order.log(
                    now,
                    "PUT merchants/{m}/orders/{ref1}",
                    Some(status),
                    errors.join(" "),
                );
                order.updates.push(record);
                Err(err)
            }
            Ok(()) => {
                let cancel = payload.shipped_cart.is_empty() && payload.unshipped_cart.is_empty();
                let detail = if cancel {
                    if order.state != OrderState::Cancelled {
                        order.state = OrderState::Cancelled;
                        order.cancel_reason =
                            Some("cancelled by the shop (both carts empty)".to_owned());
                    }
                    "cancelled (both carts empty)".to_owned()
                } else {
                    format!(
                        "shipped {} / unshipped {}",
                        payload.shipped_cart.order_total_with_tax,
                        payload.unshipped_cart.order_total_with_tax
                    )
                };
                order.shipped_cart = payload.shipped_cart;
                order.unshipped_cart = payload.unshipped_cart;
                if let Some(address) = payload.delivery_address {
                    order.delivery_address = address;
                }
                if let Some(address) = payload.invoice_address {
                    order.invoice_address = address;
                }
                order.log(now, "PUT merchants/{m}/orders/{ref1}", Some(200), detail);
                order.updates.push(record);
                Ok(())
            }
        }
    }

    /// A refused Order Update body goes into the history of the order it names, if any.
    pub fn note_refused_update(
        &mut self,
        username: &str,
        merchant: &str,
        reference: &str,
        refusal: &ApiError,
        body: &[u8],
        now: DateTime<Utc>,
    ) {
        let (status, errors) = match refusal {
            ApiError::BadRequest(message) => (400, vec![message.clone()]),
            ApiError::Conflict(errors) => (409, errors.clone()),
            _ => return,
        };
        let Some(order) = self.orders.values_mut().find(|o| {
            o.username == username
                && o.merchant_id == merchant
                && o.order_ref_1() == Some(reference)
                && o.confirmed_cart.is_some()
        }) else {
            return;
        };
        order.log(
            now,
            "PUT merchants/{m}/orders/{ref1}",
            Some(status),
            errors.join(" "),
        );
        order.updates.push(UpdateRecord {
            at: now,
            status,
            errors,
            shipped_cart: None,
            unshipped_cart: None,
            delivery_address: None,
            invoice_address: None,
            body: serde_json::from_slice(body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(body).into_owned())
            }),
        });
    }

    /// `POST orders/delivery_reports` (already validated).
    pub fn report(
        &mut self,
        username: &str,
        report: DeliveryReport,
        now: DateTime<Utc>,
    ) -> Result<(), ApiError> {
        if self.merchant(username, &report.merchant_id).is_none() {
            return Err(bad_merchant(&report.merchant_id, username));
        }
        for (state, reference) in &report.orders {
            let Some(reference) = reference else { continue };
            for order in self.orders.values_mut().filter(|o| {
                o.username == username
                    && o.merchant_id == report.merchant_id
                    && o.order_ref_1() == Some(reference.as_str())
                    && o.state == OrderState::Confirmed
            }) {
                order.log(
                    now,
                    "POST orders/delivery_reports",
                    Some(204),
                    format!("reported {state}"),
                );
            }
        }
        self.reports.push(DeliveryReportRecord {
            at: now,
            username: username.to_owned(),
            merchant_id: report.merchant_id,
            body: report.raw,
        });
        Ok(())
    }

    // --- decisions -------------------------------------------------------------

    /// The shopper finished the form (or a test decided for them).
    pub fn decide(
        &mut self,
        uuid: Uuid,
        decision: Decision,
        product: Option<(String, Option<String>)>,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<(), DecideError> {
        let order = self
            .orders
            .get_mut(&uuid)
            .ok_or(DecideError::UnknownOrder)?;
        if order.state != OrderState::Solicited {
            return Err(DecideError::WrongState(order.state));
        }
        if let Some((product, campaign)) = product {
            order.product_code = Some(product);
            order.campaign = campaign;
        }
        match decision {
            Decision::Approve => {
                order.state = OrderState::Approved;
                order.approved_at = Some(now);
                order.log(now, "decision", None, "approved");
                self.queue_ipn(uuid, "approved", now);
            }
            Decision::Review(then) => {
                order.state = OrderState::NeedsReview;
                order.needs_review_at = Some(now);
                order.log(now, "decision", None, "needs_review");
                if let Some(outcome) = then {
                    self.scheduled.push(ScheduledReview {
                        order: uuid,
                        due_at: now + chrono_duration(policy.review_delay),
                        outcome,
                    });
                }
                self.queue_ipn(uuid, "needs_review", now);
            }
            Decision::Reject => {
                order.state = OrderState::Rejected;
                order.log(now, "decision", None, "rejected (no IPN)");
            }
        }
        Ok(())
    }

    /// The manual review of an order ends.
    pub fn complete_review(
        &mut self,
        uuid: Uuid,
        outcome: ReviewOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), DecideError> {
        let order = self
            .orders
            .get_mut(&uuid)
            .ok_or(DecideError::UnknownOrder)?;
        if !matches!(order.state, OrderState::NeedsReview | OrderState::OnHold) {
            return Err(DecideError::WrongState(order.state));
        }
        self.scheduled.retain(|s| s.order != uuid);
        match outcome {
            ReviewOutcome::Approve => {
                order.state = OrderState::Approved;
                order.approved_at = Some(now);
                order.log(now, "review", None, "approved");
                self.queue_ipn(uuid, "approved", now);
            }
            ReviewOutcome::Cancel => {
                order.state = OrderState::Cancelled;
                order.cancel_reason = Some("cancelled by SeQura's review".to_owned());
                order.log(now, "review", None, "cancelled");
                self.supersede_ipns(uuid);
                self.queue_event(uuid, "cancelled", now);
            }
        }
        Ok(())
    }

    /// Reviews whose time has come complete.
    fn run_scheduled(&mut self, now: DateTime<Utc>) {
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.scheduled)
            .into_iter()
            .partition(|s| s.due_at <= now);
        self.scheduled = later;
        for review in due {
            if let Err(err) = self.complete_review(review.order, review.outcome, now) {
                tracing::debug!(%err, order = %review.order, "scheduled review skipped");
            }
        }
    }

    // --- notifications ---------------------------------------------------------

    fn push_notification(
        &mut self,
        order: &Order,
        kind: NotificationKind,
        url: String,
        status: NotificationStatus,
        replay_of: Option<u64>,
        now: DateTime<Utc>,
    ) -> u64 {
        self.next_notification += 1;
        let id = self.next_notification;
        self.notifications.insert(
            id,
            Notification {
                id,
                order: order.uuid,
                kind,
                url,
                created_at: now,
                status,
                attempts: Vec::new(),
                replay_of,
            },
        );
        id
    }

    fn supersede_ipns(&mut self, uuid: Uuid) {
        for notification in self.notifications.values_mut() {
            if notification.order == uuid
                && notification.is_ipn()
                && matches!(notification.status, NotificationStatus::Pending { .. })
            {
                notification.status = NotificationStatus::Superseded;
            }
        }
    }

    fn queue_ipn(&mut self, uuid: Uuid, sq_state: &str, now: DateTime<Utc>) {
        self.supersede_ipns(uuid);
        let Some(order) = self.orders.get(&uuid) else {
            return;
        };
        let Some(url) = order.merchant.notify_url.clone() else {
            return;
        };
        let status = if self.faults.drop_ipns > 0 {
            self.faults.drop_ipns -= 1;
            NotificationStatus::Dropped
        } else {
            NotificationStatus::Pending { due_at: now }
        };
        let dropped = status == NotificationStatus::Dropped;
        let order = order.clone();
        self.push_notification(
            &order,
            NotificationKind::Ipn {
                sq_state: sq_state.to_owned(),
            },
            url,
            status,
            None,
            now,
        );
        if dropped && let Some(order) = self.orders.get_mut(&uuid) {
            order.log(
                now,
                "IPN",
                None,
                format!("{sq_state} dropped (fault injection)"),
            );
        }
    }

    fn queue_event(&mut self, uuid: Uuid, event: &str, now: DateTime<Utc>) {
        let Some(order) = self.orders.get(&uuid).cloned() else {
            return;
        };
        let Some(hook) = &order.merchant.events_webhook else {
            if let Some(order) = self.orders.get_mut(&uuid) {
                order.log(
                    now,
                    "event",
                    None,
                    format!("{event}: no events_webhook, not sent"),
                );
            }
            return;
        };
        self.push_notification(
            &order,
            NotificationKind::Event {
                event: event.to_owned(),
            },
            hook.url.clone(),
            NotificationStatus::Pending { due_at: now },
            None,
            now,
        );
    }

    /// Queues `times` copies of the order's last IPN, due now; returns their ids.
    pub fn replay_ipn(
        &mut self,
        uuid: Uuid,
        times: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<u64>, DecideError> {
        let order = self
            .orders
            .get(&uuid)
            .cloned()
            .ok_or(DecideError::UnknownOrder)?;
        let last = self
            .notifications
            .values()
            .rev()
            .find(|n| n.order == uuid && n.is_ipn())
            .map(|n| (n.id, n.kind.clone(), n.url.clone()))
            .ok_or(DecideError::NoIpn)?;
        let original = last.0;
        Ok((0..times)
            .map(|_| {
                self.push_notification(
                    &order,
                    last.1.clone(),
                    last.2.clone(),
                    NotificationStatus::Pending { due_at: now },
                    Some(original),
                    now,
                )
            })
            .collect())
    }

    /// The form fields of a notification as they are sent now.
    fn fields_for(&self, notification: &Notification, now: DateTime<Utc>) -> Vec<(String, String)> {
        let Some(order) = self.orders.get(&notification.order) else {
            return Vec::new();
        };
        let order_ref_1 = order.order_ref_1().unwrap_or("").to_owned();
        match &notification.kind {
            NotificationKind::Ipn { sq_state } => {
                let mut fields = order.merchant.notification_parameters.clone();
                fields.push(("order_ref".to_owned(), order.uuid.to_string()));
                fields.push(("order_ref_1".to_owned(), order_ref_1));
                fields.push((
                    "product_code".to_owned(),
                    order
                        .product_code
                        .clone()
                        .unwrap_or_else(|| "i1".to_owned()),
                ));
                fields.push(("sq_state".to_owned(), sq_state.clone()));
                // Seconds since the decision (the unit is undocumented; an integer).
                let since = |at: Option<DateTime<Utc>>| {
                    at.map_or(0, |at| (now - at).num_seconds().max(0))
                        .to_string()
                };
                if sq_state == "approved" {
                    fields.push(("approved_since".to_owned(), since(order.approved_at)));
                } else {
                    fields.push((
                        "needs_review_since".to_owned(),
                        since(order.needs_review_at),
                    ));
                }
                fields
            }
            NotificationKind::Event { event } => {
                let order_ref_2 = order
                    .merchant_reference
                    .as_ref()
                    .and_then(|r| r.order_ref_2.clone())
                    .unwrap_or_default();
                let mut fields = vec![
                    ("charset".to_owned(), "UTF-8".to_owned()),
                    ("utf8".to_owned(), "√".to_owned()),
                    ("event".to_owned(), event.clone()),
                    ("order_ref_1".to_owned(), order_ref_1),
                    ("order_ref_2".to_owned(), order_ref_2),
                    ("order_ref".to_owned(), order.uuid.to_string()),
                ];
                if let Some(hook) = &order.merchant.events_webhook {
                    fields.extend(
                        hook.parameters
                            .iter()
                            .map(|(key, value)| (format!("m_{key}"), value.clone())),
                    );
                }
                fields
            }
        }
    }

    fn planned(&mut self, id: u64, now: DateTime<Utc>) -> Option<Planned> {
        let notification = self.notifications.get(&id)?;
        let fields = self.fields_for(notification, now);
        let is_event = !notification.is_ipn();
        let mut headers = vec![(
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        )];
        if is_event {
            headers.push(("User-Agent".to_owned(), EVENTS_USER_AGENT.to_owned()));
            headers.push(("Accept".to_owned(), "application/json".to_owned()));
        } else {
            headers.push(("User-Agent".to_owned(), IPN_USER_AGENT.to_owned()));
        }
        let planned = Planned {
            id,
            order: notification.order,
            number: u32::try_from(notification.attempts.len())
                .unwrap_or(u32::MAX)
                .saturating_add(1),
            url: notification.url.clone(),
            fields,
            headers,
            is_event,
        };
        if let Some(notification) = self.notifications.get_mut(&id) {
            notification.status = NotificationStatus::InFlight;
        }
        Some(planned)
    }

    /// Completes due reviews, then claims every notification due now, oldest first.
    pub fn plan(&mut self, now: DateTime<Utc>) -> Vec<Planned> {
        self.run_scheduled(now);
        let due: Vec<u64> = self
            .notifications
            .values()
            .filter(|n| matches!(n.status, NotificationStatus::Pending { due_at } if due_at <= now))
            .map(|n| n.id)
            .collect();
        due.into_iter()
            .filter_map(|id| self.planned(id, now))
            .collect()
    }

    /// Claims specific notifications (concurrent replays), whatever their due time.
    pub fn claim(&mut self, ids: &[u64], now: DateTime<Utc>) -> Vec<Planned> {
        ids.iter().filter_map(|id| self.planned(*id, now)).collect()
    }

    pub fn has_in_flight(&self) -> bool {
        self.notifications
            .values()
            .any(|n| n.status == NotificationStatus::InFlight)
    }

    /// Puts a claimed notification whose attempt never happened back in the queue.
    pub fn unclaim(&mut self, id: u64, now: DateTime<Utc>) {
        if let Some(n) = self.notifications.get_mut(&id)
            && n.status == NotificationStatus::InFlight
        {
            n.status = NotificationStatus::Pending { due_at: now };
        }
    }

    /// Records an attempt and acts on the shop's answer.
    pub fn record(
        &mut self,
        planned: Planned,
        mut attempt: Attempt,
        now: DateTime<Utc>,
        policy: &Policy,
    ) {
        let Some(notification) = self.notifications.get(&planned.id) else {
            return;
        };
        let replay = notification.replay_of.is_some();
        let kind = notification.kind.clone();
        let attempts_so_far = notification.attempts.len();
        let status = attempt.outcome.status();
        let order = self.orders.get(&planned.order);
        let next = match &kind {
            NotificationKind::Ipn { sq_state } => {
                let success =
                    status.is_some_and(|s| (200..300).contains(&s) || s == 302 || s == 307);
                if success {
                    let expected = if sq_state == "approved" {
                        OrderState::Confirmed
                    } else {
                        OrderState::OnHold
                    };
                    attempt.shop_acknowledged = Some(order.is_some_and(|o| o.state == expected));
                    NotificationStatus::Delivered
                } else if status == Some(410) {
                    NotificationStatus::Refused { status: 410 }
                } else {
                    retry(replay, attempts_so_far, &policy.ipn_retries, now)
                }
            }
            NotificationKind::Event { .. } => match status {
                Some(s) if (200..300).contains(&s) => NotificationStatus::Delivered,
                Some(501) => NotificationStatus::Refused { status: 501 },
                _ => retry(replay, attempts_so_far, &policy.event_retries, now),
            },
        };
        let label = match &kind {
            NotificationKind::Ipn { sq_state } => format!("IPN {sq_state}"),
            NotificationKind::Event { event } => format!("event {event}"),
        };
        let answered = match &attempt.outcome {
            AttemptOutcome::Answered { status } => format!("answered {status}"),
            AttemptOutcome::Timeout => "timed out".to_owned(),
            AttemptOutcome::ConnectionError { message } => format!("connection error: {message}"),
        };
        let acknowledged = match attempt.shop_acknowledged {
            Some(true) => ", shop had acknowledged",
            Some(false) => ", shop had NOT acknowledged the order before answering",
            None => "",
        };
        let then = match &next {
            NotificationStatus::Pending { due_at } => format!(", retry at {due_at}"),
            NotificationStatus::Exhausted => ", no attempts left".to_owned(),
            _ => String::new(),
        };
        let replay_note = if replay { " (replay)" } else { "" };
        if let Some(notification) = self.notifications.get_mut(&planned.id) {
            notification.attempts.push(attempt);
            // Cancelled meanwhile (e.g. superseded while in flight): keep it so.
            if notification.status == NotificationStatus::InFlight {
                notification.status = next.clone();
            }
        }
        if next == (NotificationStatus::Refused { status: 410 })
            && let Some(order) = self.orders.get_mut(&planned.order)
            && order.state != OrderState::Cancelled
        {
            order.state = OrderState::Cancelled;
            order.conflict = true;
            order.cancel_reason = Some("the shop answered the IPN with 410".to_owned());
            self.supersede_ipns(planned.order);
        }
        if let Some(order) = self.orders.get_mut(&planned.order) {
            order.log(
                now,
                "notification",
                status,
                format!(
                    "{label}{replay_note} attempt {}: {answered}{acknowledged}{then}",
                    planned.number
                ),
            );
        }
    }

    // --- what the form shows -----------------------------------------------------

    /// What the shopper's form should show now (SeQura's `/wait` vocabulary).
    pub fn form_action(&self, order: &Order) -> &'static str {
        let ipns = || {
            self.notifications
                .values()
                .filter(move |n| n.order == order.uuid && n.is_ipn())
        };
        let delivered = |state: &str| {
            ipns().any(|n| n.status == NotificationStatus::Delivered && n.sq_state() == Some(state))
        };
        match order.state {
            OrderState::Solicited => "identify",
            OrderState::Rejected => "reject",
            OrderState::Cancelled if order.conflict => "show_conflict",
            OrderState::Cancelled => "cancelled",
            OrderState::Approved | OrderState::Confirmed if delivered("approved") => "finish",
            OrderState::NeedsReview | OrderState::OnHold if delivered("needs_review") => {
                "show_on_hold"
            }
            _ => {
                let waiting = ipns().any(|n| {
                    matches!(
                        n.status,
                        NotificationStatus::Pending { .. } | NotificationStatus::InFlight
                    )
                });
                let dropped = ipns().any(|n| n.status == NotificationStatus::Dropped);
                if waiting || dropped || ipns().next().is_none() {
                    "wait"
                } else {
                    "gave_up"
                }
            }
        }
    }
}

fn retry(
    replay: bool,
    attempts_so_far: usize,
    schedule: &[Duration],
    now: DateTime<Utc>,
) -> NotificationStatus {
    if replay {
        return NotificationStatus::Exhausted;
    }
    match schedule.get(attempts_so_far) {
        Some(wait) => NotificationStatus::Pending {
            due_at: now + chrono_duration(*wait),
        },
        None => NotificationStatus::Exhausted,
    }
}

/// The 409/404 rules of the Order Update API (assumed; SeQura does not publish them).
fn check_update(
    order: &Order,
    merchant: &str,
    reference: &str,
    payload: &UpdatePayload,
) -> Result<(), ApiError> {
    if order.state == OrderState::OnHold {
        // Rule: an order on hold cannot be updated, not even cancelled: 404, as SeQura
        // answers for on-hold → cancel (§5.1; the core ignores this 404).
        return Err(ApiError::NotFound(format!(
            "Order with order_ref_1 '{reference}' not found for merchant '{merchant}'"
        )));
    }
    let mut errors = Vec::new();
    if payload.merchant_id != merchant {
        errors.push(format!(
            "Invalid data: order.merchant.id '{}' does not match the URL's merchant '{merchant}'",
            payload.merchant_id
        ));
    }
    if let Some(body_reference) = &payload.merchant_reference
        && body_reference.order_ref_1 != reference
    {
        errors.push(format!(
            "Invalid data: order.merchant_reference.order_ref_1 '{}' does not match the URL's '{reference}'",
            body_reference.order_ref_1
        ));
    }
    let cancelling = payload.shipped_cart.is_empty() && payload.unshipped_cart.is_empty();
    if order.state == OrderState::Cancelled {
        if !cancelling {
            errors.push("Invalid data: the order is cancelled".to_owned());
        }
        return if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Conflict(errors))
        };
    }
    let confirmed = order
        .confirmed_cart
        .as_ref()
        .unwrap_or(&order.solicited_cart);
    let total = i128::from(payload.shipped_cart.order_total_with_tax)
        + i128::from(payload.unshipped_cart.order_total_with_tax);
    if total > i128::from(confirmed.order_total_with_tax) {
        errors.push(format!(
            "Invalid data: shipped_cart and unshipped_cart add up to {total} but the confirmed order_total_with_tax is {}",
            confirmed.order_total_with_tax
        ));
    }
    let ordered = confirmed.product_quantities();
    let mut requested = payload.shipped_cart.product_quantities();
    for (key, quantity) in payload.unshipped_cart.product_quantities() {
        match requested.iter_mut().find(|(k, _)| *k == key) {
            Some((_, q)) => *q = q.saturating_add(quantity),
            None => requested.push((key, quantity)),
        }
    }
    for (key, quantity) in requested {
        let allowed = ordered
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, q)| *q);
        if quantity > allowed {
            errors.push(format!(
                "Invalid data: quantity {quantity} of '{key}' exceeds the ordered quantity {allowed}"
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Conflict(errors))
    }
}
