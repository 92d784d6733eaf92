//! Every client call against the SeQura sandbox (`sandbox::sequra`), success paths and each
//! error kind, and the notification journeys with a small stand-in shop that verifies the
//! signature and acknowledges through the client before answering, as the app does.

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use parking_lot::Mutex;
use sandbox::sequra::{DEMO_PASSWORD, DEMO_USERNAME, ReviewOutcome, SequraOptions, SpawnedSequra};
use secrecy::SecretString;
use sequra::{
    AcknowledgedState, Cart, ClientConfig, DeliveredOrder, DeliveryReport, DeliveryState, Error,
    Item, MerchantReference, Notification, NotificationKind, NotificationState, OrderRequest,
    OrderUpdate, ProductItem, SequraClient, signature,
};

const MERCHANT: &str = "demo_es";
const KEY: &[u8] = b"per-store notification key";

async fn sim() -> SpawnedSequra {
    sandbox::sequra::spawn(SequraOptions {
        tick_interval: None,
        ..SequraOptions::default()
    })
    .await
    .unwrap()
}

fn client(base: &str, password: &str) -> SequraClient {
    let config = ClientConfig::new(
        format!("{base}/"),
        DEMO_USERNAME,
        SecretString::from(password.to_owned()),
    );
    SequraClient::new(reqwest::Client::new(), config).unwrap()
}

fn demo(sim: &SpawnedSequra) -> SequraClient {
    client(sim.base_url(), DEMO_PASSWORD)
}

fn product(sku: &str, unit: i64, qty: i64) -> Item {
    Item::Product(ProductItem {
        reference: sku.into(),
        name: format!("Product {sku}"),
        price_with_tax: unit,
        quantity: qty,
        total_with_tax: unit * qty,
        ..ProductItem::default()
    })
}

/// A realistic solicitation: two products, shipping, a coupon, store credit.
fn order(shop: &str, cart_ref: &str) -> OrderRequest {
    let mut order: OrderRequest = serde_json::from_value(serde_json::json!({
        "state": "",
        "merchant": { "id": MERCHANT },
        "cart": { "currency": "EUR", "gift": false, "order_total_with_tax": 0, "items": [] },
        "delivery_method": { "name": "Standard" },
        "delivery_address": { "given_names": "Fulano", "surnames": "De Tal", "company": "",
            "address_line_1": "Carrer d'Alí Bei, 7", "address_line_2": "", "postal_code": "08010",
            "city": "Barcelona", "country_code": "ES" },
        "invoice_address": { "given_names": "Fulano", "surnames": "De Tal", "company": "",
            "address_line_1": "Carrer d'Alí Bei, 7", "address_line_2": "", "postal_code": "08010",
            "city": "Barcelona", "country_code": "ES" },
        "customer": { "email": "test@sequra.es", "language_code": "es-ES",
            "ip_number": "203.0.113.7", "user_agent": "Mozilla/5.0", "logged_in": true,
            "given_names": "Fulano", "surnames": "De Tal" },
        "gui": { "layout": "desktop" },
        "platform": { "name": "BigCommerce", "version": "v3", "uname": "test", "db_name": "sqlite", "db_version": "3" }
    }))
    .unwrap();
    order.cart = Cart::new(
        "EUR",
        vec![
            product("CAM", 2500, 2),
            product("ZAP", 6000, 1),
            Item::handling("shipping", "Standard", 500),
            Item::discount("WELCOME", "Discount WELCOME", -1000),
            Item::other_payment("store_credit", "Store credit", -2000),
        ],
    )
    .with_ref(cart_ref);
    let sig = signature::sign(KEY, &["store", cart_ref, MERCHANT]);
    let mut params = std::collections::BTreeMap::new();
    params.insert("signature".to_owned(), sig.clone());
    params.insert("cart".to_owned(), cart_ref.to_owned());
    order.merchant.notify_url = Some(format!("{shop}/ipn"));
    order.merchant.notification_parameters = Some(params.clone());
    order.merchant.return_url = Some(format!("{shop}/return"));
    order.merchant.events_webhook = Some(sequra::EventsWebhook {
        url: format!("{shop}/events"),
        parameters: params,
    });
    order
}

/// The stand-in shop: verifies each notification, acknowledges IPNs through the client
/// (with `order_ref_1`), then answers `answer`.
#[derive(Clone)]
struct Shop {
    base: String,
    notifications: Arc<Mutex<Vec<Notification>>>,
    answer: Arc<AtomicU16>,
    client: SequraClient,
    order: Arc<Mutex<Option<OrderRequest>>>,
    order_ref_1: String,
}

async fn shop(client: SequraClient, order_ref_1: &str) -> Shop {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let shop = Shop {
        base: format!("http://{}", listener.local_addr().unwrap()),
        notifications: Arc::default(),
        answer: Arc::new(AtomicU16::new(200)),
        client,
        order: Arc::default(),
        order_ref_1: order_ref_1.to_owned(),
    };
    let app = Router::new()
        .route("/ipn", post(receive))
        .route("/events", post(receive))
        .with_state(shop.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    shop
}

async fn receive(State(shop): State<Shop>, body: Bytes) -> StatusCode {
    let Ok(n) = Notification::parse(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let given = n.parameters.get("signature").cloned().unwrap_or_default();
    let cart = n.parameters.get("cart").cloned().unwrap_or_default();
    if !signature::verify(KEY, &["store", &cart, MERCHANT], &given) {
        return StatusCode::FORBIDDEN;
    }
    shop.notifications.lock().push(n.clone());
    if n.kind == NotificationKind::Ipn && n.state != NotificationState::Cancelled {
        let ack = if n.state == NotificationState::Approved {
            AcknowledgedState::Confirmed
        } else {
            AcknowledgedState::OnHold
        };
        let Some(mut order) = shop.order.lock().clone() else {
            return StatusCode::NOT_FOUND;
        };
        order.merchant_reference = Some(MerchantReference::new(shop.order_ref_1.clone()));
        if shop
            .client
            .update_order_state(&n.order_ref, ack, &order)
            .await
            .is_err()
        {
            return StatusCode::GONE;
        }
    }
    StatusCode::from_u16(shop.answer.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
}

/// A solicited order and its shop.
async fn solicited(sim: &SpawnedSequra, order_ref_1: &str) -> (Shop, String, OrderRequest) {
    let c = demo(sim);
    let shop = shop(c.clone(), order_ref_1).await;
    let o = order(&shop.base, &format!("cart-{order_ref_1}"));
    *shop.order.lock() = Some(o.clone());
    let uuid = c.create_order(&o).await.unwrap();
    (shop, uuid, o)
}

fn state_of(sim: &SpawnedSequra, uuid: &str) -> String {
    format!(
        "{:?}",
        sim.control().order(uuid.parse().unwrap()).unwrap().state
    )
}

#[tokio::test]
async fn credentials_and_merchants() {
    let sim = sim().await;
    let merchants = demo(&sim).credentials().await.unwrap();
    let refs: Vec<_> = merchants.iter().map(|m| m.reference.as_str()).collect();
    assert!(
        refs.contains(&"demo_es") && refs.contains(&"demo_fr"),
        "{refs:?}"
    );
    assert_eq!(
        merchants
            .iter()
            .find(|m| m.reference == "demo_es")
            .unwrap()
            .country
            .as_deref(),
        Some("ES")
    );
    demo(&sim).merchant_credentials(MERCHANT).await.unwrap();
    match demo(&sim).merchant_credentials("someone_else").await {
        Err(Error::Forbidden { errors, .. }) => {
            assert!(errors.join(" ").contains("someone_else"), "{errors:?}")
        }
        other => panic!("{other:?}"),
    }
    let wrong = client(sim.base_url(), "wrong");
    assert!(matches!(
        wrong.credentials().await,
        Err(Error::InvalidCredentials { .. })
    ));
    assert!(matches!(
        wrong.merchant_payment_methods(MERCHANT).await,
        Err(Error::InvalidCredentials { .. })
    ));
    assert!(matches!(
        wrong.create_order(&order("http://127.0.0.1:9", "x")).await,
        Err(Error::InvalidCredentials { .. })
    ));
}

#[tokio::test]
async fn payment_methods_of_a_merchant_and_of_an_order() {
    let sim = sim().await;
    let methods = demo(&sim).merchant_payment_methods(MERCHANT).await.unwrap();
    let products: Vec<_> = methods.methods().map(|(_, m)| m.product.clone()).collect();
    for p in ["i1", "pp5", "sp1", "pp3", "fp1"] {
        assert!(products.iter().any(|x| x == p), "{p} in {products:?}");
    }
    let pp3 = methods.methods().find(|(_, m)| m.product == "pp3").unwrap();
    assert_eq!(pp3.0.category.as_deref(), Some("part_payment"));
    assert!(pp3.1.min_amount.is_some());
    assert!(matches!(
        demo(&sim).merchant_payment_methods("someone_else").await,
        Err(Error::Forbidden { .. })
    ));

    let (_, uuid, _) = solicited(&sim, "1001").await;
    let for_order = demo(&sim)
        .order_payment_methods(MERCHANT, &uuid)
        .await
        .unwrap();
    let pp3 = for_order
        .methods()
        .find(|(_, m)| m.product == "pp3")
        .unwrap()
        .1;
    assert!(
        pp3.cost.as_ref().unwrap().instalment_total > 0,
        "costs for the order's amount"
    );
    let unknown = "00000000-0000-4000-8000-000000000000";
    assert!(matches!(
        demo(&sim).order_payment_methods(MERCHANT, unknown).await,
        Err(Error::Forbidden { .. })
    ));
}

#[tokio::test]
async fn solicitation_validation_and_the_form() {
    let sim = sim().await;
    let c = demo(&sim);
    let mut bad = order("http://127.0.0.1:9", "bad");
    bad.cart.order_total_with_tax += 42;
    match c.create_order(&bad).await {
        Err(Error::Rejected { errors, .. }) => {
            let text = errors.join(" ");
            assert!(
                text.contains("Invalid data: items' total_with_tax add up to")
                    && text.contains("The diff is"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    let mut other_merchant = order("http://127.0.0.1:9", "other");
    other_merchant.merchant.id = "someone_else".into();
    assert!(matches!(
        c.create_order(&other_merchant).await,
        Err(Error::Forbidden { .. })
    ));
    let mut dollars = order("http://127.0.0.1:9", "usd");
    dollars.cart.currency = "USD".into();
    assert!(matches!(
        c.create_order(&dollars).await,
        Err(Error::Rejected { .. })
    ));

    let (_, uuid, _) = solicited(&sim, "1002").await;
    let html = c
        .identification_form(MERCHANT, &uuid, "pp3", None)
        .await
        .unwrap();
    assert!(
        html.contains("<iframe") && html.contains(&uuid) && html.contains("product=pp3"),
        "{html}"
    );
    assert!(matches!(
        c.identification_form(MERCHANT, "00000000-0000-4000-8000-000000000000", "i1", None)
            .await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn approve_review_and_cancel_journeys() {
    let sim = sim().await;
    let (shop, uuid, _) = solicited(&sim, "1003").await;
    sim.control().approve(uuid.parse().unwrap()).unwrap();
    sim.control().flush().await;
    assert_eq!(state_of(&sim, &uuid), "Confirmed");
    let n = shop.notifications.lock().clone();
    assert_eq!(
        (n[0].kind, n[0].state),
        (NotificationKind::Ipn, NotificationState::Approved)
    );
    assert_eq!(n[0].order_ref, uuid);
    let sq = sim.control().order(uuid.parse().unwrap()).unwrap();
    assert_eq!(sq.merchant_reference.unwrap().order_ref_1, "1003");

    let (shop, uuid, _) = solicited(&sim, "1004").await;
    let id = uuid.parse().unwrap();
    sim.control().review(id).unwrap();
    sim.control().flush().await;
    assert_eq!(state_of(&sim, &uuid), "OnHold");
    sim.control()
        .complete_review(id, ReviewOutcome::Cancel)
        .unwrap();
    sim.control().flush().await;
    let n = shop.notifications.lock().clone();
    let event = n
        .iter()
        .find(|n| n.kind == NotificationKind::Event)
        .unwrap();
    assert_eq!(event.state, NotificationState::Cancelled);
    assert!(
        event.parameters.contains_key("signature"),
        "m_ prefix stripped: {:?}",
        event.parameters
    );

    let (_, uuid, _) = solicited(&sim, "1005").await;
    let id = uuid.parse().unwrap();
    sim.control().review(id).unwrap();
    sim.control().flush().await;
    sim.control()
        .complete_review(id, ReviewOutcome::Approve)
        .unwrap();
    sim.control().flush().await;
    assert_eq!(state_of(&sim, &uuid), "Confirmed");
}

#[tokio::test]
async fn confirmation_refusals() {
    let sim = sim().await;
    let c = demo(&sim);
    // The shop answers the IPN without confirming; the test confirms by hand.
    let (shop, uuid, mut o) = solicited(&sim, "2001").await;
    *shop.order.lock() = None;
    shop.answer.store(409, Ordering::SeqCst);
    sim.control().approve(uuid.parse().unwrap()).unwrap();
    sim.control().flush().await;
    o.merchant_reference = Some(MerchantReference::new("2001"));
    let mut changed = o.clone();
    changed.cart = Cart::new("EUR", vec![product("CAM", 2500, 1)]);
    assert!(matches!(
        c.update_order_state(&uuid, AcknowledgedState::Confirmed, &changed)
            .await,
        Err(Error::Rejected { .. })
    ));
    c.confirm_order(&uuid, &o).await.unwrap();

    // A second order may not reuse order_ref_1 "2001".
    let (other_shop, other, mut o2) = solicited(&sim, "2002").await;
    *other_shop.order.lock() = None;
    other_shop.answer.store(409, Ordering::SeqCst);
    sim.control().approve(other.parse().unwrap()).unwrap();
    sim.control().flush().await;
    o2.merchant_reference = Some(MerchantReference::new("2001"));
    assert!(matches!(
        c.confirm_order(&other, &o2).await,
        Err(Error::Rejected { .. })
    ));
}

#[tokio::test]
async fn order_updates_shipments_refunds_cancellation_and_refusals() {
    let sim = sim().await;
    let c = demo(&sim);
    let (_, uuid, o) = solicited(&sim, "A14/12345").await;
    sim.control().approve(uuid.parse().unwrap()).unwrap();
    sim.control().flush().await;
    assert_eq!(
        state_of(&sim, &uuid),
        "Confirmed",
        "a reference with a slash confirmed"
    );
    let update = |unshipped: Vec<Item>, shipped: Vec<Item>| {
        OrderUpdate::new(
            MERCHANT,
            MerchantReference::new("A14/12345"),
            Cart::new("EUR", unshipped),
            Cart::new("EUR", shipped),
            o.platform.clone(),
        )
    };
    // Partial shipment: one shirt and the shoes leave.
    c.update_order(
        MERCHANT,
        "A14/12345",
        &update(
            vec![
                product("CAM", 2500, 1),
                Item::handling("shipping", "Standard", 250),
            ],
            vec![
                product("CAM", 2500, 1),
                product("ZAP", 6000, 1),
                Item::handling("shipping", "Standard", 250),
                Item::discount("WELCOME", "Discount", -1000),
                Item::other_payment("store_credit", "Store credit", -2000),
            ],
        ),
    )
    .await
    .unwrap();
    let sq = sim.control().order(uuid.parse().unwrap()).unwrap();
    assert_eq!(sq.shipped_cart.order_total_with_tax, 5750);
    assert_eq!(sq.unshipped_cart.order_total_with_tax, 2750);

    // Shipping more than was ordered is refused, with SeQura's reason.
    match c
        .update_order(
            MERCHANT,
            "A14/12345",
            &update(vec![product("CAM", 2500, 5)], Vec::new()),
        )
        .await
    {
        Err(Error::Rejected { errors, .. }) => assert!(!errors.is_empty()),
        other => panic!("{other:?}"),
    }
    // A cart whose items do not add up is refused.
    let mut broken = update(vec![product("CAM", 2500, 1)], Vec::new());
    broken.unshipped_cart.order_total_with_tax = 1;
    assert!(matches!(
        c.update_order(MERCHANT, "A14/12345", &broken).await,
        Err(Error::Rejected { .. })
    ));
    // An unknown order.
    assert!(matches!(
        c.update_order(MERCHANT, "no-such-order", &update(Vec::new(), Vec::new()))
            .await,
        Err(Error::NotFound { .. })
    ));
    // Cancellation: both carts empty.
    c.update_order(
        MERCHANT,
        "A14/12345",
        &OrderUpdate::cancellation(
            MERCHANT,
            MerchantReference::new("A14/12345"),
            "EUR",
            o.platform.clone(),
        ),
    )
    .await
    .unwrap();
    assert_eq!(state_of(&sim, &uuid), "Cancelled");

    // The delivery report is accepted.
    let mut report = DeliveryReport::new(MERCHANT, o.platform.clone());
    report.orders.push(DeliveredOrder {
        state: DeliveryState::Shipped,
        sent_at: Some("2026-11-26T10:00:00+01:00".into()),
        merchant_reference: MerchantReference::new("A14/12345"),
        cart: Cart::new("EUR", vec![product("CAM", 2500, 1)]),
        remaining_cart: None,
        trackings: None,
        delivery_method: None,
        delivery_address: None,
        invoice_address: None,
        customer: None,
    });
    c.delivery_report(&report).await.unwrap();
    assert_eq!(sim.control().delivery_reports().len(), 1);
}

#[tokio::test]
async fn outages_are_retryable_and_writes_are_never_resent() {
    let sim = sim().await;
    sim.control().fail_next(1, 503);
    let requests_before = sim.control().requests().len();
    match demo(&sim)
        .create_order(&order("http://127.0.0.1:9", "outage"))
        .await
    {
        Err(e) => assert!(
            e.is_retryable() && matches!(e, Error::Server { .. }),
            "{e:?}"
        ),
        Ok(u) => panic!("created {u}"),
    }
    assert!(sim.control().orders().is_empty());
    assert!(
        sim.control().requests().len() <= requests_before + 1,
        "the POST was not re-sent"
    );

    sim.control().set_latency(Some(Duration::from_millis(800)));
    let impatient = SequraClient::new(
        reqwest::Client::new(),
        ClientConfig::new(
            format!("{}/", sim.base_url()),
            DEMO_USERNAME,
            SecretString::from(DEMO_PASSWORD.to_owned()),
        )
        .with_timeout(Duration::from_millis(200)),
    )
    .unwrap();
    let e = impatient.credentials().await.unwrap_err();
    assert!(
        e.is_retryable() && matches!(e, Error::Transport { .. }),
        "{e:?}"
    );
    sim.control().set_latency(None);

    let addr = sim.addr;
    drop(sim);
    let gone = client(&format!("http://{addr}"), DEMO_PASSWORD);
    let e = gone.credentials().await.unwrap_err();
    assert!(e.is_retryable(), "{e:?}");
}
