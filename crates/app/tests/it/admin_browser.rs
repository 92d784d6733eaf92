//! The merchant's whole admin journey in real headless Chromium, through both sandboxes:
//! install from the BigCommerce control panel, connect (a wrong password first), selling
//! countries, payment methods, general settings, order status mapping, disconnect.

use sandbox::bigcommerce::EXAMPLE_CLIENT_ID;
use sandbox::sequra::{DEMO_PASSWORD, DEMO_USERNAME};
use sequra_bc::domain::{SequraState, StoreHash};

use crate::support::browser::{browser, click, fill, wait_for, wait_for_text, wait_gone};
use crate::support::world::world;

async fn journey(postgres: bool) {
    let Some(b) = browser().await else { return };
    let w = world(postgres).await;
    let c = &b.client;
    let cp = w.bc.control_panel_owner_url(w.store()).unwrap();

    // Apps › My Apps › Install › confirm the permissions: the app answers in the iframe.
    c.goto(&cp).await.unwrap();
    click(
        c,
        &format!("[data-test=app-install][data-client-id='{EXAMPLE_CLIENT_ID}']"),
    )
    .await;
    wait_for(c, "[data-test=install-scope]").await;
    click(c, "[data-test=install-confirm]").await;
    wait_for(c, "#app-iframe")
        .await
        .enter_frame()
        .await
        .unwrap();
    wait_for_text(c, "#view h1", "Connect to SeQura").await;

    // A wrong password: the form says so, nothing is saved.
    fill(c, "#username", DEMO_USERNAME).await;
    fill(c, "#password", "not-the-password").await;
    click(c, "[data-test=connect]").await;
    wait_for_text(c, ".field-error", "did not accept").await;
    let store = StoreHash::parse(w.store()).unwrap();
    assert!(w.app.state.db.connection(&store).await.unwrap().is_none());

    fill(c, "#password", DEMO_PASSWORD).await;
    click(c, "[data-test=connect]").await;
    wait_for_text(c, "#view h1", "Selling countries").await;

    // SeQura's merchants are prefilled; keep Spain and France only.
    for code in ["IT", "PT"] {
        let checkbox = wait_for(c, &format!("#enable-{code}")).await;
        if checkbox.prop("checked").await.unwrap().as_deref() == Some("true") {
            checkbox.click().await.unwrap();
        }
    }
    click(c, "[data-test=save-countries]").await;
    wait_for_text(c, "#view h1", "Payment methods").await;
    wait_for(c, "tr[data-product=i1]").await;

    // Filter by category.
    wait_for(c, "#category")
        .await
        .select_by_value("part_payment")
        .await
        .unwrap();
    click(c, "[data-test=filter]").await;
    wait_gone(c, "tr[data-product=i1]").await;
    wait_for(c, "tr[data-product=pp3]").await;

    // General settings: a bad IP is refused on its field, then a good one is saved.
    click(c, "a[data-nav=settings]").await;
    fill(c, "#allowed_ips", "300.1.1.1").await;
    click(c, "#view button[type=submit]").await;
    wait_for_text(c, ".field-error", "is not an IP address").await;
    fill(c, "#allowed_ips", "212.80.211.33").await;
    fill(c, "#excluded_products", "GIFT-CARD").await;
    click(c, "#view button[type=submit]").await;
    wait_for_text(c, ".message.success", "Settings saved").await;

    // Order status: "In review" → None.
    click(c, "a[data-nav=order-statuses]").await;
    wait_for(c, "#map-needs_review")
        .await
        .select_by_value("")
        .await
        .unwrap();
    click(c, "#view button[type=submit]").await;
    wait_for_text(c, ".message.success", "mapping saved").await;

    // Transaction log: the empty state.
    click(c, "a[data-nav=transactions]").await;
    wait_for_text(c, "#view", "Nothing to show").await;

    let db = &w.app.state.db;
    assert_eq!(db.countries(&store).await.unwrap().len(), 2);
    assert!(
        db.general_settings(&store)
            .await
            .unwrap()
            .unwrap()
            .contains("212.80.211.33")
    );
    assert_eq!(
        db.status_mapping(&store).await.unwrap()[1],
        (SequraState::NeedsReview, None)
    );

    // Connection settings › Disconnect › confirm.
    click(c, "a[data-nav=connection]").await;
    click(c, "[data-test=disconnect]").await;
    click(c, "[data-test=confirm-disconnect-button]").await;
    wait_for_text(c, "#view", "Disconnected from SeQura").await;
    assert!(db.connection(&store).await.unwrap().is_none());

    b.client.clone().close().await.unwrap();
    w.finish().await;
}

#[tokio::test]
async fn admin_journey_in_chromium_on_sqlite() {
    journey(false).await;
}

#[tokio::test]
async fn admin_journey_in_chromium_on_postgres() {
    if std::env::var("DATABASE_URL").is_err() {
        let required = std::env::var("SEQURA_BC_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "DATABASE_URL is not set and SEQURA_BC_REQUIRE_POSTGRES=1"
        );
        eprintln!("DATABASE_URL is not set: PostgreSQL browser journey skipped");
        return;
    }
    journey(true).await;
}
