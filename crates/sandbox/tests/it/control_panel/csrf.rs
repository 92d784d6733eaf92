//! Every state-changing form of the control panel — not only the order actions — needs
//! the signed-in session's CSRF token: install and uninstall confirmations, adding a user,
//! revoking a user's access to an app, and signing out. Without it, with a forged one or
//! with another session's, the post is refused with 403 and nothing changes.

use reqwest::StatusCode;
use sandbox::bigcommerce::EXAMPLE_CLIENT_ID;

use super::{Cp, Page, browser};

const INSTALL: &str = "/manage/marketplace/apps/test-client-id-abc123/install";
const UNINSTALL: &str = "/manage/marketplace/apps/test-client-id-abc123/uninstall";
const USERS: &str = "/manage/settings/users";

/// The same owner signed in from another browser: a session of its own.
async fn other_session_token(cp: &Cp) -> String {
    let other = browser();
    let url = cp
        .sim
        .control_panel_sign_in_url(&cp.ex.store_hash, cp.ex.owner_id, None)
        .unwrap();
    let page = Page::of(other.get(url).send().await.unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    page.all("csrf-token")[0].attr("value").to_owned()
}

/// What a refused post must have left alone.
fn state(cp: &Cp) -> (bool, usize, usize) {
    let store = cp.sim.store(&cp.ex.store_hash).unwrap();
    let staff_users = store
        .installs
        .get(EXAMPLE_CLIENT_ID)
        .map_or(0, |i| i.users.len());
    (
        cp.sim
            .install(&cp.ex.store_hash, EXAMPLE_CLIENT_ID)
            .is_some(),
        store.users.len(),
        staff_users + cp.app.calls("/bc/uninstall").len() + cp.app.calls("/bc/remove_user").len(),
    )
}

#[tokio::test]
async fn the_older_forms_refuse_posts_without_the_sessions_token() {
    let cp = Cp::installed().await;
    cp.sign_in_as_owner().await;
    // The staff user has opened the app, so revoking their access would call the app.
    cp.sim
        .load_url(&cp.ex.store_hash, EXAMPLE_CLIENT_ID, cp.ex.staff_id, "/")
        .unwrap();
    let mine = cp.csrf().await;
    let theirs = other_session_token(&cp).await;
    assert_ne!(mine, theirs, "each sign-in has its own token");
    let revoke = format!(
        "/manage/settings/users/{}/apps/{EXAMPLE_CLIENT_ID}/remove",
        cp.ex.staff_id
    );
    let before = state(&cp);
    let mut refused = 0;
    for (path, form) in [
        (INSTALL, vec![]),
        (UNINSTALL, vec![]),
        (
            USERS,
            vec![("email", "intruder@example.es"), ("locale", "es-ES")],
        ),
        (revoke.as_str(), vec![]),
        ("/logout", vec![]),
    ] {
        let mut forged = mine.clone();
        forged.replace_range(..2, if mine.starts_with("00") { "11" } else { "00" });
        for token in [
            None,
            Some(""),
            Some("zz-not-hex"),
            Some(forged.as_str()),
            Some(theirs.as_str()),
        ] {
            let mut all = form.clone();
            if let Some(t) = token {
                all.push(("csrf_token", t));
            }
            let page = cp.post(path, &all).await;
            assert_eq!(
                page.status,
                StatusCode::FORBIDDEN,
                "{path} {token:?}: {}",
                page.html
            );
            assert_eq!(state(&cp), before, "{path} {token:?} changed something");
            refused += 1;
        }
    }
    // Still signed in (the sign-out was refused too), and the right token works.
    assert_eq!(cp.csrf().await, mine);
    let page = cp.submit(USERS, &[("email", "clerk@example.es")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(state(&cp).1, before.1 + 1);
    assert_eq!(refused, 25);
}

#[tokio::test]
async fn a_signed_out_browser_may_still_sign_out() {
    let cp = Cp::installed().await;
    let page = cp.post("/logout", &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert_eq!(page.url, cp.url("/login"));
}
