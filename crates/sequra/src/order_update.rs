//! The Order Update API (spec §1.7): `PUT merchants/{m}/orders/{order_ref_1}` with the
//! shipped and unshipped carts. Full shipment = everything in `shipped_cart`; partial
//! shipment = the rest stays in `unshipped_cart`; partial return = a smaller
//! `shipped_cart`; cancellation = both carts empty ([`OrderUpdate::cancellation`]).

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::cart::Cart;
use crate::client::{Segment, SequraClient};
use crate::error::{Error, Result};
use crate::order::{
    Address, Customer, DeliveryMethod, Merchant, MerchantReference, OrderEnvelope, Platform,
    Tracking,
};

/// The `order` object of an order update. `merchant` carries only `id` (the SeQura core
/// strips URLs and parameters; use [`Merchant::id_only`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderUpdate {
    pub merchant: Merchant,
    pub merchant_reference: MerchantReference,
    pub unshipped_cart: Cart,
    pub shipped_cart: Cart,
    pub platform: Platform,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_method: Option<DeliveryMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Customer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trackings: Option<Vec<Tracking>>,
}

impl OrderUpdate {
    /// The minimal update: merchant id, reference, both carts and the platform.
    pub fn new(
        merchant_id: impl Into<String>,
        merchant_reference: MerchantReference,
        unshipped_cart: Cart,
        shipped_cart: Cart,
        platform: Platform,
    ) -> OrderUpdate {
        OrderUpdate {
            merchant: Merchant::id_only(merchant_id),
            merchant_reference,
            unshipped_cart,
            shipped_cart,
            platform,
            delivery_method: None,
            delivery_address: None,
            invoice_address: None,
            customer: None,
            trackings: None,
        }
    }

    /// Cancels the whole order: both carts empty, totals 0.
    pub fn cancellation(
        merchant_id: impl Into<String>,
        merchant_reference: MerchantReference,
        currency: &str,
        platform: Platform,
    ) -> OrderUpdate {
        OrderUpdate::new(
            merchant_id,
            merchant_reference,
            Cart::empty(currency),
            Cart::empty(currency),
            platform,
        )
    }

    /// Both carts empty: SeQura reads this as a cancellation.
    pub fn is_cancellation(&self) -> bool {
        self.unshipped_cart.is_empty() && self.shipped_cart.is_empty()
    }
}

impl SequraClient {
    /// `PUT merchants/{m}/orders/{order_ref_1}` (the reference percent-encoded as one path
    /// segment: `A14/12345` → `A14%2F12345`). 404 for an unknown order (also for cancelling
    /// an on-hold order), 409 when SeQura does not accept the change.
    pub async fn update_order(
        &self,
        merchant: &str,
        order_ref_1: &str,
        update: &OrderUpdate,
    ) -> Result<()> {
        if update.merchant.id != merchant {
            return Err(Error::InvalidRequest(format!(
                "order update for merchant {merchant:?} carries merchant.id {:?}",
                update.merchant.id
            )));
        }
        self.send_json(
            Method::PUT,
            &[
                Segment::Fixed("merchants"),
                Segment::Id(merchant),
                Segment::Fixed("orders"),
                Segment::Escaped(order_ref_1),
            ],
            merchant,
            &OrderEnvelope { order: update },
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cancellation_is_both_carts_empty() {
        let platform = Platform {
            name: "BigCommerce".into(),
            version: "3".into(),
            uname: "linux".into(),
            db_name: "postgresql".into(),
            db_version: "16".into(),
            ..Platform::default()
        };
        let update = OrderUpdate::cancellation(
            "shop_es",
            MerchantReference::new("A14/12345"),
            "EUR",
            platform,
        );
        assert!(update.is_cancellation());
        assert_eq!(
            serde_json::to_value(OrderEnvelope { order: &update }).unwrap(),
            json!({"order": {
                "merchant": {"id": "shop_es"},
                "merchant_reference": {"order_ref_1": "A14/12345"},
                "unshipped_cart": {"currency": "EUR", "gift": false, "order_total_with_tax": 0, "items": []},
                "shipped_cart": {"currency": "EUR", "gift": false, "order_total_with_tax": 0, "items": []},
                "platform": {"name": "BigCommerce", "version": "3", "uname": "linux",
                             "db_name": "postgresql", "db_version": "16"}
            }})
        );
    }
}
