//! Checkouts, carts and customers.

use bigcommerce::Cents;
use bigcommerce::Error;
use bigcommerce::checkouts::{CheckoutInclude, CheckoutTokenRequest};
use serde_json::json;

use crate::support::{Reply, Stub, example_json};

const CHECKOUT: &str = "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10";

#[tokio::test]
async fn get_checkout_with_line_item_options() {
    let stub = Stub::start().await;
    let mut body = example_json("checkout-v3-response.json");
    body["data"]["cart"]["line_items"]["physical_items"][0]["options"] =
        json!([{"name": "Talla", "nameId": 18, "value": "M", "valueId": 69}]);
    stub.on_store(
        "GET",
        &format!("/v3/checkouts/{CHECKOUT}"),
        Reply::json(200, &body),
    );

    let checkout = stub
        .store()
        .get_checkout(CHECKOUT, &CheckoutInclude::FOR_SOLICITATION)
        .await
        .unwrap();

    let req = stub.only_request();
    req.assert_api_headers();
    assert_eq!(
        req.query_value("include").as_deref(),
        Some("cart.line_items.physical_items.options,cart.line_items.digital_items.options")
    );
    assert_eq!(checkout.id, CHECKOUT);
    assert_eq!(checkout.grand_total, Cents::new(11500));
    assert_eq!(checkout.tax_total, Cents::new(1996));
    assert_eq!(checkout.subtotal_ex_tax, Cents::new(9091));
    assert_eq!(checkout.cart.currency.code, "EUR");
    assert!(!checkout.cart.is_guest());
    assert_eq!(checkout.version, Some(7));
    assert_eq!(checkout.created_order_id(), None);
    let items = &checkout.cart.line_items.physical_items;
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].quantity, 2);
    assert_eq!(items[0].extended_sale_price, Cents::new(5000));
    assert_eq!(items[0].options[0].value, "M");
    assert_eq!(items[0].options[0].name_id, Some(18));
    let billing = checkout.billing_address.unwrap();
    assert_eq!(billing.country_code, "ES");
    let consignment = &checkout.consignments[0];
    assert_eq!(consignment.shipping_cost_inc_tax, Some(Cents::new(500)));
}

#[tokio::test]
async fn checkout_with_an_order_reports_its_id() {
    let stub = Stub::start().await;
    let mut body = example_json("checkout-v3-response.json");
    body["data"]["order_id"] = json!("250");
    stub.on_store(
        "GET",
        &format!("/v3/checkouts/{CHECKOUT}"),
        Reply::json(200, &body),
    );
    let checkout = stub.store().get_checkout(CHECKOUT, &[]).await.unwrap();
    assert_eq!(checkout.created_order_id(), Some(250));
    assert!(stub.only_request().query.is_empty());
}

#[tokio::test]
async fn create_order_from_checkout_posts_without_body() {
    let stub = Stub::start().await;
    stub.on_store(
        "POST",
        &format!("/v3/checkouts/{CHECKOUT}/orders"),
        Reply::example(200, "checkout-create-order-response.json"),
    );
    let order_id = stub
        .store()
        .create_order_from_checkout(CHECKOUT)
        .await
        .unwrap();
    assert_eq!(order_id, 250);
    let req = stub.only_request();
    req.assert_api_headers();
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn checkout_token_in_both_documented_shapes() {
    let stub = Stub::start().await;
    let path = format!("/v3/checkouts/{CHECKOUT}/token");
    stub.on_store(
        "POST",
        &path,
        Reply::example(200, "checkout-token-response.json"),
    )
    .on_store(
        "POST",
        &path,
        Reply::json(200, &json!({"checkoutToken": "top-level", "meta": {}})),
    )
    .on_store(
        "POST",
        &path,
        Reply::json(200, &json!({"data": {"meta": {}}})),
    );
    let store = stub.store();
    let request = CheckoutTokenRequest {
        max_uses: 1,
        ttl: 3600,
    };

    let token = store
        .create_checkout_token(CHECKOUT, request)
        .await
        .unwrap();
    assert_eq!(
        token.expose(),
        "beb3590088be88f59ba980d54a68df655cd8a1052a3e9caf535f3f820146c226"
    );
    assert!(!format!("{token:?}").contains("beb35"));
    let token = store
        .create_checkout_token(CHECKOUT, request)
        .await
        .unwrap();
    assert_eq!(token.expose(), "top-level");
    let err = store
        .create_checkout_token(CHECKOUT, request)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");

    let req = &stub.requests()[0];
    req.assert_api_headers();
    assert_eq!(req.json(), example_json("checkout-token-request.json"));
}

#[tokio::test]
async fn checkout_token_refused_after_finalization() {
    let stub = Stub::start().await;
    stub.on_store(
        "POST",
        &format!("/v3/checkouts/{CHECKOUT}/token"),
        Reply::json(
            422,
            &json!({"status": "422", "title": "Checkout already finalized", "type": "https://x"}),
        ),
    );
    let err = stub
        .store()
        .create_checkout_token(
            CHECKOUT,
            CheckoutTokenRequest {
                max_uses: 1,
                ttl: 60,
            },
        )
        .await
        .unwrap_err();
    match err {
        Error::Unprocessable { title, .. } => assert_eq!(title, "Checkout already finalized"),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn channel_checkout_settings() {
    let stub = Stub::start().await;
    stub.on_store(
        "GET",
        "/v3/checkouts/settings/channels/1",
        Reply::example(200, "checkout-settings-channel-response.json"),
    );
    let settings = stub.store().get_channel_checkout_settings(1).await.unwrap();
    assert!(settings.is_order_terms_and_conditions_enabled);
    assert_eq!(settings.order_terms_and_conditions_type, "link");
    assert_eq!(settings.checkout_type, "optimized");
}

#[tokio::test]
async fn delete_cart_and_a_cart_already_gone() {
    let stub = Stub::start().await;
    let path = format!("/v3/carts/{CHECKOUT}");
    stub.on_store("DELETE", &path, Reply::empty(204)).on_store(
        "DELETE",
        &path,
        Reply::json(
            404,
            &json!({"status": 404, "title": "Cart not found", "type": "x"}),
        ),
    );
    let store = stub.store();
    store.delete_cart(CHECKOUT).await.unwrap();
    let err = store.delete_cart(CHECKOUT).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    stub.requests()[0].assert_api_headers();
}

#[tokio::test]
async fn ids_that_are_not_path_segments_are_refused_before_sending() {
    let stub = Stub::start().await;
    let err = stub
        .store()
        .get_checkout("../../v2/orders", &[])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn customers_with_store_credit() {
    let stub = Stub::start().await;
    stub.on_store(
        "GET",
        "/v3/customers",
        Reply::example(200, "customer-v3-with-store-credit.json"),
    );
    let customers = stub
        .store()
        .get_customers_with_store_credit(&[11])
        .await
        .unwrap();
    let req = stub.only_request();
    req.assert_api_headers();
    assert_eq!(req.query_value("id:in").as_deref(), Some("11"));
    assert_eq!(req.query_value("include").as_deref(), Some("storecredit"));
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0].store_credit(), Some(Cents::new(2000)));

    // No ids: no request.
    let stub = Stub::start().await;
    assert!(
        stub.store()
            .get_customers_with_store_credit(&[])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(stub.requests().is_empty());
}
