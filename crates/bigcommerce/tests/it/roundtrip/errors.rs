//! Error paths through the real simulator: 401 (bad token, another store's token, a
//! cancelled store), 403 (missing scope), 429 (waited out, too far away, header-less) and
//! 5xx from the fault switches.

use std::time::Duration;

use bigcommerce::Error;
use bigcommerce::orders::OrderUpdate;
use bigcommerce::scripts::ScriptWrite;
use sandbox::bigcommerce::{EXAMPLE_CLIENT_ID, FaultRule, NewStore, RateLimit};

use super::Sim;

#[tokio::test]
async fn unauthorized_tokens() {
    let s = Sim::new().await;
    let order_id = s.place_example_order(false);

    // A token BigCommerce never issued: 401 on v2, v3 and GraphQL.
    let bad = s.client(s.hash(), "not-a-token");
    for err in [
        bad.get_order(order_id).await.unwrap_err(),
        bad.list_scripts().await.unwrap_err(),
        bad.list_app_extensions().await.unwrap_err(),
    ] {
        assert!(err.is_unauthorized(), "{err}");
        assert!(!err.is_retryable());
        assert_eq!(err.status(), Some(401));
    }

    // A valid token of another store.
    s.sim
        .create_store(NewStore::named("zzz999", 1_002))
        .unwrap();
    let other_token = s
        .sim
        .grant_token("zzz999", EXAMPLE_CLIENT_ID, None)
        .unwrap();
    let crossed = s.client(s.hash(), &other_token);
    let err = crossed.get_order(order_id).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    let err = s
        .client("zzz999", &s.token)
        .get_store_information()
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    // Each token works in its own store.
    let info = s
        .client("zzz999", &other_token)
        .get_store_information()
        .await
        .unwrap();
    assert_eq!(info.id, "zzz999");

    // A cancelled store answers 401 to everyone.
    s.sim.cancel_store("zzz999").unwrap();
    let err = s
        .client("zzz999", &other_token)
        .get_store_information()
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
}

#[tokio::test]
async fn forbidden_without_the_scope() {
    let s = Sim::new().await;
    let order_id = s.place_example_order(false);
    let limited = s.client_with_scopes(&["store_v2_information_read_only"]);
    // What the scope covers works.
    assert_eq!(limited.get_store_information().await.unwrap().id, "abc123");
    for err in [
        limited.get_order(order_id).await.unwrap_err(),
        limited
            .update_order(order_id, &OrderUpdate::default())
            .await
            .unwrap_err(),
        limited.list_order_transactions(order_id).await.unwrap_err(),
        limited
            .get_customers_with_store_credit(&[1])
            .await
            .unwrap_err(),
        limited
            .create_script(&ScriptWrite {
                name: Some("x".into()),
                ..ScriptWrite::default()
            })
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(err, Error::Forbidden { .. }), "{err}");
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn a_short_rate_limit_reset_is_waited_out() {
    let s = Sim::new().await;
    // A tiny window, used up: the 429 announces a reset well inside the client's patience
    // (2 s), so the client sleeps that long (≤ 250 ms) and sends the call again.
    s.sim.set_rate_limit(
        Some(s.hash()),
        RateLimit {
            quota: 150,
            window: Duration::from_millis(250),
        },
    );
    s.sim.exhaust_rate_limit(s.hash());
    let info = s.store.get_store_information().await.unwrap();
    assert_eq!(info.id, "abc123");
    assert_eq!(s.statuses_of("/v2/store"), vec![429, 200]);
    // The answer's quota headers were kept.
    let limits = s.store.rate_limit().unwrap();
    assert_eq!(limits.requests_quota, Some(150));
    assert_eq!(limits.window, Some(Duration::from_millis(250)));
    assert_eq!(limits.requests_left, Some(149));

    // A POST is re-sent too: a 429 was not processed.
    s.sim.exhaust_rate_limit(s.hash());
    let script = s
        .store
        .create_script(&ScriptWrite {
            name: Some("after a 429".into()),
            kind: Some(bigcommerce::scripts::ScriptKind::Src),
            src: Some("https://cdn.sequra.es/a.js".into()),
            ..ScriptWrite::default()
        })
        .await
        .unwrap();
    assert_eq!(s.sim.scripts(s.hash()).len(), 1);
    assert_eq!(s.sim.scripts(s.hash())[0].uuid, script.uuid);
    assert_eq!(s.statuses_of("/v3/content/scripts"), vec![429, 200]);
}

#[tokio::test]
async fn a_long_rate_limit_reset_is_returned_and_passes_on_the_clock() {
    let s = Sim::new().await;
    s.sim.set_rate_limit(
        Some(s.hash()),
        RateLimit {
            quota: 3,
            window: Duration::from_secs(30),
        },
    );
    s.store.get_store_information().await.unwrap();
    let limits = s.store.rate_limit().unwrap();
    assert_eq!(limits.requests_left, Some(2));
    assert!(limits.should_pause(2, limits.observed_at));
    s.store.list_order_statuses().await.unwrap();
    s.store.list_order_statuses().await.unwrap();

    // Beyond the client's patience (2 s): returned at once, retryable, with the reset.
    let err = s.store.get_store_information().await.unwrap_err();
    match &err {
        Error::RateLimited { reset_after, .. } => {
            assert!(*reset_after > Duration::from_secs(2), "{reset_after:?}");
            assert!(*reset_after <= Duration::from_secs(30), "{reset_after:?}");
        }
        other => panic!("{other}"),
    }
    assert!(err.is_retryable());
    assert_eq!(err.status(), Some(429));
    assert_eq!(s.statuses_of("/v2/store"), vec![200, 429], "not re-sent");

    // The durable job waits `retry_after`; on the simulator's clock that is a jump.
    s.clock.advance(err.retry_after().unwrap());
    assert_eq!(s.store.get_store_information().await.unwrap().id, "abc123");
}

#[tokio::test]
async fn a_headerless_429_is_platform_load() {
    // Patience below the one second a header-less 429 is taken to mean.
    let s = Sim::with_config(|c| c.max_rate_limit_wait = Duration::from_millis(500)).await;
    s.sim.set_headerless_429(true);
    s.sim.exhaust_rate_limit(s.hash());
    let err = s.store.get_store_information().await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(s.statuses_of("/v2/store"), vec![429]);

    // The same from a forced bare 429 on one path.
    s.sim.reset_rate_limit(s.hash());
    s.sim.fail_matching(FaultRule {
        method: Some("GET".into()),
        path: Some("/v2/orders/*".into()),
        status: 429,
        remaining: Some(1),
    });
    let err = s.store.get_order(250).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
}

#[tokio::test]
async fn server_errors_are_retryable_and_not_resent() {
    let s = Sim::new().await;
    let order_id = s.place_example_order(false);
    s.sim.fail_next(1, 500);
    let err = s.store.get_order(order_id).await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 500, .. }), "{err}");
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), None);
    // The job's retry succeeds.
    assert_eq!(s.store.get_order(order_id).await.unwrap().id, order_id);

    // A write that met a 503 is returned, never re-sent by the client.
    s.sim.fail_next(1, 503);
    let before = s.sim.requests().len();
    let err = s
        .store
        .update_order(
            order_id,
            &OrderUpdate {
                staff_notes: Some("x".into()),
                ..OrderUpdate::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server { status: 503, .. }), "{err}");
    assert!(err.is_retryable());
    assert_eq!(s.sim.requests().len(), before + 1);
    assert_eq!(s.sim.order(s.hash(), 250).unwrap().staff_notes, "");

    // v3 and GraphQL the same way.
    s.sim.fail_next(1, 502);
    let err = s.store.list_scripts().await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 502, .. }), "{err}");
    s.sim.fail_next(1, 500);
    let err = s.store.list_app_extensions().await.unwrap_err();
    assert!(matches!(err, Error::Server { status: 500, .. }), "{err}");
}
