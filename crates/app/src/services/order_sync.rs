//! BigCommerce order changes → SeQura (architecture §5.4). A webhook about a SeQura order
//! enqueues one coalesced `sync_order` job; the job re-reads the order, builds the carts
//! SeQura wants (`shipped_cart` = shipped and not refunded, `unshipped_cart` = ordered minus
//! shipped minus refunded; both empty when cancelled) and the addresses, compares them with
//! what SeQura last accepted, and sends an update only when something really changed. So
//! duplicated, reordered or late webhooks, and the webhooks of the app's own writes, cost
//! at most a read.
//!
//! A rejection (409) cannot undo the merchant's action: it becomes a transaction-log entry.
//! An outage is retried with backoff and is logged meanwhile; an update that finally lands
//! resolves the entry.

use bigcommerce::orders::{Order, OrderProduct, ShippingAddress as OrderShippingAddress};
use bigcommerce::refunds::{Refund, RefundItemType};
use sequra::{Address, Cart, Item, MerchantReference, OrderUpdate, Platform, ProductItem};
use serde::{Deserialize, Serialize};

use super::bc_store_client;
use super::connection;
use crate::db::solicitations::SolicitationRow;
use crate::db::transaction_log::Failure;
use crate::domain::StoreHash;
use crate::jobs::{Job, JobError, NewJob};
use crate::state::AppState;
use crate::web::AppError;

pub const SYNC_JOB: &str = "sync_order";

/// The job for an order (coalesced while queued; one at a time per order).
pub fn sync_job(store: &StoreHash, order_id: i64, run_at: i64) -> NewJob {
    NewJob {
        store: store.clone(),
        kind: SYNC_JOB.into(),
        payload: serde_json::json!({ "order_id": order_id }),
        dedupe_key: Some(format!("sync_order:{order_id}")),
        serial_key: Some(format!("order:{order_id}")),
        run_at,
        max_attempts: 12,
    }
}

/// BigCommerce statuses that cancel a SeQura order.
const CANCELLED: [u32; 2] = [5, 6];

/// A line of the order as far as SeQura is concerned.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub reference: String,
    pub name: String,
    pub quantity: i64,
    pub shipped: i64,
    /// Refunded quantities whose money went back through SeQura (not store credit).
    pub refunded: i64,
    /// Line total after every discount, tax included, for `quantity` units.
    pub total: i64,
    pub downloadable: bool,
    pub product_id: Option<String>,
}

/// Everything the carts are built from.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderFacts {
    pub currency: String,
    pub cancelled: bool,
    pub lines: Vec<Line>,
    /// Shipping, handling and wrapping, tax included, minus what was refunded of them
    /// through SeQura.
    pub extras: i64,
    /// Paid with store credit (a negative `other_payment` line, spread over the carts).
    pub store_credit: i64,
    /// Amount refunds through SeQura not tied to items (order-level refunds).
    pub amount_refunds: i64,
    /// Parts of refunds paid back as store credit for items counted as refunded: SeQura
    /// still collects them.
    pub store_credit_refunds: i64,
}

/// `(unshipped_cart, shipped_cart)`.
pub fn build_carts(f: &OrderFacts) -> (Cart, Cart) {
    if f.cancelled {
        return (Cart::empty(&f.currency), Cart::empty(&f.currency));
    }
    let share =
        |total: i64, qty: i64, of: i64| -> i64 { if of == 0 { 0 } else { total * qty / of } };
    let mut unshipped = Vec::new();
    let mut shipped = Vec::new();
    let (mut unshipped_goods, mut shipped_goods) = (0_i64, 0_i64);
    for l in &f.lines {
        let open = (l.quantity - l.shipped).max(0);
        let refund_open = l.refunded.min(open);
        let refund_shipped = (l.refunded - open).max(0);
        let u = open - refund_open;
        let s = (l.shipped - refund_shipped).max(0);
        let item = |qty: i64| {
            let total = share(l.total, qty, l.quantity);
            Item::Product(ProductItem {
                reference: l.reference.clone(),
                name: l.name.clone(),
                price_with_tax: share(l.total, 1, l.quantity),
                quantity: qty,
                total_with_tax: total,
                downloadable: l.downloadable,
                product_id: l.product_id.clone(),
                ..ProductItem::default()
            })
        };
        if u > 0 {
            unshipped_goods += share(l.total, u, l.quantity);
            unshipped.push(item(u));
        }
        if s > 0 {
            shipped_goods += share(l.total, s, l.quantity);
            shipped.push(item(s));
        }
    }
    // Shipping and the like follow the goods: all in one cart while the other has none,
    // else in proportion.
    let goods = unshipped_goods + shipped_goods;
    let split = |amount: i64| -> (i64, i64) {
        if amount == 0 {
            (0, 0)
        } else if shipped_goods == 0 {
            (amount, 0)
        } else if unshipped_goods == 0 {
            (0, amount)
        } else {
            let s = amount * shipped_goods / goods;
            (amount - s, s)
        }
    };
    let (extras_u, extras_s) = split(f.extras);
    if extras_u > 0 {
        unshipped.push(Item::handling(
            "shipping",
            "Shipping and handling",
            extras_u,
        ));
    }
    if extras_s > 0 {
        shipped.push(Item::handling(
            "shipping",
            "Shipping and handling",
            extras_s,
        ));
    }
    let (keep_u, keep_s) = split(f.store_credit_refunds);
    if keep_u > 0 {
        unshipped.push(Item::handling(
            "store_credit_refund",
            "Refunded as store credit",
            keep_u,
        ));
    }
    if keep_s > 0 {
        shipped.push(Item::handling(
            "store_credit_refund",
            "Refunded as store credit",
            keep_s,
        ));
    }
    // Amount refunds and store credit reduce what SeQura collects; neither may take a cart
    // below zero (after refunds the credit can exceed what is left), so each is capped at
    // what the carts hold and spread in proportion to them.
    let (refund_u, refund_s) = capped_split(f.amount_refunds, total(&unshipped), total(&shipped));
    if refund_u > 0 {
        unshipped.push(Item::discount("refund", "Refund", -refund_u));
    }
    if refund_s > 0 {
        shipped.push(Item::discount("refund", "Refund", -refund_s));
    }
    let (credit_u, credit_s) = capped_split(f.store_credit, total(&unshipped), total(&shipped));
    if credit_u > 0 {
        unshipped.push(Item::other_payment(
            "store_credit",
            "Store credit",
            -credit_u,
        ));
    }
    if credit_s > 0 {
        shipped.push(Item::other_payment(
            "store_credit",
            "Store credit",
            -credit_s,
        ));
    }
    (
        Cart::new(&f.currency, unshipped),
        Cart::new(&f.currency, shipped),
    )
}

fn total(items: &[Item]) -> i64 {
    items.iter().map(Item::total_with_tax).sum()
}

/// Splits `amount` (capped at what both carts hold) over two carts in proportion to their
/// totals; neither share exceeds its cart.
fn capped_split(amount: i64, unshipped: i64, shipped: i64) -> (i64, i64) {
    let held = unshipped.max(0) + shipped.max(0);
    let amount = amount.clamp(0, held);
    if amount == 0 || held == 0 {
        return (0, 0);
    }
    let s = amount * shipped.max(0) / held;
    (amount - s, s)
}

/// The order's facts from BigCommerce's order, lines and (SeQura's part of the) refunds.
pub fn facts(order: &Order, products: &[OrderProduct], refunds: &[Refund]) -> OrderFacts {
    let mut refunded_qty: std::collections::HashMap<u64, i64> = Default::default();
    let mut extras_refunded = 0;
    let mut amount_refunds = 0;
    let mut store_credit_refunds = 0;
    for refund in refunds {
        let total = refund.total_amount.get();
        let via_credit: i64 = refund
            .payments
            .iter()
            .filter(|p| p.provider_id.eq_ignore_ascii_case("storecredit") && !p.is_declined)
            .map(|p| p.amount.get())
            .sum();
        if total <= 0 || via_credit >= total {
            // Paid back entirely as store credit: not SeQura's business.
            continue;
        }
        for item in &refund.items {
            match item.item_type {
                RefundItemType::Product => {
                    *refunded_qty.entry(item.item_id).or_default() +=
                        i64::from(item.quantity.unwrap_or(0));
                }
                RefundItemType::Shipping
                | RefundItemType::Handling
                | RefundItemType::GiftWrapping => {
                    extras_refunded += item.requested_amount.map_or(0, |a| a.get());
                }
                _ => amount_refunds += item.requested_amount.map_or(0, |a| a.get()),
            }
        }
        store_credit_refunds += via_credit;
    }
    let lines = products
        .iter()
        // Bundled children are priced in their parent.
        .filter(|p| !p.is_bundled_product)
        .map(|p| Line {
            reference: p.sku.clone(),
            name: p.name.clone(),
            quantity: i64::from(p.quantity),
            shipped: i64::from(p.quantity_shipped),
            refunded: refunded_qty
                .get(&p.id)
                .copied()
                .unwrap_or(0)
                .min(i64::from(p.quantity)),
            total: p.discounted_total_inc_tax.get(),
            downloadable: matches!(p.product_type, bigcommerce::orders::ProductType::Digital),
            product_id: p.product_id.map(|id| id.to_string()),
        })
        .collect();
    let extras = order.shipping_cost_inc_tax.get()
        + order.handling_cost_inc_tax.get()
        + order.wrapping_cost_inc_tax.get()
        - extras_refunded;
    OrderFacts {
        currency: order.currency_code.to_ascii_uppercase(),
        cancelled: CANCELLED.contains(&order.status_id),
        lines,
        extras: extras.max(0),
        store_credit: order.store_credit_amount.get(),
        amount_refunds,
        store_credit_refunds,
    }
}

fn invoice_address(order: &Order) -> Address {
    let a = &order.billing_address;
    address(
        &a.first_name,
        &a.last_name,
        &a.company,
        &a.street_1,
        &a.street_2,
        &a.zip,
        &a.city,
        &a.country_iso2,
        &a.phone,
        &a.state,
    )
}

fn delivery_address(a: &OrderShippingAddress) -> Address {
    address(
        &a.first_name,
        &a.last_name,
        &a.company,
        &a.street_1,
        &a.street_2,
        &a.zip,
        &a.city,
        &a.country_iso2,
        &a.phone,
        &a.state,
    )
}

#[allow(clippy::too_many_arguments)]
fn address(
    first: &str,
    last: &str,
    company: &str,
    l1: &str,
    l2: &str,
    zip: &str,
    city: &str,
    country: &str,
    phone: &str,
    state: &str,
) -> Address {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Address {
        given_names: opt(first),
        surnames: opt(last),
        company: company.to_owned(),
        address_line_1: l1.to_owned(),
        address_line_2: l2.to_owned(),
        postal_code: zip.to_owned(),
        city: city.to_owned(),
        country_code: country.to_ascii_uppercase(),
        phone: opt(phone),
        mobile_phone: None,
        state: opt(state),
        extra: None,
        vat_number: None,
    }
}

/// What SeQura last accepted, in a form that ignores how lines are named or split:
/// each cart's total and its quantities per product reference, and both addresses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synced {
    pub unshipped: CartSummary,
    pub shipped: CartSummary,
    pub delivery: Option<Address>,
    pub invoice: Option<Address>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartSummary {
    pub total: i64,
    pub quantities: Vec<(String, i64)>,
}

impl CartSummary {
    pub fn of(cart: &Cart) -> CartSummary {
        let mut quantities: std::collections::BTreeMap<String, i64> = Default::default();
        for item in &cart.items {
            if let Item::Product(p) = item {
                *quantities.entry(p.reference.clone()).or_default() += p.quantity;
            }
        }
        CartSummary {
            total: cart.order_total_with_tax,
            quantities: quantities.into_iter().collect(),
        }
    }
}

/// What SeQura holds right after the confirmation: the solicited cart, nothing shipped.
fn confirmed_baseline(row: &SolicitationRow) -> Option<Synced> {
    let order: sequra::OrderRequest = serde_json::from_str(&row.order_body).ok()?;
    Some(Synced {
        unshipped: CartSummary::of(&order.cart),
        shipped: CartSummary::of(&Cart::empty(&order.cart.currency)),
        delivery: Some(order.delivery_address),
        invoice: Some(order.invoice_address),
    })
}

/// The kind of change, for the transaction log (what the merchant did).
fn event_name(before: &Synced, now: &Synced, cancelled: bool) -> &'static str {
    if cancelled {
        "order.cancelled"
    } else if now.shipped.total > before.shipped.total && now.unshipped.total == 0 {
        "order.shipped"
    } else if now.shipped.quantities != before.shipped.quantities
        && now.shipped.total > before.shipped.total
    {
        "order.partially_shipped"
    } else if now.unshipped.total + now.shipped.total
        < before.unshipped.total + before.shipped.total
    {
        if now.unshipped.total + now.shipped.total == 0 {
            "order.refunded"
        } else {
            "order.partially_refunded"
        }
    } else if now.delivery != before.delivery || now.invoice != before.invoice {
        "order.address_changed"
    } else {
        "order.edited"
    }
}

/// Runs a `sync_order` job.
pub async fn run(state: &AppState, store: &StoreHash, job: &Job) -> Result<(), JobError> {
    #[derive(Deserialize)]
    struct Payload {
        order_id: i64,
    }
    let payload: Payload = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
    let order_id = payload.order_id;
    let Some(row) = state
        .db
        .solicitation_by_order(store, order_id)
        .await
        .map_err(JobError::from)?
    else {
        return Ok(()); // not a SeQura order
    };
    if !matches!(row.state.as_str(), "confirmed" | "on_hold") {
        // Not (yet) a confirmed SeQura order: the IPN owns it until then; or cancelled.
        return Ok(());
    }
    let last_attempt = job.attempts >= job.max_attempts;
    match sync(state, store, &row, order_id).await {
        Ok(()) => Ok(()),
        Err(SyncError::Rejected { event, reason }) => {
            log(state, store, &row, order_id, &event, &reason, "failed").await?;
            Ok(())
        }
        Err(SyncError::Unavailable {
            event,
            reason,
            after,
        }) => {
            let state_name = if last_attempt { "failed" } else { "retrying" };
            let reason = if last_attempt {
                format!("Gave up after {} attempts: {reason}", job.attempts)
            } else {
                reason
            };
            log(state, store, &row, order_id, &event, &reason, state_name).await?;
            if last_attempt {
                Err(JobError::Permanent(reason))
            } else {
                Err(JobError::Retry {
                    error: reason,
                    after,
                })
            }
        }
        Err(SyncError::BigCommerce { error, after }) => Err(JobError::Retry { error, after }),
    }
}

async fn log(
    state: &AppState,
    store: &StoreHash,
    row: &SolicitationRow,
    order_id: i64,
    event: &str,
    reason: &str,
    state_name: &str,
) -> Result<(), JobError> {
    tracing::warn!(store = %store, order = order_id, event, reason, state = state_name, "order update not accepted by SeQura");
    state
        .db
        .log_failure(
            store,
            &Failure {
                bc_order_id: order_id,
                solicitation_id: &row.id,
                sequra_order_ref: row.sequra_order_ref.as_deref().unwrap_or_default(),
                environment: &row.environment,
                payment_method: &row.method_title,
                event,
                reason,
                state: state_name,
            },
        )
        .await
        .map_err(JobError::from)
}

enum SyncError {
    /// SeQura refused the update (or cannot take it): logged, not retried.
    Rejected { event: String, reason: String },
    /// SeQura unreachable: retried, logged meanwhile.
    Unavailable {
        event: String,
        reason: String,
        after: Option<std::time::Duration>,
    },
    /// BigCommerce unreachable or rate limited: retried quietly.
    BigCommerce {
        error: String,
        after: Option<std::time::Duration>,
    },
}

fn bc_failure(context: &str, e: bigcommerce::Error) -> SyncError {
    SyncError::BigCommerce {
        after: e.retry_after(),
        error: format!("BigCommerce {context}: {e}"),
    }
}

async fn sync(
    state: &AppState,
    store: &StoreHash,
    row: &SolicitationRow,
    order_id: i64,
) -> Result<(), SyncError> {
    let internal = |e: AppError| SyncError::BigCommerce {
        error: e.to_string(),
        after: None,
    };
    let bc = bc_store_client(state, store).await.map_err(internal)?;
    let id = u64::try_from(order_id).unwrap_or(0);
    let order = bc.get_order(id).await.map_err(|e| bc_failure("order", e))?;
    let products = bc
        .list_order_products(id)
        .await
        .map_err(|e| bc_failure("order products", e))?;
    let addresses = bc
        .list_order_shipping_addresses(id)
        .await
        .map_err(|e| bc_failure("shipping addresses", e))?;
    // Refunds are read only when the order shows any (most syncs need three reads).
    let refunds =
        if matches!(order.status_id, 4 | 14) || products.iter().any(|p| p.quantity_refunded > 0) {
            bc.list_order_refunds(id)
                .await
                .map_err(|e| bc_failure("refunds", e))?
        } else {
            Vec::new()
        };
    let mut f = facts(&order, &products, &refunds);
    // The store credit the app debited at the IPN (through the Customers API) is not on
    // BigCommerce's order, which was created from the checkout at its full amount; SeQura
    // was asked only for the rest, so the carts keep leaving the credit out.
    f.store_credit = f.store_credit.max(row.store_credit);
    let (unshipped, shipped) = build_carts(&f);
    let delivery = addresses.first().map(delivery_address);
    let invoice = invoice_address(&order);
    let now = Synced {
        unshipped: CartSummary::of(&unshipped),
        shipped: CartSummary::of(&shipped),
        delivery: delivery.clone(),
        invoice: Some(invoice.clone()),
    };
    let before = match state
        .db
        .synced(store, &row.id)
        .await
        .map_err(|e| internal(e.into()))?
    {
        Some(json) => serde_json::from_str(&json).ok(),
        None => confirmed_baseline(row),
    };
    if before.as_ref() == Some(&now) {
        return Ok(()); // nothing SeQura does not already know (our own writes come here)
    }
    let before = before.unwrap_or_else(|| now.clone());
    let event = event_name(&before, &now, f.cancelled).to_owned();
    if row.state == "on_hold" && !f.cancelled {
        return Err(SyncError::Rejected {
            event,
            reason: "The order is being reviewed by SeQura; it can only be cancelled until SeQura approves it.".into(),
        });
    }
    let conn = connection::connection(state, store)
        .await
        .map_err(internal)?
        .ok_or_else(|| SyncError::Rejected {
            event: event.clone(),
            reason: "The store is not connected to SeQura.".into(),
        })?;
    let mut update = OrderUpdate::new(
        row.merchant_id.clone(),
        MerchantReference::new(order_id.to_string()),
        unshipped,
        shipped,
        platform(state),
    );
    update.delivery_address = delivery;
    update.invoice_address = Some(invoice);
    match conn
        .client
        .update_order(&row.merchant_id, &order_id.to_string(), &update)
        .await
    {
        Ok(()) => {}
        // SeQura answers 404 when an order still in review is cancelled (sequra-api.md
        // §5.1): the cancellation stands.
        Err(sequra::Error::NotFound { .. }) if row.state == "on_hold" && f.cancelled => {}
        Err(e) if e.is_retryable() => {
            return Err(SyncError::Unavailable {
                event,
                reason: format!("SeQura could not be reached: {e}"),
                after: None,
            });
        }
        Err(e) => {
            let reason = match e.errors() {
                errors if !errors.is_empty() => errors.join(". "),
                _ => e.to_string(),
            };
            return Err(SyncError::Rejected { event, reason });
        }
    }
    let json = serde_json::to_string(&now).map_err(|e| internal(AppError::Internal(e.into())))?;
    state
        .db
        .set_synced(store, &row.id, &json)
        .await
        .map_err(|e| internal(e.into()))?;
    if state
        .db
        .resolve_log(store, order_id)
        .await
        .map_err(|e| internal(e.into()))?
    {
        tracing::info!(store = %store, order = order_id, "a pending order update reached SeQura");
    }
    Ok(())
}

fn platform(state: &AppState) -> Platform {
    Platform {
        name: "BigCommerce".into(),
        version: "v3".into(),
        plugin_version: Some(env!("CARGO_PKG_VERSION").into()),
        uname: "sequra-bc".into(),
        db_name: state.db.backend().into(),
        db_version: String::new(),
        php_version: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, qty: i64, shipped: i64, refunded: i64, total: i64) -> Line {
        Line {
            reference: sku.into(),
            name: sku.into(),
            quantity: qty,
            shipped,
            refunded,
            total,
            downloadable: false,
            product_id: None,
        }
    }

    fn facts(lines: Vec<Line>) -> OrderFacts {
        OrderFacts {
            currency: "EUR".into(),
            cancelled: false,
            lines,
            extras: 500,
            store_credit: 2000,
            amount_refunds: 0,
            store_credit_refunds: 0,
        }
    }

    fn qty(cart: &Cart, sku: &str) -> i64 {
        CartSummary::of(cart)
            .quantities
            .iter()
            .find(|(s, _)| s == sku)
            .map_or(0, |(_, q)| *q)
    }

    #[test]
    fn nothing_shipped_everything_unshipped() {
        let (u, s) = build_carts(&facts(vec![
            line("A", 2, 0, 0, 5000),
            line("B", 1, 0, 0, 6000),
        ]));
        assert_eq!(u.order_total_with_tax, 11000 + 500 - 2000);
        assert!(s.items.is_empty() && s.order_total_with_tax == 0);
    }

    #[test]
    fn partial_then_full_shipment() {
        let (u, s) = build_carts(&facts(vec![
            line("A", 2, 1, 0, 5000),
            line("B", 1, 0, 0, 6000),
        ]));
        assert_eq!((qty(&u, "A"), qty(&u, "B"), qty(&s, "A")), (1, 1, 1));
        assert_eq!(u.order_total_with_tax + s.order_total_with_tax, 9500);
        assert!(u.order_total_with_tax >= 0 && s.order_total_with_tax >= 0);
        let (u, s) = build_carts(&facts(vec![
            line("A", 2, 2, 0, 5000),
            line("B", 1, 1, 0, 6000),
        ]));
        assert!(u.items.is_empty());
        assert_eq!(s.order_total_with_tax, 9500);
    }

    #[test]
    fn refunds_come_from_the_unshipped_part_first() {
        let (u, s) = build_carts(&facts(vec![line("A", 3, 1, 2, 7500)]));
        assert_eq!((qty(&u, "A"), qty(&s, "A")), (0, 1));
        let (u, s) = build_carts(&facts(vec![line("A", 3, 3, 1, 7500)]));
        assert_eq!((qty(&u, "A"), qty(&s, "A")), (0, 2));
    }

    #[test]
    fn cancelled_means_both_carts_empty() {
        let mut f = facts(vec![line("A", 1, 0, 0, 100)]);
        f.cancelled = true;
        let (u, s) = build_carts(&f);
        assert!(u.items.is_empty() && s.items.is_empty());
        assert_eq!(u.order_total_with_tax + s.order_total_with_tax, 0);
    }

    #[test]
    fn carts_always_add_up_and_never_go_negative() {
        for shipped in 0..=4 {
            for refunded in 0..=4 {
                let f = facts(vec![
                    line("A", 4, shipped, refunded, 10_000),
                    line("B", 1, 0, 0, 333),
                ]);
                let (u, s) = build_carts(&f);
                for cart in [&u, &s] {
                    let sum: i64 = cart.items.iter().map(Item::total_with_tax).sum();
                    assert_eq!(sum, cart.order_total_with_tax);
                    assert!(
                        cart.order_total_with_tax >= 0,
                        "{shipped}/{refunded}: {cart:?}"
                    );
                }
            }
        }
    }
}
