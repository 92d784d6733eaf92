//! Framing and CSRF. The admin page is framed by its own store's control panel only
//! (`frame-ancestors` naming that one origin); nothing else the app answers may be framed.
//! The admin API authenticates with a bearer header only: a cross-site form post or fetch
//! (which cannot set it), a cookie, or a token in the URL or the form is refused and
//! changes nothing; `/bc/load` (a GET) never applies form-like parameters.

use reqwest::header::HeaderMap;
use sandbox::bigcommerce::EXAMPLE_CLIENT_ID;

use crate::cross_store::{Tenant, two_stores};
use crate::support::db::{assert_same, sqlite_digest};
use crate::support::world::{Admin, session_token};

fn origin(url: &str) -> String {
    url::Url::parse(url).unwrap().origin().ascii_serialization()
}

/// The sources of the `frame-ancestors` directive (empty when there is none).
fn frame_ancestors(headers: &HeaderMap) -> Vec<String> {
    let csp = headers
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn assert_framed_by_own_panel_only(what: &str, headers: &HeaderMap, me: &Tenant, other: &Tenant) {
    let ancestors = frame_ancestors(headers);
    assert_eq!(ancestors, vec![origin(&me.control_panel)], "{what}");
    assert!(!ancestors.iter().any(|a| a.contains('*')), "{what}");
    assert!(
        !ancestors.contains(&origin(&other.control_panel)),
        "{what}: the other store's control panel may frame it"
    );
    assert!(
        headers.get("x-frame-options").is_none(),
        "{what}: X-Frame-Options would block the control panel"
    );
}

fn assert_not_frameable(what: &str, headers: &HeaderMap) {
    assert_eq!(
        frame_ancestors(headers),
        vec!["'none'".to_owned()],
        "{what}"
    );
    assert_eq!(
        headers.get("x-frame-options").map(|v| v.to_str().unwrap()),
        Some("DENY"),
        "{what}"
    );
}

#[tokio::test]
async fn each_store_is_framed_by_its_own_control_panel_and_nothing_else_is_frameable() {
    let s = two_stores().await;
    let base = &s.w.app.base_url;
    // Redirects are the app's answers too (the return page sends the shopper on).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut checked = 0;
    for (me, other) in [(&s.a, &s.b), (&s.b, &s.a)] {
        // The admin page, opened from the control panel (and as the order side panel).
        for deep_link in ["/", &format!("/orders/{}/sequra", me.order)] {
            let url =
                s.w.bc
                    .load_url(&me.hash, EXAMPLE_CLIENT_ID, me.owner, deep_link)
                    .unwrap();
            let r = http.get(&url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert_framed_by_own_panel_only(&format!("load {deep_link}"), r.headers(), me, other);
            assert!(r.headers().get("set-cookie").is_none(), "no cookie");
            checked += 1;
        }
        // Every admin fragment.
        for path in [
            "/admin/home",
            "/admin/connect",
            "/admin/countries",
            "/admin/payment-methods",
            "/admin/connection",
            "/admin/order-statuses",
            "/admin/settings",
            "/admin/transactions",
            &format!("/admin/orders/{}", me.order),
        ] {
            let r = http
                .get(format!("{base}{path}"))
                .bearer_auth(&me.token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            assert_framed_by_own_panel_only(path, r.headers(), me, other);
            assert!(
                r.headers().get("set-cookie").is_none(),
                "{path} sets a cookie"
            );
            checked += 1;
        }
    }
    // Everything that is not the admin page: JSON, assets, answers to servers, refusals.
    let a = &s.a;
    let gets = [
        "/assets/admin.js".to_owned(),
        "/assets/admin.css".to_owned(),
        "/storefront/checkout.js".to_owned(),
        "/healthz".to_owned(),
        "/admin/home".to_owned(),
        "/no/such/page".to_owned(),
        format!(
            "/storefront/{}/checkouts/{}/methods?country=ES&currency=EUR&amount=11500",
            a.hash, a.checkout
        ),
        format!("/storefront/{}/solicitations/{}", a.hash, a.solicitation),
        format!(
            "/storefront/{}/solicitations/{}/return",
            a.hash, a.solicitation
        ),
    ];
    for path in &gets {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert!(r.status().as_u16() < 500, "{path}");
        assert_not_frameable(path, r.headers());
        checked += 1;
    }
    for path in [
        "/webhooks/bigcommerce",
        "/admin/settings",
        "/sequra/ipn/abc123/x",
    ] {
        let r = http.post(format!("{base}{path}")).send().await.unwrap();
        assert!(r.status().is_client_error(), "{path}");
        assert_not_frameable(path, r.headers());
        checked += 1;
    }
    eprintln!("framing headers checked on {checked} responses");
    s.w.finish().await;
}

/// Every state-changing admin endpoint with a form that would change something.
fn admin_writes() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        (
            "/admin/settings",
            vec![
                ("allowed_ips", "10.0.0.1"),
                ("excluded_products", "FORGED"),
                ("excluded_categories", ""),
                ("default_services_end", "P1Y"),
            ],
        ),
        (
            "/admin/order-statuses",
            vec![("approved", "10"), ("needs_review", ""), ("cancelled", "")],
        ),
        (
            "/admin/countries",
            vec![("enable_PT", "on"), ("merchant_PT", "demo_pt")],
        ),
        (
            "/admin/connection",
            vec![
                ("environment", "live"),
                ("username", sandbox::sequra::DEMO_USERNAME),
                ("password", sandbox::sequra::DEMO_PASSWORD),
                ("confirmed", "yes"),
            ],
        ),
        (
            "/admin/connect",
            vec![
                ("environment", "sandbox"),
                ("username", "attacker"),
                ("password", "attacker-password"),
            ],
        ),
        ("/admin/disconnect", vec![("confirmed", "yes")]),
    ]
}

#[tokio::test]
async fn cross_site_requests_without_the_bearer_token_are_refused_and_change_nothing() {
    let s = two_stores().await;
    let base = &s.w.app.base_url;
    let token = &s.a.token;
    let path = s.db_path();
    let before = sqlite_digest(&path, None).await;
    let http = reqwest::Client::new();
    let evil = "https://evil.example";
    let mut attempts = 0;
    for (endpoint, form) in admin_writes() {
        // What a cross-site page can make a browser send: a form post or a simple fetch,
        // with whatever cookies the browser holds, but no Authorization header. The token
        // is tried everywhere a careless app might look for it.
        let variants: Vec<reqwest::RequestBuilder> = vec![
            http.post(format!("{base}{endpoint}")).form(&form),
            http.post(format!("{base}{endpoint}"))
                .header(
                    "cookie",
                    format!("session={token}; token={token}; x-session-token={token}"),
                )
                .form(&form),
            http.post(format!(
                "{base}{endpoint}?token={token}&access_token={token}&session={token}"
            ))
            .form(&form),
            http.post(format!("{base}{endpoint}")).form(
                &[
                    form.clone(),
                    vec![("token", token.as_str()), ("session_token", token.as_str())],
                ]
                .concat(),
            ),
            http.post(format!("{base}{endpoint}"))
                .header("x-session-token", token.as_str())
                .form(&form),
            http.post(format!("{base}{endpoint}"))
                .header("authorization", format!("Basic {token}"))
                .form(&form),
            http.post(format!("{base}{endpoint}"))
                .header("authorization", token.as_str())
                .form(&form),
            http.post(format!("{base}{endpoint}"))
                .header("content-type", "text/plain")
                .body(
                    form.iter()
                        .map(|(k, v)| {
                            format!(
                                "{k}={}",
                                url::form_urlencoded::byte_serialize(v.as_bytes())
                                    .collect::<String>()
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("&"),
                ),
        ];
        for req in variants {
            let r = req
                .header("origin", evil)
                .header("referer", format!("{evil}/attack.html"))
                .header("sec-fetch-site", "cross-site")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{endpoint}");
            assert!(r.headers().get("set-cookie").is_none());
            assert!(
                r.headers().get("access-control-allow-origin").is_none(),
                "{endpoint} lets a foreign origin read its answer"
            );
            attempts += 1;
        }
        // A CORS preflight from the foreign origin is not granted either.
        let r = http
            .request(reqwest::Method::OPTIONS, format!("{base}{endpoint}"))
            .header("origin", evil)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization")
            .send()
            .await
            .unwrap();
        assert!(r.headers().get("access-control-allow-origin").is_none());
        assert!(r.headers().get("access-control-allow-headers").is_none());
        attempts += 1;
    }
    assert_same(
        &sqlite_digest(&path, None).await,
        &before,
        "a request without the bearer token",
    );
    // The same forms with the bearer header do change A (so the forms above were real).
    let admin = Admin {
        base_url: base,
        token: token.clone(),
    };
    let (status, body) = admin.post("/admin/settings", &admin_writes()[0].1).await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(sqlite_digest(&path, None).await, before);
    eprintln!("CSRF attempts refused: {attempts}");
    s.w.finish().await;
}

#[tokio::test]
async fn the_load_callback_cannot_be_used_to_change_state() {
    let s = two_stores().await;
    let base = &s.w.app.base_url;
    let a = &s.a;
    let path = s.db_path();
    let http = reqwest::Client::new();
    let settings_tables = |d: &std::collections::BTreeMap<String, Vec<String>>| {
        // Everything the merchant configures; a verified load may only queue its
        // provisioning check (jobs), note it (store_events) and refresh the user's record
        // from the signed payload (store_users: locale, last seen).
        d.iter()
            .filter(|(t, _)| !matches!(t.as_str(), "jobs" | "store_events" | "store_users"))
            .map(|(t, rows)| (t.clone(), rows.clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let before = sqlite_digest(&path, None).await;
    let hostile = "&environment=live&confirmed=yes&username=attacker&password=attacker\
                   &allowed_ips=10.0.0.1&excluded_products=FORGED&approved=10&enable_PT=on\
                   &merchant_PT=demo_pt&store_hash=def456";
    // A forged, a truncated and a missing payload: refused, nothing changes at all.
    let genuine =
        s.w.bc
            .load_url(&a.hash, EXAMPLE_CLIENT_ID, a.owner, "/")
            .unwrap();
    let jwt = genuine
        .split("signed_payload_jwt=")
        .nth(1)
        .unwrap()
        .to_owned();
    let mut forged = jwt.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    for query in [
        format!("signed_payload_jwt={forged}{hostile}"),
        format!("signed_payload_jwt={}{hostile}", &jwt[..jwt.len() / 2]),
        hostile.trim_start_matches('&').to_owned(),
    ] {
        let r = http
            .get(format!("{base}/bc/load?{query}"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{query}: {}", r.status());
        assert!(r.headers().get("set-cookie").is_none());
    }
    assert_same(&sqlite_digest(&path, None).await, &before, "a refused load");
    // A genuine load with the same parameters opens the page and applies none of them.
    let r = http
        .get(format!("{genuine}{hostile}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(!session_token(&page).is_empty());
    assert_same(
        &settings_tables(&sqlite_digest(&path, None).await),
        &settings_tables(&before),
        "a load",
    );
    // The callbacks take GET only; a posted load is refused before anything is read.
    let r = http
        .post(format!("{base}/bc/load"))
        .form(&[("signed_payload_jwt", jwt.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_same(
        &settings_tables(&sqlite_digest(&path, None).await),
        &settings_tables(&before),
        "a load",
    );
    s.w.finish().await;
}
