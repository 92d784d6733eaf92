//! The app lifecycle: install (auth callback URL + one-time code), `/oauth2/token`,
//! signed_payload_jwt for load / App Extension clicks, uninstall, remove_user, and a
//! cancelled store.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::http::Uri;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use parking_lot::Mutex;
use reqwest::{Method, StatusCode};
use sandbox::bigcommerce::{
    CallbackKind, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, LifecycleRecord, NewStore,
};
use serde_json::{Value, json};

use super::{Harness, client};

/// A stand-in app that records the URLs BigCommerce calls.
struct AppServer {
    base: String,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn app_server() -> AppServer {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = Arc::clone(&seen);
    let router = Router::new().fallback(move |uri: Uri| {
        recorder.lock().push(uri.to_string());
        async { "ok" }
    });
    let bound = sandbox::server::bind_local(0).await.unwrap();
    sandbox::server::serve(bound.listener, router);
    AppServer {
        base: bound.base_url,
        seen,
    }
}

fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn decode(jwt: &str, secret: &str) -> Result<Value, jsonwebtoken::errors::Error> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[EXAMPLE_CLIENT_ID]);
    validation.set_issuer(&["bc"]);
    jsonwebtoken::decode::<Value>(
        jwt,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation,
    )
    .map(|data| data.claims)
}

async fn exchange(h: &Harness, body: Value) -> (StatusCode, Value) {
    let response = client()
        .post(format!("{}/oauth2/token", h.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn token_request(code: &str) -> Value {
    json!({
        "client_id": EXAMPLE_CLIENT_ID,
        "client_secret": EXAMPLE_CLIENT_SECRET,
        "code": code,
        "context": "stores/abc123",
        "scope": "store_v2_orders",
        "grant_type": "authorization_code",
        "redirect_uri": "https://app.example.com/bc/auth",
    })
}

#[tokio::test]
async fn install_redirects_to_the_auth_callback_with_a_code_that_exchanges_once() {
    let h = Harness::new().await;
    let url = h
        .sim
        .start_install("abc123", EXAMPLE_CLIENT_ID, h.ex.owner_id)
        .unwrap();
    assert!(url.starts_with("https://app.example.com/bc/auth?"), "{url}");
    assert!(url.contains("context=stores%2Fabc123"), "{url}");
    assert!(url.contains("scope=store_v2_orders+"), "{url}");
    let query = query_of(&url);
    assert_eq!(query["context"], "stores/abc123");
    assert_eq!(
        query["account_uuid"],
        "12345678-90ab-cdef-1234-567890abcdef"
    );
    assert!(query["scope"].split(' ').any(|s| s == "store_checkout"));
    let code = &query["code"];

    let (status, body) = exchange(&h, token_request(code)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["context"], "stores/abc123");
    assert_eq!(body["scope"], query["scope"]);
    assert_eq!(body["user"]["id"], h.ex.owner_id);
    assert_eq!(body["owner"]["email"], "owner@example.es");
    assert_eq!(body["account_uuid"], "12345678-90ab-cdef-1234-567890abcdef");
    // Same scopes as the existing install: BigCommerce's tokens are stable.
    let token = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(token, h.token);
    let store = h
        .raw(Method::GET, "/stores/abc123/v2/store", Some(&token), None)
        .await;
    assert_eq!(store.status, StatusCode::OK);

    // One-time: the same code again is refused.
    let (status, body) = exchange(&h, token_request(code)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn token_exchange_refuses_wrong_credentials_redirect_and_context() {
    let h = Harness::new().await;
    let code = query_of(
        &h.sim
            .start_install("abc123", EXAMPLE_CLIENT_ID, h.ex.owner_id)
            .unwrap(),
    )["code"]
        .clone();
    let cases = [
        ("client_secret", json!("wrong"), 401, "invalid_client"),
        ("client_id", json!("someone-else"), 401, "invalid_client"),
        (
            "redirect_uri",
            json!("https://evil.example/auth"),
            400,
            "invalid_grant",
        ),
        ("context", json!("stores/zzz999"), 400, "invalid_grant"),
        (
            "grant_type",
            json!("client_credentials"),
            400,
            "unsupported_grant_type",
        ),
        ("code", json!("not-a-code"), 400, "invalid_grant"),
        ("code", Value::Null, 400, "invalid_request"),
    ];
    for (field, value, status, error) in cases {
        let mut body = token_request(&code);
        if value.is_null() {
            body.as_object_mut().unwrap().remove(field);
        } else {
            body[field] = value;
        }
        let (got, reply) = exchange(&h, body).await;
        assert_eq!(got.as_u16(), status, "{field}: {reply}");
        assert_eq!(reply["error"], error, "{field}");
    }
    // Failed attempts do not use the code up.
    let (status, _) = exchange(&h, token_request(&code)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn token_exchange_accepts_a_form_body_and_refuses_garbage() {
    let h = Harness::new().await;
    let code = query_of(
        &h.sim
            .start_install("abc123", EXAMPLE_CLIENT_ID, h.ex.staff_id)
            .unwrap(),
    )["code"]
        .clone();
    let form: Vec<(String, String)> = token_request(&code)
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let response = client()
        .post(format!("{}/oauth2/token", h.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    // Installed by a staff user: `user` is them, `owner` the store owner.
    assert_eq!(body["user"]["email"], "staff@example.es");
    assert_eq!(body["owner"]["id"], h.ex.owner_id);

    for garbage in ["{", "[1,2]", "", "\u{0}"] {
        let response = client()
            .post(format!("{}/oauth2/token", h.base))
            .header("Content-Type", "application/json")
            .body(garbage)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{garbage:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request");
    }
}

#[tokio::test]
async fn new_scopes_replace_the_token() {
    let h = Harness::new().await;
    let old = h.token.clone();
    let new = h.token_with(&["store_v2_orders"]);
    assert_ne!(old, new);
    assert!(!h.sim.token_is_valid(&old));
    let reply = h
        .raw(Method::GET, "/stores/abc123/v2/orders", Some(&old), None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn load_url_carries_a_jwt_signed_with_the_client_secret() {
    let h = Harness::new().await;
    let url = h
        .sim
        .load_url("abc123", EXAMPLE_CLIENT_ID, h.ex.owner_id, "/")
        .unwrap();
    assert!(url.starts_with("https://app.example.com/bc/load?signed_payload_jwt="));
    let jwt = &query_of(&url)["signed_payload_jwt"];
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);
    let claims = decode(jwt, EXAMPLE_CLIENT_SECRET).unwrap();
    assert_eq!(claims["aud"], EXAMPLE_CLIENT_ID);
    assert_eq!(claims["iss"], "bc");
    assert_eq!(claims["sub"], "stores/abc123");
    assert_eq!(claims["url"], "/");
    assert_eq!(claims["channel_id"], Value::Null);
    assert_eq!(claims["user"]["id"], h.ex.owner_id);
    assert_eq!(claims["user"]["locale"], "es-ES");
    assert_eq!(claims["owner"]["email"], "owner@example.es");
    assert!(claims["jti"].as_str().unwrap().len() >= 32);
    let nbf = claims["nbf"].as_i64().unwrap();
    assert_eq!(claims["exp"].as_i64().unwrap(), nbf + 24 * 3600);
    assert_eq!(claims["iat"].as_i64().unwrap(), nbf);
    // The simulator's clock sets the times.
    assert!((nbf - h.sim.clock().unix()).abs() <= 1);
    // Another secret does not verify it.
    assert!(decode(jwt, "another-secret").is_err());
}

#[tokio::test]
async fn an_app_extension_click_loads_the_app_with_the_substituted_url() {
    let h = Harness::new().await;
    let reply = h
        .post(
            "/graphql",
            json!({
                "query": "mutation($input: CreateAppExtensionInput!) { appExtension { createAppExtension(input: $input) { appExtension { id } } } }",
                "variables": {"input": {"context": "PANEL", "model": "ORDERS", "url": "/orders/${id}/sequra", "label": {"defaultValue": "SeQura"}}}
            }),
        )
        .await;
    let id = reply.body["data"]["appExtension"]["createAppExtension"]["appExtension"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = h
        .sim
        .app_extension_click_url("abc123", EXAMPLE_CLIENT_ID, h.ex.staff_id, &id, 250)
        .unwrap();
    let claims = decode(&query_of(&url)["signed_payload_jwt"], EXAMPLE_CLIENT_SECRET).unwrap();
    assert_eq!(claims["url"], "/orders/250/sequra");
    assert_eq!(claims["user"]["email"], "staff@example.es");
    assert_ne!(claims["user"]["id"], claims["owner"]["id"]);
    // The staff user who loaded the app is now one of its users.
    assert!(
        h.sim
            .install("abc123", EXAMPLE_CLIENT_ID)
            .unwrap()
            .users
            .contains(&h.ex.staff_id)
    );
}

#[tokio::test]
async fn uninstall_calls_back_and_removes_token_scripts_extensions_and_hooks() {
    let app = app_server().await;
    let h = Harness::with_app_base(&app.base).await;
    let script = |name: &str, auto: bool| {
        json!({"name": name, "kind": "src", "src": "https://app.example.com/x.js",
               "visibility": "checkout", "auto_uninstall": auto, "consent_category": "essential"})
    };
    assert_eq!(
        h.post("/v3/content/scripts", script("auto", true))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        h.post("/v3/content/scripts", script("kept", false))
            .await
            .status,
        StatusCode::OK
    );
    let created = h
        .post(
            "/graphql",
            json!({"query": r#"mutation { appExtension { createAppExtension(input: {context: PANEL, model: ORDERS, url: "/orders/${id}/sequra", label: {defaultValue: "SeQura"}}) { appExtension { id } } } }"#}),
        )
        .await;
    assert!(created.body["errors"].is_null(), "{}", created.raw);
    assert_eq!(h.sim.app_extensions("abc123").len(), 1);

    let outcome = h
        .sim
        .uninstall("abc123", EXAMPLE_CLIENT_ID, None)
        .await
        .unwrap();
    assert_eq!(outcome.status, Ok(200));
    let seen = app.seen.lock().clone();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].starts_with("/bc/uninstall?signed_payload_jwt="),
        "{seen:?}"
    );
    let claims = decode(
        &query_of(&format!("http://x{}", seen[0]))["signed_payload_jwt"],
        EXAMPLE_CLIENT_SECRET,
    )
    .unwrap();
    assert_eq!(claims["sub"], "stores/abc123");
    assert_eq!(claims["user"]["id"], h.ex.owner_id);

    // The token is gone.
    assert_eq!(h.get("/v2/store").await.status, StatusCode::UNAUTHORIZED);
    assert!(h.sim.install("abc123", EXAMPLE_CLIENT_ID).is_none());
    // auto_uninstall scripts are gone, the others stay; extensions are gone.
    let names: Vec<String> = h
        .sim
        .scripts("abc123")
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["kept"]);
    assert!(h.sim.app_extensions("abc123").is_empty());
    // The webhook subsystem was told to drop the app's hooks, before the callback.
    let lifecycle = h.sim.lifecycle();
    assert_eq!(
        lifecycle[0],
        LifecycleRecord::HooksRemoved {
            store_hash: "abc123".into(),
            client_id: EXAMPLE_CLIENT_ID.into()
        }
    );
    assert!(matches!(
        &lifecycle[1],
        LifecycleRecord::Callback {
            kind: CallbackKind::Uninstall,
            status: Ok(200),
            ..
        }
    ));
    // Uninstalling again: nothing is installed.
    assert!(
        h.sim
            .uninstall("abc123", EXAMPLE_CLIENT_ID, None)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn an_unreachable_uninstall_callback_still_uninstalls() {
    let h = Harness::with_app_base("http://127.0.0.1:9").await;
    let outcome = h
        .sim
        .uninstall("abc123", EXAMPLE_CLIENT_ID, None)
        .await
        .unwrap();
    assert!(outcome.status.is_err());
    assert!(!h.sim.token_is_valid(&h.token));
}

#[tokio::test]
async fn remove_user_calls_back_with_that_user() {
    let app = app_server().await;
    let h = Harness::with_app_base(&app.base).await;
    h.sim
        .load_url("abc123", EXAMPLE_CLIENT_ID, h.ex.staff_id, "/")
        .unwrap();
    let outcome = h
        .sim
        .remove_user("abc123", EXAMPLE_CLIENT_ID, h.ex.staff_id)
        .await
        .unwrap();
    assert_eq!(outcome.status, Ok(200));
    let seen = app.seen.lock().clone();
    assert!(seen[0].starts_with("/bc/remove_user?signed_payload_jwt="));
    let claims = decode(
        &query_of(&format!("http://x{}", seen[0]))["signed_payload_jwt"],
        EXAMPLE_CLIENT_SECRET,
    )
    .unwrap();
    assert_eq!(claims["user"]["id"], h.ex.staff_id);
    let install = h.sim.install("abc123", EXAMPLE_CLIENT_ID).unwrap();
    assert!(!install.users.contains(&h.ex.staff_id));
    // The app stays installed and the owner cannot be removed.
    assert_eq!(h.get("/v2/store").await.status, StatusCode::OK);
    assert!(
        h.sim
            .remove_user("abc123", EXAMPLE_CLIENT_ID, h.ex.owner_id)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_cancelled_store_emits_app_uninstalled_and_refuses_the_api() {
    let h = Harness::new().await;
    let mark = h.sim.mark();
    h.sim.cancel_store("abc123").unwrap();
    let events = h.events_since(mark);
    assert_eq!(
        events,
        [("store/app/uninstalled".to_owned(), json!({"type": "store"}))]
    );
    let event = &h.sim.events_since("abc123", mark)[0].event;
    assert_eq!(event.store_id, "1001234567");
    assert_eq!(h.get("/v2/store").await.status, StatusCode::UNAUTHORIZED);
    assert!(
        h.sim
            .start_install("abc123", EXAMPLE_CLIENT_ID, h.ex.owner_id)
            .is_err()
    );
}

#[tokio::test]
async fn a_token_of_another_store_is_refused() {
    let h = Harness::new().await;
    h.sim
        .create_store(NewStore::named("def456", 1_002))
        .unwrap();
    let other = h
        .sim
        .grant_token("def456", EXAMPLE_CLIENT_ID, None)
        .unwrap();
    let reply = h
        .raw(Method::GET, "/stores/abc123/v2/store", Some(&other), None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = h
        .raw(Method::GET, "/stores/def456/v2/store", Some(&other), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["id"], "def456");
    // The simulator's own control panel (not `store-def456.mybigcommerce.com`).
    assert_eq!(
        reply.body["control_panel_base_url"],
        format!("{}/cp/def456", h.base)
    );
}
