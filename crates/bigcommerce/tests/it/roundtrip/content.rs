//! Scripts API (with the 10-per-app limit) and App Extensions over GraphQL (with the
//! 2-per-model limit and the JWT of a click on one).

use bigcommerce::app_extensions::{
    AppExtensionContext, AppExtensionInput, AppExtensionLabel, AppExtensionModel,
    AppExtensionUpdate, LocalizedLabel,
};
use bigcommerce::scripts::{
    ConsentCategory, LoadMethod, ScriptKind, ScriptLocation, ScriptVisibility, ScriptWrite,
};
use bigcommerce::{Error, SignedPayloadVerifier, sri_sha384};
use sandbox::bigcommerce::{EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET};
use secrecy::SecretString;
use url::Url;

use super::Sim;

const SCRIPT: &[u8] = b"window.SequraConfiguration = {};";

fn checkout_script(name: &str) -> ScriptWrite {
    ScriptWrite::external(
        name,
        "https://cdn.sequra.es/assets/sequra-checkout.js",
        ScriptVisibility::Checkout,
        1,
        SCRIPT,
    )
}

#[tokio::test]
async fn scripts_create_list_get_update_delete() {
    let s = Sim::new().await;
    let created = s
        .store
        .create_script(&checkout_script("SeQura checkout"))
        .await
        .unwrap();
    assert_eq!(created.name, "SeQura checkout");
    assert_eq!(created.kind, ScriptKind::Src);
    assert_eq!(
        created.src,
        "https://cdn.sequra.es/assets/sequra-checkout.js"
    );
    assert_eq!(created.load_method, Some(LoadMethod::Default));
    assert_eq!(created.location, Some(ScriptLocation::Footer));
    assert_eq!(created.visibility, Some(ScriptVisibility::Checkout));
    assert_eq!(created.consent_category, Some(ConsentCategory::Essential));
    assert!(created.auto_uninstall);
    assert!(created.enabled);
    assert_eq!(created.channel_id, Some(1));
    assert_eq!(created.integrity_hashes, vec![sri_sha384(SCRIPT)]);
    assert_eq!(created.api_client_id.as_deref(), Some(EXAMPLE_CLIENT_ID));
    let stored = s.sim.scripts(s.hash());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].uuid, created.uuid);

    assert_eq!(s.store.list_scripts().await.unwrap(), vec![created.clone()]);
    assert_eq!(s.store.get_script(&created.uuid).await.unwrap(), created);

    // Only what changes; the rest stays.
    let updated = s
        .store
        .update_script(
            &created.uuid,
            &ScriptWrite {
                enabled: Some(false),
                description: Some("apagado".into()),
                ..ScriptWrite::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.uuid, created.uuid);
    assert!(!updated.enabled);
    assert_eq!(updated.description, "apagado");
    assert_eq!(updated.src, created.src);
    assert_eq!(updated.integrity_hashes, created.integrity_hashes);

    // Another app does not see ours.
    let other = s.other_app();
    assert!(other.list_scripts().await.unwrap().is_empty());
    let err = other.get_script(&created.uuid).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");

    s.store.delete_script(&created.uuid).await.unwrap();
    assert!(s.sim.scripts(s.hash()).is_empty());
    assert!(s.store.list_scripts().await.unwrap().is_empty());
    let err = s.store.delete_script(&created.uuid).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = s.store.get_script(&created.uuid).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn the_eleventh_script_is_refused() {
    let s = Sim::new().await;
    // Invalid content: a `script_tag` whose html holds no <script> tag.
    let err = s
        .store
        .create_script(&ScriptWrite {
            name: Some("broken".into()),
            kind: Some(ScriptKind::ScriptTag),
            html: Some("no script tag here".into()),
            ..ScriptWrite::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unprocessable { .. }), "{err}");
    assert!(s.sim.scripts(s.hash()).is_empty());

    for n in 0..10 {
        s.store
            .create_script(&checkout_script(&format!("script {n}")))
            .await
            .unwrap();
    }
    let err = s
        .store
        .create_script(&checkout_script("one too many"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("at most 10"), "{err}");
    assert!(matches!(err, Error::Unprocessable { .. }), "{err}");
    assert!(!err.is_retryable());
    assert_eq!(s.store.list_scripts().await.unwrap().len(), 10);
}

fn order_extension(label: &str) -> AppExtensionInput {
    AppExtensionInput {
        context: AppExtensionContext::Panel,
        model: AppExtensionModel::Orders,
        url: "/orders/${id}/sequra".into(),
        label: AppExtensionLabel {
            default_value: label.into(),
            locales: vec![LocalizedLabel {
                value: "Información SeQura".into(),
                locale_code: "es-ES".into(),
            }],
        },
    }
}

#[tokio::test]
async fn app_extensions_and_the_click_jwt() {
    let s = Sim::new().await;
    assert!(s.store.list_app_extensions().await.unwrap().is_empty());
    let created = s
        .store
        .create_app_extension(&order_extension("SeQura order information"))
        .await
        .unwrap();
    assert!(
        created.id.starts_with("bc/store/appExtension/"),
        "{}",
        created.id
    );
    assert_eq!(created.context, Some(AppExtensionContext::Panel));
    assert_eq!(created.model, Some(AppExtensionModel::Orders));
    assert_eq!(created.url.as_deref(), Some("/orders/${id}/sequra"));
    let label = created.label.as_ref().unwrap();
    assert_eq!(label.default_value, "SeQura order information");
    assert_eq!(label.locales[0].locale_code, "es-ES");
    assert_eq!(s.sim.app_extensions(s.hash()).len(), 1);

    assert_eq!(
        s.store.list_app_extensions().await.unwrap(),
        vec![created.clone()]
    );

    // The merchant clicks it on order 250: the load JWT's url names the order.
    let click = s
        .sim
        .app_extension_click_url(s.hash(), EXAMPLE_CLIENT_ID, s.ex.staff_id, &created.id, 250)
        .unwrap();
    let jwt = Url::parse(&click)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "signed_payload_jwt")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let payload = SignedPayloadVerifier::new(
        EXAMPLE_CLIENT_ID,
        SecretString::from(EXAMPLE_CLIENT_SECRET.to_owned()),
    )
    .verify(&jwt, s.clock.now())
    .unwrap();
    assert_eq!(payload.url, "/orders/250/sequra");
    assert_eq!(payload.app_extension_order_id(), Some(250));
    assert_eq!(payload.user.id, u64::try_from(s.ex.staff_id).unwrap());
    assert_eq!(payload.channel_id, None);

    // The label is replaced as a whole.
    let updated = s
        .store
        .update_app_extension(
            &created.id,
            &AppExtensionUpdate {
                url: None,
                label: Some(AppExtensionLabel {
                    default_value: "SeQura".into(),
                    locales: Vec::new(),
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.url, created.url);
    assert_eq!(updated.label.as_ref().unwrap().default_value, "SeQura");
    assert!(updated.label.as_ref().unwrap().locales.is_empty());

    // Two per model at most: the third ORDERS extension is a GraphQL error.
    let second = s
        .store
        .create_app_extension(&order_extension("second"))
        .await
        .unwrap();
    let err = s
        .store
        .create_app_extension(&order_extension("third"))
        .await
        .unwrap_err();
    match &err {
        Error::GraphQl { messages, .. } => {
            assert!(messages[0].contains("at most 2"), "{messages:?}");
        }
        other => panic!("{other}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(s.store.list_app_extensions().await.unwrap().len(), 2);

    let deleted = s.store.delete_app_extension(&created.id).await.unwrap();
    assert_eq!(deleted, created.id);
    let left = s.store.list_app_extensions().await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, second.id);
    let err = s.store.delete_app_extension(&created.id).await.unwrap_err();
    assert!(matches!(err, Error::GraphQl { .. }), "{err}");

    // Without store_app_extensions_manage: HTTP 403.
    let limited = s.client_with_scopes(&["store_v2_orders"]);
    let err = limited.list_app_extensions().await.unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
}
