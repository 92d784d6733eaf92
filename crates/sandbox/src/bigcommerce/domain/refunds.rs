//! Refund quotes and refunds (v3 payment actions, §4.7).
//!
//! Amounts: a PRODUCT item refunds its share of the line's `discounted_total_inc_tax`
//! (cumulative rounding, so refunding every unit refunds the line exactly) minus its
//! (negative) adjustments; SHIPPING / HANDLING refund at most what is left of that address's
//! cost; ORDER is a tax-exempt amount; GIFT_WRAPPING and FEE have nothing to refund in the
//! simulated stores (no wrapping, no fees) and are refused. Tax is the inclusive tax of each
//! amount (ORDER: none). The total may not exceed what is left of the order's total.
//!
//! Quote methods for an amount R (each inner list is one alternative; `payments` of a
//! refund must equal one of them as a set of (provider, amount), or the refund is a 422):
//! 1. back to the original payments: the order's non-store-credit payments first, each up
//!    to what is left of it, then the store credit it was paid with — offered only when that
//!    covers R (UNVERIFIED allocation order);
//! 2. all of R as store credit — only for a registered customer (a guest gets the 422
//!    "Unable to provide store credit for a guest customer.");
//! 3. all of R as a manual `custom` offline refund.
//!
//! A refund moves `quantity_refunded`, the status (14, or 4 once refunds reach the order
//! total), writes one `refund` transaction per payment, credits store credit back, and emits
//! `store/order/refund/created` (`{type:"order", id, refund:{refund_id}}`),
//! `store/order/transaction/created` per payment, `statusUpdated` and `updated`. The order's
//! own `refunded_amount` and the lines' `refund_amount` stay 0, as documented.

use std::collections::BTreeMap;

use super::checkout::record_transaction;
use super::orders::emit_order_changed;
use super::totals::{order_totals, refunded_so_far};
use super::{DomainError, DomainResult, StoreTx, check_quantity};
use crate::bigcommerce::model::{
    IdCounters, Order, Refund, RefundAdjustment, RefundItem, RefundItemType, RefundPayment,
    StoreState, Transaction, status,
};
use crate::bigcommerce::money::ex_tax_cents;
use serde_json::json;

pub const STORE_CREDIT: &str = "storecredit";
pub const CUSTOM: &str = "custom";
const OFFLINE_REASON: &str = "This is an offline payment provider.";
const OFFLINE_GATEWAYS: [&str; 5] = ["bankdeposit", "cheque", "cod", "instore", "moneyorder"];

#[derive(Clone, Debug)]
pub struct RefundItemRequest {
    pub item_type: RefundItemType,
    pub item_id: i64,
    pub quantity: Option<i64>,
    pub amount_cents: Option<i64>,
    pub reason: String,
    pub adjustments: Vec<RefundAdjustment>,
}

impl RefundItemRequest {
    pub fn product(order_product_id: i64, quantity: i64) -> Self {
        Self {
            item_type: RefundItemType::Product,
            item_id: order_product_id,
            quantity: Some(quantity),
            amount_cents: None,
            reason: String::new(),
            adjustments: Vec::new(),
        }
    }

    pub fn amount(item_type: RefundItemType, item_id: i64, cents: i64) -> Self {
        Self {
            item_type,
            item_id,
            quantity: None,
            amount_cents: Some(cents),
            reason: String::new(),
            adjustments: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundPaymentRequest {
    pub provider_id: String,
    pub amount_cents: i64,
    pub offline: bool,
}

#[derive(Clone, Debug)]
pub struct RefundRequest {
    pub items: Vec<RefundItemRequest>,
    pub payments: Vec<RefundPaymentRequest>,
    /// `merchant_calculated_override`: (total_amount, total_tax) in cents.
    pub merchant_override: Option<(i64, i64)>,
    /// The control-panel user; API refunds have none (0).
    pub user_id: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentOption {
    pub provider_id: String,
    pub description: String,
    pub amount_cents: i64,
    pub offline: bool,
}

impl PaymentOption {
    pub fn offline_reason(&self) -> &'static str {
        if self.offline { OFFLINE_REASON } else { "" }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundQuote {
    pub order_id: i64,
    pub total_cents: i64,
    pub tax_cents: i64,
    pub order_level_cents: i64,
    pub items: Vec<RefundItem>,
    pub refund_methods: Vec<Vec<PaymentOption>>,
}

fn order_of(store: &StoreState, order_id: i64) -> DomainResult<Order> {
    store
        .orders
        .get(&order_id)
        .cloned()
        .ok_or_else(|| DomainError::not_found("order"))
}

/// Money already refunded for one (item type, item id) of an order.
fn refunded_for(store: &StoreState, order_id: i64, kind: RefundItemType, item_id: i64) -> i64 {
    store
        .refunds
        .values()
        .filter(|r| r.order_id == order_id)
        .flat_map(|r| &r.items)
        .filter(|i| i.item_type == kind && i.item_id == item_id)
        .map(|i| i.amount_cents)
        .sum()
}

/// Prices the requested items.
fn price_items(
    store: &StoreState,
    order: &Order,
    requests: &[RefundItemRequest],
) -> DomainResult<Vec<RefundItem>> {
    if requests.is_empty() {
        return Err(DomainError::invalid(
            "items",
            "At least one item is required.",
        ));
    }
    let totals = order_totals(order);
    // Units already asked for in this request, per line, so that two items on one line add up.
    let mut units_in_request: BTreeMap<i64, i64> = BTreeMap::new();
    let mut amount_in_request: BTreeMap<(RefundItemType, i64), i64> = BTreeMap::new();
    let mut priced = Vec::with_capacity(requests.len());
    for (index, request) in requests.iter().enumerate() {
        let field = format!("items[{index}]");
        for adjustment in &request.adjustments {
            if adjustment.amount_cents > 0 {
                return Err(DomainError::invalid(
                    &format!("{field}.adjustments"),
                    "adjustments are deductions and must be negative",
                ));
            }
        }
        let adjustments = request
            .adjustments
            .iter()
            .fold(0_i64, |sum, a| sum.saturating_add(a.amount_cents));
        let gross = match request.item_type {
            RefundItemType::Product => {
                let quantity = request.quantity.ok_or_else(|| {
                    DomainError::invalid(&field, "quantity is required for PRODUCT items")
                })?;
                check_quantity(&field, quantity, 1)?;
                let (index_in_order, line) = order
                    .lines
                    .iter()
                    .enumerate()
                    .find(|(_, l)| l.id == request.item_id)
                    .ok_or_else(|| {
                        DomainError::invalid(
                            &field,
                            format!("The order has no product {}", request.item_id),
                        )
                    })?;
                let before =
                    line.quantity_refunded + units_in_request.get(&line.id).copied().unwrap_or(0);
                if quantity > line.quantity - before {
                    return Err(DomainError::invalid(
                        &field,
                        format!(
                            "Only {} of order product {} are left to refund",
                            line.quantity - before,
                            line.id
                        ),
                    ));
                }
                let after = before + quantity;
                units_in_request.insert(line.id, after - line.quantity_refunded);
                let line_total = totals.discounted_line_total(order, index_in_order);
                let share = |units: i64| {
                    if line.quantity == 0 {
                        0
                    } else {
                        (line_total * units + line.quantity / 2) / line.quantity
                    }
                };
                share(after) - share(before)
            }
            RefundItemType::Shipping | RefundItemType::Handling => {
                let address = order
                    .shipping_addresses
                    .iter()
                    .find(|a| a.id == request.item_id)
                    .ok_or_else(|| {
                        DomainError::invalid(
                            &field,
                            format!("The order has no shipping address {}", request.item_id),
                        )
                    })?;
                let cost = if request.item_type == RefundItemType::Shipping {
                    address.cost_cents
                } else {
                    address.handling_cents
                };
                let key = (request.item_type, request.item_id);
                let left = cost
                    - refunded_for(store, order.id, request.item_type, request.item_id)
                    - amount_in_request.get(&key).copied().unwrap_or(0);
                let amount = bound_amount(&field, request, left)?;
                *amount_in_request.entry(key).or_default() += amount;
                amount
            }
            RefundItemType::Order => {
                if request.item_id != order.id {
                    return Err(DomainError::invalid(
                        &field,
                        "item_id of an ORDER item must be the order id",
                    ));
                }
                let left = totals.total - refunded_so_far(store, order.id);
                bound_amount(&field, request, left)?
            }
            RefundItemType::GiftWrapping | RefundItemType::Fee => {
                return Err(DomainError::invalid(
                    &field,
                    format!(
                        "The order has no {} to refund",
                        request.item_type.as_str().to_lowercase()
                    ),
                ));
            }
        };
        let amount = gross.saturating_add(adjustments);
        if amount < 0 {
            return Err(DomainError::invalid(
                &format!("{field}.adjustments"),
                "adjustments exceed the item's amount",
            ));
        }
        priced.push(RefundItem {
            item_type: request.item_type,
            item_id: request.item_id,
            reason: request.reason.clone(),
            quantity: request
                .quantity
                .filter(|_| request.item_type == RefundItemType::Product),
            requested_amount_cents: if request.item_type == RefundItemType::Product {
                None
            } else {
                request.amount_cents
            },
            adjustments: request.adjustments.clone(),
            amount_cents: amount,
        });
    }
    Ok(priced)
}

fn bound_amount(field: &str, request: &RefundItemRequest, left: i64) -> DomainResult<i64> {
    let amount = request.amount_cents.ok_or_else(|| {
        DomainError::invalid(
            field,
            format!(
                "amount is required for {} items",
                request.item_type.as_str()
            ),
        )
    })?;
    if amount <= 0 {
        return Err(DomainError::invalid(field, "amount must be positive"));
    }
    if amount > left {
        return Err(DomainError::invalid(
            field,
            format!(
                "amount exceeds the refundable amount of {}.{:02}",
                left / 100,
                left % 100
            ),
        ));
    }
    Ok(amount)
}

fn item_tax(store: &StoreState, item: &RefundItem) -> i64 {
    if item.item_type == RefundItemType::Order {
        0
    } else {
        item.amount_cents - ex_tax_cents(item.amount_cents, store.profile.tax_rate_bp)
    }
}

/// Money still refundable to each of the order's original payments.
fn refundable_payments(store: &StoreState, order: &Order) -> Vec<PaymentOption> {
    order
        .payments
        .iter()
        .map(|p| {
            let refunded: i64 = store
                .refunds
                .values()
                .filter(|r| r.order_id == order.id)
                .flat_map(|r| &r.payments)
                .filter(|rp| rp.provider_id == p.provider_id)
                .map(|rp| rp.amount_cents)
                .sum();
            PaymentOption {
                provider_id: p.provider_id.clone(),
                description: p.description.clone(),
                amount_cents: (p.amount_cents - refunded).max(0),
                offline: p.offline,
            }
        })
        .collect()
}

fn refund_methods(store: &StoreState, order: &Order, amount: i64) -> Vec<Vec<PaymentOption>> {
    let mut methods: Vec<Vec<PaymentOption>> = Vec::new();
    let available = refundable_payments(store, order);
    if !available.is_empty() {
        let mut left = amount;
        let mut combination = Vec::new();
        let ordered = available
            .iter()
            .filter(|p| p.provider_id != STORE_CREDIT)
            .chain(available.iter().filter(|p| p.provider_id == STORE_CREDIT));
        for payment in ordered {
            if left == 0 {
                break;
            }
            let take = payment.amount_cents.min(left);
            if take > 0 {
                combination.push(PaymentOption {
                    amount_cents: take,
                    ..payment.clone()
                });
                left -= take;
            }
        }
        if left == 0 && !combination.is_empty() {
            methods.push(combination);
        }
    }
    let mut push_unique = |option: Vec<PaymentOption>| {
        if !methods.contains(&option) {
            methods.push(option);
        }
    };
    if order.customer_id != 0 {
        push_unique(vec![PaymentOption {
            provider_id: STORE_CREDIT.into(),
            description: "Store Credit".into(),
            amount_cents: amount,
            offline: false,
        }]);
    }
    push_unique(vec![PaymentOption {
        provider_id: CUSTOM.into(),
        description: "Custom".into(),
        amount_cents: amount,
        offline: true,
    }]);
    methods
}

fn build_quote(
    store: &StoreState,
    order: &Order,
    items: &[RefundItemRequest],
) -> DomainResult<RefundQuote> {
    let priced = price_items(store, order, items)?;
    let total: i64 = priced.iter().map(|i| i.amount_cents).sum();
    if total <= 0 {
        return Err(DomainError::invalid("items", "There is nothing to refund."));
    }
    let left = order_totals(order).total - refunded_so_far(store, order.id);
    if total > left {
        return Err(DomainError::invalid(
            "items",
            "The refund exceeds what is left to refund on the order.",
        ));
    }
    let tax = priced.iter().map(|i| item_tax(store, i)).sum();
    let order_level = priced
        .iter()
        .filter(|i| i.item_type == RefundItemType::Order)
        .map(|i| i.amount_cents)
        .sum();
    Ok(RefundQuote {
        order_id: order.id,
        total_cents: total,
        tax_cents: tax,
        order_level_cents: order_level,
        refund_methods: refund_methods(store, order, total),
        items: priced,
    })
}

/// `POST /v3/orders/{id}/payment_actions/refund_quotes`: no state change, no event.
pub fn quote(
    store: &StoreState,
    order_id: i64,
    items: &[RefundItemRequest],
) -> DomainResult<RefundQuote> {
    let order = order_of(store, order_id)?;
    build_quote(store, &order, items)
}

fn same_payments(requested: &[RefundPaymentRequest], option: &[PaymentOption]) -> bool {
    let mut a: Vec<(&str, i64)> = requested
        .iter()
        .map(|p| (p.provider_id.as_str(), p.amount_cents))
        .collect();
    let mut b: Vec<(&str, i64)> = option
        .iter()
        .map(|p| (p.provider_id.as_str(), p.amount_cents))
        .collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// `(method, gateway)` of a refund transaction to `provider_id`.
fn transaction_kind(provider_id: &str) -> (&'static str, String) {
    if provider_id == STORE_CREDIT {
        ("store_credit", STORE_CREDIT.to_owned())
    } else if OFFLINE_GATEWAYS.contains(&provider_id) {
        ("offline", provider_id.to_owned())
    } else {
        ("custom", CUSTOM.to_owned())
    }
}

/// `POST /v3/orders/{id}/payment_actions/refunds`, and the merchant's "Refund" action.
pub fn create_refund(
    tx: &mut StoreTx<'_>,
    order_id: i64,
    request: RefundRequest,
) -> DomainResult<i64> {
    let mut order = order_of(tx.store, order_id)?;
    if order.customer_id == 0
        && request
            .payments
            .iter()
            .any(|p| p.provider_id == STORE_CREDIT)
    {
        return Err(DomainError::GuestStoreCredit);
    }
    let quote = build_quote(tx.store, &order, &request.items)?;
    let (total, tax, overridden) = match request.merchant_override {
        Some((total, tax)) => {
            let left = order_totals(&order).total - refunded_so_far(tx.store, order_id);
            if total <= 0 || total > left || tax < 0 || tax > total {
                return Err(DomainError::invalid(
                    "merchant_calculated_override",
                    "The override amounts are not valid for this order.",
                ));
            }
            (total, tax, true)
        }
        None => (quote.total_cents, quote.tax_cents, false),
    };
    if request.payments.is_empty() {
        return Err(DomainError::invalid(
            "payments",
            "At least one payment is required.",
        ));
    }
    if request.payments.iter().any(|p| p.amount_cents <= 0) {
        return Err(DomainError::invalid(
            "payments",
            "Payment amounts must be positive.",
        ));
    }
    let paid = request
        .payments
        .iter()
        .fold(0_i64, |sum, p| sum.saturating_add(p.amount_cents));
    let options = if overridden {
        refund_methods(tx.store, &order, total)
    } else {
        quote.refund_methods.clone()
    };
    if paid != total || !options.iter().any(|o| same_payments(&request.payments, o)) {
        return Err(DomainError::invalid(
            "payments",
            "The payments do not match any refund method of the refund quote.",
        ));
    }
    // Valid: apply.
    for item in &quote.items {
        if item.item_type == RefundItemType::Product
            && let Some(line) = order.lines.iter_mut().find(|l| l.id == item.item_id)
        {
            line.quantity_refunded += item.quantity.unwrap_or(0);
        }
    }
    let previous_status = order.status_id;
    let refunded_after = refunded_so_far(tx.store, order_id) + total;
    order.status_id = if refunded_after >= order_totals(&order).total {
        status::REFUNDED
    } else {
        status::PARTIALLY_REFUNDED
    };
    order.modified_at = tx.now;
    let refund_id = IdCounters::take(&mut tx.store.ids.refund);
    let currency = tx.store.profile.currency.clone();
    let mut payments = Vec::with_capacity(request.payments.len());
    let mut transactions = Vec::with_capacity(request.payments.len());
    for payment in &request.payments {
        let payment_id = IdCounters::take(&mut tx.store.ids.refund_payment);
        let transaction_id = IdCounters::take(&mut tx.store.ids.transaction);
        let (method, gateway) = transaction_kind(&payment.provider_id);
        let mut remaining_credit = None;
        if payment.provider_id == STORE_CREDIT
            && let Some(customer) = tx.store.customers.get_mut(&order.customer_id)
        {
            customer.store_credit_cents += payment.amount_cents;
            customer.modified_at = tx.now;
            remaining_credit = Some(customer.store_credit_cents);
        }
        let display = order
            .payments
            .iter()
            .find(|p| p.provider_id == payment.provider_id)
            .map(|p| p.description.clone());
        transactions.push(Transaction {
            id: transaction_id,
            order_id,
            event: "refund".into(),
            method: method.into(),
            amount_cents: payment.amount_cents,
            currency: currency.clone(),
            gateway,
            created_at: tx.now,
            offline_display_name: if method == "offline" { display } else { None },
            custom_payment_method: (method == "custom").then(|| "Custom".to_owned()),
            store_credit_remaining_cents: remaining_credit,
            reference_transaction_id: None,
        });
        payments.push(RefundPayment {
            id: payment_id,
            provider_id: payment.provider_id.clone(),
            amount_cents: payment.amount_cents,
            offline: payment.provider_id != STORE_CREDIT,
            is_declined: false,
            declined_message: String::new(),
            transaction_id: Some(transaction_id),
        });
    }
    let reason = quote
        .items
        .iter()
        .map(|i| i.reason.as_str())
        .find(|r| !r.is_empty())
        .unwrap_or_default()
        .to_owned();
    tx.store.refunds.insert(
        refund_id,
        Refund {
            id: refund_id,
            order_id,
            user_id: request.user_id,
            created_at: tx.now,
            reason,
            total_cents: total,
            total_tax_cents: tax,
            uses_merchant_override_values: overridden,
            items: quote.items,
            payments,
        },
    );
    tx.store.orders.insert(order_id, order);
    tx.emit(
        "store/order/refund/created",
        json!({"type": "order", "id": order_id, "refund": {"refund_id": refund_id}}),
    );
    for transaction in transactions {
        record_transaction(tx, transaction);
    }
    emit_order_changed(tx, order_id, previous_status);
    Ok(refund_id)
}

/// The merchant's refund from the control panel: quote, then refund back to the order's
/// original payments (a manual `custom` refund when nothing was paid through BigCommerce),
/// or all to store credit when `to_store_credit` is asked.
pub fn merchant_refund(
    tx: &mut StoreTx<'_>,
    order_id: i64,
    items: Vec<RefundItemRequest>,
    to_store_credit: bool,
    user_id: i64,
) -> DomainResult<i64> {
    let order = order_of(tx.store, order_id)?;
    let quote = build_quote(tx.store, &order, &items)?;
    let chosen = if to_store_credit {
        if order.customer_id == 0 {
            return Err(DomainError::GuestStoreCredit);
        }
        quote
            .refund_methods
            .iter()
            .find(|o| o.len() == 1 && o.iter().all(|p| p.provider_id == STORE_CREDIT))
    } else if order.payments.is_empty() {
        // Nothing was paid through BigCommerce: a manual (custom) refund.
        quote
            .refund_methods
            .iter()
            .find(|o| o.iter().all(|p| p.provider_id == CUSTOM))
    } else {
        quote.refund_methods.first()
    }
    .cloned()
    .ok_or_else(|| DomainError::invalid_body("No refund method is available."))?;
    create_refund(
        tx,
        order_id,
        RefundRequest {
            items,
            payments: chosen
                .into_iter()
                .map(|p| RefundPaymentRequest {
                    provider_id: p.provider_id,
                    amount_cents: p.amount_cents,
                    offline: p.offline,
                })
                .collect(),
            merchant_override: None,
            user_id,
        },
    )
}
