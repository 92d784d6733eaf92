//! Nothing panics on input: garbage bodies, wrong types, huge numbers, missing fields,
//! bad uuids and odd paths all get a 4xx, and the simulator keeps answering.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Harness, product};

/// Garbage and near-miss bodies; `bad_state` is an `order.state` the endpoint refuses.
fn garbage_bodies(valid: &Value, bad_state: &str) -> Vec<String> {
    let mut bodies: Vec<String> = [
        "",
        "null",
        "[]",
        "42",
        "\"order\"",
        "{}",
        "{\"order\": null}",
        "{\"order\": []}",
        "{\"order\": {}}",
        "{\"order\": {\"cart\": 5}}",
        "{\"order\": {\"merchant\": {\"id\": 7}}}",
        "{\"order\": 1e999}",
        "\u{0}\u{1}\u{2}",
        "{\"a\":",
        "\u{feff}{}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    bodies.push("[".repeat(10_000));
    bodies.push(format!("{{\"order\": \"{}\"}}", "x".repeat(100_000)));
    let mutations: Vec<(&str, Value)> = vec![
        ("/order/cart/order_total_with_tax", json!(u64::MAX)),
        ("/order/cart/order_total_with_tax", json!(-1)),
        ("/order/cart/order_total_with_tax", json!(1.5)),
        ("/order/cart/order_total_with_tax", json!("5097")),
        ("/order/cart/order_total_with_tax", json!(i64::MIN)),
        ("/order/cart/items", json!("items")),
        ("/order/cart/items", json!([null, 1, "x", []])),
        ("/order/cart/items/0/total_with_tax", json!(i64::MAX)),
        ("/order/cart/items/0/quantity", json!(-3)),
        ("/order/cart/items/0/type", json!("spaceship")),
        ("/order/cart/items/0/type", json!(12)),
        ("/order/cart/items/1/total_with_tax", json!(i64::MIN)),
        ("/order/merchant", json!("demo_es")),
        ("/order/merchant/id", json!("")),
        ("/order/merchant/notify_url", json!("javascript:alert(1)")),
        (
            "/order/merchant/notification_parameters",
            json!({"a": {"b": 1}}),
        ),
        ("/order/merchant/events_webhook", json!({"url": 5})),
        ("/order/customer", json!([])),
        ("/order/customer/logged_in", json!("maybe")),
        ("/order/delivery_address/country_code", json!("Spain")),
        ("/order/gui/layout", json!("tv")),
        ("/order/state", json!(bad_state)),
        (
            "/order/merchant_reference",
            json!({"order_ref_1": {"x": 1}}),
        ),
        ("/order/platform", json!(null)),
        ("/order/shipped_cart/order_total_with_tax", json!(u64::MAX)),
        ("/order/shipped_cart/items/0/quantity", json!(1e300)),
        (
            "/order/shipped_cart/items/0/total_with_tax",
            json!(i64::MIN),
        ),
        ("/order/shipped_cart/currency", json!(["EUR"])),
        ("/order/unshipped_cart", json!(null)),
        ("/order/unshipped_cart/items", json!({})),
        ("/delivery_report/orders", json!("all")),
        ("/delivery_report/orders/0/state", json!(null)),
        ("/delivery_report/merchant/id", json!(false)),
        (
            "/store_integration",
            json!({"webhook_url": "nope", "capabilities": [1, 2]}),
        ),
    ];
    for (pointer, value) in mutations {
        let mut body = valid.clone();
        // Only mutations that apply to this kind of body.
        if let Some(slot) = body.pointer_mut(pointer) {
            *slot = value;
            bodies.push(body.to_string());
        }
    }
    bodies
}

fn acceptable(status: u16) -> bool {
    matches!(status, 400 | 403 | 404 | 405 | 409 | 413 | 415 | 422)
}

#[tokio::test]
async fn garbage_bodies_get_4xx_on_every_endpoint() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    let valid = h.order_body();
    let update = json!({"order": {
        "merchant": {"id": "demo_es"},
        "unshipped_cart": {"currency": "EUR", "order_total_with_tax": 0, "items": []},
        "shipped_cart": {"currency": "EUR", "order_total_with_tax": 5097, "items": [product("SKU-1", 4597, 1), {"type": "handling", "reference": "s", "name": "s", "total_with_tax": 500}]},
        "platform": {"name": "x", "version": "1", "uname": "", "db_name": "", "db_version": ""}
    }});
    let report = json!({"delivery_report": {"merchant": {"id": "demo_es"}, "orders": [{"state": "shipped"}], "platform": {"name": "x", "version": "1"}}});
    let targets: Vec<(Method, String, Vec<String>)> = vec![
        (
            Method::POST,
            "orders".to_owned(),
            garbage_bodies(&valid, "confirmed"),
        ),
        (
            Method::PUT,
            format!("orders/{uuid}"),
            garbage_bodies(&valid, "shipped"),
        ),
        (
            Method::PUT,
            "merchants/demo_es/orders/A1001".to_owned(),
            garbage_bodies(&update, "x"),
        ),
        (
            Method::POST,
            "orders/delivery_reports".to_owned(),
            garbage_bodies(&report, "x"),
        ),
        (
            Method::POST,
            "store_integrations".to_owned(),
            garbage_bodies(&json!({"store_integration": {}}), "x"),
        ),
    ];
    let mut calls = 0;
    for (method, path, bodies) in targets {
        for body in bodies {
            let answer = h.call(method.clone(), &path, Some(&body)).await;
            calls += 1;
            assert!(
                acceptable(answer.status),
                "{method} {path} with {:.200} answered {}: {}",
                body,
                answer.status,
                answer.text
            );
        }
    }
    assert!(calls > 80, "{calls}");
    // Still alive, and the confirmed order is untouched.
    assert_eq!(h.get("merchants/credentials").await.status, 200);
    assert_eq!(
        h.sim.order(uuid).unwrap().state,
        sandbox::sequra::OrderState::Confirmed
    );
}

#[tokio::test]
async fn odd_paths_and_form_bodies_never_panic() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    let paths = [
        "orders/%00/payment_methods",
        "orders/%FF%FE/form_v2",
        "orders/../merchants/credentials",
        "orders//payment_methods",
        "merchants/%2F/credentials",
        "merchants/demo_es/orders/%FF",
        "merchants/demo_es/orders/A14%2F12345",
        "orders/00000000-0000-0000-0000-000000000000/form_v2?product=%00&campaign=%FF",
        "nothing/here",
        "portal/orders/%E2%88%9A",
    ];
    for path in paths {
        for method in [Method::GET, Method::PUT, Method::POST, Method::DELETE] {
            let answer = h.call(method.clone(), path, Some("{}")).await;
            assert!(answer.status < 500, "{method} {path}: {}", answer.status);
        }
    }
    let form = format!("orders/{uuid}/pumbaa_form");
    for body in [
        "%%%",
        "=&=&=",
        "given_names=%FF%FE&surnames=\u{0}",
        &"a=b&".repeat(10_000),
    ] {
        let answer = h
            .http
            .post(h.url(&form))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        assert!(answer.status().as_u16() < 500, "{body:.50}");
    }
    assert_eq!(h.get("merchants/credentials").await.status, 200);
}
