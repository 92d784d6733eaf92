//! Store information, order statuses, orders (v2) and the merchant's order actions.

use reqwest::StatusCode;
use sandbox::bigcommerce::domain::catalog::NewProduct;
use sandbox::bigcommerce::domain::checkout::{
    NewCheckout, NewCoupon, NewLine, OfflineMethod, Placement,
};
use sandbox::bigcommerce::domain::orders::OrderEdit;
use sandbox::bigcommerce::model::{Address, CouponKind, ShippingOption, status};
use serde_json::{Value, json};

use super::{Harness, assert_totals_add_up, cents, fixture};

#[tokio::test]
async fn store_information_describes_the_store() {
    let h = Harness::new().await;
    let reply = h.get("/v2/store").await;
    assert_eq!(reply.status, StatusCode::OK);
    let store = reply.body;
    let expected = fixture("store-information.json");
    for key in [
        "id",
        "domain",
        "secure_url",
        "name",
        "currency",
        "is_price_entered_with_tax",
        "store_id",
        "default_channel_id",
        "language",
    ] {
        assert_eq!(store[key], expected[key], "{key}");
    }
    assert_eq!(store["features"]["checkout_type"], "optimized");
    // The fixture's `https://store-abc123.mybigcommerce.com` becomes the simulator's own
    // control panel, so that the app's iframe and its links work against the simulator.
    assert_eq!(
        store["control_panel_base_url"],
        format!("{}/cp/abc123", h.base)
    );
}

#[tokio::test]
async fn order_statuses_are_the_fifteen_system_statuses() {
    let h = Harness::new().await;
    let reply = h.get("/v2/order_statuses").await;
    assert_eq!(reply.body, fixture("order-statuses.json"));
    let one = h.get("/v2/order_statuses/12").await;
    assert_eq!(one.body["name"], "Manual Verification Required");
    assert_eq!(
        h.get("/v2/order_statuses/15").await.status,
        StatusCode::NOT_FOUND
    );
    // A merchant's custom label shows on orders as `status`.
    h.sim.rename_status("abc123", 11, "Pagado").unwrap();
    let order_id = h.checkout_order().await;
    h.put(&format!("/v2/orders/{order_id}"), json!({"status_id": 11}))
        .await;
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["status"], "Pagado");
    assert_eq!(order["custom_status"], "Pagado");
}

#[tokio::test]
async fn a_checkout_order_matches_the_fixture_scenario() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    assert_eq!(order_id, 250);
    let order = h.get("/v2/orders/250").await.body;
    let fixture_order = fixture("order-v2-awaiting-payment-before-app-update.json");
    for key in [
        "customer_id",
        "subtotal_ex_tax",
        "subtotal_inc_tax",
        "subtotal_tax",
        "base_shipping_cost",
        "shipping_cost_ex_tax",
        "shipping_cost_inc_tax",
        "shipping_cost_tax",
        "total_ex_tax",
        "total_inc_tax",
        "total_tax",
        "items_total",
        "items_shipped",
        "currency_code",
        "default_currency_code",
        "cart_id",
        "billing_address",
        "is_tax_inclusive_pricing",
        "discount_amount",
        "coupon_discount",
        "gift_certificate_amount",
        "channel_id",
    ] {
        assert_eq!(order[key], fixture_order[key], "{key}");
    }
    // Created by the Checkout API: Incomplete, no payment, no store credit.
    assert_eq!(order["status_id"], 0);
    assert_eq!(order["status"], "Incomplete");
    assert_eq!(order["store_credit_amount"], "0.0000");
    assert_eq!(order["payment_method"], "");
    assert_eq!(order["order_source"], "checkout_api");
    assert!(order["date_created"].as_str().unwrap().ends_with("+0000"));
    assert_eq!(order["date_shipped"], "");
    assert!(
        order["products"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/stores/abc123/v2/orders/250/products")
    );
    assert_totals_add_up(&order);

    let products = h.get("/v2/orders/250/products").await.body;
    let fixture_products = fixture("order-v2-products.json");
    for (got, want) in products
        .as_array()
        .unwrap()
        .iter()
        .zip(fixture_products.as_array().unwrap())
    {
        for key in [
            "id",
            "order_id",
            "product_id",
            "variant_id",
            "order_address_id",
            "name",
            "sku",
            "type",
            "base_price",
            "price_ex_tax",
            "price_inc_tax",
            "price_tax",
            "total_ex_tax",
            "total_inc_tax",
            "total_tax",
            "quantity",
            "quantity_shipped",
            "quantity_refunded",
            "discounted_total_inc_tax",
            "brand",
            "weight",
        ] {
            assert_eq!(got[key], want[key], "product {}: {key}", want["id"]);
        }
    }
    let one = h.get("/v2/orders/250/products/302").await.body;
    assert_eq!(one["sku"], "ZAP-RUN-42");

    let addresses = h.get("/v2/orders/250/shipping_addresses").await.body;
    let fixture_addresses = fixture("order-v2-shipping-addresses.json");
    for key in [
        "id",
        "order_id",
        "first_name",
        "street_1",
        "zip",
        "country_iso2",
        "items_total",
        "items_shipped",
        "shipping_method",
        "base_cost",
        "cost_ex_tax",
        "cost_inc_tax",
        "cost_tax",
    ] {
        assert_eq!(addresses[0][key], fixture_addresses[0][key], "{key}");
    }
    // No coupons: 204 with no body.
    let coupons = h.get("/v2/orders/250/coupons").await;
    assert_eq!(coupons.status, StatusCode::NO_CONTENT);
    assert!(coupons.raw.is_empty());
}

#[tokio::test]
async fn the_apps_put_updates_the_order_and_fires_updated_and_status_updated() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let mark = h.sim.mark();
    let reply = h
        .put(
            &format!("/v2/orders/{order_id}"),
            fixture("order-v2-put-request-approved.json"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    let order = reply.body;
    assert_eq!(order["status_id"], 11);
    assert_eq!(order["status"], "Awaiting Fulfillment");
    assert_eq!(order["payment_method"], "SeQura - Paga en 3 plazos");
    assert_eq!(order["payment_provider_id"], "sq_4f2a91c0");
    assert!(
        order["staff_notes"]
            .as_str()
            .unwrap()
            .starts_with("SeQura: approved")
    );
    assert_eq!(order["total_inc_tax"], "115.0000");
    assert_eq!(
        h.events_since(mark),
        [
            (
                "store/order/statusUpdated".to_owned(),
                json!({"type": "order", "id": order_id, "status": {"previous_status_id": 0, "new_status_id": 11}})
            ),
            (
                "store/order/updated".to_owned(),
                json!({"type": "order", "id": order_id})
            ),
        ]
    );
    // A PUT without a status change still fires `updated`, and only that.
    let mark = h.sim.mark();
    let reply = h
        .put(
            &format!("/v2/orders/{order_id}"),
            json!({"payment_provider_id": 12345, "unknown": true}),
        )
        .await;
    assert_eq!(reply.body["payment_provider_id"], 12345);
    assert_eq!(h.scopes_since(mark), ["store/order/updated"]);
    // The event carries the store's numeric id.
    let event = &h.sim.events_since("abc123", mark)[0].event;
    assert_eq!(event.store_id, "1001234567");
    assert!((event.created_at - h.sim.clock().unix()).abs() <= 1);
    // Unknown order: 404, no event.
    let mark = h.sim.mark();
    assert_eq!(
        h.put("/v2/orders/999", json!({"status_id": 5}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(h.scopes_since(mark).is_empty());
}

#[tokio::test]
async fn the_order_list_filters_pages_and_answers_204_when_empty() {
    let h = Harness::new().await;
    let empty = h.get("/v2/orders").await;
    assert_eq!(empty.status, StatusCode::NO_CONTENT);
    assert!(empty.raw.is_empty());
    let first = h.checkout_order().await;
    let second = h.checkout_order().await;
    let third = h.checkout_order().await;
    h.put(&format!("/v2/orders/{second}"), json!({"status_id": 11}))
        .await;
    let ids = |v: &Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&h.get("/v2/orders").await.body), [first, second, third]);
    assert_eq!(ids(&h.get("/v2/orders?status_id=11").await.body), [second]);
    assert_eq!(
        ids(&h
            .get("/v2/orders?cart_id=c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10")
            .await
            .body),
        [first, second, third]
    );
    assert_eq!(
        h.get("/v2/orders?cart_id=other").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ids(&h.get("/v2/orders?customer_id=11&min_id=251").await.body),
        [second, third]
    );
    assert_eq!(
        ids(&h.get("/v2/orders?sort=id:desc&limit=2").await.body),
        [third, second]
    );
    assert_eq!(ids(&h.get("/v2/orders?limit=2&page=2").await.body), [third]);
    assert_eq!(
        h.get("/v2/orders?limit=2&page=3").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ids(&h
            .get("/v2/orders?min_total=115&max_total=115.00")
            .await
            .body)
        .len(),
        3
    );
    assert_eq!(
        h.get("/v2/orders?min_total=200").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ids(&h.get("/v2/orders?email=LAURA@example.es").await.body).len(),
        3
    );
    assert_eq!(
        ids(&h
            .get("/v2/orders?min_date_created=2000-01-01T00:00:00Z")
            .await
            .body)
        .len(),
        3
    );
    assert_eq!(
        h.get("/v2/orders?limit=0").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.get("/v2/orders?min_id=abc").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.get("/v2/orders?sort=colour").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.get("/v2/orders?min_date_created=yesterday").await.status,
        StatusCode::BAD_REQUEST
    );
    let count = h.get("/v2/orders/count").await.body;
    assert_eq!(count["count"], 3);

    // Archiving: the order leaves the default list, stays readable, fires `archived` once.
    let mark = h.sim.mark();
    assert_eq!(
        h.delete(&format!("/v2/orders/{first}")).await.status,
        StatusCode::NO_CONTENT
    );
    h.sim.archive_order("abc123", first).unwrap();
    assert_eq!(h.scopes_since(mark), ["store/order/archived"]);
    assert_eq!(ids(&h.get("/v2/orders").await.body), [second, third]);
    assert_eq!(
        ids(&h.get("/v2/orders?is_deleted=true").await.body),
        [first]
    );
    assert_eq!(
        h.get(&format!("/v2/orders/{first}")).await.body["is_deleted"],
        true
    );
}

#[tokio::test]
async fn merchant_edits_recompute_totals_and_fire_updated() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let socks = h
        .sim
        .create_product("abc123", NewProduct::physical("Calcetines", "CAL-1", 799))
        .unwrap();
    let edits = [
        vec![OrderEdit::AddItem {
            product_id: socks,
            quantity: 3,
            order_address_id: None,
        }],
        vec![OrderEdit::SetQuantity {
            order_product_id: 301,
            quantity: 1,
        }],
        vec![OrderEdit::RemoveItem {
            order_product_id: 302,
        }],
        vec![OrderEdit::SetShippingCost {
            address_id: 151,
            cents: 750,
        }],
        vec![OrderEdit::SetDiscount { cents: 333 }],
        vec![OrderEdit::SetBillingAddress(Address {
            city: "Girona".into(),
            ..Address::example()
        })],
        vec![OrderEdit::SetShippingAddress {
            address_id: 151,
            address: Address {
                zip: "17001".into(),
                ..Address::example()
            },
        }],
    ];
    for edit in edits {
        let mark = h.sim.mark();
        h.sim.edit_order("abc123", order_id, edit).unwrap();
        assert_eq!(h.scopes_since(mark), ["store/order/updated"]);
        let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
        assert_totals_add_up(&order);
        // The lines' discounted totals add up to the items after discounts.
        let products = h.get(&format!("/v2/orders/{order_id}/products")).await.body;
        let lines: i64 = products
            .as_array()
            .unwrap()
            .iter()
            .map(|p| cents(&p["discounted_total_inc_tax"]))
            .sum();
        assert_eq!(
            lines,
            cents(&order["subtotal_inc_tax"])
                - cents(&order["discount_amount"])
                - cents(&order["coupon_discount"])
        );
    }
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    // 1 × 25.00 + 3 × 7.99 = 48.97; + 7.50 shipping − 3.33 discount = 53.14.
    assert_eq!(order["subtotal_inc_tax"], "48.9700");
    assert_eq!(order["total_inc_tax"], "53.1400");
    assert_eq!(order["billing_address"]["city"], "Girona");
    assert_eq!(order["items_total"], 4);
    let addresses = h
        .get(&format!("/v2/orders/{order_id}/shipping_addresses"))
        .await
        .body;
    assert_eq!(addresses[0]["zip"], "17001");
    assert_eq!(addresses[0]["cost_inc_tax"], "7.5000");
    // Invalid edits change nothing and fire nothing.
    let mark = h.sim.mark();
    assert!(
        h.sim
            .edit_order(
                "abc123",
                order_id,
                vec![OrderEdit::RemoveItem {
                    order_product_id: 999
                }]
            )
            .is_err()
    );
    assert!(h.scopes_since(mark).is_empty());
}

#[tokio::test]
async fn the_api_edits_products_and_addresses_like_the_control_panel() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let reply = h
        .put(
            &format!("/v2/orders/{order_id}"),
            json!({
                "products": [{"id": 301, "quantity": 3}, {"product_id": 86, "quantity": 1}],
                "billing_address": {"phone": "+34999999999"},
                "shipping_addresses": [{"id": 151, "city": "Sabadell"}],
                "discount_amount": "10.00"
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    assert_eq!(reply.body["subtotal_inc_tax"], "195.0000");
    assert_eq!(reply.body["discount_amount"], "10.0000");
    assert_eq!(reply.body["total_inc_tax"], "190.0000");
    assert_eq!(reply.body["billing_address"]["phone"], "+34999999999");
    assert_eq!(reply.body["billing_address"]["first_name"], "Laura");
    assert_totals_add_up(&reply.body);
    let bad = h
        .put(
            &format!("/v2/orders/{order_id}"),
            json!({"products": [{"id": 999, "quantity": 1}]}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn coupons_spread_over_lines_and_totals_add_up() {
    let h = Harness::new().await;
    let checkout_id = h
        .sim
        .create_checkout(
            "abc123",
            NewCheckout {
                customer_id: Some(h.ex.customer_id),
                items: vec![
                    NewLine {
                        product_id: h.ex.products[0],
                        quantity: 2,
                    },
                    NewLine {
                        product_id: h.ex.products[1],
                        quantity: 1,
                    },
                ],
                billing_address: Some(Address::example()),
                shipping_address: Some(Address::example()),
                shipping_option: Some(ShippingOption::example()),
                coupons: vec![NewCoupon {
                    code: "DIEZ".into(),
                    kind: CouponKind::PercentOff {
                        basis_points: 1_000,
                    },
                }],
                ..NewCheckout::default()
            },
        )
        .unwrap();
    let checkout = h.get(&format!("/v3/checkouts/{checkout_id}")).await.body["data"].clone();
    assert_eq!(checkout["grand_total"], 104);
    assert_eq!(checkout["coupons"][0]["discounted_amount"], 11);
    let reply = h
        .post(&format!("/v3/checkouts/{checkout_id}/orders"), Value::Null)
        .await;
    let order_id = reply.body["data"]["id"].as_i64().unwrap();
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["coupon_discount"], "11.0000");
    assert_eq!(order["total_inc_tax"], "104.0000");
    assert_totals_add_up(&order);
    let coupons = h.get(&format!("/v2/orders/{order_id}/coupons")).await.body;
    assert_eq!(coupons[0]["code"], "DIEZ");
    assert_eq!(coupons[0]["type"], 1);
    assert_eq!(coupons[0]["discount"], 11);
    let products = h.get(&format!("/v2/orders/{order_id}/products")).await.body;
    assert_eq!(products[0]["discounted_total_inc_tax"], "45.0000");
    assert_eq!(products[1]["discounted_total_inc_tax"], "54.0000");
    assert_eq!(products[0]["applied_discounts"][0]["amount"], "5.0000");
    // Changing a line drops its coupon share, as BigCommerce does.
    h.sim
        .edit_order(
            "abc123",
            order_id,
            vec![OrderEdit::SetQuantity {
                order_product_id: products[0]["id"].as_i64().unwrap(),
                quantity: 1,
            }],
        )
        .unwrap();
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["coupon_discount"], "6.0000");
    assert_totals_add_up(&order);
}

#[tokio::test]
async fn digital_only_orders_have_no_shipping_address() {
    let h = Harness::new().await;
    let ebook = h
        .sim
        .create_product("abc123", NewProduct::digital("Guía", "EB-1", 1_000))
        .unwrap();
    let checkout_id = h
        .sim
        .create_checkout(
            "abc123",
            NewCheckout {
                email: Some("guest@example.es".into()),
                items: vec![NewLine {
                    product_id: ebook,
                    quantity: 1,
                }],
                billing_address: Some(Address::example()),
                ..NewCheckout::default()
            },
        )
        .unwrap();
    let reply = h
        .post(&format!("/v3/checkouts/{checkout_id}/orders"), Value::Null)
        .await;
    let order_id = reply.body["data"]["id"].as_i64().unwrap();
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["order_is_digital"], true);
    assert_eq!(order["customer_id"], 0);
    assert_eq!(order["shipping_address_count"], 0);
    assert_eq!(
        h.get(&format!("/v2/orders/{order_id}/shipping_addresses"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn storefront_placement_applies_store_credit_and_writes_transactions() {
    let h = Harness::new().await;
    let mark = h.sim.mark();
    let order_id = h
        .sim
        .place_order(
            "abc123",
            &h.ex.checkout_id,
            Placement::offline(OfflineMethod::example(), true),
        )
        .unwrap();
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["status_id"], status::AWAITING_PAYMENT);
    assert_eq!(order["store_credit_amount"], "20.0000");
    assert_eq!(order["total_inc_tax"], "115.0000");
    assert_eq!(order["payment_method"], "SeQura");
    assert_eq!(order["order_source"], "www");
    assert_eq!(
        h.sim
            .customer("abc123", h.ex.customer_id)
            .unwrap()
            .store_credit_cents,
        0
    );
    assert_eq!(
        h.scopes_since(mark),
        [
            "store/cart/converted",
            "store/order/created",
            "store/order/transaction/created",
            "store/order/transaction/created",
        ]
    );
    let transactions = h.get(&format!("/v3/orders/{order_id}/transactions")).await;
    assert_eq!(transactions.status, StatusCode::OK);
    let data = transactions.body["data"].as_array().unwrap().clone();
    let expected = fixture("order-transactions-response.json")["data"].clone();
    for (got, want) in data.iter().zip(expected.as_array().unwrap()) {
        for key in [
            "event",
            "method",
            "amount",
            "currency",
            "gateway",
            "offline",
            "store_credit",
        ] {
            assert_eq!(got[key], want[key], "{key}");
        }
    }
    assert_eq!(transactions.body["meta"]["pagination"]["total"], 2);
}

#[tokio::test]
async fn cancelling_fires_status_updated_like_the_fixture() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    h.put(&format!("/v2/orders/{order_id}"), json!({"status_id": 11}))
        .await;
    let mark = h.sim.mark();
    h.sim.cancel_order("abc123", order_id).unwrap();
    let events = h.sim.events_since("abc123", mark);
    let want = fixture("webhook-store-order-statusUpdated-cancelled.json");
    assert_eq!(events[0].event.scope, want["scope"]);
    assert_eq!(events[0].event.data, want["data"]);
    assert_eq!(events[0].event.store_id, want["store_id"]);
    assert_eq!(events[1].event.scope, "store/order/updated");
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["status"], "Cancelled");
    assert_totals_add_up(&order);
    assert!(h.sim.set_order_status("abc123", order_id, 15).is_err());
}
