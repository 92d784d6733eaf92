//! BigCommerce order changes reach SeQura: merchant actions in the BigCommerce sandbox fire
//! webhooks to the app, which syncs the order; the SeQura sandbox's recorded carts are
//! checked after each step. Rejections end in the transaction log.

use sandbox::bigcommerce::model::RefundItemType;
use sandbox::bigcommerce::{AddressPatch, NewShipment, OrderEdit, RefundItemRequest};
use sandbox::sequra::records::Order as SequraOrder;
use serde_json::json;

use crate::support::world::World;

const CHECKOUT: &str = "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10";

/// A confirmed SeQura order for the example checkout (2 × A at 25 €, 1 × B at 60 €, 5 €
/// shipping); returns the BigCommerce order id and SeQura's uuid.
async fn paid_order(w: &World, use_store_credit: bool) -> (i64, uuid::Uuid) {
    let r = reqwest::Client::new()
        .post(format!(
            "{}/storefront/{}/checkouts/{CHECKOUT}/solicitations",
            w.app.base_url,
            w.store()
        ))
        .json(&json!({ "product": "i1", "use_store_credit": use_store_credit }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let sq = w.sequra.control().orders().into_iter().last().unwrap();
    w.sequra.control().approve(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    let order = w.bc.orders(w.store())[0].id;
    settle(w).await;
    (order, sq.uuid)
}

/// Delivers the webhooks BigCommerce has queued and runs the app's jobs.
async fn settle(w: &World) {
    w.bc.webhooks().flush().await;
    w.app.drain_jobs().await;
}

fn sequra(w: &World, uuid: uuid::Uuid) -> SequraOrder {
    w.sequra.control().order(uuid).unwrap()
}

fn qty(cart: &sandbox::sequra::payload::Cart, sku: &str) -> i64 {
    cart.items
        .iter()
        .filter(|i| i.kind == "product" && i.reference == sku)
        .map(|i| i.quantity.unwrap_or(0))
        .sum()
}

fn lines(w: &World, order: i64) -> Vec<i64> {
    w.bc.order(w.store(), order)
        .unwrap()
        .lines
        .iter()
        .map(|l| l.id)
        .collect()
}

fn address_id(w: &World, order: i64) -> i64 {
    w.bc.order(w.store(), order).unwrap().shipping_addresses[0].id
}

fn ship(w: &World, order: i64, items: Vec<(i64, i64)>) {
    w.bc.ship_items(
        w.store(),
        order,
        NewShipment {
            order_address_id: address_id(w, order),
            items,
            tracking_number: "EJ958083578ES".into(),
            ..NewShipment::default()
        },
    )
    .unwrap();
}

#[tokio::test]
async fn our_own_writes_do_not_reach_sequra() {
    let w = World::connected(false).await;
    let (_, uuid) = paid_order(&w, false).await;
    // The IPN's own status and notes updates came back as webhooks and were synced: SeQura
    // got no update for them.
    assert!(
        sequra(&w, uuid).updates.is_empty(),
        "{:?}",
        sequra(&w, uuid).updates
    );
    w.finish().await;
}

#[tokio::test]
async fn partial_then_full_shipment() {
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    let l = lines(&w, order);
    ship(&w, order, vec![(l[0], 1)]);
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert_eq!(
        (
            qty(&sq.shipped_cart, "CAM-ALG-M-AZ"),
            qty(&sq.unshipped_cart, "CAM-ALG-M-AZ")
        ),
        (1, 1)
    );
    assert_eq!(qty(&sq.unshipped_cart, "ZAP-RUN-42"), 1);
    assert_eq!(
        sq.shipped_cart.order_total_with_tax + sq.unshipped_cart.order_total_with_tax,
        11500
    );

    ship(&w, order, vec![(l[0], 1), (l[1], 1)]);
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert!(sq.unshipped_cart.items.is_empty());
    assert_eq!(sq.shipped_cart.order_total_with_tax, 11500);
    assert_eq!(sq.updates.len(), 2, "one update per real change");
    w.finish().await;
}

#[tokio::test]
async fn partial_then_full_refund_and_store_credit_refunds_are_not_sequras() {
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    let l = lines(&w, order);
    w.bc.refund_items(
        w.store(),
        order,
        vec![RefundItemRequest::product(l[0], 1)],
        false,
    )
    .unwrap();
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert_eq!(qty(&sq.unshipped_cart, "CAM-ALG-M-AZ"), 1);
    assert_eq!(sq.unshipped_cart.order_total_with_tax, 11500 - 2500);

    // A refund paid back as store credit leaves SeQura's carts alone.
    let updates = sq.updates.len();
    w.bc.refund_items(
        w.store(),
        order,
        vec![RefundItemRequest::product(l[1], 1)],
        true,
    )
    .unwrap();
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert_eq!(
        sq.unshipped_cart.order_total_with_tax,
        11500 - 2500,
        "{:?}",
        sq.unshipped_cart
    );
    assert_eq!(sq.updates.len(), updates);

    // Everything else back, shipping included, to the payment method: only the part
    // refunded as store credit is left for SeQura to collect.
    w.bc.refund_items(
        w.store(),
        order,
        vec![
            RefundItemRequest::product(l[0], 1),
            RefundItemRequest::amount(RefundItemType::Shipping, address_id(&w, order), 500),
        ],
        false,
    )
    .unwrap();
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert_eq!(qty(&sq.unshipped_cart, "CAM-ALG-M-AZ"), 0);
    assert_eq!(
        sq.unshipped_cart.order_total_with_tax + sq.shipped_cart.order_total_with_tax,
        6000,
        "{:?}",
        sq.unshipped_cart
    );
    w.finish().await;
}

#[tokio::test]
async fn a_full_refund_to_the_payment_method_empties_both_carts() {
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    let l = lines(&w, order);
    w.bc.refund_items(
        w.store(),
        order,
        vec![
            RefundItemRequest::product(l[0], 2),
            RefundItemRequest::product(l[1], 1),
            RefundItemRequest::amount(RefundItemType::Shipping, address_id(&w, order), 500),
        ],
        false,
    )
    .unwrap();
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert_eq!(
        sq.unshipped_cart.order_total_with_tax + sq.shipped_cart.order_total_with_tax,
        0
    );
    assert!(sq.unshipped_cart.items.is_empty() && sq.shipped_cart.items.is_empty());
    w.finish().await;
}

#[tokio::test]
async fn cancellation_empties_both_carts() {
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    w.bc.cancel_order(w.store(), order).unwrap();
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert!(sq.unshipped_cart.items.is_empty() && sq.shipped_cart.items.is_empty());
    assert_eq!(format!("{:?}", sq.state), "Cancelled");
    w.finish().await;
}

#[tokio::test]
async fn edits_of_items_and_address_reach_sequra() {
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    let l = lines(&w, order);
    w.bc.edit_order(
        w.store(),
        order,
        vec![
            OrderEdit::SetQuantity {
                order_product_id: l[0],
                quantity: 1,
            },
            OrderEdit::PatchShippingAddress {
                address_id: address_id(&w, order),
                patch: AddressPatch {
                    street_1: Some("Calle Nueva 1".into()),
                    ..AddressPatch::default()
                },
            },
        ],
    )
    .unwrap();
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert_eq!(qty(&sq.unshipped_cart, "CAM-ALG-M-AZ"), 1);
    assert_eq!(sq.unshipped_cart.order_total_with_tax, 11500 - 2500);
    assert_eq!(sq.delivery_address["address_line_1"], "Calle Nueva 1");
    w.finish().await;
}

#[tokio::test]
async fn a_rejected_update_is_logged_and_resolved_when_a_later_one_lands() {
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    let l = lines(&w, order);
    // SeQura refuses an update that adds to the order (more than was approved).
    w.bc.edit_order(
        w.store(),
        order,
        vec![OrderEdit::SetQuantity {
            order_product_id: l[0],
            quantity: 5,
        }],
    )
    .unwrap();
    settle(&w).await;
    let store = sequra_bc::domain::StoreHash::parse(w.store()).unwrap();
    let entries = w
        .app
        .state
        .db
        .log_entries(&store, &Default::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].state, "failed");
    assert_eq!(entries[0].bc_order_id, order);
    assert!(!entries[0].reason.is_empty());
    assert_eq!(
        sequra(&w, uuid).unshipped_cart.order_total_with_tax,
        11500,
        "SeQura kept its carts"
    );

    // The merchant puts the quantity back and ships: that lands and resolves the entry.
    w.bc.edit_order(
        w.store(),
        order,
        vec![OrderEdit::SetQuantity {
            order_product_id: l[0],
            quantity: 2,
        }],
    )
    .unwrap();
    ship(&w, order, vec![(l[0], 2)]);
    settle(&w).await;
    let entries = w
        .app
        .state
        .db
        .log_entries(&store, &Default::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(entries[0].state, "resolved");
    w.finish().await;
}

#[tokio::test]
async fn sequra_down_during_an_update_is_retried_then_lands() {
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    let l = lines(&w, order);
    w.sequra.control().fail_next(1, 503);
    ship(&w, order, vec![(l[0], 2), (l[1], 1)]);
    settle(&w).await;
    let store = sequra_bc::domain::StoreHash::parse(w.store()).unwrap();
    let entries = w
        .app
        .state
        .db
        .log_entries(&store, &Default::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(
        entries[0].state, "retrying",
        "the merchant sees it is pending"
    );
    assert!(sequra(&w, uuid).shipped_cart.items.is_empty());

    w.app.clock.advance_ms(10 * 60_000);
    w.app.drain_jobs().await;
    assert_eq!(sequra(&w, uuid).shipped_cart.order_total_with_tax, 11500);
    let entries = w
        .app
        .state
        .db
        .log_entries(&store, &Default::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(entries[0].state, "resolved");
    w.finish().await;
}

#[tokio::test]
async fn duplicated_and_reordered_webhooks_leave_the_right_final_carts() {
    use sandbox::bigcommerce::webhooks::ReorderMode;
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    let l = lines(&w, order);
    w.bc.webhooks().set_duplicate(true);
    w.bc.webhooks().set_reorder(ReorderMode::Reverse);
    ship(&w, order, vec![(l[0], 1)]);
    w.bc.refund_items(
        w.store(),
        order,
        vec![RefundItemRequest::product(l[1], 1)],
        false,
    )
    .unwrap();
    ship(&w, order, vec![(l[0], 1)]);
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert_eq!(qty(&sq.shipped_cart, "CAM-ALG-M-AZ"), 2);
    assert_eq!(
        qty(&sq.unshipped_cart, "ZAP-RUN-42") + qty(&sq.shipped_cart, "ZAP-RUN-42"),
        0
    );
    assert!(sq.unshipped_cart.items.is_empty());
    assert_eq!(sq.shipped_cart.order_total_with_tax, 11500 - 6000);
    w.finish().await;
}

#[tokio::test]
async fn the_merchant_sees_the_log_the_side_panel_and_a_repaired_webhook() {
    use crate::support::world::{Admin, session_token};
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    let l = lines(&w, order);
    w.bc.edit_order(
        w.store(),
        order,
        vec![OrderEdit::SetQuantity {
            order_product_id: l[0],
            quantity: 9,
        }],
    )
    .unwrap();
    settle(&w).await;

    // The App Extension click opens the side panel for this order.
    let ext = w.bc.app_extensions(w.store())[0].clone();
    let url =
        w.bc.app_extension_click_url(
            w.store(),
            sandbox::bigcommerce::EXAMPLE_CLIENT_ID,
            w.example.owner_id,
            &format!("bc/store/appExtension/{}", ext.id),
            order,
        )
        .unwrap();
    let page = reqwest::get(url).await.unwrap().text().await.unwrap();
    assert!(page.contains(&format!("data-start=\"/admin/orders/{order}\"")));
    let admin = Admin {
        base_url: &w.app.base_url,
        token: session_token(&page),
    };
    let (status, panel) = admin.get(&format!("/admin/orders/{order}")).await;
    assert_eq!(status, 200);
    assert!(panel.contains(&uuid.to_string()) && panel.contains("Approved"));
    assert!(panel.contains("has not accepted the latest change"));
    assert!(
        panel.contains(&format!("/portal/orders/{uuid}")),
        "sandbox portal link"
    );
    let (status, other) = admin.get("/admin/orders/999999").await;
    assert_eq!(status, 404);
    assert!(other.contains("Not a SeQura order"));

    // The transaction log lists the rejection with both links; filters and paging work.
    let (status, log) = admin.get("/admin/transactions").await;
    assert_eq!(status, 200);
    assert!(log.contains("data-test=\"log-entry\"") && log.contains("Order edit"));
    assert!(log.contains(&format!("/manage/orders/{order}")));
    assert!(log.contains(&format!("/orders/{uuid}")));
    let (_, resolved) = admin.get("/admin/transactions?state=resolved").await;
    assert!(!resolved.contains("data-test=\"log-entry\""));
    let (_, by_order) = admin.get("/admin/transactions?order=1").await;
    assert!(by_order.contains("No entry matches"));
    let (status, _) = admin.get("/admin/transactions?page=-3&order=%27%3B").await;
    assert_eq!(status, 200);

    // The periodic health check repairs a hook BigCommerce switched off, and says so.
    let hook = w.bc.webhooks().hooks(w.store())[0].clone();
    assert!(w.bc.webhooks().deactivate(hook.id));
    sequra_bc::worker::health_check(&w.app.state).await;
    w.app.drain_jobs().await;
    assert!(w.bc.webhooks().hook(hook.id).unwrap().is_active());
    let (_, log) = admin.get("/admin/transactions").await;
    assert!(log.contains("switched it back on"), "the notice is shown");
    w.finish().await;
}

#[tokio::test]
async fn a_worker_killed_mid_sync_leaves_sequra_with_the_right_carts() {
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, false).await;
    let l = lines(&w, order);
    ship(&w, order, vec![(l[0], 2), (l[1], 1)]);
    w.bc.webhooks().flush().await;
    // A worker claims the sync and dies before doing anything (its lease will expire).
    let now = sequra_bc::clock::Clock::now_ms(&w.app.clock);
    let claimed = w
        .app
        .state
        .db
        .claim_job(now, 120_000)
        .await
        .unwrap()
        .expect("a sync job");
    assert_eq!(claimed.kind, "sync_order");
    assert!(
        w.app.drain_jobs().await.is_empty(),
        "nothing else may run it meanwhile"
    );
    assert!(sequra(&w, uuid).shipped_cart.items.is_empty());
    // Another worker takes it over once the lease is gone.
    w.app.clock.advance_ms(121_000);
    w.app.drain_jobs().await;
    assert_eq!(sequra(&w, uuid).shipped_cart.order_total_with_tax, 11500);
    assert!(
        !w.app.state.db.complete_job(&claimed).await.unwrap(),
        "the dead worker's claim is void"
    );
    w.finish().await;
}

#[tokio::test]
async fn a_mapping_set_to_none_leaves_the_bigcommerce_status_alone() {
    use crate::support::world::{Admin, session_token};
    let w = World::connected(false).await;
    let (_, page) = w.load_as(w.example.owner_id, "/").await;
    let admin = Admin {
        base_url: &w.app.base_url,
        token: session_token(&page),
    };
    let (status, _) = admin
        .post(
            "/admin/order-statuses",
            &[
                ("approved", "11"),
                ("needs_review", "12"),
                ("cancelled", ""),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let r = reqwest::Client::new()
        .post(format!(
            "{}/storefront/{}/checkouts/{CHECKOUT}/solicitations",
            w.app.base_url,
            w.store()
        ))
        .json(&json!({ "product": "i1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let sq = w.sequra.control().orders().into_iter().last().unwrap();
    w.sequra.control().review(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    let order = w.bc.orders(w.store())[0].id;
    assert_eq!(w.bc.order(w.store(), order).unwrap().status_id, 12);
    w.sequra
        .control()
        .complete_review(sq.uuid, sandbox::sequra::ReviewOutcome::Cancel)
        .unwrap();
    w.sequra.control().flush().await;
    assert_eq!(
        w.bc.order(w.store(), order).unwrap().status_id,
        12,
        "cancelled → None: untouched"
    );
    w.finish().await;
}

/// An order paid partly with store credit: SeQura was asked only for the rest, so every
/// later update must keep the credit out of SeQura's carts (BigCommerce's order does not
/// show the credit the app took from the customer).
#[tokio::test]
async fn updates_of_an_order_paid_partly_with_store_credit_land() {
    let w = World::connected(false).await;
    let (order, uuid) = paid_order(&w, true).await;
    let confirmed = sequra(&w, uuid).unshipped_cart.order_total_with_tax;
    assert_eq!(confirmed, 11500 - 2000, "SeQura collects the rest");
    let l = lines(&w, order);
    ship(&w, order, vec![(l[0], 1)]);
    settle(&w).await;
    let sq = sequra(&w, uuid);
    assert_eq!(qty(&sq.shipped_cart, "CAM-ALG-M-AZ"), 1, "{:?}", sq.updates);
    assert_eq!(
        sq.shipped_cart.order_total_with_tax + sq.unshipped_cart.order_total_with_tax,
        confirmed
    );
    let hash = sequra_bc::domain::StoreHash::parse(w.store()).unwrap();
    let log = w
        .app
        .state
        .db
        .log_entries(&hash, &Default::default(), 10, 0)
        .await
        .unwrap();
    assert!(log.is_empty(), "{log:?}");
    w.finish().await;
}
