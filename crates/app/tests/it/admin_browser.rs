//! The merchant's whole admin journey in real headless Chromium, through both sandboxes:
//! install from the BigCommerce control panel, connect (a wrong password first), selling
//! countries, payment methods, general settings, order status mapping, disconnect.

use fantoccini::Locator;
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
    if crate::support::db::postgres_url("the PostgreSQL browser journey").is_none() {
        return;
    }
    journey(true).await;
}

/// A paid SeQura order whose later edit SeQura rejected: the merchant sees it in the
/// transaction log with SeQura's reason and both links, and in the order's side panel.
#[tokio::test]
async fn a_rejected_update_shows_in_the_transaction_log_and_the_side_panel() {
    use sandbox::bigcommerce::OrderEdit;
    let Some(b) = browser().await else { return };
    let w = crate::support::world::World::connected(false).await;
    let c = &b.client;
    let r = reqwest::Client::new()
        .post(format!(
            "{}/storefront/{}/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10/solicitations",
            w.app.base_url,
            w.store()
        ))
        .json(&serde_json::json!({ "product": "i1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let sq = w.sequra.control().orders().into_iter().last().unwrap();
    w.sequra.control().approve(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    let order = w.bc.orders(w.store())[0].clone();
    w.bc.edit_order(
        w.store(),
        order.id,
        vec![OrderEdit::SetQuantity {
            order_product_id: order.lines[0].id,
            quantity: 9,
        }],
    )
    .unwrap();
    w.bc.webhooks().flush().await;
    w.app.drain_jobs().await;

    // Apps › My Apps › Open › Transaction log.
    let cp = w.bc.control_panel_owner_url(w.store()).unwrap();
    c.goto(&cp).await.unwrap();
    click(
        c,
        &format!("[data-test=app-open][data-client-id='{EXAMPLE_CLIENT_ID}']"),
    )
    .await;
    wait_for(c, "#app-iframe")
        .await
        .enter_frame()
        .await
        .unwrap();
    click(c, "a[data-nav=transactions]").await;
    let entry = wait_for(
        c,
        &format!("[data-test=log-entry][data-order='{}']", order.id),
    )
    .await;
    let text = entry.text().await.unwrap();
    assert!(
        text.to_lowercase().contains("failed") && text.contains("Order edit"),
        "{text}"
    );
    assert!(
        text.contains("exceeds the ordered quantity"),
        "SeQura's reason: {text}"
    );
    let shop = entry
        .find(Locator::Css("[data-test=shop-link]"))
        .await
        .unwrap();
    assert!(
        shop.attr("href")
            .await
            .unwrap()
            .unwrap()
            .ends_with(&format!("/manage/orders/{}", order.id))
    );
    let portal = entry
        .find(Locator::Css("[data-test=sequra-link]"))
        .await
        .unwrap();
    assert!(
        portal
            .attr("href")
            .await
            .unwrap()
            .unwrap()
            .ends_with(&format!("/portal/orders/{}", sq.uuid))
    );

    // The order's Actions menu › SeQura order information opens the side panel.
    c.goto(&format!(
        "{}/manage/orders/{}",
        w.bc.control_panel_url(w.store()),
        order.id
    ))
    .await
    .unwrap();
    click(c, "[data-test=order-actions] summary").await;
    click(c, "[data-test=order-action-extension]").await;
    wait_for(c, "#extension-iframe")
        .await
        .enter_frame()
        .await
        .unwrap();
    wait_for_text(c, "[data-test=sequra-reference]", &sq.uuid.to_string()).await;
    wait_for_text(c, "#view", "has not accepted the latest change").await;
    b.client.clone().close().await.unwrap();
    w.finish().await;
}

/// The merchant works a paid SeQura order in the BigCommerce control panel (Chromium): ships
/// part of it, then the rest, then refunds one item to a custom (offline) method. Each
/// action fires BigCommerce's webhooks, the app syncs the order, and SeQura's carts follow.
#[tokio::test]
async fn the_merchants_control_panel_actions_reach_sequra() {
    let Some(b) = browser().await else { return };
    let w = crate::support::world::World::connected(false).await;
    let c = &b.client;
    let r = reqwest::Client::new()
        .post(format!(
            "{}/storefront/{}/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10/solicitations",
            w.app.base_url,
            w.store()
        ))
        .json(&serde_json::json!({ "product": "i1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let sq = w.sequra.control().orders().into_iter().last().unwrap();
    w.sequra.control().approve(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    let settle = || async {
        w.bc.webhooks().flush().await;
        w.app.drain_jobs().await;
    };
    settle().await;
    let order = w.bc.orders(w.store())[0].clone();
    let (shirt, shoes) = (order.lines[0].id, order.lines[1].id);
    let qty = |cart: &sandbox::sequra::payload::Cart, sku: &str| -> i64 {
        cart.items
            .iter()
            .filter(|i| i.kind == "product" && i.reference == sku)
            .map(|i| i.quantity.unwrap_or(0))
            .sum()
    };
    assert!(
        w.sequra
            .control()
            .order(sq.uuid)
            .unwrap()
            .updates
            .is_empty()
    );

    // Signed in as the owner, the order's page › Actions › Ship items: one shirt only.
    let order_url = format!(
        "{}/manage/orders/{}",
        w.bc.control_panel_url(w.store()),
        order.id
    );
    c.goto(&w.bc.control_panel_owner_url(w.store()).unwrap())
        .await
        .unwrap();
    c.goto(&order_url).await.unwrap();
    click(c, "[data-test=order-actions] summary").await;
    click(c, "[data-test=order-action-ship]").await;
    fill(
        c,
        &format!("[data-test=ship-line-quantity][data-line-id='{shirt}']"),
        "1",
    )
    .await;
    fill(
        c,
        &format!("[data-test=ship-line-quantity][data-line-id='{shoes}']"),
        "0",
    )
    .await;
    fill(c, "[data-test=ship-tracking-number]", "EJ958083578ES").await;
    click(c, "[data-test=ship-submit]").await;
    wait_for(c, "[data-test=cp-notice]").await;
    settle().await;
    let now = w.sequra.control().order(sq.uuid).unwrap();
    assert_eq!(qty(&now.shipped_cart, "CAM-ALG-M-AZ"), 1);
    assert_eq!(qty(&now.unshipped_cart, "CAM-ALG-M-AZ"), 1);
    assert_eq!(qty(&now.unshipped_cart, "ZAP-RUN-42"), 1);

    // Ship the rest: the form offers what is left.
    click(c, "[data-test=order-actions] summary").await;
    click(c, "[data-test=order-action-ship]").await;
    fill(c, "[data-test=ship-tracking-number]", "EJ958083579ES").await;
    click(c, "[data-test=ship-submit]").await;
    wait_for(c, "[data-test=cp-notice]").await;
    settle().await;
    let now = w.sequra.control().order(sq.uuid).unwrap();
    assert!(
        now.unshipped_cart.items.is_empty(),
        "{:?}",
        now.unshipped_cart
    );
    assert_eq!(now.shipped_cart.order_total_with_tax, 11_500);

    // Refund one shirt. The order was paid outside BigCommerce's gateways, so the quote
    // offers a custom (offline) refund, as BigCommerce does for an app's orders.
    click(c, "[data-test=order-actions] summary").await;
    click(c, "[data-test=order-action-refund]").await;
    fill(
        c,
        &format!("[data-test=refund-line-quantity][data-line-id='{shirt}']"),
        "1",
    )
    .await;
    click(c, "[data-test=refund-continue]").await;
    click(c, "[data-test=refund-method][data-kind=custom]").await;
    click(c, "[data-test=refund-submit]").await;
    wait_for_text(c, "[data-test=cp-notice]", "Refund #").await;
    settle().await;
    let now = w.sequra.control().order(sq.uuid).unwrap();
    assert_eq!(
        qty(&now.shipped_cart, "CAM-ALG-M-AZ"),
        1,
        "{:?}",
        now.shipped_cart
    );
    assert_eq!(now.shipped_cart.order_total_with_tax, 9_000);
    assert_eq!(now.updates.len(), 3, "one update per merchant action");
    b.client.clone().close().await.unwrap();
    w.finish().await;
}
