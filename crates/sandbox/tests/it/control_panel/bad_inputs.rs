//! Unknown stores, apps, orders and extensions, malformed forms, cancelled stores: clear
//! 4xx pages, never a panic.

use reqwest::StatusCode;

use super::{Cp, browser};

#[tokio::test]
async fn unknown_things_are_404_pages() {
    let cp = Cp::installed().await;
    cp.sign_in_as_owner().await;
    for path in [
        "/manage/marketplace/apps/nope/install",
        "/manage/marketplace/apps/nope/uninstall",
        "/manage/app/nope",
        "/manage/orders/999999",
        "/manage/orders/abc",
        "/manage/orders/99999999999999999999999",
        "/manage/orders/999999/app-extensions/1",
        "/manage/no-such-page",
        "/login/as/999999",
        "/login/as/owner",
    ] {
        let page = cp.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {}", page.html);
        assert!(page.has("error-message"), "{path}: {}", page.html);
    }
    // Known order, unknown extension.
    let order = cp
        .sim
        .create_order_from_checkout("abc123", &cp.ex.checkout_id)
        .unwrap();
    for extension in ["1", "x", "-1"] {
        let page = cp
            .get(&format!(
                "/manage/orders/{order}/app-extensions/{extension}"
            ))
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{extension}");
    }
    assert_eq!(
        cp.submit("/manage/marketplace/apps/nope/install", &[])
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Signed in, inside the frame.
    let page = cp.get("/manage/app/nope").await;
    assert!(page.has("cp-signed-in-user"));
}

#[tokio::test]
async fn an_unknown_store_is_404_everywhere() {
    let cp = Cp::installed().await;
    let client = browser();
    for path in [
        "",
        "/login",
        "/login/as/1",
        "/manage/marketplace/apps/my-apps",
        "/manage/orders/1",
    ] {
        let url = format!("{}/cp/nope{path}", cp.base);
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{url}");
        let html = response.text().await.unwrap();
        assert!(html.contains("The store does not exist."), "{url}: {html}");
    }
    let response = client
        .post(format!("{}/cp/nope/login", cp.base))
        .form(&[("user_id", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn malformed_requests_are_400() {
    let cp = Cp::installed().await;
    // Sign-in without a user, with a non-number, and not as a form.
    for form in [vec![], vec![("user_id", "x")], vec![("user_id", "")]] {
        let page = cp.post("/login", &form).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{form:?}");
    }
    let response = cp
        .browser
        .post(cp.url("/login"))
        .header("content-type", "application/json")
        .body("{\"user_id\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        cp.post("/login", &[("user_id", "999999")]).await.status,
        StatusCode::NOT_FOUND
    );

    cp.sign_in_as_owner().await;
    for url in ["orders", "https%3A%2F%2Fevil.example%2F"] {
        let page = cp
            .get(&format!("/manage/app/test-client-id-abc123?url={url}"))
            .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{url}");
    }
    let long = format!("/{}", "a".repeat(255));
    let page = cp
        .get(&format!("/manage/app/test-client-id-abc123?url={long}"))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    // A stale or forged cookie is "signed out".
    let forged = reqwest::Client::builder().no_proxy().build().unwrap();
    for cookie in ["bc_cp_user=999999", "bc_cp_user=abc", "bc_cp_user="] {
        let response = forged
            .get(cp.url("/manage/orders"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{cookie}");
    }
    // Open on an app that is registered but not installed.
    cp.sim
        .register_app(sandbox::bigcommerce::AppRegistration {
            client_id: "other".into(),
            ..super::example_app(&cp)
        })
        .unwrap();
    for path in [
        "/manage/app/other",
        "/manage/marketplace/apps/other/uninstall",
    ] {
        let page = cp.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.one("error-message").text.contains("not installed"));
    }
}

#[tokio::test]
async fn a_cancelled_store_closes_its_control_panel() {
    let cp = Cp::installed().await;
    cp.sign_in_as_owner().await;
    cp.sim.cancel_store("abc123").unwrap();
    for path in [
        "/login",
        "/manage/marketplace/apps/my-apps",
        "/manage/orders",
    ] {
        let page = cp.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert!(
        cp.post(
            "/manage/marketplace/apps/test-client-id-abc123/install",
            &[]
        )
        .await
        .status
        .is_client_error()
    );
}
