//! Signing in as a store user: the picker, the cookie, the control handle's direct link.

use reqwest::StatusCode;

use super::{Cp, browser};

#[tokio::test]
async fn the_store_information_points_at_the_simulators_control_panel() {
    let cp = Cp::installed().await;
    let token = cp
        .sim
        .grant_token("abc123", sandbox::bigcommerce::EXAMPLE_CLIENT_ID, None)
        .unwrap();
    let store: serde_json::Value = browser()
        .get(format!("{}/stores/abc123/v2/store", cp.base))
        .header("X-Auth-Token", token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let control_panel = store["control_panel_base_url"].as_str().unwrap();
    assert_eq!(control_panel, format!("{}/cp/abc123", cp.base));
    assert_eq!(control_panel, cp.sim.control_panel_url("abc123"));
    // A real page of the simulator: the base leads to the sign-in picker.
    let page = cp.open(control_panel).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(page.has("sign-in-owner"));
}

#[tokio::test]
async fn signed_out_pages_answer_401_with_the_picker_that_comes_back() {
    let cp = Cp::installed().await;
    for path in [
        "/manage/marketplace/apps/my-apps",
        "/manage/app/test-client-id-abc123",
        "/manage/settings/users",
        "/manage/orders",
    ] {
        let page = cp.get(path).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{path}");
        let owner = page.one("sign-in-owner");
        assert_eq!(owner.attr("data-user-id"), cp.ex.owner_id.to_string());
        assert!(!page.has("cp-signed-in-user"), "{path}");
        assert!(
            page.html
                .contains(&format!("name=\"next\" value=\"/cp/abc123{path}\"")),
            "{path}: {}",
            page.html
        );
    }
    // Actions too: nothing happens while signed out.
    let page = cp
        .post(
            "/manage/marketplace/apps/test-client-id-abc123/uninstall",
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(cp.sim.install("abc123", "test-client-id-abc123").is_some());
    assert!(cp.app.calls("/bc/uninstall").is_empty());
}

#[tokio::test]
async fn the_picker_signs_in_keeps_the_user_in_a_cookie_and_signs_out() {
    let cp = Cp::new().await;
    let picker = cp.get("/login").await;
    assert_eq!(picker.status, StatusCode::OK);
    assert_eq!(
        picker.one("sign-in-owner").attr("data-email"),
        "owner@example.es"
    );
    let staff = picker.one("sign-in-user");
    assert_eq!(staff.attr("data-user-id"), cp.ex.staff_id.to_string());
    assert_eq!(staff.attr("data-email"), "staff@example.es");

    let next = "/cp/abc123/manage/orders";
    let page = cp
        .post(
            "/login",
            &[("user_id", &cp.ex.staff_id.to_string()), ("next", next)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.url, cp.url("/manage/orders"));
    let user = page.one("cp-signed-in-user");
    assert_eq!(user.attr("data-user-id"), cp.ex.staff_id.to_string());
    assert_eq!(user.attr("data-locale"), "es-ES");
    // The staff user is not the owner: no Users entry.
    assert!(page.has("cp-nav-apps") && !page.has("cp-nav-users"));

    // The cookie keeps the user on the next request.
    let page = cp.get("/manage/marketplace/apps/my-apps").await;
    assert_eq!(page.status, StatusCode::OK);

    // A `next` outside this control panel is ignored.
    let page = cp
        .post(
            "/login",
            &[
                ("user_id", &cp.ex.owner_id.to_string()),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(page.url, cp.url("/manage/marketplace/apps/my-apps"));
    assert!(page.has("cp-nav-users"));

    let page = cp.submit("/logout", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.url, cp.url("/login"));
    assert_eq!(
        cp.get("/manage/orders").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_control_handle_signs_in_directly() {
    let cp = Cp::new().await;
    let url = cp.sim.control_panel_owner_url("abc123").unwrap();
    assert!(url.starts_with(&cp.url("/login/as/")), "{url}");
    let page = cp.open(&url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.url, cp.url("/manage/marketplace/apps/my-apps"));
    assert_eq!(
        page.one("cp-signed-in-user").attr("data-user-id"),
        cp.ex.owner_id.to_string()
    );

    // Another user, landing on a given page; the cookie is replaced.
    let url = cp
        .sim
        .control_panel_sign_in_url("abc123", cp.ex.staff_id, Some("/manage/orders"))
        .unwrap();
    let page = cp.open(&url).await;
    assert_eq!(page.url, cp.url("/manage/orders"));
    assert_eq!(
        page.one("cp-signed-in-user").attr("data-user-id"),
        cp.ex.staff_id.to_string()
    );

    // Refused up front: unknown store or user, a target that is not a path.
    assert!(cp.sim.control_panel_owner_url("nope").is_err());
    assert!(
        cp.sim
            .control_panel_sign_in_url("abc123", 999_999, None)
            .is_err()
    );
    assert!(
        cp.sim
            .control_panel_sign_in_url("abc123", cp.ex.owner_id, Some("https://evil.example"))
            .is_err()
    );
}

#[tokio::test]
async fn stores_have_separate_sign_ins() {
    let cp = Cp::new().await;
    cp.sim
        .create_store(sandbox::bigcommerce::NewStore::named("def456", 1_002))
        .unwrap();
    cp.sign_in_as_owner().await;
    let other = cp
        .open(&format!(
            "{}/manage/orders",
            cp.sim.control_panel_url("def456")
        ))
        .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    assert_eq!(other.one("cp-store-name").text, "Store def456");
}
