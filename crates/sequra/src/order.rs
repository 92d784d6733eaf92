//! The order payload (spec §1.6) and the calls that send it: `POST orders` (start a
//! solicitation), `PUT orders/{uuid}` (confirm or put on hold after the IPN) and
//! `GET orders/{uuid}/form_v2` (the identification form).
//!
//! Conventions (spec §0.3): snake_case keys (`order_ref_1`, `address_line_1`), integer
//! cents, null keys omitted (every `Option` is skipped when `None`; empty strings and
//! `false` are sent), bodies wrapped as `{"order": {...}}`.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use crate::cart::Cart;
use crate::client::{Accept, Call, Segment, SequraClient};
use crate::de as lenient;
use crate::error::{Error, Result};

/// `order.state` on `POST orders` / `PUT orders/{uuid}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderState {
    /// `""`: a new solicitation.
    #[default]
    #[serde(rename = "")]
    Solicited,
    /// After an `approved` IPN.
    #[serde(rename = "confirmed")]
    Confirmed,
    /// After a `needs_review` IPN.
    #[serde(rename = "on_hold")]
    OnHold,
}

/// The states a shop sends on `PUT orders/{uuid}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcknowledgedState {
    Confirmed,
    OnHold,
}

impl From<AcknowledgedState> for OrderState {
    fn from(state: AcknowledgedState) -> OrderState {
        match state {
            AcknowledgedState::Confirmed => OrderState::Confirmed,
            AcknowledgedState::OnHold => OrderState::OnHold,
        }
    }
}

/// The `order` object of `POST orders` and `PUT orders/{uuid}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    #[serde(default)]
    pub state: OrderState,
    pub merchant: Merchant,
    /// Optional at solicitation; required on `PUT orders/{uuid}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_reference: Option<MerchantReference>,
    pub cart: Cart,
    pub delivery_method: DeliveryMethod,
    pub delivery_address: Address,
    pub invoice_address: Address,
    pub customer: Customer,
    pub gui: Gui,
    pub platform: Platform,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trackings: Option<Vec<Tracking>>,
}

/// `order.merchant`. On order updates and delivery reports only `id` is sent
/// ([`Merchant::id_only`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merchant {
    pub id: String,
    /// IPN target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    /// Echoed back verbatim in the IPN (our `signature`, store and cart ids).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification_parameters: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// JS function name called on approval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_callback: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_callback: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partpayment_details_getter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abort_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events_webhook: Option<EventsWebhook>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<MerchantOptions>,
    /// Multi-store merchants only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_ref: Option<String>,
}

impl Merchant {
    /// `{"id": …}` only, as order updates and delivery reports send it.
    pub fn id_only(id: impl Into<String>) -> Merchant {
        Merchant {
            id: id.into(),
            ..Merchant::default()
        }
    }
}

/// `merchant.events_webhook`: lifecycle events arrive at `url` with each parameter
/// prefixed `m_`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsWebhook {
    pub url: String,
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
}

/// `merchant.options`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_jquery: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uses_shipped_cart: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addresses_may_be_missing: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub immutable_customer_data: Option<bool>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desired_first_charge_on: Option<String>,
}

/// `merchant_reference`: the shop's order number (unique per merchant among confirmed
/// orders) and an optional second reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerchantReference {
    #[serde(deserialize_with = "lenient::text")]
    pub order_ref_1: String,
    #[serde(
        default,
        deserialize_with = "lenient::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub order_ref_2: Option<String>,
}

impl MerchantReference {
    pub fn new(order_ref_1: impl Into<String>) -> MerchantReference {
        MerchantReference {
            order_ref_1: order_ref_1.into(),
            order_ref_2: None,
        }
    }
}

/// `delivery_method`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryMethod {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// `false` for pickup methods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_delivery: Option<bool>,
}

/// `delivery_address` / `invoice_address`. `company` and `address_line_2` are always sent,
/// as `""` when the shop has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surnames: Option<String>,
    #[serde(default)]
    pub company: String,
    pub address_line_1: String,
    #[serde(default)]
    pub address_line_2: String,
    pub postal_code: String,
    pub city: String,
    /// ISO-3166 alpha-2.
    pub country_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
}

/// `customer.logged_in`: `true`, `false` or `"unknown"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LoggedIn {
    Known(bool),
    #[default]
    Unknown,
}

impl From<bool> for LoggedIn {
    fn from(b: bool) -> LoggedIn {
        LoggedIn::Known(b)
    }
}

impl Serialize for LoggedIn {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            LoggedIn::Known(b) => s.serialize_bool(*b),
            LoggedIn::Unknown => s.serialize_str("unknown"),
        }
    }
}

impl<'de> Deserialize<'de> for LoggedIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<LoggedIn, D::Error> {
        match Value::deserialize(d)? {
            Value::Bool(b) => Ok(LoggedIn::Known(b)),
            Value::String(s) if s == "unknown" => Ok(LoggedIn::Unknown),
            other => Err(de::Error::custom(format!(
                "logged_in must be a bool or \"unknown\", not {other}"
            ))),
        }
    }
}

/// `customer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub email: String,
    /// e.g. `es-ES`.
    pub language_code: String,
    /// The shopper's IP.
    pub ip_number: String,
    /// The shopper's browser user agent.
    pub user_agent: String,
    #[serde(default)]
    pub logged_in: LoggedIn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surnames: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The shop's customer id.
    #[serde(
        rename = "ref",
        default,
        deserialize_with = "lenient::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub reference: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nin_control: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_orders: Option<Vec<PreviousOrder>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle: Option<Vehicle>,
}

/// `customer.previous_orders[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousOrder {
    /// ISO-8601.
    pub created_at: String,
    /// Cents.
    pub amount: i64,
    pub currency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_status: Option<String>,
    /// `shipped`, `cancelled` or `processing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method_raw: Option<String>,
    /// `CC`, `PP`, `TR`, `COD`, `SQ` or `O/<code>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
}

/// `customer.vehicle`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vehicle {
    pub plaque: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_registration_date: Option<String>,
}

/// `gui.layout`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    #[default]
    Desktop,
    Smartphone,
}

/// `gui`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gui {
    pub layout: Layout,
}

/// `platform`: free-form strings SeQura uses for support.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin_version: Option<String>,
    pub uname: String,
    pub db_name: String,
    pub db_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub php_version: Option<String>,
}

/// `trackings[]`, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Tracking {
    Postal(PostalTracking),
    PickupPoint(PickupTracking),
    PickupStore(PickupTracking),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalTracking {
    /// Matches an item's `tracking_reference`.
    pub reference: String,
    pub carrier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
    /// ISO-8601 timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickupTracking {
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line_1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line_2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
}

/// `{"order": …}`.
#[derive(Serialize)]
pub(crate) struct OrderEnvelope<'a, T: Serialize> {
    pub order: &'a T,
}

/// The request body of `POST orders`, as sent (useful for logs and golden tests).
pub fn create_order_body(order: &OrderRequest) -> Value {
    serde_json::json!({ "order": order })
}

/// Reads the SeQura order reference from a `Location` header
/// (`https://sandbox.sequrapi.com/orders/{uuid}`, possibly relative): the last path
/// segment, which must follow an `orders` segment and be an id (`[A-Za-z0-9_-]+`).
pub fn order_ref_from_location(request_url: &Url, location: &str) -> Option<String> {
    let url = request_url.join(location.trim()).ok()?;
    let mut segments = url.path_segments()?.rev().skip_while(|s| s.is_empty());
    let id = segments.next()?;
    let parent = segments.next()?;
    let valid = parent == "orders"
        && !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    valid.then(|| id.to_owned())
}

impl SequraClient {
    /// `POST orders` with `{"order": …}` and the `Sequra-Merchant-Id` of
    /// `order.merchant.id`: starts a solicitation. SeQura answers 204 with
    /// `Location: …/orders/{uuid}`; returns that uuid (the "order ref" of IPNs). A 409
    /// carries SeQura's reasons ([`Error::Rejected`]).
    pub async fn create_order(&self, order: &OrderRequest) -> Result<String> {
        let answer = self
            .send_json(
                Method::POST,
                &[Segment::Fixed("orders")],
                &order.merchant.id,
                &OrderEnvelope { order },
            )
            .await?;
        let location = answer
            .headers
            .get(reqwest::header::LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        match location
            .as_deref()
            .and_then(|l| order_ref_from_location(&answer.url, l))
        {
            Some(uuid) => Ok(uuid),
            None => Err(Error::MissingLocation {
                endpoint: answer.endpoint,
                found: location.map(|l| l.chars().take(200).collect()),
            }),
        }
    }

    /// `PUT orders/{uuid}` with the full order, `state` = `confirmed`, after an `approved`
    /// IPN. `order.merchant_reference` must be set (the shop order number).
    pub async fn confirm_order(&self, uuid: &str, order: &OrderRequest) -> Result<()> {
        self.update_order_state(uuid, AcknowledgedState::Confirmed, order)
            .await
    }

    /// `PUT orders/{uuid}` with the full order and `state` = `confirmed` or `on_hold`
    /// (overriding `order.state`). A 409 means the cart or customer changed too much, or
    /// `order_ref_1` is not unique: the IPN must then be answered 410.
    ///
    /// `confirmed` needs `order.merchant_reference` (refused before sending otherwise);
    /// `on_hold` may go without, as the shop order may not exist yet (§1.6, §2.1).
    pub async fn update_order_state(
        &self,
        uuid: &str,
        state: AcknowledgedState,
        order: &OrderRequest,
    ) -> Result<()> {
        if state == AcknowledgedState::Confirmed && order.merchant_reference.is_none() {
            return Err(Error::InvalidRequest(
                "PUT orders/{uuid} needs merchant_reference.order_ref_1".into(),
            ));
        }
        let mut order = order.clone();
        order.state = state.into();
        self.send_json(
            Method::PUT,
            &[Segment::Fixed("orders"), Segment::Id(uuid)],
            &order.merchant.id,
            &OrderEnvelope { order: &order },
        )
        .await?;
        Ok(())
    }

    /// `GET orders/{uuid}/form_v2?product=…&campaign=…&ajax=true` with `Accept: text/html`:
    /// the identification form HTML, to be relayed to the browser (never cached). Empty
    /// `product`/`campaign` are left out (SeQura then picks `i1` / the first campaign).
    pub async fn identification_form(
        &self,
        merchant: &str,
        uuid: &str,
        product: &str,
        campaign: Option<&str>,
    ) -> Result<String> {
        let mut query: Vec<(&str, &str)> = Vec::with_capacity(3);
        if !product.is_empty() {
            query.push(("product", product));
        }
        if let Some(campaign) = campaign.filter(|c| !c.is_empty()) {
            query.push(("campaign", campaign));
        }
        query.push(("ajax", "true"));
        self.execute(Call {
            method: Method::GET,
            path: &[
                Segment::Fixed("orders"),
                Segment::Id(uuid),
                Segment::Fixed("form_v2"),
            ],
            query: &query,
            body: None,
            merchant: Some(merchant),
            accept: Accept::Html,
        })
        .await?
        .text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_headers() {
        let req = Url::parse("https://sandbox.sequrapi.com/orders").unwrap();
        let uuid = "1dc26b35-06f6-41d6-b6f5-d0eb6c66aad1";
        let ok = |l: &str| order_ref_from_location(&req, l);
        assert_eq!(
            ok(&format!("https://sandbox.sequrapi.com/orders/{uuid}")).as_deref(),
            Some(uuid)
        );
        assert_eq!(ok(&format!("/orders/{uuid}")).as_deref(), Some(uuid));
        assert_eq!(ok(&format!("/orders/{uuid}/")).as_deref(), Some(uuid));
        assert_eq!(
            ok(&format!("http://127.0.0.1:1/prefix/orders/{uuid}")).as_deref(),
            Some(uuid)
        );
        for bad in [
            "",
            "https://sandbox.sequrapi.com/",
            "https://sandbox.sequrapi.com/orders/",
            "https://sandbox.sequrapi.com/carts/abc",
            "https://sandbox.sequrapi.com/orders/a%20b",
            "https://sandbox.sequrapi.com/orders/a.b",
            "://bad",
        ] {
            assert_eq!(ok(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn logged_in_is_bool_or_unknown() {
        assert_eq!(
            serde_json::to_string(&LoggedIn::Unknown).unwrap(),
            r#""unknown""#
        );
        assert_eq!(
            serde_json::to_string(&LoggedIn::from(false)).unwrap(),
            "false"
        );
        for (text, value) in [
            ("true", LoggedIn::Known(true)),
            ("false", LoggedIn::Known(false)),
            (r#""unknown""#, LoggedIn::Unknown),
        ] {
            assert_eq!(serde_json::from_str::<LoggedIn>(text).unwrap(), value);
        }
        for bad in [r#""yes""#, "1", "null"] {
            assert!(serde_json::from_str::<LoggedIn>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn states_serialize_as_sequra_spells_them() {
        assert_eq!(
            serde_json::to_value([
                OrderState::Solicited,
                OrderState::Confirmed,
                OrderState::OnHold
            ])
            .unwrap(),
            serde_json::json!(["", "confirmed", "on_hold"])
        );
    }
}
