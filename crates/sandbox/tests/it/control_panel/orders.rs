//! Orders and the App Extension entry point: the Actions menu and the side panel.

use reqwest::StatusCode;
use sandbox::bigcommerce::EXAMPLE_CLIENT_ID;
use serde_json::{Value, json};

use super::{Cp, browser, claims, query_of};

/// Creates an ORDERS App Extension through the GraphQL API, as the app does; its id.
async fn create_extension(cp: &Cp, context: &str, url: &str) -> String {
    let token = cp
        .sim
        .grant_token("abc123", EXAMPLE_CLIENT_ID, None)
        .unwrap();
    let reply: Value = browser()
        .post(format!("{}/stores/abc123/graphql", cp.base))
        .header("X-Auth-Token", token)
        .json(&json!({
            "query": "mutation($input: CreateAppExtensionInput!) { appExtension { createAppExtension(input: $input) { appExtension { id } } } }",
            "variables": {"input": {
                "context": context, "model": "ORDERS", "url": url,
                "label": {"defaultValue": "SeQura order information",
                          "locales": [{"value": "Información SeQura", "localeCode": "es-ES"}]}
            }}
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    reply["data"]["appExtension"]["createAppExtension"]["appExtension"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{reply}"))
        .to_owned()
}

/// The example checkout as an order in Awaiting Fulfillment.
fn order(cp: &Cp) -> i64 {
    let id = cp
        .sim
        .create_order_from_checkout("abc123", &cp.ex.checkout_id)
        .unwrap();
    cp.sim.set_order_status("abc123", id, 11).unwrap();
    id
}

#[tokio::test]
async fn orders_list_and_page_show_the_order() {
    let cp = Cp::installed().await;
    let id = cp
        .sim
        .create_order_from_checkout("abc123", &cp.ex.checkout_id)
        .unwrap();
    let page = cp.sign_in_as_owner().await;
    let list = cp.open(page.one("cp-nav-orders").attr("href")).await;
    assert_eq!(list.status, StatusCode::OK);
    // Incomplete orders are not listed, but their page opens.
    assert!(list.has("orders-empty"));
    assert_eq!(
        cp.get(&format!("/manage/orders/{id}")).await.status,
        StatusCode::OK
    );

    cp.sim.set_order_status("abc123", id, 11).unwrap();
    let list = cp.get("/manage/orders").await;
    let row = list.one("order-row");
    assert_eq!(row.attr("data-order-id"), id.to_string());
    assert_eq!(list.one("order-status").text, "Awaiting Fulfillment");
    assert!(list.html.contains("€115.00"), "{}", list.html);
    // No App Extension yet: only the merchant's own actions in the menu.
    assert!(!list.has("order-action-extension"));
    assert!(list.has("order-action-edit"));

    let detail = cp.open(list.one("order-link").attr("href")).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(
        detail.one("order-title").attr("data-order-id"),
        id.to_string()
    );
    assert_eq!(detail.all("order-line").len(), 2);
    assert!(detail.html.contains("Laura Pérez"));
    assert!(!detail.has("extension-panel"));
}

#[tokio::test]
async fn an_order_app_extension_opens_the_app_in_a_side_panel() {
    let cp = Cp::installed().await;
    let extension = create_extension(&cp, "PANEL", "/orders/${id}/sequra").await;
    let id = order(&cp);
    cp.sign_in_as_owner().await;

    // In the Actions menu of the order's row on View Orders, in the user's language.
    let list = cp.get("/manage/orders").await;
    let action = list.one("order-action-extension");
    assert_eq!(action.attr("data-extension-id"), extension);
    assert_eq!(action.attr("data-client-id"), EXAMPLE_CLIENT_ID);
    assert_eq!(action.attr("data-context"), "PANEL");
    assert_eq!(action.text, "Información SeQura");

    // …and on the order's page.
    let detail = cp.get(&format!("/manage/orders/{id}")).await;
    let action = detail.one("order-action-extension");
    let number = extension.rsplit('/').next().unwrap();
    assert_eq!(
        action.attr("href"),
        format!("/cp/abc123/manage/orders/{id}/app-extensions/{number}")
    );

    let clicked = cp.open(action.attr("href")).await;
    assert_eq!(clicked.status, StatusCode::OK);
    assert!(
        clicked.has("order-title"),
        "the order stays behind the panel"
    );
    let panel = clicked.one("extension-panel");
    assert_eq!(panel.attr("data-extension-id"), extension);
    assert_eq!(
        clicked.one("extension-panel-title").text,
        "Información SeQura"
    );
    assert_eq!(
        clicked.one("extension-panel-close").attr("href"),
        format!("/cp/abc123/manage/orders/{id}")
    );
    let frame = clicked.one("extension-iframe");
    assert_eq!(frame.tag, "iframe");
    let src = frame.attr("src");
    assert!(
        src.starts_with(&format!("{}/bc/load?", cp.app.base)),
        "{src}"
    );
    let jwt = claims(&query_of(src)["signed_payload_jwt"]);
    assert_eq!(jwt["url"], format!("/orders/{id}/sequra"));
    assert_eq!(jwt["user"]["id"], cp.ex.owner_id);
    assert_eq!(jwt["sub"], "stores/abc123");

    // Each click mints a new JWT; a non-owner gets their own.
    let again = cp.open(action.attr("href")).await;
    let again = claims(&query_of(again.one("extension-iframe").attr("src"))["signed_payload_jwt"]);
    assert_ne!(again["jti"], jwt["jti"]);
    cp.sign_in(cp.ex.staff_id).await;
    let staff = cp.open(action.attr("href")).await;
    let staff = claims(&query_of(staff.one("extension-iframe").attr("src"))["signed_payload_jwt"]);
    assert_eq!(staff["user"]["id"], cp.ex.staff_id);
    assert_eq!(staff["owner"]["id"], cp.ex.owner_id);
}

#[tokio::test]
async fn a_link_extension_opens_the_app_page_and_a_default_label_is_used_without_the_locale() {
    let cp = Cp::installed().await;
    create_extension(&cp, "LINK", "/orders/${id}/details").await;
    cp.sim
        .add_user(
            "abc123",
            sandbox::bigcommerce::NewUser::new("en@example.es", "en-US"),
        )
        .unwrap();
    let english = cp
        .sim
        .store("abc123")
        .unwrap()
        .users
        .values()
        .find(|u| u.email == "en@example.es")
        .unwrap()
        .id;
    let id = order(&cp);
    cp.sign_in(english).await;
    let detail = cp.get(&format!("/manage/orders/{id}")).await;
    let action = detail.one("order-action-extension");
    assert_eq!(action.text, "SeQura order information");
    assert_eq!(action.attr("data-context"), "LINK");
    let page = cp.open(action.attr("href")).await;
    assert!(!page.has("extension-panel"));
    let frame = page.one("app-iframe");
    let jwt = claims(&query_of(frame.attr("src"))["signed_payload_jwt"]);
    assert_eq!(jwt["url"], format!("/orders/{id}/details"));
    assert_eq!(jwt["user"]["id"], english);
}

#[tokio::test]
async fn uninstalling_removes_the_extension_from_the_menu() {
    let cp = Cp::installed().await;
    let extension = create_extension(&cp, "PANEL", "/orders/${id}/sequra").await;
    let id = order(&cp);
    cp.sign_in_as_owner().await;
    assert!(
        cp.get(&format!("/manage/orders/{id}"))
            .await
            .has("order-action-extension")
    );
    cp.submit(
        "/manage/marketplace/apps/test-client-id-abc123/uninstall",
        &[],
    )
    .await;
    let detail = cp.get(&format!("/manage/orders/{id}")).await;
    assert!(!detail.has("order-action-extension"));
    assert!(detail.has("order-action-refund"));
    let number = extension.rsplit('/').next().unwrap();
    let gone = cp
        .get(&format!("/manage/orders/{id}/app-extensions/{number}"))
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}
