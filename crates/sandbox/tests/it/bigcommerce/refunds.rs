//! Refund quotes, refunds (by quantity and by amount, to the payment provider or store
//! credit), their statuses, events and transactions.

use reqwest::StatusCode;
use sandbox::bigcommerce::domain::checkout::{NewCheckout, NewLine, OfflineMethod, Placement};
use sandbox::bigcommerce::domain::refunds::RefundItemRequest;
use sandbox::bigcommerce::model::{Address, RefundItemType, ShippingOption};
use serde_json::{Value, json};

use super::{Harness, assert_totals_add_up, fixture};

/// The fixtures' order: placed on the storefront with 20.00 store credit and 95.00 by the
/// `cod` method renamed "SeQura", then approved.
async fn placed_order(h: &Harness) -> i64 {
    let order_id = h
        .sim
        .place_order(
            "abc123",
            &h.ex.checkout_id,
            Placement::offline(OfflineMethod::example(), true),
        )
        .unwrap();
    h.put(&format!("/v2/orders/{order_id}"), json!({"status_id": 11}))
        .await;
    order_id
}

#[tokio::test]
async fn the_quote_offers_the_original_method_store_credit_and_custom() {
    let h = Harness::new().await;
    let order_id = placed_order(&h).await;
    let reply = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            fixture("refund-quote-request.json"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    assert_eq!(reply.body, fixture("refund-quote-response.json"));
    // No state change, no event.
    assert!(h.sim.refunds("abc123", order_id).is_empty());
}

#[tokio::test]
async fn a_refund_must_match_a_quote_option() {
    let h = Harness::new().await;
    let order_id = placed_order(&h).await;
    let path = format!("/v3/orders/{order_id}/payment_actions/refunds");
    let item = json!([{"item_type": "PRODUCT", "item_id": 301, "quantity": 1}]);
    for payments in [
        json!([{"provider_id": "cod", "amount": 20, "offline": true}]),
        json!([{"provider_id": "bankdeposit", "amount": 25, "offline": true}]),
        json!([{"provider_id": "cod", "amount": 12.5}, {"provider_id": "storecredit", "amount": 12.5}]),
        json!([]),
    ] {
        let reply = h
            .post(&path, json!({"items": item, "payments": payments}))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{payments}");
        assert_eq!(reply.body["data"][0]["status"], 422, "{}", reply.raw);
        assert!(reply.body["data"][0]["title"].is_string());
    }
    let too_many = h
        .post(&path, json!({"items": [{"item_type": "PRODUCT", "item_id": 301, "quantity": 3}], "payments": [{"provider_id": "custom", "amount": 75}]}))
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(h.sim.refunds("abc123", order_id).is_empty());
    assert_eq!(
        h.get(&format!("/v2/orders/{order_id}")).await.body["status_id"],
        11
    );
}

#[tokio::test]
async fn a_product_refund_to_the_provider_updates_quantities_status_and_fires_events() {
    let h = Harness::new().await;
    let order_id = placed_order(&h).await;
    let mark = h.sim.mark();
    let reply = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refunds"),
            fixture("refund-create-request.json"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    let want = fixture("refund-create-response.json")["data"].clone();
    let got = &reply.body["data"];
    for key in [
        "id",
        "order_id",
        "reason",
        "total_amount",
        "total_tax",
        "uses_merchant_override_values",
        "items",
    ] {
        assert_eq!(got[key], want[key], "{key}");
    }
    for key in [
        "id",
        "provider_id",
        "amount",
        "offline",
        "is_declined",
        "declined_message",
    ] {
        assert_eq!(
            got["payments"][0][key], want["payments"][0][key],
            "payments.{key}"
        );
    }
    let refund_id = got["id"].as_i64().unwrap();
    assert_eq!(
        h.scopes_since(mark),
        [
            "store/order/refund/created",
            "store/order/transaction/created",
            "store/order/statusUpdated",
            "store/order/updated",
        ]
    );
    assert_eq!(
        h.events_since(mark)[0].1,
        json!({"type": "order", "id": order_id, "refund": {"refund_id": refund_id}})
    );
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["status_id"], 14);
    assert_eq!(order["total_inc_tax"], "115.0000");
    assert_eq!(order["refunded_amount"], "0.0000");
    let products = h.get(&format!("/v2/orders/{order_id}/products")).await.body;
    assert_eq!(products[0]["quantity_refunded"], 1);
    assert_eq!(products[0]["is_refunded"], false);

    // The three ways of reading it back.
    let by_id = h
        .get(&format!("/v3/orders/payment_actions/refunds/{refund_id}"))
        .await;
    assert_eq!(
        by_id.body["data"]["items"],
        fixture("refund-get-response.json")["data"]["items"]
    );
    let of_order = h
        .get(&format!("/v3/orders/{order_id}/payment_actions/refunds"))
        .await;
    assert_eq!(of_order.body["data"][0]["id"], refund_id);
    let all = h
        .get(&format!(
            "/v3/orders/payment_actions/refunds?order_id:in={order_id}"
        ))
        .await;
    assert_eq!(all.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(all.body["meta"]["pagination"]["total"], 1);
    assert_eq!(
        h.get("/v3/orders/payment_actions/refunds?order_id:in=1")
            .await
            .body["data"],
        json!([])
    );
    assert_eq!(
        h.get("/v3/orders/payment_actions/refunds?created:min=nope")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    // A refund transaction was written.
    let transactions = h
        .get(&format!("/v3/orders/{order_id}/transactions"))
        .await
        .body;
    let last = transactions["data"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (
            last["event"].clone(),
            last["gateway"].clone(),
            last["amount"].clone()
        ),
        (json!("refund"), json!("cod"), json!(25))
    );

    // The next quote offers what is left of the `cod` payment, then the store credit.
    let quote = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            json!({"items": [
                {"item_type": "PRODUCT", "item_id": 301, "quantity": 1},
                {"item_type": "PRODUCT", "item_id": 302, "quantity": 1},
                {"item_type": "SHIPPING", "item_id": 151, "amount": 5}
            ]}),
        )
        .await;
    assert_eq!(quote.body["data"]["total_refund_amount"], 90);
    assert_eq!(
        quote.body["data"]["refund_methods"][0],
        json!([{"provider_id": "cod", "provider_description": "SeQura", "amount": 70, "offline": true, "offline_provider": true, "offline_reason": "This is an offline payment provider."},
               {"provider_id": "storecredit", "provider_description": "Store Credit", "amount": 20, "offline": false, "offline_provider": false, "offline_reason": ""}])
    );
    // Refunding everything left: Refunded (4), store credit back to the customer.
    let reply = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refunds"),
            json!({
                "items": [
                    {"item_type": "PRODUCT", "item_id": 301, "quantity": 1},
                    {"item_type": "PRODUCT", "item_id": 302, "quantity": 1},
                    {"item_type": "SHIPPING", "item_id": 151, "amount": 5}
                ],
                "payments": [{"provider_id": "storecredit", "amount": 20}, {"provider_id": "cod", "amount": 70, "offline": true}]
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["status_id"], 4);
    assert_eq!(order["total_inc_tax"], "115.0000");
    assert_totals_add_up(&order);
    assert_eq!(
        h.sim
            .customer("abc123", h.ex.customer_id)
            .unwrap()
            .store_credit_cents,
        2_000
    );
    let products = h.get(&format!("/v2/orders/{order_id}/products")).await.body;
    assert_eq!(products[0]["is_refunded"], true);
    // Nothing is left.
    let nothing = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            json!({"items": [{"item_type": "ORDER", "item_id": order_id, "amount": 0.01}]}),
        )
        .await;
    assert_eq!(nothing.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn store_credit_cannot_be_refunded_to_a_guest() {
    let h = Harness::new().await;
    let checkout_id = h
        .sim
        .create_checkout(
            "abc123",
            NewCheckout {
                email: Some("guest@example.es".into()),
                items: vec![NewLine {
                    product_id: h.ex.products[0],
                    quantity: 1,
                }],
                billing_address: Some(Address::example()),
                shipping_address: Some(Address::example()),
                shipping_option: Some(ShippingOption::example()),
                ..NewCheckout::default()
            },
        )
        .unwrap();
    let order_id = h
        .sim
        .place_order(
            "abc123",
            &checkout_id,
            Placement::offline(OfflineMethod::example(), true),
        )
        .unwrap();
    let quote = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            json!({"items": [{"item_type": "PRODUCT", "item_id": 301, "quantity": 1}]}),
        )
        .await;
    let methods: Vec<Value> = quote.body["data"]["refund_methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m[0]["provider_id"].clone())
        .collect();
    assert_eq!(methods, [json!("cod"), json!("custom")]);
    let reply = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refunds"),
            json!({"items": [{"item_type": "PRODUCT", "item_id": 301, "quantity": 1}], "payments": [{"provider_id": "storecredit", "amount": 25}]}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.body,
        fixture("refund-create-error-422-guest-store-credit.json")
    );
    assert!(
        h.sim
            .refund_items(
                "abc123",
                order_id,
                vec![RefundItemRequest::product(301, 1)],
                true
            )
            .is_err()
    );
}

#[tokio::test]
async fn amount_refunds_of_shipping_and_order_level() {
    let h = Harness::new().await;
    let order_id = placed_order(&h).await;
    let reply = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refunds"),
            fixture("refund-create-request-shipping-and-order-level.json"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    let data = &reply.body["data"];
    assert_eq!(data["total_amount"], 7.5);
    // Only the shipping part carries tax (5.00 incl. 21 %); the ORDER amount is tax-exempt.
    assert_eq!(data["total_tax"], 0.87);
    assert_eq!(data["items"][0]["requested_amount"], 5);
    let refund_id = data["id"].as_i64().unwrap();
    // The by-id endpoint declares requested_amount a string.
    let by_id = h
        .get(&format!("/v3/orders/payment_actions/refunds/{refund_id}"))
        .await;
    assert_eq!(by_id.body["data"]["items"][0]["requested_amount"], "5.00");
    // Shipping cannot be refunded twice.
    let again = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            json!({"items": [{"item_type": "SHIPPING", "item_id": 151, "amount": 1}]}),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    for bad in [
        json!({"items": [{"item_type": "FEE", "item_id": 1, "amount": 1}]}),
        json!({"items": [{"item_type": "WRAPPING", "item_id": 1}]}),
        json!({"items": [{"item_type": "PRODUCT", "item_id": 301}]}),
        json!({"items": [{"item_type": "ORDER", "item_id": 999, "amount": 1}]}),
        json!({"tax_adjustment_amount": 1}),
        json!({"items": [{"item_type": "PRODUCT", "item_id": 301, "quantity": 1, "adjustments": [{"amount": 5}]}]}),
    ] {
        let reply = h
            .post(
                &format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
                bad.clone(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(reply.body["status"], 422);
    }
    // An adjustment lowers a product refund.
    let adjusted = h
        .post(
            &format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            json!({"items": [{"item_type": "PRODUCT", "item_id": 301, "quantity": 1, "adjustments": [{"amount": -5, "description": "used"}]}]}),
        )
        .await;
    assert_eq!(adjusted.body["data"]["total_refund_amount"], 20);
    assert_eq!(adjusted.body["data"]["adjustment"], -5);
}

#[tokio::test]
async fn merchant_refunds_and_checkout_api_orders() {
    let h = Harness::new().await;
    // A Path B order has no payments: custom or store credit only; no transactions.
    let order_id = h.checkout_order().await;
    assert_eq!(
        h.get(&format!("/v3/orders/{order_id}/transactions"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let quote = h
        .sim
        .refund_quote("abc123", order_id, &[RefundItemRequest::product(302, 1)])
        .unwrap();
    let providers: Vec<&str> = quote
        .refund_methods
        .iter()
        .map(|m| m[0].provider_id.as_str())
        .collect();
    assert_eq!(providers, ["storecredit", "custom"]);
    // The merchant refunds to store credit from the control panel.
    let mark = h.sim.mark();
    let refund_id = h
        .sim
        .refund_items(
            "abc123",
            order_id,
            vec![RefundItemRequest::product(302, 1)],
            true,
        )
        .unwrap();
    assert_eq!(h.scopes_since(mark)[0], "store/order/refund/created");
    let refund = &h.sim.refunds("abc123", order_id)[0];
    assert_eq!(refund.id, refund_id);
    assert_eq!(refund.user_id, h.ex.owner_id);
    assert_eq!(refund.payments[0].provider_id, "storecredit");
    assert_eq!(
        h.sim
            .customer("abc123", h.ex.customer_id)
            .unwrap()
            .store_credit_cents,
        8_000
    );
    // And by amount, back to the order's method (custom here).
    h.sim
        .refund_items(
            "abc123",
            order_id,
            vec![RefundItemRequest::amount(
                RefundItemType::Order,
                order_id,
                1_000,
            )],
            false,
        )
        .unwrap();
    let refunds = h.sim.refunds("abc123", order_id);
    assert_eq!(refunds[1].payments[0].provider_id, "custom");
    assert_eq!(h.sim.order("abc123", order_id).unwrap().status_id, 14);
    let transactions = h
        .get(&format!("/v3/orders/{order_id}/transactions"))
        .await
        .body;
    assert_eq!(transactions["data"].as_array().unwrap().len(), 2);
    assert_eq!(transactions["data"][0]["method"], "store_credit");
    assert_eq!(
        transactions["data"][1]["custom"]["payment_method"],
        "Custom"
    );
}
