//! `POST orders`, `GET orders/{uuid}/form_v2`, and the refusals of `PUT orders/{uuid}`.

use sandbox::sequra::OrderState as SimState;
use sequra::{Error, InvoiceFeeItem, ServiceItem};

use super::*;

#[tokio::test]
async fn create_order_sends_everything_the_shop_built() {
    let s = Sim::new().await;
    let order = shop_order(&s.shop, MERCHANT, "cart-create");
    assert_eq!(order.cart.order_total_with_tax, SHOP_TOTAL);
    let uuid = s.sequra.create_order(&order).await.unwrap();
    let parsed = Uuid::parse_str(&uuid).unwrap();

    let recorded = s.sim.order(parsed).unwrap();
    assert_eq!(recorded.state, SimState::Solicited);
    assert_eq!(recorded.username, DEMO_USERNAME);
    assert_eq!(recorded.merchant_id, MERCHANT);
    assert_eq!(recorded.solicited_cart.order_total_with_tax, SHOP_TOTAL);
    let kinds: Vec<&str> = recorded
        .solicited_cart
        .items
        .iter()
        .map(|i| i.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "product",
            "product",
            "handling",
            "discount",
            "other_payment"
        ]
    );
    assert_eq!(
        recorded.solicited_cart.product_quantities()[0],
        ("SKU-RUN-42".into(), 2)
    );
    let merchant = &recorded.merchant;
    assert_eq!(
        merchant.notify_url.as_deref(),
        Some(s.shop.url("/sequra/ipn").as_str())
    );
    let params: BTreeMap<String, String> =
        merchant.notification_parameters.iter().cloned().collect();
    assert_eq!(params["signature"], token("cart-create", MERCHANT));
    assert_eq!(params["storeId"], STORE_HASH);
    let hook = merchant.events_webhook.as_ref().unwrap();
    assert_eq!(hook.url, s.shop.url("/sequra/events"));
    assert_eq!(
        merchant.approved_callback.as_deref(),
        Some("sequraApproved")
    );
    assert_eq!(recorded.merchant_reference, None);
    assert_eq!(recorded.customer["email"], "laura@example.es");
    assert_eq!(recorded.customer["logged_in"], true);
    assert_eq!(recorded.delivery_address["address_line_2"], "3º B");
    // The whole body, as sent, is what the client serialized (null keys omitted).
    let sent = serde_json::to_value(&order).unwrap();
    assert_eq!(recorded.solicitation, sent);
    assert_eq!(recorded.solicitation["state"], "");
    assert_eq!(recorded.solicitation["cart"]["cart_ref"], "cart-create");
    assert!(recorded.solicitation["customer"].get("title").is_none());
    assert_no_nulls(&recorded.solicitation, "order");

    let call = s.sim.requests().pop().unwrap();
    assert_eq!(
        (call.method.as_str(), call.path.as_str(), call.status),
        ("POST", "/orders", 204)
    );
    assert_eq!(call.merchant_header.as_deref(), Some(MERCHANT));
}

#[tokio::test]
async fn every_item_type_is_accepted() {
    let s = Sim::new().await;
    let mut order = shop_order(&s.shop, MERCHANT, "cart-items");
    let mut items = shop_items();
    items.push(Item::Service(ServiceItem {
        reference: "WARRANTY-2Y".into(),
        name: "Extended warranty".into(),
        price_with_tax: 1500,
        quantity: 1,
        total_with_tax: 1500,
        downloadable: false,
        ends_in: Some("P2Y".into()),
        ..ServiceItem::default()
    }));
    items.push(Item::registration("REG", "Registration", 300));
    items.push(Item::InvoiceFee(InvoiceFeeItem { total_with_tax: 95 }));
    order.cart = Cart::new("EUR", items);
    let uuid = s.sequra.create_order(&order).await.unwrap();
    let recorded = s.order(&uuid);
    assert_eq!(
        recorded.solicited_cart.order_total_with_tax,
        SHOP_TOTAL + 1500 + 300 + 95
    );
    assert_no_nulls(&recorded.solicitation, "order");
}

#[tokio::test]
async fn a_service_needs_exactly_one_end() {
    // §1.6: a `service` item carries exactly one of `ends_on` (date) / `ends_in` (duration).
    let s = Sim::new().await;
    let service = |ends_on: Option<&str>, ends_in: Option<&str>| {
        Item::Service(ServiceItem {
            reference: "WARRANTY".into(),
            name: "Extended warranty".into(),
            price_with_tax: 1500,
            quantity: 1,
            total_with_tax: 1500,
            downloadable: false,
            ends_on: ends_on.map(str::to_owned),
            ends_in: ends_in.map(str::to_owned),
            ..ServiceItem::default()
        })
    };
    let mut order = shop_order(&s.shop, MERCHANT, "cart-service");
    for (ends_on, ends_in) in [(Some("2027-06-30"), None), (None, Some("P1Y6M"))] {
        order.cart = Cart::new("EUR", vec![service(ends_on, ends_in)]);
        s.sequra.create_order(&order).await.unwrap();
    }
    order.cart = Cart::new("EUR", vec![service(None, None)]);
    assert_eq!(
        errors_of(s.sequra.create_order(&order).await),
        ["Invalid data: order.cart.items[0] needs exactly one of ends_on and ends_in"]
    );
    order.cart = Cart::new("EUR", vec![service(Some("2027-06-30"), Some("P1Y"))]);
    assert_eq!(
        errors_of(s.sequra.create_order(&order).await),
        ["Invalid data: order.cart.items[0] needs exactly one of ends_on and ends_in"]
    );
    assert_eq!(s.sim.orders().len(), 2);
}

#[tokio::test]
async fn totals_that_do_not_add_up_are_rejected_with_sequras_message() {
    let s = Sim::new().await;
    let mut order = shop_order(&s.shop, MERCHANT, "cart-sum");
    order.cart.order_total_with_tax += 42;
    let err = s.sequra.create_order(&order).await.unwrap_err();
    assert!(matches!(err, Error::Rejected { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(
        err.errors(),
        [
            "Invalid data: items' total_with_tax add up to 7493 (3998+4500+495+-500+-1000) but order_total_with_tax is 7535. The diff is 42."
        ]
    );
    assert!(
        err.to_string()
            .contains("409 rejected: Invalid data: items'"),
        "{err}"
    );
    assert!(s.sim.orders().is_empty());
}

#[tokio::test]
async fn invalid_data_is_rejected_one_error_per_problem() {
    let s = Sim::new().await;
    let mut order = shop_order(&s.shop, MERCHANT, "cart-invalid");
    order.cart = Cart::new("USD", shop_items());
    order.merchant.notify_url = Some("not a url".into());
    order.delivery_address.country_code = "Spain".into();
    let errors = errors_of(s.sequra.create_order(&order).await);
    assert_eq!(
        errors,
        [
            "Invalid data: order.merchant.notify_url is not a valid URL: 'not a url'",
            "Invalid data: order.cart.currency 'USD' is not supported (only EUR)",
            "Invalid data: order.delivery_address.country_code 'Spain' is not an ISO-3166 alpha-2 code",
        ]
    );

    // Missing notify_url, a product of quantity 0, a positive discount.
    let mut order = shop_order(&s.shop, MERCHANT, "cart-invalid-2");
    order.merchant.notify_url = None;
    order.cart = Cart::new(
        "EUR",
        vec![
            product("SKU-A", "A", 1000, 0),
            product("SKU-B", "B", 1000, 1),
            Item::discount("BAD", "Bad discount", 100),
        ],
    );
    let errors = errors_of(s.sequra.create_order(&order).await);
    assert_eq!(
        errors,
        [
            "Invalid data: order.merchant.notify_url is missing",
            "Invalid data: order.cart.items[0].quantity must be at least 1",
            "Invalid data: order.cart.items[2].total_with_tax must not be positive",
        ]
    );

    // An empty cart (total 0) cannot be financed.
    let mut order = shop_order(&s.shop, MERCHANT, "cart-empty");
    order.cart = Cart::empty("EUR");
    assert_eq!(
        errors_of(s.sequra.create_order(&order).await),
        ["Invalid data: order.cart.order_total_with_tax must be positive"]
    );

    // A merchant of no account of ours: 403, SeQura's words.
    let order = shop_order(&s.shop, "other_es", "cart-other");
    let err = s.sequra.create_order(&order).await.unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    assert_eq!(err.errors(), ["Bad merchant id 'other_es' for sequra_demo"]);

    // A merchant id that cannot be a header/path id: refused before sending.
    let before = s.sim.requests().len();
    let order = shop_order(&s.shop, "demo es", "cart-space");
    let err = s.sequra.create_order(&order).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(s.sim.requests().len(), before);
    assert!(s.sim.orders().is_empty());
}

#[tokio::test]
async fn a_2xx_without_location_is_missing_location() {
    let s = Sim::new().await;
    // The simulator answers the next POST orders with a bare 204: no Location header.
    s.sim.fail_next_for("orders", 1, 204);
    let order = shop_order(&s.shop, MERCHANT, "cart-location");
    let err = s.sequra.create_order(&order).await.unwrap_err();
    match &err {
        Error::MissingLocation { endpoint, found } => {
            assert_eq!(endpoint, "POST /orders");
            assert_eq!(found, &None);
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable());
    assert!(s.sim.orders().is_empty());
    // The fault is used up: the same body now creates the order.
    let uuid = s.sequra.create_order(&order).await.unwrap();
    assert_eq!(s.order(&uuid).state, SimState::Solicited);
}

#[tokio::test]
async fn identification_form_is_the_iframe_and_script() {
    let s = Sim::new().await;
    let uuid = s.solicit("cart-form", "BC-3001").await;
    let html = s
        .sequra
        .identification_form(MERCHANT, &uuid, "i1", None)
        .await
        .unwrap();
    let base = s.base_url();
    assert!(html.contains("<iframe id='sq-identification-i1'"), "{html}");
    assert!(
        html.contains(&format!(
            "src=\"{base}/orders/{uuid}/pumbaa_form?product=i1\""
        )),
        "{html}"
    );
    assert!(html.contains("window.SequraFormElement = 'sq-identification-i1';"));
    assert!(html.contains(&format!(
        "<script src='{base}/assets/sequra_form.js'></script>"
    )));

    let html = s
        .sequra
        .identification_form(MERCHANT, &uuid, "pp5", Some("temporary"))
        .await
        .unwrap();
    assert!(
        html.contains(&format!(
            "{base}/orders/{uuid}/pumbaa_form?product=pp5&amp;campaign=temporary"
        )),
        "{html}"
    );
    // An empty product is left out: SeQura's default (i1).
    let html = s
        .sequra
        .identification_form(MERCHANT, &uuid, "", None)
        .await
        .unwrap();
    assert!(html.contains("sq-identification-i1"));
    let calls = s.calls_to(&format!("/orders/{uuid}/form_v2"));
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|c| c.2 == 200));

    // The served script the snippet loads exists.
    let script = http()
        .get(format!("{base}/assets/sequra_form.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(script.text().await.unwrap().contains("SequraFormInstance"));
}

#[tokio::test]
async fn identification_form_of_an_unknown_order_is_not_found() {
    let s = Sim::new().await;
    let unknown = Uuid::new_v4().to_string();
    let err = s
        .sequra
        .identification_form(MERCHANT, &unknown, "i1", None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(err.status(), Some(404));
    assert!(!err.is_retryable());
    // A product the merchant does not sell: the same Rails 404.
    let uuid = s.solicit("cart-form-404", "BC-3002").await;
    let err = s
        .sequra
        .identification_form(MERCHANT, &uuid, "pp9", None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn confirming_a_changed_cart_is_rejected() {
    let s = Sim::new().await;
    // The shop is not told about this order: it answers the IPN 404 and confirms nothing.
    let uuid = s
        .sequra
        .create_order(&shop_order(&s.shop, MERCHANT, "cart-changed"))
        .await
        .unwrap();
    s.approve(&uuid);
    s.sim.flush().await;
    assert_eq!(s.order(&uuid).state, SimState::Approved);

    let mut order = shop_order(&s.shop, MERCHANT, "cart-changed");
    order.merchant_reference = Some(MerchantReference::new("BC-4001"));
    let mut items = shop_items();
    items.push(product("SKU-CAP", "Cap", 1200, 1));
    order.cart = Cart::new("EUR", items);
    let errors = errors_of(s.sequra.confirm_order(&uuid, &order).await);
    assert_eq!(
        errors,
        [
            "Invalid data: the cart's order_total_with_tax 8693 differs from the approved 7493. The diff is 1200."
        ]
    );
    assert_eq!(s.order(&uuid).state, SimState::Approved);

    // Without merchant_reference the client does not even ask.
    order.merchant_reference = None;
    let err = s.sequra.confirm_order(&uuid, &order).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");

    // The approved cart confirms.
    let mut order = shop_order(&s.shop, MERCHANT, "cart-changed");
    order.merchant_reference = Some(MerchantReference::new("BC-4001"));
    s.sequra.confirm_order(&uuid, &order).await.unwrap();
    let recorded = s.order(&uuid);
    assert_eq!(recorded.state, SimState::Confirmed);
    assert_eq!(recorded.order_ref_1(), Some("BC-4001"));
    // Confirming again is accepted (idempotent).
    s.sequra.confirm_order(&uuid, &order).await.unwrap();
}

#[tokio::test]
async fn a_duplicate_order_ref_1_is_rejected() {
    let s = Sim::new().await;
    s.confirmed_order("cart-dup-1", "BC-5001").await;
    let second = s.solicit("cart-dup-2", "BC-5001").await;
    s.approve(&second);
    s.sim.flush().await;
    // The shop tried to confirm with the same shop order number, got 409 and answered 410.
    let ipn = s.shop.received_at("/sequra/ipn").pop().unwrap();
    assert_eq!(ipn.answered, 410);
    let acknowledged = ipn.acknowledged.unwrap().unwrap_err();
    assert!(
        acknowledged.contains("409 rejected: Invalid data: order_ref_1 'BC-5001' is already used by another order of merchant 'demo_es'"),
        "{acknowledged}"
    );
    // 410 cancels the order on SeQura's side; the shopper sees the conflict screen.
    let recorded = s.order(&second);
    assert_eq!(recorded.state, SimState::Cancelled);
    assert!(recorded.conflict);
    assert_eq!(s.sim.form_action(recorded.uuid), Some("show_conflict"));

    // The same refusal, called directly on an approved order.
    let third = s.solicit("cart-dup-3", "BC-5001").await;
    s.sim.drop_next_ipn(1);
    s.approve(&third);
    let mut order = shop_order(&s.shop, MERCHANT, "cart-dup-3");
    order.merchant_reference = Some(MerchantReference::new("BC-5001"));
    let errors = errors_of(s.sequra.confirm_order(&third, &order).await);
    assert_eq!(
        errors,
        [
            "Invalid data: order_ref_1 'BC-5001' is already used by another order of merchant 'demo_es'"
        ]
    );
}

#[tokio::test]
async fn acknowledging_unknown_or_undecided_orders() {
    let s = Sim::new().await;
    let mut order = shop_order(&s.shop, MERCHANT, "cart-ack");
    order.merchant_reference = Some(MerchantReference::new("BC-6001"));
    let unknown = Uuid::new_v4().to_string();
    let err = s.sequra.confirm_order(&unknown, &order).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");

    // Still solicited: neither confirmed nor put on hold.
    let uuid = s.sequra.create_order(&order).await.unwrap();
    assert_eq!(
        errors_of(s.sequra.confirm_order(&uuid, &order).await),
        ["Invalid data: the order is solicited; it cannot be confirmed"]
    );
    assert_eq!(
        errors_of(
            s.sequra
                .update_order_state(&uuid, AcknowledgedState::OnHold, &order)
                .await
        ),
        ["Invalid data: the order is solicited; it cannot be on_hold"]
    );
}

#[tokio::test]
async fn another_accounts_order_cannot_be_acknowledged() {
    use sandbox::sequra::{Account, Merchant as SimMerchant};
    let s = Sim::new().await;
    let uuid = s
        .sequra
        .create_order(&shop_order(&s.shop, MERCHANT, "cart-theirs"))
        .await
        .unwrap();
    s.sim.drop_next_ipn(1);
    s.approve(&uuid);
    s.sim.add_account(Account {
        username: "other_account".into(),
        password: "other_secret".into(),
        merchants: vec![SimMerchant::new("other_es", "ES")],
    });
    let other = client_with(ClientConfig::new(
        s.base_url(),
        "other_account",
        SecretString::from("other_secret"),
    ));
    let mut order = shop_order(&s.shop, "other_es", "cart-theirs");
    order.merchant_reference = Some(MerchantReference::new("BC-4101"));
    let err = other.confirm_order(&uuid, &order).await.unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    assert_eq!(
        err.errors(),
        [format!("Bad order id '{uuid}' for other_account")]
    );
    let err = other
        .order_payment_methods("other_es", &uuid)
        .await
        .unwrap_err();
    assert_eq!(
        err.errors(),
        [format!("Bad order id '{uuid}' for other_account")]
    );
    let err = other
        .identification_form("other_es", &uuid, "i1", None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(s.order(&uuid).state, SimState::Approved);

    // Holding an approved order is refused too.
    let mut order = shop_order(&s.shop, MERCHANT, "cart-theirs");
    order.merchant_reference = Some(MerchantReference::new("BC-4101"));
    assert_eq!(
        errors_of(
            s.sequra
                .update_order_state(&uuid, AcknowledgedState::OnHold, &order)
                .await
        ),
        ["Invalid data: the order is approved; it cannot be on_hold"]
    );
}

#[tokio::test]
async fn a_minimal_guest_order_is_accepted() {
    let s = Sim::new().await;
    let mut order = shop_order(&s.shop, MERCHANT, "cart-guest");
    order.merchant.events_webhook = None;
    order.merchant.notification_parameters = None;
    order.merchant.options = None;
    order.merchant.return_url = None;
    order.customer = Customer {
        email: "guest@example.es".into(),
        language_code: "es-ES".into(),
        ip_number: "198.51.100.1".into(),
        user_agent: "curl/8".into(),
        ..Customer::default()
    };
    order.delivery_address.given_names = None;
    order.delivery_address.mobile_phone = None;
    order.gui.layout = Layout::Smartphone;
    let uuid = s.sequra.create_order(&order).await.unwrap();
    let recorded = s.order(&uuid);
    assert_eq!(recorded.customer["logged_in"], "unknown");
    assert_eq!(recorded.solicitation["gui"]["layout"], "smartphone");
    assert_eq!(recorded.solicitation["delivery_address"]["company"], "");
    assert!(recorded.merchant.notification_parameters.is_empty());
}
