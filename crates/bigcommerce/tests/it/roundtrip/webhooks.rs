//! Webhook subscriptions through the simulator's real webhook engine, and deliveries of the
//! store's own events to a loopback receiver, parsed with `WebhookPayload::parse`.

use std::time::Duration;

use bigcommerce::WebhookPayload;
use bigcommerce::hooks::{HookCreate, HookFilter, HookHeaders, HookUpdate};
use bigcommerce::orders::{OrderUpdate, ShipmentCreate, ShipmentItemRequest, status};
use bigcommerce::refunds::{RefundItemRequest, RefundPaymentRequest, RefundRequest};
use bigcommerce::{Cents, Error, WebhookData};
use sandbox::bigcommerce::EXAMPLE_CLIENT_ID;
use sandbox::bigcommerce::webhooks::RETRY_SCHEDULE_SECS;

use super::Sim;

const SECRET_HEADER: &str = "X-SeQura-Webhook-Token";

fn subscription(s: &Sim, scope: &str) -> HookCreate {
    HookCreate {
        scope: scope.into(),
        destination: s.app.url("/bc/webhooks"),
        is_active: true,
        headers: Some(HookHeaders::one(SECRET_HEADER, "s3cr3t")),
    }
}

#[tokio::test]
async fn hooks_create_list_get_update_delete() {
    let s = Sim::new().await;
    let created = s
        .store
        .create_hook(&subscription(&s, "store/order/*"))
        .await
        .unwrap();
    assert_eq!(created.scope, "store/order/*");
    assert_eq!(created.destination, s.app.url("/bc/webhooks"));
    assert!(created.is_active);
    assert_eq!(created.client_id.as_deref(), Some(EXAMPLE_CLIENT_ID));
    assert_eq!(created.store_hash.as_deref(), Some("abc123"));
    assert_eq!(
        created
            .headers
            .as_ref()
            .and_then(|h| h.get("x-sequra-webhook-token")),
        Some("s3cr3t")
    );
    assert!(created.created_at.is_some());
    assert!(created.updated().is_some());
    let engine = s.webhooks.hook(i64::try_from(created.id).unwrap()).unwrap();
    assert!(engine.is_active());

    let shipments = s
        .store
        .create_hook(&subscription(&s, "store/shipment/*"))
        .await
        .unwrap();
    let all = s.store.list_hooks(&HookFilter::default()).await.unwrap();
    assert_eq!(all, vec![created.clone(), shipments.clone()]);
    let only = s
        .store
        .list_hooks(&HookFilter {
            scope: Some("store/shipment/*".into()),
            ..HookFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(only, vec![shipments.clone()]);
    assert_eq!(s.store.get_hook(created.id).await.unwrap(), created);

    // Switched off and back on by the app.
    let off = s
        .store
        .update_hook(
            created.id,
            &HookUpdate {
                is_active: Some(false),
                ..HookUpdate::default()
            },
        )
        .await
        .unwrap();
    assert!(!off.is_active);
    let inactive = s
        .store
        .list_hooks(&HookFilter {
            is_active: Some(false),
            ..HookFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        inactive.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![created.id]
    );
    let on = s
        .store
        .update_hook(created.id, &HookUpdate::reactivate())
        .await
        .unwrap();
    assert!(on.is_active);
    // A rotated secret.
    let rotated = s
        .store
        .update_hook(
            created.id,
            &HookUpdate {
                headers: Some(HookHeaders::one(SECRET_HEADER, "n3w")),
                ..HookUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        rotated.headers.as_ref().and_then(|h| h.get(SECRET_HEADER)),
        Some("n3w")
    );

    // Another app sees none of them.
    let other = s.other_app();
    assert!(
        other
            .list_hooks(&HookFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
    let err = other.get_hook(created.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    // The same scope and destination twice, and a destination BigCommerce refuses: 422.
    let err = s
        .store
        .create_hook(&subscription(&s, "store/order/*"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unprocessable { .. }), "{err}");
    let err = s
        .store
        .create_hook(&HookCreate {
            destination: "http://app.example.com:8080/bc/webhooks".into(),
            ..subscription(&s, "store/cart/converted")
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unprocessable { .. }), "{err}");

    s.store.delete_hook(shipments.id).await.unwrap();
    assert!(
        s.webhooks
            .hook(i64::try_from(shipments.id).unwrap())
            .is_none()
    );
    let err = s.store.get_hook(shipments.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = s.store.delete_hook(shipments.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn a_hook_the_engine_deactivated_is_reactivated() {
    let s = Sim::new().await;
    // Nothing listens on port 1: every attempt fails.
    let dead = s
        .store
        .create_hook(&HookCreate {
            destination: "http://127.0.0.1:1/bc/webhooks".into(),
            ..subscription(&s, "store/cart/converted")
        })
        .await
        .unwrap();
    let checkout = s.guest_checkout(&[(s.ex.products[0], 1)]);
    s.store.create_order_from_checkout(&checkout).await.unwrap();
    s.webhooks.flush().await;
    for secs in RETRY_SCHEDULE_SECS {
        s.clock.advance(Duration::from_secs(secs));
        s.webhooks.run_due().await;
    }
    let hook = s.store.get_hook(dead.id).await.unwrap();
    assert!(!hook.is_active, "deactivated after the last retry");
    let deliveries = s.webhooks.deliveries(s.hash());
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].attempts.len(), 1 + RETRY_SCHEDULE_SECS.len());

    let hook = s
        .store
        .update_hook(dead.id, &HookUpdate::reactivate())
        .await
        .unwrap();
    assert!(hook.is_active);
    assert!(
        s.webhooks
            .hook(i64::try_from(dead.id).unwrap())
            .unwrap()
            .is_active()
    );
}

#[tokio::test]
async fn deliveries_parse_into_typed_data() {
    let s = Sim::new().await;
    for scope in ["store/order/*", "store/shipment/*", "store/cart/converted"] {
        s.store.create_hook(&subscription(&s, scope)).await.unwrap();
    }
    // The app's life with one order: created from the checkout, approved, shipped,
    // partly refunded.
    let order_id = s
        .store
        .create_order_from_checkout(&s.ex.checkout_id)
        .await
        .unwrap();
    s.store
        .update_order(
            order_id,
            &OrderUpdate {
                status_id: Some(status::AWAITING_FULFILLMENT),
                ..OrderUpdate::default()
            },
        )
        .await
        .unwrap();
    let line = s.store.list_order_products(order_id).await.unwrap()[0].id;
    let address = s
        .store
        .list_order_shipping_addresses(order_id)
        .await
        .unwrap()[0]
        .id;
    let shipment = s
        .store
        .create_shipment(
            order_id,
            &ShipmentCreate {
                order_address_id: address,
                tracking_number: None,
                tracking_carrier: None,
                shipping_provider: None,
                tracking_link: None,
                shipping_method: None,
                comments: None,
                items: vec![ShipmentItemRequest {
                    order_product_id: line,
                    quantity: 1,
                }],
            },
        )
        .await
        .unwrap();
    let refund = s
        .store
        .create_refund(
            order_id,
            &RefundRequest {
                items: vec![RefundItemRequest::Product {
                    item_id: line,
                    quantity: 1,
                    reason: None,
                    adjustments: Vec::new(),
                }],
                payments: vec![RefundPaymentRequest {
                    provider_id: "custom".into(),
                    amount: Cents::new(2_500),
                    offline: true,
                }],
                merchant_calculated_override: None,
            },
        )
        .await
        .unwrap();
    s.webhooks.flush().await;

    let received = s.app.received();
    let deliveries: Vec<_> = received
        .iter()
        .filter(|d| d.path == "/bc/webhooks")
        .collect();
    let payloads: Vec<WebhookPayload> = deliveries
        .iter()
        .map(|d| WebhookPayload::parse(&d.body).unwrap())
        .collect();
    // Exactly what the simulator emitted for these scopes, in order.
    let expected: Vec<String> = s
        .sim
        .events_since(s.hash(), 0)
        .into_iter()
        .map(|e| e.event.scope)
        .filter(|scope| {
            scope.starts_with("store/order/")
                || scope.starts_with("store/shipment/")
                || scope == "store/cart/converted"
        })
        .collect();
    let scopes: Vec<String> = payloads.iter().map(|p| p.scope.clone()).collect();
    assert_eq!(scopes, expected);

    for (delivery, payload) in deliveries.iter().zip(&payloads) {
        assert_eq!(
            delivery
                .headers
                .get(SECRET_HEADER)
                .and_then(|v| v.to_str().ok()),
            Some("s3cr3t")
        );
        assert_eq!(payload.store_hash().unwrap().as_str(), "abc123");
        assert_eq!(payload.store_id, "1001234567");
        assert!(!payload.hash.is_empty());
        assert!(payload.created_at > 0);
        assert_eq!(payload.data.order_id(), Some(order_id), "{}", payload.scope);
    }
    let find = |wanted: &WebhookData| payloads.iter().any(|p| &p.data == wanted);
    assert!(find(&WebhookData::CartConverted {
        cart_id: s.ex.checkout_id.clone(),
        order_id,
    }));
    assert!(find(&WebhookData::OrderCreated { order_id }));
    assert!(find(&WebhookData::OrderStatusUpdated {
        order_id,
        previous_status_id: status::INCOMPLETE,
        new_status_id: status::AWAITING_FULFILLMENT,
    }));
    assert!(find(&WebhookData::OrderUpdated { order_id }));
    assert!(find(&WebhookData::ShipmentCreated {
        shipment_id: shipment.id,
        order_id,
    }));
    assert!(find(&WebhookData::OrderRefundCreated {
        order_id,
        refund_id: refund.id,
    }));
    let transactions: Vec<_> = payloads
        .iter()
        .filter_map(|p| match &p.data {
            WebhookData::OrderTransaction(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(transactions.len(), 1, "the refund's transaction");
    assert_eq!(transactions[0].transaction_type, "refund");
    // No delivery was a surprise to the parser.
    assert!(
        payloads
            .iter()
            .all(|p| !matches!(p.data, WebhookData::Other(_))),
        "{scopes:?}"
    );
}
