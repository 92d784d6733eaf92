//! App Extensions over the GraphQL Admin API.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Harness, fixture, register_other_app};

const CREATE: &str = "mutation AppExtension($input: CreateAppExtensionInput!) {
  appExtension { createAppExtension(input: $input) {
    appExtension { id context model url label { defaultValue locales { value localeCode } } }
  } }
}";

const LIST: &str = "query { store { appExtensions { edges { node { id url model } } } } }";

async fn graphql(h: &Harness, query: &str, variables: Value) -> super::Reply {
    h.post("/graphql", json!({"query": query, "variables": variables}))
        .await
}

#[tokio::test]
async fn create_query_update_delete() {
    let h = Harness::new().await;
    let created = graphql(&h, CREATE, fixture("app-extension-create-variables.json")).await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(created.body, fixture("app-extension-create-response.json"));
    let listed = graphql(&h, LIST, Value::Null).await;
    assert_eq!(listed.body, fixture("app-extensions-query-response.json"));

    let updated = graphql(
        &h,
        r#"mutation($id: ID!) { appExtension { updateAppExtension(input: {id: $id, data: {url: "/orders/${id}/sequra-v2", label: {defaultValue: "SeQura"}}}) {
             appExtension { id url label { defaultValue locales { localeCode } } } } } }"#,
        json!({"id": "bc/store/appExtension/2"}),
    )
    .await;
    let extension = &updated.body["data"]["appExtension"]["updateAppExtension"]["appExtension"];
    assert_eq!(extension["url"], "/orders/${id}/sequra-v2");
    // The label is replaced, not merged.
    assert_eq!(
        extension["label"],
        json!({"defaultValue": "SeQura", "locales": []})
    );
    assert!(extension.get("model").is_none(), "only the selected fields");

    let deleted = graphql(
        &h,
        r#"mutation { appExtension { deleteAppExtension(input: {id: "bc/store/appExtension/2"}) { deletedAppExtensionId } } }"#,
        Value::Null,
    )
    .await;
    assert_eq!(
        deleted.body,
        json!({"data": {"appExtension": {"deleteAppExtension": {"deletedAppExtensionId": "bc/store/appExtension/2"}}}})
    );
    assert!(h.sim.app_extensions("abc123").is_empty());
    let again = graphql(
        &h,
        r#"mutation { appExtension { deleteAppExtension(input: {id: "bc/store/appExtension/2"}) { deletedAppExtensionId } } }"#,
        Value::Null,
    )
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(
        again.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not found")
    );
    assert_eq!(
        again.body["data"]["appExtension"]["deleteAppExtension"],
        Value::Null
    );
}

#[tokio::test]
async fn two_per_model_per_app() {
    let h = Harness::new().await;
    let input = |model: &str| json!({"input": {"context": "LINK", "model": model, "url": "/x/${id}", "label": {"defaultValue": "X"}}});
    for _ in 0..2 {
        let reply = graphql(&h, CREATE, input("ORDERS")).await;
        assert!(reply.body.get("errors").is_none(), "{}", reply.raw);
    }
    let third = graphql(&h, CREATE, input("ORDERS")).await;
    assert!(
        third.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 2")
    );
    assert_eq!(
        third.body["errors"][0]["path"],
        json!(["appExtension", "createAppExtension"])
    );
    // Another model, or another app, has room.
    assert!(
        graphql(&h, CREATE, input("CUSTOMERS"))
            .await
            .body
            .get("errors")
            .is_none()
    );
    let other = register_other_app(&h);
    let reply = h
        .raw(
            Method::POST,
            "/stores/abc123/graphql",
            Some(&other),
            Some(&json!({"query": CREATE, "variables": input("ORDERS")}).to_string()),
        )
        .await;
    assert!(reply.body.get("errors").is_none(), "{}", reply.raw);
    // Each app lists only its own.
    let listed = h
        .raw(
            Method::POST,
            "/stores/abc123/graphql",
            Some(&other),
            Some(&json!({"query": LIST}).to_string()),
        )
        .await;
    assert_eq!(
        listed.body["data"]["store"]["appExtensions"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn invalid_requests_answer_graphql_errors() {
    let h = Harness::new().await;
    for (query, variables) in [
        (
            CREATE,
            json!({"input": {"context": "POPUP", "model": "ORDERS", "url": "/x", "label": {"defaultValue": "X"}}}),
        ),
        (
            CREATE,
            json!({"input": {"context": "PANEL", "model": "ORDERS", "url": "x", "label": {"defaultValue": "X"}}}),
        ),
        (
            CREATE,
            json!({"input": {"context": "PANEL", "model": "ORDERS", "url": "/x"}}),
        ),
        (CREATE, json!({})),
        ("{ store { settings { name } } }", Value::Null),
        ("{ customers { id } }", Value::Null),
        (
            "{ store { appExtensions { edges { node { colour } } } } }",
            Value::Null,
        ),
        ("query {", Value::Null),
        ("{ ...Frag }", Value::Null),
    ] {
        let reply = graphql(&h, query, variables).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert!(
            reply.body["errors"][0]["message"].is_string(),
            "{query}: {}",
            reply.raw
        );
    }
    let no_query = h.post("/graphql", json!({"variables": {}})).await;
    assert_eq!(no_query.status, StatusCode::BAD_REQUEST);
    assert!(no_query.body["errors"][0]["message"].is_string());
    assert!(h.sim.app_extensions("abc123").is_empty());
}

#[tokio::test]
async fn the_scope_is_required() {
    let h = Harness::new().await;
    let token = h.token_with(&["store_v2_orders"]);
    let reply = h
        .raw(
            Method::POST,
            "/stores/abc123/graphql",
            Some(&token),
            Some(&json!({"query": CREATE, "variables": fixture("app-extension-create-variables.json")}).to_string()),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("scope")
    );
    let unauthenticated = h
        .raw(
            Method::POST,
            "/stores/abc123/graphql",
            None,
            Some(&json!({"query": LIST}).to_string()),
        )
        .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    assert!(h.sim.app_extensions("abc123").is_empty());
}
