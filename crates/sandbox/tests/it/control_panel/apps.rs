//! Apps › My Apps: install through the real dance, open, uninstall; the iframe's origin.

use reqwest::StatusCode;
use sandbox::bigcommerce::{APP_SCOPES, AppRegistration, EXAMPLE_CLIENT_ID};

use super::{Cp, claims, query_of};

const INSTALL: &str = "/manage/marketplace/apps/test-client-id-abc123/install";
const UNINSTALL: &str = "/manage/marketplace/apps/test-client-id-abc123/uninstall";
const OPEN: &str = "/manage/app/test-client-id-abc123";

#[tokio::test]
async fn my_apps_offers_install_for_new_apps_and_open_uninstall_for_installed_ones() {
    let cp = Cp::new().await;
    cp.sim
        .register_app(AppRegistration {
            client_id: "other app/1".into(),
            client_secret: "other-secret".into(),
            ..AppRegistration::example("https://other.example.com:8443")
        })
        .unwrap();
    let page = cp.sign_in_as_owner().await;
    assert_eq!(page.all("app-row").len(), 2);
    let row = page.find("app-row", "data-client-id", EXAMPLE_CLIENT_ID);
    assert_eq!(row.attr("data-installed"), "false");
    let install = page.find("app-install", "data-client-id", EXAMPLE_CLIENT_ID);
    assert_eq!(install.attr("href"), format!("/cp/abc123{INSTALL}"));
    assert!(!page.has("app-open") && !page.has("app-uninstall"));
    // Client ids are free text: paths carry them percent-encoded.
    let other = page.find("app-install", "data-client-id", "other app/1");
    assert_eq!(
        other.attr("href"),
        "/cp/abc123/manage/marketplace/apps/other%20app%2F1/install"
    );
    assert!(page.html.contains("other.example.com:8443"));

    cp.sim
        .grant_token("abc123", EXAMPLE_CLIENT_ID, None)
        .unwrap();
    let page = cp.get("/manage/marketplace/apps/my-apps").await;
    let row = page.find("app-row", "data-client-id", EXAMPLE_CLIENT_ID);
    assert_eq!(row.attr("data-installed"), "true");
    assert_eq!(
        page.find("app-open", "data-client-id", EXAMPLE_CLIENT_ID)
            .attr("href"),
        format!("/cp/abc123{OPEN}")
    );
    assert_eq!(
        page.find("app-uninstall", "data-client-id", EXAMPLE_CLIENT_ID)
            .attr("href"),
        format!("/cp/abc123{UNINSTALL}")
    );
    // The other app is still only installable, and its path opens its confirm page.
    let other = page.find("app-install", "data-client-id", "other app/1");
    let confirm = cp.open(other.attr("href")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert_eq!(
        confirm.one("install-confirm").attr("data-client-id"),
        "other app/1"
    );
}

#[tokio::test]
async fn install_confirms_the_scopes_then_frames_the_auth_callback_whose_code_exchanges() {
    let cp = Cp::new().await;
    let page = cp.sign_in_as_owner().await;
    let confirm = cp.open(page.one("app-install").attr("href")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    let scopes: Vec<String> = confirm
        .all("install-scope")
        .iter()
        .map(|s| s.attr("data-scope").to_owned())
        .collect();
    assert_eq!(scopes, APP_SCOPES);
    assert!(confirm.html.contains("Orders: modify"));
    assert!(confirm.has("install-cancel"));
    assert!(
        cp.app.calls("/bc/auth").is_empty(),
        "nothing before Confirm"
    );

    let framed = cp.submit(INSTALL, &[]).await;
    assert_eq!(framed.status, StatusCode::OK);
    let frame = framed.one("app-iframe");
    assert_eq!(frame.tag, "iframe");
    assert_eq!(frame.attr("id"), "app-iframe");
    assert_eq!(frame.attr("data-phase"), "install");
    let src = frame.attr("src");
    assert!(
        src.starts_with(&format!("{}/bc/auth?", cp.app.base)),
        "{src}"
    );
    let query = query_of(src);
    assert_eq!(query["context"], "stores/abc123");
    assert_eq!(query["scope"], APP_SCOPES.join(" "));
    assert_eq!(
        query["account_uuid"],
        "12345678-90ab-cdef-1234-567890abcdef"
    );
    assert_eq!(query["code"].len(), 16);

    // The browser loads the frame: the app exchanges the code at /oauth2/token.
    let answer = cp.open(src).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.html);
    let auth = cp.app.only("/bc/auth");
    let (status, body) = auth.exchange.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["context"], "stores/abc123");
    assert_eq!(body["user"]["id"], cp.ex.owner_id);
    assert_eq!(body["owner"]["id"], cp.ex.owner_id);
    let install = cp.sim.install("abc123", EXAMPLE_CLIENT_ID).unwrap();
    assert_eq!(install.installed_by, cp.ex.owner_id);
    assert!(
        cp.sim
            .token_is_valid(body["access_token"].as_str().unwrap())
    );

    let page = cp.get("/manage/marketplace/apps/my-apps").await;
    assert_eq!(page.one("app-status").text, "Installed");
    assert!(page.has("app-open"));
}

#[tokio::test]
async fn a_non_owner_installs_as_themselves() {
    let cp = Cp::new().await;
    cp.sign_in(cp.ex.staff_id).await;
    let framed = cp.submit(INSTALL, &[]).await;
    cp.open(framed.one("app-iframe").attr("src")).await;
    let (status, body) = cp.app.only("/bc/auth").exchange.unwrap();
    assert_eq!(status, 200);
    assert_eq!(body["user"]["id"], cp.ex.staff_id);
    assert_eq!(body["owner"]["id"], cp.ex.owner_id);
}

#[tokio::test]
async fn open_frames_the_load_callback_with_a_fresh_jwt_for_the_signed_in_user() {
    let cp = Cp::installed().await;
    let page = cp.sign_in_as_owner().await;
    let open = cp.open(page.one("app-open").attr("href")).await;
    assert_eq!(open.status, StatusCode::OK);
    // The frame's parent is on control_panel_base_url's origin (the app's frame-ancestors).
    let control_panel = url::Url::parse(&cp.sim.control_panel_url("abc123")).unwrap();
    let parent = url::Url::parse(&open.url).unwrap();
    assert_eq!(parent.origin(), control_panel.origin());
    assert!(open.url.starts_with(control_panel.as_str()));

    let frame = open.one("app-iframe");
    assert_eq!(frame.attr("data-phase"), "load");
    assert_eq!(frame.attr("data-client-id"), EXAMPLE_CLIENT_ID);
    let src = frame.attr("src").to_owned();
    assert!(
        src.starts_with(&format!("{}/bc/load?", cp.app.base)),
        "{src}"
    );
    let first = claims(&query_of(&src)["signed_payload_jwt"]);
    assert_eq!(first["sub"], "stores/abc123");
    assert_eq!(first["url"], "/");
    assert_eq!(first["user"]["id"], cp.ex.owner_id);
    assert_eq!(first["user"]["email"], "owner@example.es");
    assert_eq!(first["owner"]["id"], cp.ex.owner_id);
    assert_eq!(first["channel_id"], serde_json::Value::Null);

    // The browser loads it: the app's load callback gets exactly that JWT.
    cp.open(&src).await;
    assert_eq!(
        cp.app.only("/bc/load").query["signed_payload_jwt"],
        query_of(&src)["signed_payload_jwt"]
    );

    // Every Open mints a new JWT.
    let again = cp.get(OPEN).await;
    let second = claims(&query_of(again.one("app-iframe").attr("src"))["signed_payload_jwt"]);
    assert_ne!(first["jti"], second["jti"]);

    // A deep link carries its path in the `url` claim.
    let deep = cp.get(&format!("{OPEN}?url=%2Fsettings%2Fpayments")).await;
    let deep = claims(&query_of(deep.one("app-iframe").attr("src"))["signed_payload_jwt"]);
    assert_eq!(deep["url"], "/settings/payments");
}

#[tokio::test]
async fn a_second_user_loads_the_app_as_themselves() {
    let cp = Cp::installed().await;
    assert!(
        !cp.sim
            .install("abc123", EXAMPLE_CLIENT_ID)
            .unwrap()
            .users
            .contains(&cp.ex.staff_id)
    );
    cp.sign_in(cp.ex.staff_id).await;
    let open = cp.get(OPEN).await;
    assert_eq!(open.status, StatusCode::OK);
    let claims = claims(&query_of(open.one("app-iframe").attr("src"))["signed_payload_jwt"]);
    assert_eq!(claims["user"]["id"], cp.ex.staff_id);
    assert_eq!(claims["user"]["email"], "staff@example.es");
    assert_eq!(claims["user"]["locale"], "es-ES");
    assert_eq!(claims["owner"]["id"], cp.ex.owner_id);
    assert_ne!(claims["user"]["id"], claims["owner"]["id"]);
    assert!(
        cp.sim
            .install("abc123", EXAMPLE_CLIENT_ID)
            .unwrap()
            .users
            .contains(&cp.ex.staff_id)
    );
}

#[tokio::test]
async fn uninstall_confirms_then_calls_the_uninstall_callback() {
    let cp = Cp::installed().await;
    let page = cp.sign_in(cp.ex.staff_id).await;
    let confirm = cp.open(page.one("app-uninstall").attr("href")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.has("uninstall-cancel"));
    assert_eq!(
        confirm.one("uninstall-confirm").attr("data-client-id"),
        EXAMPLE_CLIENT_ID
    );
    assert!(cp.sim.install("abc123", EXAMPLE_CLIENT_ID).is_some());
    assert!(
        cp.app.calls("/bc/uninstall").is_empty(),
        "nothing before Confirm"
    );

    let back = cp.submit(UNINSTALL, &[]).await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(
        back.url
            .starts_with(&cp.url("/manage/marketplace/apps/my-apps?")),
        "{}",
        back.url
    );
    let notice = back.one("cp-notice").text;
    assert!(
        notice.contains("uninstall callback answered 200"),
        "{notice}"
    );
    assert!(back.has("app-install") && !back.has("app-open"));

    assert!(cp.sim.install("abc123", EXAMPLE_CLIENT_ID).is_none());
    let claims = cp.app.only("/bc/uninstall").claims();
    assert_eq!(claims["sub"], "stores/abc123");
    assert_eq!(claims["user"]["id"], cp.ex.staff_id, "the user who clicked");
    assert_eq!(claims["owner"]["id"], cp.ex.owner_id);

    // Once uninstalled, Open and Uninstall are 404s.
    assert_eq!(cp.get(OPEN).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        cp.submit(UNINSTALL, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(cp.app.calls("/bc/uninstall").len(), 1);
}
