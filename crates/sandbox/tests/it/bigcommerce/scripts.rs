//! Scripts API: per-app visibility, validation, the 10-per-app limit, the checkout scope.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Harness, fixture, register_other_app};

#[tokio::test]
async fn create_list_get_update_delete() {
    let h = Harness::new().await;
    let reply = h
        .post("/v3/content/scripts", fixture("script-create-request.json"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.raw);
    let got = &reply.body["data"];
    let want = &fixture("script-create-response.json")["data"];
    for key in [
        "name",
        "description",
        "kind",
        "src",
        "load_method",
        "location",
        "visibility",
        "auto_uninstall",
        "consent_category",
        "enabled",
        "channel_id",
        "integrity_hashes",
        "api_client_id",
        "html",
    ] {
        assert_eq!(got[key], want[key], "{key}");
    }
    let uuid = got["uuid"].as_str().unwrap().to_owned();
    assert_eq!(uuid.len(), 36);
    assert!(got["date_created"].as_str().unwrap().ends_with("+00:00"));

    let list = h.get("/v3/content/scripts").await;
    assert_eq!(list.body["data"][0]["uuid"], uuid.as_str());
    assert_eq!(list.body["meta"]["pagination"]["total"], 1);
    assert_eq!(
        h.get("/v3/content/scripts?channel_id:in=2").await.body["data"],
        json!([])
    );
    assert_eq!(
        h.get(&format!("/v3/content/scripts/{uuid}")).await.body["data"]["name"],
        "SeQura checkout"
    );

    let updated = h
        .put(
            &format!("/v3/content/scripts/{uuid}"),
            json!({"integrity_hashes": ["sha384-NEWHASHabc+/="], "enabled": false}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(
        updated.body["data"]["integrity_hashes"],
        json!(["sha384-NEWHASHabc+/="])
    );
    assert_eq!(updated.body["data"]["src"], want["src"]);
    assert_eq!(updated.body["data"]["enabled"], false);

    let deleted = h.delete(&format!("/v3/content/scripts/{uuid}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.get(&format!("/v3/content/scripts/{uuid}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.delete(&format!("/v3/content/scripts/{uuid}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn kind_src_and_html_must_agree() {
    let h = Harness::new().await;
    let base = json!({"name": "s", "visibility": "storefront", "consent_category": "essential"});
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for (bad, field) in [
        (json!({"kind": "src"}), "src"),
        (json!({"kind": "src", "src": "not a url"}), "src"),
        (
            json!({"kind": "src", "src": "https://a.example/x.js", "html": "<script></script>"}),
            "html",
        ),
        (json!({"kind": "script_tag"}), "html"),
        (json!({"kind": "script_tag", "html": "<div></div>"}), "html"),
        (
            json!({"kind": "script_tag", "html": "<script>1</script>", "src": "https://a.example/x.js"}),
            "src",
        ),
        (
            json!({"kind": "script_tag", "html": "<script>1</script>", "load_method": "async"}),
            "load_method",
        ),
        (
            json!({"kind": "iframe", "src": "https://a.example/x.js"}),
            "kind",
        ),
        (
            json!({"kind": "src", "src": "https://a.example/x.js", "location": "body"}),
            "location",
        ),
        (
            json!({"kind": "src", "src": "https://a.example/x.js", "consent_category": "unknown"}),
            "consent_category",
        ),
        (
            json!({"kind": "src", "src": "https://a.example/x.js", "integrity_hashes": ["md5-abc"]}),
            "integrity_hashes",
        ),
        (
            json!({"kind": "src", "src": "https://a.example/x.js", "channel_id": 0}),
            "channel_id",
        ),
        (
            json!({"kind": "src", "src": "https://a.example/x.js", "name": ""}),
            "name",
        ),
    ] {
        let reply = h.post("/v3/content/scripts", with(bad.clone())).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            reply.body["errors"][field].is_string(),
            "{bad}: {}",
            reply.raw
        );
    }
    let no_name = h
        .post(
            "/v3/content/scripts",
            json!({"kind": "src", "src": "https://a.example/x.js"}),
        )
        .await;
    assert_eq!(no_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A valid inline script; an unspecified consent category is BigCommerce's `unknown`.
    let tag = h
        .post(
            "/v3/content/scripts",
            json!({"name": "tag", "kind": "script_tag", "html": "<script>console.log(1)</script>"}),
        )
        .await;
    assert_eq!(tag.status, StatusCode::OK, "{}", tag.raw);
    assert_eq!(tag.body["data"]["consent_category"], "unknown");
    assert_eq!(tag.body["data"]["src"], "");
    // Updates are validated against the merged script.
    let uuid = tag.body["data"]["uuid"].as_str().unwrap();
    let broken = h
        .put(
            &format!("/v3/content/scripts/{uuid}"),
            json!({"kind": "src"}),
        )
        .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn scripts_are_private_to_their_app_and_limited_to_ten() {
    let h = Harness::new().await;
    for i in 0..10 {
        let reply = h
            .post(
                "/v3/content/scripts",
                json!({"name": format!("s{i}"), "kind": "src", "src": "https://a.example/x.js"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let eleventh = h
        .post(
            "/v3/content/scripts",
            json!({"name": "s10", "kind": "src", "src": "https://a.example/x.js"}),
        )
        .await;
    assert_eq!(eleventh.status, StatusCode::UNPROCESSABLE_ENTITY);
    let first = h
        .get("/v3/content/scripts?sort=name&direction=asc&limit=1")
        .await
        .body["data"][0]
        .clone();
    assert_eq!(first["name"], "s0");
    let other = register_other_app(&h);
    let list = h
        .raw(
            Method::GET,
            "/stores/abc123/v3/content/scripts",
            Some(&other),
            None,
        )
        .await;
    assert_eq!(list.body["data"], json!([]));
    let path = format!(
        "/stores/abc123/v3/content/scripts/{}",
        first["uuid"].as_str().unwrap()
    );
    assert_eq!(
        h.raw(Method::GET, &path, Some(&other), None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        h.raw(Method::DELETE, &path, Some(&other), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The other app has its own ten.
    let own = h
        .raw(
            Method::POST,
            "/stores/abc123/v3/content/scripts",
            Some(&other),
            Some(r#"{"name": "o", "kind": "src", "src": "https://o.example/x.js"}"#),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK);
}

#[tokio::test]
async fn checkout_visibility_needs_the_checkout_content_scope() {
    let h = Harness::new().await;
    let token = h.token_with(&["store_v2_content"]);
    let post = |body: &'static str| {
        let h = &h;
        let token = token.clone();
        async move {
            h.raw(
                Method::POST,
                "/stores/abc123/v3/content/scripts",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let storefront = post(r#"{"name": "a", "kind": "src", "src": "https://a.example/x.js", "visibility": "storefront"}"#).await;
    assert_eq!(storefront.status, StatusCode::OK);
    let checkout = post(r#"{"name": "b", "kind": "src", "src": "https://a.example/x.js", "visibility": "checkout"}"#).await;
    assert_eq!(checkout.status, StatusCode::FORBIDDEN);
    assert_eq!(checkout.body["status"], 403);
}
