//! Orders v3: transactions, refund quotes and refunds (with their 422s), reading refunds
//! three ways, and order metafields (with the 409 duplicate).

use bigcommerce::metafields::{MetafieldFilter, MetafieldWrite, PermissionSet};
use bigcommerce::orders::status;
use bigcommerce::refunds::{
    RefundFilter, RefundItemRequest, RefundItemType, RefundPaymentRequest, RefundQuoteRequest,
    RefundRequest,
};
use bigcommerce::transactions::{TransactionEvent, TransactionMethod};
use bigcommerce::{Cents, Error};
use sandbox::bigcommerce::RefundItemRequest as SimRefundItem;

use super::{Sim, id};

#[tokio::test]
async fn transactions_none_and_a_list() {
    let s = Sim::new().await;
    // A Checkout-API order has no payment yet: 204.
    let checkout = s.guest_checkout(&[(s.ex.products[0], 1)]);
    let bare = s.store.create_order_from_checkout(&checkout).await.unwrap();
    assert!(
        s.store
            .list_order_transactions(bare)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.statuses_of(&format!("/v3/orders/{bare}/transactions")),
        vec![204]
    );

    // Placed on the storefront with store credit: a store-credit purchase and the offline
    // method's pending transaction, as the simulator wrote them.
    let order_id = s.place_example_order(true);
    let txs = s.store.list_order_transactions(order_id).await.unwrap();
    let sim_txs = s.sim.transactions(s.hash(), id(order_id));
    assert_eq!(txs.len(), 2);
    assert_eq!(txs.len(), sim_txs.len());
    for (tx, sim_tx) in txs.iter().zip(&sim_txs) {
        assert_eq!(tx.id, u64::try_from(sim_tx.id).unwrap());
        assert_eq!(tx.order_id, Some(order_id.to_string()));
        assert_eq!(tx.amount, Cents::new(sim_tx.amount_cents));
        assert_eq!(tx.currency, sim_tx.currency);
        assert_eq!(tx.gateway, sim_tx.gateway);
        assert!(tx.created_at().is_some());
    }
    assert_eq!(txs[0].event, TransactionEvent::Purchase);
    assert_eq!(txs[0].method, TransactionMethod::StoreCredit);
    assert_eq!(txs[0].amount, Cents::new(2_000));
    assert_eq!(
        txs[0].store_credit.as_ref().unwrap().remaining_balance,
        Some(Cents::ZERO)
    );
    assert_eq!(txs[1].event, TransactionEvent::Pending);
    assert_eq!(txs[1].method, TransactionMethod::Offline);
    assert_eq!(txs[1].gateway, "cod");
    assert_eq!(txs[1].amount, Cents::new(9_500));
    assert_eq!(txs[1].offline.as_ref().unwrap().display_name, "SeQura");

    let err = s.store.list_order_transactions(9_999).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

fn one_shirt(order_product_id: u64) -> Vec<RefundItemRequest> {
    vec![RefundItemRequest::Product {
        item_id: order_product_id,
        quantity: 1,
        reason: Some("talla".into()),
        adjustments: Vec::new(),
    }]
}

#[tokio::test]
async fn quote_refund_and_read_refunds() {
    let s = Sim::new().await;
    let order_id = s.place_example_order(true);
    let shirt = s.store.list_order_products(order_id).await.unwrap()[0].id;
    let address = s
        .store
        .list_order_shipping_addresses(order_id)
        .await
        .unwrap()[0]
        .id;

    let quote = s
        .store
        .create_refund_quote(
            order_id,
            &RefundQuoteRequest {
                items: one_shirt(shirt),
            },
        )
        .await
        .unwrap();
    let sim_quote = s
        .sim
        .refund_quote(
            s.hash(),
            id(order_id),
            &[SimRefundItem::product(id(shirt), 1)],
        )
        .unwrap();
    assert_eq!(quote.order_id, order_id);
    assert_eq!(quote.total_refund_amount, Cents::new(sim_quote.total_cents));
    assert_eq!(quote.total_refund_amount, Cents::new(2_500));
    assert_eq!(
        quote.total_refund_tax_amount,
        Some(Cents::new(sim_quote.tax_cents))
    );
    let methods: Vec<Vec<(String, Cents)>> = quote
        .refund_methods
        .iter()
        .map(|m| {
            m.iter()
                .map(|p| (p.provider_id.clone(), p.amount))
                .collect()
        })
        .collect();
    let sim_methods: Vec<Vec<(String, Cents)>> = sim_quote
        .refund_methods
        .iter()
        .map(|m| {
            m.iter()
                .map(|p| (p.provider_id.clone(), Cents::new(p.amount_cents)))
                .collect()
        })
        .collect();
    assert_eq!(methods, sim_methods);
    // Back to the offline method first, then all as store credit, then a manual refund.
    assert_eq!(
        methods,
        vec![
            vec![("cod".to_owned(), Cents::new(2_500))],
            vec![("storecredit".to_owned(), Cents::new(2_500))],
            vec![("custom".to_owned(), Cents::new(2_500))],
        ]
    );
    assert!(quote.refund_methods[0][0].offline);

    // Payments that match no option of the quote: 422 in the refunds' `data` style.
    let err = s
        .store
        .create_refund(
            order_id,
            &RefundRequest {
                items: one_shirt(shirt),
                payments: vec![RefundPaymentRequest {
                    provider_id: "cod".into(),
                    amount: Cents::new(2_400),
                    offline: true,
                }],
                merchant_calculated_override: None,
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unprocessable { title, .. } if title.contains("do not match")),
        "{err}"
    );
    assert!(s.sim.refunds(s.hash(), id(order_id)).is_empty());

    // The first option, as quoted.
    let option = &quote.refund_methods[0][0];
    let mark = s.sim.mark();
    let refund = s
        .store
        .create_refund(
            order_id,
            &RefundRequest {
                items: one_shirt(shirt),
                payments: vec![RefundPaymentRequest {
                    provider_id: option.provider_id.clone(),
                    amount: option.amount,
                    offline: option.offline,
                }],
                merchant_calculated_override: None,
            },
        )
        .await
        .unwrap();
    let sim_refund = s.sim.refunds(s.hash(), id(order_id)).pop().unwrap();
    assert_eq!(refund.id, 3);
    assert_eq!(refund.id, u64::try_from(sim_refund.id).unwrap());
    assert_eq!(refund.order_id, order_id);
    assert_eq!(refund.total_amount, Cents::new(sim_refund.total_cents));
    assert_eq!(
        refund.total_tax,
        Some(Cents::new(sim_refund.total_tax_cents))
    );
    assert_eq!(refund.reason, "talla");
    assert_eq!(refund.user_id, Some(0));
    assert_eq!(refund.items.len(), 1);
    assert_eq!(refund.items[0].item_type, RefundItemType::Product);
    assert_eq!(refund.items[0].item_id, shirt);
    assert_eq!(refund.items[0].quantity, Some(1));
    assert_eq!(refund.payments.len(), 1);
    assert_eq!(refund.payments[0].provider_id, "cod");
    assert_eq!(refund.payments[0].amount, Cents::new(2_500));
    assert!(refund.created_at().is_some());
    let scopes: Vec<String> = s
        .sim
        .events_since(s.hash(), mark)
        .into_iter()
        .map(|e| e.event.scope)
        .collect();
    assert!(
        scopes.contains(&"store/order/refund/created".to_owned()),
        "{scopes:?}"
    );
    let order = s.store.get_order(order_id).await.unwrap();
    assert_eq!(order.status_id, status::PARTIALLY_REFUNDED);
    let line = &s.store.list_order_products(order_id).await.unwrap()[0];
    assert_eq!(line.quantity_refunded, 1);

    // A second refund, of shipping, to store credit (Laura is registered).
    let shipping = s
        .store
        .create_refund(
            order_id,
            &RefundRequest {
                items: vec![RefundItemRequest::Shipping {
                    item_id: address,
                    amount: Cents::new(500),
                    reason: None,
                }],
                payments: vec![RefundPaymentRequest {
                    provider_id: "storecredit".into(),
                    amount: Cents::new(500),
                    offline: false,
                }],
                merchant_calculated_override: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(shipping.total_amount, Cents::new(500));
    assert_eq!(shipping.items[0].item_type, RefundItemType::Shipping);
    assert_eq!(
        s.sim
            .customer(s.hash(), s.ex.customer_id)
            .unwrap()
            .store_credit_cents,
        500
    );

    // Reading them back: per order, across orders, by id.
    let for_order = s.store.list_order_refunds(order_id).await.unwrap();
    assert_eq!(for_order.len(), 2);
    assert_eq!(for_order[0], refund);
    assert_eq!(for_order[1], shipping);
    let across = s
        .store
        .list_refunds(&RefundFilter {
            order_ids: vec![order_id],
            ..RefundFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(across, for_order);
    let by_ids = s
        .store
        .list_refunds(&RefundFilter {
            refund_ids: vec![shipping.id],
            ..RefundFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(by_ids, vec![shipping.clone()]);
    let one = s.store.get_refund(refund.id).await.unwrap();
    assert_eq!(one.total_amount, refund.total_amount);
    assert_eq!(one.payments, refund.payments);
    assert_eq!(one.items[0].item_id, shirt);
    // `requested_amount` is a string in this one answer's schema, a number elsewhere.
    let amount_bound = s.store.get_refund(shipping.id).await.unwrap();
    assert_eq!(
        amount_bound.items[0].requested_amount,
        Some(Cents::new(500))
    );
    assert_eq!(shipping.items[0].requested_amount, Some(Cents::new(500)));
    let err = s.store.get_refund(999).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    // An order without refunds lists none.
    let other = s.guest_checkout(&[(s.ex.products[0], 1)]);
    let other = s.store.create_order_from_checkout(&other).await.unwrap();
    assert!(s.store.list_order_refunds(other).await.unwrap().is_empty());
}

#[tokio::test]
async fn store_credit_for_a_guest_is_refused() {
    let s = Sim::new().await;
    let checkout = s.guest_checkout(&[(s.ex.products[0], 2)]);
    let order_id = s.store.create_order_from_checkout(&checkout).await.unwrap();
    let line = s.store.list_order_products(order_id).await.unwrap()[0].id;
    let quote = s
        .store
        .create_refund_quote(
            order_id,
            &RefundQuoteRequest {
                items: one_shirt(line),
            },
        )
        .await
        .unwrap();
    // A guest who paid nothing through BigCommerce: only a manual refund is offered.
    assert_eq!(quote.refund_methods.len(), 1);
    assert_eq!(quote.refund_methods[0][0].provider_id, "custom");
    let err = s
        .store
        .create_refund(
            order_id,
            &RefundRequest {
                items: one_shirt(line),
                payments: vec![RefundPaymentRequest {
                    provider_id: "storecredit".into(),
                    amount: Cents::new(2_500),
                    offline: false,
                }],
                merchant_calculated_override: None,
            },
        )
        .await
        .unwrap_err();
    match &err {
        Error::Unprocessable { title, .. } => {
            assert_eq!(
                title,
                "Unable to provide store credit for a guest customer."
            );
        }
        other => panic!("{other}"),
    }
    // More than is left on the order: 422 from the quote as well.
    let err = s
        .store
        .create_refund_quote(
            order_id,
            &RefundQuoteRequest {
                items: vec![RefundItemRequest::Order {
                    item_id: order_id,
                    amount: Cents::new(1_000_000),
                    reason: None,
                }],
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unprocessable { .. }), "{err}");
    let err = s
        .store
        .create_refund_quote(
            9_999,
            &RefundQuoteRequest {
                items: one_shirt(1),
            },
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

fn metafield(value: &str) -> MetafieldWrite {
    MetafieldWrite {
        permission_set: PermissionSet::AppOnly,
        namespace: "sequra".into(),
        key: "order_ref".into(),
        value: value.into(),
        description: Some("SeQura order reference".into()),
    }
}

#[tokio::test]
async fn metafields_round_trip_and_the_duplicate() {
    let s = Sim::new().await;
    let order_id = s.place_example_order(false);
    let filter = MetafieldFilter {
        namespace: Some("sequra".into()),
        key: None,
    };
    assert!(
        s.store
            .list_order_metafields(order_id, &filter)
            .await
            .unwrap()
            .is_empty()
    );

    let created = s
        .store
        .create_order_metafield(order_id, &metafield("sq-1"))
        .await
        .unwrap();
    assert_eq!(created.id, 7);
    assert_eq!(created.permission_set, PermissionSet::AppOnly);
    assert_eq!(created.namespace, "sequra");
    assert_eq!(created.key, "order_ref");
    assert_eq!(created.value, "sq-1");
    assert_eq!(created.description, "SeQura order reference");
    assert_eq!(created.resource_type, "order");
    assert_eq!(created.resource_id, Some(order_id));
    assert!(created.modified_at().is_some());
    let stored = s.sim.metafields(s.hash(), id(order_id));
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].value, "sq-1");

    // The same namespace and key again: 409.
    let err = s
        .store
        .create_order_metafield(order_id, &metafield("sq-2"))
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(!err.is_retryable());

    let listed = s
        .store
        .list_order_metafields(order_id, &filter)
        .await
        .unwrap();
    assert_eq!(listed, vec![created.clone()]);
    let by_key = s
        .store
        .list_order_metafields(
            order_id,
            &MetafieldFilter {
                namespace: None,
                key: Some("other".into()),
            },
        )
        .await
        .unwrap();
    assert!(by_key.is_empty());

    let updated = s
        .store
        .update_order_metafield(order_id, created.id, &metafield("sq-2"))
        .await
        .unwrap();
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.value, "sq-2");
    assert_eq!(s.sim.metafields(s.hash(), id(order_id))[0].value, "sq-2");

    s.store
        .delete_order_metafield(order_id, created.id)
        .await
        .unwrap();
    assert!(s.sim.metafields(s.hash(), id(order_id)).is_empty());
    let err = s
        .store
        .delete_order_metafield(order_id, created.id)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = s
        .store
        .update_order_metafield(order_id, created.id, &metafield("x"))
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = s
        .store
        .list_order_metafields(9_999, &filter)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}
