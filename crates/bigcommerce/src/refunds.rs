//! Refunds (v3 payment actions, `orders.v3.yml`): quotes, creation, reading.
//!
//! The app normally only *reads* refunds (the merchant makes them in the control panel);
//! quotes and creation exist for completeness and for the simulator round trips.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{Query, StoreClient};
use crate::envelope::Envelope;
use crate::error::Result;
use crate::money::Cents;
use crate::{dates, de};

/// Page size for the store-wide refunds list.
const REFUNDS_PAGE_LIMIT: u32 = 100;

/// A refund (`Refund` / `RefundID_Get`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Refund {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(deserialize_with = "de::uint")]
    pub order_id: u64,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub user_id: Option<u64>,
    /// ISO 8601.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub created: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub reason: String,
    pub total_amount: Cents,
    #[serde(default)]
    pub total_tax: Option<Cents>,
    #[serde(default)]
    pub uses_merchant_override_values: bool,
    #[serde(default)]
    pub items: Vec<RefundItem>,
    pub payments: Vec<RefundPayment>,
}

impl Refund {
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        dates::parse_iso8601(&self.created)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundItemType {
    Product,
    GiftWrapping,
    Shipping,
    Handling,
    Order,
    Fee,
    Tax,
    #[serde(other)]
    Other,
}

/// One refunded item of a [`Refund`]. What `item_id` means depends on `item_type`: the
/// order product id (PRODUCT, GIFT_WRAPPING), the order address id (SHIPPING, HANDLING),
/// the order id (ORDER) or the fee id (FEE).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RefundItem {
    pub item_type: RefundItemType,
    #[serde(deserialize_with = "de::uint")]
    pub item_id: u64,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub reason: String,
    #[serde(default, deserialize_with = "de::opt_uint32")]
    pub quantity: Option<u32>,
    #[serde(default)]
    pub requested_amount: Option<Cents>,
    #[serde(default)]
    pub adjustments: Vec<RefundAdjustment>,
}

/// A deduction from a refunded product line (negative amount).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAdjustment {
    pub amount: Cents,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RefundPayment {
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub id: Option<u64>,
    /// `storecredit`, `custom`, the offline method id (`cod`, …) or a gateway id.
    pub provider_id: String,
    pub amount: Cents,
    #[serde(default)]
    pub offline: bool,
    #[serde(default)]
    pub is_declined: bool,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub declined_message: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub transaction_id: Option<String>,
}

/// `POST …/refund_quotes` answer (`RefundQuote_Full`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RefundQuote {
    #[serde(deserialize_with = "de::uint")]
    pub order_id: u64,
    pub total_refund_amount: Cents,
    #[serde(default)]
    pub total_refund_tax_amount: Option<Cents>,
    #[serde(default)]
    pub order_level_refund_amount: Option<Cents>,
    #[serde(default)]
    pub rounding: Option<Cents>,
    #[serde(default)]
    pub adjustment: Option<Cents>,
    #[serde(default)]
    pub tax_inclusive: Option<bool>,
    /// Alternatives: each inner list is one way to pay the refund back; the `payments` of
    /// the refund request must match one of them.
    #[serde(default)]
    pub refund_methods: Vec<Vec<PaymentOption>>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PaymentOption {
    pub provider_id: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub provider_description: String,
    pub amount: Cents,
    #[serde(default)]
    pub offline: bool,
    #[serde(default)]
    pub offline_provider: bool,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub offline_reason: String,
}

/// An item to quote or refund (`QuantityBoundItem` / `AmountBoundItem`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "item_type",
    rename_all = "SCREAMING_SNAKE_CASE",
    deny_unknown_fields
)]
pub enum RefundItemRequest {
    /// `item_id` = order product id.
    Product {
        item_id: u64,
        quantity: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        adjustments: Vec<RefundAdjustment>,
    },
    /// `item_id` = order product id.
    GiftWrapping {
        item_id: u64,
        quantity: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// `item_id` = order address id.
    Shipping {
        item_id: u64,
        amount: Cents,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// `item_id` = order address id.
    Handling {
        item_id: u64,
        amount: Cents,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Tax-exempt order-level amount; `item_id` = order id.
    Order {
        item_id: u64,
        amount: Cents,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// `item_id` = fee id.
    Fee {
        item_id: u64,
        amount: Cents,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

/// `POST /v3/orders/{id}/payment_actions/refund_quotes` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundQuoteRequest {
    pub items: Vec<RefundItemRequest>,
}

/// `POST /v3/orders/{id}/payment_actions/refunds` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    pub items: Vec<RefundItemRequest>,
    pub payments: Vec<RefundPaymentRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_calculated_override: Option<MerchantOverride>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundPaymentRequest {
    pub provider_id: String,
    pub amount: Cents,
    pub offline: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantOverride {
    pub total_amount: Cents,
    pub total_tax: Cents,
}

/// Filters of `GET /v3/orders/payment_actions/refunds`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundFilter {
    pub order_ids: Vec<u64>,
    pub refund_ids: Vec<u64>,
    /// RFC 3339.
    pub created_min: Option<String>,
    pub created_max: Option<String>,
}

impl RefundFilter {
    fn query(&self) -> Query {
        let join = |ids: &[u64]| ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        let mut q = Query::new();
        if !self.order_ids.is_empty() {
            q.push(("order_id:in".into(), join(&self.order_ids)));
        }
        if !self.refund_ids.is_empty() {
            q.push(("id:in".into(), join(&self.refund_ids)));
        }
        if let Some(v) = &self.created_min {
            q.push(("created:min".into(), v.clone()));
        }
        if let Some(v) = &self.created_max {
            q.push(("created:max".into(), v.clone()));
        }
        q
    }
}

impl StoreClient {
    /// `GET /v3/orders/payment_actions/refunds/{refund_id}`.
    pub async fn get_refund(&self, refund_id: u64) -> Result<Refund> {
        self.v3_get(
            &[
                "v3",
                "orders",
                "payment_actions",
                "refunds",
                &refund_id.to_string(),
            ],
            Vec::new(),
        )
        .await
    }

    /// `GET /v3/orders/{id}/payment_actions/refunds`: every refund of an order, oldest first.
    pub async fn list_order_refunds(&self, order_id: u64) -> Result<Vec<Refund>> {
        let answer = self
            .get(
                &[
                    "v3",
                    "orders",
                    &order_id.to_string(),
                    "payment_actions",
                    "refunds",
                ],
                Vec::new(),
            )
            .await?;
        if answer.is_empty() {
            return Ok(Vec::new());
        }
        Ok(answer.json::<Envelope<Vec<Refund>>>()?.data)
    }

    /// `GET /v3/orders/payment_actions/refunds?…`, every page.
    pub async fn list_refunds(&self, filter: &RefundFilter) -> Result<Vec<Refund>> {
        self.v3_get_all(
            &["v3", "orders", "payment_actions", "refunds"],
            filter.query(),
            REFUNDS_PAGE_LIMIT,
        )
        .await
    }

    /// `POST /v3/orders/{id}/payment_actions/refund_quotes` (201).
    pub async fn create_refund_quote(
        &self,
        order_id: u64,
        request: &RefundQuoteRequest,
    ) -> Result<RefundQuote> {
        let answer = self
            .send_json(
                Method::POST,
                &[
                    "v3",
                    "orders",
                    &order_id.to_string(),
                    "payment_actions",
                    "refund_quotes",
                ],
                request,
            )
            .await?;
        Ok(answer.json::<Envelope<RefundQuote>>()?.data)
    }

    /// `POST /v3/orders/{id}/payment_actions/refunds` (201). A 422 (amount not matching a
    /// quote option, store credit for a guest) arrives as [`crate::Error::Unprocessable`].
    pub async fn create_refund(&self, order_id: u64, request: &RefundRequest) -> Result<Refund> {
        let answer = self
            .send_json(
                Method::POST,
                &[
                    "v3",
                    "orders",
                    &order_id.to_string(),
                    "payment_actions",
                    "refunds",
                ],
                request,
            )
            .await?;
        Ok(answer.json::<Envelope<Refund>>()?.data)
    }
}
