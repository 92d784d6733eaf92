//! Order metafields: per API account, `app_only` privacy, 409 on a key clash, 250 limit.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use sandbox::bigcommerce::RateLimit;
use serde_json::json;

use super::{Harness, fixture, register_other_app};

#[tokio::test]
async fn create_read_update_delete() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let base = format!("/v3/orders/{order_id}/metafields");
    let mark = h.sim.mark();
    let reply = h
        .post(&base, fixture("order-metafield-create-request.json"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    let want = fixture("order-metafield-create-response.json")["data"].clone();
    // The id is 7, not the fixture's 14: the contract tests' sample path uses 7.
    assert_eq!(reply.body["data"]["id"], 7);
    for key in [
        "permission_set",
        "namespace",
        "key",
        "value",
        "description",
        "resource_type",
        "resource_id",
        "owner_client_id",
    ] {
        assert_eq!(reply.body["data"][key], want[key], "{key}");
    }
    assert_eq!(
        h.events_since(mark),
        [(
            "store/order/metafield/created".to_owned(),
            json!({"metafield_id": 7, "resource_id": order_id})
        )]
    );
    let one = h.get(&format!("{base}/7")).await;
    assert_eq!(one.body["data"]["key"], "order");
    let list = h
        .get(&format!("{base}?namespace=sequra&key:in=order,other"))
        .await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["meta"]["pagination"]["total"], 1);
    assert_eq!(
        h.get(&format!("{base}?key=nope")).await.body["data"],
        json!([])
    );

    let updated = h
        .put(&format!("{base}/7"), json!({"value": "{\"ref\":\"sq_2\"}"}))
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["data"]["value"], "{\"ref\":\"sq_2\"}");
    assert_eq!(updated.body["data"]["namespace"], "sequra");

    let mark = h.sim.mark();
    assert_eq!(
        h.delete(&format!("{base}/7")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(h.scopes_since(mark), ["store/order/metafield/deleted"]);
    assert_eq!(
        h.get(&format!("{base}/7")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.put(&format!("{base}/7"), json!({"value": "x"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.delete(&format!("{base}/7")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.get("/v3/orders/999/metafields").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn duplicates_conflict_and_bad_fields_are_422() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let base = format!("/v3/orders/{order_id}/metafields");
    let body =
        json!({"permission_set": "app_only", "namespace": "sequra", "key": "order", "value": "1"});
    assert_eq!(h.post(&base, body.clone()).await.status, StatusCode::OK);
    let clash = h.post(&base, body.clone()).await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert_eq!(clash.body["status"], 409);
    // Renaming another one onto the same key clashes too.
    let second = h
        .post(&base, json!({"permission_set": "app_only", "namespace": "sequra", "key": "other", "value": "2"}))
        .await;
    let second_id = second.body["data"]["id"].as_i64().unwrap();
    assert_eq!(
        h.put(&format!("{base}/{second_id}"), json!({"key": "order"}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    for bad in [
        json!({"permission_set": "public", "namespace": "n", "key": "k", "value": "v"}),
        json!({"permission_set": "app_only", "namespace": "", "key": "k", "value": "v"}),
        json!({"permission_set": "app_only", "namespace": "n", "key": "k".repeat(65), "value": "v"}),
        json!({"permission_set": "app_only", "namespace": "n", "key": "k", "value": ""}),
        json!({"permission_set": "app_only", "namespace": "n", "key": "k", "value": "v", "description": "d".repeat(256)}),
        json!({"namespace": "n", "key": "k", "value": "v"}),
        json!({"permission_set": "app_only", "namespace": "n", "key": "k", "value": 5}),
    ] {
        let reply = h.post(&base, bad.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(reply.body["status"], 422);
    }
}

#[tokio::test]
async fn app_only_metafields_are_invisible_to_other_apps() {
    let h = Harness::new().await;
    let order_id = h.checkout_order().await;
    let base = format!("/v3/orders/{order_id}/metafields");
    h.post(
        &base,
        json!({"permission_set": "app_only", "namespace": "s", "key": "private", "value": "1"}),
    )
    .await;
    h.post(
        &base,
        json!({"permission_set": "read", "namespace": "s", "key": "shared", "value": "2"}),
    )
    .await;
    let other = register_other_app(&h);
    let path = h.store_path(&base);
    let list = h.raw(Method::GET, &path, Some(&other), None).await;
    let keys: Vec<&str> = list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["shared"]);
    let private = h
        .raw(Method::GET, &format!("{path}/7"), Some(&other), None)
        .await;
    assert_eq!(private.status, StatusCode::NOT_FOUND);
    // Readable but not writable by others.
    let write = h
        .raw(
            Method::PUT,
            &format!("{path}/8"),
            Some(&other),
            Some(r#"{"value": "x"}"#),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    // The other app may use the same namespace and key: uniqueness is per API account.
    let own = h
        .raw(
            Method::POST,
            &path,
            Some(&other),
            Some(r#"{"permission_set": "app_only", "namespace": "s", "key": "private", "value": "mine"}"#),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.raw);
}

#[tokio::test]
async fn at_most_250_per_order_and_app() {
    let h = Harness::new().await;
    h.sim.set_rate_limit(
        Some("abc123"),
        RateLimit {
            quota: 1_000,
            window: Duration::from_secs(30),
        },
    );
    let order_id = h.checkout_order().await;
    let base = format!("/v3/orders/{order_id}/metafields");
    for i in 0..250 {
        let reply = h
            .post(&base, json!({"permission_set": "app_only", "namespace": "n", "key": format!("k{i}"), "value": "v"}))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{i}");
    }
    let over = h
        .post(
            &base,
            json!({"permission_set": "app_only", "namespace": "n", "key": "k250", "value": "v"}),
        )
        .await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = h.get(&format!("{base}?limit=100&page=3")).await;
    assert_eq!(page.body["data"].as_array().unwrap().len(), 50);
    assert_eq!(page.body["meta"]["pagination"]["total_pages"], 3);
}
