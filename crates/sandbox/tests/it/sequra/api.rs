//! Every endpoint: its success answer and its documented errors.

use reqwest::Method;
use sandbox::sequra::{
    Account, Category, DEMO_PASSWORD, DEMO_USERNAME, Fees, Merchant, OrderState, PaymentMethod,
};
use serde_json::{Value, json};

use super::{Harness, MERCHANT, basic, order_body, product};

const DENIED: &str = "HTTP Basic: Access denied.";

#[tokio::test]
async fn wrong_or_missing_credentials_are_401_plain_text_everywhere() {
    let h = Harness::new().await;
    let wrong = basic(DEMO_USERNAME, "nope");
    let garbage = "Basic !!!not-base64";
    let bearer = "Bearer abc";
    for path in [
        "merchants/credentials",
        "merchants/demo_es/credentials",
        "merchants/demo_es/payment_methods",
        "orders/00000000-0000-4000-8000-000000000000/payment_methods",
        "orders/00000000-0000-4000-8000-000000000000/form_v2",
    ] {
        for auth in [None, Some(wrong.as_str()), Some(garbage), Some(bearer)] {
            let answer = h.call_with(Method::GET, path, None, auth, None).await;
            assert_eq!(answer.status, 401, "{path} {auth:?}");
            assert_eq!(answer.text, DENIED);
            assert!(
                answer
                    .header("content-type")
                    .unwrap()
                    .starts_with("text/plain")
            );
        }
    }
    let answer = h
        .call_with(Method::POST, "orders", Some("{}"), Some(&wrong), None)
        .await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.text, DENIED);
}

#[tokio::test]
async fn credentials_list_the_accounts_merchants() {
    let h = Harness::new().await;
    // Not sent on merchants/credentials in real life; no header here.
    let answer = h
        .call_with(
            Method::GET,
            "merchants/credentials",
            None,
            Some(&basic(DEMO_USERNAME, DEMO_PASSWORD)),
            None,
        )
        .await;
    assert_eq!(answer.status, 200);
    let merchants = answer.json();
    let refs: Vec<&str> = merchants
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["demo_es", "demo_fr", "demo_it", "demo_pt"]);
    let es = &merchants[0];
    for key in [
        "ref",
        "name",
        "country",
        "allowed_countries",
        "currency",
        "assets_key",
        "contract_options",
        "extra_information",
        "verify_signature",
        "signature_secret",
        "confirmation_path",
        "realm",
    ] {
        assert!(es.get(key).is_some(), "missing {key}: {es}");
    }
    assert_eq!(es["country"], "ES");
    assert_eq!(es["currency"], "EUR");
    assert_eq!(es["contract_options"], json!(["services"]));
    assert_eq!(es["allowed_countries"], json!(["ES"]));
}

#[tokio::test]
async fn one_merchants_credentials_or_403() {
    let h = Harness::new().await;
    let answer = h.get("merchants/demo_fr/credentials").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()[0]["ref"], "demo_fr");

    let answer = h.get("merchants/test/credentials").await;
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.json(),
        json!({"errors": ["Bad merchant id 'test' for sequra_demo"]})
    );
}

#[tokio::test]
async fn a_merchant_header_naming_someone_elses_merchant_is_403_and_recorded() {
    let h = Harness::new().await;
    h.sim.add_account(Account {
        username: "other".to_owned(),
        password: "secret".to_owned(),
        merchants: vec![Merchant::new("other_es", "ES")],
    });
    let answer = h
        .call_with(
            Method::GET,
            "merchants/demo_es/payment_methods",
            None,
            Some(&basic(DEMO_USERNAME, DEMO_PASSWORD)),
            Some("other_es"),
        )
        .await;
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.errors(),
        ["Bad merchant id 'other_es' for sequra_demo"]
    );
    // The other account sees only its own merchant.
    let answer = h
        .call_with(
            Method::GET,
            "merchants/credentials",
            None,
            Some(&basic("other", "secret")),
            None,
        )
        .await;
    assert_eq!(answer.json().as_array().unwrap().len(), 1);

    let requests = h.sim.requests();
    let recorded = requests
        .iter()
        .find(|r| r.path == "/merchants/demo_es/payment_methods")
        .unwrap();
    assert_eq!(recorded.merchant_header.as_deref(), Some("other_es"));
    assert_eq!(recorded.username.as_deref(), Some(DEMO_USERNAME));
    assert_eq!(recorded.status, 403);
}

#[tokio::test]
async fn merchant_payment_methods_have_the_documented_shape() {
    let h = Harness::new().await;
    let answer = h.get("merchants/demo_es/payment_methods").await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    let options = body["payment_options"].as_array().unwrap();
    let categories: Vec<&str> = options
        .iter()
        .map(|o| o["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["pay_now", "pay_later", "part_payment"]);
    let pay_later = &options[1];
    assert_eq!(pay_later["title"], "Paga Después");
    let methods: Vec<(&str, Value)> = options
        .iter()
        .flat_map(|o| o["methods"].as_array().unwrap())
        .map(|m| (m["product"].as_str().unwrap(), m.clone()))
        .collect();
    let products: Vec<&str> = methods.iter().map(|(p, _)| *p).collect();
    assert_eq!(products, ["fp1", "i1", "pp5", "sp1", "pp3"]);
    let i1 = &methods[1].1;
    assert_eq!(i1["title"], "Paga Después");
    assert_eq!(i1["campaign"], Value::Null);
    assert_eq!(i1["min_amount"], 0);
    assert_eq!(i1["max_amount"], 150_000);
    assert_eq!(i1["starts_at"], "2000-02-22T21:22:00Z");
    assert_eq!(i1["ends_at"], "2222-02-22T21:22:00Z");
    assert_eq!(
        i1["cost"],
        json!({"setup_fee": 0, "instalment_fee": 0, "down_payment_fees": 0, "instalment_total": 0})
    );
    assert!(i1["icon"].as_str().unwrap().starts_with("<svg"));
    assert_eq!(methods[2].1["campaign"], "temporary");
    for key in [
        "long_title",
        "claim",
        "description",
        "cost_description",
        "widget",
        "info_widget",
    ] {
        assert!(i1.get(key).is_some(), "{key}");
    }
    // Localised per merchant country.
    let fr = h.get("merchants/demo_fr/payment_methods").await.json();
    assert_eq!(
        fr["payment_options"][1]["methods"][0]["title"],
        "Payer plus tard"
    );

    let answer = h.get("merchants/nope/payment_methods").await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.errors(), ["Bad merchant id 'nope' for sequra_demo"]);
}

#[tokio::test]
async fn create_order_answers_204_with_the_location_of_a_v4_uuid() {
    let h = Harness::new().await;
    let answer = h
        .call(Method::POST, "orders", Some(&h.order_body().to_string()))
        .await;
    assert_eq!(answer.status, 204, "{}", answer.text);
    assert!(answer.text.is_empty());
    let location = answer.header("location").unwrap();
    let prefix = format!("{}/orders/", h.spawned.base_url());
    assert!(location.starts_with(&prefix), "{location}");
    let uuid = uuid::Uuid::parse_str(&location[prefix.len()..]).unwrap();
    assert_eq!(uuid.get_version_num(), 4);
    let order = h.sim.order(uuid).unwrap();
    assert_eq!(order.state, OrderState::Solicited);
    assert_eq!(order.merchant_id, MERCHANT);
    assert_eq!(order.order_ref_1(), Some("A1001"));
    assert_eq!(order.solicited_cart.order_total_with_tax, 5097);
    assert_eq!(order.unshipped_cart.order_total_with_tax, 5097);
    assert!(order.shipped_cart.is_empty());
    assert_eq!(order.history[0].action, "POST orders");
}

#[tokio::test]
async fn create_order_with_items_not_adding_up_is_409_with_sequras_message() {
    let h = Harness::new().await;
    let mut body = h.order_body();
    body["order"]["cart"]["items"] = json!([
        product("a", 200, 1),
        {"type": "handling", "reference": "s", "name": "Shipping", "total_with_tax": 295},
        {"type": "discount", "reference": "d", "name": "Discount", "total_with_tax": -1500},
        product("b", 6060, 1),
    ]);
    let answer = h
        .call(Method::POST, "orders", Some(&body.to_string()))
        .await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.json(),
        json!({"errors": ["Invalid data: items' total_with_tax add up to 5055 (200+295+-1500+6060) but order_total_with_tax is 5097. The diff is 42."]})
    );
    assert!(h.sim.orders().is_empty());
}

#[tokio::test]
async fn create_order_with_malformed_json_is_400() {
    let h = Harness::new().await;
    for body in ["{", "not json", "{\"order\": }", ""] {
        let answer = h.call(Method::POST, "orders", Some(body)).await;
        assert_eq!(answer.status, 400, "{body:?}: {}", answer.text);
        assert!(
            answer.errors()[0].starts_with("Malformed JSON"),
            "{}",
            answer.text
        );
    }
}

#[tokio::test]
async fn create_order_with_missing_blocks_lists_each_problem() {
    let h = Harness::new().await;
    let mut body = h.order_body();
    let order = body["order"].as_object_mut().unwrap();
    for key in [
        "delivery_method",
        "customer",
        "gui",
        "platform",
        "invoice_address",
    ] {
        order.remove(key);
    }
    order["merchant"]["notify_url"] = json!("not a url");
    let answer = h
        .call(Method::POST, "orders", Some(&body.to_string()))
        .await;
    assert_eq!(answer.status, 409);
    let errors = answer.errors();
    for expected in [
        "Invalid data: order.merchant.notify_url is not a valid URL: 'not a url'",
        "Invalid data: order.invoice_address is missing",
        "Invalid data: order.customer is missing",
        "Invalid data: order.delivery_method is missing",
        "Invalid data: order.gui is missing",
        "Invalid data: order.platform is missing",
    ] {
        assert!(
            errors.iter().any(|e| e == expected),
            "{expected} not in {errors:?}"
        );
    }
}

#[tokio::test]
async fn create_order_refuses_other_currencies_and_foreign_merchants() {
    let h = Harness::new().await;
    let mut body = h.order_body();
    body["order"]["cart"]["currency"] = json!("USD");
    let answer = h
        .call(Method::POST, "orders", Some(&body.to_string()))
        .await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.errors(),
        ["Invalid data: order.cart.currency 'USD' is not supported (only EUR)"]
    );

    let mut body = h.order_body();
    body["order"]["merchant"]["id"] = json!("someone_else");
    let answer = h
        .call(Method::POST, "orders", Some(&body.to_string()))
        .await;
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.errors(),
        ["Bad merchant id 'someone_else' for sequra_demo"]
    );
}

#[tokio::test]
async fn order_payment_methods_are_filtered_and_costed_for_the_amount() {
    let h = Harness::new().await;
    let uuid = h.create_default().await; // 50.97 €
    let answer = h.get(&format!("orders/{uuid}/payment_methods")).await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    let methods: Vec<&Value> = body["payment_options"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["methods"].as_array().unwrap())
        .collect();
    let find = |p: &str| methods.iter().find(|m| m["product"] == p).copied();
    // The fixture's costs for 50.97 €.
    assert_eq!(
        find("pp3").unwrap()["cost"],
        json!({"setup_fee": 0, "instalment_fee": 300, "down_payment_fees": 300, "instalment_total": 724})
    );
    assert_eq!(
        find("pp5").unwrap()["cost"],
        json!({"setup_fee": 295, "instalment_fee": 0, "down_payment_fees": 295, "instalment_total": 5097})
    );
    assert_eq!(find("pp5").unwrap()["cost_description"], "+ 2,95 €");
    assert_eq!(find("pp3").unwrap()["cost_description"], "7,24 €/mes");
    assert!(find("i1").unwrap().get("min_amount").is_none());

    // 10 €: below sp1/pp3/pp5 minimums.
    let small = h.create(&order_body(&h.shop.base_url, "A2", 1000)).await;
    let body = h
        .get(&format!("orders/{small}/payment_methods"))
        .await
        .json();
    let products: Vec<&str> = body["payment_options"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["methods"].as_array().unwrap())
        .map(|m| m["product"].as_str().unwrap())
        .collect();
    assert_eq!(products, ["fp1", "i1"]);
}

#[tokio::test]
async fn order_payment_methods_follow_date_windows_on_the_clock() {
    let h = Harness::new().await;
    let now = h.clock.now();
    let method = |product: &str, starts: i64, ends: i64| PaymentMethod {
        product: product.to_owned(),
        campaign: Some(format!("{product}-campaign")),
        category: Category::PayLater,
        category_title: "Paga Después".to_owned(),
        category_description: None,
        title: product.to_owned(),
        long_title: product.to_owned(),
        claim: None,
        description: None,
        min_amount: 0,
        max_amount: None,
        starts_at: now + chrono::Duration::days(starts),
        ends_at: now + chrono::Duration::days(ends),
        fees: Fees::Fixed { fee: 100 },
    };
    h.sim.set_payment_methods(
        MERCHANT,
        vec![
            method("current", -1, 1),
            method("future", 2, 4),
            method("past", -5, -2),
        ],
    );
    let uuid = h.create_default().await;
    let products = |body: Value| -> Vec<String> {
        body["payment_options"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|o| o["methods"].as_array().unwrap().clone())
            .map(|m| m["product"].as_str().unwrap().to_owned())
            .collect()
    };
    let path = format!("orders/{uuid}/payment_methods");
    assert_eq!(products(h.get(&path).await.json()), ["current"]);
    h.advance(3 * 86_400);
    assert_eq!(products(h.get(&path).await.json()), ["future"]);
    // The merchant endpoint lists the whole catalogue.
    let all = products(h.get("merchants/demo_es/payment_methods").await.json());
    assert_eq!(all, ["current", "future", "past"]);
}

#[tokio::test]
async fn unknown_or_foreign_orders_are_bad_order_ids() {
    let h = Harness::new().await;
    for id in ["test", "00000000-0000-4000-8000-000000000000"] {
        let answer = h.get(&format!("orders/{id}/payment_methods")).await;
        assert_eq!(answer.status, 403);
        assert_eq!(
            answer.errors(),
            [format!("Bad order id '{id}' for sequra_demo")]
        );
    }
    // Another account's order.
    let uuid = h.create_default().await;
    h.sim.add_account(Account {
        username: "other".to_owned(),
        password: "pw".to_owned(),
        merchants: vec![Merchant::new("other_es", "ES")],
    });
    let answer = h
        .call_with(
            Method::GET,
            &format!("orders/{uuid}/payment_methods"),
            None,
            Some(&basic("other", "pw")),
            None,
        )
        .await;
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.errors(),
        [format!("Bad order id '{uuid}' for other")]
    );
}

#[tokio::test]
async fn acknowledge_confirms_an_approved_order() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.shop.set_mode(super::ShopMode::JustAnswer);
    h.sim.flush().await;
    let answer = h.acknowledge(uuid, "confirmed", "A1001").await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let order = h.sim.order(uuid).unwrap();
    assert_eq!(order.state, OrderState::Confirmed);
    assert_eq!(
        order.merchant_reference.unwrap().order_ref_2.as_deref(),
        Some("cart-77")
    );
    assert_eq!(order.confirmed_cart.unwrap().order_total_with_tax, 5097);
    // Idempotent.
    assert_eq!(h.acknowledge(uuid, "confirmed", "A1001").await.status, 200);
}

#[tokio::test]
async fn acknowledge_errors() {
    let h = Harness::new().await;
    h.shop.set_mode(super::ShopMode::JustAnswer);
    // Unknown order: 404.
    let body = order_body(&h.shop.base_url, "A1", 5097);
    let answer = h
        .call(
            Method::PUT,
            "orders/00000000-0000-4000-8000-000000000000",
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(answer.status, 404);

    // Not approved yet: 409.
    let uuid = h.create_default().await;
    let answer = h.acknowledge(uuid, "confirmed", "A1001").await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.errors(),
        ["Invalid data: the order is solicited; it cannot be confirmed"]
    );

    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    // A state other than confirmed/on_hold.
    let mut body = super::acknowledgement(&h.sim, uuid, "cancelled", "A1001");
    let answer = h
        .call(
            Method::PUT,
            &format!("orders/{uuid}"),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.errors(),
        ["Invalid data: order.state 'cancelled' must be confirmed or on_hold"]
    );

    // Cart total changed since approval.
    body = super::acknowledgement(&h.sim, uuid, "confirmed", "A1001");
    body["order"]["cart"]["order_total_with_tax"] = json!(6000);
    body["order"]["cart"]["items"][0]["total_with_tax"] = json!(5500);
    body["order"]["cart"]["items"][0]["price_with_tax"] = json!(5500);
    let answer = h
        .call(
            Method::PUT,
            &format!("orders/{uuid}"),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.errors(),
        [
            "Invalid data: the cart's order_total_with_tax 6000 differs from the approved 5097. The diff is 903."
        ]
    );

    // order_ref_1 already used by another confirmed order of the merchant.
    let other = h.create_default().await;
    h.sim.approve(other).unwrap();
    h.sim.flush().await;
    assert_eq!(h.acknowledge(other, "confirmed", "A1001").await.status, 200);
    let answer = h.acknowledge(uuid, "confirmed", "A1001").await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.errors(),
        [
            "Invalid data: order_ref_1 'A1001' is already used by another order of merchant 'demo_es'"
        ]
    );
    assert_eq!(h.acknowledge(uuid, "confirmed", "A1002").await.status, 200);

    // Malformed: 400.
    let answer = h
        .call(Method::PUT, &format!("orders/{uuid}"), Some("{oops"))
        .await;
    assert_eq!(answer.status, 400);
    // Every call is in the order's history.
    let history = h.sim.order(uuid).unwrap().history;
    assert!(
        history
            .iter()
            .filter(|e| e.action == "PUT orders/{uuid}")
            .count()
            >= 5
    );
}

/// A confirmed order with 2 × SKU-1 at 20 € and 5 € shipping (45 €), ref `R1`.
async fn confirmed(h: &Harness) -> uuid::Uuid {
    let mut body = order_body(&h.shop.base_url, "R1", 4500);
    body["order"]["cart"]["items"] = json!([
        product("SKU-1", 2000, 2),
        {"type": "handling", "reference": "shipping cost", "name": "Shipping cost", "total_with_tax": 500}
    ]);
    let uuid = h.create(&body).await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Confirmed);
    uuid
}

fn update(shipped: Value, unshipped: Value) -> Value {
    let cart = |items: Value| {
        let total: i64 = items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["total_with_tax"].as_i64().unwrap())
            .sum();
        json!({"currency": "EUR", "gift": false, "order_total_with_tax": total, "items": items})
    };
    json!({"order": {
        "merchant": {"id": MERCHANT},
        "merchant_reference": {"order_ref_1": "R1"},
        "shipped_cart": cart(shipped),
        "unshipped_cart": cart(unshipped),
        "platform": {"name": "BigCommerce", "version": "3", "uname": "", "db_name": "", "db_version": ""}
    }})
}

fn shipping() -> Value {
    json!({"type": "handling", "reference": "shipping cost", "name": "Shipping cost", "total_with_tax": 500})
}

#[tokio::test]
async fn order_updates_ship_partially_then_fully_and_keep_history() {
    let h = Harness::new().await;
    let uuid = confirmed(&h).await;
    let path = "merchants/demo_es/orders/R1";
    let partial = update(
        json!([product("SKU-1", 2000, 1), shipping()]),
        json!([product("SKU-1", 2000, 1)]),
    );
    let answer = h.call(Method::PUT, path, Some(&partial.to_string())).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    let order = h.sim.order(uuid).unwrap();
    assert_eq!(order.shipped_cart.order_total_with_tax, 2500);
    assert_eq!(order.unshipped_cart.order_total_with_tax, 2000);

    let full = update(json!([product("SKU-1", 2000, 2), shipping()]), json!([]));
    assert_eq!(
        h.call(Method::PUT, path, Some(&full.to_string()))
            .await
            .status,
        200
    );
    // A partial return shrinks the shipped cart.
    let returned = update(json!([product("SKU-1", 2000, 1), shipping()]), json!([]));
    assert_eq!(
        h.call(Method::PUT, path, Some(&returned.to_string()))
            .await
            .status,
        200
    );
    let order = h.sim.order(uuid).unwrap();
    assert_eq!(order.state, OrderState::Confirmed);
    assert_eq!(order.shipped_cart.order_total_with_tax, 2500);
    assert!(order.unshipped_cart.is_empty());
    assert_eq!(order.updates.len(), 3);
    assert!(order.updates.iter().all(|u| u.status == 200));

    // The portal shows it.
    let portal = h
        .browser(Method::GET, &format!("portal/orders/{uuid}"), None)
        .await;
    assert_eq!(portal.status, 200);
    assert!(
        portal.text.contains("<dd id=\"state\">confirmed</dd>"),
        "{}",
        portal.text
    );
    assert!(portal.text.contains("Shipped cart"));
    assert!(portal.text.contains("25,00 €"));
    let index = h.browser(Method::GET, "portal", None).await;
    assert!(index.text.contains(&uuid.to_string()));
}

#[tokio::test]
async fn order_update_with_both_carts_empty_cancels() {
    let h = Harness::new().await;
    let uuid = confirmed(&h).await;
    let path = "merchants/demo_es/orders/R1";
    let cancel = update(json!([]), json!([]));
    assert_eq!(
        h.call(Method::PUT, path, Some(&cancel.to_string()))
            .await
            .status,
        200
    );
    let order = h.sim.order(uuid).unwrap();
    assert_eq!(order.state, OrderState::Cancelled);
    // Repeating the cancellation is fine; anything else is refused.
    assert_eq!(
        h.call(Method::PUT, path, Some(&cancel.to_string()))
            .await
            .status,
        200
    );
    let ship = update(json!([product("SKU-1", 2000, 2), shipping()]), json!([]));
    let answer = h.call(Method::PUT, path, Some(&ship.to_string())).await;
    assert_eq!(answer.status, 409);
    assert_eq!(answer.errors(), ["Invalid data: the order is cancelled"]);
}

#[tokio::test]
async fn order_update_errors() {
    let h = Harness::new().await;
    let uuid = confirmed(&h).await;
    let path = "merchants/demo_es/orders/R1";

    // Unknown reference: 404; foreign merchant: 403.
    let body = update(json!([]), json!([product("SKU-1", 2000, 2), shipping()]));
    let answer = h
        .call(
            Method::PUT,
            "merchants/demo_es/orders/NOPE",
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(answer.status, 404);
    assert_eq!(
        answer.errors(),
        ["Order with order_ref_1 'NOPE' not found for merchant 'demo_es'"]
    );
    let answer = h
        .call(
            Method::PUT,
            "merchants/zz/orders/R1",
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(answer.status, 403);

    // More than confirmed in total.
    let more = update(
        json!([product("SKU-1", 2000, 2), shipping()]),
        json!([shipping()]),
    );
    let answer = h.call(Method::PUT, path, Some(&more.to_string())).await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.errors(),
        [
            "Invalid data: shipped_cart and unshipped_cart add up to 5000 but the confirmed order_total_with_tax is 4500"
        ]
    );

    // A product's quantity above the ordered one (total still fits).
    let quantity = update(json!([product("SKU-1", 1000, 3)]), json!([]));
    let answer = h.call(Method::PUT, path, Some(&quantity.to_string())).await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.errors(),
        ["Invalid data: quantity 3 of 'SKU-1' exceeds the ordered quantity 2"]
    );

    // A cart whose items do not add up.
    let mut bad_sum = update(json!([product("SKU-1", 2000, 2), shipping()]), json!([]));
    bad_sum["order"]["shipped_cart"]["order_total_with_tax"] = json!(4000);
    let answer = h.call(Method::PUT, path, Some(&bad_sum.to_string())).await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.errors(),
        [
            "Invalid data: shipped_cart: items' total_with_tax add up to 4500 (4000+500) but order_total_with_tax is 4000. The diff is -500."
        ]
    );

    // Malformed.
    let answer = h.call(Method::PUT, path, Some("[")).await;
    assert_eq!(answer.status, 400);

    // Rejected updates are in the history, the carts are untouched.
    let order = h.sim.order(uuid).unwrap();
    let statuses: Vec<u16> = order.updates.iter().map(|u| u.status).collect();
    assert_eq!(statuses, [409, 409, 409, 400]);
    assert_eq!(order.unshipped_cart.order_total_with_tax, 4500);
}

#[tokio::test]
async fn updating_an_on_hold_order_is_404_even_to_cancel() {
    let h = Harness::new().await;
    let uuid = h.create(&order_body(&h.shop.base_url, "R1", 4500)).await;
    h.sim.review(uuid).unwrap();
    h.sim.flush().await;
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::OnHold);
    let cancel = update(json!([]), json!([]));
    let answer = h
        .call(
            Method::PUT,
            "merchants/demo_es/orders/R1",
            Some(&cancel.to_string()),
        )
        .await;
    assert_eq!(answer.status, 404);
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::OnHold);
}

#[tokio::test]
async fn delivery_reports() {
    let h = Harness::new().await;
    let report = |state: &str| {
        json!({"delivery_report": {
            "merchant": {"id": MERCHANT},
            "orders": [{
                "state": state, "sent_at": "2222-02-02T22:22:22+01:00",
                "merchant_reference": {"order_ref_1": "R1"},
                "cart": {"currency": "EUR", "order_total_with_tax": 30, "items": [product("x", 30, 1)]}
            }],
            "platform": {"name": "BigCommerce", "version": "3"}
        }})
    };
    for state in ["shipped", "delivered"] {
        let answer = h
            .call(
                Method::POST,
                "orders/delivery_reports",
                Some(&report(state).to_string()),
            )
            .await;
        assert_eq!(answer.status, 204, "{}", answer.text);
    }
    let minimal = json!({"delivery_report": {"merchant": {"id": MERCHANT}, "orders": [], "platform": {"name": "BigCommerce", "version": "3"}}});
    let answer = h
        .call(
            Method::POST,
            "orders/delivery_reports",
            Some(&minimal.to_string()),
        )
        .await;
    assert_eq!(answer.status, 204);
    assert_eq!(h.sim.delivery_reports().len(), 3);

    let answer = h
        .call(
            Method::POST,
            "orders/delivery_reports",
            Some(&report("lost").to_string()),
        )
        .await;
    assert_eq!(answer.status, 409);
    assert_eq!(
        answer.errors(),
        ["Invalid data: delivery_report.orders[0].state 'lost' must be shipped or delivered"]
    );
    let mut foreign = minimal.clone();
    foreign["delivery_report"]["merchant"]["id"] = json!("zz");
    let answer = h
        .call(
            Method::POST,
            "orders/delivery_reports",
            Some(&foreign.to_string()),
        )
        .await;
    assert_eq!(answer.status, 403);
}

#[tokio::test]
async fn form_v2_returns_the_iframe_snippet_or_a_404_page() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    let answer = h
        .get(&format!(
            "orders/{uuid}/form_v2?product=pp5&campaign=temporary&ajax=1"
        ))
        .await;
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let base = h.spawned.base_url();
    let expected_src =
        format!("{base}/orders/{uuid}/pumbaa_form?product=pp5&amp;campaign=temporary");
    assert!(answer.text.contains(&expected_src), "{}", answer.text);
    assert!(answer.text.contains("id='sq-identification-pp5'"));
    assert!(
        answer
            .text
            .contains("window.SequraFormElement = 'sq-identification-pp5';")
    );
    assert!(answer.text.contains(&format!(
        "<script src='{base}/assets/sequra_form.js'></script>"
    )));

    // Defaults: product i1.
    let answer = h.get(&format!("orders/{uuid}/form_v2")).await;
    assert!(
        answer.text.contains("pumbaa_form?product=i1\""),
        "{}",
        answer.text
    );

    // The script defines SequraFormInstance.
    let script = h.browser(Method::GET, "assets/sequra_form.js", None).await;
    assert_eq!(script.status, 200);
    assert!(
        script
            .header("content-type")
            .unwrap()
            .contains("javascript")
    );
    for needle in [
        "window.SequraFormInstance",
        "show:",
        "setCloseCallback",
        "addEventListener('message'",
    ] {
        assert!(script.text.contains(needle), "{needle}");
    }

    for path in [
        "orders/00000000-0000-4000-8000-000000000000/form_v2".to_owned(),
        "orders/garbage/form_v2".to_owned(),
        format!("orders/{uuid}/form_v2?product=zz9"),
        format!("orders/{uuid}/form_v2?product=pp5&campaign=nope"),
    ] {
        let answer = h.get(&path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(
            answer
                .text
                .contains("The page you were looking for doesn't exist.")
        );
        assert!(
            answer
                .header("content-type")
                .unwrap()
                .starts_with("text/html")
        );
    }
}

#[tokio::test]
async fn deployments_and_store_integrations() {
    let h = Harness::new().await;
    let answer = h
        .call_with(Method::GET, "deployments", None, None, None)
        .await;
    assert_eq!(answer.status, 200);
    let base = format!("{}/", h.spawned.base_url());
    assert_eq!(answer.json()[0]["sandbox"]["api_base_url"], json!(base));

    let body = json!({"store_integration": {"webhook_url": "https://shop.example/sequra/config-webhook?storeId=1", "capabilities": ["general", "order-status"]}});
    let answer = h
        .call(Method::POST, "store_integrations", Some(&body.to_string()))
        .await;
    assert_eq!(answer.status, 204);
    assert!(
        answer
            .header("location")
            .unwrap()
            .ends_with("/store_integrations/1")
    );
    let encoded: String = url::form_urlencoded::byte_serialize(
        b"https://shop.example/sequra/config-webhook?storeId=1",
    )
    .collect();
    let answer = h
        .call(
            Method::DELETE,
            &format!("store_integrations/{encoded}"),
            None,
        )
        .await;
    assert_eq!(answer.status, 204);
    assert!(h.sim.store_integrations()[0].deleted);
    let bad = json!({"store_integration": {"webhook_url": "x", "capabilities": []}});
    let answer = h
        .call(Method::POST, "store_integrations", Some(&bad.to_string()))
        .await;
    assert_eq!(answer.status, 409);
}

#[tokio::test]
async fn injected_failures_latency_and_their_path_prefix() {
    let h = Harness::new().await;
    h.sim
        .fail_next_for("merchants/demo_es/payment_methods", 2, 503);
    h.sim.fail_next(1, 500);
    // The prefixed rule comes first for its path; other paths get the general one.
    assert_eq!(h.get("merchants/demo_es/payment_methods").await.status, 503);
    assert_eq!(h.get("merchants/credentials").await.status, 500);
    assert_eq!(h.get("merchants/credentials").await.status, 200);
    assert_eq!(h.get("merchants/demo_es/payment_methods").await.status, 503);
    assert_eq!(h.get("merchants/demo_es/payment_methods").await.status, 200);

    h.sim.set_latency(Some(std::time::Duration::from_millis(1)));
    assert_eq!(h.get("merchants/credentials").await.status, 200);
    h.sim.fail_next(5, 502);
    h.sim.reset_faults();
    assert_eq!(h.get("merchants/credentials").await.status, 200);
    let statuses: Vec<u16> = h.sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 500, 200, 503, 200, 200, 200]);
}

#[tokio::test]
async fn overlapping_writes_to_one_path_are_counted() {
    let h = Harness::new().await;
    let uuid = confirmed(&h).await;
    let path = format!("merchants/{MERCHANT}/orders/{uuid}");
    let body = update(json!([]), json!([])).to_string();
    // One after the other: never more than one at a time.
    h.call(Method::PUT, &path, Some(&body)).await;
    let overlap = h.sim.write_overlap();
    assert_eq!(overlap.get(&format!("/{path}")), Some(&1), "{overlap:?}");
    // Two at once, held by latency long enough to meet.
    h.sim
        .set_latency(Some(std::time::Duration::from_millis(200)));
    let (a, b) = tokio::join!(
        h.call(Method::PUT, &path, Some(&body)),
        h.call(Method::PUT, &path, Some(&body))
    );
    assert!(a.status > 0 && b.status > 0);
    let overlap = h.sim.write_overlap();
    assert_eq!(overlap.get(&format!("/{path}")), Some(&2), "{overlap:?}");
    // Reads are not writes.
    assert!(!overlap.keys().any(|p| p.ends_with("payment_methods")));
}
