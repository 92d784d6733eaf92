//! Shipments ("Ship items"): they move `quantity_shipped` and the order status (3 Partially
//! Shipped, 2 Shipped once every physical unit not refunded has gone).
//!
//! Events (§4.9): `store/shipment/created` (`{type:"shipment", id, orderId}`, camelCase), then
//! `store/order/statusUpdated` when the status moved and `store/order/updated`.
//! Updating a shipment emits `store/shipment/updated`; deleting emits
//! `store/shipment/deleted` only. A deleted shipment gives its units back to
//! `quantity_shipped` (UNVERIFIED) but the order keeps its status, as the spec says.

use std::collections::BTreeMap;

use serde_json::json;

use super::orders::emit_order_changed;
use super::{DomainError, DomainResult, StoreTx, check_len, check_quantity};
use crate::bigcommerce::model::{IdCounters, ItemKind, Order, Shipment, ShipmentItem, status};

#[derive(Clone, Debug, Default)]
pub struct NewShipment {
    pub order_address_id: i64,
    /// (order_product_id, quantity)
    pub items: Vec<(i64, i64)>,
    pub tracking_number: String,
    pub tracking_carrier: String,
    pub tracking_link: String,
    pub shipping_provider: String,
    pub shipping_method: String,
    pub comments: String,
}

#[derive(Clone, Debug, Default)]
pub struct ShipmentPatch {
    pub tracking_number: Option<String>,
    pub tracking_carrier: Option<String>,
    pub tracking_link: Option<String>,
    pub shipping_provider: Option<String>,
    pub shipping_method: Option<String>,
    pub comments: Option<String>,
}

const PROVIDERS: [&str; 11] = [
    "",
    "auspost",
    "canadapost",
    "endicia",
    "usps",
    "fedex",
    "royalmail",
    "ups",
    "upsready",
    "upsonline",
    "shipperhq",
];

fn check_tracking(
    tracking_number: Option<&str>,
    tracking_link: Option<&str>,
    provider: Option<&str>,
) -> DomainResult<()> {
    if let Some(number) = tracking_number {
        check_len("tracking_number", number, 0, 50)?;
    }
    if let Some(link) = tracking_link {
        check_len("tracking_link", link, 0, 500)?;
    }
    if let Some(provider) = provider
        && !PROVIDERS.contains(&provider)
        && !provider.starts_with("carrier_")
    {
        return Err(DomainError::invalid(
            "shipping_provider",
            format!("'{provider}' is not a valid shipping provider"),
        ));
    }
    Ok(())
}

/// Whether every physical unit that was not refunded has been shipped.
pub fn fully_shipped(order: &Order) -> bool {
    order
        .lines
        .iter()
        .filter(|l| l.kind == ItemKind::Physical)
        .all(|l| l.quantity_shipped >= l.quantity - l.quantity_refunded)
}

pub fn create_shipment(tx: &mut StoreTx<'_>, order_id: i64, new: NewShipment) -> DomainResult<i64> {
    let mut order = tx
        .store
        .orders
        .get(&order_id)
        .cloned()
        .ok_or_else(|| DomainError::not_found("order"))?;
    check_tracking(
        Some(&new.tracking_number),
        Some(&new.tracking_link),
        Some(&new.shipping_provider),
    )?;
    if !order
        .shipping_addresses
        .iter()
        .any(|a| a.id == new.order_address_id)
    {
        return Err(DomainError::invalid(
            "order_address_id",
            format!("The order has no shipping address {}", new.order_address_id),
        ));
    }
    if new.items.is_empty() {
        return Err(DomainError::invalid("items", "items is required"));
    }
    let mut wanted: BTreeMap<i64, i64> = BTreeMap::new();
    for (order_product_id, quantity) in &new.items {
        check_quantity("items", *quantity, 1)?;
        let total = wanted.entry(*order_product_id).or_default();
        *total = total.saturating_add(*quantity);
    }
    let mut items = Vec::with_capacity(wanted.len());
    for (order_product_id, quantity) in &wanted {
        let line = order
            .lines
            .iter_mut()
            .find(|l| l.id == *order_product_id)
            .ok_or_else(|| {
                DomainError::invalid(
                    "items",
                    format!("The order has no product {order_product_id}"),
                )
            })?;
        if line.order_address_id != new.order_address_id {
            return Err(DomainError::invalid(
                "items",
                format!(
                    "Order product {order_product_id} does not ship to address {}",
                    new.order_address_id
                ),
            ));
        }
        if *quantity > line.quantity - line.quantity_shipped {
            return Err(DomainError::invalid(
                "items",
                format!(
                    "Only {} of order product {order_product_id} are left to ship",
                    line.quantity - line.quantity_shipped
                ),
            ));
        }
        line.quantity_shipped += quantity;
        items.push(ShipmentItem {
            order_product_id: *order_product_id,
            product_id: line.product_id,
            quantity: *quantity,
        });
    }
    let previous_status = order.status_id;
    if fully_shipped(&order) {
        order.status_id = status::SHIPPED;
        order.shipped_at = Some(tx.now);
    } else {
        order.status_id = status::PARTIALLY_SHIPPED;
    }
    order.modified_at = tx.now;
    let id = IdCounters::take(&mut tx.store.ids.shipment);
    tx.store.shipments.insert(
        id,
        Shipment {
            id,
            order_id,
            order_address_id: new.order_address_id,
            created_at: tx.now,
            tracking_number: new.tracking_number,
            tracking_carrier: new.tracking_carrier,
            tracking_link: new.tracking_link,
            shipping_provider: new.shipping_provider,
            shipping_method: new.shipping_method,
            comments: new.comments,
            items,
        },
    );
    tx.store.orders.insert(order_id, order);
    tx.emit(
        "store/shipment/created",
        json!({"type": "shipment", "id": id, "orderId": order_id}),
    );
    emit_order_changed(tx, order_id, previous_status);
    Ok(id)
}

/// The merchant's "Ship items" for everything left: one shipment per shipping address.
pub fn ship_everything(
    tx: &mut StoreTx<'_>,
    order_id: i64,
    tracking_number: &str,
) -> DomainResult<Vec<i64>> {
    let order = tx
        .store
        .orders
        .get(&order_id)
        .cloned()
        .ok_or_else(|| DomainError::not_found("order"))?;
    let mut created = Vec::new();
    for address in &order.shipping_addresses {
        let items: Vec<(i64, i64)> = order
            .lines
            .iter()
            .filter(|l| l.order_address_id == address.id)
            .filter(|l| l.quantity - l.quantity_refunded > l.quantity_shipped)
            .map(|l| (l.id, l.quantity - l.quantity_refunded - l.quantity_shipped))
            .collect();
        if items.is_empty() {
            continue;
        }
        created.push(create_shipment(
            tx,
            order_id,
            NewShipment {
                order_address_id: address.id,
                items,
                tracking_number: tracking_number.to_owned(),
                shipping_method: address.shipping_method.clone(),
                ..NewShipment::default()
            },
        )?);
    }
    if created.is_empty() {
        return Err(DomainError::invalid_body("Nothing is left to ship."));
    }
    Ok(created)
}

fn shipment_of(tx: &StoreTx<'_>, order_id: i64, shipment_id: i64) -> DomainResult<Shipment> {
    if !tx.store.orders.contains_key(&order_id) {
        return Err(DomainError::not_found("order"));
    }
    tx.store
        .shipments
        .get(&shipment_id)
        .filter(|s| s.order_id == order_id)
        .cloned()
        .ok_or_else(|| DomainError::not_found("shipment"))
}

/// Tracking details only; items cannot be changed.
pub fn update_shipment(
    tx: &mut StoreTx<'_>,
    order_id: i64,
    shipment_id: i64,
    patch: ShipmentPatch,
) -> DomainResult<()> {
    let mut shipment = shipment_of(tx, order_id, shipment_id)?;
    check_tracking(
        patch.tracking_number.as_deref(),
        patch.tracking_link.as_deref(),
        patch.shipping_provider.as_deref(),
    )?;
    let set = |slot: &mut String, value: Option<String>| {
        if let Some(value) = value {
            *slot = value;
        }
    };
    set(&mut shipment.tracking_number, patch.tracking_number);
    set(&mut shipment.tracking_carrier, patch.tracking_carrier);
    set(&mut shipment.tracking_link, patch.tracking_link);
    set(&mut shipment.shipping_provider, patch.shipping_provider);
    set(&mut shipment.shipping_method, patch.shipping_method);
    set(&mut shipment.comments, patch.comments);
    tx.store.shipments.insert(shipment_id, shipment);
    tx.emit(
        "store/shipment/updated",
        json!({"type": "shipment", "id": shipment_id, "orderId": order_id}),
    );
    Ok(())
}

pub fn delete_shipment(tx: &mut StoreTx<'_>, order_id: i64, shipment_id: i64) -> DomainResult<()> {
    let shipment = shipment_of(tx, order_id, shipment_id)?;
    if let Some(order) = tx.store.orders.get_mut(&order_id) {
        for item in &shipment.items {
            if let Some(line) = order
                .lines
                .iter_mut()
                .find(|l| l.id == item.order_product_id)
            {
                line.quantity_shipped = (line.quantity_shipped - item.quantity).max(0);
            }
        }
    }
    tx.store.shipments.remove(&shipment_id);
    tx.emit(
        "store/shipment/deleted",
        json!({"type": "shipment", "id": shipment_id, "orderId": order_id}),
    );
    Ok(())
}

/// `DELETE /v2/orders/{id}/shipments`.
pub fn delete_all_shipments(tx: &mut StoreTx<'_>, order_id: i64) -> DomainResult<()> {
    if !tx.store.orders.contains_key(&order_id) {
        return Err(DomainError::not_found("order"));
    }
    let ids: Vec<i64> = tx
        .store
        .shipments
        .values()
        .filter(|s| s.order_id == order_id)
        .map(|s| s.id)
        .collect();
    for id in ids {
        delete_shipment(tx, order_id, id)?;
    }
    Ok(())
}
