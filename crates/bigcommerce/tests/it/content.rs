//! Scripts, webhook subscriptions and App Extensions (GraphQL).

use bigcommerce::Error;
use bigcommerce::app_extensions::{
    AppExtensionContext, AppExtensionInput, AppExtensionLabel, AppExtensionModel,
    AppExtensionUpdate, LocalizedLabel,
};
use bigcommerce::hooks::{HookCreate, HookFilter, HookHeaders, HookUpdate};
use bigcommerce::scripts::{
    ConsentCategory, LoadMethod, ScriptKind, ScriptLocation, ScriptVisibility, ScriptWrite,
};
use serde_json::json;

use crate::support::{Reply, Stub, example_json};

const SCRIPT: &str = "03805148-a592-4803-9482-e91fe5c1be12";

fn checkout_script() -> ScriptWrite {
    ScriptWrite {
        name: Some("SeQura checkout".into()),
        description: Some("SeQura payment methods on checkout".into()),
        kind: Some(ScriptKind::Src),
        src: Some("https://app.example.com/sf/checkout.js?store=abc123".into()),
        html: None,
        load_method: Some(LoadMethod::Default),
        location: Some(ScriptLocation::Footer),
        visibility: Some(ScriptVisibility::Checkout),
        auto_uninstall: Some(true),
        consent_category: Some(ConsentCategory::Essential),
        enabled: Some(true),
        channel_id: Some(1),
        integrity_hashes: Some(vec![
            "sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC".into(),
        ]),
    }
}

#[tokio::test]
async fn script_create_list_get_update_delete() {
    let stub = Stub::start().await;
    let one = example_json("script-create-response.json");
    stub.on_store("POST", "/v3/content/scripts", Reply::example(200, "script-create-response.json"))
        .on_store(
            "GET",
            "/v3/content/scripts",
            Reply::json(200, &json!({"data": [one["data"].clone()], "meta": {"pagination": {"total": 1, "count": 1, "per_page": 50, "current_page": 1, "total_pages": 1}}})),
        )
        .on_store("GET", &format!("/v3/content/scripts/{SCRIPT}"), Reply::json(200, &one))
        .on_store("PUT", &format!("/v3/content/scripts/{SCRIPT}"), Reply::json(200, &one))
        .on_store("DELETE", &format!("/v3/content/scripts/{SCRIPT}"), Reply::empty(204));
    let store = stub.store();

    let created = store.create_script(&checkout_script()).await.unwrap();
    assert_eq!(created.uuid, SCRIPT);
    assert_eq!(created.visibility, Some(ScriptVisibility::Checkout));
    assert_eq!(created.consent_category, Some(ConsentCategory::Essential));
    assert_eq!(created.integrity_hashes.len(), 1);
    assert_eq!(store.list_scripts().await.unwrap(), vec![created.clone()]);
    assert_eq!(store.get_script(SCRIPT).await.unwrap(), created);
    let new_hash = ScriptWrite {
        integrity_hashes: Some(vec![bigcommerce::sri_sha384(b"console.log('v2');")]),
        ..ScriptWrite::default()
    };
    store.update_script(SCRIPT, &new_hash).await.unwrap();
    store.delete_script(SCRIPT).await.unwrap();

    let requests = stub.requests();
    assert_eq!(
        requests[0].json(),
        example_json("script-create-request.json")
    );
    assert_eq!(requests[1].query_value("page").as_deref(), Some("1"));
    assert_eq!(
        requests[3].json(),
        json!({"integrity_hashes": [bigcommerce::sri_sha384(b"console.log('v2');")]})
    );
    assert_eq!(requests[4].method, "DELETE");
    for req in &requests {
        req.assert_api_headers();
    }
}

#[tokio::test]
async fn scripts_list_walks_pages() {
    let stub = Stub::start().await;
    let data = example_json("script-create-response.json")["data"].clone();
    let page = |n: u64| json!({"data": [data.clone()], "meta": {"pagination": {"total": 2, "count": 1, "per_page": 1, "current_page": n, "total_pages": 2}}});
    stub.on_store("GET", "/v3/content/scripts", Reply::json(200, &page(1)))
        .on_store("GET", "/v3/content/scripts", Reply::json(200, &page(2)));
    assert_eq!(stub.store().list_scripts().await.unwrap().len(), 2);
    let pages: Vec<_> = stub
        .requests()
        .iter()
        .map(|r| r.query_value("page").unwrap())
        .collect();
    assert_eq!(pages, vec!["1", "2"]);
}

fn hook_create() -> HookCreate {
    HookCreate {
        scope: "store/order/statusUpdated".into(),
        destination: "https://app.example.com/bc/webhooks".into(),
        is_active: true,
        headers: Some(HookHeaders::one(
            "X-SeQura-Webhook-Token",
            "3f6c0a8e5b2d4c19a7e1f0d2b9c84e51",
        )),
    }
}

#[tokio::test]
async fn hook_create_accepts_wrapped_and_bare_answers() {
    let stub = Stub::start().await;
    let wrapped = example_json("hooks-create-response.json");
    stub.on_store("POST", "/v3/hooks", Reply::json(200, &wrapped))
        .on_store("POST", "/v3/hooks", Reply::json(200, &wrapped["data"]));
    let store = stub.store();
    for _ in 0..2 {
        let hook = store.create_hook(&hook_create()).await.unwrap();
        assert_eq!(hook.id, 20_172_984);
        assert!(hook.is_active);
        assert_eq!(
            hook.headers.as_ref().unwrap().get("x-sequra-webhook-token"),
            Some("3f6c0a8e5b2d4c19a7e1f0d2b9c84e51")
        );
        assert!(!format!("{hook:?}").contains("3f6c0a8e"));
    }
    let req = &stub.requests()[0];
    req.assert_api_headers();
    assert_eq!(req.json(), example_json("hooks-create-request.json"));
}

#[tokio::test]
async fn hook_list_get_reactivate_delete() {
    let stub = Stub::start().await;
    let wrapped = example_json("hooks-create-response.json");
    let mut inactive = wrapped["data"].clone();
    inactive["is_active"] = json!(false);
    inactive["headers"] = json!(null);
    stub.on_store(
        "GET",
        "/v3/hooks",
        Reply::json(200, &json!({"data": [inactive], "meta": {"pagination": {"total": 1, "total_pages": 1, "current_page": 1}}})),
    )
    .on_store("GET", "/v3/hooks/20172984", Reply::json(200, &wrapped))
    .on_store("PUT", "/v3/hooks/20172984", Reply::json(200, &wrapped))
    .on_store("DELETE", "/v3/hooks/20172984", Reply::json(200, &wrapped));
    let store = stub.store();

    let filter = HookFilter {
        is_active: Some(false),
        ..HookFilter::default()
    };
    let hooks = store.list_hooks(&filter).await.unwrap();
    assert!(!hooks[0].is_active);
    assert_eq!(hooks[0].headers, None);
    assert_eq!(store.get_hook(20_172_984).await.unwrap().id, 20_172_984);
    assert!(
        store
            .update_hook(20_172_984, &HookUpdate::reactivate())
            .await
            .unwrap()
            .is_active
    );
    store.delete_hook(20_172_984).await.unwrap();

    let requests = stub.requests();
    assert_eq!(
        requests[0].query_value("is_active").as_deref(),
        Some("false")
    );
    assert_eq!(requests[2].json(), json!({"is_active": true}));
    assert_eq!(requests[3].method, "DELETE");
}

fn extension_input() -> AppExtensionInput {
    AppExtensionInput {
        context: AppExtensionContext::Panel,
        model: AppExtensionModel::Orders,
        url: "/orders/${id}/sequra".into(),
        label: AppExtensionLabel {
            default_value: "SeQura order information".into(),
            locales: vec![LocalizedLabel {
                value: "Información SeQura".into(),
                locale_code: "es-ES".into(),
            }],
        },
    }
}

#[tokio::test]
async fn app_extension_create_and_list() {
    let stub = Stub::start().await;
    stub.on_store(
        "POST",
        "/graphql",
        Reply::example(200, "app-extension-create-response.json"),
    )
    .on_store(
        "POST",
        "/graphql",
        Reply::example(200, "app-extensions-query-response.json"),
    );
    let store = stub.store();

    let created = store
        .create_app_extension(&extension_input())
        .await
        .unwrap();
    assert_eq!(created.id, "bc/store/appExtension/2");
    assert_eq!(created.model, Some(AppExtensionModel::Orders));
    assert_eq!(created.context, Some(AppExtensionContext::Panel));
    assert_eq!(created.label.unwrap().locales[0].locale_code, "es-ES");

    let list = store.list_app_extensions().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].url.as_deref(), Some("/orders/${id}/sequra"));
    assert_eq!(list[0].context, None);

    let requests = stub.requests();
    let create = requests[0].json();
    requests[0].assert_api_headers();
    assert!(
        create["query"]
            .as_str()
            .unwrap()
            .contains("createAppExtension(input: $input)")
    );
    assert_eq!(
        create["variables"],
        example_json("app-extension-create-variables.json")
    );
    let query = requests[1].json();
    assert!(query["query"].as_str().unwrap().contains("appExtensions"));
    assert!(query.get("variables").is_none());
}

#[tokio::test]
async fn app_extension_update_and_delete() {
    let stub = Stub::start().await;
    stub.on_store(
        "POST",
        "/graphql",
        Reply::json(200, &json!({"data": {"appExtension": {"updateAppExtension": {"appExtension": {
            "id": "bc/store/appExtension/2", "url": "/orders/${id}/sequra-v2", "label": {"defaultValue": "SeQura"}}}}}})),
    )
    .on_store(
        "POST",
        "/graphql",
        Reply::json(200, &json!({"data": {"appExtension": {"deleteAppExtension": {"deletedAppExtensionId": "bc/store/appExtension/2"}}}})),
    );
    let store = stub.store();
    let update = AppExtensionUpdate {
        url: Some("/orders/${id}/sequra-v2".into()),
        label: None,
    };
    let updated = store
        .update_app_extension("bc/store/appExtension/2", &update)
        .await
        .unwrap();
    assert_eq!(updated.url.as_deref(), Some("/orders/${id}/sequra-v2"));
    assert_eq!(
        store
            .delete_app_extension("bc/store/appExtension/2")
            .await
            .unwrap(),
        "bc/store/appExtension/2"
    );
    let requests = stub.requests();
    assert_eq!(
        requests[0].json()["variables"],
        json!({"input": {"id": "bc/store/appExtension/2", "data": {"url": "/orders/${id}/sequra-v2"}}})
    );
    assert!(
        requests[1].json()["query"]
            .as_str()
            .unwrap()
            .contains("deleteAppExtension")
    );
    assert_eq!(
        requests[1].json()["variables"],
        json!({"input": {"id": "bc/store/appExtension/2"}})
    );
}

#[tokio::test]
async fn graphql_errors_in_a_200_are_typed() {
    let stub = Stub::start().await;
    stub.on_store(
        "POST",
        "/graphql",
        Reply::json(200, &json!({"data": null, "errors": [{"message": "App extension limit reached for model ORDERS"}]})),
    )
    .on_store("POST", "/graphql", Reply::json(200, &json!({"data": {"store": null}})));
    let store = stub.store();
    match store
        .create_app_extension(&extension_input())
        .await
        .unwrap_err()
    {
        Error::GraphQl { messages, .. } => {
            assert_eq!(
                messages,
                vec!["App extension limit reached for model ORDERS"]
            );
        }
        other => panic!("{other}"),
    }
    let err = store.list_app_extensions().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
}
