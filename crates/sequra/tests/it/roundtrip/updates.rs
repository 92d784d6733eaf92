//! The Order Update API (`PUT merchants/{m}/orders/{ref1}`) and delivery reports, each
//! checked against the carts the simulator recorded.

use sandbox::sequra::OrderState as SimState;
use sequra::{
    DeliveredOrder, DeliveryReport, DeliveryState, Error, OrderUpdate, PostalTracking, Statistics,
    StatisticsOrder, Tracking,
};
use serde_json::json;

use super::*;

fn run_shoes(quantity: i64) -> Item {
    product("SKU-RUN-42", "Running shoes", 1999, quantity)
}

fn jacket() -> Item {
    product("SKU-JKT-M", "Rain jacket", 4500, 1)
}

fn extras() -> Vec<Item> {
    vec![
        Item::handling("shipping", "Correos Express", 495),
        Item::discount("WELCOME5", "Coupon WELCOME5", -500),
        Item::other_payment("GIFT-0042", "Gift card", -1000),
    ]
}

fn update(reference: &str, unshipped: Vec<Item>, shipped: Vec<Item>) -> OrderUpdate {
    OrderUpdate::new(
        MERCHANT,
        MerchantReference::new(reference),
        Cart::new("EUR", unshipped),
        Cart::new("EUR", shipped),
        platform(),
    )
}

/// (reference, quantity) of the products of a recorded cart, and its total.
fn summary(cart: &sandbox::sequra::payload::Cart) -> (Vec<(String, i64)>, i64) {
    (cart.product_quantities(), cart.order_total_with_tax)
}

#[tokio::test]
async fn partial_then_full_shipment_then_partial_refund() {
    let s = Sim::new().await;
    let uuid = s.confirmed_order("cart-ship", "BC-8001").await;

    // The jacket leaves first.
    let mut partial = update(
        "BC-8001",
        [vec![run_shoes(2)], extras()].concat(),
        vec![jacket()],
    );
    partial.trackings = Some(vec![Tracking::Postal(PostalTracking {
        reference: "PKG-1".into(),
        carrier: "Correos Express".into(),
        tracking_number: Some("CE123456789ES".into()),
        tracking_url: Some("https://s.correosexpress.com/c?n=CE123456789ES".into()),
        delivered_at: None,
    })]);
    partial.delivery_address = Some(address());
    s.sequra
        .update_order(MERCHANT, "BC-8001", &partial)
        .await
        .unwrap();
    let order = s.order(&uuid);
    assert_eq!(order.state, SimState::Confirmed);
    assert_eq!(
        summary(&order.shipped_cart),
        (vec![("SKU-JKT-M".into(), 1)], 4500)
    );
    assert_eq!(
        summary(&order.unshipped_cart),
        (vec![("SKU-RUN-42".into(), 2)], 7493 - 4500)
    );
    let record = order.updates.last().unwrap();
    assert_eq!(record.status, 200);
    assert_eq!(record.body["trackings"][0]["type"], "postal");
    assert_eq!(record.body["merchant"], json!({"id": MERCHANT}));
    assert_no_nulls(&record.body, "order");

    // Then everything else.
    let full = update(
        "BC-8001",
        Vec::new(),
        [vec![run_shoes(2), jacket()], extras()].concat(),
    );
    s.sequra
        .update_order(MERCHANT, "BC-8001", &full)
        .await
        .unwrap();
    let order = s.order(&uuid);
    assert_eq!(
        summary(&order.shipped_cart),
        (
            vec![("SKU-RUN-42".into(), 2), ("SKU-JKT-M".into(), 1)],
            SHOP_TOTAL
        )
    );
    assert_eq!(summary(&order.unshipped_cart), (Vec::new(), 0));
    assert!(order.unshipped_cart.is_empty());

    // One pair of shoes comes back.
    let refund = update(
        "BC-8001",
        Vec::new(),
        [vec![run_shoes(1), jacket()], extras()].concat(),
    );
    s.sequra
        .update_order(MERCHANT, "BC-8001", &refund)
        .await
        .unwrap();
    let order = s.order(&uuid);
    assert_eq!(
        summary(&order.shipped_cart),
        (
            vec![("SKU-RUN-42".into(), 1), ("SKU-JKT-M".into(), 1)],
            SHOP_TOTAL - 1999
        )
    );
    assert_eq!(order.state, SimState::Confirmed);
    assert_eq!(order.updates.len(), 3);
    assert!(order.updates.iter().all(|u| u.status == 200));
}

#[tokio::test]
async fn cancellation_empties_both_carts() {
    let s = Sim::new().await;
    let uuid = s.confirmed_order("cart-cancel-upd", "BC-8101").await;
    let cancel = OrderUpdate::cancellation(
        MERCHANT,
        MerchantReference::new("BC-8101"),
        "EUR",
        platform(),
    );
    assert!(cancel.is_cancellation());
    s.sequra
        .update_order(MERCHANT, "BC-8101", &cancel)
        .await
        .unwrap();
    let order = s.order(&uuid);
    assert_eq!(order.state, SimState::Cancelled);
    assert!(order.shipped_cart.is_empty() && order.unshipped_cart.is_empty());
    // A repeated cancellation is fine; anything else on a cancelled order is not.
    s.sequra
        .update_order(MERCHANT, "BC-8101", &cancel)
        .await
        .unwrap();
    let revive = update(
        "BC-8101",
        [vec![run_shoes(2), jacket()], extras()].concat(),
        vec![],
    );
    assert_eq!(
        errors_of(s.sequra.update_order(MERCHANT, "BC-8101", &revive).await),
        ["Invalid data: the order is cancelled"]
    );
}

#[tokio::test]
async fn updates_sequra_refuses() {
    let s = Sim::new().await;
    let uuid = s.confirmed_order("cart-refuse", "BC-8201").await;

    // More shipped than ordered.
    let too_many = update("BC-8201", Vec::new(), vec![run_shoes(3)]);
    assert_eq!(
        errors_of(s.sequra.update_order(MERCHANT, "BC-8201", &too_many).await),
        ["Invalid data: quantity 3 of 'SKU-RUN-42' exceeds the ordered quantity 2"]
    );

    // A cart whose items do not add up to its total.
    let mut unbalanced = update(
        "BC-8201",
        [vec![run_shoes(2)], extras()].concat(),
        vec![jacket()],
    );
    unbalanced.shipped_cart.order_total_with_tax = 4000;
    assert_eq!(
        errors_of(
            s.sequra
                .update_order(MERCHANT, "BC-8201", &unbalanced)
                .await
        ),
        [
            "Invalid data: shipped_cart: items' total_with_tax add up to 4500 (4500) but order_total_with_tax is 4000. The diff is -500."
        ]
    );

    // Both carts together above the confirmed total.
    let doubled = update(
        "BC-8201",
        vec![Item::handling("shipping", "Correos Express", 495)],
        [vec![run_shoes(2), jacket()], extras()].concat(),
    );
    assert_eq!(
        errors_of(s.sequra.update_order(MERCHANT, "BC-8201", &doubled).await),
        [
            "Invalid data: shipped_cart and unshipped_cart add up to 7988 but the confirmed order_total_with_tax is 7493"
        ]
    );

    // The body names another order than the path.
    let elsewhere = update("BC-0000", Vec::new(), vec![jacket()]);
    assert_eq!(
        errors_of(s.sequra.update_order(MERCHANT, "BC-8201", &elsewhere).await),
        [
            "Invalid data: order.merchant_reference.order_ref_1 'BC-0000' does not match the URL's 'BC-8201'"
        ]
    );

    // None of them changed the recorded carts; each is in the order's update log.
    let order = s.order(&uuid);
    assert_eq!(summary(&order.unshipped_cart).1, SHOP_TOTAL);
    assert!(order.shipped_cart.is_empty());
    let statuses: Vec<u16> = order.updates.iter().map(|u| u.status).collect();
    assert_eq!(statuses, [409, 409, 409, 409]);

    // The body's merchant must be the path's: refused before sending.
    let before = s.sim.requests().len();
    let err = s
        .sequra
        .update_order("demo_fr", "BC-8201", &too_many)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(s.sim.requests().len(), before);
}

#[tokio::test]
async fn unknown_references_are_not_found() {
    let s = Sim::new().await;
    s.confirmed_order("cart-404", "BC-8301").await;
    let ship = update("BC-9999", Vec::new(), vec![jacket()]);
    let err = s
        .sequra
        .update_order(MERCHANT, "BC-9999", &ship)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert!(!err.is_retryable());
    // A merchant of no account of ours: 403 before any order lookup.
    let mut theirs = update("BC-8301", Vec::new(), vec![jacket()]);
    theirs.merchant = Merchant::id_only("other_es");
    let err = s
        .sequra
        .update_order("other_es", "BC-8301", &theirs)
        .await
        .unwrap_err();
    assert_eq!(err.errors(), ["Bad merchant id 'other_es' for sequra_demo"]);
    // Another merchant of the account does not know BC-8301.
    let mut fr = update("BC-8301", Vec::new(), vec![jacket()]);
    fr.merchant = Merchant::id_only("demo_fr");
    let err = s
        .sequra
        .update_order("demo_fr", "BC-8301", &fr)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn a_reference_with_a_slash_is_escaped_and_found() {
    let s = Sim::new().await;
    let uuid = s.confirmed_order("cart-slash", "A14/12345").await;
    assert_eq!(s.order(&uuid).order_ref_1(), Some("A14/12345"));
    let ship = update(
        "A14/12345",
        [vec![run_shoes(2)], extras()].concat(),
        vec![jacket()],
    );
    s.sequra
        .update_order(MERCHANT, "A14/12345", &ship)
        .await
        .unwrap();
    assert_eq!(summary(&s.order(&uuid).shipped_cart).1, 4500);
    let call = s.sim.requests().pop().unwrap();
    assert_eq!(call.path, "/merchants/demo_es/orders/A14%2F12345");
    assert_eq!(call.status, 200);
}

#[tokio::test]
async fn delivery_reports_are_accepted_or_rejected() {
    let s = Sim::new().await;
    s.confirmed_order("cart-report", "BC-8401").await;
    let mut report = DeliveryReport::new(MERCHANT, platform());
    report.orders.push(DeliveredOrder {
        state: DeliveryState::Shipped,
        sent_at: Some("2025-06-02T10:00:00+02:00".into()),
        merchant_reference: MerchantReference::new("BC-8401"),
        cart: Cart::new("EUR", [vec![run_shoes(2), jacket()], extras()].concat()),
        remaining_cart: Some(Cart::empty("EUR")),
        trackings: None,
        delivery_method: None,
        delivery_address: Some(address()),
        invoice_address: Some(address()),
        customer: None,
    });
    report.statistics = Some(Statistics {
        orders: vec![StatisticsOrder {
            completed_at: "2025-06-01T18:30:00+02:00".into(),
            amount: SHOP_TOTAL,
            currency: "EUR".into(),
            merchant_reference: MerchantReference::new("BC-8401"),
            payment_method: Some("SQ".into()),
            country: Some("ES".into()),
            device: Some("desktop".into()),
            status: Some("shipped".into()),
            raw_status: Some("Shipped".into()),
            sequra_offered: Some(true),
        }],
    });
    s.sequra.delivery_report(&report).await.unwrap();
    let reports = s.sim.delivery_reports();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].merchant_id, MERCHANT);
    assert_eq!(reports[0].username, DEMO_USERNAME);
    assert_eq!(reports[0].body, serde_json::to_value(&report).unwrap());
    assert_no_nulls(&reports[0].body, "delivery_report");
    let order = s.sim.order_by_reference(MERCHANT, "BC-8401").unwrap();
    assert!(order.history.iter().any(|h| h.detail == "reported shipped"));
    // The minimal report (no orders) is accepted too.
    s.sequra
        .delivery_report(&DeliveryReport::new("demo_it", platform()))
        .await
        .unwrap();
    assert_eq!(s.sim.delivery_reports().len(), 2);

    // A delivered cart that does not add up is rejected.
    let mut bad = report.clone();
    bad.orders[0].cart.order_total_with_tax += 1;
    let errors = errors_of(s.sequra.delivery_report(&bad).await);
    assert_eq!(
        errors,
        [
            "Invalid data: cart: items' total_with_tax add up to 7493 (3998+4500+495+-500+-1000) but order_total_with_tax is 7494. The diff is 1."
        ]
    );
    // A merchant of no account of ours.
    let err = s
        .sequra
        .delivery_report(&DeliveryReport::new("other_es", platform()))
        .await
        .unwrap_err();
    assert_eq!(err.errors(), ["Bad merchant id 'other_es' for sequra_demo"]);
    assert_eq!(s.sim.delivery_reports().len(), 2);

    // An invalid state cannot be built with the client's types (`DeliveryState` has
    // only shipped/delivered); the simulator's refusal of one, for the record, with the
    // client's body edited on the wire.
    let mut body = json!({ "delivery_report": report });
    body["delivery_report"]["orders"][0]["state"] = json!("returned");
    let answer = http()
        .post(format!("{}/orders/delivery_reports", s.base_url()))
        .basic_auth(DEMO_USERNAME, Some(DEMO_PASSWORD))
        .header("Sequra-Merchant-Id", MERCHANT)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 409);
    let text = answer.text().await.unwrap();
    assert!(
        text.contains("'returned' must be shipped or delivered"),
        "{text}"
    );
    assert_eq!(s.sim.delivery_reports().len(), 2);
}
