//! Whole journeys with the stand-in shop: IPNs, the events webhook, retries on the
//! clock, and the fault switches.

use sandbox::sequra::{
    AttemptOutcome, EVENTS_USER_AGENT, NotificationKind, NotificationStatus, OrderState,
    ReviewOutcome,
};

use super::{Harness, ShopMode};

fn ipn_fields(h: &Harness) -> Vec<Vec<(String, String)>> {
    h.shop
        .received_at("/ipn")
        .into_iter()
        .map(|r| r.fields)
        .collect()
}

#[tokio::test]
async fn approve_sends_the_ipn_and_the_shop_confirms_before_answering() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;

    let received = h.shop.received_at("/ipn");
    assert_eq!(received.len(), 1);
    let ipn = &received[0];
    assert_eq!(
        ipn.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let names: Vec<&str> = ipn.fields.iter().map(|(k, _)| k.as_str()).collect();
    // The notification parameters (in any order), then SeQura's fields.
    let mut parameters = names[..3].to_vec();
    parameters.sort_unstable();
    assert_eq!(parameters, ["cartId", "signature", "storeId"]);
    assert_eq!(
        names[3..],
        [
            "order_ref",
            "order_ref_1",
            "product_code",
            "sq_state",
            "approved_since"
        ]
    );
    assert_eq!(ipn.field("signature"), Some("sig-123"));
    assert_eq!(ipn.field("storeId"), Some("store-1"));
    assert_eq!(ipn.field("order_ref"), Some(uuid.to_string().as_str()));
    assert_eq!(ipn.field("order_ref_1"), Some("A1001"));
    assert_eq!(ipn.field("product_code"), Some("i1"));
    assert_eq!(ipn.field("sq_state"), Some("approved"));
    assert!(ipn.field("approved_since").unwrap().parse::<i64>().is_ok());

    assert_eq!(h.shop.acknowledgements(), [200]);
    let order = h.sim.order(uuid).unwrap();
    assert_eq!(order.state, OrderState::Confirmed);
    let notifications = h.sim.notifications_for(uuid);
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0].status, NotificationStatus::Delivered);
    let attempt = &notifications[0].attempts[0];
    assert_eq!(attempt.outcome, AttemptOutcome::Answered { status: 200 });
    assert_eq!(attempt.shop_acknowledged, Some(true));
    assert_eq!(h.sim.form_action(uuid), Some("finish"));
}

#[tokio::test]
async fn a_shop_that_answers_2xx_without_confirming_is_recorded() {
    let h = Harness::new().await;
    h.shop.set_mode(ShopMode::JustAnswer);
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    let notification = &h.sim.notifications_for(uuid)[0];
    assert_eq!(notification.status, NotificationStatus::Delivered);
    assert_eq!(notification.attempts[0].shop_acknowledged, Some(false));
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Approved);
    let history = h.sim.order(uuid).unwrap().history;
    assert!(
        history
            .iter()
            .any(|e| e.detail.contains("shop had NOT acknowledged")),
        "{history:?}"
    );
}

#[tokio::test]
async fn review_then_approve() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.review(uuid).unwrap();
    h.sim.flush().await;
    let first = &h.shop.received_at("/ipn")[0];
    assert_eq!(first.field("sq_state"), Some("needs_review"));
    assert!(first.field("needs_review_since").is_some());
    assert!(first.field("approved_since").is_none());
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::OnHold);
    assert_eq!(h.sim.form_action(uuid), Some("show_on_hold"));
    assert_eq!(
        h.sim.notifications_for(uuid)[0].attempts[0].shop_acknowledged,
        Some(true)
    );

    h.sim.complete_review(uuid, ReviewOutcome::Approve).unwrap();
    h.sim.flush().await;
    let ipns = ipn_fields(&h);
    assert_eq!(ipns.len(), 2);
    let second = &h.shop.received_at("/ipn")[1];
    assert_eq!(second.field("sq_state"), Some("approved"));
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Confirmed);
    assert_eq!(h.shop.acknowledgements(), [200, 200]);
    // A finished review cannot complete again.
    assert!(h.sim.complete_review(uuid, ReviewOutcome::Cancel).is_err());
}

#[tokio::test]
async fn review_then_cancel_goes_through_the_events_webhook() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.review(uuid).unwrap();
    h.sim.flush().await;
    h.sim.complete_review(uuid, ReviewOutcome::Cancel).unwrap();
    h.sim.flush().await;

    let order = h.sim.order(uuid).unwrap();
    assert_eq!(order.state, OrderState::Cancelled);
    let events = h.shop.received_at("/events");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.header("user-agent"), Some(EVENTS_USER_AGENT));
    assert_eq!(event.header("accept"), Some("application/json"));
    let fields: Vec<(&str, &str)> = event
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let uuid_text = uuid.to_string();
    assert_eq!(
        fields,
        [
            ("charset", "UTF-8"),
            ("utf8", "√"),
            ("event", "cancelled"),
            ("order_ref_1", "A1001"),
            ("order_ref_2", "cart-77"),
            ("order_ref", uuid_text.as_str()),
            ("m_signature", "ev-sig"),
            ("m_storeId", "store-1"),
        ]
    );
    // The raw body is form-encoded UTF-8 (√ = %E2%88%9A).
    assert!(String::from_utf8_lossy(&event.raw).contains("utf8=%E2%88%9A"));
    assert_eq!(h.shop.received_at("/ipn").len(), 1);
}

#[tokio::test]
async fn events_are_retried_with_backoff_until_2xx_but_not_after_501() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.review(uuid).unwrap();
    h.sim.flush().await;
    h.shop.set_status(500);
    h.sim.complete_review(uuid, ReviewOutcome::Cancel).unwrap();
    h.sim.flush().await;
    assert_eq!(h.shop.received_at("/events").len(), 1);
    // Nothing more until the backoff (1 min, then 2 min) has passed.
    h.advance(59);
    h.sim.run_due().await;
    assert_eq!(h.shop.received_at("/events").len(), 1);
    h.advance(1);
    h.sim.run_due().await;
    assert_eq!(h.shop.received_at("/events").len(), 2);
    h.shop.set_status(200);
    h.advance(120);
    h.sim.run_due().await;
    assert_eq!(h.shop.received_at("/events").len(), 3);
    let event = h
        .sim
        .notifications_for(uuid)
        .into_iter()
        .find(|n| matches!(n.kind, NotificationKind::Event { .. }))
        .unwrap();
    assert_eq!(event.status, NotificationStatus::Delivered);
    assert_eq!(event.attempts.len(), 3);

    // 501: given up at once.
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.review(uuid).unwrap();
    h.sim.flush().await;
    h.shop.set_status(501);
    h.sim.complete_review(uuid, ReviewOutcome::Cancel).unwrap();
    h.sim.flush().await;
    h.advance(86_400);
    h.sim.run_due().await;
    assert_eq!(h.shop.received_at("/events").len(), 1);
    let event = h.sim.notifications_for(uuid).pop().unwrap();
    assert_eq!(event.status, NotificationStatus::Refused { status: 501 });
}

#[tokio::test]
async fn events_give_up_after_ten_retries() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.review(uuid).unwrap();
    h.sim.flush().await;
    h.shop.set_status(503);
    h.sim.complete_review(uuid, ReviewOutcome::Cancel).unwrap();
    h.sim.flush().await;
    for _ in 0..12 {
        h.advance(86_400);
        h.sim.run_due().await;
    }
    assert_eq!(h.shop.received_at("/events").len(), 11);
    let event = h.sim.notifications_for(uuid).pop().unwrap();
    assert_eq!(event.status, NotificationStatus::Exhausted);
}

#[tokio::test]
async fn reject_sends_no_ipn() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.reject(uuid).unwrap();
    h.sim.flush().await;
    assert!(h.shop.received().is_empty());
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Rejected);
    assert_eq!(h.sim.form_action(uuid), Some("reject"));
    // Decided orders cannot be decided again.
    assert!(h.sim.approve(uuid).is_err());
}

#[tokio::test]
async fn a_409_answer_is_retried_after_the_clock_advances() {
    let h = Harness::new().await;
    h.shop.set_status(409);
    h.shop.set_mode(ShopMode::JustAnswer);
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    assert_eq!(h.shop.received_at("/ipn").len(), 1);
    assert_eq!(h.sim.form_action(uuid), Some("wait"));
    let notification = h.sim.notifications_for(uuid).pop().unwrap();
    assert!(matches!(
        notification.status,
        NotificationStatus::Pending { .. }
    ));

    // Not yet due.
    h.sim.run_due().await;
    assert_eq!(h.shop.received_at("/ipn").len(), 1);

    h.shop.set_status(200);
    h.shop.set_mode(ShopMode::Acknowledge);
    h.advance(60);
    h.sim.run_due().await;
    let received = h.shop.received_at("/ipn");
    assert_eq!(received.len(), 2);
    // approved_since grows with the clock.
    let since: i64 = received[1]
        .field("approved_since")
        .unwrap()
        .parse()
        .unwrap();
    assert!(since >= 60, "{since}");
    let notification = h.sim.notifications_for(uuid).pop().unwrap();
    assert_eq!(notification.status, NotificationStatus::Delivered);
    let statuses: Vec<Option<u16>> = notification
        .attempts
        .iter()
        .map(|a| a.outcome.status())
        .collect();
    assert_eq!(statuses, [Some(409), Some(200)]);
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Confirmed);
    assert_eq!(h.sim.form_action(uuid), Some("finish"));
}

#[tokio::test]
async fn ipns_give_up_after_the_schedule() {
    let h = Harness::new().await;
    h.shop.set_status(500);
    h.shop.set_mode(ShopMode::JustAnswer);
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    for _ in 0..10 {
        h.advance(3600);
        h.sim.run_due().await;
    }
    assert_eq!(h.shop.received_at("/ipn").len(), 7);
    let notification = h.sim.notifications_for(uuid).pop().unwrap();
    assert_eq!(notification.status, NotificationStatus::Exhausted);
    assert_eq!(h.sim.form_action(uuid), Some("gave_up"));
}

#[tokio::test]
async fn a_410_answer_cancels_the_order_with_a_conflict() {
    let h = Harness::new().await;
    h.shop.set_status(410);
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    let order = h.sim.order(uuid).unwrap();
    assert_eq!(order.state, OrderState::Cancelled);
    assert!(order.conflict);
    assert_eq!(h.sim.form_action(uuid), Some("show_conflict"));
    let notification = h.sim.notifications_for(uuid).pop().unwrap();
    assert_eq!(
        notification.status,
        NotificationStatus::Refused { status: 410 }
    );
    h.advance(86_400);
    h.sim.run_due().await;
    assert_eq!(h.shop.received_at("/ipn").len(), 1);
}

#[tokio::test]
async fn connection_errors_and_timeouts_are_retried() {
    let h = Harness::with(|o| o.attempt_timeout = std::time::Duration::from_millis(200)).await;
    // Nobody listens on the notify_url's port: connection refused.
    let closed = {
        let bound = sandbox::server::bind_local(0).await.unwrap();
        bound.base_url
    };
    let mut body = super::order_body(&closed, "C1", 5097);
    body["order"]["merchant"]["notify_url"] = serde_json::json!(format!("{closed}/ipn"));
    let refused = h.create(&body).await;
    // The shop never answers /hang: timeout.
    let mut body = h.order_body();
    body["order"]["merchant"]["notify_url"] = serde_json::json!(h.shop.base_url.clone() + "/hang");
    let hanging = h.create(&body).await;
    h.sim.approve(refused).unwrap();
    h.sim.approve(hanging).unwrap();
    h.sim.flush().await;
    let refused = h.sim.notifications_for(refused).pop().unwrap();
    assert!(matches!(
        refused.attempts[0].outcome,
        AttemptOutcome::ConnectionError { .. }
    ));
    assert!(matches!(refused.status, NotificationStatus::Pending { .. }));
    let hanging = h.sim.notifications_for(hanging).pop().unwrap();
    assert_eq!(hanging.attempts[0].outcome, AttemptOutcome::Timeout);
    assert!(matches!(hanging.status, NotificationStatus::Pending { .. }));
}

#[tokio::test]
async fn a_dropped_ipn_is_never_sent_and_a_replay_recovers() {
    let h = Harness::new().await;
    h.sim.drop_next_ipn(1);
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    h.advance(86_400);
    h.sim.run_due().await;
    assert!(h.shop.received().is_empty());
    let dropped = h.sim.notifications_for(uuid).pop().unwrap();
    assert_eq!(dropped.status, NotificationStatus::Dropped);
    assert!(dropped.attempts.is_empty());
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Approved);
    assert_eq!(h.sim.form_action(uuid), Some("wait"));

    // The next IPN is not dropped any more; a replay sends the dropped one.
    h.sim.replay_ipn(uuid, 1).unwrap();
    h.sim.flush().await;
    assert_eq!(h.shop.received_at("/ipn").len(), 1);
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Confirmed);
    assert_eq!(h.sim.form_action(uuid), Some("finish"));
}

#[tokio::test]
async fn replayed_ipns_arrive_identical_one_after_the_other() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    h.sim.replay_ipn(uuid, 3).unwrap();
    h.sim.flush().await;
    let received = h.shop.received_at("/ipn");
    assert_eq!(received.len(), 4);
    let without_since = |fields: &Vec<(String, String)>| {
        fields
            .iter()
            .filter(|(k, _)| k != "approved_since")
            .cloned()
            .collect::<Vec<_>>()
    };
    for replay in &received[1..] {
        assert_eq!(
            without_since(&replay.fields),
            without_since(&received[0].fields)
        );
    }
    let notifications = h.sim.notifications_for(uuid);
    assert_eq!(notifications.len(), 4);
    assert!(
        notifications[1..]
            .iter()
            .all(|n| n.replay_of == Some(notifications[0].id))
    );
    // The shop's repeated confirmations are idempotent.
    assert_eq!(h.shop.acknowledgements(), [200, 200, 200, 200]);
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Confirmed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_replays_are_all_answered_and_recorded() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    h.sim.flush().await;
    let replays = h.sim.replay_ipn_concurrently(uuid, 5).await.unwrap();
    assert_eq!(replays.len(), 5);
    for replay in &replays {
        assert_eq!(replay.status, NotificationStatus::Delivered, "{replay:?}");
        assert_eq!(replay.attempts.len(), 1);
    }
    assert_eq!(h.shop.received_at("/ipn").len(), 6);
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Confirmed);
    // No IPN to replay on a fresh order.
    let fresh = h.create_default().await;
    assert!(h.sim.replay_ipn(fresh, 1).is_err());
}

#[tokio::test]
async fn a_newer_ipn_supersedes_a_pending_older_one() {
    let h = Harness::new().await;
    h.shop.set_status(500);
    let uuid = h.create_default().await;
    h.sim.review(uuid).unwrap();
    h.sim.flush().await;
    h.shop.set_status(200);
    h.sim.complete_review(uuid, ReviewOutcome::Approve).unwrap();
    h.sim.flush().await;
    let notifications = h.sim.notifications_for(uuid);
    assert_eq!(notifications[0].status, NotificationStatus::Superseded);
    assert_eq!(notifications[1].status, NotificationStatus::Delivered);
    h.advance(86_400);
    h.sim.run_due().await;
    let states: Vec<Option<String>> = h
        .shop
        .received_at("/ipn")
        .iter()
        .map(|r| r.field("sq_state").map(str::to_owned))
        .collect();
    assert_eq!(
        states,
        [Some("needs_review".to_owned()), Some("approved".to_owned())]
    );
    assert_eq!(h.sim.order(uuid).unwrap().state, OrderState::Confirmed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_worker_sends_without_being_stepped() {
    let h = Harness::new().await;
    let uuid = h.create_default().await;
    h.sim.approve(uuid).unwrap();
    // flush waits for the worker's pass if it already started; either way it is done.
    h.sim.flush().await;
    assert_eq!(h.shop.received_at("/ipn").len(), 1);
}
