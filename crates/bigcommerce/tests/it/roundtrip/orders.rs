//! Store information, order statuses, Orders v2 (get, list, update, products, shipping
//! addresses, coupons) and shipments, against the simulator's own figures.

use bigcommerce::Cents;
use bigcommerce::orders::{OrderFilter, OrderUpdate, ShipmentCreate, ShipmentItemRequest, status};
use sandbox::bigcommerce::model::CouponKind;
use sandbox::bigcommerce::{CheckoutEdit, NewCoupon, NewProduct};

use super::{Sim, id};

#[tokio::test]
async fn store_information() {
    let s = Sim::new().await;
    let info = s.store.get_store_information().await.unwrap();
    let profile = s.sim.store(s.hash()).unwrap().profile;
    assert_eq!(info.id, "abc123");
    assert_eq!(info.store_id, Some(1_001_234_567));
    assert_eq!(info.currency, profile.currency);
    assert_eq!(info.currency, "EUR");
    assert_eq!(info.secure_url, profile.secure_url);
    assert_eq!(info.control_panel_base_url, profile.control_panel_base_url);
    assert_eq!(info.decimal_places, Some(2));
    assert_eq!(info.language, profile.language);
    assert_eq!(info.default_channel_id, Some(1));
    assert!(info.features.has_optimized_checkout());
    assert!(info.timezone.is_some());
    // Every answer of a known store carries the quota headers; the client keeps them.
    let limits = s.store.rate_limit().unwrap();
    assert_eq!(limits.requests_quota, Some(150));
    assert_eq!(limits.requests_left, Some(149));
}

#[tokio::test]
async fn order_statuses_with_a_renamed_status() {
    let s = Sim::new().await;
    s.sim
        .rename_status(s.hash(), 7, "Pendiente de SeQura")
        .unwrap();
    let statuses = s.store.list_order_statuses().await.unwrap();
    assert_eq!(statuses.len(), 15);
    for (index, st) in statuses.iter().enumerate() {
        assert_eq!(st.id, u32::try_from(index).unwrap());
    }
    let awaiting = &statuses[7];
    assert_eq!(awaiting.name, "Awaiting Payment");
    assert_eq!(awaiting.system_label, "Awaiting Payment");
    assert_eq!(awaiting.custom_label, "Pendiente de SeQura");
    assert_eq!(statuses[11].custom_label, "Awaiting Fulfillment");

    // Orders show the merchant's label as `status`; the id stays what logic keys on.
    let order_id = s.place_example_order(false);
    let order = s.store.get_order(order_id).await.unwrap();
    assert_eq!(order.status_id, status::AWAITING_PAYMENT);
    assert_eq!(order.status, "Pendiente de SeQura");
}

#[tokio::test]
async fn get_order_amounts_match_the_simulator() {
    let s = Sim::new().await;
    let order_id = s.place_example_order(true);
    assert_eq!(order_id, 250);
    let order = s.store.get_order(order_id).await.unwrap();
    let totals = s.sim.order_totals(s.hash(), id(order_id)).unwrap();
    let sim_order = s.sim.order(s.hash(), id(order_id)).unwrap();

    assert_eq!(order.id, 250);
    assert_eq!(order.customer_id, u64::try_from(s.ex.customer_id).unwrap());
    assert_eq!(order.status_id, status::AWAITING_PAYMENT);
    assert_eq!(order.cart_id.as_deref(), Some(s.ex.checkout_id.as_str()));
    assert_eq!(order.default_currency_code, "EUR");
    assert_eq!(order.total_inc_tax, Cents::new(totals.total));
    assert_eq!(order.total_inc_tax, Cents::new(11_500));
    assert_eq!(order.subtotal_inc_tax, Cents::new(totals.subtotal));
    assert_eq!(order.shipping_cost_inc_tax, Cents::new(totals.shipping));
    assert_eq!(order.handling_cost_inc_tax, Cents::new(totals.handling));
    assert_eq!(order.coupon_discount, Cents::new(totals.coupon_discount));
    assert_eq!(order.discount_amount, Cents::new(totals.manual_discount));
    assert_eq!(
        order.store_credit_amount,
        Cents::new(sim_order.store_credit_cents)
    );
    assert_eq!(order.store_credit_amount, Cents::new(2_000));
    assert_eq!(order.amount_due(), Some(Cents::new(9_500)));
    // ex + tax = inc, to the cent (the simulator writes 4 decimals).
    assert_eq!(
        order.total_ex_tax.checked_add(order.total_tax),
        Some(order.total_inc_tax)
    );
    assert_eq!(order.payment_method, "SeQura");
    assert_eq!(order.billing_address.email, "laura@example.es");
    assert_eq!(order.items_total, 3);
    assert!(order.created_at().is_some());
    assert!(order.modified_at().is_some());
    assert_eq!(order.fees, None);

    // `include=fees`: the fees as a list (none in the simulated stores).
    let with_fees = s.store.get_order_with_fees(order_id).await.unwrap();
    assert_eq!(with_fees.fees, Some(Vec::new()));
    assert_eq!(with_fees.total_inc_tax, order.total_inc_tax);
    assert_eq!(s.statuses_of("/v2/orders/250?include=fees"), vec![200]);

    let err = s.store.get_order(9_999).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn list_orders_by_cart_id_finds_incomplete_orders() {
    let s = Sim::new().await;
    let checkout = s.guest_checkout(&[(s.ex.products[0], 1)]);
    assert!(
        s.store
            .list_orders(&OrderFilter::by_cart(&checkout))
            .await
            .unwrap()
            .is_empty(),
        "no order yet: 204"
    );
    let order_id = s.store.create_order_from_checkout(&checkout).await.unwrap();
    let found = s
        .store
        .list_orders(&OrderFilter::by_cart(&checkout))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, order_id);
    assert_eq!(found[0].status_id, status::INCOMPLETE);
    assert_eq!(found[0].order_source, "checkout_api");
    assert_eq!(found[0].customer_id, 0);
    // 25.00 + 5.00 shipping.
    assert_eq!(found[0].total_inc_tax, Cents::new(3_000));

    // Other filters go through as the simulator reads them.
    let other = s.place_example_order(false);
    let awaiting = s
        .store
        .list_orders(&OrderFilter {
            status_id: Some(status::AWAITING_PAYMENT),
            sort: Some("id:desc".into()),
            ..OrderFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        awaiting.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![other]
    );
    let page = s
        .store
        .list_orders(&OrderFilter {
            sort: Some("id:asc".into()),
            limit: Some(1),
            page: Some(2),
            ..OrderFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(page.iter().map(|o| o.id).collect::<Vec<_>>(), vec![other]);

    // A date filter in the RFC 2822 form the orders themselves carry.
    let latest = s.store.get_order(other).await.unwrap();
    let since = s
        .store
        .list_orders(&OrderFilter {
            min_date_modified: Some(latest.date_modified.clone()),
            ..OrderFilter::default()
        })
        .await
        .unwrap();
    assert!(since.iter().any(|o| o.id == other), "{since:?}");
}

#[tokio::test]
async fn update_order_writes_what_the_app_writes() {
    let s = Sim::new().await;
    let order_id = s.place_example_order(false);
    let mark = s.sim.mark();
    let updated = s
        .store
        .update_order(
            order_id,
            &OrderUpdate {
                status_id: Some(status::AWAITING_FULFILLMENT),
                payment_method: Some("SeQura".into()),
                payment_provider_id: Some("sq-order-ref-1".into()),
                staff_notes: Some("SeQura: approved".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.id, order_id);
    assert_eq!(updated.status_id, status::AWAITING_FULFILLMENT);
    assert_eq!(updated.status, "Awaiting Fulfillment");
    assert_eq!(updated.staff_notes, "SeQura: approved");
    assert_eq!(
        updated.payment_provider_id.as_deref(),
        Some("sq-order-ref-1")
    );
    let sim_order = s.sim.order(s.hash(), id(order_id)).unwrap();
    assert_eq!(sim_order.status_id, 11);
    assert_eq!(sim_order.staff_notes, "SeQura: approved");
    assert_eq!(sim_order.payment_method, "SeQura");
    let scopes: Vec<String> = s
        .sim
        .events_since(s.hash(), mark)
        .into_iter()
        .map(|e| e.event.scope)
        .collect();
    assert_eq!(
        scopes,
        vec!["store/order/statusUpdated", "store/order/updated"]
    );
    // The totals are untouched.
    assert_eq!(updated.total_inc_tax, Cents::new(11_500));

    let err = s
        .store
        .update_order(9_999, &OrderUpdate::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn products_addresses_and_coupons_with_discounts() {
    let s = Sim::new().await;
    s.sim
        .edit_checkout(
            s.hash(),
            &s.ex.checkout_id,
            vec![CheckoutEdit::AddCoupon(NewCoupon {
                code: "DIEZ".into(),
                kind: CouponKind::PercentOff {
                    basis_points: 1_000,
                },
            })],
        )
        .unwrap();
    let order_id = s.place_example_order(false);
    let sim_order = s.sim.order(s.hash(), id(order_id)).unwrap();
    let totals = s.sim.order_totals(s.hash(), id(order_id)).unwrap();

    let products = s.store.list_order_products(order_id).await.unwrap();
    assert_eq!(products.len(), sim_order.lines.len());
    for (index, (line, sim_line)) in products.iter().zip(&sim_order.lines).enumerate() {
        assert_eq!(line.id, u64::try_from(sim_line.id).unwrap());
        assert_eq!(line.order_id, order_id);
        assert_eq!(line.quantity, u32::try_from(sim_line.quantity).unwrap());
        assert_eq!(line.price_inc_tax, Cents::new(sim_line.unit_price_cents));
        assert_eq!(line.total_inc_tax, Cents::new(sim_line.total_cents()));
        assert_eq!(
            line.discounted_total_inc_tax,
            Cents::new(totals.discounted_line_total(&sim_order, index)),
            "line {}",
            line.id
        );
        let coupon_share: i64 = line.applied_discounts.iter().map(|d| d.amount.get()).sum();
        assert_eq!(coupon_share, sim_line.coupon_discount_cents());
        assert_eq!(
            line.order_address_id,
            Some(u64::try_from(sim_line.order_address_id).unwrap())
        );
    }
    // 2 × 25.00 − 10 % = 45.00; 60.00 − 10 % = 54.00.
    assert_eq!(products[0].id, 301);
    assert_eq!(products[0].discounted_total_inc_tax, Cents::new(4_500));
    assert_eq!(products[1].discounted_total_inc_tax, Cents::new(5_400));
    let order = s.store.get_order(order_id).await.unwrap();
    assert_eq!(order.coupon_discount, Cents::new(1_100));
    assert_eq!(order.total_inc_tax, Cents::new(totals.total));
    let lines_and_shipping = products
        .iter()
        .try_fold(order.shipping_cost_inc_tax, |sum, p| {
            sum.checked_add(p.discounted_total_inc_tax)
        });
    assert_eq!(lines_and_shipping, Some(order.total_inc_tax));

    let coupons = s.store.list_order_coupons(order_id).await.unwrap();
    assert_eq!(coupons.len(), 1);
    assert_eq!(coupons[0].code.as_deref(), Some("DIEZ"));
    assert_eq!(coupons[0].coupon_type, Some(1));
    assert_eq!(coupons[0].discount, Cents::new(totals.coupon_discount));

    let addresses = s
        .store
        .list_order_shipping_addresses(order_id)
        .await
        .unwrap();
    assert_eq!(addresses.len(), 1);
    let address = &addresses[0];
    let sim_address = &sim_order.shipping_addresses[0];
    assert_eq!(address.id, 151);
    assert_eq!(address.order_id, order_id);
    assert_eq!(address.cost_inc_tax, Cents::new(sim_address.cost_cents));
    assert_eq!(address.cost_inc_tax, Cents::new(500));
    assert_eq!(address.items_total, 3);
    assert_eq!(address.city, sim_address.address.city);
    assert_eq!(products[0].order_address_id, Some(address.id));

    // An order without coupons: 204, read as none.
    let other = s.guest_checkout(&[(s.ex.products[1], 1)]);
    let plain = s.store.create_order_from_checkout(&other).await.unwrap();
    assert!(s.store.list_order_coupons(plain).await.unwrap().is_empty());
    assert_eq!(
        s.statuses_of(&format!("/v2/orders/{plain}/coupons")),
        vec![204]
    );

    let err = s.store.list_order_products(9_999).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn order_products_across_pages() {
    let s = Sim::new().await;
    // 51 lines: one more than the client's page of 50.
    let mut lines = Vec::new();
    for n in 0..51 {
        let product = s
            .sim
            .create_product(
                s.hash(),
                NewProduct::physical(&format!("Calcetines {n}"), &format!("CAL-{n}"), 100 + n),
            )
            .unwrap();
        lines.push((product, 1));
    }
    let checkout = s.guest_checkout(&lines);
    let order_id = s.store.create_order_from_checkout(&checkout).await.unwrap();
    let products = s.store.list_order_products(order_id).await.unwrap();
    assert_eq!(products.len(), 51);
    let sim_order = s.sim.order(s.hash(), id(order_id)).unwrap();
    let ids: Vec<i64> = products.iter().map(|p| id(p.id)).collect();
    let sim_ids: Vec<i64> = sim_order.lines.iter().map(|l| l.id).collect();
    assert_eq!(ids, sim_ids);
    let sum = products
        .iter()
        .try_fold(Cents::ZERO, |sum, p| {
            sum.checked_add(p.discounted_total_inc_tax)
        })
        .unwrap();
    let totals = s.sim.order_totals(s.hash(), id(order_id)).unwrap();
    assert_eq!(sum, Cents::new(totals.subtotal));
    let pages: Vec<String> = s
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/products"))
        .map(|r| r.path)
        .collect();
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert!(pages[0].ends_with("page=1&limit=50"), "{pages:?}");
    assert!(pages[1].ends_with("page=2&limit=50"), "{pages:?}");
}

#[tokio::test]
async fn shipments_list_create_get_count() {
    let s = Sim::new().await;
    let order_id = s.place_example_order(false);
    // None yet: the simulator answers 204, the client reads an empty list.
    assert!(s.store.list_shipments(order_id).await.unwrap().is_empty());
    assert_eq!(
        s.statuses_of(&format!("/v2/orders/{order_id}/shipments")),
        vec![204]
    );
    assert_eq!(s.store.count_shipments(order_id).await.unwrap(), 0);

    let products = s.store.list_order_products(order_id).await.unwrap();
    let address = s
        .store
        .list_order_shipping_addresses(order_id)
        .await
        .unwrap()[0]
        .id;
    let mark = s.sim.mark();
    let shipment = s
        .store
        .create_shipment(
            order_id,
            &ShipmentCreate {
                order_address_id: address,
                tracking_number: Some("1Z999".into()),
                tracking_carrier: None,
                shipping_provider: Some("ups".into()),
                tracking_link: None,
                shipping_method: Some("Envío estándar".into()),
                comments: Some("primer paquete".into()),
                items: vec![ShipmentItemRequest {
                    order_product_id: products[0].id,
                    quantity: 2,
                }],
            },
        )
        .await
        .unwrap();
    assert_eq!(shipment.id, 12);
    assert_eq!(shipment.order_id, order_id);
    assert_eq!(shipment.order_address_id, address);
    assert_eq!(shipment.tracking_number, "1Z999");
    assert_eq!(shipment.shipping_provider, "ups");
    assert_eq!(shipment.items.len(), 1);
    assert_eq!(shipment.items[0].order_product_id, products[0].id);
    assert_eq!(shipment.items[0].quantity, 2);
    assert!(shipment.created_at().is_some());
    assert_eq!(shipment.shipping_address.city, "Barcelona");
    assert_eq!(
        s.sim.order(s.hash(), id(order_id)).unwrap().status_id,
        3,
        "partially shipped"
    );
    assert!(
        s.sim
            .events_since(s.hash(), mark)
            .iter()
            .any(|e| e.event.scope == "store/shipment/created")
    );

    let got = s.store.get_shipment(order_id, shipment.id).await.unwrap();
    assert_eq!(got, shipment);
    // The rest by the merchant: the client sees both.
    s.sim
        .ship_everything(s.hash(), id(order_id), "1Z1000")
        .unwrap();
    let all = s.store.list_shipments(order_id).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0], shipment);
    assert_eq!(s.store.count_shipments(order_id).await.unwrap(), 2);
    let order = s.store.get_order(order_id).await.unwrap();
    assert_eq!(order.status_id, status::SHIPPED);
    assert_eq!(order.items_shipped, 3);
    assert!(order.shipped_at().is_some());

    let err = s.store.get_shipment(order_id, 999).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = s.store.list_shipments(9_999).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
