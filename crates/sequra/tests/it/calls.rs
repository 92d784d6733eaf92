//! Every call's request (method, path, query, headers, body) and its success answer.

use sequra::{
    AcknowledgedState, Cart, DeliveryReport, Error, MerchantReference, OrderState, OrderUpdate,
};
use serde_json::json;

use crate::fixtures::{full_order, minimal_order, platform, tee};
use crate::support::{MERCHANT, Reply, Stub, UUID, fixture_json};

fn payment_methods_body() -> serde_json::Value {
    json!({"payment_options": [
        {"title": "Paga Después", "description": "Confirma la compra", "icon": null, "category": "pay_later",
         "methods": [{"product": "i1", "campaign": null, "title": "Paga Después",
                      "long_title": "Paga después. 7 días desde el envío", "claim": "Sin coste adicional",
                      "description": "Compra ahora", "icon": "<svg></svg>",
                      "cost": {"setup_fee": 0, "instalment_fee": 0, "down_payment_fees": 0, "instalment_total": 0},
                      "cost_description": "sin coste adicional", "starts_at": "2000-02-22T21:22:00Z",
                      "ends_at": "2222-02-22T21:22:00Z", "widget": null, "info_widget": null,
                      "min_amount": 0, "max_amount": null}]},
        {"title": "Paga Fraccionado", "description": null, "icon": null, "category": "part_payment",
         "methods": [{"product": "pp3", "campaign": null, "title": "Desde 3 €/mes", "long_title": "Paga fraccionado",
                      "claim": null, "description": null, "icon": null,
                      "cost": {"setup_fee": 0, "instalment_fee": 300, "down_payment_fees": 300, "instalment_total": 724},
                      "cost_description": "+ 3,00 €/mes", "starts_at": "2000-02-22T21:22:00Z",
                      "ends_at": "2222-02-22T21:22:00Z"}]}
    ]})
}

#[tokio::test]
async fn credentials_lists_the_merchants_without_a_merchant_header() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        "/merchants/credentials",
        Reply::json(
            200,
            &json!([
                {"ref": "shop_es", "name": null, "country": "ES", "allowed_countries": ["ES"],
                 "currency": "EUR", "assets_key": "AK-es", "contract_options": ["services"],
                 "extra_information": {"type": "regular", "phone_number": ""},
                 "verify_signature": false, "signature_secret": "ss", "confirmation_path": "default",
                 "realm": "sequra"},
                {"ref": "shop_pt", "country": "PT", "currency": "EUR", "assets_key": "AK-pt",
                 "contract_options": []}
            ]),
        ),
    );
    let merchants = stub.client().credentials().await.unwrap();
    assert_eq!(merchants.len(), 2);
    assert_eq!(merchants[0].reference, "shop_es");
    assert_eq!(merchants[0].assets_key.as_deref(), Some("AK-es"));
    assert!(merchants[0].has_contract_option("services"));
    assert_eq!(merchants[0].extra["realm"], "sequra");
    assert_eq!(merchants[1].country.as_deref(), Some("PT"));

    let req = stub.only_request();
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("GET", "/merchants/credentials")
    );
    assert_eq!(req.raw_query, None);
    req.assert_headers("application/json");
    assert_eq!(req.header("sequra-merchant-id"), None);
}

#[tokio::test]
async fn credentials_accepts_any_2xx() {
    let stub = Stub::start().await;
    stub.on("GET", "/merchants/credentials", Reply::empty(204));
    assert!(stub.client().credentials().await.unwrap().is_empty());
    let stub = Stub::start().await;
    stub.on(
        "GET",
        "/merchants/credentials",
        Reply::json(202, &json!([{"ref": "shop_es"}])),
    );
    assert_eq!(
        stub.client().credentials().await.unwrap()[0].reference,
        "shop_es"
    );
}

#[tokio::test]
async fn merchant_credentials_checks_one_merchant() {
    let stub = Stub::start().await;
    stub.on("GET", "/merchants/shop_es/credentials", Reply::empty(204));
    stub.client().merchant_credentials(MERCHANT).await.unwrap();
    stub.only_request()
        .assert_merchant_call("GET", "/merchants/shop_es/credentials");
}

#[tokio::test]
async fn merchant_payment_methods() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        "/merchants/shop_es/payment_methods",
        Reply::json(200, &payment_methods_body()),
    );
    let methods = stub
        .client()
        .merchant_payment_methods(MERCHANT)
        .await
        .unwrap();
    let all: Vec<_> = methods.methods().collect();
    assert_eq!(all.len(), 2);
    let (category, i1) = all[0];
    assert_eq!(category.category.as_deref(), Some("pay_later"));
    assert_eq!(i1.product, "i1");
    assert_eq!(i1.campaign, None);
    assert_eq!(i1.min_amount, Some(0));
    assert_eq!(i1.max_amount, None);
    assert_eq!(i1.ends_at.as_deref(), Some("2222-02-22T21:22:00Z"));
    let (_, pp3) = all[1];
    assert_eq!(pp3.cost.unwrap().instalment_total, 724);
    assert_eq!(pp3.claim, None);
    stub.only_request()
        .assert_merchant_call("GET", "/merchants/shop_es/payment_methods");
}

#[tokio::test]
async fn order_payment_methods() {
    let stub = Stub::start().await;
    let path = format!("/orders/{UUID}/payment_methods");
    stub.on("GET", &path, Reply::json(200, &payment_methods_body()));
    let methods = stub
        .client()
        .order_payment_methods(MERCHANT, UUID)
        .await
        .unwrap();
    assert_eq!(methods.payment_options.len(), 2);
    assert_eq!(
        methods.payment_options[1].methods[0]
            .cost_description
            .as_deref(),
        Some("+ 3,00 €/mes")
    );
    stub.only_request().assert_merchant_call("GET", &path);
}

#[tokio::test]
async fn create_order_posts_the_wrapped_order_and_reads_the_location() {
    let stub = Stub::start().await;
    stub.on(
        "POST",
        "/orders",
        Reply::empty(204).header(
            "Location",
            &format!("https://sandbox.sequrapi.com/orders/{UUID}"),
        ),
    );
    let uuid = stub.client().create_order(&full_order()).await.unwrap();
    assert_eq!(uuid, UUID);
    let req = stub.only_request();
    req.assert_merchant_call("POST", "/orders");
    assert_eq!(req.json(), fixture_json("order-full.json"));

    // A relative Location (e.g. the simulator's) works too.
    let stub = Stub::start().await;
    stub.on(
        "POST",
        "/orders",
        Reply::empty(204).header("location", &format!("/orders/{UUID}")),
    );
    assert_eq!(
        stub.client().create_order(&minimal_order()).await.unwrap(),
        UUID
    );
    assert_eq!(
        stub.only_request().json(),
        fixture_json("order-minimal.json")
    );
}

#[tokio::test]
async fn identification_form_fetches_html_with_the_chosen_method() {
    let html = "<iframe id='sq-identification-pp3'></iframe><script>window.SequraFormElement = 'sq-identification-pp3';</script>";
    let stub = Stub::start().await;
    let path = format!("/orders/{UUID}/form_v2");
    stub.on(
        "GET",
        &path,
        Reply::text(200, "text/html; charset=utf-8", html),
    );
    let client = stub.client();

    let form = client
        .identification_form(MERCHANT, UUID, "pp5", Some("temporary"))
        .await
        .unwrap();
    assert_eq!(form, html);
    let form = client
        .identification_form(MERCHANT, UUID, "", Some(""))
        .await
        .unwrap();
    assert_eq!(form, html);

    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    for req in &requests {
        assert_eq!(
            (req.method.as_str(), req.path.as_str()),
            ("GET", path.as_str())
        );
        req.assert_headers("text/html");
        assert_eq!(req.header("sequra-merchant-id").as_deref(), Some(MERCHANT));
    }
    assert_eq!(
        requests[0].query(),
        [
            ("product", "pp5"),
            ("campaign", "temporary"),
            ("ajax", "true")
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );
    assert_eq!(requests[1].raw_query.as_deref(), Some("ajax=true"));
}

#[tokio::test]
async fn confirm_and_hold_put_the_full_order_with_the_state() {
    let stub = Stub::start().await;
    let path = format!("/orders/{UUID}");
    stub.on("PUT", &path, Reply::json(200, &json!({})));
    let client = stub.client();
    let order = full_order();
    assert_eq!(order.state, OrderState::Solicited);

    client.confirm_order(UUID, &order).await.unwrap();
    client
        .update_order_state(UUID, AcknowledgedState::OnHold, &order)
        .await
        .unwrap();

    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    let mut expected = fixture_json("order-full.json");
    for (req, state) in requests.iter().zip(["confirmed", "on_hold"]) {
        req.assert_merchant_call("PUT", &path);
        expected["order"]["state"] = json!(state);
        assert_eq!(req.json(), expected);
        assert_eq!(
            req.json()["order"]["merchant_reference"]["order_ref_1"],
            "A14/12345"
        );
    }
}

#[tokio::test]
async fn confirmation_without_merchant_reference_is_refused_before_sending() {
    let stub = Stub::start().await;
    let err = stub
        .client()
        .confirm_order(UUID, &minimal_order())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn holding_without_merchant_reference_is_sent() {
    let stub = Stub::start().await;
    let path = format!("/orders/{UUID}");
    stub.on("PUT", &path, Reply::empty(200));
    let order = minimal_order();
    assert!(order.merchant_reference.is_none());
    stub.client()
        .update_order_state(UUID, AcknowledgedState::OnHold, &order)
        .await
        .unwrap();
    let request = stub.only_request();
    request.assert_merchant_call("PUT", &path);
    assert_eq!(request.json()["order"]["state"], "on_hold");
    assert!(request.json()["order"].get("merchant_reference").is_none());
}

#[tokio::test]
async fn update_order_escapes_the_reference_and_sends_both_carts() {
    let stub = Stub::start().await;
    let path = "/merchants/shop_es/orders/A14%2F12345";
    stub.on("PUT", path, Reply::empty(200));
    let client = stub.client();

    let shipped = OrderUpdate::new(
        MERCHANT,
        MerchantReference::new("A14/12345"),
        Cart::empty("EUR"),
        Cart::new("EUR", vec![tee(2).into()]),
        platform(),
    );
    client
        .update_order(MERCHANT, "A14/12345", &shipped)
        .await
        .unwrap();
    let cancel = OrderUpdate::cancellation(
        MERCHANT,
        MerchantReference::new("A14/12345"),
        "EUR",
        platform(),
    );
    client
        .update_order(MERCHANT, "A14/12345", &cancel)
        .await
        .unwrap();

    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    for req in &requests {
        req.assert_merchant_call("PUT", path);
    }
    let body = requests[0].json();
    assert_eq!(body["order"]["merchant"], json!({"id": "shop_es"}));
    assert_eq!(body["order"]["shipped_cart"]["order_total_with_tax"], 4990);
    assert_eq!(body["order"]["unshipped_cart"]["items"], json!([]));
    let body = requests[1].json();
    assert_eq!(body["order"]["shipped_cart"]["order_total_with_tax"], 0);
    assert_eq!(body["order"]["unshipped_cart"]["order_total_with_tax"], 0);
    assert_eq!(body["order"]["shipped_cart"]["items"], json!([]));
}

#[tokio::test]
async fn update_order_refuses_a_body_for_another_merchant() {
    let stub = Stub::start().await;
    let update =
        OrderUpdate::cancellation("shop_pt", MerchantReference::new("1"), "EUR", platform());
    let err = stub
        .client()
        .update_order(MERCHANT, "1", &update)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn delivery_report_posts_the_wrapped_report() {
    let stub = Stub::start().await;
    stub.on("POST", "/orders/delivery_reports", Reply::empty(204));
    let report = DeliveryReport::new(MERCHANT, platform());
    stub.client().delivery_report(&report).await.unwrap();
    let req = stub.only_request();
    req.assert_merchant_call("POST", "/orders/delivery_reports");
    assert_eq!(
        req.json(),
        json!({"delivery_report": {
            "merchant": {"id": "shop_es"},
            "orders": [],
            "platform": {"name": "BigCommerce", "version": "3", "uname": "Linux",
                         "db_name": "postgresql", "db_version": "16"}
        }})
    );
}

#[tokio::test]
async fn ids_that_are_not_path_segments_are_refused_before_sending() {
    let stub = Stub::start().await;
    let client = stub.client();
    for bad in ["", "../merchants", "a/b", "a?b=1"] {
        let err = client
            .order_payment_methods(MERCHANT, bad)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad:?}: {err}");
        let err = client.merchant_payment_methods(bad).await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad:?}: {err}");
    }
    let update =
        OrderUpdate::cancellation(MERCHANT, MerchantReference::new(".."), "EUR", platform());
    assert!(matches!(
        client
            .update_order(MERCHANT, "..", &update)
            .await
            .unwrap_err(),
        Error::InvalidRequest(_)
    ));
    assert!(stub.requests().is_empty());
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_is_kept() {
    let stub = Stub::start().await;
    stub.on(
        "GET",
        "/sq/merchants/shop_es/credentials",
        Reply::empty(200),
    );
    let client = crate::support::client_at(&format!("{}sq", stub.base_url));
    client.merchant_credentials(MERCHANT).await.unwrap();
    assert_eq!(
        stub.only_request().path,
        "/sq/merchants/shop_es/credentials"
    );
}
