//! The browser harness itself: Chromium loads a page the app serves.

use fantoccini::Locator;

use crate::support::browser::browser;

#[tokio::test]
async fn chromium_renders_a_page_from_the_app() {
    let Some(b) = browser().await else { return };
    let app = crate::support::app::spawn().await;
    b.client
        .goto(&format!("{}/healthz", app.base_url))
        .await
        .unwrap();
    let body = b.client.find(Locator::Css("body")).await.unwrap();
    assert_eq!(body.text().await.unwrap(), "ok");
    b.client.clone().close().await.unwrap();
}
