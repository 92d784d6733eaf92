//! Shipments: quantities, statuses 3 → 2, the `store/shipment/*` events.

use reqwest::StatusCode;
use sandbox::bigcommerce::domain::shipments::{NewShipment, ShipmentPatch};
use serde_json::json;

use super::{Harness, assert_totals_add_up, fixture};

#[tokio::test]
async fn partial_then_full_shipment_moves_quantities_and_status() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    h.put(&format!("/v2/orders/{order_id}"), json!({"status_id": 11}))
        .await;
    let base = format!("/v2/orders/{order_id}/shipments");
    let empty = h.get(&base).await;
    assert_eq!(empty.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.get(&format!("{base}/count")).await.body,
        json!({"count": 0})
    );

    let mark = h.sim.mark();
    let reply = h.post(&base, fixture("shipment-create-request.json")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.raw);
    let want = fixture("shipment-v2.json");
    for key in [
        "id",
        "order_id",
        "customer_id",
        "order_address_id",
        "tracking_number",
        "tracking_link",
        "shipping_method",
        "comments",
        "items",
        "billing_address",
        "shipping_address",
    ] {
        assert_eq!(reply.body[key], want[key], "{key}");
    }
    assert_eq!(
        h.events_since(mark),
        [
            (
                "store/shipment/created".to_owned(),
                json!({"type": "shipment", "id": 12, "orderId": order_id})
            ),
            (
                "store/order/statusUpdated".to_owned(),
                json!({"type": "order", "id": order_id, "status": {"previous_status_id": 11, "new_status_id": 3}})
            ),
            (
                "store/order/updated".to_owned(),
                json!({"type": "order", "id": order_id})
            ),
        ]
    );
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["status_id"], 3);
    assert_eq!(order["items_shipped"], 1);
    assert_eq!(order["date_shipped"], "");
    let products = h.get(&format!("/v2/orders/{order_id}/products")).await.body;
    assert_eq!(products[0]["quantity_shipped"], 1);
    assert_eq!(h.get(&format!("{base}/count")).await.body["count"], 1);
    assert_eq!(h.get(&format!("{base}/12")).await.body["id"], 12);
    let list = h.get(&base).await.body;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // More than is left to ship: refused, nothing changes.
    let too_many = h
        .post(
            &base,
            json!({"order_address_id": 151, "items": [{"order_product_id": 301, "quantity": 2}]}),
        )
        .await;
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_many.body[0]["status"], 400);
    let wrong_address = h
        .post(
            &base,
            json!({"order_address_id": 999, "items": [{"order_product_id": 301, "quantity": 1}]}),
        )
        .await;
    assert_eq!(wrong_address.status, StatusCode::BAD_REQUEST);
    let missing_items = h.post(&base, json!({"order_address_id": 151})).await;
    assert_eq!(missing_items.status, StatusCode::BAD_REQUEST);

    // The merchant ships the rest: Shipped, with a shipping date.
    let mark = h.sim.mark();
    let ids = h.sim.ship_everything("abc123", order_id, "EJ2").unwrap();
    assert_eq!(ids, [13]);
    assert_eq!(
        h.scopes_since(mark),
        [
            "store/shipment/created",
            "store/order/statusUpdated",
            "store/order/updated"
        ]
    );
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["status_id"], 2);
    assert_eq!(order["items_shipped"], 3);
    assert_eq!(order["total_inc_tax"], "115.0000");
    assert_totals_add_up(&order);
    assert!(order["date_shipped"].as_str().unwrap().ends_with("+0000"));
    assert!(h.sim.ship_everything("abc123", order_id, "EJ3").is_err());
}

#[tokio::test]
async fn updating_and_deleting_shipments() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let shipment_id = h
        .sim
        .ship_items(
            "abc123",
            order_id,
            NewShipment {
                order_address_id: 151,
                items: vec![(301, 2), (302, 1)],
                ..NewShipment::default()
            },
        )
        .unwrap();
    let base = format!("/v2/orders/{order_id}/shipments/{shipment_id}");
    let mark = h.sim.mark();
    let reply = h
        .put(
            &base,
            json!({"tracking_number": "NEW123", "shipping_provider": "ups", "items": []}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["tracking_number"], "NEW123");
    assert_eq!(reply.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        h.events_since(mark),
        [(
            "store/shipment/updated".to_owned(),
            json!({"type": "shipment", "id": shipment_id, "orderId": order_id})
        )]
    );
    assert_eq!(
        h.put(&base, json!({"shipping_provider": "pigeon"}))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    h.sim
        .update_shipment(
            "abc123",
            order_id,
            shipment_id,
            ShipmentPatch {
                comments: Some("x".into()),
                ..Default::default()
            },
        )
        .unwrap();

    let mark = h.sim.mark();
    assert_eq!(h.delete(&base).await.status, StatusCode::NO_CONTENT);
    assert_eq!(h.scopes_since(mark), ["store/shipment/deleted"]);
    assert_eq!(h.get(&base).await.status, StatusCode::NOT_FOUND);
    // The order does not leave Shipped; the units are no longer shipped.
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["status_id"], 2);
    assert_eq!(order["items_shipped"], 0);
    assert_eq!(
        h.delete(&format!("/v2/orders/{order_id}/shipments"))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.get("/v2/orders/999/shipments").await.status,
        StatusCode::NOT_FOUND
    );
}
