//! Deliveries: who gets what, with which payload and headers.

use axum::http::Method;
use sandbox::bigcommerce::webhooks::{AttemptOutcome, DeliveryStatus, USER_AGENT, payload_hash};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::{CLIENT, Harness, OTHER_CLIENT, OTHER_STORE, STORE, STORE_ID, hook_path};
use crate::contract::examples::example_body;

// Also on a multi-threaded runtime, like the demo's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_reaches_exactly_the_matching_active_hooks() {
    let h = Harness::new().await;
    let exact = h.hook_to("store/order/statusUpdated", "/exact").await;
    let wildcard = h.hook_to("store/order/*", "/wildcard").await;
    h.hook_to("store/order/created", "/other-scope").await;
    h.hook_to("store/shipment/*", "/other-wildcard").await;
    h.create_hook(
        CLIENT,
        json!({"scope": "store/order/statusUpdated", "destination": h.receiver.url("/inactive"), "is_active": false}),
    )
    .await;
    let other_client = h
        .create_hook(
            OTHER_CLIENT,
            json!({"scope": "store/order/statusUpdated", "destination": h.receiver.url("/other-client")}),
        )
        .await;

    // An event of another store reaches none of them.
    h.emit_to(
        OTHER_STORE,
        "store/order/statusUpdated",
        json!({"type": "order", "id": 1}),
    );
    let fixture = example_body("webhook-store-order-statusUpdated-approved.json");
    h.emit("store/order/statusUpdated", fixture["data"].clone());
    h.webhooks.flush().await;

    let mut paths: Vec<String> = h.receiver.received().into_iter().map(|r| r.path).collect();
    paths.sort();
    assert_eq!(paths, ["/exact", "/other-client", "/wildcard"]);

    let deliveries = h.webhooks.deliveries(STORE);
    let mut hook_ids: Vec<i64> = deliveries.iter().map(|d| d.hook_id).collect();
    hook_ids.sort_unstable();
    assert_eq!(hook_ids, [exact, wildcard, other_client]);
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == DeliveryStatus::Delivered)
    );
    assert!(h.webhooks.deliveries(OTHER_STORE).is_empty());
}

#[tokio::test]
async fn the_payload_is_bigcommerces() {
    let h = Harness::new().await;
    h.hook_to("store/order/statusUpdated", "/hooks").await;
    let fixture = example_body("webhook-store-order-statusUpdated-approved.json");
    h.emit("store/order/statusUpdated", fixture["data"].clone());
    let created_at = h.clock.unix();
    h.webhooks.flush().await;

    let received = h.receiver.received();
    assert_eq!(received.len(), 1);
    let body = &received[0].body;
    // Exactly the documented fields.
    let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    keys.sort();
    let mut expected: Vec<&String> = fixture.as_object().unwrap().keys().collect();
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(body["scope"], "store/order/statusUpdated");
    assert_eq!(body["store_id"], STORE_ID);
    assert!(body["store_id"].is_string());
    assert_eq!(body["producer"], format!("stores/{STORE}"));
    assert_eq!(body["data"], fixture["data"]);
    assert_eq!(body["created_at"], created_at);

    // hash = hex SHA-1 of the JSON encoding of `data`, as it appears in the body.
    let data_text = body["data"].to_string();
    let hash = hex::encode(Sha1::digest(data_text.as_bytes()));
    assert_eq!(body["hash"], hash);
    assert_eq!(body["hash"], payload_hash(&fixture["data"]));
    let raw = String::from_utf8(received[0].raw.to_vec()).unwrap();
    assert!(raw.contains(&format!("\"data\":{data_text}")), "{raw}");
}

#[tokio::test]
async fn custom_headers_content_type_and_user_agent_are_sent() {
    let h = Harness::new().await;
    let id = h
        .create_hook(
            CLIENT,
            json!({
                "scope": "store/order/created",
                "destination": h.receiver.url("/hooks"),
                "headers": {"X-SeQura-Webhook-Token": "s3cret", "X-Other": "two words", "Content-Type": "text/plain"},
            }),
        )
        .await;
    h.emit("store/order/created", json!({"type": "order", "id": 250}));
    h.webhooks.flush().await;

    let received = &h.receiver.received()[0];
    assert_eq!(received.header("x-sequra-webhook-token"), Some("s3cret"));
    assert_eq!(received.header("x-other"), Some("two words"));
    assert_eq!(received.header("content-type"), Some("application/json"));
    assert_eq!(received.header("user-agent"), Some(USER_AGENT));

    // The inspection records what was sent.
    let delivery = &h.webhooks.deliveries(STORE)[0];
    assert_eq!(delivery.hook_id, id);
    let attempt = &delivery.attempts[0];
    assert_eq!(attempt.number, 1);
    assert_eq!(attempt.destination, h.receiver.url("/hooks"));
    assert_eq!(attempt.outcome, AttemptOutcome::Success { status: 200 });
    assert!(
        attempt
            .headers
            .contains(&("X-SeQura-Webhook-Token".to_owned(), "s3cret".to_owned()))
    );
    assert!(
        attempt
            .headers
            .contains(&("Content-Type".to_owned(), "application/json".to_owned()))
    );
    assert_eq!(delivery.body.as_bytes(), received.raw.as_ref());
    assert_eq!(delivery.scope, "store/order/created");
    assert_eq!(delivery.client_id, CLIENT);
    assert_eq!(delivery.payload()["data"]["id"], 250);

    // Rotating the header by PUT applies to the next delivery.
    let (status, _) = h
        .call(
            Method::PUT,
            &hook_path(id),
            Some(CLIENT),
            Some(r#"{"headers": {"X-SeQura-Webhook-Token": "rotated"}}"#),
        )
        .await;
    assert!(status.is_success());
    h.emit("store/order/created", json!({"type": "order", "id": 251}));
    h.webhooks.flush().await;
    assert_eq!(
        h.receiver.received()[1].header("x-sequra-webhook-token"),
        Some("rotated")
    );
    assert_eq!(h.receiver.received()[1].header("x-other"), None);
}

#[tokio::test]
async fn wildcards_receive_every_event_under_their_prefix() {
    let h = Harness::new().await;
    h.hook_to("store/cart/*", "/carts").await;
    h.hook_to("store/order/*", "/orders").await;
    for scope in [
        "store/cart/converted",
        "store/cart/lineItem/created",
        "store/order/created",
        "store/order/refund/created",
        "store/shipment/created",
    ] {
        h.emit(scope, json!({"type": "x", "id": 1}));
    }
    h.webhooks.flush().await;
    let scopes = |path: &str| -> Vec<Value> {
        h.receiver
            .received_at(path)
            .into_iter()
            .map(|r| r.body["scope"].clone())
            .collect()
    };
    assert_eq!(
        scopes("/carts"),
        [
            json!("store/cart/converted"),
            json!("store/cart/lineItem/created")
        ]
    );
    assert_eq!(
        scopes("/orders"),
        [
            json!("store/order/created"),
            json!("store/order/refund/created")
        ]
    );
}

#[tokio::test]
async fn inactive_and_deleted_hooks_get_nothing() {
    let h = Harness::new().await;
    let off = h.hook_to("store/order/created", "/off").await;
    let gone = h.hook_to("store/order/updated", "/gone").await;
    h.call(
        Method::PUT,
        &hook_path(off),
        Some(CLIENT),
        Some(r#"{"is_active": false}"#),
    )
    .await;
    h.call(Method::DELETE, &hook_path(gone), Some(CLIENT), None)
        .await;
    h.emit("store/order/created", json!({"type": "order", "id": 1}));
    h.emit("store/order/updated", json!({"type": "order", "id": 1}));
    h.webhooks.flush().await;
    assert!(h.receiver.received().is_empty());
    assert!(h.webhooks.deliveries(STORE).is_empty());

    // Switched back on, it receives new events.
    h.call(
        Method::PUT,
        &hook_path(off),
        Some(CLIENT),
        Some(r#"{"is_active": true}"#),
    )
    .await;
    h.emit("store/order/created", json!({"type": "order", "id": 2}));
    h.webhooks.flush().await;
    assert_eq!(h.receiver.received_at("/off").len(), 1);
}

// Also on a multi-threaded runtime, like the demo's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_worker_delivers_without_being_stepped() {
    let h = Harness::new().await;
    h.hook_to("store/order/created", "/hooks").await;
    h.emit("store/order/created", json!({"type": "order", "id": 250}));
    // No flush: the first attempt goes out by itself.
    let received = h.receiver.wait_for(1).await;
    assert_eq!(received[0].body["data"]["id"], 250);
}

#[tokio::test]
async fn uninstalling_cancels_what_is_queued() {
    let h = Harness::new().await;
    h.receiver.set_status(500);
    h.hook_to("store/order/created", "/hooks").await;
    h.emit("store/order/created", json!({"type": "order", "id": 1}));
    h.webhooks.flush().await;
    assert!(matches!(
        h.webhooks.deliveries(STORE)[0].status,
        DeliveryStatus::Pending { .. }
    ));

    h.webhooks.remove_app(STORE, CLIENT);
    assert_eq!(
        h.webhooks.deliveries(STORE)[0].status,
        DeliveryStatus::Cancelled
    );
    h.advance(3600);
    h.webhooks.run_due().await;
    assert_eq!(h.receiver.received().len(), 1);
}

#[tokio::test]
async fn a_cancelled_flush_neither_loses_nor_repeats_attempts() {
    let h = Harness::new().await;
    h.hook_to("store/order/created", "/hooks").await;
    h.emit("store/order/created", json!({"type": "order", "id": 250}));
    // Polled once (claims and starts the attempt), then dropped.
    tokio::select! {
        biased;
        () = h.webhooks.flush() => {}
        () = std::future::ready(()) => {}
    }
    h.webhooks.flush().await;
    assert_eq!(h.receiver.received().len(), 1);
    let delivery = &h.webhooks.deliveries(STORE)[0];
    assert_eq!(delivery.status, DeliveryStatus::Delivered);
    assert_eq!(delivery.attempts.len(), 1);
}
