//! SeQura's notifications: the IPN (`approved`, `needs_review`) and the events webhook
//! (`cancelled`), handled synchronously because SeQura waits for the answer with the
//! shopper's form frozen (architecture §5.3 steps 4–6).
//!
//! * Verified: the solicitation named in the URL must exist in that store, the SeQura order
//!   reference must be its own, and the signature we put in `notification_parameters` must
//!   come back (constant-time compare). Anything else is a 4xx and changes nothing.
//! * Serialised: a lease on the solicitation; a concurrent notification for it gets 409 and
//!   SeQura retries it.
//! * Idempotent step by step: every step records its result in the solicitation's progress
//!   before the next starts, so a retried IPN resumes where the last one stopped. The
//!   BigCommerce order is created exactly once (a retry adopts the order an earlier attempt
//!   created, from the checkout's `order_id`); the store credit is debited once (the intended
//!   balance is recorded before the write and recognised afterwards).
//! * Answers: 200 only once the BigCommerce order exists and SeQura accepted the
//!   confirmation; 409 while BigCommerce or SeQura is unavailable (SeQura tries again);
//!   410 when the order cannot be placed (the cart changed; SeQura then cancels).

use bigcommerce::StoreClient;
use bigcommerce::checkouts::CheckoutTokenRequest;
use bigcommerce::metafields::{MetafieldWrite, PermissionSet};
use bigcommerce::orders::OrderUpdate;
use secrecy::{ExposeSecret, SecretString};
use sequra::notification::{Notification, NotificationError, NotificationKind, NotificationState};
use sequra::{AcknowledgedState, MerchantReference, OrderRequest};
use serde::{Deserialize, Serialize};

use super::{bc_store_client, connection};
use crate::crypto::SecretField;
use crate::db::solicitations::SolicitationRow;
use crate::domain::{SequraState, StoreHash};
use crate::state::AppState;
use crate::web::AppError;

/// Checkout tokens outlive SeQura's longest review (a week).
const TOKEN_TTL_SECS: u32 = 7 * 24 * 3600;
/// Uses of the confirmation link: SeQura's form and the checkout script may both send the
/// shopper there, and a shopper may reload it; a single use would show an error page.
const TOKEN_USES: u32 = 5;
/// The job that deletes a paid checkout's cart (BigCommerce keeps carts of orders it did
/// not take the payment for).
pub const DELETE_CART_JOB: &str = "delete_cart";
const CART_DELETION_DELAY_MS: i64 = 30 * 60_000;

/// Runs a `delete_cart` job; a cart already gone is fine.
pub async fn delete_cart(
    state: &AppState,
    store: &StoreHash,
    payload: &str,
) -> Result<(), crate::jobs::JobError> {
    use crate::jobs::JobError;
    let checkout: String = serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(|v| v["checkout_id"].as_str().map(str::to_owned))
        .ok_or_else(|| JobError::Permanent("bad payload".into()))?;
    let bc = bc_store_client(state, store)
        .await
        .map_err(|e| JobError::Retry {
            error: e.to_string(),
            after: None,
        })?;
    match bc.delete_cart(&checkout).await {
        Ok(()) | Err(bigcommerce::Error::NotFound { .. }) => Ok(()),
        Err(e) => Err(JobError::Retry {
            after: e.retry_after(),
            error: format!("delete cart: {e}"),
        }),
    }
}

/// BigCommerce's "Pending": a visible status for an order whose mapped status is "None".
const PENDING: i64 = 1;

/// The answer SeQura gets.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// 200: done (or already done).
    Done,
    /// 409: not now, try again later.
    TryLater(String),
    /// 410: this order cannot be placed.
    Gone(String),
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(default)]
struct Progress {
    token: bool,
    order: bool,
    /// The SeQura state the BigCommerce status was last set for.
    status_for: Option<String>,
    details: bool,
    metafield: bool,
    credit_before: Option<i64>,
    credit_after: Option<i64>,
    credit_done: bool,
    /// `confirmed` or `on_hold` once SeQura accepted it.
    acknowledged: Option<String>,
    cart_deleted: bool,
}

pub enum Channel {
    Ipn,
    Events,
}

/// Parses and handles one notification for solicitation `id` of `store`.
pub async fn handle(
    state: &AppState,
    store: &str,
    id: &str,
    channel: Channel,
    body: &[u8],
) -> Result<Answer, AppError> {
    let parsed = match channel {
        Channel::Ipn => Notification::parse_ipn(body),
        Channel::Events => Notification::parse_event(body),
    };
    let notification = parsed.map_err(|e| match e {
        NotificationError::UnknownState(s) => {
            AppError::NotImplemented(format!("Unknown event '{s}'"))
        }
        other => AppError::BadRequest(other.to_string()),
    })?;
    let store = StoreHash::parse(store).map_err(|_| AppError::NotFound)?;
    let row = state
        .db
        .solicitation(&store, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.sequra_order_ref.as_deref() != Some(notification.order_ref.as_str()) {
        return Err(AppError::NotFound);
    }
    let given = notification
        .parameters
        .get("signature")
        .map(String::as_str)
        .unwrap_or_default();
    if !crate::crypto::secret_matches(row.signature.as_bytes(), given.as_bytes()) {
        tracing::warn!(store = %store, solicitation = id, kind = ?notification.kind, "notification with a bad signature refused");
        return Err(AppError::Forbidden);
    }

    let token = uuid::Uuid::new_v4().to_string();
    let now = state.clock.now_ms();
    let lease_ms = i64::try_from(state.config.notification_lease_secs.saturating_mul(1_000))
        .unwrap_or(i64::MAX);
    if !state
        .db
        .lock_solicitation(&store, id, &token, now, now + lease_ms)
        .await?
    {
        return Ok(Answer::TryLater(
            "another notification for this order is being handled".into(),
        ));
    }
    let mut work = Work {
        state,
        store: &store,
        row,
        token: &token,
        progress: Progress::default(),
    };
    work.progress = serde_json::from_str(&work.row.progress).unwrap_or_default();
    let result = match notification.state {
        NotificationState::Approved => work.place(SequraState::Approved).await,
        NotificationState::NeedsReview => work.place(SequraState::NeedsReview).await,
        NotificationState::Cancelled => work.cancel().await,
    };
    let answer = match result {
        Ok(answer) => answer,
        Err(Step::Later(why)) => {
            work.note_error(&why).await;
            Answer::TryLater(why)
        }
        Err(Step::Gone(why)) => {
            work.set_state("conflict", Some(&why)).await?;
            Answer::Gone(why)
        }
        Err(Step::Internal(e)) => {
            state.db.unlock_solicitation(&store, id, &token).await?;
            return Err(e);
        }
    };
    state.db.unlock_solicitation(&store, id, &token).await?;
    tracing::info!(store = %store, solicitation = id, kind = ?notification.kind == NotificationKind::Ipn, ?answer, "notification handled");
    Ok(answer)
}

/// Why a step stopped.
enum Step {
    Later(String),
    Gone(String),
    Internal(AppError),
}

impl From<AppError> for Step {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unavailable(why) => Step::Later(why),
            other => Step::Internal(other),
        }
    }
}

impl From<crate::db::DbError> for Step {
    fn from(e: crate::db::DbError) -> Self {
        Step::Internal(e.into())
    }
}

fn bc_step(context: &str, e: bigcommerce::Error) -> Step {
    // Any BigCommerce failure leaves the step to a retry; the progress already recorded
    // keeps the retry from repeating what succeeded.
    Step::Later(format!("BigCommerce {context}: {e}"))
}

struct Work<'a> {
    state: &'a AppState,
    store: &'a StoreHash,
    row: SolicitationRow,
    token: &'a str,
    progress: Progress,
}

impl Work<'_> {
    async fn save(
        &mut self,
        state: &str,
        bc_order: Option<i64>,
        checkout_token: Option<&[u8]>,
    ) -> Result<(), Step> {
        let progress = serde_json::to_string(&self.progress)
            .map_err(|e| Step::Internal(AppError::Internal(e.into())))?;
        let owned = self
            .state
            .db
            .save_solicitation_progress(
                self.store,
                &self.row.id,
                self.token,
                state,
                &progress,
                bc_order,
                checkout_token,
                None,
            )
            .await?;
        if !owned {
            return Err(Step::Later("the notification's lease expired".into()));
        }
        self.row.state = state.to_owned();
        if bc_order.is_some() {
            self.row.bc_order_id = bc_order;
        }
        Ok(())
    }

    async fn set_state(&mut self, state: &str, error: Option<&str>) -> Result<(), AppError> {
        let progress =
            serde_json::to_string(&self.progress).map_err(|e| AppError::Internal(e.into()))?;
        self.state
            .db
            .save_solicitation_progress(
                self.store,
                &self.row.id,
                self.token,
                state,
                &progress,
                None,
                None,
                error,
            )
            .await?;
        self.row.state = state.to_owned();
        Ok(())
    }

    async fn note_error(&mut self, error: &str) {
        let state = self.row.state.clone();
        if let Err(e) = self.set_state(&state, Some(error)).await {
            tracing::warn!(error = %e, "could not record a notification error");
        }
    }

    /// `approved` or `needs_review`: the BigCommerce order exists, has the mapped status
    /// and SeQura's details, the store credit is debited, SeQura has the acknowledgement.
    async fn place(&mut self, target: SequraState) -> Result<Answer, Step> {
        let ack = match target {
            SequraState::Approved => AcknowledgedState::Confirmed,
            _ => AcknowledgedState::OnHold,
        };
        let ack_name = ack_name(ack);
        if matches!(self.row.state.as_str(), "cancelled" | "conflict") {
            return Err(Step::Gone("this order was cancelled".into()));
        }
        if self.progress.acknowledged.as_deref() == Some(ack_name) {
            return Ok(Answer::Done);
        }
        if target == SequraState::NeedsReview
            && self.progress.acknowledged.as_deref() == Some("confirmed")
        {
            // A late review notice after the approval: nothing to undo.
            return Ok(Answer::Done);
        }
        let bc = bc_store_client(self.state, self.store).await?;
        let conn = connection::connection(self.state, self.store)
            .await?
            .ok_or_else(|| Step::Later("the store is not connected to SeQura".into()))?;
        let order_id = self.ensure_order(&bc).await?;
        self.ensure_status(&bc, order_id, target).await?;
        self.ensure_metafield(&bc, order_id).await?;
        self.ensure_credit_debited(&bc).await?;

        // SeQura: confirm (or hold) with the BigCommerce order number.
        let mut order: OrderRequest = serde_json::from_str(&self.row.order_body)
            .map_err(|e| Step::Internal(AppError::Internal(e.into())))?;
        let mut reference = MerchantReference::new(order_id.to_string());
        reference.order_ref_2 = Some(self.row.id.clone());
        order.merchant_reference = Some(reference);
        let uuid = self.row.sequra_order_ref.clone().unwrap_or_default();
        match conn.client.update_order_state(&uuid, ack, &order).await {
            Ok(()) => {}
            Err(e @ sequra::Error::Rejected { .. }) => {
                // SeQura will not take this order: the BigCommerce order must not stay as
                // if paid. Cancel it and tell SeQura it cannot be placed.
                let note = format!("SeQura refused the order: {e}");
                self.cancel_bc_order(&bc, order_id, &note).await?;
                return Err(Step::Gone(note));
            }
            Err(e) if e.is_retryable() => return Err(Step::Later(format!("SeQura: {e}"))),
            Err(e) => {
                return Err(Step::Later(format!(
                    "SeQura refused the acknowledgement: {e}"
                )));
            }
        }
        self.progress.acknowledged = Some(ack_name.to_owned());
        self.save(
            if ack == AcknowledgedState::Confirmed {
                "confirmed"
            } else {
                "on_hold"
            },
            None,
            None,
        )
        .await?;

        if !self.progress.cart_deleted {
            // The cart goes a while later, not now: the shopper is on the way to the
            // confirmation page, whose checkout token may not outlive its cart.
            let run_at = self.state.clock.now_ms() + CART_DELETION_DELAY_MS;
            self.state
                .db
                .enqueue(&crate::jobs::NewJob {
                    store: self.store.clone(),
                    kind: DELETE_CART_JOB.into(),
                    payload: serde_json::json!({ "checkout_id": self.row.checkout_id }),
                    dedupe_key: Some(format!("delete_cart:{}", self.row.checkout_id)),
                    serial_key: None,
                    run_at,
                    max_attempts: 5,
                })
                .await?;
            self.progress.cart_deleted = true;
            let state = self.row.state.clone();
            self.save(&state, None, None).await?;
        }
        Ok(Answer::Done)
    }

    async fn ensure_order(&mut self, bc: &StoreClient) -> Result<u64, Step> {
        if self.progress.order
            && let Some(id) = self.row.bc_order_id.and_then(|id| u64::try_from(id).ok())
        {
            return Ok(id);
        }
        let checkout = match bc.get_checkout(&self.row.checkout_id, &[]).await {
            Ok(c) => c,
            Err(bigcommerce::Error::NotFound { .. }) => {
                return Err(Step::Gone("the checkout no longer exists".into()));
            }
            Err(e) => return Err(bc_step("checkout", e)),
        };
        if let Some(existing) = checkout.created_order_id() {
            if !self.progress.token {
                // Not ours: the shopper placed the checkout some other way meanwhile.
                return Err(Step::Gone(
                    "the checkout was already placed as an order".into(),
                ));
            }
            // An earlier attempt created the order and stopped before recording it.
            self.progress.order = true;
            self.progress.token = true;
            let id = i64::try_from(existing).unwrap_or(i64::MAX);
            self.save("approved", Some(id), None).await?;
            return Ok(existing);
        }
        if checkout.grand_total.get() != self.row.grand_total
            || !checkout
                .cart
                .currency
                .code
                .eq_ignore_ascii_case(&self.row.currency)
        {
            return Err(Step::Gone(
                "the cart changed after the shopper was approved".into(),
            ));
        }
        if !self.progress.token {
            let token = bc
                .create_checkout_token(
                    &self.row.checkout_id,
                    CheckoutTokenRequest {
                        max_uses: TOKEN_USES,
                        ttl: TOKEN_TTL_SECS,
                    },
                )
                .await
                .map_err(|e| bc_step("checkout token", e))?;
            let sealed = self.state.sealer.seal(
                self.store.as_str(),
                SecretField::CheckoutToken,
                &SecretString::from(token.expose().to_owned()),
            );
            self.progress.token = true;
            let state = self.row.state.clone();
            self.save(&state, None, Some(&sealed)).await?;
        }
        let created = bc
            .create_order_from_checkout(&self.row.checkout_id)
            .await
            .map_err(|e| bc_step("order creation", e))?;
        self.progress.order = true;
        let id = i64::try_from(created).unwrap_or(i64::MAX);
        self.save("approved", Some(id), None).await?;
        Ok(created)
    }

    async fn ensure_status(
        &mut self,
        bc: &StoreClient,
        order_id: u64,
        target: SequraState,
    ) -> Result<(), Step> {
        if self.progress.status_for.as_deref() == Some(target.as_str()) && self.progress.details {
            return Ok(());
        }
        let mapped = mapped_status(self.state, self.store, target).await?;
        let first_time = self.progress.status_for.is_none();
        // "None" means: leave the status alone. A brand-new order still needs a visible
        // status, so it becomes Pending rather than staying Incomplete (hidden).
        let status = match (mapped, first_time) {
            (Some(s), _) => Some(s),
            (None, true) => Some(PENDING),
            (None, false) => None,
        };
        let mut update = OrderUpdate {
            status_id: status.and_then(|s| u32::try_from(s).ok()),
            ..OrderUpdate::default()
        };
        let note = format!(
            "SeQura: {} ({}), SeQura order {}",
            match target {
                SequraState::Approved => "approved",
                SequraState::NeedsReview => "in review",
                SequraState::Cancelled => "cancelled",
            },
            self.row.method_title,
            self.row.sequra_order_ref.as_deref().unwrap_or("?")
        );
        update.staff_notes = Some(self.notes_with(bc, order_id, &note).await?);
        if !self.progress.details {
            update.payment_method = Some(format!("SeQura – {}", self.row.method_title));
            update.payment_provider_id = self.row.sequra_order_ref.clone();
        }
        bc.update_order(order_id, &update)
            .await
            .map_err(|e| bc_step("order update", e))?;
        self.progress.details = true;
        self.progress.status_for = Some(target.as_str().to_owned());
        let state = self.row.state.clone();
        self.save(&state, None, None).await
    }

    /// Staff notes are overwritten by a PUT: read, append our line once, write back.
    async fn notes_with(
        &self,
        bc: &StoreClient,
        order_id: u64,
        line: &str,
    ) -> Result<String, Step> {
        let order = bc
            .get_order(order_id)
            .await
            .map_err(|e| bc_step("order", e))?;
        let current = order.staff_notes;
        Ok(if current.contains(line) {
            current
        } else if current.trim().is_empty() {
            line.to_owned()
        } else {
            format!("{}\n{line}", current.trim_end())
        })
    }

    async fn ensure_metafield(&mut self, bc: &StoreClient, order_id: u64) -> Result<(), Step> {
        if self.progress.metafield {
            return Ok(());
        }
        let value = serde_json::json!({
            "reference": self.row.sequra_order_ref,
            "product": self.row.product,
            "method": self.row.method_title,
            "environment": self.row.environment,
            "merchant": self.row.merchant_id,
        })
        .to_string();
        let write = MetafieldWrite {
            permission_set: PermissionSet::AppOnly,
            namespace: "sequra".into(),
            key: "order".into(),
            value,
            description: Some("SeQura order".into()),
        };
        match bc.create_order_metafield(order_id, &write).await {
            // 409: written by an earlier attempt.
            Ok(_) | Err(bigcommerce::Error::Conflict { .. }) => {}
            Err(e) => return Err(bc_step("metafield", e)),
        }
        self.progress.metafield = true;
        let state = self.row.state.clone();
        self.save(&state, None, None).await
    }

    async fn ensure_credit_debited(&mut self, bc: &StoreClient) -> Result<(), Step> {
        let used = self.row.store_credit;
        if used <= 0 || self.progress.credit_done {
            return Ok(());
        }
        let customer = u64::try_from(self.row.customer_id).unwrap_or(0);
        let customers = bc
            .get_customers_with_store_credit(&[customer])
            .await
            .map_err(|e| bc_step("customer", e))?;
        let balance = customers
            .iter()
            .find(|c| c.id == customer)
            .and_then(|c| c.store_credit())
            .map_or(0, |c| c.get());
        if self.progress.credit_after == Some(balance) && self.progress.credit_before.is_some() {
            // The write of an earlier attempt landed.
            self.progress.credit_done = true;
            let state = self.row.state.clone();
            return self.save(&state, None, None).await;
        }
        let after = (balance - used).max(0);
        if balance < used {
            tracing::warn!(store = %self.store, customer, balance, used, "store credit fell below what the order used");
        }
        // Record the intent first: a retry that finds `after` knows the write landed.
        self.progress.credit_before = Some(balance);
        self.progress.credit_after = Some(after);
        let state = self.row.state.clone();
        self.save(&state, None, None).await?;
        bc.set_customer_store_credit(customer, bigcommerce::Cents::new(after))
            .await
            .map_err(|e| bc_step("store credit", e))?;
        self.progress.credit_done = true;
        self.save(&state, None, None).await
    }

    async fn cancel_bc_order(
        &mut self,
        bc: &StoreClient,
        order_id: u64,
        why: &str,
    ) -> Result<(), Step> {
        let notes = self.notes_with(bc, order_id, why).await?;
        bc.update_order(
            order_id,
            &OrderUpdate {
                status_id: Some(5),
                staff_notes: Some(notes),
                ..OrderUpdate::default()
            },
        )
        .await
        .map_err(|e| bc_step("order cancellation", e))?;
        Ok(())
    }

    /// `cancelled` (events webhook after a review, or an IPN): the order moves to the
    /// mapped status; with "None" it is left as it is.
    async fn cancel(&mut self) -> Result<Answer, Step> {
        if self.row.state == "cancelled" {
            return Ok(Answer::Done);
        }
        if let Some(order_id) = self.row.bc_order_id.and_then(|id| u64::try_from(id).ok()) {
            let bc = bc_store_client(self.state, self.store).await?;
            if let Some(status) =
                mapped_status(self.state, self.store, SequraState::Cancelled).await?
            {
                let line = format!(
                    "SeQura: cancelled, SeQura order {}",
                    self.row.sequra_order_ref.as_deref().unwrap_or("?")
                );
                let notes = self.notes_with(&bc, order_id, &line).await?;
                bc.update_order(
                    order_id,
                    &OrderUpdate {
                        status_id: u32::try_from(status).ok(),
                        staff_notes: Some(notes),
                        ..OrderUpdate::default()
                    },
                )
                .await
                .map_err(|e| bc_step("order update", e))?;
            }
        }
        self.progress.status_for = Some(SequraState::Cancelled.as_str().to_owned());
        self.save("cancelled", None, None).await?;
        Ok(Answer::Done)
    }
}

fn ack_name(ack: AcknowledgedState) -> &'static str {
    match ack {
        AcknowledgedState::Confirmed => "confirmed",
        AcknowledgedState::OnHold => "on_hold",
    }
}

async fn mapped_status(
    state: &AppState,
    store: &StoreHash,
    s: SequraState,
) -> Result<Option<i64>, AppError> {
    Ok(state
        .db
        .status_mapping(store)
        .await?
        .into_iter()
        .find(|(k, _)| *k == s)
        .and_then(|(_, v)| v))
}

/// The checkout token of a solicitation's order, unsealed (for the confirmation URL).
pub fn checkout_token(
    state: &AppState,
    store: &StoreHash,
    row: &SolicitationRow,
) -> Option<SecretString> {
    let sealed = row.checkout_token.as_deref()?;
    state
        .sealer
        .open(store.as_str(), SecretField::CheckoutToken, sealed)
        .ok()
        .filter(|t| !t.expose_secret().is_empty())
}
