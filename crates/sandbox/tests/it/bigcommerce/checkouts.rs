//! Server-side checkouts, the order they become (and its duplicates), checkout tokens,
//! checkout settings, cart deletion and customers' store credit.

use reqwest::StatusCode;
use sandbox::bigcommerce::domain::checkout::{CheckoutEdit, NewCheckout, NewLine};
use sandbox::bigcommerce::model::Address;
use serde_json::{Value, json};

use super::{Harness, fixture};

const CHECKOUT: &str = "/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10";

#[tokio::test]
async fn the_checkout_matches_the_fixture_scenario() {
    let h = Harness::new().await;
    let reply = h.get(CHECKOUT).await;
    assert_eq!(reply.status, StatusCode::OK);
    let got = &reply.body["data"];
    let want = &fixture("checkout-v3-response.json")["data"];
    for key in [
        "id",
        "grand_total",
        "subtotal_inc_tax",
        "subtotal_ex_tax",
        "tax_total",
        "taxes",
        "shipping_cost_total_inc_tax",
        "shipping_cost_total_ex_tax",
        "handling_cost_total_inc_tax",
        "order_id",
        "coupons",
        "customer_message",
    ] {
        assert_eq!(got[key], want[key], "{key}");
    }
    for key in [
        "id",
        "customer_id",
        "channel_id",
        "email",
        "currency",
        "tax_included",
        "base_amount",
        "cart_amount_inc_tax",
        "cart_amount_ex_tax",
    ] {
        assert_eq!(got["cart"][key], want["cart"][key], "cart.{key}");
    }
    let items = got["cart"]["line_items"]["physical_items"]
        .as_array()
        .unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["sku"], "CAM-ALG-M-AZ");
    assert_eq!(items[0]["quantity"], 2);
    assert_eq!(items[0]["extended_sale_price"], 50);
    let consignment = &got["consignments"][0];
    assert_eq!(
        consignment["selected_shipping_option"],
        want["consignments"][0]["selected_shipping_option"]
    );
    assert_eq!(consignment["address"]["country_code"], "ES");
    assert_eq!(consignment["line_item_ids"].as_array().unwrap().len(), 2);
    assert_eq!(got["billing_address"]["address1"], "Carrer de Balmes 100");
    assert_eq!(got["version"], 1);
}

#[tokio::test]
async fn every_change_bumps_the_version_and_stale_versions_conflict() {
    let h = Harness::new().await;
    let reply = h
        .put(
            CHECKOUT,
            json!({"customer_message": "Llamar antes", "version": 1}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    assert_eq!(reply.body["data"]["version"], 2);
    assert_eq!(reply.body["data"]["customer_message"], "Llamar antes");
    let stale = h
        .put(CHECKOUT, json!({"customer_message": "x", "version": 1}))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.body["status"], 409);
    let version = h
        .sim
        .edit_checkout(
            "abc123",
            &h.ex.checkout_id,
            vec![CheckoutEdit::AddItem {
                product_id: h.ex.products[1],
                quantity: 1,
            }],
        )
        .unwrap();
    assert_eq!(version, 3);
    let data = h.get(CHECKOUT).await.body["data"].clone();
    assert_eq!(data["version"], 3);
    assert_eq!(data["grand_total"], 175);
    assert_eq!(
        data["consignments"][0]["line_item_ids"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(
        h.put(CHECKOUT, json!({"version": "three"})).await.status
            == StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn creating_an_order_twice_makes_a_duplicate_like_the_real_api() {
    let h = Harness::new().await;
    let mark = h.sim.mark();
    let reply = h.post(&format!("{CHECKOUT}/orders"), Value::Null).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, fixture("checkout-create-order-response.json"));
    let second = h.post(&format!("{CHECKOUT}/orders"), Value::Null).await;
    assert_eq!(second.body["data"]["id"], 251);
    assert_eq!(h.get(CHECKOUT).await.body["data"]["order_id"], "251");
    for id in [250, 251] {
        let order = h.get(&format!("/v2/orders/{id}")).await.body;
        assert_eq!(order["status_id"], 0);
        assert_eq!(order["total_inc_tax"], "115.0000");
        assert_eq!(order["cart_id"], "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10");
    }
    // Each order has its own products and address ids.
    let products = h.get("/v2/orders/251/products").await.body;
    assert_eq!(products[0]["id"], 303);
    assert_eq!(products[0]["order_address_id"], 152);
    assert_eq!(
        h.events_since(mark),
        [
            (
                "store/cart/converted".to_owned(),
                json!({"type": "cart", "id": "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10", "orderId": 250})
            ),
            (
                "store/order/created".to_owned(),
                json!({"type": "order", "id": 250})
            ),
            (
                "store/cart/converted".to_owned(),
                json!({"type": "cart", "id": "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10", "orderId": 251})
            ),
            (
                "store/order/created".to_owned(),
                json!({"type": "order", "id": 251})
            ),
        ]
    );
}

#[tokio::test]
async fn an_unfinished_checkout_cannot_become_an_order() {
    let h = Harness::new().await;
    let no_billing = h
        .sim
        .create_checkout(
            "abc123",
            NewCheckout {
                customer_id: Some(h.ex.customer_id),
                items: vec![NewLine {
                    product_id: h.ex.products[0],
                    quantity: 1,
                }],
                shipping_address: Some(Address::example()),
                ..NewCheckout::default()
            },
        )
        .unwrap();
    let reply = h
        .post(&format!("/v3/checkouts/{no_billing}/orders"), Value::Null)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body["errors"]["billing_address"].is_string(),
        "{}",
        reply.raw
    );
    h.sim
        .edit_checkout(
            "abc123",
            &no_billing,
            vec![CheckoutEdit::SetBillingAddress(Address::example())],
        )
        .unwrap();
    // Still no shipping option.
    let reply = h
        .post(&format!("/v3/checkouts/{no_billing}/orders"), Value::Null)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        h.post("/v3/checkouts/nope/orders", Value::Null)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(h.sim.orders("abc123").is_empty());
}

#[tokio::test]
async fn the_checkout_token_is_refused_once_the_order_is_finalized() {
    let h = Harness::new().await;
    let reply = h
        .post(
            &format!("{CHECKOUT}/token"),
            fixture("checkout-token-request.json"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    let token = reply.body["data"]["checkoutToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(reply.body["data"]["meta"], json!({}));
    // Still allowed while the order is Incomplete.
    let order_id = h.checkout_order().await;
    let again = h
        .post(
            &format!("{CHECKOUT}/token"),
            json!({"maxUses": 1, "ttl": 2}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    // The order-confirmation page accepts the token once.
    h.sim
        .redeem_checkout_token("abc123", order_id, &token)
        .unwrap();
    assert!(
        h.sim
            .redeem_checkout_token("abc123", order_id, &token)
            .is_err()
    );
    // Finalized: refused.
    h.put(&format!("/v2/orders/{order_id}"), json!({"status_id": 11}))
        .await;
    let refused = h
        .post(
            &format!("{CHECKOUT}/token"),
            json!({"maxUses": 1, "ttl": 60}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["status"], 422);
    for bad in [
        json!({"maxUses": 1, "ttl": 0}),
        json!({"maxUses": 0, "ttl": 60}),
        json!({"ttl": 2_592_001}),
    ] {
        let reply = h
            .post(
                "/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10/token",
                bad,
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn deleting_the_cart_removes_the_checkout() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let mark = h.sim.mark();
    let reply = h
        .delete("/v3/carts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10")
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert!(reply.raw.is_empty());
    assert_eq!(h.scopes_since(mark), ["store/cart/deleted"]);
    assert_eq!(h.get(CHECKOUT).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        h.delete("/v3/carts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The order keeps its cart id.
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["cart_id"], "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10");
}

#[tokio::test]
async fn checkout_settings_hold_the_terms_and_conditions_flags() {
    let h = Harness::new().await;
    let reply = h.get("/v3/checkouts/settings/channels/1").await;
    assert_eq!(reply.status, StatusCode::OK);
    let want = &fixture("checkout-settings-channel-response.json")["data"];
    for key in [
        "checkout_type",
        "is_order_terms_and_conditions_enabled",
        "order_terms_and_conditions_type",
        "order_terms_and_conditions_link",
        "order_confirmation_contact_email",
    ] {
        assert_eq!(reply.body["data"][key], want[key], "{key}");
    }
    let updated = h
        .put(
            "/v3/checkouts/settings/channels/1",
            json!({"is_order_terms_and_conditions_enabled": false, "order_terms_and_conditions_type": "textarea", "ignored": 1}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(
        updated.body["data"]["is_order_terms_and_conditions_enabled"],
        false
    );
    assert_eq!(
        h.get("/v3/checkouts/settings/channels/1").await.body["data"]["order_terms_and_conditions_type"],
        "textarea"
    );
    let wrong_type = h
        .put(
            "/v3/checkouts/settings/channels/1",
            json!({"is_order_terms_and_conditions_enabled": "yes"}),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    let wrong_enum = h
        .put(
            "/v3/checkouts/settings/channels/1",
            json!({"order_terms_and_conditions_type": "popup"}),
        )
        .await;
    assert_eq!(wrong_enum.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        h.get("/v3/checkouts/settings/channels/2").await.status,
        StatusCode::NOT_FOUND
    );

    let store_settings = h.get("/v3/checkouts/settings").await;
    assert_eq!(
        store_settings.body["data"]["custom_checkout_script_url"],
        ""
    );
    let put = h
        .put(
            "/v3/checkouts/settings",
            json!({"custom_checkout_script_url": "https://x.example/c.js"}),
        )
        .await;
    assert_eq!(
        put.body["data"]["custom_checkout_script_url"],
        "https://x.example/c.js"
    );
    // Readable with the Information scope too.
    let token = h.token_with(&["store_v2_information_read_only"]);
    let reply = h
        .raw(
            reqwest::Method::GET,
            "/stores/abc123/v3/checkouts/settings",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn customers_show_store_credit_on_request_and_the_app_can_debit_it() {
    let h = Harness::new().await;
    let reply = h.get("/v3/customers?id:in=11&include=storecredit").await;
    assert_eq!(reply.status, StatusCode::OK);
    let want = fixture("customer-v3-with-store-credit.json");
    let got = &reply.body["data"][0];
    for key in [
        "id",
        "email",
        "first_name",
        "last_name",
        "store_credit_amounts",
        "channel_ids",
    ] {
        assert_eq!(got[key], want["data"][0][key], "{key}");
    }
    assert_eq!(reply.body["meta"]["pagination"]["total"], 1);
    let without = h.get("/v3/customers?id:in=11").await;
    assert!(
        without.body["data"][0]
            .get("store_credit_amounts")
            .is_none()
    );
    let none = h.get("/v3/customers?id:in=99").await;
    assert_eq!(none.body["data"], json!([]));
    let with_addresses = h
        .get("/v3/customers?email:in=laura@example.es&include=addresses,storecredit")
        .await;
    assert_eq!(
        with_addresses.body["data"][0]["addresses"][0]["postal_code"],
        "08008"
    );

    let mark = h.sim.mark();
    let debit = h
        .put(
            "/v3/customers",
            json!([{"id": 11, "store_credit_amounts": [{"amount": 4.5}]}]),
        )
        .await;
    assert_eq!(debit.status, StatusCode::OK, "{}", debit.raw);
    assert_eq!(
        debit.body["data"][0]["store_credit_amounts"],
        json!([{"amount": 4.5}])
    );
    assert_eq!(
        h.sim.customer("abc123", 11).unwrap().store_credit_cents,
        450
    );
    assert_eq!(h.scopes_since(mark), ["store/customer/updated"]);

    assert_eq!(
        h.put(
            "/v3/customers",
            json!([{"id": 99, "store_credit_amounts": [{"amount": 1}]}])
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        h.put(
            "/v3/customers",
            json!([{"id": 11, "store_credit_amounts": [{"amount": -1}]}])
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        h.put("/v3/customers", json!({"id": 11})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let eleven: Vec<Value> = (0..11).map(|_| json!({"id": 11})).collect();
    assert_eq!(
        h.put("/v3/customers", Value::Array(eleven)).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    // A failed batch changes nothing.
    assert_eq!(
        h.sim.customer("abc123", 11).unwrap().store_credit_cents,
        450
    );
    // The merchant sets credit from the control panel.
    h.sim.set_store_credit("abc123", 11, 2_000).unwrap();
    let reply = h.get("/v3/customers?id:in=11&include=storecredit").await;
    assert_eq!(
        reply.body["data"][0]["store_credit_amounts"],
        json!([{"amount": 20}])
    );
}
