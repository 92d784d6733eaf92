//! Connect → countries → payment methods → connection settings → disconnect, over the
//! admin API against the SeQura sandbox: what SeQura refuses is shown on its field and
//! nothing is saved.

use sandbox::sequra::{DEMO_PASSWORD, DEMO_USERNAME};
use sequra_bc::domain::StoreHash;

use crate::support::world::{Admin, World, session_token, world};

async fn installed(w: &World) -> Admin<'_> {
    let (status, page) = w.install_as(w.example.owner_id).await;
    assert_eq!(status, 200);
    Admin {
        base_url: &w.app.base_url,
        token: session_token(&page),
    }
}

fn store(w: &World) -> StoreHash {
    StoreHash::parse(w.store()).unwrap()
}

#[tokio::test]
async fn onboarding_connect_countries_methods() {
    let w = world(false).await;
    let admin = installed(&w).await;
    let db = &w.app.state.db;

    // Home opens the first step.
    let (status, html) = admin.get("/admin/home").await;
    assert_eq!(status, 200);
    assert!(html.contains("Connect to SeQura"));

    // Empty fields, then a wrong password: field errors, nothing saved.
    let (status, html) = admin
        .post("/admin/connect", &[("environment", "sandbox")])
        .await;
    assert_eq!(status, 422);
    assert!(
        html.contains("Enter your SeQura username") && html.contains("Enter your SeQura password")
    );
    let (status, html) = admin
        .post(
            "/admin/connect",
            &[
                ("environment", "sandbox"),
                ("username", DEMO_USERNAME),
                ("password", "wrong"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("SeQura did not accept this username and password"));
    assert!(
        !html.contains("wrong\""),
        "the password is never echoed back"
    );
    assert!(db.connection(&store(&w)).await.unwrap().is_none());

    // Right credentials: saved (sealed) and on to the countries, prefilled from SeQura.
    let (status, html) = admin
        .post(
            "/admin/connect",
            &[
                ("environment", "sandbox"),
                ("username", DEMO_USERNAME),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Selling countries") && html.contains("value=\"demo_es\""));
    let saved = db.connection(&store(&w)).await.unwrap().unwrap();
    assert_eq!(saved.environment, "sandbox");
    assert!(
        !saved
            .password
            .windows(DEMO_PASSWORD.len())
            .any(|w| w == DEMO_PASSWORD.as_bytes())
    );

    // A merchant ID of another account is flagged on its field; nothing is saved.
    let (status, html) = admin
        .post(
            "/admin/countries",
            &[
                ("enable_ES", "on"),
                ("merchant_ES", "demo_es"),
                ("enable_FR", "on"),
                ("merchant_FR", "someone_else"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("does not belong to your SeQura account"));
    assert!(db.countries(&store(&w)).await.unwrap().is_empty());
    let (status, html) = admin.post("/admin/countries", &[]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose at least one country"));

    // Valid: saved, and onboarding ends on the payment methods.
    let (status, html) = admin
        .post(
            "/admin/countries",
            &[
                ("enable_ES", "on"),
                ("merchant_ES", "demo_es"),
                ("enable_FR", "on"),
                ("merchant_FR", "demo_fr"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Payment methods") && html.contains("data-product=\"i1\""));
    let countries = db.countries(&store(&w)).await.unwrap();
    assert_eq!(countries.len(), 2);

    // Filters: by category, by text, by country.
    let (_, html) = admin
        .get("/admin/payment-methods?country=ES&category=part_payment")
        .await;
    assert!(html.contains("data-product=\"pp3\"") && !html.contains("data-product=\"i1\""));
    let (_, html) = admin.get("/admin/payment-methods?country=ES&q=pp5").await;
    assert!(html.contains("data-product=\"pp5\"") && !html.contains("data-product=\"pp3\""));
    let (_, html) = admin.get("/admin/payment-methods?country=FR").await;
    assert!(html.contains("<option value=\"FR\" selected>"));
    let (status, html) = admin
        .get("/admin/payment-methods?country=XX&category=<script>")
        .await;
    assert_eq!(status, 200, "unknown filters fall back, never fail");
    assert!(!html.contains("<script>"));

    // Home now opens the dashboard.
    let (_, html) = admin.get("/admin/home").await;
    assert!(html.contains("Payment methods"));
    w.finish().await;
}

#[tokio::test]
async fn switching_environment_asks_first_and_disconnect_confirms() {
    let w = world(false).await;
    let admin = installed(&w).await;
    let db = &w.app.state.db;
    let creds = |env: &'static str| {
        vec![
            ("environment", env),
            ("username", DEMO_USERNAME),
            ("password", DEMO_PASSWORD),
        ]
    };
    admin.post("/admin/connect", &creds("sandbox")).await;
    admin
        .post(
            "/admin/countries",
            &[("enable_ES", "on"), ("merchant_ES", "demo_es")],
        )
        .await;

    // Switching to live: a confirmation, and nothing changes until it is confirmed.
    let (status, html) = admin.post("/admin/connection", &creds("live")).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-test=\"confirm-environment\""));
    assert_eq!(
        db.connection(&store(&w))
            .await
            .unwrap()
            .unwrap()
            .environment,
        "sandbox"
    );
    assert_eq!(db.countries(&store(&w)).await.unwrap().len(), 1);

    let mut confirmed = creds("live");
    confirmed.push(("confirmed", "1"));
    let (status, html) = admin.post("/admin/connection", &confirmed).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Selling countries"),
        "the new environment needs its countries"
    );
    assert_eq!(
        db.connection(&store(&w))
            .await
            .unwrap()
            .unwrap()
            .environment,
        "live"
    );
    assert!(db.countries(&store(&w)).await.unwrap().is_empty());

    // Disconnect: first a confirmation, then the credentials go.
    admin
        .post(
            "/admin/countries",
            &[("enable_ES", "on"), ("merchant_ES", "demo_es")],
        )
        .await;
    let (status, html) = admin.post("/admin/disconnect", &[]).await;
    assert_eq!(status, 200);
    assert!(html.contains("data-test=\"confirm-disconnect\""));
    assert!(db.connection(&store(&w)).await.unwrap().is_some());
    let (status, html) = admin.post("/admin/disconnect", &[("confirmed", "1")]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Disconnected from SeQura"));
    assert!(db.connection(&store(&w)).await.unwrap().is_none());
    assert!(db.countries(&store(&w)).await.unwrap().is_empty());
    let mapping = db.status_mapping(&store(&w)).await.unwrap();
    assert!(
        mapping.iter().all(|(_, s)| s.is_some()),
        "the mapping stays"
    );
    w.finish().await;
}

#[tokio::test]
async fn sequra_down_saves_nothing_and_says_so() {
    let w = world(false).await;
    let admin = installed(&w).await;
    w.sequra.control().fail_next(1, 503);
    let (status, html) = admin
        .post(
            "/admin/connect",
            &[
                ("environment", "sandbox"),
                ("username", DEMO_USERNAME),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 503);
    assert!(html.contains("SeQura could not be reached"));
    assert!(
        w.app
            .state
            .db
            .connection(&store(&w))
            .await
            .unwrap()
            .is_none()
    );
    w.finish().await;
}
