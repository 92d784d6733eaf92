//! Orders v2, shipments and store information: request shapes and parsing.

use bigcommerce::Cents;
use bigcommerce::orders::{OrderFilter, OrderUpdate, ShipmentCreate, ShipmentItemRequest, status};
use serde_json::{Value, json};

use crate::support::{Reply, Stub, example_json};

#[tokio::test]
async fn get_order_reads_money_and_dates() {
    let stub = Stub::start().await;
    stub.on_store(
        "GET",
        "/v2/orders/250",
        Reply::example(200, "order-v2.json"),
    );
    let order = stub.store().get_order(250).await.unwrap();

    let req = stub.only_request();
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, "/stores/abc123/v2/orders/250");
    assert!(req.query.is_empty());
    req.assert_api_headers();

    assert_eq!(order.id, 250);
    assert_eq!(order.status_id, status::AWAITING_FULFILLMENT);
    assert_eq!(order.total_inc_tax, Cents::new(11500));
    assert_eq!(order.total_ex_tax, Cents::new(9504));
    assert_eq!(order.store_credit_amount, Cents::new(2000));
    assert_eq!(order.amount_due(), Some(Cents::new(9500)));
    assert_eq!(order.default_currency_code, "EUR");
    assert_eq!(
        order.cart_id.as_deref(),
        Some("c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10")
    );
    assert_eq!(order.payment_provider_id.as_deref(), Some("sq_4f2a91c0"));
    assert_eq!(order.billing_address.country_iso2, "ES");
    assert_eq!(order.created_at().unwrap().timestamp(), 1_767_261_000);
    assert_eq!(order.shipped_at(), None);
    assert_eq!(order.fees, None);
}

#[tokio::test]
async fn get_order_with_fees_asks_for_them() {
    let stub = Stub::start().await;
    let mut body = example_json("order-v2.json");
    body["fees"] = json!([{
        "id": 1, "type": "custom_fee", "display_name_customer": "Embalaje",
        "display_name_merchant": "Packaging", "source": "app", "base_cost": "2.0000",
        "cost_ex_tax": "1.6529", "cost_inc_tax": "2.0000", "cost_tax": "0.3471", "tax_class_id": null
    }]);
    stub.on_store("GET", "/v2/orders/250", Reply::json(200, &body));
    let order = stub.store().get_order_with_fees(250).await.unwrap();
    assert_eq!(
        stub.only_request().query_value("include").as_deref(),
        Some("fees")
    );
    let fees = order.fees.unwrap();
    assert_eq!(fees[0].cost_inc_tax, Cents::new(200));
}

#[tokio::test]
async fn list_orders_by_cart_sends_the_filter_and_reads_204_as_none() {
    let stub = Stub::start().await;
    let order = example_json("order-v2.json");
    stub.on_store("GET", "/v2/orders", Reply::empty(204))
        .on_store("GET", "/v2/orders", Reply::json(200, &json!([order])));
    let store = stub.store();
    let filter = OrderFilter::by_cart("c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10");
    assert!(store.list_orders(&filter).await.unwrap().is_empty());
    assert_eq!(store.list_orders(&filter).await.unwrap()[0].id, 250);

    let requests = stub.requests();
    assert_eq!(
        requests[0].query,
        vec![(
            "cart_id".to_owned(),
            "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10".to_owned()
        )]
    );
}

#[tokio::test]
async fn update_order_sends_only_the_app_fields() {
    let stub = Stub::start().await;
    stub.on_store(
        "PUT",
        "/v2/orders/250",
        Reply::example(200, "order-v2.json"),
    );
    let update = OrderUpdate {
        status_id: Some(status::AWAITING_FULFILLMENT),
        payment_method: Some("SeQura - Paga en 3 plazos".into()),
        payment_provider_id: Some("sq_4f2a91c0".into()),
        staff_notes: Some(
            "SeQura: approved 2026-01-01T09:50:06Z, ref sq_4f2a91c0, product pp3, amount 95.00 EUR"
                .into(),
        ),
    };
    let order = stub.store().update_order(250, &update).await.unwrap();
    assert_eq!(order.status_id, 11);

    let req = stub.only_request();
    assert_eq!(req.method, "PUT");
    req.assert_api_headers();
    assert_eq!(
        req.json(),
        example_json("order-v2-put-request-approved.json")
    );

    // A partial update sends nothing else.
    let stub = Stub::start().await;
    stub.on_store(
        "PUT",
        "/v2/orders/250",
        Reply::example(200, "order-v2.json"),
    );
    let only_status = OrderUpdate {
        status_id: Some(status::CANCELLED),
        ..OrderUpdate::default()
    };
    stub.store().update_order(250, &only_status).await.unwrap();
    assert_eq!(stub.only_request().json(), json!({"status_id": 5}));
}

fn product_page(start_id: u64, count: u64) -> Value {
    let template = example_json("order-v2-products.json")[0].clone();
    Value::Array(
        (start_id..start_id + count)
            .map(|id| {
                let mut p = template.clone();
                p["id"] = json!(id);
                p
            })
            .collect(),
    )
}

#[tokio::test]
async fn order_products_walk_every_page() {
    let stub = Stub::start().await;
    stub.on_store(
        "GET",
        "/v2/orders/250/products",
        Reply::json(200, &product_page(1, 50)),
    )
    .on_store(
        "GET",
        "/v2/orders/250/products",
        Reply::json(200, &product_page(51, 3)),
    );
    let products = stub.store().list_order_products(250).await.unwrap();
    assert_eq!(products.len(), 53);
    assert_eq!(products[52].id, 53);

    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    for (i, req) in requests.iter().enumerate() {
        assert_eq!(req.query_value("page"), Some((i + 1).to_string()));
        assert_eq!(req.query_value("limit").as_deref(), Some("50"));
    }

    // A full last page followed by 204.
    let stub = Stub::start().await;
    stub.on_store(
        "GET",
        "/v2/orders/250/products",
        Reply::json(200, &product_page(1, 50)),
    )
    .on_store("GET", "/v2/orders/250/products", Reply::empty(204));
    assert_eq!(
        stub.store().list_order_products(250).await.unwrap().len(),
        50
    );
}

#[tokio::test]
async fn order_products_fields() {
    let stub = Stub::start().await;
    stub.on_store(
        "GET",
        "/v2/orders/250/products",
        Reply::example(200, "order-v2-products.json"),
    );
    let products = stub.store().list_order_products(250).await.unwrap();
    assert_eq!(products.len(), 2);
    let shirt = &products[0];
    assert_eq!(shirt.id, 301);
    assert_eq!(shirt.order_address_id, Some(151));
    assert_eq!(shirt.quantity, 2);
    assert_eq!(shirt.price_ex_tax, Cents::new(2066));
    assert_eq!(shirt.discounted_total_inc_tax, Cents::new(5000));
    assert_eq!(shirt.product_options[0].display_value, "M");
    assert_eq!(shirt.parent_order_product_id, None);
}

#[tokio::test]
async fn addresses_coupons_and_statuses() {
    let stub = Stub::start().await;
    stub.on_store(
        "GET",
        "/v2/orders/250/shipping_addresses",
        Reply::example(200, "order-v2-shipping-addresses.json"),
    )
    .on_store("GET", "/v2/orders/250/coupons", Reply::empty(204))
    .on_store(
        "GET",
        "/v2/orders/120/coupons",
        Reply::example(200, "order-v2-coupons.json"),
    )
    .on(
        "GET",
        "/stores/abc123/v2/order_statuses",
        Reply::example(200, "order-statuses.json"),
    );
    let store = stub.store();

    let addresses = store.list_order_shipping_addresses(250).await.unwrap();
    assert_eq!(addresses[0].id, 151);
    assert_eq!(addresses[0].cost_inc_tax, Cents::new(500));
    assert_eq!(addresses[0].cost_ex_tax, Cents::new(413));

    assert!(store.list_order_coupons(250).await.unwrap().is_empty());
    let coupons = store.list_order_coupons(120).await.unwrap();
    assert_eq!(coupons[0].discount, Cents::new(500));
    assert_eq!(coupons[0].coupon_type, Some(2));
    assert_eq!(coupons[0].amount, Some(rust_decimal::Decimal::from(5)));

    let statuses = store.list_order_statuses().await.unwrap();
    assert_eq!(statuses.len(), 15);
    assert_eq!(statuses[12].id, status::MANUAL_VERIFICATION_REQUIRED);
    assert_eq!(statuses[12].system_label, "Manual Verification Required");
}

#[tokio::test]
async fn shipments_list_get_create_count() {
    let stub = Stub::start().await;
    stub.on_store("GET", "/v2/orders/250/shipments", Reply::empty(204))
        .on_store(
            "GET",
            "/v2/orders/250/shipments",
            Reply::example(200, "shipments-v2-list.json"),
        )
        .on_store(
            "GET",
            "/v2/orders/250/shipments/12",
            Reply::example(200, "shipment-v2.json"),
        )
        .on_store(
            "POST",
            "/v2/orders/250/shipments",
            Reply::example(201, "shipment-v2.json"),
        )
        .on_store(
            "GET",
            "/v2/orders/250/shipments/count",
            Reply::json(200, &json!({"count": 1})),
        );
    let store = stub.store();

    assert!(store.list_shipments(250).await.unwrap().is_empty());
    let list = store.list_shipments(250).await.unwrap();
    assert_eq!(list[0].items[0].order_product_id, 301);

    let shipment = store.get_shipment(250, 12).await.unwrap();
    assert_eq!(shipment.tracking_number, "EJ958083578ES");
    assert_eq!(shipment.created_at().unwrap().timestamp(), 1_767_348_000);

    let create = ShipmentCreate {
        order_address_id: 151,
        tracking_number: Some("EJ958083578ES".into()),
        tracking_carrier: Some(String::new()),
        shipping_provider: Some(String::new()),
        tracking_link: Some("https://track.example/EJ958083578ES".into()),
        shipping_method: Some("Envío estándar".into()),
        comments: Some("Paquete 1 de 2".into()),
        items: vec![ShipmentItemRequest {
            order_product_id: 301,
            quantity: 1,
        }],
    };
    let created = store.create_shipment(250, &create).await.unwrap();
    assert_eq!(created.id, 12);
    assert_eq!(store.count_shipments(250).await.unwrap(), 1);

    let post = stub
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    post.assert_api_headers();
    assert_eq!(post.json(), example_json("shipment-create-request.json"));
}

#[tokio::test]
async fn store_information() {
    let stub = Stub::start().await;
    stub.on_store(
        "GET",
        "/v2/store",
        Reply::example(200, "store-information.json"),
    );
    let info = stub.store().get_store_information().await.unwrap();
    assert_eq!(stub.only_request().path, "/stores/abc123/v2/store");
    assert_eq!(
        info.control_panel_base_url,
        "https://store-abc123.mybigcommerce.com"
    );
    assert_eq!(info.secure_url, "https://tienda.example.es");
    assert_eq!(info.currency, "EUR");
    assert!(info.features.has_optimized_checkout());
    assert_eq!(info.default_channel_id, Some(1));
    assert_eq!(info.store_id, Some(1_001_234_567));
}
