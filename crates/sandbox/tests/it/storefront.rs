//! The storefront over HTTP: its own origin, cart → checkout page in the OPC DOM shape,
//! Scripts API scripts with their integrity, store credit, sessions, confirmation tokens.

use sandbox::bigcommerce::{BigCommerceOptions, EXAMPLE_CLIENT_ID, spawn};
use serde_json::{Value, json};

type Setup = (
    sandbox::bigcommerce::Spawned,
    sandbox::bigcommerce::Example,
    String,
    sandbox::bigcommerce::storefront::SpawnedStorefront,
);

async fn setup() -> Setup {
    let s = spawn(BigCommerceOptions::default()).await.unwrap();
    s.sim
        .register_app(sandbox::bigcommerce::AppRegistration::example(
            "http://127.0.0.1:9",
        ))
        .unwrap();
    let example = s.sim.seed_example().unwrap();
    let sf = s
        .sim
        .spawn_storefront(&example.store_hash, 0)
        .await
        .unwrap();
    let base = sf.base_url.clone();
    (s, example, base, sf)
}

fn shopper() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn checkout_page_store_credit_and_sessions() {
    let (s, ex, sf, _serving) = setup().await;
    assert_eq!(
        s.sim.store(&ex.store_hash).unwrap().profile.secure_url,
        sf,
        "secure_url is the storefront"
    );
    // An app's checkout script, rendered with its integrity.
    let token = s
        .sim
        .grant_token(&ex.store_hash, EXAMPLE_CLIENT_ID, None)
        .unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/stores/{}/v3/content/scripts", s.base_url, ex.store_hash))
        .header("X-Auth-Token", &token)
        .json(&json!({"name": "x", "kind": "src", "src": "https://app.example/c.js", "visibility": "checkout",
            "location": "footer", "integrity_hashes": ["sha384-abc"], "consent_category": "essential"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let laura = shopper();
    laura
        .get(format!("{sf}/login/as/{}?next=/", ex.customer_id))
        .send()
        .await
        .unwrap();
    let r = laura
        .post(format!("{sf}/cart/add"))
        .form(&[
            ("product_id", ex.products[0].to_string()),
            ("quantity", "2".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = laura
        .get(format!("{sf}/checkout"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for selector in [
        "checkout-step--payment",
        "checkout-view-content",
        "form-checklist optimizedCheckout-form-checklist",
        "form-checklist-item optimizedCheckout-form-checklist-item",
        "name=\"paymentProviderRadio\"",
        "data-test=\"payment-method-name\"",
        "data-test=\"cart-price-value\"",
        "checkout-terms",
        "id=\"checkout-payment-continue\"",
        "src=\"https://app.example/c.js\" integrity=\"sha384-abc\" crossorigin=\"anonymous\"",
    ] {
        assert!(page.contains(selector), "{selector}");
    }

    let carts: Value = laura
        .get(format!("{sf}/api/storefront/carts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = carts[0]["id"].as_str().unwrap().to_owned();
    let url = format!("{sf}/api/storefront/checkouts/{id}");
    let before: Value = laura.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(before["isStoreCreditApplied"], false);
    assert_eq!(before["grandTotal"], before["outstandingBalance"]);
    let after: Value = laura
        .post(format!("{url}/store-credit"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["isStoreCreditApplied"], true);
    let (g, o) = (
        after["grandTotal"].as_f64().unwrap(),
        after["outstandingBalance"].as_f64().unwrap(),
    );
    assert!((g - o - 20.0).abs() < 0.001, "20 € of credit: {g} {o}");
    assert_eq!(after["billingAddress"]["countryCode"], "ES");

    // Another shopper cannot read it; a guest cannot apply credit.
    let other = shopper();
    assert_eq!(other.get(&url).send().await.unwrap().status(), 404);
    assert_eq!(
        other
            .post(format!("{url}/store-credit"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Garbage: 4xx, never a panic.
    assert_eq!(
        laura
            .post(format!("{sf}/cart/add"))
            .form(&[("product_id", "x")])
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        laura
            .post(format!("{sf}/cart/add"))
            .form(&[("product_id", "999"), ("quantity", "1")])
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    assert_eq!(
        laura
            .get(format!("{sf}/login/as/nobody"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        laura
            .get(format!("{sf}/order-confirmation/250"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        laura
            .get(format!("{sf}/order-confirmation/abc?t=x"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // Terms are required on this channel: placing without them is refused; with them the
    // order is placed offline (Awaiting Payment) with the store credit applied.
    let r = laura
        .post(format!("{sf}/checkout/place"))
        .form(&[("paymentProviderRadio", "cod")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = laura
        .post(format!("{sf}/checkout/place"))
        .form(&[("paymentProviderRadio", "cod"), ("terms", "true")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("data-test=\"order-pending\""),
        "status 7 reads as pending"
    );
    let order = &s.sim.orders(&ex.store_hash)[0];
    assert_eq!(order.status_id, 7);
    assert_eq!(order.store_credit_cents, 2000);
}

#[tokio::test]
async fn confirmation_tokens_show_the_order_and_run_out() {
    let (s, ex, sf, _serving) = setup().await;
    let token = s
        .sim
        .grant_token(&ex.store_hash, EXAMPLE_CLIENT_ID, None)
        .unwrap();
    let api = |path: &str| {
        format!(
            "{}/stores/{}/v3/checkouts/{}/{path}",
            s.base_url, ex.store_hash, ex.checkout_id
        )
    };
    let t: Value = reqwest::Client::new()
        .post(api("token"))
        .header("X-Auth-Token", &token)
        .json(&json!({"maxUses": 2, "ttl": 600}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let t = t["data"]["checkoutToken"].as_str().unwrap().to_owned();
    let order = s
        .sim
        .create_order_from_checkout(&ex.store_hash, &ex.checkout_id)
        .unwrap();
    let url = format!("{sf}/order-confirmation/{order}?t={t}");
    for _ in 0..2 {
        let r = reqwest::get(&url).await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains(&format!("data-test=\"order-number\">{order}<"))
        );
    }
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 403, "used up");
    assert_eq!(
        reqwest::get(format!("{sf}/order-confirmation/{order}?t=nope"))
            .await
            .unwrap()
            .status(),
        403
    );
}
