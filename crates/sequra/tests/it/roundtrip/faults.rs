//! The retryable kinds through the real simulator: injected 5xx/429 (never re-sent by
//! the client), answers slower than the client's timeout, and a simulator that stopped.

use std::time::Duration;

use sandbox::sequra::SequraSim;
use sequra::{Error, OrderUpdate};

use super::*;

fn assert_server(err: &Error, status: u16) {
    match err {
        Error::Server { status: got, .. } => assert_eq!(*got, status, "{err:?}"),
        other => panic!("expected a {status}, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(err.status(), Some(status));
}

#[tokio::test]
async fn server_errors_are_retryable_and_nothing_is_sent_twice() {
    let s = Sim::new().await;

    // GET: one call, no retry on a status.
    s.sim.fail_next(1, 500);
    let err = s.sequra.credentials().await.unwrap_err();
    assert_server(&err, 500);
    assert_eq!(
        s.calls_to("/merchants/credentials"),
        [("GET".into(), "/merchants/credentials".into(), 500)]
    );

    // POST orders: one call, no order.
    let order = shop_order(&s.shop, MERCHANT, "cart-503");
    s.sim.fail_next(1, 503);
    let err = s.sequra.create_order(&order).await.unwrap_err();
    assert_server(&err, 503);
    assert_eq!(
        s.calls_to("/orders"),
        [("POST".into(), "/orders".into(), 503)]
    );
    assert!(s.sim.orders().is_empty());
    // The caller's retry (same body) succeeds once the fault is gone.
    let uuid = s.sequra.create_order(&order).await.unwrap();

    // PUT orders/{uuid}: one call, the order stays approved.
    s.sim.drop_next_ipn(1);
    s.approve(&uuid);
    let mut confirmed = order.clone();
    confirmed.merchant_reference = Some(MerchantReference::new("BC-9001"));
    s.sim.fail_next_for(&format!("orders/{uuid}"), 1, 500);
    let err = s.sequra.confirm_order(&uuid, &confirmed).await.unwrap_err();
    assert_server(&err, 500);
    let puts = s.calls_to(&format!("/orders/{uuid}"));
    assert_eq!(puts, [("PUT".into(), format!("/orders/{uuid}"), 500)]);
    assert_eq!(s.order(&uuid).state, sandbox::sequra::OrderState::Approved);
    s.sequra.confirm_order(&uuid, &confirmed).await.unwrap();

    // PUT merchants/{m}/orders/{ref}: one call, carts unchanged.
    let ship = OrderUpdate::new(
        MERCHANT,
        MerchantReference::new("BC-9001"),
        Cart::empty("EUR"),
        Cart::new("EUR", shop_items()),
        platform(),
    );
    s.sim.fail_next_for("merchants/demo_es/orders", 1, 503);
    let err = s
        .sequra
        .update_order(MERCHANT, "BC-9001", &ship)
        .await
        .unwrap_err();
    assert_server(&err, 503);
    assert_eq!(
        s.calls_to("/merchants/demo_es/orders"),
        [(
            "PUT".into(),
            "/merchants/demo_es/orders/BC-9001".into(),
            503
        )]
    );
    assert!(s.order(&uuid).shipped_cart.is_empty());

    // POST orders/delivery_reports.
    s.sim.fail_next_for("orders/delivery_reports", 1, 502);
    let err = s
        .sequra
        .delivery_report(&sequra::DeliveryReport::new(MERCHANT, platform()))
        .await
        .unwrap_err();
    assert_server(&err, 502);
    assert_eq!(s.calls_to("/orders/delivery_reports").len(), 1);
    assert!(s.sim.delivery_reports().is_empty());

    // 429: rate limited, retryable.
    s.sim.fail_next(1, 429);
    let err = s
        .sequra
        .merchant_payment_methods(MERCHANT)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::RateLimited {
                retry_after: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(s.calls_to("/merchants/demo_es/payment_methods").len(), 1);
}

#[tokio::test]
async fn answers_slower_than_the_timeout_are_retryable_timeouts() {
    let s = Sim::new().await;
    let impatient = client_with(
        ClientConfig::new(
            s.base_url(),
            DEMO_USERNAME,
            SecretString::from(DEMO_PASSWORD),
        )
        .with_timeout(Duration::from_millis(200)),
    );
    // Answers the impatient client gets in time.
    assert_eq!(impatient.credentials().await.unwrap().len(), 4);

    s.sim.set_latency(Some(Duration::from_secs(5)));
    let err = impatient.credentials().await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: true, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
    let order = shop_order(&s.shop, MERCHANT, "cart-slow");
    let err = impatient.create_order(&order).await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: true, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    s.sim.set_latency(None);
}

#[tokio::test]
async fn a_stopped_simulator_is_a_retryable_connection_error() {
    // Served by hand so that the test can stop the server and know it has stopped.
    let bound = sandbox::server::bind_local(0).await.unwrap();
    let sim = SequraSim::new(&bound.base_url, SequraOptions::default());
    let server = sandbox::server::serve(bound.listener, sim.router());
    assert_eq!(
        client(&bound.base_url).credentials().await.unwrap().len(),
        4
    );
    server.abort();
    let _ = server.await;

    // A fresh client: no pooled connection to the (still running) connection task.
    let sequra = client(&bound.base_url);
    let err = sequra.credentials().await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: false, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    let shop = Shop::start(sequra.clone()).await;
    let err = sequra
        .create_order(&shop_order(&shop, MERCHANT, "cart-down"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Transport { timeout: false, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    // The only call the simulator ever answered was the first one.
    assert_eq!(sim.requests().len(), 1);
}

#[tokio::test]
async fn other_statuses_and_bodies_off_the_contract() {
    let s = Sim::new().await;
    // A status the contract does not list: unexpected, with an excerpt of the body.
    s.sim.fail_next(1, 422);
    let err = s
        .sequra
        .merchant_payment_methods(MERCHANT)
        .await
        .unwrap_err();
    match &err {
        Error::UnexpectedStatus {
            status,
            body_excerpt,
            ..
        } => {
            assert_eq!(*status, 422);
            assert!(
                body_excerpt.contains("Simulated failure (422)"),
                "{body_excerpt}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());

    // A 2xx whose body is not the documented array.
    s.sim.fail_next_for("merchants/credentials", 1, 200);
    let err = s.sequra.credentials().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(s.sequra.credentials().await.unwrap().len(), 4);
}
