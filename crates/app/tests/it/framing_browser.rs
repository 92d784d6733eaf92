//! `frame-ancestors` in a real browser: Chromium shows the admin page inside the store's
//! own control panel (served on an origin of its own), and refuses to render it inside a
//! page of any other origin — while that same foreign page does render a frameable page
//! of the app (the callback error page), so the refusal is the policy, not the harness.

use std::time::{Duration, Instant};

use axum::response::Html;
use fantoccini::Locator;
use sandbox::bigcommerce::EXAMPLE_CLIENT_ID;

use crate::cross_store::two_stores;
use crate::support::browser::{browser, wait_for, wait_for_text};

/// The URL of the document inside the frame `css` once it has finished loading.
async fn frame_document(c: &fantoccini::Client, css: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        c.enter_parent_frame().await.ok();
        let frame = wait_for(c, css).await;
        frame.enter_frame().await.unwrap();
        let state = c
            .execute("return [document.readyState, document.URL];", vec![])
            .await
            .unwrap();
        let state: Vec<String> = serde_json::from_value(state).unwrap();
        if state[0] == "complete" && state[1] != "about:blank" {
            return state[1].clone();
        }
        assert!(Instant::now() < deadline, "{css} never finished loading");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_admin_page_renders_in_its_control_panel_and_nowhere_else() {
    let Some(b) = browser().await else { return };
    let c = &b.client;
    let s = two_stores().await;
    let a = &s.a;

    // Inside store A's control panel: the admin page renders.
    let open =
        s.w.bc
            .control_panel_sign_in_url(
                &a.hash,
                a.owner,
                Some(&format!("/manage/app/{EXAMPLE_CLIENT_ID}")),
            )
            .unwrap();
    c.goto(&open).await.unwrap();
    wait_for(c, "#app-iframe")
        .await
        .enter_frame()
        .await
        .unwrap();
    wait_for_text(c, "#view h1", "").await;
    wait_for(c, "[data-token]").await;

    // A page on a foreign origin (another store's or an attacker's) framing the same
    // admin page with a fresh, genuine load URL, beside the app's frameable error page.
    let load =
        s.w.bc
            .load_url(&a.hash, EXAMPLE_CLIENT_ID, a.owner, "/")
            .unwrap();
    let error_page = format!("{}/bc/load", s.w.app.base_url);
    let page = format!(
        "<!doctype html><html><body><h1>foreign</h1>\
         <iframe id=\"admin\" src=\"{load}\"></iframe>\
         <iframe id=\"control\" src=\"{error_page}\"></iframe></body></html>"
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let foreign = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(move || {
                let page = page.clone();
                async move { Html(page) }
            }),
        );
        let _ = axum::serve(listener, app).await;
    });
    c.enter_parent_frame().await.ok();
    c.goto(&foreign).await.unwrap();
    wait_for(c, "h1").await;

    // The control frame renders the app's error page: app frames can render here.
    frame_document(c, "#control").await;
    wait_for(c, ".panel").await;

    // The admin frame is blocked: Chromium replaces it with its own error document and
    // none of the admin page is there.
    c.enter_parent_frame().await.unwrap();
    let url = frame_document(c, "#admin").await;
    assert!(
        !url.starts_with(&s.w.app.base_url),
        "the admin page loaded in a foreign frame: {url}"
    );
    assert!(c.find(Locator::Css("[data-token]")).await.is_err());
    assert!(c.find(Locator::Css("#view")).await.is_err());
    server.abort();
    s.w.finish().await;
}
