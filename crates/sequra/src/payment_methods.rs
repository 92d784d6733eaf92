//! Payment methods (spec §1.5.2): `GET merchants/{m}/payment_methods` (what the merchant
//! may offer, with amount limits) and `GET orders/{uuid}/payment_methods` (what this order
//! may use, with costs computed for its amount).

use serde::Deserialize;

use crate::client::{Segment, SequraClient};
use crate::error::Result;

/// The answer of both endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentMethods {
    #[serde(default)]
    pub payment_options: Vec<PaymentCategory>,
}

impl PaymentMethods {
    /// Every method of every category.
    pub fn methods(&self) -> impl Iterator<Item = (&PaymentCategory, &PaymentMethod)> {
        self.payment_options
            .iter()
            .flat_map(|c| c.methods.iter().map(move |m| (c, m)))
    }
}

/// A group of methods ("Paga ahora", "Paga Después", "Paga Fraccionado").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentCategory {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Inline SVG.
    #[serde(default)]
    pub icon: Option<String>,
    /// `pay_now`, `pay_later`, `part_payment`, …
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub methods: Vec<PaymentMethod>,
}

/// One product/campaign the shopper may choose.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentMethod {
    /// Product code for `form_v2` (`i1`, `pp3`, `pp5`, `sp1`, `fp1`, …).
    pub product: String,
    /// Campaign code for `form_v2`, if any.
    #[serde(default)]
    pub campaign: Option<String>,
    pub title: String,
    #[serde(default)]
    pub long_title: Option<String>,
    #[serde(default)]
    pub claim: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// Inline SVG.
    #[serde(default)]
    pub icon: Option<String>,
    /// Only meaningful on the order endpoint.
    #[serde(default)]
    pub cost: Option<Cost>,
    /// e.g. `"+ 2,95 €"`.
    #[serde(default)]
    pub cost_description: Option<String>,
    /// ISO-8601 (`2000-02-22T21:22:00Z`).
    #[serde(default)]
    pub starts_at: Option<String>,
    #[serde(default)]
    pub ends_at: Option<String>,
    /// Cents; absent on the order endpoint.
    #[serde(default)]
    pub min_amount: Option<i64>,
    #[serde(default)]
    pub max_amount: Option<i64>,
}

/// `cost`, in cents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Cost {
    #[serde(default)]
    pub setup_fee: i64,
    #[serde(default)]
    pub instalment_fee: i64,
    #[serde(default)]
    pub down_payment_fees: i64,
    #[serde(default)]
    pub instalment_total: i64,
}

impl SequraClient {
    /// `GET merchants/{m}/payment_methods`.
    pub async fn merchant_payment_methods(&self, merchant: &str) -> Result<PaymentMethods> {
        self.get(
            &[
                Segment::Fixed("merchants"),
                Segment::Id(merchant),
                Segment::Fixed("payment_methods"),
            ],
            Some(merchant),
        )
        .await?
        .json()
    }

    /// `GET orders/{uuid}/payment_methods`: the methods eligible for this order (403 "Bad
    /// order id" when the order is not this merchant's).
    pub async fn order_payment_methods(
        &self,
        merchant: &str,
        uuid: &str,
    ) -> Result<PaymentMethods> {
        self.get(
            &[
                Segment::Fixed("orders"),
                Segment::Id(uuid),
                Segment::Fixed("payment_methods"),
            ],
            Some(merchant),
        )
        .await?
        .json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nullable_fields() {
        let pm: PaymentMethods = serde_json::from_str(
            r#"{"payment_options": [{"title": "Pay later", "description": null, "icon": null,
                "category": "pay_later", "methods": [
                  {"product": "i1", "campaign": null, "title": "Pay later", "long_title": "Pay later, 7 days",
                   "claim": null, "description": null, "icon": "<svg/>",
                   "cost": {"setup_fee": 0, "instalment_fee": 0, "down_payment_fees": 0, "instalment_total": 0},
                   "cost_description": null, "starts_at": "2000-02-22T21:22:00Z", "ends_at": "2222-02-22T21:22:00Z",
                   "widget": null, "info_widget": null, "min_amount": 0, "max_amount": null},
                  {"product": "pp5", "campaign": "temporary", "title": "Next month",
                   "cost": {"setup_fee": 295, "instalment_fee": 0, "down_payment_fees": 295, "instalment_total": 5097}}
                ]}]}"#,
        )
        .unwrap();
        let methods: Vec<_> = pm.methods().collect();
        assert_eq!(methods.len(), 2);
        assert_eq!(methods[0].0.category.as_deref(), Some("pay_later"));
        assert_eq!(methods[0].1.min_amount, Some(0));
        assert_eq!(methods[0].1.max_amount, None);
        assert_eq!(methods[1].1.campaign.as_deref(), Some("temporary"));
        assert_eq!(methods[1].1.cost.unwrap().instalment_total, 5097);
        assert_eq!(methods[1].1.starts_at, None);
        assert!(
            serde_json::from_str::<PaymentMethods>(
                r#"{"payment_options": [{"methods": [{"title": "x"}]}]}"#
            )
            .is_err()
        );
    }
}
