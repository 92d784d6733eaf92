//! The hooks API: CRUD, client isolation, validation, admin endpoints.

use axum::http::{Method, StatusCode};
use sandbox::bigcommerce::webhooks::HookStatus;
use serde_json::{Value, json};

use super::{CLIENT, Harness, OTHER_CLIENT, OTHER_STORE, STORE, admin_path, hook_path, hooks_path};
use crate::contract::assert_conforms_closed;
use crate::contract::examples::example_body;

fn is_v3_error(body: &Value, status: StatusCode) {
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert_eq!(
        body["type"],
        "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
    );
}

#[tokio::test]
async fn create_answers_200_with_the_wrapped_webhook() {
    let h = Harness::new().await;
    let request = example_body("hooks-create-request.json");
    let (status, body) = h
        .call(
            Method::POST,
            &hooks_path(),
            Some(CLIENT),
            Some(&request.to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_conforms_closed("POST", &hooks_path(), 200, &body);

    // Same shape as the documented example, field for field.
    let expected = example_body("hooks-create-response.json");
    let keys = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&body), keys(&expected));
    assert_eq!(keys(&body["data"]), keys(&expected["data"]));
    let data = &body["data"];
    assert!(data["id"].as_i64().unwrap() > 0);
    assert_eq!(data["client_id"], CLIENT);
    assert_eq!(data["store_hash"], STORE);
    assert_eq!(data["scope"], request["scope"]);
    assert_eq!(data["destination"], request["destination"]);
    assert_eq!(data["is_active"], true);
    assert_eq!(data["headers"], request["headers"]);
    assert_eq!(data["created_at"], h.clock.unix());
    assert_eq!(data["updated_at"], data["created_at"]);
    assert_eq!(body["meta"], json!({}));
}

#[tokio::test]
async fn create_defaults_to_active_and_null_headers() {
    let h = Harness::new().await;
    let (status, body) = h
        .call(
            Method::POST,
            &hooks_path(),
            Some(CLIENT),
            Some(r#"{"scope":"store/order/*","destination":"https://app.example.com/h","headers":{}}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["is_active"], true);
    assert_eq!(body["data"]["headers"], Value::Null);
    assert_conforms_closed("POST", &hooks_path(), 200, &body);
}

#[tokio::test]
async fn get_update_delete() {
    let h = Harness::new().await;
    let id = h
        .create_hook(
            CLIENT,
            json!({"scope": "store/order/created", "destination": "https://app.example.com/a"}),
        )
        .await;

    let (status, body) = h
        .call(Method::GET, &hook_path(id), Some(CLIENT), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_conforms_closed("GET", &hook_path(id), 200, &body);
    assert_eq!(body["data"]["id"], id);

    h.advance(10);
    let (status, body) = h
        .call(
            Method::PUT,
            &hook_path(id),
            Some(CLIENT),
            Some(r#"{"is_active": false, "headers": {"X-Token": "rotated"}}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_conforms_closed("PUT", &hook_path(id), 200, &body);
    let data = &body["data"];
    assert_eq!(data["is_active"], false);
    assert_eq!(data["headers"], json!({"X-Token": "rotated"}));
    assert_eq!(
        data["scope"], "store/order/created",
        "untouched fields stay"
    );
    assert_eq!(data["destination"], "https://app.example.com/a");
    assert_eq!(data["updated_at"], h.clock.unix());
    assert!(data["updated_at"].as_i64() > data["created_at"].as_i64());

    let (status, body) = h
        .call(
            Method::PUT,
            &hook_path(id),
            Some(CLIENT),
            Some(r#"{"scope": "store/order/statusUpdated", "destination": "https://app.example.com/b", "headers": null}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"]["scope"], "store/order/statusUpdated");
    assert_eq!(body["data"]["destination"], "https://app.example.com/b");
    assert_eq!(body["data"]["headers"], Value::Null);
    assert_eq!(body["data"]["is_active"], false);

    let (status, deleted) = h
        .call(Method::DELETE, &hook_path(id), Some(CLIENT), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_conforms_closed("DELETE", &hook_path(id), 200, &deleted);
    assert_eq!(
        deleted["data"], body["data"],
        "DELETE answers the deleted hook"
    );

    let (status, body) = h
        .call(Method::GET, &hook_path(id), Some(CLIENT), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    is_v3_error(&body, status);
    assert_conforms_closed("GET", &hook_path(id), 404, &body);
    let (status, _) = h
        .call(Method::DELETE, &hook_path(id), Some(CLIENT), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn list_filters_and_pages() {
    let h = Harness::new().await;
    let a = h
        .create_hook(
            CLIENT,
            json!({"scope": "store/order/created", "destination": "https://app.example.com/a"}),
        )
        .await;
    let b = h
        .create_hook(CLIENT, json!({"scope": "store/order/created", "destination": "https://app.example.com/b", "is_active": false}))
        .await;
    let c = h
        .create_hook(
            CLIENT,
            json!({"scope": "store/shipment/*", "destination": "https://app.example.com/a"}),
        )
        .await;

    let ids = |body: &Value| -> Vec<i64> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hook| hook["id"].as_i64().unwrap())
            .collect()
    };
    let list = |query: &'static str| {
        let path = format!("{}{query}", hooks_path());
        let h = &h;
        async move {
            let (status, body) = h.call(Method::GET, &path, Some(CLIENT), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_conforms_closed("GET", &path, 200, &body);
            body
        }
    };

    let all = list("").await;
    assert_eq!(ids(&all), [a, b, c]);
    let pagination = &all["meta"]["pagination"];
    assert_eq!(pagination["total"], 3);
    assert_eq!(pagination["count"], 3);
    assert_eq!(pagination["per_page"], 50);
    assert_eq!(pagination["current_page"], 1);
    assert_eq!(pagination["total_pages"], 1);

    assert_eq!(ids(&list("?is_active=true").await), [a, c]);
    assert_eq!(ids(&list("?is_active=false").await), [b]);
    assert_eq!(ids(&list("?scope=store/order/created").await), [a, b]);
    assert_eq!(
        ids(&list("?destination=https%3A%2F%2Fapp.example.com%2Fa").await),
        [a, c]
    );
    assert_eq!(
        ids(&list("?scope=store/order/created&is_active=true").await),
        [a]
    );

    let first = list("?limit=2").await;
    assert_eq!(ids(&first), [a, b]);
    let pagination = &first["meta"]["pagination"];
    assert_eq!(pagination["total"], 3);
    assert_eq!(pagination["count"], 2);
    assert_eq!(pagination["total_pages"], 2);
    assert_eq!(pagination["links"]["next"], "?page=2&limit=2");
    assert!(pagination["links"].get("previous").is_none());
    let second = list("?limit=2&page=2").await;
    assert_eq!(ids(&second), [c]);
    assert_eq!(
        second["meta"]["pagination"]["links"]["previous"],
        "?page=1&limit=2"
    );
    assert!(second["meta"]["pagination"]["links"].get("next").is_none());
    assert_eq!(ids(&list("?limit=2&page=3").await), Vec::<i64>::new());

    let (status, body) = h
        .call(
            Method::GET,
            &format!("{}?is_active=maybe", hooks_path()),
            Some(CLIENT),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    is_v3_error(&body, status);
}

#[tokio::test]
async fn hooks_are_visible_only_to_the_client_that_created_them() {
    let h = Harness::new().await;
    let id = h
        .create_hook(
            CLIENT,
            json!({"scope": "store/order/created", "destination": "https://app.example.com/a"}),
        )
        .await;

    let (status, body) = h
        .call(Method::GET, &hooks_path(), Some(OTHER_CLIENT), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["meta"]["pagination"]["total"], 0);

    for method in [Method::GET, Method::DELETE] {
        let (status, body) = h
            .call(method, &hook_path(id), Some(OTHER_CLIENT), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        is_v3_error(&body, status);
    }
    let (status, _) = h
        .call(
            Method::PUT,
            &hook_path(id),
            Some(OTHER_CLIENT),
            Some(r#"{"is_active":false}"#),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The other client can register the same scope and destination for itself.
    h.create_hook(
        OTHER_CLIENT,
        json!({"scope": "store/order/created", "destination": "https://app.example.com/a"}),
    )
    .await;
    let (_, admin) = h
        .call(Method::GET, &admin_path(), Some(OTHER_CLIENT), None)
        .await;
    assert_eq!(admin["data"]["hooks_list"].as_array().unwrap().len(), 1);

    // Still there, untouched, for its owner.
    let (status, body) = h
        .call(Method::GET, &hook_path(id), Some(CLIENT), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["is_active"], true);
}

#[tokio::test]
async fn callers_without_a_token_for_this_store_get_401() {
    let h = Harness::new().await;
    let (status, body) = h.call(Method::GET, &hooks_path(), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    is_v3_error(&body, status);
    assert_conforms_closed("GET", &hooks_path(), 401, &body);

    // A token of another store cannot reach this store's hooks.
    let (status, body) = h
        .call_as(
            Method::GET,
            &hooks_path(),
            Some((OTHER_STORE, CLIENT)),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    is_v3_error(&body, status);
    let (status, _) = h
        .call_as(
            Method::POST,
            &hooks_path(),
            Some((OTHER_STORE, CLIENT)),
            Some(r#"{"scope":"store/order/created","destination":"https://app.example.com/a"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = h.call(Method::GET, &admin_path(), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn create_error(h: &Harness, body: &str) -> (StatusCode, Value) {
    let (status, response) = h
        .call(Method::POST, &hooks_path(), Some(CLIENT), Some(body))
        .await;
    is_v3_error(&response, status);
    (status, response)
}

#[tokio::test]
async fn create_validation() {
    let h = Harness::new().await;
    let dest = "https://app.example.com/a";

    let (status, body) = create_error(
        &h,
        &json!({"scope": "store/order/nope", "destination": dest}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["scope"].is_string(), "{body}");
    assert_conforms_closed("POST", &hooks_path(), 422, &body);

    let (status, body) = create_error(&h, r#"{"scope": "store/order/created"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["destination"].is_string(), "{body}");

    for bad in [
        "http://app.example.com/a",
        "https://app.example.com:8443/a",
        "ftp://127.0.0.1/a",
        "not a url",
    ] {
        let (status, body) = create_error(
            &h,
            &json!({"scope": "store/order/created", "destination": bad}).to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(body["errors"]["destination"].is_string(), "{bad}: {body}");
    }

    let (status, body) =
        create_error(&h, r#"{"scope": "store/order/created", "destination": "#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_conforms_closed("POST", &hooks_path(), 400, &body);
    let (status, _) = create_error(&h, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = create_error(&h, "[1, 2]").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = create_error(
        &h,
        &json!({"scope": "store/order/created", "destination": dest, "is_active": "yes"})
            .to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["is_active"].is_string());

    let too_many: serde_json::Map<String, Value> =
        (0..65).map(|i| (format!("X-H{i}"), json!("v"))).collect();
    let long_name = json!({ "x".repeat(65): "v" });
    let long_value = json!({ "X-Big": "v".repeat(8 * 1024 + 1) });
    for headers in [
        Value::Object(too_many),
        long_name,
        long_value,
        json!({"X-A": 1}),
        json!(["X-A"]),
    ] {
        let (status, body) = create_error(
            &h,
            &json!({"scope": "store/order/created", "destination": dest, "headers": headers})
                .to_string(),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["errors"]["headers"].is_string(), "{body}");
    }
    // The limits themselves are fine.
    let at_limit: serde_json::Map<String, Value> = (0..64)
        .map(|i| (format!("X-{i:0>62}"), json!("v".repeat(8 * 1024))))
        .collect();
    h.create_hook(
        CLIENT,
        json!({"scope": "store/order/created", "destination": dest, "headers": at_limit}),
    )
    .await;

    assert!(
        h.webhooks.hooks(STORE).len() == 1,
        "nothing else was created"
    );
}

#[tokio::test]
async fn one_hook_per_scope_and_destination_and_ten_per_scope() {
    let h = Harness::new().await;
    let hook = |i: usize| json!({"scope": "store/order/created", "destination": format!("https://app.example.com/{i}")});
    h.create_hook(CLIENT, hook(1)).await;

    let (status, body) = create_error(&h, &hook(1).to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["destination"].is_string(), "{body}");
    assert_conforms_closed("POST", &hooks_path(), 422, &body);

    for i in 2..=10 {
        h.create_hook(CLIENT, hook(i)).await;
    }
    let (status, body) = create_error(&h, &hook(11).to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["scope"].is_string(), "{body}");

    // Inactive hooks count too; other scopes and other clients do not.
    h.create_hook(
        CLIENT,
        json!({"scope": "store/order/updated", "destination": "https://app.example.com/1"}),
    )
    .await;
    h.create_hook(OTHER_CLIENT, hook(11)).await;

    // An update may not create a duplicate either.
    let ids: Vec<i64> = h.webhooks.hooks(STORE).iter().map(|hook| hook.id).collect();
    let (status, body) = h
        .call(
            Method::PUT,
            &hook_path(ids[1]),
            Some(CLIENT),
            Some(r#"{"destination": "https://app.example.com/1"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    is_v3_error(&body, status);
}

#[tokio::test]
async fn update_validation() {
    let h = Harness::new().await;
    let id = h
        .create_hook(
            CLIENT,
            json!({"scope": "store/order/created", "destination": "https://app.example.com/a"}),
        )
        .await;
    for (body, field) in [
        (r#"{"scope": "nope"}"#, "scope"),
        (
            r#"{"destination": "http://app.example.com/a"}"#,
            "destination",
        ),
        (r#"{"is_active": 1}"#, "is_active"),
        (r#"{}"#, "body"),
    ] {
        let (status, response) = h
            .call(Method::PUT, &hook_path(id), Some(CLIENT), Some(body))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        is_v3_error(&response, status);
        assert!(response["errors"][field].is_string(), "{body}: {response}");
    }
    let (status, _) = h
        .call(Method::PUT, &hook_path(id), Some(CLIENT), Some("{nope"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for bad_id in ["abc", "0", "-3", "99999999999999999999"] {
        let path = format!("{}/{bad_id}", hooks_path());
        let (status, body) = h.call(Method::GET, &path, Some(CLIENT), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad_id}");
        is_v3_error(&body, status);
    }
}

#[tokio::test]
async fn loopback_destinations_need_the_relaxation() {
    let relaxed = Harness::new().await;
    for destination in [
        "http://127.0.0.1:8080/h",
        "http://localhost:3000/h",
        "http://[::1]:9/h",
    ] {
        relaxed
            .create_hook(
                CLIENT,
                json!({"scope": "store/order/created", "destination": destination}),
            )
            .await;
    }
    let strict = Harness::with(|options| options.allow_insecure_loopback = false).await;
    let (status, body) = strict
        .call(
            Method::POST,
            &hooks_path(),
            Some(CLIENT),
            Some(r#"{"scope": "store/order/created", "destination": "http://127.0.0.1:8080/h"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["destination"].is_string());
}

#[tokio::test]
async fn a_single_delivery_exception_hook_on_its_own_destination() {
    let h = Harness::new().await;
    h.create_hook(
        CLIENT,
        json!({"scope": "store/order/created", "destination": "https://app.example.com/orders"}),
    )
    .await;
    let (status, body) = create_error(
        &h,
        r#"{"scope": "store/hook/deliveryException", "destination": "https://app.example.com/orders"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["destination"].is_string());
    h.create_hook(CLIENT, json!({"scope": "store/hook/deliveryException", "destination": "https://app.example.com/exceptions"}))
        .await;
    let (status, body) = create_error(
        &h,
        r#"{"scope": "store/hook/deliveryException", "destination": "https://app.example.com/other"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["errors"]["scope"].is_string());
}

#[tokio::test]
async fn admin_emails_and_hook_statuses() {
    let h = Harness::new().await;
    let (status, body) = h.call(Method::GET, &admin_path(), Some(CLIENT), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_conforms_closed("GET", &admin_path(), 200, &body);
    assert_eq!(
        body["data"],
        json!({"emails": [], "hooks_list": [], "blocked_domains": []})
    );

    let (status, body) = h
        .call(
            Method::PUT,
            &admin_path(),
            Some(CLIENT),
            Some(r#"{"emails": ["ops@app.example.com", "dev@app.example.com"]}"#),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);
    for bad in [
        r#"{"emails": ["not-an-email"]}"#,
        r#"{"emails": "ops@app.example.com"}"#,
        r#"{}"#,
        r#"{"emails": [1]}"#,
    ] {
        let (status, body) = h
            .call(Method::PUT, &admin_path(), Some(CLIENT), Some(bad))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        is_v3_error(&body, status);
        assert_conforms_closed("PUT", &admin_path(), 422, &body);
    }
    let (status, _) = h
        .call(Method::PUT, &admin_path(), Some(CLIENT), Some("nope"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let active = h
        .create_hook(
            CLIENT,
            json!({"scope": "store/order/created", "destination": "https://app.example.com/a"}),
        )
        .await;
    let inactive = h
        .create_hook(CLIENT, json!({"scope": "store/order/updated", "destination": "https://app.example.com/a", "is_active": false}))
        .await;
    h.create_hook(
        OTHER_CLIENT,
        json!({"scope": "store/order/created", "destination": "https://app.example.com/a"}),
    )
    .await;

    let (_, body) = h.call(Method::GET, &admin_path(), Some(CLIENT), None).await;
    assert_conforms_closed("GET", &admin_path(), 200, &body);
    assert_eq!(
        body["data"]["emails"],
        json!(["ops@app.example.com", "dev@app.example.com"])
    );
    let list = body["data"]["hooks_list"].as_array().unwrap();
    let statuses: Vec<(i64, &str)> = list
        .iter()
        .map(|hook| {
            (
                hook["id"].as_i64().unwrap(),
                hook["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses, [(active, "active"), (inactive, "inactive")]);
    assert_eq!(list[0]["client_id"], CLIENT);

    let (_, body) = h
        .call(
            Method::GET,
            &format!("{}?is_active=false", admin_path()),
            Some(CLIENT),
            None,
        )
        .await;
    assert_eq!(body["data"]["hooks_list"].as_array().unwrap().len(), 1);

    // Emails are per API account; another client has its own (none).
    let (_, body) = h
        .call(Method::GET, &admin_path(), Some(OTHER_CLIENT), None)
        .await;
    assert_eq!(body["data"]["emails"], json!([]));
}

#[tokio::test]
async fn removing_the_app_deletes_its_hooks_only() {
    let h = Harness::new().await;
    h.create_hook(
        CLIENT,
        json!({"scope": "store/order/created", "destination": "https://app.example.com/a"}),
    )
    .await;
    let kept = h
        .create_hook(
            OTHER_CLIENT,
            json!({"scope": "store/order/created", "destination": "https://app.example.com/a"}),
        )
        .await;
    h.webhooks.remove_app(STORE, CLIENT);
    let hooks = h.webhooks.hooks(STORE);
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].id, kept);
    assert_eq!(hooks[0].status, HookStatus::Active);
    let (_, body) = h.call(Method::GET, &hooks_path(), Some(CLIENT), None).await;
    assert_eq!(body["data"], json!([]));
}
