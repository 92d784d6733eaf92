//! OAuth code exchange against `{login_base}/oauth2/token`.

use bigcommerce::{AppCredentials, AuthCallback, Error};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::support::{Reply, Stub, example_json};

fn credentials() -> AppCredentials {
    AppCredentials {
        client_id: "test-client-id-abc123".into(),
        client_secret: SecretString::from("test-client-secret-0123456789abcdef"),
    }
}

fn callback() -> AuthCallback {
    serde_json::from_value(example_json("oauth-auth-callback-query.json")).unwrap()
}

#[tokio::test]
async fn exchanges_the_code_as_documented() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        "/oauth2/token",
        Reply::example(200, "oauth-token-response.json"),
    );
    let token = stub
        .client()
        .exchange_code(
            &credentials(),
            &callback(),
            "https://app.example.com/bc/auth",
        )
        .await
        .unwrap();

    let req = stub.only_request();
    assert_eq!(req.path, "/oauth2/token");
    assert_eq!(req.json(), example_json("oauth-token-request.json"));
    assert_eq!(
        req.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(req.header("accept").as_deref(), Some("application/json"));
    assert_eq!(req.header("x-auth-token"), None);

    assert_eq!(
        token.access_token.expose_secret(),
        "t0k3nxxxxalphanumstringxxxx"
    );
    assert_eq!(token.store_hash().unwrap().as_str(), "abc123");
    assert_eq!(token.user.id, 7_654_321);
    assert_eq!(token.owner.as_ref().unwrap().email, "owner@example.es");
    assert!(token.scopes().any(|s| s == "store_checkout"));
    assert_eq!(
        token.account_uuid.as_deref(),
        Some("12345678-90ab-cdef-1234-567890abcdef")
    );
    let debug = format!("{token:?} {:?} {:?}", credentials(), callback());
    assert!(!debug.contains("t0k3n"));
    assert!(!debug.contains("test-client-secret"));
    assert!(!debug.contains("qr6h3thvbvag2ffq"));
    // No rate-limit state is recorded for the login host.
    assert!(
        stub.client()
            .rate_limit(&token.store_hash().unwrap())
            .is_none()
    );
}

#[tokio::test]
async fn a_refused_code_is_an_error_with_the_reason() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        "/oauth2/token",
        Reply::json(
            400,
            &json!({"error": "invalid_grant", "error_description": "Invalid code"}),
        ),
    );
    let err = stub
        .client()
        .exchange_code(
            &credentials(),
            &callback(),
            "https://app.example.com/bc/auth",
        )
        .await
        .unwrap_err();
    match err {
        Error::Rejected { status, title, .. } => {
            assert_eq!(status, 400);
            assert_eq!(title, "Invalid code");
        }
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn an_answer_without_token_is_a_decode_error() {
    let stub = Stub::start().await;
    let mut body = example_json("oauth-token-response.json");
    body["access_token"] = json!("");
    stub.on("POST", "/oauth2/token", Reply::json(200, &body));
    let err = stub
        .client()
        .exchange_code(
            &credentials(),
            &callback(),
            "https://app.example.com/bc/auth",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
}
