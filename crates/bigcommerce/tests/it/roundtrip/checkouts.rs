//! Checkouts (read with the app's includes, order creation, token), channel checkout
//! settings, cart deletion and customers with store credit.

use bigcommerce::checkouts::{CheckoutInclude, CheckoutTokenRequest};
use bigcommerce::orders::{OrderFilter, OrderUpdate, status};
use bigcommerce::{Cents, Error};
use sandbox::bigcommerce::domain::totals::checkout_totals;
use sandbox::bigcommerce::model::CouponKind;
use sandbox::bigcommerce::{CheckoutEdit, NewCoupon};

use super::{Sim, id};

#[tokio::test]
async fn get_checkout_with_the_apps_includes() {
    let s = Sim::new().await;
    s.sim
        .edit_checkout(
            s.hash(),
            &s.ex.checkout_id,
            vec![CheckoutEdit::AddCoupon(NewCoupon {
                code: "CINCO".into(),
                kind: CouponKind::FixedOff { cents: 500 },
            })],
        )
        .unwrap();
    let checkout = s
        .store
        .get_checkout(&s.ex.checkout_id, &CheckoutInclude::FOR_SOLICITATION)
        .await
        .unwrap();
    let sim_checkout = s.sim.checkout(s.hash(), &s.ex.checkout_id).unwrap();
    let totals = checkout_totals(&sim_checkout);

    assert_eq!(checkout.id, s.ex.checkout_id);
    assert_eq!(checkout.cart.id, s.ex.checkout_id);
    assert_eq!(
        checkout.cart.customer_id,
        Some(u64::try_from(s.ex.customer_id).unwrap())
    );
    assert!(!checkout.cart.is_guest());
    assert_eq!(checkout.cart.email, "laura@example.es");
    assert_eq!(checkout.cart.currency.code, "EUR");
    assert_eq!(checkout.cart.channel_id, Some(1));
    // 2 × 25.00 + 60.00 − 5.00 + 5.00 shipping.
    assert_eq!(checkout.grand_total, Cents::new(totals.grand_total));
    assert_eq!(checkout.grand_total, Cents::new(11_000));
    assert_eq!(checkout.subtotal_inc_tax, Cents::new(totals.subtotal));
    assert_eq!(
        checkout.shipping_cost_total_inc_tax,
        Some(Cents::new(totals.shipping))
    );
    assert_eq!(
        checkout.handling_cost_total_inc_tax,
        Some(Cents::new(totals.handling))
    );
    assert_eq!(
        checkout.cart.cart_amount_inc_tax,
        Some(Cents::new(totals.subtotal - totals.discount_total))
    );
    assert_eq!(checkout.coupons.len(), 1);
    assert_eq!(checkout.coupons[0].code, "CINCO");
    assert_eq!(
        checkout.coupons[0].discounted_amount,
        Some(Cents::new(totals.coupon_discounts[0]))
    );
    let taxes = checkout
        .taxes
        .iter()
        .try_fold(Cents::ZERO, |sum, t| sum.checked_add(t.amount));
    assert_eq!(taxes, Some(checkout.tax_total));

    let items = &checkout.cart.line_items.physical_items;
    assert_eq!(items.len(), sim_checkout.lines.len());
    for (index, (item, line)) in items.iter().zip(&sim_checkout.lines).enumerate() {
        assert_eq!(item.id, line.id);
        assert_eq!(
            item.product_id,
            Some(u64::try_from(line.product_id).unwrap())
        );
        assert_eq!(item.quantity, u32::try_from(line.quantity).unwrap());
        assert_eq!(item.sale_price, Cents::new(line.unit_price_cents));
        assert_eq!(
            item.extended_sale_price,
            Cents::new(line.unit_price_cents * line.quantity)
        );
        let share: i64 = totals.line_discounts[index].iter().sum();
        assert_eq!(item.coupon_amount, Some(Cents::new(share)));
        assert!(item.options.is_empty(), "the simulated products have none");
    }
    let shares = items
        .iter()
        .filter_map(|i| i.coupon_amount)
        .try_fold(Cents::ZERO, Cents::checked_add);
    assert_eq!(shares, Some(Cents::new(500)));

    let billing = checkout.billing_address.as_ref().unwrap();
    assert_eq!(billing.email, "laura@example.es");
    assert_eq!(billing.country_code, "ES");
    assert_eq!(checkout.consignments.len(), 1);
    let consignment = &checkout.consignments[0];
    assert_eq!(
        consignment.selected_shipping_option.as_ref().unwrap().cost,
        Some(Cents::new(500))
    );
    assert_eq!(consignment.line_item_ids.len(), 2);
    assert_eq!(
        checkout.version,
        Some(u64::try_from(sim_checkout.version).unwrap())
    );
    assert_eq!(checkout.created_order_id(), None);

    // The includes went out as one comma-separated `include`.
    let paths: Vec<String> = s
        .sim
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("/v3/checkouts/"))
        .collect();
    assert_eq!(paths.len(), 1);
    assert!(
        paths[0].contains(
            "include=cart.line_items.physical_items.options%2Ccart.line_items.digital_items.options"
        ),
        "{paths:?}"
    );

    let err = s
        .store
        .get_checkout("no-such-checkout", &[])
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn orders_from_a_checkout_and_its_token() {
    let s = Sim::new().await;
    let checkout_id = s.ex.checkout_id.clone();
    let first = s
        .store
        .create_order_from_checkout(&checkout_id)
        .await
        .unwrap();
    let second = s
        .store
        .create_order_from_checkout(&checkout_id)
        .await
        .unwrap();
    assert_ne!(first, second, "not idempotent: every call is another order");
    let checkout = s.store.get_checkout(&checkout_id, &[]).await.unwrap();
    assert_eq!(checkout.created_order_id(), Some(second));
    let orders = s
        .store
        .list_orders(&OrderFilter::by_cart(&checkout_id))
        .await
        .unwrap();
    assert_eq!(
        orders.iter().map(|o| o.id).collect::<Vec<_>>(),
        vec![first, second]
    );
    for order in &orders {
        assert_eq!(order.status_id, status::INCOMPLETE);
        assert_eq!(order.total_inc_tax, checkout.grand_total);
        // Checkout-API orders take no store credit.
        assert_eq!(order.store_credit_amount, Cents::ZERO);
    }

    // A token for the guest order-confirmation page, usable once.
    let token = s
        .store
        .create_checkout_token(
            &checkout_id,
            CheckoutTokenRequest {
                max_uses: 1,
                ttl: 3_600,
            },
        )
        .await
        .unwrap();
    assert!(!token.expose().is_empty());
    assert!(!format!("{token:?}").contains(token.expose()));
    s.sim
        .redeem_checkout_token(s.hash(), id(second), token.expose())
        .unwrap();
    assert!(
        s.sim
            .redeem_checkout_token(s.hash(), id(second), token.expose())
            .is_err(),
        "used up"
    );
    // An out-of-range ttl: 422.
    let err = s
        .store
        .create_checkout_token(
            &checkout_id,
            CheckoutTokenRequest {
                max_uses: 1,
                ttl: 0,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unprocessable { .. }), "{err}");

    // Once the latest order is finalized, no more tokens: 422.
    s.store
        .update_order(
            second,
            &OrderUpdate {
                status_id: Some(status::AWAITING_FULFILLMENT),
                ..OrderUpdate::default()
            },
        )
        .await
        .unwrap();
    let err = s
        .store
        .create_checkout_token(
            &checkout_id,
            CheckoutTokenRequest {
                max_uses: 1,
                ttl: 3_600,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unprocessable { title, errors, .. }
            if title.contains("finalized") || errors.iter().any(|e| e.message.contains("finalized"))),
        "{err}"
    );

    let err = s
        .store
        .create_order_from_checkout("no-such-checkout")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn channel_checkout_settings() {
    let s = Sim::new().await;
    let settings = s.store.get_channel_checkout_settings(1).await.unwrap();
    assert!(settings.is_order_terms_and_conditions_enabled);
    assert_eq!(settings.order_terms_and_conditions_type, "link");
    assert_eq!(
        settings.order_terms_and_conditions_link,
        "https://tienda.example.es/condiciones/"
    );
    s.sim
        .set_channel_settings(s.hash(), 1, |c| {
            c.is_order_terms_and_conditions_enabled = false;
        })
        .unwrap();
    let settings = s.store.get_channel_checkout_settings(1).await.unwrap();
    assert!(!settings.is_order_terms_and_conditions_enabled);
    let err = s.store.get_channel_checkout_settings(99).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn delete_cart() {
    let s = Sim::new().await;
    let cart = s.guest_checkout(&[(s.ex.products[0], 1)]);
    let mark = s.sim.mark();
    s.store.delete_cart(&cart).await.unwrap();
    assert!(s.sim.checkout(s.hash(), &cart).is_none());
    let scopes: Vec<String> = s
        .sim
        .events_since(s.hash(), mark)
        .into_iter()
        .map(|e| e.event.scope)
        .collect();
    assert_eq!(scopes, vec!["store/cart/deleted"]);
    let err = s.store.delete_cart(&cart).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = s.store.get_checkout(&cart, &[]).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    // Ids that cannot be a path segment never leave the client.
    let err = s.store.delete_cart("../v2/orders").await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
}

#[tokio::test]
async fn customers_with_store_credit() {
    let s = Sim::new().await;
    let laura = u64::try_from(s.ex.customer_id).unwrap();
    let customers = s
        .store
        .get_customers_with_store_credit(&[laura, 9_999])
        .await
        .unwrap();
    assert_eq!(customers.len(), 1, "unknown ids are simply absent");
    assert_eq!(customers[0].id, laura);
    assert_eq!(customers[0].email, "laura@example.es");
    let sim_customer = s.sim.customer(s.hash(), s.ex.customer_id).unwrap();
    assert_eq!(
        customers[0].store_credit(),
        Some(Cents::new(sim_customer.store_credit_cents))
    );
    assert_eq!(customers[0].store_credit(), Some(Cents::new(2_000)));

    // Placing the order with her credit uses it up.
    s.place_example_order(true);
    let customers = s
        .store
        .get_customers_with_store_credit(&[laura])
        .await
        .unwrap();
    assert_eq!(customers[0].store_credit(), Some(Cents::ZERO));
    s.sim
        .set_store_credit(s.hash(), s.ex.customer_id, 1_234)
        .unwrap();
    let customers = s
        .store
        .get_customers_with_store_credit(&[laura])
        .await
        .unwrap();
    assert_eq!(customers[0].store_credit(), Some(Cents::new(1_234)));

    let before = s.sim.requests().len();
    assert!(
        s.store
            .get_customers_with_store_credit(&[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.sim.requests().len(), before, "no ids, no request");
}

#[tokio::test]
async fn product_categories() {
    let s = Sim::new().await;
    let [shirt, shoes] = s.ex.products.map(|id| u64::try_from(id).unwrap());
    let mut found = s
        .store
        .get_product_categories(&[shoes, shirt, 9_999])
        .await
        .unwrap();
    found.sort_by_key(|p| p.id);
    assert_eq!(found.len(), 2, "unknown ids are simply absent: {found:?}");
    assert_eq!(
        (found[0].id, found[0].categories.clone()),
        (shirt, vec![23])
    );
    assert_eq!(
        (found[1].id, found[1].categories.clone()),
        (shoes, vec![24])
    );
    let before = s.sim.requests().len();
    assert!(
        s.store
            .get_product_categories(&[])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(s.sim.requests().len(), before, "no ids, no request");
}
