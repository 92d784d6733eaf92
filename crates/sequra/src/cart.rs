//! Carts and cart items (spec §1.6 "Cart" and "Items"), used as `cart`, `unshipped_cart`,
//! `shipped_cart` and `remaining_cart`.
//!
//! Amounts are integer cents, tax included; discounts and amounts paid by other means are
//! negative. Items are discriminated by `type`. Reading is tolerant: a missing `type` is a
//! `product` (as SeQura treats it) and an unknown `type` is kept as [`Item::Unknown`] with
//! its fields, so it is written back unchanged.

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::de as lenient;

/// A cart. `order_total_with_tax` must equal the sum of the items' `total_with_tax`, or
/// SeQura answers 409; [`Cart::new`] computes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub currency: String,
    #[serde(default)]
    pub gift: bool,
    pub order_total_with_tax: i64,
    /// The shop's cart (checkout) id.
    #[serde(
        default,
        deserialize_with = "lenient::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub cart_ref: Option<String>,
    /// ISO-8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub items: Vec<Item>,
}

impl Cart {
    /// A cart whose `order_total_with_tax` is the sum of its items; not a gift, no
    /// reference or dates.
    pub fn new(currency: impl Into<String>, items: Vec<Item>) -> Cart {
        let order_total_with_tax = items_total(&items);
        Cart {
            currency: currency.into(),
            gift: false,
            order_total_with_tax,
            cart_ref: None,
            created_at: None,
            updated_at: None,
            items,
        }
    }

    /// No items, total 0: the shipped cart of an unshipped order, or both carts of a
    /// cancellation.
    pub fn empty(currency: impl Into<String>) -> Cart {
        Cart::new(currency, Vec::new())
    }

    /// A cart that must total `expected_total` (the shop's grand total). When the items do
    /// not add up to it (rounding of per-line taxes), a balancing line is appended, as the
    /// SeQura core does: a `discount` `additional_discount` for a negative difference, a
    /// `handling` `additional_handling` ("Surcharge") for a positive one.
    pub fn balanced(
        currency: impl Into<String>,
        mut items: Vec<Item>,
        expected_total: i64,
    ) -> Cart {
        let diff = expected_total - items_total(&items);
        if diff < 0 {
            items.push(Item::discount("additional_discount", "Discount", diff));
        } else if diff > 0 {
            items.push(Item::handling("additional_handling", "Surcharge", diff));
        }
        Cart::new(currency, items)
    }

    pub fn with_ref(mut self, cart_ref: impl Into<String>) -> Cart {
        self.cart_ref = Some(cart_ref.into());
        self
    }

    /// Sum of the items' `total_with_tax`.
    pub fn items_total(&self) -> i64 {
        items_total(&self.items)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

fn items_total(items: &[Item]) -> i64 {
    items.iter().map(Item::total_with_tax).sum()
}

/// A goods line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductItem {
    /// SKU; may be empty.
    #[serde(deserialize_with = "lenient::text")]
    pub reference: String,
    pub name: String,
    /// Unit price, cents.
    pub price_with_tax: i64,
    pub quantity: i64,
    /// Line total after line-level discounts, cents.
    pub total_with_tax: i64,
    /// Virtual or digital goods.
    pub downloadable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perishable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personalized: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restockable: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub product_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Links the line to `trackings[].reference`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_reference: Option<String>,
}

/// A service line (the merchant needs the `services` contract option). Exactly one of
/// `ends_on` (ISO date) or `ends_in` (ISO duration, e.g. `P1Y`) should be set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    #[serde(deserialize_with = "lenient::text")]
    pub reference: String,
    pub name: String,
    pub price_with_tax: i64,
    pub quantity: i64,
    pub total_with_tax: i64,
    pub downloadable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_in: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rendered: Option<bool>,
}

/// `registration`, `handling`, `discount` and `other_payment` lines: a reference, a name
/// and an amount.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountItem {
    #[serde(deserialize_with = "lenient::text")]
    pub reference: String,
    pub name: String,
    pub total_with_tax: i64,
}

/// An `invoice_fee` line: only an amount.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceFeeItem {
    pub total_with_tax: i64,
}

/// One cart line, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Product(ProductItem),
    Service(ServiceItem),
    /// Registration fee for services (positive).
    Registration(AmountItem),
    /// Shipping cost, surcharges, wrapping (positive).
    Handling(AmountItem),
    /// Payment fee (positive).
    InvoiceFee(InvoiceFeeItem),
    /// Coupons and discounts (negative).
    Discount(AmountItem),
    /// Amount already paid otherwise: store credit, gift card (negative).
    OtherPayment(AmountItem),
    /// A `type` this crate does not know, kept verbatim (`fields` excludes `type`).
    Unknown {
        kind: String,
        fields: Map<String, Value>,
    },
}

impl Item {
    pub fn handling(reference: impl Into<String>, name: impl Into<String>, total: i64) -> Item {
        Item::Handling(AmountItem::new(reference, name, total))
    }

    /// `total` should be negative.
    pub fn discount(reference: impl Into<String>, name: impl Into<String>, total: i64) -> Item {
        Item::Discount(AmountItem::new(reference, name, total))
    }

    /// `total` should be negative.
    pub fn other_payment(
        reference: impl Into<String>,
        name: impl Into<String>,
        total: i64,
    ) -> Item {
        Item::OtherPayment(AmountItem::new(reference, name, total))
    }

    pub fn registration(reference: impl Into<String>, name: impl Into<String>, total: i64) -> Item {
        Item::Registration(AmountItem::new(reference, name, total))
    }

    pub fn invoice_fee(total: i64) -> Item {
        Item::InvoiceFee(InvoiceFeeItem {
            total_with_tax: total,
        })
    }

    /// The wire `type`.
    pub fn kind(&self) -> &str {
        match self {
            Item::Product(_) => "product",
            Item::Service(_) => "service",
            Item::Registration(_) => "registration",
            Item::Handling(_) => "handling",
            Item::InvoiceFee(_) => "invoice_fee",
            Item::Discount(_) => "discount",
            Item::OtherPayment(_) => "other_payment",
            Item::Unknown { kind, .. } => kind,
        }
    }

    /// The line's `total_with_tax` (for an unknown type, its integer `total_with_tax` field
    /// or 0).
    pub fn total_with_tax(&self) -> i64 {
        match self {
            Item::Product(p) => p.total_with_tax,
            Item::Service(s) => s.total_with_tax,
            Item::Registration(a)
            | Item::Handling(a)
            | Item::Discount(a)
            | Item::OtherPayment(a) => a.total_with_tax,
            Item::InvoiceFee(f) => f.total_with_tax,
            Item::Unknown { fields, .. } => fields
                .get("total_with_tax")
                .and_then(Value::as_i64)
                .unwrap_or(0),
        }
    }
}

impl AmountItem {
    pub fn new(reference: impl Into<String>, name: impl Into<String>, total: i64) -> AmountItem {
        AmountItem {
            reference: reference.into(),
            name: name.into(),
            total_with_tax: total,
        }
    }
}

impl From<ProductItem> for Item {
    fn from(p: ProductItem) -> Item {
        Item::Product(p)
    }
}

impl From<ServiceItem> for Item {
    fn from(s: ServiceItem) -> Item {
        Item::Service(s)
    }
}

/// The known types, as serde writes and reads them.
#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum KnownRef<'a> {
    Product(&'a ProductItem),
    Service(&'a ServiceItem),
    Registration(&'a AmountItem),
    Handling(&'a AmountItem),
    InvoiceFee(&'a InvoiceFeeItem),
    Discount(&'a AmountItem),
    OtherPayment(&'a AmountItem),
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Known {
    Product(ProductItem),
    Service(ServiceItem),
    Registration(AmountItem),
    Handling(AmountItem),
    InvoiceFee(InvoiceFeeItem),
    Discount(AmountItem),
    OtherPayment(AmountItem),
}

const KNOWN_TYPES: [&str; 7] = [
    "product",
    "service",
    "registration",
    "handling",
    "invoice_fee",
    "discount",
    "other_payment",
];

impl Serialize for Item {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let known = match self {
            Item::Product(p) => KnownRef::Product(p),
            Item::Service(x) => KnownRef::Service(x),
            Item::Registration(a) => KnownRef::Registration(a),
            Item::Handling(a) => KnownRef::Handling(a),
            Item::InvoiceFee(f) => KnownRef::InvoiceFee(f),
            Item::Discount(a) => KnownRef::Discount(a),
            Item::OtherPayment(a) => KnownRef::OtherPayment(a),
            Item::Unknown { kind, fields } => {
                let mut all = Map::with_capacity(fields.len() + 1);
                all.insert("type".to_owned(), Value::String(kind.clone()));
                for (k, v) in fields {
                    if k != "type" {
                        all.insert(k.clone(), v.clone());
                    }
                }
                return all.serialize(s);
            }
        };
        known.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Item, D::Error> {
        let mut fields = Map::<String, Value>::deserialize(d)?;
        let kind = match fields.get("type") {
            None | Some(Value::Null) => "product".to_owned(),
            Some(Value::String(kind)) => kind.clone(),
            Some(other) => {
                return Err(de::Error::custom(format!(
                    "item type is not a string: {other}"
                )));
            }
        };
        if !KNOWN_TYPES.contains(&kind.as_str()) {
            fields.remove("type");
            return Ok(Item::Unknown { kind, fields });
        }
        fields.insert("type".to_owned(), Value::String(kind.clone()));
        let known = serde_json::from_value::<Known>(Value::Object(fields))
            .map_err(|e| de::Error::custom(format!("{kind} item: {e}")))?;
        Ok(match known {
            Known::Product(p) => Item::Product(p),
            Known::Service(x) => Item::Service(x),
            Known::Registration(a) => Item::Registration(a),
            Known::Handling(a) => Item::Handling(a),
            Known::InvoiceFee(f) => Item::InvoiceFee(f),
            Known::Discount(a) => Item::Discount(a),
            Known::OtherPayment(a) => Item::OtherPayment(a),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shirt() -> ProductItem {
        ProductItem {
            reference: "SKU-1".into(),
            name: "Shirt".into(),
            price_with_tax: 1250,
            quantity: 2,
            total_with_tax: 2500,
            downloadable: false,
            ..ProductItem::default()
        }
    }

    fn all_items() -> Vec<Item> {
        vec![
            Item::Product(ProductItem {
                category: Some("Tops".into()),
                product_id: Some("77".into()),
                perishable: Some(false),
                ..shirt()
            }),
            Item::Service(ServiceItem {
                reference: "SRV".into(),
                name: "Course".into(),
                price_with_tax: 10000,
                quantity: 1,
                total_with_tax: 10000,
                downloadable: false,
                ends_in: Some("P1Y".into()),
                ..ServiceItem::default()
            }),
            Item::registration("REG", "Registration", 500),
            Item::handling("shipping cost", "Flat rate", 495),
            Item::invoice_fee(150),
            Item::discount("SUMMER10", "Discount: SUMMER10", -250),
            Item::other_payment("GIFT", "Gift certificate", -1000),
        ]
    }

    #[test]
    fn items_serialize_with_their_type_and_exact_keys() {
        let value = serde_json::to_value(all_items()).unwrap();
        assert_eq!(
            value,
            json!([
                {"type": "product", "reference": "SKU-1", "name": "Shirt", "price_with_tax": 1250,
                 "quantity": 2, "total_with_tax": 2500, "downloadable": false,
                 "perishable": false, "category": "Tops", "product_id": "77"},
                {"type": "service", "reference": "SRV", "name": "Course", "price_with_tax": 10000,
                 "quantity": 1, "total_with_tax": 10000, "downloadable": false, "ends_in": "P1Y"},
                {"type": "registration", "reference": "REG", "name": "Registration", "total_with_tax": 500},
                {"type": "handling", "reference": "shipping cost", "name": "Flat rate", "total_with_tax": 495},
                {"type": "invoice_fee", "total_with_tax": 150},
                {"type": "discount", "reference": "SUMMER10", "name": "Discount: SUMMER10", "total_with_tax": -250},
                {"type": "other_payment", "reference": "GIFT", "name": "Gift certificate", "total_with_tax": -1000}
            ])
        );
    }

    #[test]
    fn items_round_trip() {
        let items = all_items();
        let text = serde_json::to_string(&items).unwrap();
        let back: Vec<Item> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, items);
    }

    #[test]
    fn unknown_types_are_kept_and_missing_type_is_a_product() {
        let value = json!({"type": "gift_wrap", "reference": "W", "total_with_tax": 300, "x": [1]});
        let item: Item = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(item.kind(), "gift_wrap");
        assert_eq!(item.total_with_tax(), 300);
        assert_eq!(serde_json::to_value(&item).unwrap(), value);

        let item: Item = serde_json::from_value(json!({
            "reference": 123, "name": "Mug", "price_with_tax": 500, "quantity": 1,
            "total_with_tax": 500, "downloadable": false
        }))
        .unwrap();
        match item {
            Item::Product(p) => assert_eq!(p.reference, "123"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_known_items_are_errors() {
        for bad in [
            json!({"type": "handling", "name": "x"}),
            json!({"type": "product", "reference": "a", "name": "b", "price_with_tax": "12.50",
                   "quantity": 1, "total_with_tax": 1250, "downloadable": false}),
            json!({"type": 7, "total_with_tax": 1}),
            json!("product"),
        ] {
            assert!(
                serde_json::from_value::<Item>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn cart_total_is_the_sum_of_items() {
        let cart = Cart::new("EUR", all_items());
        assert_eq!(
            cart.order_total_with_tax,
            2500 + 10000 + 500 + 495 + 150 - 250 - 1000
        );
        let empty = Cart::empty("EUR");
        assert_eq!(
            serde_json::to_value(&empty).unwrap(),
            json!({"currency": "EUR", "gift": false, "order_total_with_tax": 0, "items": []})
        );
    }

    #[test]
    fn balanced_carts_add_the_core_balancing_lines() {
        let cart = Cart::balanced("EUR", vec![shirt().into()], 2498);
        assert_eq!(cart.order_total_with_tax, 2498);
        assert_eq!(
            cart.items.last(),
            Some(&Item::discount("additional_discount", "Discount", -2))
        );
        let cart = Cart::balanced("EUR", vec![shirt().into()], 2503);
        assert_eq!(
            cart.items.last(),
            Some(&Item::handling("additional_handling", "Surcharge", 3))
        );
        let cart = Cart::balanced("EUR", vec![shirt().into()], 2500);
        assert_eq!(cart.items.len(), 1);
    }

    #[test]
    fn carts_read_integer_refs_and_default_gift() {
        let cart: Cart = serde_json::from_value(
            json!({"currency": "EUR", "order_total_with_tax": 0, "cart_ref": 42, "items": []}),
        )
        .unwrap();
        assert_eq!(cart.cart_ref.as_deref(), Some("42"));
        assert!(!cart.gift);
    }
}
