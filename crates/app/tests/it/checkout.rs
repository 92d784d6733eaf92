//! The checkout journey over HTTP through both sandboxes (the browser half lives in the
//! Chromium tests): methods, solicitation, IPNs and events, and everything that must not
//! happen twice or at all.

use std::time::Duration;

use sandbox::bigcommerce::CheckoutEdit;
use sandbox::sequra::ReviewOutcome;
use serde_json::{Value, json};

use crate::support::world::World;

const CHECKOUT: &str = "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10";

async fn methods(w: &World, query: &str) -> Vec<String> {
    let url = format!(
        "{}/storefront/{}/checkouts/{CHECKOUT}/methods?{query}",
        w.app.base_url,
        w.store()
    );
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    body["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["product"].as_str().unwrap().to_owned())
        .collect()
}

async fn solicit(w: &World, product: &str, use_store_credit: bool) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!(
            "{}/storefront/{}/checkouts/{CHECKOUT}/solicitations",
            w.app.base_url,
            w.store()
        ))
        .header("user-agent", "Mozilla/5.0 test shopper")
        .json(
            &json!({ "product": product, "campaign": null, "use_store_credit": use_store_credit }),
        )
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn status(w: &World, id: &str) -> Value {
    let url = format!(
        "{}/storefront/{}/solicitations/{id}",
        w.app.base_url,
        w.store()
    );
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// The SeQura order behind the newest solicitation.
fn last_sequra_order(w: &World) -> sandbox::sequra::records::Order {
    w.sequra
        .control()
        .orders()
        .into_iter()
        .last()
        .expect("a SeQura order")
}

#[tokio::test]
async fn methods_follow_country_currency_amount_and_settings() {
    let w = World::connected(false).await;
    let all = methods(&w, "country=ES&currency=EUR&amount=11500").await;
    assert!(
        all.contains(&"i1".to_owned()) && all.contains(&"pp3".to_owned()),
        "{all:?}"
    );
    assert!(
        methods(&w, "country=DE&currency=EUR&amount=11500")
            .await
            .is_empty(),
        "no merchant for DE"
    );
    assert!(
        methods(&w, "country=ES&currency=USD&amount=11500")
            .await
            .is_empty()
    );
    assert!(
        methods(&w, "country=ES&currency=EUR&amount=0")
            .await
            .is_empty()
    );
    let small = methods(&w, "country=ES&currency=EUR&amount=1000").await;
    assert!(
        !small.contains(&"pp3".to_owned()),
        "pp3 starts at 50 €: {small:?}"
    );
    // Garbage parameters: a 400 that says what is wrong (the script never sends these).
    let url = format!(
        "{}/storefront/{}/checkouts/x/methods?amount=NaN&country=%00&currency=EUR",
        w.app.base_url,
        w.store()
    );
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("amount"));
    let url = format!("{}/storefront/UNKNOWN/checkouts/x/methods", w.app.base_url);
    assert_eq!(reqwest::get(url).await.unwrap().status(), 404);
    w.finish().await;
}

/// The merchant's excluded categories: read from the Catalog API (the script sends the
/// cart's product ids), honoured for the buttons and again when a method is picked.
#[tokio::test]
async fn an_excluded_category_hides_sequra_and_refuses_the_solicitation() {
    let w = World::connected(false).await;
    let [shirt, shoes] = w.example.products;
    let store = sequra_bc::domain::StoreHash::parse(w.store()).unwrap();
    use sequra_bc::clock::Clock;
    let admin = crate::support::world::Admin {
        base_url: &w.app.base_url,
        token: sequra_bc::web::session::issue(
            &w.app.state.session_key,
            &store,
            w.example.owner_id,
            w.app.clock.now_ms(),
        ),
    };
    let base = "country=ES&currency=EUR&amount=11500";
    // Category 24 is the shoes' ("Calzado"); the shirt is in 23.
    let (status, _) = admin
        .post(
            "/admin/settings",
            &[
                ("allowed_ips", ""),
                ("excluded_products", ""),
                ("excluded_categories", "24"),
                ("default_services_end", ""),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        !methods(&w, &format!("{base}&products={shirt}"))
            .await
            .is_empty(),
        "the shirt alone is sellable"
    );
    assert!(
        methods(&w, &format!("{base}&products={shirt},{shoes}"))
            .await
            .is_empty(),
        "the shoes are excluded"
    );
    // The script cannot be trusted: the solicitation reads the cart itself.
    let (status, body) = solicit(&w, "i1", false).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        w.sequra.control().orders().is_empty(),
        "nothing sent to SeQura"
    );
    // Not a product id: a clear 400.
    let url = format!(
        "{}/storefront/{}/checkouts/{CHECKOUT}/methods?{base}&products=shoes",
        w.app.base_url,
        w.store()
    );
    assert_eq!(reqwest::get(url).await.unwrap().status(), 400);

    // The merchant lifts the exclusion: the cart is sellable again at once.
    let (status, _) = admin
        .post(
            "/admin/settings",
            &[
                ("allowed_ips", ""),
                ("excluded_products", ""),
                ("excluded_categories", ""),
                ("default_services_end", ""),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        !methods(&w, &format!("{base}&products={shirt},{shoes}"))
            .await
            .is_empty()
    );
    let (status, body) = solicit(&w, "i1", false).await;
    assert_eq!(status, 201, "{body}");
    w.finish().await;
}

#[tokio::test]
async fn approve_creates_one_order_confirmed_with_its_number() {
    approve_journey(false).await;
}

#[tokio::test]
async fn approve_creates_one_order_confirmed_with_its_number_on_postgres() {
    if crate::support::db::postgres_url("the PostgreSQL approve journey").is_none() {
        return;
    }
    approve_journey(true).await;
}

async fn approve_journey(postgres: bool) {
    let w = World::connected(postgres).await;
    let (code, started) = solicit(&w, "i1", false).await;
    assert_eq!(code, 201, "{started}");
    assert!(started["form_html"].as_str().unwrap().contains("iframe"));
    let id = started["id"].as_str().unwrap().to_owned();
    assert_eq!(status(&w, &id).await["state"], "pending");

    // Asking again for the same checkout version and method reuses the SeQura order.
    let (code, again) = solicit(&w, "i1", false).await;
    assert_eq!((code, again["id"].as_str()), (201, Some(id.as_str())));
    assert_eq!(w.sequra.control().orders().len(), 1);

    let sq = last_sequra_order(&w);
    assert_eq!(sq.solicited_cart.order_total_with_tax, 11500);
    w.sequra.control().approve(sq.uuid).unwrap();
    w.sequra.control().flush().await;

    let orders = w.bc.orders(w.store());
    assert_eq!(orders.len(), 1, "exactly one BigCommerce order");
    let order = &orders[0];
    assert_eq!(
        order.status_id, 11,
        "Awaiting Fulfillment through the mapping"
    );
    let json = w.bc.order_json(w.store(), order.id).unwrap();
    assert!(
        json["payment_method"]
            .as_str()
            .unwrap()
            .starts_with("SeQura")
    );
    assert_eq!(json["payment_provider_id"], sq.uuid.to_string());
    assert!(
        json["staff_notes"]
            .as_str()
            .unwrap()
            .contains(&sq.uuid.to_string())
    );
    assert_eq!(w.bc.metafields(w.store(), order.id).len(), 1);
    assert!(
        w.bc.checkout(w.store(), CHECKOUT).is_some(),
        "the cart stays for a while"
    );

    let sq = w.sequra.control().order(sq.uuid).unwrap();
    assert_eq!(format!("{:?}", sq.state), "Confirmed");
    assert_eq!(
        sq.merchant_reference.unwrap().order_ref_1,
        order.id.to_string(),
        "SeQura knows the BigCommerce order number"
    );
    let done = status(&w, &id).await;
    assert_eq!(done["state"], "completed");
    let url = done["confirmation_url"].as_str().unwrap();
    assert!(
        url.contains(&format!("/order-confirmation/{}?t=", order.id)),
        "{url}"
    );
    // The shopper's confirmation page works (and keeps working on a reload).
    for _ in 0..2 {
        let page = reqwest::get(url).await.unwrap();
        assert_eq!(page.status(), 200, "the confirmation link works");
        let html = page.text().await.unwrap();
        assert!(html.contains(&format!("data-test=\"order-number\">{}<", order.id)));
    }
    // Half an hour later the cart is deleted.
    w.app.clock.advance_ms(31 * 60_000);
    w.app.drain_jobs().await;
    assert!(
        w.bc.checkout(w.store(), CHECKOUT).is_none(),
        "the cart is deleted"
    );

    // The same IPN five more times, then five at once: still one order, all answered 200.
    w.sequra.control().replay_ipn(sq.uuid, 5).unwrap();
    w.sequra.control().flush().await;
    w.sequra
        .control()
        .replay_ipn_concurrently(sq.uuid, 5)
        .await
        .unwrap();
    w.sequra.control().flush().await;
    assert_eq!(w.bc.orders(w.store()).len(), 1);
    let answers: Vec<_> = w
        .sequra
        .control()
        .notifications_for(sq.uuid)
        .into_iter()
        .flat_map(|n| n.attempts)
        .map(|a| a.outcome.status())
        .collect();
    assert!(
        answers.iter().all(|a| matches!(a, Some(200 | 409))),
        "{answers:?}"
    );
    w.finish().await;
}

#[tokio::test]
async fn store_credit_pays_part_and_is_debited_once() {
    let w = World::connected(false).await;
    let (code, started) = solicit(&w, "i1", true).await;
    assert_eq!(code, 201, "{started}");
    let sq = last_sequra_order(&w);
    assert_eq!(
        sq.solicited_cart.order_total_with_tax, 9500,
        "SeQura is asked for 115 − 20"
    );
    w.sequra.control().approve(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    let customer = w.bc.customer(w.store(), w.example.customer_id).unwrap();
    assert_eq!(customer.store_credit_cents, 0);
    w.sequra.control().replay_ipn(sq.uuid, 3).unwrap();
    w.sequra.control().flush().await;
    assert_eq!(
        w.bc.customer(w.store(), w.example.customer_id)
            .unwrap()
            .store_credit_cents,
        0
    );
    assert_eq!(w.bc.orders(w.store()).len(), 1);
    w.finish().await;
}

#[tokio::test]
async fn bigcommerce_down_during_the_ipn_means_409_and_the_retry_finishes() {
    let w = World::connected(false).await;
    solicit(&w, "i1", false).await;
    let sq = last_sequra_order(&w);
    w.bc.fail_next(1, 503);
    w.sequra.control().approve(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    let first = w.sequra.control().notifications_for(sq.uuid);
    assert_eq!(
        first[0].attempts[0].outcome.status(),
        Some(409),
        "{first:?}"
    );
    assert!(
        w.bc.orders(w.store()).is_empty(),
        "the first BigCommerce call failed"
    );

    w.clock.advance(Duration::from_secs(120));
    w.sequra.control().run_due().await;
    w.sequra.control().flush().await;
    assert_eq!(w.bc.orders(w.store()).len(), 1);
    assert_eq!(
        format!("{:?}", w.sequra.control().order(sq.uuid).unwrap().state),
        "Confirmed"
    );
    w.finish().await;
}

#[tokio::test]
async fn review_then_approve_and_review_then_cancel() {
    let w = World::connected(false).await;
    solicit(&w, "i1", false).await;
    let sq = last_sequra_order(&w);
    w.sequra.control().review(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    let order = w.bc.orders(w.store())[0].clone();
    assert_eq!(order.status_id, 12, "Manual Verification Required");
    assert_eq!(
        format!("{:?}", w.sequra.control().order(sq.uuid).unwrap().state),
        "OnHold"
    );
    w.sequra
        .control()
        .complete_review(sq.uuid, ReviewOutcome::Approve)
        .unwrap();
    w.sequra.control().flush().await;
    assert_eq!(w.bc.order(w.store(), order.id).unwrap().status_id, 11);
    assert_eq!(w.bc.orders(w.store()).len(), 1);

    // A second shopper's checkout goes to review and is cancelled.
    let w2 = World::connected(false).await;
    solicit(&w2, "i1", false).await;
    let sq2 = last_sequra_order(&w2);
    w2.sequra.control().review(sq2.uuid).unwrap();
    w2.sequra.control().flush().await;
    w2.sequra
        .control()
        .complete_review(sq2.uuid, ReviewOutcome::Cancel)
        .unwrap();
    w2.sequra.control().flush().await;
    let order2 = &w2.bc.orders(w2.store())[0];
    assert_eq!(order2.status_id, 5, "Cancelled through the mapping");
    w.finish().await;
    w2.finish().await;
}

#[tokio::test]
async fn reject_leaves_no_order_and_a_changed_cart_gets_410() {
    let w = World::connected(false).await;
    let (_, started) = solicit(&w, "i1", false).await;
    let sq = last_sequra_order(&w);
    w.sequra.control().reject(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    assert!(w.bc.orders(w.store()).is_empty());
    assert_eq!(
        status(&w, started["id"].as_str().unwrap()).await["state"],
        "pending"
    );

    // A day later the merchant sees it as an abandoned SeQura checkout.
    let store = sequra_bc::domain::StoreHash::parse(w.store()).unwrap();
    let admin_at = |now_ms: i64| crate::support::world::Admin {
        base_url: &w.app.base_url,
        token: sequra_bc::web::session::issue(
            &w.app.state.session_key,
            &store,
            w.example.owner_id,
            now_ms,
        ),
    };
    use sequra_bc::clock::Clock;
    let (_, log) = admin_at(w.app.clock.now_ms())
        .get("/admin/transactions")
        .await;
    assert!(
        !log.contains("data-test=\"abandoned-row\""),
        "not abandoned yet"
    );
    w.app.clock.advance_ms(25 * 3_600_000);
    let (_, log) = admin_at(w.app.clock.now_ms())
        .get("/admin/transactions")
        .await;
    assert!(
        log.contains("data-test=\"abandoned-row\"") && log.contains(CHECKOUT),
        "{log}"
    );
    w.app.clock.advance_ms(-25 * 3_600_000);

    // Approved, but the shopper changed the cart in another tab meanwhile.
    let (_, _) = solicit(&w, "pp3", false).await;
    let sq = last_sequra_order(&w);
    let line = w.bc.checkout(w.store(), CHECKOUT).unwrap().lines[0]
        .id
        .clone();
    w.bc.edit_checkout(
        w.store(),
        CHECKOUT,
        vec![CheckoutEdit::SetQuantity {
            line_id: line,
            quantity: 3,
        }],
    )
    .unwrap();
    w.sequra.control().approve(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    let n = w.sequra.control().notifications_for(sq.uuid);
    assert_eq!(n[0].attempts[0].outcome.status(), Some(410), "{n:?}");
    assert!(w.bc.orders(w.store()).is_empty(), "nothing created");
    w.finish().await;
}

#[tokio::test]
async fn a_forged_notification_changes_nothing() {
    let w = World::connected(false).await;
    let (_, started) = solicit(&w, "i1", false).await;
    let id = started["id"].as_str().unwrap();
    let sq = last_sequra_order(&w);
    let url = format!("{}/sequra/ipn/{}/{id}", w.app.base_url, w.store());
    let form = |sig: &str, order_ref: &str| {
        vec![
            ("signature".to_owned(), sig.to_owned()),
            ("order_ref".to_owned(), order_ref.to_owned()),
            ("order_ref_1".to_owned(), String::new()),
            ("product_code".to_owned(), "i1".to_owned()),
            ("sq_state".to_owned(), "approved".to_owned()),
        ]
    };
    let post = |body: Vec<(String, String)>| {
        let url = url.clone();
        async move {
            reqwest::Client::new()
                .post(url)
                .form(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(post(form("deadbeef", &sq.uuid.to_string())).await, 403);
    assert_eq!(post(form("", &sq.uuid.to_string())).await, 403);
    assert_eq!(
        post(form("deadbeef", "00000000-0000-4000-8000-000000000000")).await,
        404
    );
    let mut unknown = form("x", &sq.uuid.to_string());
    unknown[4].1 = "exploded".into();
    assert_eq!(post(unknown).await, 501);
    let raw = reqwest::Client::new()
        .post(url.clone())
        .body("%%%")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let other = format!(
        "{}/sequra/ipn/{}/not-a-solicitation",
        w.app.base_url,
        w.store()
    );
    let r = reqwest::Client::new()
        .post(other)
        .form(&form("x", &sq.uuid.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(w.bc.orders(w.store()).is_empty());
    assert_eq!(status(&w, id).await["state"], "pending");
    w.finish().await;
}
