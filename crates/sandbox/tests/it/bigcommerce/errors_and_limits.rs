//! Authentication, scopes, error styles, malformed input, the rate limit, fault switches
//! and the request log.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use sandbox::bigcommerce::{FaultRule, RateLimit};
use serde_json::{Value, json};

use super::Harness;

fn assert_v2_error(reply: &super::Reply, status: u16) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.raw);
    let entry = &reply
        .body
        .as_array()
        .unwrap_or_else(|| panic!("v2 error is an array: {}", reply.raw))[0];
    assert_eq!(entry["status"], status);
    assert!(entry["message"].is_string());
}

fn assert_v3_error(reply: &super::Reply, status: u16) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.raw);
    assert_eq!(reply.body["status"], status, "{}", reply.raw);
    assert!(reply.body["title"].is_string());
    assert_eq!(
        reply.body["type"],
        "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
    );
}

#[tokio::test]
async fn missing_or_unknown_tokens_are_401_in_each_style() {
    let h = Harness::new().await;
    let v2 = h
        .raw(Method::GET, "/stores/abc123/v2/orders/250", None, None)
        .await;
    assert_v2_error(&v2, 401);
    let v3 = h
        .raw(
            Method::GET,
            "/stores/abc123/v3/customers",
            Some("nope"),
            None,
        )
        .await;
    assert_v3_error(&v3, 401);
    let unknown_store = h
        .raw(Method::GET, "/stores/zzz999/v2/store", Some(&h.token), None)
        .await;
    assert_v2_error(&unknown_store, 401);
    // The hooks API sits behind the same gate.
    let hooks = h
        .raw(Method::GET, "/stores/abc123/v3/hooks", None, None)
        .await;
    assert_eq!(hooks.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_missing_scope_is_403() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let token = h.token_with(&["store_v2_orders_read_only", "store_v2_customers_read_only"]);
    let call = |method: Method, path: String, body: Option<Value>| {
        let h = &h;
        let token = token.clone();
        async move {
            h.raw(
                method,
                &h.store_path(&path),
                Some(&token),
                body.map(|b| b.to_string()).as_deref(),
            )
            .await
        }
    };
    // Read-only orders scope: reads pass, writes do not.
    assert_eq!(
        call(Method::GET, format!("/v2/orders/{order_id}"), None)
            .await
            .status,
        StatusCode::OK
    );
    assert_v2_error(
        &call(
            Method::PUT,
            format!("/v2/orders/{order_id}"),
            Some(json!({"status_id": 11})),
        )
        .await,
        403,
    );
    assert_v2_error(&call(Method::GET, "/v2/store".into(), None).await, 403);
    for (method, path, body) in [
        (
            Method::GET,
            "/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10".to_owned(),
            None,
        ),
        (
            Method::POST,
            format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            Some(json!({"items": []})),
        ),
        (
            Method::GET,
            format!("/v3/orders/{order_id}/transactions"),
            None,
        ),
        (
            Method::POST,
            format!("/v3/orders/{order_id}/metafields"),
            Some(json!({})),
        ),
        (
            Method::PUT,
            "/v3/customers".to_owned(),
            Some(json!([{"id": 11}])),
        ),
        (
            Method::DELETE,
            "/v3/carts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10".to_owned(),
            None,
        ),
        (Method::GET, "/v3/content/scripts".to_owned(), None),
        (
            Method::GET,
            "/v3/checkouts/settings/channels/1".to_owned(),
            None,
        ),
    ] {
        let reply = call(method.clone(), path.clone(), body).await;
        assert_v3_error(&reply, 403);
        assert_eq!(
            reply.body["title"], "You don't have a required scope to access the endpoint",
            "{method} {path}"
        );
    }
    assert_eq!(
        call(Method::GET, "/v3/customers?id:in=11".into(), None)
            .await
            .status,
        StatusCode::OK
    );
    let graphql = call(
        Method::POST,
        "/graphql".into(),
        Some(json!({"query": "{ store { appExtensions { edges { node { id } } } } }"})),
    )
    .await;
    assert_eq!(graphql.status, StatusCode::FORBIDDEN);
    assert!(graphql.body["errors"][0]["message"].is_string());
}

#[tokio::test]
async fn not_found_and_method_not_allowed_use_the_family_style() {
    let h = Harness::new().await;
    let reply = h.get("/v2/orders/999").await;
    assert_v2_error(&reply, 404);
    assert_eq!(
        reply.body[0]["message"],
        "The requested resource was not found."
    );
    assert_v2_error(&h.get("/v2/orders/not-a-number").await, 404);
    assert_v2_error(&h.get("/v2/nothing/here").await, 404);
    assert_v3_error(&h.get("/v3/checkouts/no-such-checkout").await, 404);
    assert_v3_error(&h.get("/v3/orders/999/transactions").await, 404);
    assert_v3_error(&h.get("/v3/orders/payment_actions/refunds/999").await, 404);
    assert_v3_error(&h.call(Method::PATCH, "/v3/customers", None).await, 405);
}

/// Every endpoint that takes a body, fed garbage: always a 4xx with a JSON body, never a
/// 5xx or a dropped connection.
#[tokio::test]
async fn malformed_bodies_are_4xx_never_a_panic() {
    let h = Harness::new().await;
    h.sim.set_rate_limit(
        Some("abc123"),
        RateLimit {
            quota: 10_000,
            window: Duration::from_secs(30),
        },
    );
    let order_id = h.checkout_order().await;
    let checkout = "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10";
    let script = h
        .post(
            "/v3/content/scripts",
            json!({"name": "s", "kind": "src", "src": "https://a.example/x.js"}),
        )
        .await
        .body["data"]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let endpoints = [
        (Method::PUT, format!("/v2/orders/{order_id}")),
        (Method::POST, format!("/v2/orders/{order_id}/shipments")),
        (Method::PUT, format!("/v2/orders/{order_id}/shipments/12")),
        (
            Method::POST,
            format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
        ),
        (
            Method::POST,
            format!("/v3/orders/{order_id}/payment_actions/refunds"),
        ),
        (Method::POST, format!("/v3/orders/{order_id}/metafields")),
        (Method::PUT, format!("/v3/orders/{order_id}/metafields/7")),
        (Method::PUT, format!("/v3/checkouts/{checkout}")),
        (Method::POST, format!("/v3/checkouts/{checkout}/token")),
        (Method::PUT, "/v3/checkouts/settings".to_owned()),
        (Method::PUT, "/v3/checkouts/settings/channels/1".to_owned()),
        (Method::PUT, "/v3/customers".to_owned()),
        (Method::POST, "/v3/content/scripts".to_owned()),
        (Method::PUT, format!("/v3/content/scripts/{script}")),
        (Method::POST, "/graphql".to_owned()),
    ];
    let garbage = [
        "{",
        "[",
        "nul",
        "\"just a string\"",
        "42",
        "[1, {\"a\": []}]",
        "{\"status_id\": \"eleven\", \"items\": 5, \"payments\": {}, \"name\": 7}",
        "{\"items\": [{\"item_type\": \"PRODUCT\", \"item_id\": \"x\", \"quantity\": -1e999}]}",
        "{\"query\": 5}",
        "{\"query\": \"{ store { appExtensions(first: [[[[[[ } }\"}",
        "{\"order_address_id\": 9223372036854775807, \"items\": [{\"order_product_id\": -1, \"quantity\": 9223372036854775807}]}",
        "{\"maxUses\": 1.5, \"ttl\": \"x\"}",
        "\u{0}\u{1}\u{2}",
    ];
    for (method, path) in &endpoints {
        for body in garbage {
            let reply = h
                .raw(
                    method.clone(),
                    &h.store_path(path),
                    Some(&h.token),
                    Some(body),
                )
                .await;
            let status = reply.status.as_u16();
            let syntax_error = ["{", "[", "nul", "\u{0}\u{1}\u{2}"].contains(&body);
            if syntax_error {
                assert_eq!(status, 400, "{method} {path} with {body:?}: {}", reply.raw);
            } else {
                // Well-formed JSON with wrong or unknown fields: refused with a 4xx, or
                // (unknown fields only) ignored — never a server error.
                assert!(
                    status < 500,
                    "{method} {path} with {body:?} → {status}: {}",
                    reply.raw
                );
            }
            assert!(reply.status == StatusCode::NO_CONTENT || !reply.body.is_null());
        }
    }
    // The store still works.
    assert_eq!(
        h.get(&format!("/v2/orders/{order_id}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn wrong_types_are_400_in_v2_and_422_in_v3() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    assert_v2_error(
        &h.put(
            &format!("/v2/orders/{order_id}"),
            json!({"status_id": "11"}),
        )
        .await,
        400,
    );
    assert_v2_error(
        &h.put(&format!("/v2/orders/{order_id}"), json!({"status_id": 15}))
            .await,
        400,
    );
    assert_v2_error(
        &h.put(&format!("/v2/orders/{order_id}"), json!({"staff_notes": 5}))
            .await,
        400,
    );
    assert_v2_error(
        &h.put(&format!("/v2/orders/{order_id}"), json!([])).await,
        400,
    );
    let reply = h
        .post(
            &format!("/v3/orders/{order_id}/metafields"),
            json!({"namespace": 1}),
        )
        .await;
    assert_v3_error(&reply, 422);
    let malformed = h
        .raw(
            Method::POST,
            &h.store_path(&format!("/v3/orders/{order_id}/metafields")),
            Some(&h.token),
            Some("{"),
        )
        .await;
    assert_v3_error(&malformed, 400);
}

#[tokio::test]
async fn the_rate_limit_counts_per_store_and_refills_after_the_window() {
    let h = Harness::new().await;
    h.sim.set_rate_limit(
        Some("abc123"),
        RateLimit {
            quota: 3,
            window: Duration::from_secs(30),
        },
    );
    for left in [2, 1, 0] {
        let reply = h.get("/v2/store").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.header("x-rate-limit-requests-left"),
            Some(left.to_string().as_str())
        );
        assert_eq!(reply.header("x-rate-limit-requests-quota"), Some("3"));
        assert_eq!(reply.header("x-rate-limit-time-window-ms"), Some("30000"));
        let reset: i64 = reply
            .header("x-rate-limit-time-reset-ms")
            .unwrap()
            .parse()
            .unwrap();
        assert!((0..=30_000).contains(&reset));
    }
    let limited = h.get("/v2/store").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body[0]["status"], 429);
    let reset: i64 = limited
        .header("x-rate-limit-time-reset-ms")
        .unwrap()
        .parse()
        .unwrap();
    let retry: i64 = limited.header("x-retry-after").unwrap().parse().unwrap();
    assert!(reset > 0 && reset <= 30_000);
    assert_eq!(retry, (reset + 999) / 1000);
    assert_eq!(limited.header("x-rate-limit-requests-left"), Some("0"));
    let state = h.sim.rate_limit_state("abc123");
    assert_eq!((state.quota, state.remaining), (3, 0));
    // v3 paths answer the v3 style; the hooks API shares the store's quota.
    let v3 = h.get("/v3/customers").await;
    assert_eq!(v3.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v3.body["title"], "Too many requests");
    assert_eq!(
        h.get("/v3/hooks").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    // The quota refills once the window has passed on the simulator's clock.
    h.sim.clock().advance(Duration::from_secs(30));
    let again = h.get("/v2/store").await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.header("x-rate-limit-requests-left"), Some("2"));

    // Header-less 429s (platform load).
    h.sim.exhaust_rate_limit("abc123");
    h.sim.set_headerless_429(true);
    let bare = h.get("/v2/store").await;
    assert_eq!(bare.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(bare.header("x-rate-limit-time-reset-ms").is_none());
    assert!(bare.header("x-retry-after").is_none());
    assert!(bare.header("x-rate-limit-requests-left").is_none());
}

#[tokio::test]
async fn rate_limit_headers_are_on_errors_too_and_stores_do_not_share_quota() {
    let h = Harness::new().await;
    let reply = h.get("/v2/orders/999").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.header("x-rate-limit-requests-quota"), Some("150"));
    assert_eq!(reply.header("x-rate-limit-requests-left"), Some("149"));
    h.sim.exhaust_rate_limit("abc123");
    h.sim
        .create_store(sandbox::bigcommerce::NewStore::named("def456", 2))
        .unwrap();
    let other = h
        .sim
        .grant_token("def456", sandbox::bigcommerce::EXAMPLE_CLIENT_ID, None)
        .unwrap();
    let reply = h
        .raw(Method::GET, "/stores/def456/v2/store", Some(&other), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn fault_switches_force_statuses() {
    let h = Harness::new().await;
    h.sim.fail_next(2, 503);
    let first = h.get("/v2/store").await;
    assert_v2_error(&first, 503);
    assert_v3_error(&h.get("/v3/customers").await, 503);
    assert_eq!(h.get("/v2/store").await.status, StatusCode::OK);

    h.sim.fail_matching(FaultRule {
        method: Some("POST".into()),
        path: Some("/v3/checkouts/*/orders".into()),
        status: 500,
        remaining: None,
    });
    let checkout = "/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10";
    assert_v3_error(
        &h.post(&format!("{checkout}/orders"), Value::Null).await,
        500,
    );
    assert_v3_error(
        &h.post(&format!("{checkout}/orders"), Value::Null).await,
        500,
    );
    assert_eq!(h.get(checkout).await.status, StatusCode::OK);
    // A forced failure changes nothing.
    assert!(h.sim.orders("abc123").is_empty());
    h.sim.clear_faults();
    assert_eq!(
        h.post(&format!("{checkout}/orders"), Value::Null)
            .await
            .status,
        StatusCode::OK
    );

    // A bare 429 for the next call, as the platform under load sends it.
    h.sim.fail_next(1, 429);
    let bare = h.get("/v2/store").await;
    assert_eq!(bare.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(bare.header("x-rate-limit-time-reset-ms").is_none());

    // Latency only delays.
    h.sim.set_latency(Some(Duration::from_millis(1)));
    assert_eq!(h.get("/v2/store").await.status, StatusCode::OK);
    h.sim.set_latency(None);
}

#[tokio::test]
async fn every_request_is_logged_with_its_caller_and_status() {
    let h = Harness::new().await;
    h.sim.clear_logs();
    h.get("/v2/store").await;
    h.raw(Method::GET, "/stores/abc123/v2/orders?page=2", None, None)
        .await;
    let log = h.sim.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/stores/abc123/v2/store");
    assert_eq!(log[0].client_id.as_deref(), Some("test-client-id-abc123"));
    assert_eq!(log[0].store_hash.as_deref(), Some("abc123"));
    assert_eq!(log[0].status, 200);
    assert_eq!(log[1].path, "/stores/abc123/v2/orders?page=2");
    assert_eq!(log[1].client_id, None);
    assert_eq!(log[1].status, 401);
}

/// Numbers at the edge of `i64` and beyond: refused with a 4xx, never an overflow.
#[tokio::test]
async fn huge_numbers_are_refused_not_overflowed() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let max = i64::MAX;
    let cases = [
        (
            Method::PUT,
            format!("/v2/orders/{order_id}"),
            json!({"products": [{"id": 301, "quantity": max}]}),
        ),
        (
            Method::PUT,
            format!("/v2/orders/{order_id}"),
            json!({"products": [{"product_id": 77, "quantity": max}]}),
        ),
        (
            Method::PUT,
            format!("/v2/orders/{order_id}"),
            json!({"discount_amount": max}),
        ),
        (
            Method::PUT,
            format!("/v2/orders/{order_id}"),
            json!({"discount_amount": "1e308"}),
        ),
        (
            Method::POST,
            format!("/v2/orders/{order_id}/shipments"),
            json!({"order_address_id": 151, "items": [{"order_product_id": 301, "quantity": max}, {"order_product_id": 301, "quantity": max}]}),
        ),
        (
            Method::POST,
            format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            json!({"items": [{"item_type": "PRODUCT", "item_id": 301, "quantity": max}]}),
        ),
        (
            Method::POST,
            format!("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            json!({"items": [{"item_type": "PRODUCT", "item_id": 301, "quantity": 1, "adjustments": [{"amount": -9.0e15}, {"amount": -9.0e15}]}]}),
        ),
        (
            Method::POST,
            format!("/v3/orders/{order_id}/payment_actions/refunds"),
            json!({"items": [{"item_type": "PRODUCT", "item_id": 301, "quantity": 1}], "payments": [{"provider_id": "custom", "amount": 9.0e15}, {"provider_id": "custom", "amount": 9.0e15}]}),
        ),
        (
            Method::POST,
            format!("/v3/orders/{order_id}/payment_actions/refunds"),
            json!({"items": [{"item_type": "ORDER", "item_id": order_id, "amount": max}], "payments": [{"provider_id": "custom", "amount": 1}]}),
        ),
        (
            Method::PUT,
            "/v3/customers".to_owned(),
            json!([{"id": 11, "store_credit_amounts": [{"amount": max}, {"amount": max}]}]),
        ),
        (
            Method::POST,
            "/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10/token".to_owned(),
            json!({"maxUses": max, "ttl": 1e300}),
        ),
    ];
    for (method, path, body) in cases {
        let reply = h.call(method.clone(), &path, Some(body.clone())).await;
        let status = reply.status.as_u16();
        assert!(
            (400..500).contains(&status),
            "{method} {path} {body} → {status}: {}",
            reply.raw
        );
    }
    let order = h.get(&format!("/v2/orders/{order_id}")).await.body;
    assert_eq!(order["total_inc_tax"], "115.0000");
}
