//! The shopper's checkout in real headless Chromium, through both sandboxes: the storefront
//! loads the app's script (with its SRI hash), SeQura's form decides by persona, the app
//! creates the order from SeQura's IPN, and the shopper lands on BigCommerce's order
//! confirmation page.

use std::time::Duration;

use fantoccini::{Client, Locator};
use sandbox::bigcommerce::CheckoutEdit;
use sequra_bc::domain::StoreHash;

use crate::support::browser::{Browser, browser, click, wait_for, wait_for_text, wait_gone};
use crate::support::world::World;

/// Signs Laura (20 € store credit) in, fills a cart with 2 × shirt + 1 × shoes (115 € with
/// shipping) and opens the checkout.
async fn to_checkout(w: &World, c: &Client) {
    let sf = &w.storefront.base_url;
    c.goto(&format!("{sf}/login/as/{}?next=/", w.example.customer_id))
        .await
        .unwrap();
    for (product, qty) in [(w.example.products[0], 2), (w.example.products[1], 1)] {
        let form = wait_for(c, &format!("[data-product-id='{product}'] form")).await;
        let input = form
            .find(Locator::Css("input[name=quantity]"))
            .await
            .unwrap();
        input.clear().await.unwrap();
        input.send_keys(&qty.to_string()).await.unwrap();
        form.find(Locator::Css("button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for(c, "[data-test=sf-cart-total]").await;
        c.goto(&format!("{sf}/")).await.unwrap();
    }
    c.goto(&format!("{sf}/checkout")).await.unwrap();
    wait_for(c, "[data-test=sequra-method]").await;
}

async fn tick_terms(c: &Client) {
    let terms = wait_for(c, "input[name=terms]").await;
    if terms.prop("checked").await.unwrap().as_deref() != Some("true") {
        terms.click().await.unwrap();
    }
}

/// Clicks the method's button and completes SeQura's form as `given` `surnames`.
async fn pay(c: &Client, product: &str, given: &str, surnames: &str) {
    click(
        c,
        &format!("[data-test=sequra-method][data-sequra-product='{product}'] input"),
    )
    .await;
    let frame = wait_for(c, "#sequra-form-container iframe").await;
    // The form is visible once SeQura's script showed it.
    for _ in 0..200 {
        if frame.is_displayed().await.unwrap_or(false) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    frame.enter_frame().await.unwrap();
    wait_for(c, "#sq-identification").await;
    c.execute(
        "document.getElementById('given_names').value = arguments[0];\
         document.getElementById('surnames').value = arguments[1];\
         document.getElementById('date_of_birth').value = '2000-01-01';\
         document.getElementById('nin').value = '23232323T';\
         document.getElementById('phone').value = '666666666';\
         if (!document.getElementById('email').value) { document.getElementById('email').value = 'test@sequra.es'; }",
        vec![given.into(), surnames.into()],
    )
    .await
    .unwrap();
    click(c, "#sq-submit").await;
}

async fn order_number(c: &Client) -> i64 {
    c.enter_parent_frame().await.ok();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        // The top window moves on its own: follow it to the confirmation page.
        let _ = c.enter_parent_frame().await;
        if let Ok(el) = c.find(Locator::Css("[data-test=order-number]")).await
            && let Ok(text) = el.text().await
        {
            return text.parse().unwrap();
        }
        if std::time::Instant::now() >= deadline {
            panic!(
                "never reached the order confirmation page: {:?} {}",
                c.current_url().await,
                c.source()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .take(1500)
                    .collect::<String>()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn setup() -> Option<(Browser, World)> {
    let b = browser().await?;
    let w = World::connected(false).await;
    Some((b, w))
}

#[tokio::test]
async fn each_method_approved_ends_on_the_confirmation_page() {
    let Some((b, w)) = setup().await else { return };
    let c = &b.client;
    for product in ["i1", "pp3", "sp1", "pp5", "fp1"] {
        to_checkout(&w, c).await;
        tick_terms(c).await;
        pay(c, product, "Fulano", "De Tal").await;
        w.sequra.control().flush().await;
        let order = order_number(c).await;
        wait_for_text(c, "[data-test=order-thanks]", "Thank you").await;
        let bc = w.bc.order(w.store(), order).unwrap();
        assert_eq!(bc.status_id, 11, "{product}: Awaiting Fulfillment");
        let sq = w
            .sequra
            .control()
            .orders()
            .into_iter()
            .find(|o| {
                o.merchant_reference
                    .as_ref()
                    .is_some_and(|r| r.order_ref_1 == order.to_string())
            })
            .unwrap_or_else(|| panic!("{product}: SeQura knows order {order}"));
        assert_eq!(format!("{:?}", sq.state), "Confirmed");
        assert_eq!(sq.product_code.as_deref(), Some(product));
    }
    assert_eq!(w.bc.orders(w.store()).len(), 5, "one order per payment");
    b.client.clone().close().await.unwrap();
    w.finish().await;
}

#[tokio::test]
async fn review_then_approve_shows_the_review_notice_then_the_order() {
    let Some((b, w)) = setup().await else { return };
    let c = &b.client;
    to_checkout(&w, c).await;
    tick_terms(c).await;
    pay(c, "i1", "Review Test", "Approve").await;
    wait_for(c, "#sq-review-notice").await;
    w.sequra.control().flush().await;
    let order = order_number(c).await;
    wait_for(c, "[data-test=order-pending]").await;
    assert_eq!(
        w.bc.order(w.store(), order).unwrap().status_id,
        12,
        "Manual Verification Required"
    );

    // SeQura decides later.
    let sq = w.sequra.control().orders().into_iter().last().unwrap();
    w.sequra
        .control()
        .complete_review(sq.uuid, sandbox::sequra::ReviewOutcome::Approve)
        .unwrap();
    w.sequra.control().flush().await;
    assert_eq!(w.bc.order(w.store(), order).unwrap().status_id, 11);
    b.client.clone().close().await.unwrap();
    w.finish().await;
}

#[tokio::test]
async fn review_then_cancel_moves_the_order_to_cancelled() {
    let Some((b, w)) = setup().await else { return };
    let c = &b.client;
    to_checkout(&w, c).await;
    tick_terms(c).await;
    pay(c, "i1", "Review Test", "Cancel").await;
    wait_for(c, "#sq-review-notice").await;
    w.sequra.control().flush().await;
    let order = order_number(c).await;
    assert_eq!(w.bc.order(w.store(), order).unwrap().status_id, 12);
    let sq = w.sequra.control().orders().into_iter().last().unwrap();
    w.sequra
        .control()
        .complete_review(sq.uuid, sandbox::sequra::ReviewOutcome::Cancel)
        .unwrap();
    w.sequra.control().flush().await;
    assert_eq!(
        w.bc.order(w.store(), order).unwrap().status_id,
        5,
        "Cancelled"
    );
    b.client.clone().close().await.unwrap();
    w.finish().await;
}

#[tokio::test]
async fn rejected_shopper_gets_no_order_and_can_pick_another_method() {
    let Some((b, w)) = setup().await else { return };
    let c = &b.client;
    to_checkout(&w, c).await;
    tick_terms(c).await;
    pay(c, "i1", "Reject", "Test").await;
    // SeQura's form tells the page; the script closes it and says so.
    c.enter_parent_frame().await.unwrap();
    wait_gone(c, "#sequra-form-container iframe").await;
    wait_for_text(c, "[data-test=sequra-message]", "").await;
    assert!(w.bc.orders(w.store()).is_empty(), "no order");
    // The buttons are usable again (after the script's last look at the solicitation).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let radio = wait_for(c, "[data-test=sequra-method] input").await;
        if radio.prop("disabled").await.unwrap().as_deref() == Some("false") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the buttons stay disabled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.client.clone().close().await.unwrap();
    w.finish().await;
}

#[tokio::test]
async fn unticked_terms_stop_before_any_solicitation() {
    let Some((b, w)) = setup().await else { return };
    let c = &b.client;
    to_checkout(&w, c).await;
    click(
        c,
        "[data-test=sequra-method][data-sequra-product='i1'] input",
    )
    .await;
    wait_for_text(
        c,
        ".checkout-terms .form-inlineMessage",
        "Please agree to the terms and conditions",
    )
    .await;
    assert!(
        w.sequra.control().orders().is_empty(),
        "SeQura was not asked"
    );
    b.client.clone().close().await.unwrap();
    w.finish().await;
}

#[tokio::test]
async fn store_credit_pays_part_and_is_debited_once() {
    let Some((b, w)) = setup().await else { return };
    let c = &b.client;
    to_checkout(&w, c).await;
    click(c, "#useStoreCredit").await;
    wait_for_text(c, "[data-test=cart-price-value]", "95.00").await;
    // The checkout re-rendered the payment step; SeQura's buttons came back.
    wait_for(c, "[data-test=sequra-method]").await;
    tick_terms(c).await;
    pay(c, "i1", "Fulano", "De Tal").await;
    w.sequra.control().flush().await;
    let order = order_number(c).await;
    let sq = w.sequra.control().orders().into_iter().last().unwrap();
    assert_eq!(
        sq.solicited_cart.order_total_with_tax, 9500,
        "SeQura was asked for the remainder"
    );
    assert_eq!(
        w.bc.customer(w.store(), w.example.customer_id)
            .unwrap()
            .store_credit_cents,
        0
    );
    assert!(w.bc.order(w.store(), order).is_some());
    let store = StoreHash::parse(w.store()).unwrap();
    assert!(
        w.app
            .state
            .db
            .solicitation_by_order(&store, order)
            .await
            .unwrap()
            .is_some()
    );
    let _ = CheckoutEdit::RemoveItem {
        line_id: String::new(),
    };
    b.client.clone().close().await.unwrap();
    w.finish().await;
}
