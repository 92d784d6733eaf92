//! Install → load → admin → uninstall against the BigCommerce sandbox, on SQLite and on
//! PostgreSQL; and every way in that must be refused.

use bigcommerce::sri_sha384;
use sandbox::bigcommerce::{EXAMPLE_CLIENT_ID, NewStore};
use sequra_bc::domain::{SequraState, StoreHash};
use sequra_bc::services::provision::{CHECKOUT_JS, WEBHOOK_SCOPES, WEBHOOK_TOKEN_HEADER};

use crate::support::world::{Admin, World, get, session_token, world};

fn backends() -> Vec<bool> {
    let mut b = vec![false];
    if std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        b.push(true);
    }
    b
}

fn store(w: &World) -> StoreHash {
    StoreHash::parse(w.store()).unwrap()
}

#[tokio::test]
async fn install_provisions_the_store_idempotently() {
    for postgres in backends() {
        let w = world(postgres).await;
        let (status, page) = w.install_as(w.example.owner_id).await;
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains("data-token="),
            "the admin UI answers the install"
        );

        for round in 0..2 {
            let hooks = w.bc.webhooks().hooks(w.store());
            assert_eq!(hooks.len(), WEBHOOK_SCOPES.len(), "round {round}");
            for hook in &hooks {
                assert!(hook.is_active());
                assert!(hook.destination.ends_with("/webhooks/bigcommerce"));
                let headers = hook.headers.clone().unwrap_or_default();
                assert_eq!(headers.len(), 1);
                assert!(headers.contains_key(WEBHOOK_TOKEN_HEADER));
            }
            let scripts = w.bc.scripts(w.store());
            assert_eq!(scripts.len(), 1);
            assert_eq!(scripts[0].integrity_hashes, vec![sri_sha384(CHECKOUT_JS)]);
            assert!(
                scripts[0]
                    .src
                    .contains("/storefront/checkout.js?store=abc123")
            );
            assert_eq!(w.bc.app_extensions(w.store()).len(), 1);
            // Installing again (re-authorisation) changes nothing remote.
            let (status, _) = w.install_as(w.example.owner_id).await;
            assert_eq!(status, 200);
        }

        let db = &w.app.state.db;
        let row = db.store(&store(&w)).await.unwrap().unwrap();
        assert!(row.control_panel_base_url.is_some());
        assert_eq!(row.currency.as_deref(), Some("EUR"));
        let mapping = db.status_mapping(&store(&w)).await.unwrap();
        assert_eq!(
            mapping,
            vec![
                (SequraState::Approved, Some(11)),
                (SequraState::NeedsReview, Some(12)),
                (SequraState::Cancelled, Some(5)),
            ]
        );
        w.finish().await;
    }
}

#[tokio::test]
async fn admin_pages_work_with_the_session_and_validate_forms() {
    let w = world(false).await;
    let (_, page) = w.install_as(w.example.owner_id).await;
    let admin = Admin {
        base_url: &w.app.base_url,
        token: session_token(&page),
    };
    let (status, html) = admin.get("/admin/order-statuses").await;
    assert_eq!(status, 200);
    assert!(html.contains("Awaiting Fulfillment") && html.contains("Manual Verification Required"));

    let (status, html) = admin
        .post(
            "/admin/order-statuses",
            &[
                ("approved", ""),
                ("needs_review", "12"),
                ("cancelled", "999"),
            ],
        )
        .await;
    assert_eq!(status, 422, "an unknown status is refused");
    assert!(html.contains("Choose one of the store"));
    let db = &w.app.state.db;
    assert_eq!(
        db.status_mapping(&store(&w)).await.unwrap()[0],
        (SequraState::Approved, Some(11)),
        "nothing saved on error"
    );

    let (status, _) = admin
        .post(
            "/admin/order-statuses",
            &[("approved", ""), ("needs_review", "12"), ("cancelled", "6")],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        db.status_mapping(&store(&w)).await.unwrap(),
        vec![
            (SequraState::Approved, None),
            (SequraState::NeedsReview, Some(12)),
            (SequraState::Cancelled, Some(6)),
        ]
    );

    let (status, html) = admin
        .post(
            "/admin/settings",
            &[
                ("allowed_ips", "1.2.3.4\nnope"),
                ("excluded_products", ""),
                ("excluded_categories", ""),
                ("default_services_end", ""),
                ("send_order_reports", "on"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(html.contains("is not an IP address"));
    assert!(db.general_settings(&store(&w)).await.unwrap().is_none());
    let (status, _) = admin
        .post(
            "/admin/settings",
            &[
                ("allowed_ips", "1.2.3.4"),
                ("excluded_products", "SKU-1"),
                ("excluded_categories", ""),
                ("default_services_end", ""),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let saved = db.general_settings(&store(&w)).await.unwrap().unwrap();
    assert!(saved.contains("1.2.3.4") && saved.contains("SKU-1"));

    let (status, html) = admin.get("/admin/transactions").await;
    assert_eq!(status, 200);
    assert!(html.contains("Nothing to show"));
    w.finish().await;
}

#[tokio::test]
async fn users_load_uninstall_and_what_is_refused() {
    let w = world(false).await;
    let (_, page) = w.install_as(w.example.owner_id).await;
    let owner = Admin {
        base_url: &w.app.base_url,
        token: session_token(&page),
    };

    // A second user of the store opens the app: they become a user of it.
    let (status, page) = w.load_as(w.example.staff_id, "/").await;
    assert_eq!(status, 200, "{page}");
    let staff = Admin {
        base_url: &w.app.base_url,
        token: session_token(&page),
    };
    assert_eq!(staff.get("/admin/settings").await.0, 200);
    let users = w.app.state.db.users(&store(&w)).await.unwrap();
    assert_eq!(users.len(), 2);

    // A forged payload, a payload for another app, an expired one: 401, nothing changes.
    let forged =
        w.bc.load_url(w.store(), EXAMPLE_CLIENT_ID, w.example.owner_id, "/")
            .unwrap();
    let tampered = forged.replacen("signed_payload_jwt=ey", "signed_payload_jwt=eX", 1);
    assert_eq!(get(&tampered).await.0, 401);
    assert_eq!(get(&format!("{}/bc/load", w.app.base_url)).await.0, 400);
    assert_eq!(
        get(&format!(
            "{}/bc/load?signed_payload_jwt=x.y.z",
            w.app.base_url
        ))
        .await
        .0,
        401
    );
    let fresh =
        w.bc.load_url(w.store(), EXAMPLE_CLIENT_ID, w.example.owner_id, "/")
            .unwrap();
    w.app.clock.advance_ms(25 * 3_600_000);
    assert_eq!(get(&fresh).await.0, 401, "expired signed payload");
    assert_eq!(owner.get("/admin/settings").await.0, 401, "expired session");
    w.app.clock.advance_ms(-25 * 3_600_000);
    assert_eq!(w.app.state.db.users(&store(&w)).await.unwrap().len(), 2);

    // Sessions: missing, forged, for another store.
    let nobody = Admin {
        base_url: &w.app.base_url,
        token: "not-a-token".into(),
    };
    assert_eq!(nobody.get("/admin/settings").await.0, 401);
    let raw = reqwest::get(format!("{}/admin/settings", w.app.base_url))
        .await
        .unwrap();
    assert_eq!(raw.status(), 401);

    // The owner removes the staff user's access: their session stops working.
    w.bc.remove_user(w.store(), EXAMPLE_CLIENT_ID, w.example.staff_id)
        .await
        .unwrap();
    assert_eq!(staff.get("/admin/settings").await.0, 403);
    assert_eq!(w.app.state.db.users(&store(&w)).await.unwrap().len(), 1);

    // Uninstall: the app forgets the store; sessions and loads are refused.
    let outcome =
        w.bc.uninstall(w.store(), EXAMPLE_CLIENT_ID, Some(w.example.owner_id))
            .await
            .unwrap();
    assert_eq!(outcome.status, Ok(200));
    assert!(w.app.state.db.store(&store(&w)).await.unwrap().is_none());
    assert_eq!(owner.get("/admin/settings").await.0, 401);
    let jwt_for_gone_store =
        w.bc.signed_payload_jwt(w.store(), EXAMPLE_CLIENT_ID, w.example.owner_id, "/", None)
            .unwrap();
    let url = format!(
        "{}/bc/load?signed_payload_jwt={jwt_for_gone_store}",
        w.app.base_url
    );
    assert_eq!(get(&url).await.0, 401);
    w.finish().await;
}

#[tokio::test]
async fn one_store_cannot_touch_another() {
    let w = world(false).await;
    let (_, page_a) = w.install_as(w.example.owner_id).await;
    w.bc.create_store(NewStore::named("def456", 2002)).unwrap();
    let owner_b = w.bc.store("def456").unwrap().owner_id;
    let url =
        w.bc.start_install("def456", EXAMPLE_CLIENT_ID, owner_b)
            .unwrap();
    let (status, page_b) = get(&url).await;
    assert_eq!(status, 200, "{page_b}");
    let b = Admin {
        base_url: &w.app.base_url,
        token: session_token(&page_b),
    };
    let a = Admin {
        base_url: &w.app.base_url,
        token: session_token(&page_a),
    };
    assert_eq!(
        b.post(
            "/admin/settings",
            &[
                ("allowed_ips", ""),
                ("excluded_products", "ONLY-B"),
                ("excluded_categories", ""),
                ("default_services_end", ""),
            ],
        )
        .await
        .0,
        200
    );
    let db = &w.app.state.db;
    assert!(db.general_settings(&store(&w)).await.unwrap().is_none());
    let (_, html_a) = a.get("/admin/settings").await;
    assert!(!html_a.contains("ONLY-B"));
    // Each store's hooks carry its own secret.
    let secret = |hash: &str| {
        w.bc.webhooks().hooks(hash)[0]
            .headers
            .clone()
            .unwrap()
            .get(WEBHOOK_TOKEN_HEADER)
            .cloned()
    };
    assert_ne!(secret("abc123"), secret("def456"));
    w.finish().await;
}

#[tokio::test]
async fn a_deactivated_hook_is_switched_back_on_at_load_and_the_merchant_is_told() {
    let w = world(false).await;
    w.install_as(w.example.owner_id).await;
    let hook = w.bc.webhooks().hooks(w.store())[0].clone();
    assert!(w.bc.webhooks().deactivate(hook.id));
    assert!(!w.bc.webhooks().hook(hook.id).unwrap().is_active());

    let (status, _) = w.load_as(w.example.owner_id, "/").await;
    assert_eq!(status, 200);
    w.app.drain_jobs().await;
    assert!(w.bc.webhooks().hook(hook.id).unwrap().is_active());
    let events = w.app.state.db.events(&store(&w), 10).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.kind == "webhook_reactivated" && e.detail == hook.scope)
    );
    w.finish().await;
}
