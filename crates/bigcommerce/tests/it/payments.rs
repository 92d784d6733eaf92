//! Orders v3: transactions, refunds, refund quotes, metafields.

use bigcommerce::Cents;
use bigcommerce::Error;
use bigcommerce::metafields::{MetafieldFilter, MetafieldWrite, PermissionSet};
use bigcommerce::refunds::{
    RefundFilter, RefundItemRequest, RefundItemType, RefundPaymentRequest, RefundQuoteRequest,
    RefundRequest,
};
use bigcommerce::transactions::{TransactionEvent, TransactionMethod};
use serde_json::json;

use crate::support::{Reply, Stub, example_json};

#[tokio::test]
async fn transactions_and_no_content() {
    let stub = Stub::start().await;
    stub.on_store(
        "GET",
        "/v3/orders/250/transactions",
        Reply::example(200, "order-transactions-response.json"),
    )
    .on_store("GET", "/v3/orders/251/transactions", Reply::empty(204));
    let store = stub.store();
    let txs = store.list_order_transactions(250).await.unwrap();
    assert_eq!(txs.len(), 2);
    assert_eq!(txs[0].method, TransactionMethod::StoreCredit);
    assert_eq!(txs[0].amount, Cents::new(2000));
    assert_eq!(
        txs[0].store_credit.as_ref().unwrap().remaining_balance,
        Some(Cents::ZERO)
    );
    assert_eq!(txs[1].event, TransactionEvent::Pending);
    assert_eq!(txs[1].gateway, "cod");
    assert_eq!(txs[1].offline.as_ref().unwrap().display_name, "SeQura");
    assert!(txs[1].created_at().is_some());
    assert!(store.list_order_transactions(251).await.unwrap().is_empty());
    stub.requests()[0].assert_api_headers();
}

#[tokio::test]
async fn read_refunds_three_ways() {
    let stub = Stub::start().await;
    stub.on_store("GET", "/v3/orders/payment_actions/refunds/3", Reply::example(200, "refund-get-response.json"))
        .on_store(
            "GET",
            "/v3/orders/250/payment_actions/refunds",
            Reply::example(200, "refunds-for-order-response.json"),
        )
        .on_store(
            "GET",
            "/v3/orders/payment_actions/refunds",
            Reply::json(
                200,
                &json!({
                    "data": example_json("refunds-for-order-response.json")["data"],
                    "meta": {"pagination": {"total": 1, "count": 1, "per_page": 100, "current_page": 1, "total_pages": 1}}
                }),
            ),
        );
    let store = stub.store();

    let refund = store.get_refund(3).await.unwrap();
    assert_eq!(refund.order_id, 250);
    assert_eq!(refund.total_amount, Cents::new(2500));
    assert_eq!(refund.total_tax, Some(Cents::new(434)));
    assert_eq!(refund.items[0].item_type, RefundItemType::Product);
    assert_eq!(refund.items[0].quantity, Some(1));
    assert_eq!(refund.payments[0].provider_id, "cod");
    assert!(refund.payments[0].offline);
    assert!(refund.created_at().is_some());

    let for_order = store.list_order_refunds(250).await.unwrap();
    assert_eq!(for_order, vec![refund.clone()]);

    let filter = RefundFilter {
        order_ids: vec![250, 251],
        ..RefundFilter::default()
    };
    assert_eq!(store.list_refunds(&filter).await.unwrap(), vec![refund]);
    let list_req = &stub.requests()[2];
    assert_eq!(
        list_req.query_value("order_id:in").as_deref(),
        Some("250,251")
    );
    assert_eq!(list_req.query_value("page").as_deref(), Some("1"));
}

#[tokio::test]
async fn refund_quote_and_refund_bodies() {
    let stub = Stub::start().await;
    stub.on_store(
        "POST",
        "/v3/orders/250/payment_actions/refund_quotes",
        Reply::example(201, "refund-quote-response.json"),
    )
    .on_store(
        "POST",
        "/v3/orders/250/payment_actions/refunds",
        Reply::example(201, "refund-create-response.json"),
    );
    let store = stub.store();
    let items = vec![RefundItemRequest::Product {
        item_id: 301,
        quantity: 1,
        reason: None,
        adjustments: Vec::new(),
    }];
    let quote = store
        .create_refund_quote(250, &RefundQuoteRequest { items })
        .await
        .unwrap();
    assert_eq!(quote.total_refund_amount, Cents::new(2500));
    assert_eq!(quote.refund_methods.len(), 3);
    assert_eq!(quote.refund_methods[0][0].provider_id, "cod");
    assert_eq!(quote.refund_methods[1][0].amount, Cents::new(2500));

    let request = RefundRequest {
        items: vec![RefundItemRequest::Product {
            item_id: 301,
            quantity: 1,
            reason: Some("Talla incorrecta".into()),
            adjustments: Vec::new(),
        }],
        payments: vec![RefundPaymentRequest {
            provider_id: "cod".into(),
            amount: Cents::new(2500),
            offline: true,
        }],
        merchant_calculated_override: None,
    };
    let refund = store.create_refund(250, &request).await.unwrap();
    assert_eq!(refund.id, 3);

    let requests = stub.requests();
    requests[0].assert_api_headers();
    assert_eq!(
        requests[0].json(),
        example_json("refund-quote-request.json")
    );
    requests[1].assert_api_headers();
    assert_eq!(
        requests[1].json(),
        example_json("refund-create-request.json")
    );
}

#[tokio::test]
async fn refund_refused_for_a_guest_is_unprocessable() {
    let stub = Stub::start().await;
    stub.on_store(
        "POST",
        "/v3/orders/250/payment_actions/refunds",
        Reply::example(422, "refund-create-error-422-guest-store-credit.json"),
    );
    let request = RefundRequest {
        items: vec![RefundItemRequest::Shipping {
            item_id: 151,
            amount: Cents::new(500),
            reason: None,
        }],
        payments: vec![RefundPaymentRequest {
            provider_id: "storecredit".into(),
            amount: Cents::new(500),
            offline: false,
        }],
        merchant_calculated_override: None,
    };
    match stub.store().create_refund(250, &request).await.unwrap_err() {
        Error::Unprocessable { title, errors, .. } => {
            assert_eq!(
                title,
                "Unable to provide store credit for a guest customer."
            );
            assert_eq!(errors.len(), 1);
        }
        other => panic!("{other}"),
    }
}

fn metafield() -> MetafieldWrite {
    MetafieldWrite {
        permission_set: PermissionSet::AppOnly,
        namespace: "sequra".into(),
        key: "order".into(),
        value: r#"{"ref":"sq_4f2a91c0","product":"pp3","amount":"95.00","currency":"EUR","state":"approved"}"#.into(),
        description: Some("SeQura order data".into()),
    }
}

#[tokio::test]
async fn metafield_create_update_list_delete() {
    let stub = Stub::start().await;
    let response = example_json("order-metafield-create-response.json");
    stub.on_store("POST", "/v3/orders/250/metafields", Reply::example(200, "order-metafield-create-response.json"))
        .on_store("PUT", "/v3/orders/250/metafields/14", Reply::json(200, &response))
        .on_store(
            "GET",
            "/v3/orders/250/metafields",
            Reply::json(200, &json!({"data": [response["data"].clone()], "meta": {"pagination": {"total": 1, "total_pages": 1, "current_page": 1}}})),
        )
        .on_store("DELETE", "/v3/orders/250/metafields/14", Reply::empty(204));
    let store = stub.store();

    let created = store
        .create_order_metafield(250, &metafield())
        .await
        .unwrap();
    assert_eq!(created.id, 14);
    assert_eq!(created.permission_set, PermissionSet::AppOnly);
    assert_eq!(created.resource_id, Some(250));
    let updated = store
        .update_order_metafield(250, 14, &metafield())
        .await
        .unwrap();
    assert_eq!(updated, created);
    let filter = MetafieldFilter {
        namespace: Some("sequra".into()),
        key: Some("order".into()),
    };
    assert_eq!(
        store.list_order_metafields(250, &filter).await.unwrap(),
        vec![created]
    );
    store.delete_order_metafield(250, 14).await.unwrap();

    let requests = stub.requests();
    assert_eq!(
        requests[0].json(),
        example_json("order-metafield-create-request.json")
    );
    assert_eq!(requests[1].method, "PUT");
    assert_eq!(
        requests[1].json(),
        example_json("order-metafield-create-request.json")
    );
    assert_eq!(
        requests[2].query_value("namespace").as_deref(),
        Some("sequra")
    );
    assert_eq!(requests[2].query_value("key").as_deref(), Some("order"));
    assert_eq!(requests[3].method, "DELETE");
    for req in &requests {
        req.assert_api_headers();
    }
}

#[tokio::test]
async fn duplicate_metafield_is_a_typed_conflict() {
    let stub = Stub::start().await;
    stub.on_store(
        "POST",
        "/v3/orders/250/metafields",
        Reply::json(
            409,
            &json!({"status": 409, "title": "Metafield with the same key already exists", "type": "x", "errors": {}}),
        ),
    );
    let err = stub
        .store()
        .create_order_metafield(250, &metafield())
        .await
        .unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("already exists"));
}
