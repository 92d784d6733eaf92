//! Request bodies as SeQura reads them: the golden fixtures, null omission, exact keys.

use sequra::order::create_order_body;
use sequra::{
    Cart, DeliveredOrder, DeliveryReport, DeliveryState, Item, MerchantReference, OrderRequest,
    OrderUpdate, PostalTracking, Statistics, StatisticsOrder, Tracking,
};
use serde_json::{Value, json};

use crate::fixtures::{full_order, minimal_order, platform, shop_address, tee};
use crate::support::fixture_json;

fn assert_no_nulls(value: &Value, path: &str) {
    match value {
        Value::Null => panic!("null at {path}"),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_no_nulls(item, &format!("{path}[{i}]"));
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                assert_no_nulls(v, &format!("{path}.{k}"));
            }
        }
        _ => {}
    }
}

#[test]
fn full_order_matches_the_golden_body() {
    let body = create_order_body(&full_order());
    assert_eq!(body, fixture_json("order-full.json"));
    assert_no_nulls(&body, "$");
}

#[test]
fn minimal_order_matches_the_golden_body() {
    let body = create_order_body(&minimal_order());
    assert_eq!(body, fixture_json("order-minimal.json"));
    assert_no_nulls(&body, "$");
    // Null keys are left out; empty strings and `false` are kept.
    let order = &body["order"];
    assert!(order.get("merchant_reference").is_none());
    assert!(order.get("trackings").is_none());
    assert_eq!(order["merchant"], json!({"id": "shop_es"}));
    assert_eq!(order["delivery_address"]["company"], "");
    assert_eq!(order["delivery_address"]["address_line_2"], "");
    assert!(order["delivery_address"].get("phone").is_none());
    assert_eq!(order["cart"]["gift"], false);
    assert!(order["cart"].get("cart_ref").is_none());
    assert_eq!(order["cart"]["items"][0]["reference"], "");
    assert_eq!(order["customer"]["logged_in"], "unknown");
    assert_eq!(order["state"], "");
}

#[test]
fn exact_key_names() {
    let body = create_order_body(&full_order());
    let order = &body["order"];
    assert_eq!(order["merchant_reference"]["order_ref_1"], "A14/12345");
    assert_eq!(order["merchant_reference"]["order_ref_2"], "c5e1b6f2");
    assert_eq!(order["delivery_address"]["address_line_1"], "Calle Mayor 1");
    assert_eq!(order["invoice_address"]["address_line_2"], "3º izq.");
    assert_eq!(order["customer"]["ref"], "42");
    assert_eq!(order["customer"]["logged_in"], true);
    assert_eq!(order["cart"]["order_total_with_tax"], 18540);
    assert_eq!(order["cart"]["items"][0]["price_with_tax"], 2495);
    assert_eq!(order["gui"]["layout"], "smartphone");
    assert_eq!(order["trackings"][1]["type"], "pickup_point");
    assert_eq!(
        order["merchant"]["events_webhook"]["parameters"]["storeId"],
        "abc123"
    );
    let text = serde_json::to_string(&body).unwrap();
    for wrong in [
        "orderRef1",
        "order_ref1",
        "address_line1",
        "addressLine1",
        "\"reference_\"",
    ] {
        assert!(!text.contains(wrong), "{wrong}");
    }
}

#[test]
fn golden_bodies_read_back_into_the_same_values() {
    for (name, order) in [
        ("order-full.json", full_order()),
        ("order-minimal.json", minimal_order()),
    ] {
        let value = fixture_json(name);
        let back: OrderRequest = serde_json::from_value(value["order"].clone()).unwrap();
        assert_eq!(back, order, "{name}");
    }
}

#[test]
fn order_update_body() {
    let mut update = OrderUpdate::new(
        "shop_es",
        MerchantReference::new("A14/12345"),
        Cart::new("EUR", vec![tee(1).into()]),
        Cart::new(
            "EUR",
            vec![
                tee(1).into(),
                Item::handling("shipping cost", "Standard", 495),
            ],
        ),
        platform(),
    );
    update.delivery_address = Some(shop_address());
    update.trackings = Some(vec![Tracking::Postal(PostalTracking {
        reference: "PKG-1".into(),
        carrier: "SEUR".into(),
        ..PostalTracking::default()
    })]);
    assert!(!update.is_cancellation());
    let value = serde_json::to_value(&update).unwrap();
    assert_eq!(
        value,
        json!({
            "merchant": {"id": "shop_es"},
            "merchant_reference": {"order_ref_1": "A14/12345"},
            "unshipped_cart": {"currency": "EUR", "gift": false, "order_total_with_tax": 2495, "items": [
                {"type": "product", "reference": "TEE-RED-M", "name": "Red T-shirt, M", "price_with_tax": 2495,
                 "quantity": 1, "total_with_tax": 2495, "downloadable": false}
            ]},
            "shipped_cart": {"currency": "EUR", "gift": false, "order_total_with_tax": 2990, "items": [
                {"type": "product", "reference": "TEE-RED-M", "name": "Red T-shirt, M", "price_with_tax": 2495,
                 "quantity": 1, "total_with_tax": 2495, "downloadable": false},
                {"type": "handling", "reference": "shipping cost", "name": "Standard", "total_with_tax": 495}
            ]},
            "platform": {"name": "BigCommerce", "version": "3", "uname": "Linux", "db_name": "postgresql", "db_version": "16"},
            "delivery_address": {"company": "", "address_line_1": "Calle Mayor 1", "address_line_2": "",
                                 "postal_code": "28013", "city": "Madrid", "country_code": "ES"},
            "trackings": [{"type": "postal", "reference": "PKG-1", "carrier": "SEUR"}]
        })
    );
    assert_eq!(
        serde_json::from_value::<OrderUpdate>(value).unwrap(),
        update
    );
}

#[test]
fn delivery_report_body() {
    let mut report = DeliveryReport::new("shop_es", platform());
    report.orders.push(DeliveredOrder {
        state: DeliveryState::Shipped,
        sent_at: Some("2031-04-03T18:00:00+02:00".into()),
        merchant_reference: MerchantReference {
            order_ref_1: "A14/12345".into(),
            order_ref_2: Some("1dc26b35".into()),
        },
        cart: Cart::new("EUR", vec![tee(1).into()]),
        remaining_cart: Some(Cart::empty("EUR")),
        trackings: None,
        delivery_method: None,
        delivery_address: None,
        invoice_address: None,
        customer: None,
    });
    report.statistics = Some(Statistics {
        orders: vec![StatisticsOrder {
            completed_at: "2031-04-01T13:14:15+02:00".into(),
            amount: 9957,
            currency: "EUR".into(),
            merchant_reference: MerchantReference::new("A14/12000"),
            payment_method: Some("CC".into()),
            country: Some("ES".into()),
            device: None,
            status: Some("shipped".into()),
            raw_status: Some("Shipped".into()),
            sequra_offered: Some(true),
        }],
    });
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(
        value,
        json!({
            "merchant": {"id": "shop_es"},
            "orders": [{
                "state": "shipped",
                "sent_at": "2031-04-03T18:00:00+02:00",
                "merchant_reference": {"order_ref_1": "A14/12345", "order_ref_2": "1dc26b35"},
                "cart": {"currency": "EUR", "gift": false, "order_total_with_tax": 2495, "items": [
                    {"type": "product", "reference": "TEE-RED-M", "name": "Red T-shirt, M", "price_with_tax": 2495,
                     "quantity": 1, "total_with_tax": 2495, "downloadable": false}
                ]},
                "remaining_cart": {"currency": "EUR", "gift": false, "order_total_with_tax": 0, "items": []}
            }],
            "statistics": {"orders": [{
                "completed_at": "2031-04-01T13:14:15+02:00", "amount": 9957, "currency": "EUR",
                "merchant_reference": {"order_ref_1": "A14/12000"},
                "payment_method": "CC", "country": "ES", "status": "shipped", "raw_status": "Shipped",
                "sequra_offered": true
            }]},
            "platform": {"name": "BigCommerce", "version": "3", "uname": "Linux", "db_name": "postgresql", "db_version": "16"}
        })
    );
    assert_eq!(
        serde_json::from_value::<DeliveryReport>(value).unwrap(),
        report
    );
}
