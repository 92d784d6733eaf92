//! BigCommerce webhooks into the app: stored before the 200, once per event; anything
//! unauthenticated or malformed gets a 4xx and changes nothing.

use serde_json::json;

use crate::support::app::spawn;

const SECRET: &str = "secret-of-store-a";

fn delivery(store: &str, order_id: u64, created_at: i64) -> serde_json::Value {
    json!({
        "scope": "store/order/updated",
        "store_id": "1001",
        "data": { "type": "order", "id": order_id },
        "hash": "dd70c0976e06b67aaf671e73f49dcb79230ebf9d",
        "created_at": created_at,
        "producer": format!("stores/{store}"),
    })
}

async fn post(
    app: &crate::support::app::TestApp,
    token: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> reqwest::StatusCode {
    let mut req = reqwest::Client::new()
        .post(format!("{}/webhooks/bigcommerce", app.base_url))
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = token {
        req = req.header("X-SeQura-Webhook-Token", t);
    }
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn a_delivery_is_stored_once_and_acknowledged() {
    let app = spawn().await;
    let store = app.seed_store("storea", SECRET).await;
    let body = delivery("storea", 250, 1_767_261_005).to_string();
    assert_eq!(post(&app, Some(SECRET), body.clone()).await, 200);
    assert_eq!(
        post(&app, Some(SECRET), body).await,
        200,
        "redelivery is fine"
    );
    let later = delivery("storea", 250, 1_767_261_099).to_string();
    assert_eq!(post(&app, Some(SECRET), later).await, 200);

    let stored = app.state.db.webhook_events(&store).await.unwrap();
    assert_eq!(stored.len(), 2, "the redelivery is stored once");
    assert_eq!(stored[0].order_id, Some(250));
    assert_eq!(stored[0].scope, "store/order/updated");
}

#[tokio::test]
async fn bad_deliveries_are_refused_and_change_nothing() {
    let app = spawn().await;
    let a = app.seed_store("storea", SECRET).await;
    let b = app.seed_store("storeb", "secret-of-store-b").await;
    let good = delivery("storea", 1, 1).to_string();

    assert_eq!(post(&app, None, good.clone()).await, 401, "no secret");
    assert_eq!(
        post(&app, Some(""), good.clone()).await,
        401,
        "empty secret"
    );
    assert_eq!(
        post(&app, Some("wrong"), good.clone()).await,
        401,
        "wrong secret"
    );
    assert_eq!(
        post(&app, Some("secret-of-store-b"), good).await,
        401,
        "another store's secret"
    );
    assert_eq!(
        post(&app, Some(SECRET), delivery("nostore", 1, 1).to_string()).await,
        401,
        "unknown store"
    );
    for malformed in [
        "".to_owned(),
        "{".to_owned(),
        "[]".to_owned(),
        json!({"scope": "store/order/updated"}).to_string(),
        json!({"scope": 1, "store_id": "1", "data": {}, "hash": "x", "created_at": 1, "producer": "stores/storea"}).to_string(),
        delivery("STORE/../a", 1, 1).to_string(),
    ] {
        assert_eq!(post(&app, Some(SECRET), malformed.clone()).await, 400, "{malformed}");
    }
    let huge = format!(
        r#"{{"scope":"store/order/updated","store_id":"1","data":{{"type":"order","id":1,"pad":"{}"}},"hash":"h","created_at":1,"producer":"stores/storea"}}"#,
        "x".repeat(100_000)
    );
    assert_eq!(post(&app, Some(SECRET), huge).await, 413);

    assert!(app.state.db.webhook_events(&a).await.unwrap().is_empty());
    assert!(app.state.db.webhook_events(&b).await.unwrap().is_empty());
}

/// Deliveries arriving together share one commit; each is acknowledged only once stored,
/// and a delivery that cannot be stored (its store is gone) fails alone.
#[tokio::test]
async fn deliveries_arriving_together_are_all_stored_and_a_bad_one_fails_alone() {
    use sequra_bc::services::ingest::Delivery;
    let app = spawn().await;
    let a = app.seed_store("storea", SECRET).await;
    let bodies: Vec<String> = (0..200)
        .map(|n| {
            let mut d = delivery("storea", 300 + n, 1_767_261_005);
            d["hash"] = json!(format!("{n:040x}"));
            d.to_string()
        })
        .collect();
    let posts = bodies.iter().map(|b| post(&app, Some(SECRET), b.clone()));
    let statuses = futures::future::join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(app.state.db.webhook_events(&a).await.unwrap().len(), 200);

    let ghost = sequra_bc::domain::StoreHash::parse("ghost1").unwrap();
    let one = |store: &sequra_bc::domain::StoreHash, key: &str| Delivery {
        store: store.clone(),
        delivery_key: key.to_owned(),
        scope: "store/order/updated".into(),
        order_id: Some(1),
        payload: "{}".into(),
        job: None,
    };
    let ingest = &app.state.ingest;
    let (good1, bad, good2) = tokio::join!(
        ingest.store(one(&a, "together-1")),
        ingest.store(one(&ghost, "together-2")),
        ingest.store(one(&a, "together-3")),
    );
    assert!(good1.unwrap() && good2.unwrap());
    assert!(bad.is_err(), "no such store");
    assert_eq!(app.state.db.webhook_events(&a).await.unwrap().len(), 202);
}
