//! The checkout script (`assets/checkout.js`) in real headless Chromium.
//!
//! Three origins, as in production: a fixture checkout page (the DOM contract of
//! `bigcommerce-platform.md` §3.6, served under a CSP without `'unsafe-inline'`, with the
//! storefront's `/api/storefront/carts` and `/api/storefront/checkouts/{id}`); the app's
//! origin, serving the script (loaded with `integrity` + `crossorigin="anonymous"`) and stubs
//! of its three storefront endpoints (CORS for the storefront origin); and the real SeQura
//! sandbox, whose identification form the stub relays as `form_html`. The stub learns the
//! outcome like the app does: the SeQura IPN marks a solicitation completed; a rejection
//! in the form is read from the sandbox.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use fantoccini::{Client, Locator};
use parking_lot::Mutex;
use sandbox::sequra::{
    DEMO_PASSWORD, DEMO_USERNAME, OrderState, SequraOptions, SequraSim, SpawnedSequra,
};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

use crate::support::browser::{browser, click, wait_for, wait_for_text, wait_gone};

const CHECKOUT_JS: &[u8] = include_bytes!("../../assets/checkout.js");
const PAGE: &str = include_str!("fixtures/checkout/page.html");
const PAGE_JS: &str = include_str!("fixtures/checkout/checkout-app.js");
const STORE: &str = "abc123";
const CART: &str = "6f3c7c56-8e3a-4b1e-9d7a-3f1f0e2b9c10";
const MERCHANT: &str = "demo_es";
const REJECTED: &str = "SeQura did not approve this payment (stub).";
const METHOD: &str = "[data-test=sequra-method]";

// --- the storefront (fixture checkout page) ---------------------------------------------

struct Shop {
    app_url: String,
    sequra_url: String,
    checkout: Mutex<Value>,
}

fn checkout_json(grand_total: f64, outstanding: f64, store_credit: bool) -> Value {
    json!({
        "id": CART,
        "cart": {
            "id": CART,
            "currency": {"code": "EUR", "symbol": "€", "decimalPlaces": 2},
            "isTaxIncluded": true,
            "lineItems": {
                "physicalItems": [
                    {"id": "li-1", "productId": 111, "quantity": 1, "salePrice": 100.0},
                    {"id": "li-2", "productId": 112, "quantity": 2, "salePrice": 20.0}
                ],
                "digitalItems": [{"id": "li-3", "productId": 113, "quantity": 1, "salePrice": 5.0}],
                "giftCertificates": [],
                "customItems": []
            }
        },
        "billingAddress": {"firstName": "Fulano", "lastName": "De Tal", "countryCode": "ES"},
        "customer": {"id": 7, "isGuest": false, "email": "test@sequra.es", "storeCredit": 26.55},
        "grandTotal": grand_total,
        "outstandingBalance": outstanding,
        "isStoreCreditApplied": store_credit,
        "orderId": null,
        "version": 3
    })
}

const NONCE: &str = "cHJvdGVjdGVkLWNoZWNrb3V0";

/// The checkout page under a CSP without `'unsafe-inline'`: host-based, or nonce-only (the
/// strictest of what BigCommerce offers merchants: every script, SeQura's included, needs
/// the nonce) when `nonce` is set.
fn page(shop: &Shop, integrity: &str, nonce: bool) -> Response {
    let html = PAGE
        .replace(
            "{{SCRIPT_SRC}}",
            &format!("{}/storefront/checkout.js?store={STORE}", shop.app_url),
        )
        .replace("{{INTEGRITY}}", integrity)
        .replace(
            "{{NONCE}}",
            &if nonce {
                format!(" nonce=\"{NONCE}\"")
            } else {
                String::new()
            },
        );
    let scripts = if nonce {
        format!("'nonce-{NONCE}'")
    } else {
        format!("'self' {} {}", shop.app_url, shop.sequra_url)
    };
    let csp = format!(
        "default-src 'self'; script-src {scripts}; connect-src 'self' {app}; \
         frame-src {sequra}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
         object-src 'none'; base-uri 'none'",
        app = shop.app_url,
        sequra = shop.sequra_url,
    );
    ([(header::CONTENT_SECURITY_POLICY, csp)], Html(html)).into_response()
}

fn shop_router(shop: Arc<Shop>) -> Router {
    Router::new()
        .route(
            "/checkout",
            get(|State(shop): State<Arc<Shop>>| async move {
                page(&shop, &bigcommerce::sri_sha384(CHECKOUT_JS), false)
            }),
        )
        .route(
            "/checkout-nonce",
            get(|State(shop): State<Arc<Shop>>| async move {
                page(&shop, &bigcommerce::sri_sha384(CHECKOUT_JS), true)
            }),
        )
        .route(
            "/checkout-tampered",
            get(|State(shop): State<Arc<Shop>>| async move {
                // The hash of other bytes: what BigCommerce would send if the file changed
                // after registration.
                page(
                    &shop,
                    &bigcommerce::sri_sha384(b"console.log('v1');"),
                    false,
                )
            }),
        )
        .route(
            "/fixture/checkout-app.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript")], PAGE_JS) }),
        )
        .route(
            "/api/storefront/carts",
            get(|| async { axum::Json(json!([{"id": CART, "customerId": 7}])) }),
        )
        .route(
            "/api/storefront/checkouts/{id}",
            get(
                |State(shop): State<Arc<Shop>>, Path(id): Path<String>| async move {
                    if id == CART {
                        axum::Json(shop.checkout.lock().clone()).into_response()
                    } else {
                        StatusCode::NOT_FOUND.into_response()
                    }
                },
            ),
        )
        .route(
            "/order-confirmation/{id}",
            get(|Path(id): Path<String>| async move {
                Html(format!(
                    "<!DOCTYPE html><title>Order confirmation</title>\
                     <h1 id=\"confirmation\">Thank you for your order {id}</h1>"
                ))
            }),
        )
        .with_state(shop)
}

// --- the app (stub of its storefront endpoints) ------------------------------------------

/// A request the app stub got (bodies of solicitations are kept apart).
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
}

struct Solicitation {
    sequra_order: String,
    completed: bool,
}

struct Stub {
    base_url: String,
    storefront_origin: String,
    sequra: SequraSim,
    http: reqwest::Client,
    methods: Mutex<Value>,
    seen: Mutex<Vec<Seen>>,
    bodies: Mutex<Vec<Value>>,
    /// When set, `POST …/solicitations` answers this instead of creating one.
    solicitation_answer: Mutex<Option<(StatusCode, Value)>>,
    solicitations: Mutex<HashMap<String, Solicitation>>,
    confirmation_url: String,
}

impl Stub {
    fn seen_paths(&self, method: &Method, suffix: &str) -> Vec<Seen> {
        self.seen
            .lock()
            .iter()
            .filter(|s| s.method == *method && s.path.ends_with(suffix))
            .cloned()
            .collect()
    }

    fn touched(&self, part: &str) -> bool {
        self.seen.lock().iter().any(|s| s.path.contains(part))
    }

    /// Creates the SeQura order (IPNs to this stub) and fetches its form, as the app does.
    async fn solicit(&self, id: &str, product: &str, campaign: Option<&str>) -> (String, String) {
        let sequra = self.sequra.base_url();
        let address = json!({
            "given_names": "Fulano", "surnames": "De Tal", "company": "",
            "address_line_1": "Carrer d'Alí Bei, 7", "address_line_2": "",
            "postal_code": "08010", "city": "Barcelona", "country_code": "ES",
            "phone": "666666666"
        });
        let body = json!({"order": {
            "state": "",
            "merchant": {
                "id": MERCHANT,
                "notify_url": format!("{}/ipn", self.base_url),
                "notification_parameters": {"solicitation": id},
                "events_webhook": {"url": format!("{}/events", self.base_url), "parameters": {"solicitation": id}},
                "options": {"has_jquery": false}
            },
            "merchant_reference": {"order_ref_1": format!("cart-{id}")},
            "cart": {
                "currency": "EUR", "gift": false, "cart_ref": CART,
                "order_total_with_tax": 12345,
                "items": [
                    {"type": "product", "reference": "SKU-1", "name": "Product", "price_with_tax": 11845,
                     "quantity": 1, "total_with_tax": 11845, "downloadable": false},
                    {"type": "handling", "reference": "shipping cost", "name": "Shipping cost", "total_with_tax": 500}
                ]
            },
            "delivery_method": {"name": "Standard", "home_delivery": true},
            "delivery_address": address,
            "invoice_address": address,
            "customer": {
                "email": "test@sequra.es", "given_names": "Fulano", "surnames": "De Tal",
                "language_code": "es-ES", "ip_number": "127.0.0.1", "user_agent": "Mozilla/5.0",
                "logged_in": false, "date_of_birth": "2000-01-01", "nin": "23232323T"
            },
            "gui": {"layout": "desktop"},
            "platform": {"name": "BigCommerce", "version": "3", "plugin_version": "0.1.0",
                         "uname": "Linux", "db_name": "sqlite", "db_version": "3"}
        }});
        let created = self
            .http
            .post(format!("{sequra}/orders"))
            .basic_auth(DEMO_USERNAME, Some(DEMO_PASSWORD))
            .header("Sequra-Merchant-Id", MERCHANT)
            .header(header::ACCEPT, "application/json")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status().as_u16(), 204);
        let location = created.headers()[header::LOCATION].to_str().unwrap();
        let uuid = location.rsplit('/').next().unwrap().to_owned();
        let mut query = vec![("product", product), ("ajax", "1")];
        if let Some(campaign) = campaign {
            query.push(("campaign", campaign));
        }
        let form = self
            .http
            .get(format!("{sequra}/orders/{uuid}/form_v2"))
            .query(&query)
            .basic_auth(DEMO_USERNAME, Some(DEMO_PASSWORD))
            .header("Sequra-Merchant-Id", MERCHANT)
            .send()
            .await
            .unwrap();
        assert_eq!(form.status().as_u16(), 200);
        (uuid, form.text().await.unwrap())
    }
}

/// Records every request and answers CORS for the storefront origin (preflights included).
async fn cors(State(stub): State<Arc<Stub>>, request: Request, next: Next) -> Response {
    let query = url::form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    stub.seen.lock().push(Seen {
        method: request.method().clone(),
        path: request.uri().path().to_owned(),
        query,
    });
    let origin = HeaderValue::from_str(&stub.storefront_origin).unwrap();
    if request.method() == Method::OPTIONS {
        return (
            StatusCode::NO_CONTENT,
            [
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, origin),
                (
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, POST"),
                ),
                (
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("content-type, accept"),
                ),
                (header::VARY, HeaderValue::from_static("Origin")),
            ],
        )
            .into_response();
    }
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .or_insert(origin);
    response
}

async fn stub_methods(State(stub): State<Arc<Stub>>) -> Response {
    axum::Json(json!({"methods": stub.methods.lock().clone()})).into_response()
}

async fn stub_solicit(State(stub): State<Arc<Stub>>, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    stub.bodies.lock().push(body.clone());
    if let Some((status, answer)) = stub.solicitation_answer.lock().clone() {
        return (status, axum::Json(answer)).into_response();
    }
    let id = format!("sol-{}", stub.bodies.lock().len());
    let product = body["product"].as_str().unwrap_or("i1").to_owned();
    let campaign = body["campaign"].as_str().map(str::to_owned);
    let (sequra_order, form_html) = stub.solicit(&id, &product, campaign.as_deref()).await;
    stub.solicitations.lock().insert(
        id.clone(),
        Solicitation {
            sequra_order,
            completed: false,
        },
    );
    (
        StatusCode::CREATED,
        axum::Json(json!({
            "id": id,
            "form_html": form_html,
            "status_url": format!("{}/storefront/{STORE}/solicitations/{id}", stub.base_url),
        })),
    )
        .into_response()
}

async fn stub_status(
    State(stub): State<Arc<Stub>>,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    let (order, completed) = match stub.solicitations.lock().get(&id) {
        Some(s) => (s.sequra_order.clone(), s.completed),
        None => return StatusCode::NOT_FOUND.into_response(),
    };
    let rejected = uuid::Uuid::parse_str(&order)
        .ok()
        .and_then(|uuid| stub.sequra.order(uuid))
        .is_some_and(|o| o.state == OrderState::Rejected);
    let status = if completed {
        json!({"state": "completed", "confirmation_url": stub.confirmation_url, "message": null})
    } else if rejected {
        json!({"state": "rejected", "confirmation_url": null, "message": REJECTED})
    } else {
        json!({"state": "pending", "confirmation_url": null, "message": null})
    };
    axum::Json(status).into_response()
}

/// SeQura's IPN: the "app" creates the order and the solicitation is completed.
async fn stub_ipn(State(stub): State<Arc<Stub>>, body: Bytes) -> StatusCode {
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if field("sq_state").as_deref() == Some("approved")
        && let Some(id) = field("solicitation")
        && let Some(s) = stub.solicitations.lock().get_mut(&id)
    {
        s.completed = true;
    }
    StatusCode::OK
}

fn stub_router(stub: Arc<Stub>) -> Router {
    Router::new()
        .route(
            "/storefront/checkout.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                    ],
                    CHECKOUT_JS,
                )
            }),
        )
        .route(
            "/storefront/{store}/checkouts/{id}/methods",
            get(stub_methods),
        )
        .route(
            "/storefront/{store}/checkouts/{id}/solicitations",
            post(stub_solicit),
        )
        .route("/storefront/{store}/solicitations/{id}", get(stub_status))
        .route("/ipn", post(stub_ipn))
        .route("/events", post(|| async { StatusCode::OK }))
        .layer(middleware::from_fn_with_state(stub.clone(), cors))
        .with_state(stub)
}

// --- the harness -----------------------------------------------------------------------------

struct Servers(Vec<JoinHandle<()>>);

impl Drop for Servers {
    fn drop(&mut self) {
        for server in &self.0 {
            server.abort();
        }
    }
}

struct Harness {
    shop_url: String,
    shop: Arc<Shop>,
    stub: Arc<Stub>,
    _sequra: SpawnedSequra,
    _servers: Servers,
}

fn icon() -> String {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="8" fill="#00c2a3"/></svg>"##;
    format!(
        "data:image/svg+xml;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(svg)
    )
}

fn pp3() -> Value {
    json!({
        "product": "pp3", "campaign": null, "title": "Paga en 3 plazos",
        "long_title": "Paga en 3 plazos sin intereses", "claim": "sin intereses",
        "description": null, "cost_description": "sin coste adicional",
        "category": "part_payment", "icon": icon()
    })
}

fn pp5() -> Value {
    json!({
        "product": "pp5", "campaign": "temporary", "title": "Fracciona tu pago",
        "long_title": null, "claim": null, "description": null,
        "cost_description": "desde 10,00 €/mes", "category": "part_payment", "icon": null
    })
}

async fn harness() -> Harness {
    let sequra = sandbox::sequra::spawn(SequraOptions::default())
        .await
        .unwrap();
    let shop_bound = sandbox::server::bind_local(0).await.unwrap();
    let app_bound = sandbox::server::bind_local(0).await.unwrap();
    let shop = Arc::new(Shop {
        app_url: app_bound.base_url.clone(),
        sequra_url: sequra.base_url().to_owned(),
        checkout: Mutex::new(checkout_json(150.0, 123.45, true)),
    });
    let stub = Arc::new(Stub {
        base_url: app_bound.base_url.clone(),
        storefront_origin: shop_bound.base_url.clone(),
        sequra: sequra.sim.clone(),
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        methods: Mutex::new(json!([pp3(), pp5()])),
        seen: Mutex::new(Vec::new()),
        bodies: Mutex::new(Vec::new()),
        solicitation_answer: Mutex::new(None),
        solicitations: Mutex::new(HashMap::new()),
        confirmation_url: format!("{}/order-confirmation/250?t=token-250", shop_bound.base_url),
    });
    let servers = Servers(vec![
        sandbox::server::serve(shop_bound.listener, shop_router(shop.clone())),
        sandbox::server::serve(app_bound.listener, stub_router(stub.clone())),
    ]);
    Harness {
        shop_url: shop_bound.base_url,
        shop,
        stub,
        _sequra: sequra,
        _servers: servers,
    }
}

/// Readiness wait on the stubs (not a timing assertion).
async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !condition() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.unwrap().len()
}

async fn wait_count(c: &Client, css: &str, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = count(c, css).await;
        if found == n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{css}: {found} elements, never {n}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn attr(c: &Client, css: &str, name: &str) -> Option<String> {
    wait_for(c, css).await.attr(name).await.unwrap()
}

/// Opens the fixture checkout and goes to the payment step; returns once SeQura's buttons
/// are there.
async fn to_payment(c: &Client, h: &Harness) {
    to_payment_on(c, h, "/checkout").await;
}

async fn to_payment_on(c: &Client, h: &Harness, path: &str) {
    c.goto(&format!("{}{path}", h.shop_url)).await.unwrap();
    wait_for(c, "html[data-checkout-script=loaded]").await;
    click(c, "#fixture-to-payment").await;
    wait_for(
        c,
        &format!(".checkout-view-content[data-render='1'] {METHOD}"),
    )
    .await;
}

async fn wait_displayed(c: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await
            && el.is_displayed().await.unwrap_or(false)
        {
            return;
        }
        assert!(Instant::now() < deadline, "{css} never shown");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn radios_disabled(c: &Client) -> Vec<bool> {
    let mut states = Vec::new();
    for radio in c
        .find_all(Locator::Css("input[name=sequraMethod]"))
        .await
        .unwrap()
    {
        states.push(!radio.is_enabled().await.unwrap());
    }
    states
}

const FORM: &str = "#sequra-form-container iframe.sq-identification-iframe";

// --- the tests --------------------------------------------------------------------------------

#[tokio::test]
async fn one_button_per_method_in_the_method_list_and_they_survive_rerenders() {
    let Some(b) = browser().await else { return };
    let h = harness().await;
    let c = &b.client;
    to_payment(c, &h).await;

    // Inside the checkout's own list, after the offline method, in its markup.
    let list = ".checkout-view-content ul.form-checklist.optimizedCheckout-form-checklist";
    assert_eq!(count(c, &format!("{list} > li{METHOD}")).await, 2);
    assert_eq!(count(c, &format!("{list} > li #radio-cod")).await, 1);
    assert_eq!(
        count(
            c,
            &format!("li.form-checklist-item.optimizedCheckout-form-checklist-item{METHOD}")
        )
        .await,
        2
    );
    let first = format!("{METHOD}[data-sequra-product=pp3]");
    assert_eq!(
        attr(c, &first, "data-sequra-campaign").await.as_deref(),
        Some("")
    );
    wait_for_text(
        c,
        &format!("{first} .paymentProviderHeader-name"),
        "Paga en 3 plazos",
    )
    .await;
    wait_for_text(c, &first, "sin intereses").await;
    wait_for_text(c, &first, "sin coste adicional").await;
    let img = attr(c, &format!("{first} img"), "src").await.unwrap();
    assert!(img.starts_with("data:image/svg+xml;base64,"), "{img}");
    let second = format!("{METHOD}[data-sequra-product=pp5]");
    assert_eq!(
        attr(c, &second, "data-sequra-campaign").await.as_deref(),
        Some("temporary")
    );
    wait_for_text(
        c,
        &format!("{second} .sequra-method-cost"),
        "desde 10,00 €/mes",
    )
    .await;

    // Eligibility was asked once, with the checkout's facts: the amount due after store
    // credit in cents, the billing country, the currency and every product.
    let asked = h.stub.seen_paths(&Method::GET, "/methods");
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(
        asked[0].path,
        format!("/storefront/{STORE}/checkouts/{CART}/methods")
    );
    let query: HashMap<_, _> = asked[0].query.iter().cloned().collect();
    assert_eq!(query["country"], "ES");
    assert_eq!(query["currency"], "EUR");
    assert_eq!(query["amount"], "12345");
    assert_eq!(query["products"], "111,112,113");

    // React replaces the payment step: the buttons come back, once each.
    click(c, "#fixture-rerender").await;
    wait_for(
        c,
        &format!(".checkout-view-content[data-render='2'] {METHOD}"),
    )
    .await;
    assert_eq!(count(c, METHOD).await, 2);

    // The amount changes: eligibility is asked again (the re-render above used the cache,
    // so this is the second request), and the buttons follow the answer.
    *h.shop.checkout.lock() = checkout_json(250.0, 250.0, false);
    *h.stub.methods.lock() = json!([pp5()]);
    click(c, "#fixture-rerender").await;
    eventually("a second eligibility request", || {
        h.stub.seen_paths(&Method::GET, "/methods").len() >= 2
    })
    .await;
    wait_count(c, METHOD, 1).await;
    wait_for(
        c,
        &format!(".checkout-view-content[data-render='3'] {second}"),
    )
    .await;
    let asked = h.stub.seen_paths(&Method::GET, "/methods");
    assert_eq!(asked.len(), 2, "{asked:?}");
    let query: HashMap<_, _> = asked[1].query.iter().cloned().collect();
    assert_eq!(query["amount"], "25000");

    // Not eligible any more: no buttons.
    *h.shop.checkout.lock() = checkout_json(9999.0, 9999.0, false);
    *h.stub.methods.lock() = json!([]);
    click(c, "#fixture-rerender").await;
    eventually("a third eligibility request", || {
        h.stub.seen_paths(&Method::GET, "/methods").len() >= 3
    })
    .await;
    wait_gone(c, METHOD).await;
    assert_eq!(count(c, "#radio-cod").await, 1);
    c.clone().close().await.unwrap();
}

#[tokio::test]
async fn unticked_terms_show_the_checkouts_error_and_nothing_is_solicited() {
    let Some(b) = browser().await else { return };
    let h = harness().await;
    let c = &b.client;
    to_payment(c, &h).await;

    let error = "fieldset.checkout-terms .form-field.form-field--error \
                 ul.form-field-errors li.form-field-error label.form-inlineMessage";
    click(c, &format!("{METHOD}[data-sequra-product=pp3]")).await;
    wait_for_text(c, error, "Please agree to the terms and conditions").await;
    click(c, &format!("{METHOD}[data-sequra-product=pp5]")).await;
    assert_eq!(count(c, "ul.form-field-errors").await, 1);
    assert_eq!(count(c, "input[name=sequraMethod]:checked").await, 0);
    assert!(
        !h.stub.touched("/solicitations"),
        "a solicitation was requested"
    );
    assert_eq!(count(c, "#sequra-form-container").await, 0);

    // Ticking the box clears the error.
    click(c, "#terms").await;
    wait_gone(c, ".form-field-errors").await;
    assert_eq!(count(c, ".form-field--error").await, 0);
    assert!(!h.stub.touched("/solicitations"));
    c.clone().close().await.unwrap();
}

async fn csp_violations(c: &Client) -> String {
    let seen = c
        .execute(
            "return document.documentElement.getAttribute('data-csp-violations') || '';",
            vec![],
        )
        .await
        .unwrap();
    seen.as_str().unwrap().to_owned()
}

#[tokio::test]
async fn approving_in_the_sequra_form_leads_to_the_order_confirmation() {
    let Some(b) = browser().await else { return };
    let h = harness().await;
    let c = &b.client;
    // Under a nonce-based CSP: SeQura's form scripts run because they get the nonce.
    to_payment_on(c, &h, "/checkout-nonce").await;

    click(c, "#terms").await;
    click(c, &format!("{METHOD}[data-sequra-product=pp3]")).await;
    wait_displayed(c, FORM).await;

    // One solicitation, for the clicked method, with the checkout's store-credit choice.
    let bodies = h.stub.bodies.lock().clone();
    assert_eq!(
        bodies,
        vec![json!({"product": "pp3", "campaign": null, "use_store_credit": true})]
    );
    assert_eq!(
        h.stub.seen_paths(&Method::POST, "/solicitations")[0].path,
        format!("/storefront/{STORE}/checkouts/{CART}/solicitations")
    );
    // No double submit while it runs.
    assert_eq!(radios_disabled(c).await, vec![true, true]);
    assert_eq!(
        count(c, "input[name=sequraMethod]:checked[value=pp3]").await,
        1
    );

    // The shopper confirms SeQura's form (the default persona is approved): the IPN
    // completes the solicitation and the script takes the shopper to the confirmation.
    assert_eq!(csp_violations(c).await, "");
    wait_for(c, FORM).await.enter_frame().await.unwrap();
    click(c, "#sq-submit").await;
    let _ = c.enter_parent_frame().await;
    wait_for_text(c, "#confirmation", "Thank you for your order 250").await;
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/order-confirmation/250");
    assert_eq!(url.query(), Some("t=token-250"));
    assert!(
        !h.stub
            .seen_paths(&Method::GET, "/solicitations/sol-1")
            .is_empty(),
        "the script never polled the status"
    );
    c.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_rejection_shows_the_message_and_gives_the_buttons_back() {
    let Some(b) = browser().await else { return };
    let h = harness().await;
    let c = &b.client;
    to_payment(c, &h).await;

    click(c, "#terms").await;
    click(c, &format!("{METHOD}[data-sequra-product=pp5]")).await;
    wait_displayed(c, FORM).await;
    // Under the host-based CSP the form's inline line is refused; the form works anyway.
    assert!(csp_violations(c).await.contains("script-src"));
    assert_eq!(
        h.stub.bodies.lock().clone(),
        vec![json!({"product": "pp5", "campaign": "temporary", "use_store_credit": true})]
    );

    wait_for(c, FORM).await.enter_frame().await.unwrap();
    let given = wait_for(c, "#given_names").await;
    given.clear().await.unwrap();
    given.send_keys("Reject").await.unwrap();
    let surnames = wait_for(c, "#surnames").await;
    surnames.clear().await.unwrap();
    surnames.send_keys("Test").await.unwrap();
    click(c, "#sq-submit").await;
    let _ = c.enter_parent_frame().await;

    wait_for_text(c, "[data-test=sequra-message]", REJECTED).await;
    wait_gone(c, "#sequra-form-container").await;
    assert_eq!(radios_disabled(c).await, vec![false, false]);
    assert_eq!(count(c, "input[name=sequraMethod]:checked").await, 0);

    // The shopper can try again: a new solicitation, a new form.
    click(c, &format!("{METHOD}[data-sequra-product=pp3]")).await;
    wait_displayed(c, FORM).await;
    assert_eq!(h.stub.bodies.lock().len(), 2);
    c.clone().close().await.unwrap();
}

#[tokio::test]
async fn closing_the_form_without_paying_gives_the_buttons_back() {
    let Some(b) = browser().await else { return };
    let h = harness().await;
    let c = &b.client;
    to_payment(c, &h).await;

    click(c, "#terms").await;
    click(c, &format!("{METHOD}[data-sequra-product=pp3]")).await;
    wait_displayed(c, FORM).await;
    wait_for(c, FORM).await.enter_frame().await.unwrap();
    click(c, "#sq-close").await;
    let _ = c.enter_parent_frame().await;

    wait_gone(c, "#sequra-form-container").await;
    wait_for_text(
        c,
        "[data-test=sequra-message]",
        "The payment was not completed.",
    )
    .await;
    assert_eq!(radios_disabled(c).await, vec![false, false]);
    c.clone().close().await.unwrap();
}

#[tokio::test]
async fn error_answers_to_the_solicitation_are_readable_and_recoverable() {
    let Some(b) = browser().await else { return };
    let h = harness().await;
    let c = &b.client;
    to_payment(c, &h).await;
    click(c, "#terms").await;

    let cases = [
        (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"error": "unavailable", "message": "SeQura is down"}),
            "SeQura is not available right now.",
        ),
        (
            StatusCode::CONFLICT,
            json!({"error": "checkout_changed", "message": "changed"}),
            "Your order has changed.",
        ),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"error": "not_eligible", "message": "no"}),
            "This SeQura payment method is not available for this order.",
        ),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": "internal"}),
            "Something went wrong.",
        ),
    ];
    for (n, (status, answer, text)) in cases.into_iter().enumerate() {
        *h.stub.solicitation_answer.lock() = Some((status, answer));
        click(c, &format!("{METHOD}[data-sequra-product=pp3]")).await;
        eventually("the solicitation request", || {
            h.stub.bodies.lock().len() > n
        })
        .await;
        wait_for_text(c, "[data-test=sequra-message]", text).await;
        wait_count(c, "input[name=sequraMethod]:disabled", 0).await;
        assert_eq!(count(c, "#sequra-form-container").await, 0);
    }
    c.clone().close().await.unwrap();
}

#[tokio::test]
async fn a_script_whose_bytes_do_not_match_the_integrity_hash_does_not_run() {
    let Some(b) = browser().await else { return };
    let h = harness().await;
    let c = &b.client;
    c.goto(&format!("{}/checkout-tampered", h.shop_url))
        .await
        .unwrap();
    wait_for(c, "html[data-checkout-script=error]").await;
    click(c, "#fixture-to-payment").await;
    wait_for(c, ".checkout-view-content[data-render='1'] #radio-cod").await;
    assert_eq!(count(c, METHOD).await, 0);
    let namespace = c
        .execute("return typeof window.SequraBigCommerce;", vec![])
        .await
        .unwrap();
    assert_eq!(namespace, json!("undefined"));
    // The browser did fetch the file, and nothing else from the app.
    assert!(h.stub.touched("/storefront/checkout.js"));
    assert!(!h.stub.touched("/methods"));
    c.clone().close().await.unwrap();
}
