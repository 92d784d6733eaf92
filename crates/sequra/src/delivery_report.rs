//! The daily delivery report (spec §1.8): `POST orders/delivery_reports` with
//! `{"delivery_report": {...}}`.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::cart::Cart;
use crate::client::{Segment, SequraClient};
use crate::error::Result;
use crate::order::{
    Address, Customer, DeliveryMethod, Merchant, MerchantReference, Platform, Tracking,
};

/// `delivery_report`. `merchant` carries only `id` ([`Merchant::id_only`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    pub merchant: Merchant,
    #[serde(default)]
    pub orders: Vec<DeliveredOrder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<Statistics>,
    pub platform: Platform,
}

impl DeliveryReport {
    /// The minimal report: no orders, no statistics.
    pub fn new(merchant_id: impl Into<String>, platform: Platform) -> DeliveryReport {
        DeliveryReport {
            merchant: Merchant::id_only(merchant_id),
            orders: Vec::new(),
            statistics: None,
            platform,
        }
    }
}

/// `orders[].state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Shipped,
    Delivered,
}

/// `delivery_report.orders[]`: one shipped order. `cart` holds the delivered items only,
/// `remaining_cart` what is not shipped yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveredOrder {
    pub state: DeliveryState,
    /// ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    pub merchant_reference: MerchantReference,
    pub cart: Cart,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_cart: Option<Cart>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trackings: Option<Vec<Tracking>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_method: Option<DeliveryMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_address: Option<Address>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Customer>,
}

/// `delivery_report.statistics`: every shop order of the last days, whatever its payment
/// method.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statistics {
    #[serde(default)]
    pub orders: Vec<StatisticsOrder>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsOrder {
    /// ISO-8601.
    pub completed_at: String,
    /// Cents.
    pub amount: i64,
    pub currency: String,
    pub merchant_reference: MerchantReference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequra_offered: Option<bool>,
}

#[derive(Serialize)]
struct ReportEnvelope<'a> {
    delivery_report: &'a DeliveryReport,
}

impl SequraClient {
    /// `POST orders/delivery_reports`, merchant header from `report.merchant.id`.
    pub async fn delivery_report(&self, report: &DeliveryReport) -> Result<()> {
        self.send_json(
            Method::POST,
            &[Segment::Fixed("orders"), Segment::Fixed("delivery_reports")],
            &report.merchant.id,
            &ReportEnvelope {
                delivery_report: report,
            },
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
    fn minimal_report() {
        let report = DeliveryReport::new(
            "shop_es",
            Platform {
                name: "BigCommerce".into(),
                version: "3".into(),
                uname: "linux".into(),
                db_name: "postgresql".into(),
                db_version: "16".into(),
                plugin_version: Some("0.1.0".into()),
                php_version: None,
            },
        );
        assert_eq!(
            serde_json::to_value(ReportEnvelope {
                delivery_report: &report
            })
            .unwrap(),
            json!({"delivery_report": {
                "merchant": {"id": "shop_es"},
                "orders": [],
                "platform": {"name": "BigCommerce", "version": "3", "plugin_version": "0.1.0",
                             "uname": "linux", "db_name": "postgresql", "db_version": "16"}
            }})
        );
    }
}
