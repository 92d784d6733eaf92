//! The IPN journey and the events webhook: the simulator decides, POSTs to the shop, the
//! shop parses (`Notification::parse`), checks the token (`signature::verify`) and
//! acknowledges (`PUT orders/{uuid}`) before answering.

use std::time::Duration;

use sandbox::sequra::{AttemptOutcome, NotificationStatus, OrderState as SimState, ReviewOutcome};
use sequra::{NotificationKind, NotificationState};

use super::*;

fn header<'a>(received: &'a Received, name: &str) -> Option<&'a str> {
    received.headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn approve_ipn_confirm_and_acknowledge() {
    let s = Sim::new().await;
    let uuid = s.solicit("cart-ipn", "BC-7001").await;
    s.approve(&uuid);
    s.sim.flush().await;

    // The shop's side.
    let received = s.shop.received();
    assert_eq!(received.len(), 1);
    let ipn = &received[0];
    assert_eq!(ipn.path, "/sequra/ipn");
    assert_eq!(
        header(ipn, "content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let n = ipn.parsed.clone().unwrap();
    assert_eq!(n.kind, NotificationKind::Ipn);
    assert_eq!(n.state, NotificationState::Approved);
    assert_eq!(n.order_ref, uuid);
    assert_eq!(
        n.order_ref_1, None,
        "not known to SeQura before confirmation"
    );
    assert_eq!(n.product_code.as_deref(), Some("i1"));
    assert_eq!(n.approved_since, Some(0));
    assert_eq!(n.needs_review_since, None);
    // notification_parameters come back verbatim, unprefixed.
    assert_eq!(
        n.parameter("signature"),
        Some(token("cart-ipn", MERCHANT).as_str())
    );
    assert_eq!(n.parameter("storeId"), Some(STORE_HASH));
    assert_eq!(n.parameter("cartId"), Some("cart-ipn"));
    assert_eq!(n.parameters.len(), 3);
    assert!(ipn.signature_ok);
    assert_eq!(ipn.acknowledged, Some(Ok(())));
    assert_eq!(ipn.answered, 200);

    // SeQura's side: confirmed with the shop's reference, before the IPN was answered.
    let order = s.order(&uuid);
    assert_eq!(order.state, SimState::Confirmed);
    assert_eq!(order.order_ref_1(), Some("BC-7001"));
    assert_eq!(
        order
            .merchant_reference
            .as_ref()
            .unwrap()
            .order_ref_2
            .as_deref(),
        Some(uuid.as_str())
    );
    assert_eq!(
        order.confirmed_cart.as_ref().unwrap().order_total_with_tax,
        SHOP_TOTAL
    );
    let notifications = s.sim.notifications_for(order.uuid);
    assert_eq!(notifications.len(), 1);
    let sent = &notifications[0];
    assert_eq!(sent.sq_state(), Some("approved"));
    assert_eq!(sent.status, NotificationStatus::Delivered);
    assert_eq!(sent.attempts.len(), 1);
    assert_eq!(
        sent.attempts[0].outcome,
        AttemptOutcome::Answered { status: 200 }
    );
    assert_eq!(sent.attempts[0].shop_acknowledged, Some(true));
    assert_eq!(s.sim.form_action(order.uuid), Some("finish"));
    let puts = s.calls_to(&format!("/orders/{uuid}"));
    assert_eq!(puts, [("PUT".into(), format!("/orders/{uuid}"), 200)]);

    // A replayed IPN (at-least-once delivery) is acknowledged again, idempotently.
    s.sim.replay_ipn(order.uuid, 1).unwrap();
    s.sim.flush().await;
    let again = s.shop.received_at("/sequra/ipn").pop().unwrap();
    assert_eq!(again.answered, 200);
    assert_eq!(again.acknowledged, Some(Ok(())));
    assert_eq!(s.order(&uuid).state, SimState::Confirmed);
}

#[tokio::test]
async fn a_forged_token_is_refused_and_the_order_cancelled() {
    let s = Sim::new().await;
    let mut order = shop_order(&s.shop, MERCHANT, "cart-forged");
    if let Some(params) = order.merchant.notification_parameters.as_mut() {
        params.insert("signature".into(), token("another-cart", MERCHANT));
    }
    let uuid = s.sequra.create_order(&order).await.unwrap();
    s.shop.expect(&uuid, order, "BC-7101", "cart-forged");
    s.approve(&uuid);
    s.sim.flush().await;
    let ipn = s.shop.received_at("/sequra/ipn").pop().unwrap();
    assert!(!ipn.signature_ok);
    assert_eq!(ipn.acknowledged, None);
    assert_eq!(ipn.answered, 410);
    let recorded = s.order(&uuid);
    assert_eq!(recorded.state, SimState::Cancelled);
    assert_eq!(s.sim.form_action(recorded.uuid), Some("show_conflict"));
}

#[tokio::test]
async fn review_on_hold_then_approved_and_confirmed() {
    let s = Sim::new().await;
    let uuid = s.solicit("cart-review", "BC-7201").await;
    let key = Uuid::parse_str(&uuid).unwrap();
    s.sim.review(key).unwrap();
    s.sim.flush().await;

    let first = s.shop.received_at("/sequra/ipn").pop().unwrap();
    let n = first.parsed.clone().unwrap();
    assert_eq!(n.state, NotificationState::NeedsReview);
    assert_eq!(n.needs_review_since, Some(0));
    assert_eq!(n.approved_since, None);
    assert!(first.signature_ok);
    assert_eq!(first.acknowledged, Some(Ok(())));
    assert_eq!(first.answered, 200);
    let order = s.order(&uuid);
    assert_eq!(order.state, SimState::OnHold);
    assert_eq!(order.order_ref_1(), Some("BC-7201"));
    assert_eq!(s.sim.form_action(key), Some("show_on_hold"));
    assert_eq!(
        s.sim.notifications_for(key)[0].attempts[0].shop_acknowledged,
        Some(true)
    );

    // An order on hold cannot be updated (SeQura answers 404).
    let update = sequra::OrderUpdate::new(
        MERCHANT,
        MerchantReference::new("BC-7201"),
        Cart::empty("EUR"),
        Cart::new("EUR", shop_items()),
        platform(),
    );
    let err = s
        .sequra
        .update_order(MERCHANT, "BC-7201", &update)
        .await
        .unwrap_err();
    assert!(matches!(err, sequra::Error::NotFound { .. }), "{err:?}");

    // An hour later the review approves: a second IPN, and the shop confirms.
    s.clock.advance(Duration::from_secs(3600));
    s.sim.complete_review(key, ReviewOutcome::Approve).unwrap();
    s.sim.flush().await;
    let second = s.shop.received_at("/sequra/ipn").pop().unwrap();
    let n = second.parsed.clone().unwrap();
    assert_eq!(n.state, NotificationState::Approved);
    // SeQura knows the shop's reference now.
    assert_eq!(n.order_ref_1.as_deref(), Some("BC-7201"));
    assert_eq!(second.acknowledged, Some(Ok(())));
    assert_eq!(second.answered, 200);
    assert_eq!(s.order(&uuid).state, SimState::Confirmed);
    assert_eq!(s.sim.form_action(key), Some("finish"));
    let states: Vec<Option<String>> = s
        .sim
        .notifications_for(key)
        .iter()
        .map(|n| n.sq_state().map(str::to_owned))
        .collect();
    assert_eq!(
        states,
        [Some("needs_review".to_owned()), Some("approved".to_owned())]
    );
}

#[tokio::test]
async fn review_cancelled_arrives_on_the_events_webhook() {
    let s = Sim::new().await;
    let uuid = s.solicit("cart-cancel", "BC-7301").await;
    let key = Uuid::parse_str(&uuid).unwrap();
    s.sim.review(key).unwrap();
    s.sim.flush().await;
    assert_eq!(s.order(&uuid).state, SimState::OnHold);

    s.sim.complete_review(key, ReviewOutcome::Cancel).unwrap();
    s.sim.flush().await;
    let events = s.shop.received_at("/sequra/events");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        header(event, "user-agent"),
        Some("seQura-Event/1.0 (www.sequra.es)")
    );
    assert_eq!(header(event, "accept"), Some("application/json"));
    let n = event.parsed.clone().unwrap();
    assert_eq!(n.kind, NotificationKind::Event);
    assert_eq!(n.state, NotificationState::Cancelled);
    assert_eq!(n.order_ref, uuid);
    assert_eq!(n.order_ref_1.as_deref(), Some("BC-7301"));
    assert_eq!(n.order_ref_2.as_deref(), Some(uuid.as_str()));
    // m_ parameters, stripped of their prefix; charset/utf8 are not parameters.
    let names: Vec<&str> = n.parameters.keys().map(String::as_str).collect();
    assert_eq!(names, ["cartId", "signature", "storeId"]);
    assert_eq!(
        n.parameter("signature"),
        Some(token("cart-cancel", MERCHANT).as_str())
    );
    assert!(event.signature_ok);
    assert_eq!(event.answered, 200);
    // The raw body really carried the prefixes and SeQura's default fields.
    let raw = String::from_utf8(event.body.to_vec()).unwrap();
    assert!(raw.contains("m_signature="), "{raw}");
    assert!(raw.contains("event=cancelled"), "{raw}");
    assert!(raw.contains("utf8=%E2%88%9A"), "{raw}");

    let order = s.order(&uuid);
    assert_eq!(order.state, SimState::Cancelled);
    let sent = s.sim.notifications_for(key);
    let event = sent.iter().find(|n| !n.is_ipn()).unwrap();
    assert_eq!(event.status, NotificationStatus::Delivered);
}

#[tokio::test]
async fn parameters_with_form_special_characters_come_back_intact() {
    let s = Sim::new().await;
    let mut order = shop_order(&s.shop, MERCHANT, "cart-chars");
    let tricky = [
        ("base64Token", "K6hDNSwfcJjF+suAJqXAjA=="),
        ("query", "a=1&b=2"),
        ("spaces", "Tienda de Laura"),
        ("accents", "Pequeño café ñ √"),
        ("percent", "100% sure %2F"),
    ];
    for map in [
        order.merchant.notification_parameters.as_mut().unwrap(),
        &mut order.merchant.events_webhook.as_mut().unwrap().parameters,
    ] {
        for (name, value) in tricky {
            map.insert(name.into(), value.into());
        }
    }
    let uuid = s.sequra.create_order(&order).await.unwrap();
    s.shop.expect(&uuid, order, "BC#10/2 ñ%+", "cart-chars");
    let key = Uuid::parse_str(&uuid).unwrap();
    s.sim.review(key).unwrap();
    s.sim.flush().await;
    s.sim.complete_review(key, ReviewOutcome::Cancel).unwrap();
    s.sim.flush().await;

    let ipn = s.shop.received_at("/sequra/ipn").pop().unwrap();
    assert_eq!(ipn.acknowledged, Some(Ok(())));
    let event = s.shop.received_at("/sequra/events").pop().unwrap();
    for received in [&ipn, &event] {
        let n = received.parsed.clone().unwrap();
        for (name, value) in tricky {
            assert_eq!(n.parameter(name), Some(value), "{name} in {:?}", n.kind);
        }
        assert!(received.signature_ok);
    }
    let n = event.parsed.unwrap();
    assert_eq!(n.order_ref_1.as_deref(), Some("BC#10/2 ñ%+"));
}

#[tokio::test]
async fn an_order_can_be_held_before_the_shop_order_exists() {
    // §2.1 step 3 / §1.6: `merchant_reference` is needed at confirmation; an order put on
    // hold may not have a shop order number yet.
    let s = Sim::new().await;
    let order = shop_order(&s.shop, MERCHANT, "cart-hold-early");
    let uuid = s.sequra.create_order(&order).await.unwrap();
    let key = Uuid::parse_str(&uuid).unwrap();
    s.sim.drop_next_ipn(1);
    s.sim.review(key).unwrap();
    s.sequra
        .update_order_state(&uuid, AcknowledgedState::OnHold, &order)
        .await
        .unwrap();
    let recorded = s.order(&uuid);
    assert_eq!(recorded.state, SimState::OnHold);
    assert_eq!(recorded.order_ref_1(), None);

    // Confirming still needs it: refused before sending.
    s.sim.complete_review(key, ReviewOutcome::Approve).unwrap();
    let before = s.sim.requests().len();
    let err = s.sequra.confirm_order(&uuid, &order).await.unwrap_err();
    assert!(matches!(err, sequra::Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(s.sim.requests().len(), before);
    let mut confirmed = order.clone();
    confirmed.merchant_reference = Some(MerchantReference::new("BC-7501"));
    s.sequra.confirm_order(&uuid, &confirmed).await.unwrap();
    assert_eq!(s.order(&uuid).order_ref_1(), Some("BC-7501"));
}
