//! Failures: the retry schedule on the clock, recovery, deactivation, deliveryException
//! events, timeouts, connection errors and the per-domain blocklist.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use sandbox::bigcommerce::webhooks::{
    AttemptOutcome, DeliveryStatus, ERROR_DOMAIN_BLOCKED, ERROR_RETRIES_EXHAUSTED,
    ERROR_WILL_RETRY, HookStatus, NotificationKind, RETRY_SCHEDULE_SECS,
};
use sandbox::server::bind_local;
use serde_json::{Value, json};

use super::{CLIENT, Harness, STORE, STORE_ID, admin_path, hook_path};
use crate::contract::assert_conforms_closed;

fn order(id: u64) -> Value {
    json!({"type": "order", "id": id})
}

/// Steps through every retry interval: nothing happens halfway, one attempt at the end.
async fn step_through_retries(h: &Harness, path: &str) {
    for (i, secs) in RETRY_SCHEDULE_SECS.iter().enumerate() {
        h.advance(secs / 2);
        h.webhooks.run_due().await;
        assert_eq!(
            h.receiver.received_at(path).len(),
            i + 1,
            "early retry {}",
            i + 1
        );
        h.advance(secs - secs / 2);
        h.webhooks.run_due().await;
        assert_eq!(
            h.receiver.received_at(path).len(),
            i + 2,
            "retry {} missing",
            i + 1
        );
    }
}

#[tokio::test]
async fn failures_follow_the_schedule_then_the_hook_is_deactivated() {
    let h = Harness::new().await;
    h.receiver.set_status(500);
    h.call(
        Method::PUT,
        &admin_path(),
        Some(CLIENT),
        Some(r#"{"emails": ["ops@app.example.com"]}"#),
    )
    .await;
    let id = h.hook_to("store/order/created", "/hooks").await;
    h.emit("store/order/created", order(250));
    h.webhooks.flush().await;
    assert_eq!(h.receiver.received().len(), 1);

    step_through_retries(&h, "/hooks").await;

    // 1 attempt + 11 retries, the same body every time, spaced as scheduled.
    let received = h.receiver.received();
    assert_eq!(received.len(), 12);
    assert!(received.iter().all(|r| r.raw == received[0].raw));
    let delivery = &h.webhooks.deliveries(STORE)[0];
    assert_eq!(delivery.status, DeliveryStatus::Exhausted);
    let numbers: Vec<u32> = delivery.attempts.iter().map(|a| a.number).collect();
    assert_eq!(numbers, (1..=12).collect::<Vec<_>>());
    assert!(
        delivery
            .attempts
            .iter()
            .all(|a| a.outcome == AttemptOutcome::HttpError { status: 500 })
    );
    for (pair, secs) in delivery.attempts.windows(2).zip(RETRY_SCHEDULE_SECS) {
        let gap = (pair[1].at - pair[0].at).num_seconds();
        assert!(gap >= i64::try_from(secs).unwrap(), "{gap} < {secs}");
    }

    // Deactivated, visibly.
    assert_eq!(h.webhooks.hook(id).unwrap().status, HookStatus::Deactivated);
    let (_, body) = h
        .call(Method::GET, &hook_path(id), Some(CLIENT), None)
        .await;
    assert_eq!(body["data"]["is_active"], false);
    let (_, admin) = h.call(Method::GET, &admin_path(), Some(CLIENT), None).await;
    assert_conforms_closed("GET", &admin_path(), 200, &admin);
    assert_eq!(admin["data"]["hooks_list"][0]["status"], "deactivated");
    let notifications = h.webhooks.notifications();
    assert_eq!(notifications.len(), 1);
    assert_eq!(
        notifications[0].kind,
        NotificationKind::HookDeactivated { hook_id: id }
    );
    assert_eq!(notifications[0].to, ["ops@app.example.com"]);

    // No more attempts, and new events are not delivered to it.
    h.advance(7 * 86_400);
    h.webhooks.run_due().await;
    h.emit("store/order/created", order(251));
    h.webhooks.flush().await;
    assert_eq!(h.receiver.received().len(), 12);

    // Re-activated by PUT, it receives again.
    h.receiver.set_status(200);
    let (status, body) = h
        .call(
            Method::PUT,
            &hook_path(id),
            Some(CLIENT),
            Some(r#"{"is_active": true}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["is_active"], true);
    assert_eq!(h.webhooks.hook(id).unwrap().status, HookStatus::Active);
    h.emit("store/order/created", order(252));
    h.webhooks.flush().await;
    let received = h.receiver.received();
    assert_eq!(received.len(), 13);
    assert_eq!(received[12].body["data"]["id"], 252);
}

#[tokio::test]
async fn a_recovered_destination_gets_the_delivery_once() {
    let h = Harness::new().await;
    h.receiver.set_status(503);
    h.hook_to("store/order/created", "/hooks").await;
    h.emit("store/order/created", order(250));
    h.webhooks.flush().await;
    h.advance(60);
    h.webhooks.run_due().await;
    assert_eq!(h.receiver.received().len(), 2);

    h.receiver.set_status(200);
    h.advance(180);
    h.webhooks.run_due().await;
    let delivery = &h.webhooks.deliveries(STORE)[0];
    assert_eq!(delivery.status, DeliveryStatus::Delivered);
    assert_eq!(delivery.attempts.len(), 3);
    assert_eq!(
        delivery.attempts[2].outcome,
        AttemptOutcome::Success { status: 200 }
    );

    h.advance(2 * 86_400);
    h.webhooks.run_due().await;
    let received = h.receiver.received();
    assert_eq!(received.len(), 3);
    // A re-delivery carries the same hash (and body).
    assert!(
        received
            .iter()
            .all(|r| r.body["hash"] == received[0].body["hash"])
    );
}

// Also on a multi-threaded runtime, like the demo's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_exceptions_report_retries_and_exhaustion() {
    let h = Harness::new().await;
    h.receiver.set_status_for("/orders", 500);
    let id = h.hook_to("store/order/created", "/orders").await;
    let exception_hook = h
        .hook_to("store/hook/deliveryException", "/exceptions")
        .await;

    h.emit("store/order/created", order(250));
    h.webhooks.flush().await;
    let exceptions = h.receiver.received_at("/exceptions");
    assert_eq!(exceptions.len(), 1);
    let body = &exceptions[0].body;
    assert_eq!(body["scope"], "store/hook/deliveryException");
    assert_eq!(body["store_id"], STORE_ID);
    assert_eq!(body["producer"], format!("stores/{STORE}"));
    assert_eq!(body["data"]["type"], "webhook");
    assert_eq!(body["data"]["id"], id);
    assert_eq!(body["data"]["error_code"], ERROR_WILL_RETRY);
    let message = body["data"]["message"].as_str().unwrap();
    assert!(message.contains(&h.receiver.url("/orders")), "{message}");
    assert!(message.contains("will retry"), "{message}");

    step_through_retries(&h, "/orders").await;

    let codes: Vec<Value> = h
        .receiver
        .received_at("/exceptions")
        .iter()
        .map(|r| r.body["data"]["error_code"].clone())
        .collect();
    // 90001 at most once per destination every 10 minutes: at 0 s, then at the
    // attempts at 1140 s, 2040 s, 3840 s, 7440 s, 14640 s, 36240 s and 86640 s.
    let mut expected = vec![json!(ERROR_WILL_RETRY); 8];
    expected.push(json!(ERROR_RETRIES_EXHAUSTED));
    assert_eq!(codes, expected);
    assert_eq!(h.webhooks.hook(id).unwrap().status, HookStatus::Deactivated);
    assert_eq!(
        h.webhooks.hook(exception_hook).unwrap().status,
        HookStatus::Active
    );
}

#[tokio::test]
async fn the_exception_hook_does_not_report_on_itself() {
    let h = Harness::new().await;
    h.receiver.set_status(500);
    h.hook_to("store/order/created", "/orders").await;
    let exception_hook = h
        .hook_to("store/hook/deliveryException", "/exceptions")
        .await;
    h.emit("store/order/created", order(250));
    h.webhooks.flush().await;
    // One order delivery, one (failed) 90001; nothing about the failed 90001.
    assert_eq!(h.receiver.received_at("/orders").len(), 1);
    assert_eq!(h.receiver.received_at("/exceptions").len(), 1);
    let exception_deliveries = h
        .webhooks
        .deliveries(STORE)
        .into_iter()
        .filter(|d| d.hook_id == exception_hook)
        .count();
    assert_eq!(exception_deliveries, 1);
}

#[tokio::test]
async fn timeouts_and_connection_errors_are_failures() {
    let h = Harness::with(|options| options.attempt_timeout = Duration::from_millis(200)).await;
    h.hook_to("store/order/created", "/hang").await;
    let closed = {
        let bound = bind_local(0).await.unwrap();
        bound.base_url
        // The listener is dropped here: nothing answers on that port.
    };
    h.create_hook(
        CLIENT,
        json!({"scope": "store/order/created", "destination": format!("{closed}/hooks")}),
    )
    .await;
    h.emit("store/order/created", order(250));
    h.webhooks.flush().await;

    let deliveries = h.webhooks.deliveries(STORE);
    assert_eq!(deliveries.len(), 2);
    let outcome = |destination: &str| {
        deliveries
            .iter()
            .find(|d| d.attempts[0].destination.starts_with(destination))
            .map(|d| (d.attempts[0].outcome.clone(), d.status.clone()))
            .unwrap()
    };
    let (timeout, status) = outcome(&h.receiver.url("/hang"));
    assert_eq!(timeout, AttemptOutcome::Timeout);
    assert!(matches!(status, DeliveryStatus::Pending { .. }));
    let (refused, status) = outcome(&closed);
    assert!(
        matches!(refused, AttemptOutcome::ConnectionError { .. }),
        "{refused:?}"
    );
    assert!(matches!(status, DeliveryStatus::Pending { .. }));
}

#[tokio::test]
async fn a_failing_domain_is_blocked_for_three_minutes() {
    let h = Harness::new().await;
    h.receiver.set_status_for("/orders", 500);
    h.hook_to("store/order/created", "/orders").await;
    // On another domain (localhost, not 127.0.0.1), so that it is not blocked too.
    let exceptions = h
        .receiver
        .url("/exceptions")
        .replace("127.0.0.1", "localhost");
    h.create_hook(
        CLIENT,
        json!({"scope": "store/hook/deliveryException", "destination": exceptions}),
    )
    .await;

    // The 100th failure in the window blocks the domain; the last five wait.
    for id in 0..105 {
        h.emit("store/order/created", order(id));
    }
    h.webhooks.flush().await;
    assert_eq!(h.receiver.received_at("/orders").len(), 100);

    let blocked = h.webhooks.blocked_domains(CLIENT);
    assert_eq!(blocked.len(), 1);
    let domain = h.receiver.base_url.rsplit_once(':').unwrap().0.to_owned();
    assert_eq!(blocked[0].domain, domain);
    let (_, admin) = h.call(Method::GET, &admin_path(), Some(CLIENT), None).await;
    assert_conforms_closed("GET", &admin_path(), 200, &admin);
    let listed = &admin["data"]["blocked_domains"][0];
    assert_eq!(listed["destination"], domain);
    assert!(
        (170..=180).contains(&listed["time_left"].as_i64().unwrap()),
        "{listed}"
    );
    assert_eq!(listed["reasons"][0]["count"], 100);
    assert!(
        listed["reasons"][0]["failure_description"]
            .as_str()
            .unwrap()
            .contains("500")
    );

    let codes: Vec<Value> = h
        .receiver
        .received_at("/exceptions")
        .iter()
        .map(|r| r.body["data"]["error_code"].clone())
        .collect();
    assert_eq!(
        codes,
        [json!(ERROR_WILL_RETRY), json!(ERROR_DOMAIN_BLOCKED)]
    );
    assert!(h.webhooks.notifications().iter().any(|n| n.kind
        == NotificationKind::DomainBlocked {
            domain: domain.clone()
        }));

    // While blocked, nothing goes to the domain — new events and due retries wait
    // without using up a retry.
    h.emit("store/order/created", order(105));
    h.webhooks.flush().await;
    h.advance(60);
    h.webhooks.run_due().await;
    assert_eq!(h.receiver.received_at("/orders").len(), 100);

    h.receiver.set_status_for("/orders", 200);
    h.advance(120);
    h.webhooks.run_due().await;
    assert_eq!(h.receiver.received_at("/orders").len(), 206);
    let deliveries = h.webhooks.deliveries(STORE);
    let orders: Vec<_> = deliveries
        .iter()
        .filter(|d| d.scope == "store/order/created")
        .collect();
    assert!(orders.iter().all(|d| d.status == DeliveryStatus::Delivered));
    let attempts: Vec<usize> = orders.iter().map(|d| d.attempts.len()).collect();
    assert_eq!(attempts[..100], [2; 100]);
    assert_eq!(
        attempts[100..],
        [1; 6],
        "the waiting ones went out once, when the block ended"
    );
    assert!(h.webhooks.blocked_domains(CLIENT).is_empty());
}

#[tokio::test]
async fn the_blocklist_can_be_switched_off() {
    let h = Harness::with(|options| options.domain_blocklist = false).await;
    h.receiver.set_status(500);
    h.hook_to("store/order/created", "/orders").await;
    for id in 0..120 {
        h.emit("store/order/created", order(id));
    }
    h.webhooks.flush().await;
    assert!(h.webhooks.blocked_domains(CLIENT).is_empty());
    assert_eq!(h.receiver.received().len(), 120);
    h.advance(60);
    h.webhooks.run_due().await;
    assert_eq!(h.receiver.received().len(), 240);
}
