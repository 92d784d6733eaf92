//! Orders v2 (`/v2/orders…`, `/v2/order_statuses`): orders, their products, shipping
//! addresses, coupons and shipments, and the one order update the app makes.
//!
//! Wire types follow `orders.v2.oas2.yml`. That file marks no response field as required;
//! here the fields the app's logic depends on (ids, status, currency, every total) are
//! required, so a response without them is a decode error instead of a silent zero, and the
//! rest default when absent. Money is read into [`Cents`]; dates stay as received (RFC 2822
//! text, `""` when unset) with typed accessors.

use chrono::{DateTime, Utc};
use reqwest::Method;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{Query, StoreClient};
use crate::error::Result;
use crate::money::Cents;
use crate::{dates, de};

/// Page size for v2 collections walked to the end (BigCommerce's default is 50).
const V2_PAGE_LIMIT: u32 = 50;

/// System order status ids (`GET /v2/order_statuses`). Merchants may rename statuses, never
/// renumber them: key on the id, not on `status`.
pub mod status {
    pub const INCOMPLETE: u32 = 0;
    pub const PENDING: u32 = 1;
    pub const SHIPPED: u32 = 2;
    pub const PARTIALLY_SHIPPED: u32 = 3;
    pub const REFUNDED: u32 = 4;
    pub const CANCELLED: u32 = 5;
    pub const DECLINED: u32 = 6;
    pub const AWAITING_PAYMENT: u32 = 7;
    pub const AWAITING_PICKUP: u32 = 8;
    pub const AWAITING_SHIPMENT: u32 = 9;
    pub const COMPLETED: u32 = 10;
    pub const AWAITING_FULFILLMENT: u32 = 11;
    pub const MANUAL_VERIFICATION_REQUIRED: u32 = 12;
    pub const DISPUTED: u32 = 13;
    pub const PARTIALLY_REFUNDED: u32 = 14;
}

/// `GET /v2/orders/{id}` (`order_Resp`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Order {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    /// 0 for a guest.
    #[serde(deserialize_with = "de::uint")]
    pub customer_id: u64,
    /// RFC 2822; see [`Order::created_at`].
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub date_created: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub date_modified: String,
    /// `""` until fully shipped.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub date_shipped: String,
    /// See [`status`].
    #[serde(deserialize_with = "de::uint32")]
    pub status_id: u32,
    /// The status label as the merchant named it.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub status: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub custom_status: String,
    /// The cart/checkout the order came from (absent for orders created by hand or API).
    #[serde(default, deserialize_with = "de::opt_text")]
    pub cart_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub channel_id: Option<u64>,

    /// Display currency.
    pub currency_code: String,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub currency_id: Option<u64>,
    /// Kept as text (ten decimals); not money.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub currency_exchange_rate: Option<String>,
    /// Transactional currency: what the shopper pays in. Use this one for SeQura.
    pub default_currency_code: String,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub default_currency_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub store_default_currency_code: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub store_default_to_transactional_exchange_rate: Option<String>,

    pub subtotal_ex_tax: Cents,
    pub subtotal_inc_tax: Cents,
    #[serde(default)]
    pub subtotal_tax: Option<Cents>,
    #[serde(default)]
    pub base_shipping_cost: Option<Cents>,
    pub shipping_cost_ex_tax: Cents,
    pub shipping_cost_inc_tax: Cents,
    #[serde(default)]
    pub shipping_cost_tax: Option<Cents>,
    #[serde(default)]
    pub base_handling_cost: Option<Cents>,
    pub handling_cost_ex_tax: Cents,
    pub handling_cost_inc_tax: Cents,
    #[serde(default)]
    pub handling_cost_tax: Option<Cents>,
    #[serde(default)]
    pub base_wrapping_cost: Option<Cents>,
    pub wrapping_cost_ex_tax: Cents,
    pub wrapping_cost_inc_tax: Cents,
    #[serde(default)]
    pub wrapping_cost_tax: Option<Cents>,
    pub total_ex_tax: Cents,
    /// Grand total, including the part paid with store credit or gift certificates.
    pub total_inc_tax: Cents,
    pub total_tax: Cents,
    /// Manual discount.
    pub discount_amount: Cents,
    pub coupon_discount: Cents,
    /// Part of the total paid with store credit.
    pub store_credit_amount: Cents,
    /// Part of the total paid with gift certificates.
    pub gift_certificate_amount: Cents,
    /// Documented as always 0; read refunds through the refunds API.
    #[serde(default)]
    pub refunded_amount: Option<Cents>,
    #[serde(default)]
    pub is_tax_inclusive_pricing: bool,

    #[serde(default, deserialize_with = "de::uint32_or_zero")]
    pub items_total: u32,
    #[serde(default, deserialize_with = "de::uint32_or_zero")]
    pub items_shipped: u32,
    #[serde(default, deserialize_with = "de::opt_uint32")]
    pub shipping_address_count: Option<u32>,

    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub payment_method: String,
    /// Documented as string or number; numbers are kept as their text.
    #[serde(default, deserialize_with = "de::opt_text")]
    pub payment_provider_id: Option<String>,
    /// `authorized`, `captured`, … or `""`.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub payment_status: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub staff_notes: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub customer_message: String,
    pub billing_address: BillingAddress,

    #[serde(default)]
    pub is_deleted: bool,
    #[serde(default)]
    pub order_is_digital: bool,
    #[serde(default)]
    pub is_email_opt_in: bool,
    /// `www`, `manual`, `external`, `checkout_api`, …
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub order_source: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub external_source: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub external_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub external_merchant_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub external_order_id: Option<String>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub ip_address: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub ip_address_v6: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub geoip_country: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub geoip_country_iso2: String,
    /// `es`, `en-US`, …
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub customer_locale: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub tax_provider_id: String,
    /// Only with `include=fees`; otherwise BigCommerce sends a resource link here.
    #[serde(default, deserialize_with = "fees_if_included")]
    pub fees: Option<Vec<OrderFee>>,
}

impl Order {
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        dates::parse_rfc2822(&self.date_created)
    }

    pub fn modified_at(&self) -> Option<DateTime<Utc>> {
        dates::parse_rfc2822(&self.date_modified)
    }

    pub fn shipped_at(&self) -> Option<DateTime<Utc>> {
        dates::parse_rfc2822(&self.date_shipped)
    }

    /// What the shopper paid by other means than store credit and gift certificates:
    /// `total_inc_tax − store_credit_amount − gift_certificate_amount`.
    pub fn amount_due(&self) -> Option<Cents> {
        self.total_inc_tax
            .checked_sub(self.store_credit_amount)?
            .checked_sub(self.gift_certificate_amount)
    }
}

fn fees_if_included<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Vec<OrderFee>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Array(items) => serde_json::from_value(Value::Array(items))
            .map(Some)
            .map_err(serde::de::Error::custom),
        _ => Ok(None),
    }
}

/// A custom fee (`include=fees`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderFee {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(default, rename = "type", deserialize_with = "de::null_as_empty")]
    pub fee_type: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub display_name_customer: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub display_name_merchant: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub source: String,
    #[serde(default)]
    pub base_cost: Option<Cents>,
    pub cost_ex_tax: Cents,
    pub cost_inc_tax: Cents,
    #[serde(default)]
    pub cost_tax: Option<Cents>,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub tax_class_id: Option<u64>,
}

/// `billing_address` of an order.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct BillingAddress {
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub first_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub last_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub company: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub street_1: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub street_2: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub city: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub state: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub zip: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub country: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub country_iso2: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub phone: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub email: String,
    #[serde(default)]
    pub form_fields: Vec<FormField>,
}

/// A checkout form field (`{name, value}`; value is a string, number or list).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FormField {
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub name: String,
    #[serde(default)]
    pub value: Value,
}

/// `GET /v2/orders/{id}/products` line (`orderProducts`). `id` is the *order product id*
/// that shipments and refunds refer to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderProduct {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(deserialize_with = "de::uint")]
    pub order_id: u64,
    /// 0 for a custom product.
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub product_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub variant_id: Option<u64>,
    /// The shipping address (`ShippingAddress::id`) this line ships to.
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub order_address_id: Option<u64>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub name_customer: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub name_merchant: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub sku: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub upc: String,
    #[serde(rename = "type", default)]
    pub product_type: ProductType,
    #[serde(default)]
    pub base_price: Option<Cents>,
    pub price_ex_tax: Cents,
    pub price_inc_tax: Cents,
    #[serde(default)]
    pub price_tax: Option<Cents>,
    #[serde(default)]
    pub base_total: Option<Cents>,
    pub total_ex_tax: Cents,
    pub total_inc_tax: Cents,
    #[serde(default)]
    pub total_tax: Option<Cents>,
    /// Line total after every discount, tax included: the amount to send to SeQura.
    pub discounted_total_inc_tax: Cents,
    #[serde(deserialize_with = "de::uint32")]
    pub quantity: u32,
    #[serde(default, deserialize_with = "de::uint32_or_zero")]
    pub quantity_shipped: u32,
    #[serde(default, deserialize_with = "de::uint32_or_zero")]
    pub quantity_refunded: u32,
    #[serde(default)]
    pub is_refunded: bool,
    /// Documented as always 0.
    #[serde(default)]
    pub refund_amount: Option<Cents>,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub wrapping_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub wrapping_name: Option<String>,
    #[serde(default)]
    pub base_wrapping_cost: Option<Cents>,
    #[serde(default)]
    pub wrapping_cost_ex_tax: Option<Cents>,
    #[serde(default)]
    pub wrapping_cost_inc_tax: Option<Cents>,
    #[serde(default)]
    pub wrapping_cost_tax: Option<Cents>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub wrapping_message: Option<String>,
    #[serde(default)]
    pub fixed_shipping_cost: Option<Cents>,
    /// Set on the child lines of a bundle.
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub parent_order_product_id: Option<u64>,
    #[serde(default)]
    pub is_bundled_product: bool,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub gift_certificate_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub brand: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub external_id: Option<String>,
    #[serde(default)]
    pub applied_discounts: Vec<AppliedDiscount>,
    #[serde(default)]
    pub product_options: Vec<ProductOption>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProductType {
    #[default]
    Physical,
    Digital,
    #[serde(rename = "giftcertificate")]
    GiftCertificate,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AppliedDiscount {
    #[serde(default, deserialize_with = "de::opt_text")]
    pub id: Option<String>,
    pub amount: Cents,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub code: Option<String>,
    /// `order` or `product`.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProductOption {
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub option_id: Option<u64>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub display_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub display_name_customer: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub display_value: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub display_value_customer: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub value: String,
    #[serde(default, rename = "type", deserialize_with = "de::null_as_empty")]
    pub option_type: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub name: String,
}

/// `GET /v2/orders/{id}/shipping_addresses` item. `id` is the `order_address_id`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ShippingAddress {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(deserialize_with = "de::uint")]
    pub order_id: u64,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub first_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub last_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub company: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub street_1: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub street_2: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub city: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub zip: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub country: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub country_iso2: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub state: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub email: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub phone: String,
    #[serde(default, deserialize_with = "de::uint32_or_zero")]
    pub items_total: u32,
    #[serde(default, deserialize_with = "de::uint32_or_zero")]
    pub items_shipped: u32,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub shipping_method: String,
    #[serde(default)]
    pub base_cost: Option<Cents>,
    pub cost_ex_tax: Cents,
    pub cost_inc_tax: Cents,
    #[serde(default)]
    pub cost_tax: Option<Cents>,
    #[serde(default)]
    pub base_handling_cost: Option<Cents>,
    #[serde(default)]
    pub handling_cost_ex_tax: Option<Cents>,
    #[serde(default)]
    pub handling_cost_inc_tax: Option<Cents>,
    #[serde(default)]
    pub handling_cost_tax: Option<Cents>,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub shipping_zone_id: Option<u64>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub shipping_zone_name: String,
    #[serde(default)]
    pub form_fields: Vec<FormField>,
}

/// `GET /v2/orders/{id}/coupons` item.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderCoupon {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub coupon_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub order_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub code: Option<String>,
    /// The coupon's nominal value: money or a percentage depending on `coupon_type`.
    #[serde(default, deserialize_with = "de::opt_decimal")]
    pub amount: Option<Decimal>,
    /// 0 per item, 1 percentage, 2 per total, 3 shipping, 4 free shipping, 5 promotion.
    #[serde(rename = "type", default, deserialize_with = "de::opt_uint32")]
    pub coupon_type: Option<u32>,
    /// Money taken off this order.
    pub discount: Cents,
}

/// `GET /v2/order_statuses` item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrderStatus {
    #[serde(deserialize_with = "de::uint32")]
    pub id: u32,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub system_label: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub custom_label: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub system_description: String,
    #[serde(default, deserialize_with = "de::opt_uint32")]
    pub order: Option<u32>,
}

/// `PUT /v2/orders/{id}`: only the fields the app writes. Products and fees are deliberately
/// absent (a products change clears discounts; fees have replace semantics).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_provider_id: Option<String>,
    /// Replaces the notes (read-modify-write to append).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_notes: Option<String>,
}

/// Filters of `GET /v2/orders` that the app uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub cart_id: Option<String>,
    pub status_id: Option<u32>,
    pub customer_id: Option<u64>,
    pub channel_id: Option<u64>,
    pub min_id: Option<u64>,
    pub max_id: Option<u64>,
    /// RFC 2822 or ISO 8601 text, passed through.
    pub min_date_modified: Option<String>,
    pub max_date_modified: Option<String>,
    /// e.g. `id:desc`.
    pub sort: Option<String>,
    pub page: Option<u32>,
    /// BigCommerce's default is 50.
    pub limit: Option<u32>,
}

impl OrderFilter {
    pub fn by_cart(cart_id: impl Into<String>) -> Self {
        OrderFilter {
            cart_id: Some(cart_id.into()),
            ..OrderFilter::default()
        }
    }

    fn query(&self) -> Query {
        let mut q = Query::new();
        let mut add = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                q.push((k.to_owned(), v));
            }
        };
        add("cart_id", self.cart_id.clone());
        add("status_id", self.status_id.map(|v| v.to_string()));
        add("customer_id", self.customer_id.map(|v| v.to_string()));
        add("channel_id", self.channel_id.map(|v| v.to_string()));
        add("min_id", self.min_id.map(|v| v.to_string()));
        add("max_id", self.max_id.map(|v| v.to_string()));
        add("min_date_modified", self.min_date_modified.clone());
        add("max_date_modified", self.max_date_modified.clone());
        add("sort", self.sort.clone());
        add("page", self.page.map(|v| v.to_string()));
        add("limit", self.limit.map(|v| v.to_string()));
        q
    }
}

/// `GET /v2/orders/{id}/shipments` item (`orderShipment`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Shipment {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(deserialize_with = "de::uint")]
    pub order_id: u64,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub customer_id: Option<u64>,
    #[serde(deserialize_with = "de::uint")]
    pub order_address_id: u64,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub date_created: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub tracking_number: String,
    #[serde(default)]
    pub merchant_shipping_cost: Option<Cents>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub shipping_method: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub comments: String,
    /// `ups`, `usps`, `carrier_{id}`, … or `""`.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub shipping_provider: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub shipping_provider_display_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub tracking_carrier: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub tracking_link: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub generated_tracking_link: String,
    #[serde(default)]
    pub billing_address: ShipmentAddress,
    #[serde(default)]
    pub shipping_address: ShipmentAddress,
    pub items: Vec<ShipmentItem>,
}

impl Shipment {
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        dates::parse_rfc2822(&self.date_created)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct ShipmentAddress {
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub first_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub last_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub company: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub street_1: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub street_2: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub city: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub state: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub zip: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub country: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub country_iso2: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub phone: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ShipmentItem {
    #[serde(deserialize_with = "de::uint")]
    pub order_product_id: u64,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub product_id: Option<u64>,
    #[serde(deserialize_with = "de::uint32")]
    pub quantity: u32,
}

/// `POST /v2/orders/{id}/shipments` body (`orderShipment_Post`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentCreate {
    pub order_address_id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_carrier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
    pub items: Vec<ShipmentItemRequest>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShipmentItemRequest {
    pub order_product_id: u64,
    pub quantity: u32,
}

#[derive(Deserialize)]
struct Count {
    #[serde(deserialize_with = "de::uint")]
    count: u64,
}

impl StoreClient {
    /// `GET /v2/orders/{id}`.
    pub async fn get_order(&self, order_id: u64) -> Result<Order> {
        self.get(&["v2", "orders", &order_id.to_string()], Vec::new())
            .await?
            .json()
    }

    /// `GET /v2/orders/{id}?include=fees`: the order with its custom fees as a list.
    pub async fn get_order_with_fees(&self, order_id: u64) -> Result<Order> {
        let query = vec![("include".to_owned(), "fees".to_owned())];
        self.get(&["v2", "orders", &order_id.to_string()], query)
            .await?
            .json()
    }

    /// `GET /v2/orders?…`: one page (204 = none).
    pub async fn list_orders(&self, filter: &OrderFilter) -> Result<Vec<Order>> {
        self.get(&["v2", "orders"], filter.query())
            .await?
            .json_list()
    }

    /// `PUT /v2/orders/{id}` with only the fields the app writes; returns the updated order.
    pub async fn update_order(&self, order_id: u64, update: &OrderUpdate) -> Result<Order> {
        self.send_json(
            Method::PUT,
            &["v2", "orders", &order_id.to_string()],
            update,
        )
        .await?
        .json()
    }

    /// `GET /v2/orders/{id}/products`, every page.
    pub async fn list_order_products(&self, order_id: u64) -> Result<Vec<OrderProduct>> {
        self.v2_get_all(
            &["v2", "orders", &order_id.to_string(), "products"],
            Vec::new(),
            V2_PAGE_LIMIT,
        )
        .await
    }

    /// `GET /v2/orders/{id}/shipping_addresses`, every page.
    pub async fn list_order_shipping_addresses(
        &self,
        order_id: u64,
    ) -> Result<Vec<ShippingAddress>> {
        self.v2_get_all(
            &["v2", "orders", &order_id.to_string(), "shipping_addresses"],
            Vec::new(),
            V2_PAGE_LIMIT,
        )
        .await
    }

    /// `GET /v2/orders/{id}/coupons`, every page (204 = none).
    pub async fn list_order_coupons(&self, order_id: u64) -> Result<Vec<OrderCoupon>> {
        self.v2_get_all(
            &["v2", "orders", &order_id.to_string(), "coupons"],
            Vec::new(),
            V2_PAGE_LIMIT,
        )
        .await
    }

    /// `GET /v2/order_statuses`.
    pub async fn list_order_statuses(&self) -> Result<Vec<OrderStatus>> {
        self.get(&["v2", "order_statuses"], Vec::new())
            .await?
            .json_list()
    }

    /// `GET /v2/orders/{id}/shipments`, every page; 204 means no shipments.
    pub async fn list_shipments(&self, order_id: u64) -> Result<Vec<Shipment>> {
        self.v2_get_all(
            &["v2", "orders", &order_id.to_string(), "shipments"],
            Vec::new(),
            V2_PAGE_LIMIT,
        )
        .await
    }

    /// `GET /v2/orders/{id}/shipments/{shipment_id}`.
    pub async fn get_shipment(&self, order_id: u64, shipment_id: u64) -> Result<Shipment> {
        self.get(
            &[
                "v2",
                "orders",
                &order_id.to_string(),
                "shipments",
                &shipment_id.to_string(),
            ],
            Vec::new(),
        )
        .await?
        .json()
    }

    /// `POST /v2/orders/{id}/shipments` (201).
    pub async fn create_shipment(
        &self,
        order_id: u64,
        shipment: &ShipmentCreate,
    ) -> Result<Shipment> {
        self.send_json(
            Method::POST,
            &["v2", "orders", &order_id.to_string(), "shipments"],
            shipment,
        )
        .await?
        .json()
    }

    /// `GET /v2/orders/{id}/shipments/count`.
    pub async fn count_shipments(&self, order_id: u64) -> Result<u64> {
        let answer = self
            .get(
                &["v2", "orders", &order_id.to_string(), "shipments", "count"],
                Vec::new(),
            )
            .await?;
        if answer.is_empty() {
            return Ok(0);
        }
        answer.json::<Count>().map(|c| c.count)
    }
}
