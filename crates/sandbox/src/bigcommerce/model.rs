//! The simulator's own representation of a BigCommerce store, written from the platform
//! contract (`spec/bigcommerce-platform.md`), not from the client crate. Money is integer
//! cents, tax included; dates are the simulator clock's UTC instants. The wire shapes
//! (v2 strings, v3 numbers, RFC-2822 dates…) are produced in `wire`.
//!
//! Every type is `Clone` and public so that tests can inspect state through the control
//! handle; only the domain layer (`domain`) changes it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub type Instant = DateTime<Utc>;

/// The fifteen system order statuses of `GET /v2/order_statuses`, by id.
pub const ORDER_STATUSES: [(&str, &str); 15] = [
    (
        "Incomplete",
        "An incomplete order happens when a shopper reached the payment page, but did not complete the transaction.",
    ),
    (
        "Pending",
        "Customer started the checkout process, but did not complete it.",
    ),
    (
        "Shipped",
        "Order has been shipped, but receipt has not been confirmed; seller has used the Ship Items action.",
    ),
    (
        "Partially Shipped",
        "Only some items in the order have been shipped, due to some products being pre-order only or other reasons.",
    ),
    ("Refunded", "Seller has used the Refund action."),
    (
        "Cancelled",
        "Seller has cancelled an order, due to a stock inconsistency or other reasons.",
    ),
    (
        "Declined",
        "Seller has marked the order as declined for lack of manual payment, or other reasons.",
    ),
    (
        "Awaiting Payment",
        "Customer has completed checkout process, but payment has yet to be confirmed.",
    ),
    (
        "Awaiting Pickup",
        "Order has been pulled, and is awaiting customer pickup from a seller-specified location.",
    ),
    (
        "Awaiting Shipment",
        "Order has been pulled and packaged, and is awaiting collection from a shipping provider.",
    ),
    (
        "Completed",
        "Client has paid for their digital product and their file(s) are available for download.",
    ),
    (
        "Awaiting Fulfillment",
        "Customer has completed the checkout process and payment has been confirmed.",
    ),
    (
        "Manual Verification Required",
        "Order is on hold while some aspect needs to be manually confirmed.",
    ),
    (
        "Disputed",
        "Customer has initiated a dispute resolution process for the PayPal transaction that paid for the order.",
    ),
    (
        "Partially Refunded",
        "Seller has partially refunded the order.",
    ),
];

pub mod status {
    pub const INCOMPLETE: u8 = 0;
    pub const PENDING: u8 = 1;
    pub const SHIPPED: u8 = 2;
    pub const PARTIALLY_SHIPPED: u8 = 3;
    pub const REFUNDED: u8 = 4;
    pub const CANCELLED: u8 = 5;
    pub const DECLINED: u8 = 6;
    pub const AWAITING_PAYMENT: u8 = 7;
    pub const AWAITING_FULFILLMENT: u8 = 11;
    pub const MANUAL_VERIFICATION_REQUIRED: u8 = 12;
    pub const PARTIALLY_REFUNDED: u8 = 14;
    pub const MAX: u8 = 14;
}

/// A postal address as the v2 order API names its fields; v3 shapes rename them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub street_1: String,
    pub street_2: String,
    pub city: String,
    pub state: String,
    pub state_code: String,
    pub zip: String,
    pub country: String,
    pub country_iso2: String,
    pub phone: String,
    pub email: String,
}

impl Address {
    /// Laura Pérez's address in Barcelona, from the fixtures' scenario.
    pub fn example() -> Self {
        Self {
            first_name: "Laura".into(),
            last_name: "Pérez".into(),
            company: String::new(),
            street_1: "Carrer de Balmes 100".into(),
            street_2: "3º 2ª".into(),
            city: "Barcelona".into(),
            state: "Barcelona".into(),
            state_code: "B".into(),
            zip: "08008".into(),
            country: "Spain".into(),
            country_iso2: "ES".into(),
            phone: "+34600000000".into(),
            email: "laura@example.es".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Physical,
    Digital,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Physical => "physical",
            ItemKind::Digital => "digital",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreStatus {
    Live,
    /// The merchant's store was cancelled: its API answers 401 and `store/app/uninstalled`
    /// was emitted.
    Cancelled,
}

/// What `GET /v2/store` tells about a store, plus the tax the simulator applies.
#[derive(Clone, Debug)]
pub struct StoreProfile {
    pub hash: String,
    pub store_id: i64,
    pub account_uuid: String,
    pub name: String,
    pub domain: String,
    pub secure_url: String,
    pub control_panel_base_url: String,
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub country: String,
    pub country_code: String,
    pub phone: String,
    pub admin_email: String,
    pub order_email: String,
    pub timezone: String,
    pub language: String,
    pub currency: String,
    pub currency_symbol: String,
    pub plan_name: String,
    pub is_price_entered_with_tax: bool,
    /// `features.checkout_type`: `optimized` unless a test wants otherwise.
    pub checkout_type: String,
    pub default_channel_id: i64,
    /// One tax rate for everything, in basis points (2100 = 21 %).
    pub tax_rate_bp: i64,
    /// The name of that tax in checkout `taxes[]`, e.g. `IVA 21%`.
    pub tax_name: String,
    pub status: StoreStatus,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub username: String,
    /// BCP-47, e.g. `es-ES`; goes into the `user.locale` JWT claim.
    pub locale: String,
    pub is_owner: bool,
}

/// An app profile in the Developer Portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppRegistration {
    pub client_id: String,
    pub client_secret: String,
    pub auth_callback: String,
    pub load_callback: String,
    pub uninstall_callback: String,
    pub remove_user_callback: String,
    /// Scopes the app requests; an install grants exactly these.
    pub scopes: Vec<String>,
    /// The Developer Portal account that owns the app (`account_uuid` of the auth callback).
    pub account_uuid: String,
}

/// An app installed in a store.
#[derive(Clone, Debug)]
pub struct Install {
    pub client_id: String,
    pub access_token: String,
    pub scopes: Vec<String>,
    pub installed_by: i64,
    pub installed_at: Instant,
    /// Users allowed to load the app (multi-user apps); the installer is always in.
    pub users: BTreeSet<i64>,
}

/// A one-time grant code handed to the app's auth callback.
#[derive(Clone, Debug)]
pub struct GrantCode {
    pub code: String,
    pub store_hash: String,
    pub client_id: String,
    pub user_id: i64,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
}

/// What an access token stands for.
#[derive(Clone, Debug)]
pub struct TokenGrant {
    pub store_hash: String,
    pub client_id: String,
    pub scopes: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Product {
    pub id: i64,
    pub variant_id: i64,
    pub name: String,
    pub sku: String,
    pub kind: ItemKind,
    /// Tax included.
    pub price_cents: i64,
    pub brand: String,
    /// Grams, for the v2 `weight` string (kg).
    pub weight_grams: i64,
    /// Category ids (`GET /v3/catalog/products?include_fields=categories`).
    pub categories: Vec<i64>,
}

#[derive(Clone, Debug)]
pub struct Customer {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phone: String,
    pub notes: String,
    pub store_credit_cents: i64,
    pub addresses: Vec<Address>,
    pub created_at: Instant,
    pub modified_at: Instant,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CouponKind {
    /// `per_total_discount` (type 2): a fixed amount off the order.
    FixedOff { cents: i64 },
    /// `percentage_discount` (type 1): basis points off the items.
    PercentOff { basis_points: i64 },
}

impl CouponKind {
    /// The v2 coupon `type` number.
    pub fn type_id(&self) -> i64 {
        match self {
            CouponKind::FixedOff { .. } => 2,
            CouponKind::PercentOff { .. } => 1,
        }
    }

    /// The v3 coupon_type string.
    pub fn type_name(&self) -> &'static str {
        match self {
            CouponKind::FixedOff { .. } => "per_total_discount",
            CouponKind::PercentOff { .. } => "percentage_discount",
        }
    }

    /// The money this coupon takes off `subtotal_cents`.
    pub fn discount_on(&self, subtotal_cents: i64) -> i64 {
        match self {
            CouponKind::FixedOff { cents } => (*cents).clamp(0, subtotal_cents.max(0)),
            CouponKind::PercentOff { basis_points } => {
                let bp = (*basis_points).clamp(0, 10_000);
                (subtotal_cents.max(0) * bp + 5_000) / 10_000
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coupon {
    pub id: i64,
    pub code: String,
    pub kind: CouponKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartLine {
    /// A UUID, as BigCommerce's line item ids.
    pub id: String,
    pub product_id: i64,
    pub variant_id: i64,
    pub sku: String,
    pub name: String,
    pub kind: ItemKind,
    pub quantity: i64,
    pub unit_price_cents: i64,
    pub brand: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippingOption {
    pub id: String,
    /// e.g. `shipping_flatrate`.
    pub kind: String,
    pub description: String,
    pub cost_cents: i64,
    pub transit_time: String,
}

impl ShippingOption {
    pub fn example() -> Self {
        Self {
            id: "006a58a98c9a844225552ee2a9c60ca8".into(),
            kind: "shipping_flatrate".into(),
            description: "Envío estándar".into(),
            cost_cents: 500,
            transit_time: "2-3 días".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consignment {
    pub id: String,
    pub address: Address,
    pub line_item_ids: Vec<String>,
    pub shipping_option: Option<ShippingOption>,
    pub handling_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BillingAddress {
    pub id: String,
    pub address: Address,
}

/// A cart and its checkout (same id, as in BigCommerce).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkout {
    pub id: String,
    /// 0 for a guest.
    pub customer_id: i64,
    pub channel_id: i64,
    pub email: String,
    pub locale: String,
    pub lines: Vec<CartLine>,
    pub billing_address: Option<BillingAddress>,
    pub consignments: Vec<Consignment>,
    pub coupons: Vec<Coupon>,
    pub customer_message: String,
    /// Bumped on every change.
    pub version: i64,
    pub created_at: Instant,
    pub updated_at: Instant,
    /// The last order created from this checkout.
    pub order_id: Option<i64>,
}

/// A single-use (or `max_uses`) token for `/order-confirmation/{orderId}?t=…`.
#[derive(Clone, Debug)]
pub struct CheckoutToken {
    pub token: String,
    pub checkout_id: String,
    pub max_uses: i64,
    pub uses: i64,
    pub expires_at: Instant,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderLine {
    /// The order_product_id used by shipments and refunds.
    pub id: i64,
    pub product_id: i64,
    pub variant_id: i64,
    pub name: String,
    pub sku: String,
    pub kind: ItemKind,
    pub unit_price_cents: i64,
    pub quantity: i64,
    pub quantity_shipped: i64,
    pub quantity_refunded: i64,
    /// Shipping address id; 0 for digital lines.
    pub order_address_id: i64,
    /// Coupon discounts on this line: (order coupon row id, cents). Cleared when the line
    /// is edited, as BigCommerce does.
    pub coupon_shares: Vec<(i64, i64)>,
    pub brand: String,
    pub weight_grams: i64,
}

impl OrderLine {
    pub fn total_cents(&self) -> i64 {
        self.unit_price_cents * self.quantity
    }

    pub fn coupon_discount_cents(&self) -> i64 {
        self.coupon_shares.iter().map(|(_, cents)| cents).sum()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderShippingAddress {
    pub id: i64,
    pub address: Address,
    pub shipping_method: String,
    pub cost_cents: i64,
    pub handling_cents: i64,
    pub zone_id: i64,
    pub zone_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderCoupon {
    pub id: i64,
    pub coupon_id: i64,
    pub code: String,
    pub kind: CouponKind,
}

/// How an order was paid, as the refund quote's methods and the transactions see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderPayment {
    /// e.g. `storecredit`, `cod`, `bankdeposit`.
    pub provider_id: String,
    pub description: String,
    pub amount_cents: i64,
    pub offline: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    pub id: i64,
    pub customer_id: i64,
    pub cart_id: Option<String>,
    pub channel_id: i64,
    pub status_id: u8,
    pub created_at: Instant,
    pub modified_at: Instant,
    pub shipped_at: Option<Instant>,
    pub billing_address: Address,
    pub lines: Vec<OrderLine>,
    pub shipping_addresses: Vec<OrderShippingAddress>,
    pub coupons: Vec<OrderCoupon>,
    /// A manual order-level discount (control-panel order edit), spread over the lines.
    pub manual_discount_cents: i64,
    pub wrapping_cents: i64,
    pub store_credit_cents: i64,
    pub gift_certificate_cents: i64,
    pub payment_method: String,
    /// String or number on the wire; kept as the JSON value it was given.
    pub payment_provider_id: serde_json::Value,
    pub payment_status: String,
    pub payments: Vec<OrderPayment>,
    pub staff_notes: String,
    pub customer_message: String,
    pub is_deleted: bool,
    pub order_source: String,
    pub external_source: Option<String>,
    pub ip_address: String,
    pub customer_locale: String,
    pub is_email_opt_in: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShipmentItem {
    pub order_product_id: i64,
    pub product_id: i64,
    pub quantity: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shipment {
    pub id: i64,
    pub order_id: i64,
    pub order_address_id: i64,
    pub created_at: Instant,
    pub tracking_number: String,
    pub tracking_carrier: String,
    pub tracking_link: String,
    pub shipping_provider: String,
    pub shipping_method: String,
    pub comments: String,
    pub items: Vec<ShipmentItem>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RefundItemType {
    Product,
    GiftWrapping,
    Shipping,
    Handling,
    Order,
    Fee,
}

impl RefundItemType {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundItemType::Product => "PRODUCT",
            RefundItemType::GiftWrapping => "GIFT_WRAPPING",
            RefundItemType::Shipping => "SHIPPING",
            RefundItemType::Handling => "HANDLING",
            RefundItemType::Order => "ORDER",
            RefundItemType::Fee => "FEE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundAdjustment {
    pub amount_cents: i64,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundItem {
    pub item_type: RefundItemType,
    pub item_id: i64,
    pub reason: String,
    pub quantity: Option<i64>,
    pub requested_amount_cents: Option<i64>,
    pub adjustments: Vec<RefundAdjustment>,
    /// What this item refunds, tax included (computed).
    pub amount_cents: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundPayment {
    pub id: i64,
    pub provider_id: String,
    pub amount_cents: i64,
    pub offline: bool,
    pub is_declined: bool,
    pub declined_message: String,
    pub transaction_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub id: i64,
    pub order_id: i64,
    pub user_id: i64,
    pub created_at: Instant,
    pub reason: String,
    pub total_cents: i64,
    pub total_tax_cents: i64,
    pub uses_merchant_override_values: bool,
    pub items: Vec<RefundItem>,
    pub payments: Vec<RefundPayment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub id: i64,
    pub order_id: i64,
    /// purchase | pending | refund | …
    pub event: String,
    /// store_credit | offline | custom | …
    pub method: String,
    pub amount_cents: i64,
    pub currency: String,
    /// storecredit | cod | bankdeposit | custom | …
    pub gateway: String,
    pub created_at: Instant,
    pub offline_display_name: Option<String>,
    pub custom_payment_method: Option<String>,
    pub store_credit_remaining_cents: Option<i64>,
    pub reference_transaction_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metafield {
    pub id: i64,
    pub order_id: i64,
    pub owner_client_id: String,
    pub permission_set: String,
    pub namespace: String,
    pub key: String,
    pub value: String,
    pub description: String,
    pub created_at: Instant,
    pub modified_at: Instant,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    pub uuid: String,
    pub client_id: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub src: String,
    pub html: String,
    pub load_method: String,
    pub location: String,
    pub visibility: String,
    pub auto_uninstall: bool,
    /// `unknown` when the creator gave none (BigCommerce's default).
    pub consent_category: String,
    pub enabled: bool,
    pub channel_id: i64,
    pub integrity_hashes: Vec<String>,
    pub created_at: Instant,
    pub modified_at: Instant,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionLocale {
    pub value: String,
    pub locale_code: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppExtension {
    /// The number in `bc/store/appExtension/{n}`.
    pub id: i64,
    pub client_id: String,
    /// PANEL | LINK
    pub context: String,
    /// PRODUCTS | PRODUCT_DESCRIPTION | ORDERS | CUSTOMERS
    pub model: String,
    /// Template with `${id}`, e.g. `/orders/${id}/sequra`.
    pub url: String,
    pub label_default: String,
    pub label_locales: Vec<ExtensionLocale>,
}

impl AppExtension {
    pub fn graphql_id(&self) -> String {
        format!("bc/store/appExtension/{}", self.id)
    }
}

/// `GET /v3/checkouts/settings`: store-wide custom checkout settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutSettings {
    pub custom_checkout_script_url: String,
    pub order_confirmation_use_custom_checkout_script: bool,
    pub custom_order_confirmation_script_url: String,
    pub custom_checkout_supports_uco_settings: bool,
    pub custom_checkout_sri_hash: String,
    pub custom_order_confirmation_sri_hash: String,
}

/// `GET /v3/checkouts/settings/channels/{id}`: incl. the terms-and-conditions flags.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelCheckoutSettings {
    pub checkout_type: String,
    pub guest_checkout_type: String,
    pub guest_checkout_for_existing_accounts: String,
    pub policy_consent: String,
    pub order_confirmation_contact_email: String,
    pub is_order_terms_and_conditions_enabled: bool,
    /// link | textarea | modal
    pub order_terms_and_conditions_type: String,
    pub order_terms_and_conditions_link: String,
    pub order_terms_and_conditions_textarea: String,
    pub should_redirect_to_storefront_for_auth: bool,
    pub custom_checkout_script_url: String,
    pub order_confirmation_use_custom_checkout_script: bool,
    pub custom_order_confirmation_script_url: String,
    pub custom_checkout_supports_uco_settings: bool,
    pub custom_checkout_sri_hash: String,
    pub custom_order_confirmation_sri_hash: String,
}

impl ChannelCheckoutSettings {
    pub fn new(order_email: &str) -> Self {
        Self {
            checkout_type: "optimized".into(),
            guest_checkout_type: "allow".into(),
            guest_checkout_for_existing_accounts: "allow".into(),
            policy_consent: String::new(),
            order_confirmation_contact_email: order_email.into(),
            is_order_terms_and_conditions_enabled: false,
            order_terms_and_conditions_type: "link".into(),
            order_terms_and_conditions_link: String::new(),
            order_terms_and_conditions_textarea: String::new(),
            should_redirect_to_storefront_for_auth: false,
            custom_checkout_script_url: String::new(),
            order_confirmation_use_custom_checkout_script: false,
            custom_order_confirmation_script_url: String::new(),
            custom_checkout_supports_uco_settings: false,
            custom_checkout_sri_hash: String::new(),
            custom_order_confirmation_sri_hash: String::new(),
        }
    }
}

/// Next ids per kind of object in a store. Each starts where the fixtures' scenario has
/// its first object (order 250, order product 301, …) so that fixture paths work against a
/// fresh example store.
#[derive(Clone, Debug)]
pub struct IdCounters {
    pub product: i64,
    pub variant: i64,
    pub customer: i64,
    pub order: i64,
    pub order_product: i64,
    pub order_address: i64,
    pub order_coupon: i64,
    pub coupon: i64,
    pub shipment: i64,
    pub refund: i64,
    pub refund_payment: i64,
    pub transaction: i64,
    pub metafield: i64,
    pub app_extension: i64,
    pub user: i64,
}

impl Default for IdCounters {
    fn default() -> Self {
        Self {
            product: 77,
            variant: 359,
            customer: 11,
            order: 250,
            order_product: 301,
            order_address: 151,
            order_coupon: 3,
            coupon: 1,
            shipment: 12,
            refund: 3,
            refund_payment: 4,
            transaction: 85_926_313,
            metafield: 7,
            app_extension: 2,
            user: 7_654_321,
        }
    }
}

impl IdCounters {
    pub fn take(counter: &mut i64) -> i64 {
        let id = *counter;
        *counter += 1;
        id
    }
}

/// Everything one store holds.
#[derive(Clone, Debug)]
pub struct StoreState {
    pub profile: StoreProfile,
    pub users: BTreeMap<i64, User>,
    pub owner_id: i64,
    /// By client id.
    pub installs: BTreeMap<String, Install>,
    pub products: BTreeMap<i64, Product>,
    pub customers: BTreeMap<i64, Customer>,
    pub checkouts: BTreeMap<String, Checkout>,
    pub checkout_tokens: Vec<CheckoutToken>,
    pub orders: BTreeMap<i64, Order>,
    pub shipments: BTreeMap<i64, Shipment>,
    pub refunds: BTreeMap<i64, Refund>,
    pub transactions: BTreeMap<i64, Transaction>,
    pub metafields: BTreeMap<i64, Metafield>,
    /// In creation order.
    pub scripts: Vec<Script>,
    pub app_extensions: BTreeMap<i64, AppExtension>,
    pub checkout_settings: CheckoutSettings,
    pub channel_settings: BTreeMap<i64, ChannelCheckoutSettings>,
    /// Merchant-renamed status labels (`custom_label`), by status id.
    pub status_labels: Vec<String>,
    pub ids: IdCounters,
}

impl StoreState {
    pub fn status_label(&self, status_id: u8) -> String {
        self.status_labels
            .get(usize::from(status_id))
            .cloned()
            .unwrap_or_default()
    }

    pub fn owner(&self) -> Option<&User> {
        self.users.get(&self.owner_id)
    }
}
