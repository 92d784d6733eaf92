//! Order updates: the app's `PUT /v2/orders/{id}`, the merchant's order edit, status
//! changes (incl. cancel) and archiving.
//!
//! Events: every update — even one that changes nothing, as BigCommerce does for every
//! PUT — emits `store/order/updated`; a status change first emits
//! `store/order/statusUpdated` with the previous and new ids. Archiving emits
//! `store/order/archived` (once).

use serde::Deserialize;
use serde_json::Value;

use super::{DomainError, DomainResult, StoreTx, check_quantity};
use crate::bigcommerce::model::{Address, IdCounters, ItemKind, Order, OrderLine, status};
use crate::bigcommerce::money::MAX_AMOUNT_CENTS;

/// A partial address (v2 names); `None` keeps the field.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddressPatch {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub street_1: Option<String>,
    pub street_2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub country_iso2: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl AddressPatch {
    pub fn apply(self, address: &mut Address) {
        let set = |slot: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *slot = value;
            }
        };
        set(&mut address.first_name, self.first_name);
        set(&mut address.last_name, self.last_name);
        set(&mut address.company, self.company);
        set(&mut address.street_1, self.street_1);
        set(&mut address.street_2, self.street_2);
        set(&mut address.city, self.city);
        set(&mut address.state, self.state);
        set(&mut address.zip, self.zip);
        set(&mut address.country, self.country);
        set(&mut address.country_iso2, self.country_iso2);
        set(&mut address.phone, self.phone);
        set(&mut address.email, self.email);
    }
}

/// The merchant's "Edit order" (and the `products`/address parts of a PUT).
#[derive(Clone, Debug)]
pub enum OrderEdit {
    AddItem {
        product_id: i64,
        quantity: i64,
        /// Defaults to the order's first shipping address for physical products.
        order_address_id: Option<i64>,
    },
    /// 0 removes the line.
    SetQuantity {
        order_product_id: i64,
        quantity: i64,
    },
    RemoveItem {
        order_product_id: i64,
    },
    SetBillingAddress(Address),
    PatchBillingAddress(AddressPatch),
    SetShippingAddress {
        address_id: i64,
        address: Address,
    },
    PatchShippingAddress {
        address_id: i64,
        patch: AddressPatch,
    },
    SetShippingCost {
        address_id: i64,
        cents: i64,
    },
    SetShippingMethod {
        address_id: i64,
        method: String,
    },
    /// A manual order-level discount (replaces the previous one).
    SetDiscount {
        cents: i64,
    },
}

/// What `PUT /v2/orders/{id}` may change (the fields the app writes plus the editable
/// sub-resources). `None` keeps a field.
#[derive(Clone, Debug, Default)]
pub struct OrderUpdate {
    pub status_id: Option<u8>,
    pub payment_method: Option<String>,
    /// A string or a number, kept as given.
    pub payment_provider_id: Option<Value>,
    pub staff_notes: Option<String>,
    pub customer_message: Option<String>,
    pub is_email_opt_in: Option<bool>,
    pub edits: Vec<OrderEdit>,
}

fn line_mut(order: &mut Order, id: i64) -> DomainResult<&mut OrderLine> {
    order
        .lines
        .iter_mut()
        .find(|l| l.id == id)
        .ok_or_else(|| DomainError::invalid("products", format!("no order product {id}")))
}

fn apply_edit(tx: &mut StoreTx<'_>, order: &mut Order, edit: OrderEdit) -> DomainResult<()> {
    match edit {
        OrderEdit::AddItem {
            product_id,
            quantity,
            order_address_id,
        } => {
            check_quantity("quantity", quantity, 1)?;
            let product = tx.store.products.get(&product_id).cloned().ok_or_else(|| {
                DomainError::invalid("product_id", format!("no product {product_id}"))
            })?;
            let address_id = match product.kind {
                ItemKind::Digital => 0,
                ItemKind::Physical => match order_address_id {
                    Some(id) if order.shipping_addresses.iter().any(|a| a.id == id) => id,
                    Some(id) => {
                        return Err(DomainError::invalid(
                            "order_address_id",
                            format!("no shipping address {id}"),
                        ));
                    }
                    None => order
                        .shipping_addresses
                        .first()
                        .map(|a| a.id)
                        .ok_or_else(|| {
                            DomainError::invalid(
                                "order_address_id",
                                "a physical product needs a shipping address",
                            )
                        })?,
                },
            };
            order.lines.push(OrderLine {
                id: IdCounters::take(&mut tx.store.ids.order_product),
                product_id,
                variant_id: product.variant_id,
                name: product.name,
                sku: product.sku,
                kind: product.kind,
                unit_price_cents: product.price_cents,
                quantity,
                quantity_shipped: 0,
                quantity_refunded: 0,
                order_address_id: address_id,
                coupon_shares: Vec::new(),
                brand: product.brand,
                weight_grams: product.weight_grams,
            });
        }
        OrderEdit::SetQuantity {
            order_product_id,
            quantity: 0,
        }
        | OrderEdit::RemoveItem { order_product_id } => {
            let line = line_mut(order, order_product_id)?;
            if line.quantity_shipped > 0 || line.quantity_refunded > 0 {
                return Err(DomainError::invalid(
                    "products",
                    "a product that was shipped or refunded cannot be removed",
                ));
            }
            order.lines.retain(|l| l.id != order_product_id);
        }
        OrderEdit::SetQuantity {
            order_product_id,
            quantity,
        } => {
            check_quantity("quantity", quantity, 0)?;
            let line = line_mut(order, order_product_id)?;
            if quantity < line.quantity_shipped || quantity < line.quantity_refunded {
                return Err(DomainError::invalid(
                    "quantity",
                    "quantity cannot be below what was shipped or refunded",
                ));
            }
            line.quantity = quantity;
            // BigCommerce: changing a line clears the discounts on it.
            line.coupon_shares.clear();
        }
        OrderEdit::SetBillingAddress(address) => order.billing_address = address,
        OrderEdit::PatchBillingAddress(patch) => patch.apply(&mut order.billing_address),
        OrderEdit::SetShippingAddress {
            address_id,
            address,
        } => shipping_address_mut(order, address_id)?.address = address,
        OrderEdit::PatchShippingAddress { address_id, patch } => {
            patch.apply(&mut shipping_address_mut(order, address_id)?.address);
        }
        OrderEdit::SetShippingCost { address_id, cents } => {
            if !(0..=MAX_AMOUNT_CENTS).contains(&cents) {
                return Err(DomainError::invalid(
                    "shipping_cost",
                    "must not be negative",
                ));
            }
            shipping_address_mut(order, address_id)?.cost_cents = cents;
        }
        OrderEdit::SetShippingMethod { address_id, method } => {
            shipping_address_mut(order, address_id)?.shipping_method = method;
        }
        OrderEdit::SetDiscount { cents } => {
            if !(0..=MAX_AMOUNT_CENTS).contains(&cents) {
                return Err(DomainError::invalid(
                    "discount_amount",
                    "must not be negative",
                ));
            }
            order.manual_discount_cents = cents;
        }
    }
    Ok(())
}

fn shipping_address_mut(
    order: &mut Order,
    id: i64,
) -> DomainResult<&mut crate::bigcommerce::model::OrderShippingAddress> {
    order
        .shipping_addresses
        .iter_mut()
        .find(|a| a.id == id)
        .ok_or_else(|| DomainError::invalid("shipping_addresses", format!("no address {id}")))
}

pub fn order_snapshot(tx: &StoreTx<'_>, order_id: i64) -> DomainResult<Order> {
    tx.store
        .orders
        .get(&order_id)
        .cloned()
        .ok_or_else(|| DomainError::not_found("order"))
}

/// Emits `statusUpdated` (when the status moved) and then `updated`.
pub(crate) fn emit_order_changed(tx: &mut StoreTx<'_>, order_id: i64, previous_status: u8) {
    let new_status = tx
        .store
        .orders
        .get(&order_id)
        .map_or(previous_status, |o| o.status_id);
    if new_status != previous_status {
        tx.emit_status_updated(order_id, previous_status, new_status);
    }
    tx.emit_order("store/order/updated", order_id);
}

/// `PUT /v2/orders/{id}` and every merchant edit go through here.
pub fn update_order(tx: &mut StoreTx<'_>, order_id: i64, update: OrderUpdate) -> DomainResult<()> {
    let mut order = order_snapshot(tx, order_id)?;
    let previous_status = order.status_id;
    if let Some(status_id) = update.status_id
        && status_id > status::MAX
    {
        return Err(DomainError::invalid(
            "status_id",
            "status_id must be a valid order status id (0-14)",
        ));
    }
    if let Some(staff_notes) = &update.staff_notes
        && staff_notes.chars().count() > 65_535
    {
        return Err(DomainError::invalid("staff_notes", "too long"));
    }
    // Ids taken by failed edits are not given back; that is harmless.
    for edit in update.edits {
        apply_edit(tx, &mut order, edit)?;
    }
    if let Some(status_id) = update.status_id {
        order.status_id = status_id;
    }
    if let Some(method) = update.payment_method {
        order.payment_method = method;
    }
    if let Some(provider) = update.payment_provider_id {
        order.payment_provider_id = provider;
    }
    if let Some(notes) = update.staff_notes {
        order.staff_notes = notes;
    }
    if let Some(message) = update.customer_message {
        order.customer_message = message;
    }
    if let Some(opt_in) = update.is_email_opt_in {
        order.is_email_opt_in = opt_in;
    }
    order.modified_at = tx.now;
    tx.store.orders.insert(order_id, order);
    emit_order_changed(tx, order_id, previous_status);
    Ok(())
}

/// The merchant edits an order (items, quantities, addresses, shipping cost, discount);
/// totals follow from the new contents.
pub fn edit_order(tx: &mut StoreTx<'_>, order_id: i64, edits: Vec<OrderEdit>) -> DomainResult<()> {
    update_order(
        tx,
        order_id,
        OrderUpdate {
            edits,
            ..OrderUpdate::default()
        },
    )
}

/// The merchant changes the status (5 = cancel, 6 = decline, …).
pub fn set_status(tx: &mut StoreTx<'_>, order_id: i64, status_id: u8) -> DomainResult<()> {
    update_order(
        tx,
        order_id,
        OrderUpdate {
            status_id: Some(status_id),
            ..OrderUpdate::default()
        },
    )
}

/// Archive (`DELETE /v2/orders/{id}` or the control panel): `is_deleted` becomes true; the
/// order stays readable by id and leaves the default order list.
pub fn archive_order(tx: &mut StoreTx<'_>, order_id: i64) -> DomainResult<()> {
    let order = tx
        .store
        .orders
        .get_mut(&order_id)
        .ok_or_else(|| DomainError::not_found("order"))?;
    if order.is_deleted {
        return Ok(());
    }
    order.is_deleted = true;
    order.modified_at = tx.now;
    tx.emit_order("store/order/archived", order_id);
    Ok(())
}
