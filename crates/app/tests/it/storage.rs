//! The storage contract: every storage function behaves the same on SQLite and PostgreSQL,
//! and no function lets one store see or change another store's rows.

use sequra_bc::db::Db;
use sequra_bc::db::settings::CountryRow;
use sequra_bc::db::stores::{InstallRecord, StoreInfo};
use sequra_bc::domain::{SequraState, StoreHash};

use crate::support::db::on_each_backend;

fn hash(s: &str) -> StoreHash {
    StoreHash::parse(s).unwrap()
}

fn install(token: &[u8]) -> InstallRecord {
    InstallRecord {
        access_token: token.to_vec(),
        scopes: "store_v2_orders store_checkout".into(),
        owner_user_id: 7,
        webhook_secret: b"sealed-secret".to_vec(),
    }
}

#[tokio::test]
async fn stores_users_and_artefacts() {
    on_each_backend(|db: Db| async move {
        let a = hash("storea");
        let b = hash("storeb");
        db.upsert_store(&a, &install(b"token-a")).await.unwrap();
        db.upsert_store(&b, &install(b"token-b")).await.unwrap();

        // Re-authorisation replaces the token but keeps the webhook secret.
        let mut again = install(b"token-a2");
        again.webhook_secret = b"other".to_vec();
        db.upsert_store(&a, &again).await.unwrap();
        let row = db.store(&a).await.unwrap().unwrap();
        assert_eq!(row.access_token, b"token-a2");
        assert_eq!(row.webhook_secret, b"sealed-secret");
        assert_eq!(
            db.store(&b).await.unwrap().unwrap().access_token,
            b"token-b"
        );
        assert!(db.store(&hash("nobody")).await.unwrap().is_none());

        let info = StoreInfo {
            store_id: Some("1001".into()),
            control_panel_base_url: Some("https://store-storea.example".into()),
            secure_url: Some("https://shop.example".into()),
            currency: Some("EUR".into()),
        };
        db.set_store_info(&a, &info).await.unwrap();
        let row = db.store(&a).await.unwrap().unwrap();
        assert_eq!(row.store_id.as_deref(), Some("1001"));
        assert_eq!(db.store(&b).await.unwrap().unwrap().store_id, None);

        db.upsert_user(&a, 7, "owner@a", true, Some("es-ES"))
            .await
            .unwrap();
        db.upsert_user(&a, 8, "staff@a", false, None).await.unwrap();
        db.upsert_user(&b, 9, "owner@b", true, None).await.unwrap();
        // A later load without a locale keeps the one we had.
        db.upsert_user(&a, 7, "owner@a", true, None).await.unwrap();
        assert_eq!(
            db.user(&a, 7).await.unwrap().unwrap().locale.as_deref(),
            Some("es-ES")
        );
        assert_eq!(db.users(&a).await.unwrap().len(), 2);
        assert!(db.user(&a, 9).await.unwrap().is_none(), "user of store b");
        assert!(
            !db.delete_user(&a, 9).await.unwrap(),
            "cannot delete b's user"
        );
        assert!(db.delete_user(&a, 8).await.unwrap());
        assert_eq!(db.users(&a).await.unwrap().len(), 1);

        db.put_artefact(&a, "webhook", "store/order/*", "11", "f1")
            .await
            .unwrap();
        db.put_artefact(&a, "webhook", "store/order/*", "12", "f2")
            .await
            .unwrap();
        db.put_artefact(&b, "script", "checkout", "uuid-b", "f")
            .await
            .unwrap();
        let arts = db.artefacts(&a).await.unwrap();
        assert_eq!(arts.len(), 1);
        assert_eq!(arts[0].remote_id, "12");
        db.delete_artefact(&a, "script", "checkout").await.unwrap();
        assert_eq!(db.artefacts(&b).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn settings_are_per_store() {
    on_each_backend(|db: Db| async move {
        let a = hash("storea");
        let b = hash("storeb");
        for s in [&a, &b] {
            db.upsert_store(s, &install(b"t")).await.unwrap();
        }

        db.set_connection(&a, "sandbox", "user-a", b"sealed-a")
            .await
            .unwrap();
        db.set_connection(&a, "live", "user-a", b"sealed-a2")
            .await
            .unwrap();
        let c = db.connection(&a).await.unwrap().unwrap();
        assert_eq!(
            (c.environment.as_str(), c.password.as_slice()),
            ("live", &b"sealed-a2"[..])
        );
        assert!(db.connection(&b).await.unwrap().is_none());

        let countries = vec![
            CountryRow {
                country_code: "ES".into(),
                merchant_id: "m-es".into(),
            },
            CountryRow {
                country_code: "FR".into(),
                merchant_id: "m-fr".into(),
            },
        ];
        db.replace_countries(&a, &countries).await.unwrap();
        db.replace_countries(&b, &countries[..1]).await.unwrap();
        assert_eq!(db.countries(&a).await.unwrap(), countries);
        db.replace_countries(&a, &countries[1..]).await.unwrap();
        assert_eq!(db.countries(&a).await.unwrap(), countries[1..].to_vec());
        assert_eq!(db.countries(&b).await.unwrap(), countries[..1].to_vec());

        db.put_general_settings(&a, r#"{"x":1}"#).await.unwrap();
        db.put_general_settings(&a, r#"{"x":2}"#).await.unwrap();
        assert_eq!(
            db.general_settings(&a).await.unwrap().as_deref(),
            Some(r#"{"x":2}"#)
        );
        assert_eq!(db.general_settings(&b).await.unwrap(), None);

        // No rows yet: every state maps to None.
        assert!(
            db.status_mapping(&a)
                .await
                .unwrap()
                .iter()
                .all(|(_, s)| s.is_none())
        );
        let mapping = vec![
            (SequraState::Approved, Some(11)),
            (SequraState::NeedsReview, None),
            (SequraState::Cancelled, Some(5)),
        ];
        db.put_status_mapping(&a, &mapping).await.unwrap();
        assert_eq!(db.status_mapping(&a).await.unwrap(), mapping);
        assert!(
            db.status_mapping(&b)
                .await
                .unwrap()
                .iter()
                .all(|(_, s)| s.is_none())
        );

        // Disconnect keeps settings and mapping, drops credentials and countries.
        db.delete_connection(&a).await.unwrap();
        assert!(db.connection(&a).await.unwrap().is_none());
        assert!(db.countries(&a).await.unwrap().is_empty());
        assert_eq!(db.status_mapping(&a).await.unwrap(), mapping);
        assert_eq!(db.countries(&b).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn uninstall_removes_every_row_of_that_store_only() {
    on_each_backend(|db: Db| async move {
        let a = hash("storea");
        let b = hash("storeb");
        for s in [&a, &b] {
            db.upsert_store(s, &install(b"t")).await.unwrap();
            db.upsert_user(s, 1, "u", true, None).await.unwrap();
            db.set_connection(s, "sandbox", "u", b"p").await.unwrap();
            db.replace_countries(
                s,
                &[CountryRow {
                    country_code: "ES".into(),
                    merchant_id: "m".into(),
                }],
            )
            .await
            .unwrap();
            db.put_general_settings(s, "{}").await.unwrap();
            db.put_status_mapping(s, &vec![(SequraState::Approved, Some(11))])
                .await
                .unwrap();
            db.put_artefact(s, "script", "checkout", "x", "f")
                .await
                .unwrap();
        }
        assert!(db.delete_store(&a).await.unwrap());
        assert!(!db.delete_store(&a).await.unwrap());
        assert!(db.store(&a).await.unwrap().is_none());
        assert!(db.users(&a).await.unwrap().is_empty());
        assert!(db.connection(&a).await.unwrap().is_none());
        assert!(db.countries(&a).await.unwrap().is_empty());
        assert!(db.general_settings(&a).await.unwrap().is_none());
        assert!(db.artefacts(&a).await.unwrap().is_empty());
        assert!(
            db.status_mapping(&a)
                .await
                .unwrap()
                .iter()
                .all(|(_, s)| s.is_none())
        );

        assert!(db.store(&b).await.unwrap().is_some());
        assert_eq!(db.users(&b).await.unwrap().len(), 1);
        assert!(db.connection(&b).await.unwrap().is_some());
        assert_eq!(db.artefacts(&b).await.unwrap().len(), 1);
    })
    .await;
}
