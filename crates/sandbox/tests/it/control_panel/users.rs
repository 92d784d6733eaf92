//! Settings › Users: the owner adds users and revokes their access to apps.

use reqwest::StatusCode;
use sandbox::bigcommerce::{CallbackKind, EXAMPLE_CLIENT_ID, LifecycleRecord};

use super::{Cp, claims, query_of};

const USERS: &str = "/manage/settings/users";

#[tokio::test]
async fn the_owner_adds_a_user_who_loads_the_app_and_then_loses_access() {
    let cp = Cp::installed().await;
    let page = cp.sign_in_as_owner().await;
    let users = cp.open(page.one("cp-nav-users").attr("href")).await;
    assert_eq!(users.status, StatusCode::OK);
    assert_eq!(users.all("user-row").len(), 2);
    assert!(users.has("add-user-email") && users.has("add-user-submit"));

    let added = cp
        .submit(USERS, &[("email", "clerk@example.es"), ("locale", "ca-ES")])
        .await;
    assert_eq!(added.status, StatusCode::OK);
    assert_eq!(added.url.split('?').next().unwrap(), cp.url(USERS));
    let row = added.find("user-row", "data-email", "clerk@example.es");
    let clerk: i64 = row.attr("data-user-id").parse().unwrap();
    assert!(added.one("cp-notice").text.contains("clerk@example.es"));
    let store = cp.sim.store("abc123").unwrap();
    assert_eq!(store.users[&clerk].locale, "ca-ES");
    assert!(!store.users[&clerk].is_owner);
    // Adding the same e-mail again is a conflict.
    let again = cp.submit(USERS, &[("email", "CLERK@example.es")]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // The new user signs in and opens the app: the JWT names them.
    cp.sign_in(clerk).await;
    let open = cp.get("/manage/app/test-client-id-abc123").await;
    let jwt = claims(&query_of(open.one("app-iframe").attr("src"))["signed_payload_jwt"]);
    assert_eq!(jwt["user"]["id"], clerk);
    assert_eq!(jwt["user"]["locale"], "ca-ES");

    // The owner revokes the user's access: the remove_user callback names the user.
    cp.sign_in_as_owner().await;
    let users = cp.get(USERS).await;
    let access = users.find("user-app-access", "data-user-id", &clerk.to_string());
    assert_eq!(access.attr("data-client-id"), EXAMPLE_CLIENT_ID);
    assert_eq!(access.attr("data-has-access"), "true");
    let button = users
        .all("remove-user-app")
        .into_iter()
        .find(|b| b.attr("data-user-id") == clerk.to_string())
        .unwrap();
    assert_eq!(button.attr("data-client-id"), EXAMPLE_CLIENT_ID);
    let form_action = format!("/manage/settings/users/{clerk}/apps/test-client-id-abc123/remove");
    assert!(
        users
            .html
            .contains(&format!("action=\"/cp/abc123{form_action}\""))
    );

    let done = cp.submit(&form_action, &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(
        done.one("cp-notice")
            .text
            .contains("remove_user callback answered 200")
    );
    let removed = cp.app.only("/bc/remove_user").claims();
    assert_eq!(removed["user"]["id"], clerk);
    assert_eq!(removed["user"]["email"], "clerk@example.es");
    assert_eq!(removed["owner"]["id"], cp.ex.owner_id);
    assert!(
        !cp.sim
            .install("abc123", EXAMPLE_CLIENT_ID)
            .unwrap()
            .users
            .contains(&clerk)
    );
    assert!(cp.sim.lifecycle().iter().any(|r| matches!(
        r,
        LifecycleRecord::Callback {
            kind: CallbackKind::RemoveUser,
            status: Ok(200),
            ..
        }
    )));
    let access = done.find("user-app-access", "data-user-id", &clerk.to_string());
    assert_eq!(access.attr("data-has-access"), "false");
}

#[tokio::test]
async fn only_the_owner_manages_users() {
    let cp = Cp::installed().await;
    cp.sign_in(cp.ex.staff_id).await;
    let page = cp.get(USERS).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.one("error-message").attr("data-status"), "403");
    // Still inside the store's frame.
    assert!(page.has("cp-signed-in-user"));
    assert_eq!(
        cp.submit(USERS, &[("email", "x@example.es")]).await.status,
        StatusCode::FORBIDDEN
    );
    let revoke = format!(
        "/manage/settings/users/{}/apps/test-client-id-abc123/remove",
        cp.ex.staff_id
    );
    assert_eq!(cp.submit(&revoke, &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(cp.sim.store("abc123").unwrap().users.len(), 2);
    assert!(cp.app.calls("/bc/remove_user").is_empty());
}

#[tokio::test]
async fn bad_user_forms_and_targets_are_4xx() {
    let cp = Cp::installed().await;
    cp.sign_in_as_owner().await;
    for (form, status) in [
        (vec![], StatusCode::BAD_REQUEST),
        (vec![("email", "not-an-email")], StatusCode::BAD_REQUEST),
        (
            vec![("email", "a@example.es"), ("locale", "es ES<script>")],
            StatusCode::BAD_REQUEST,
        ),
    ] {
        assert_eq!(cp.submit(USERS, &form).await.status, status, "{form:?}");
    }
    let owner = cp.ex.owner_id;
    for (path, status) in [
        // The owner's access cannot be revoked (the domain refuses).
        (
            format!("/manage/settings/users/{owner}/apps/test-client-id-abc123/remove"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/manage/settings/users/999999/apps/test-client-id-abc123/remove".into(),
            StatusCode::NOT_FOUND,
        ),
        (
            "/manage/settings/users/abc/apps/test-client-id-abc123/remove".into(),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("/manage/settings/users/{}/apps/nope/remove", cp.ex.staff_id),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let page = cp.submit(&path, &[]).await;
        assert_eq!(page.status, status, "{path}: {}", page.html);
    }
    assert!(cp.app.calls("/bc/remove_user").is_empty());
}
