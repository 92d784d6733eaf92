//! One store can never read or change another's data. Two stores, each installed,
//! connected to SeQura and with a paid SeQura order; every admin endpoint is called with
//! one store's session against the other's identifiers, and every storefront and SeQura
//! notification endpoint with one store's path and the other's ids. Each attempt must be
//! refused (or answer the caller's own, empty view), leak none of the other store's data,
//! and leave the other store's rows — and, for reads, every row — exactly as they were.

use sandbox::bigcommerce::NewStore;
use sandbox::bigcommerce::model::IdCounters;
use sandbox::bigcommerce::storefront::SpawnedStorefront;
use sequra_bc::services::provision::WEBHOOK_TOKEN_HEADER;
use serde_json::json;

use crate::support::db::{assert_same, sqlite_digest};
use crate::support::world::{Admin, World, world};

const CHECKOUT_A: &str = "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10";
const CHECKOUT_B: &str = "7f3d2a10-1b2c-4d5e-8f90-a1b2c3d4e5f6";
const STORE_B: &str = "def456";

/// One tenant as the tests see it.
pub struct Tenant {
    pub hash: String,
    pub owner: i64,
    pub token: String,
    pub checkout: &'static str,
    pub order: i64,
    pub uuid: uuid::Uuid,
    pub solicitation: String,
    /// The IPN SeQura sent for the order: its URL and form fields.
    pub ipn_url: String,
    pub ipn_fields: Vec<(String, String)>,
    pub webhook_secret: String,
    pub control_panel: String,
    pub storefront: String,
}

impl Tenant {
    /// Strings that only this tenant's data holds: none may appear in an answer given to
    /// the other store.
    fn markers(&self) -> Vec<String> {
        vec![
            self.hash.clone(),
            self.uuid.to_string(),
            self.checkout.to_owned(),
            self.solicitation.clone(),
            self.webhook_secret.clone(),
            self.control_panel.clone(),
            self.storefront.clone(),
        ]
    }
}

pub struct TwoStores {
    pub w: World,
    pub a: Tenant,
    pub b: Tenant,
    _panels: Vec<sandbox::bigcommerce::control_panel::SpawnedControlPanel>,
    _storefront_b: SpawnedStorefront,
}

impl TwoStores {
    pub fn db_path(&self) -> std::path::PathBuf {
        self.w.app.data.path().join("sequra-bc.db")
    }
}

/// Store A (the example store) and store B (`def456`, seeded like it, with other ids and
/// its own checkout), each with its control panel and storefront on origins of their own,
/// both connected and each with a confirmed SeQura order.
pub async fn two_stores() -> TwoStores {
    let w = world(false).await;
    let b =
        w.bc.seed_like_example(
            NewStore {
                ids: IdCounters {
                    order: 90_210,
                    customer: 5_000,
                    order_product: 7_000,
                    order_address: 8_000,
                    user: 8_800_000,
                    ..IdCounters::default()
                },
                ..NewStore::named(STORE_B, 1_009_999_999)
            },
            CHECKOUT_B,
        )
        .unwrap();
    let panels = vec![
        w.bc.spawn_control_panel(w.store(), 0).await.unwrap(),
        w.bc.spawn_control_panel(STORE_B, 0).await.unwrap(),
    ];
    let storefront_b = w.bc.spawn_storefront(STORE_B, 0).await.unwrap();
    let a_hash = w.store().to_owned();
    let a = tenant(&w, &a_hash, w.example.owner_id, CHECKOUT_A).await;
    let b = tenant(&w, STORE_B, b.owner_id, CHECKOUT_B).await;
    assert_ne!(a.order, b.order);
    assert_ne!(a.control_panel, b.control_panel);
    TwoStores {
        w,
        a,
        b,
        _panels: panels,
        _storefront_b: storefront_b,
    }
}

async fn tenant(w: &World, hash: &str, owner: i64, checkout: &'static str) -> Tenant {
    let token = w.connect_store(hash, owner).await;
    let r = reqwest::Client::new()
        .post(format!(
            "{}/storefront/{hash}/checkouts/{checkout}/solicitations",
            w.app.base_url
        ))
        .json(&json!({ "product": "i1", "use_store_credit": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let sq = w.sequra.control().orders().into_iter().last().unwrap();
    w.sequra.control().approve(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    let order = w.bc.orders(hash)[0].id;
    w.bc.webhooks().flush().await;
    w.app.drain_jobs().await;
    let ipn = w
        .sequra
        .control()
        .notifications_for(sq.uuid)
        .into_iter()
        .find(|n| n.is_ipn())
        .unwrap();
    let solicitation = ipn.url.rsplit('/').next().unwrap().to_owned();
    let webhook_secret =
        w.bc.webhooks().hooks(hash)[0].headers.clone().unwrap()[WEBHOOK_TOKEN_HEADER].clone();
    let store = w.bc.store(hash).unwrap();
    Tenant {
        hash: hash.to_owned(),
        owner,
        token,
        checkout,
        order,
        uuid: sq.uuid,
        solicitation,
        ipn_url: ipn.url.clone(),
        ipn_fields: ipn.attempts[0].fields.clone(),
        webhook_secret,
        control_panel: store.profile.control_panel_base_url.clone(),
        storefront: store.profile.secure_url.clone(),
    }
}

fn assert_no_leak(what: &str, body: &str, other: &Tenant) {
    for marker in other.markers() {
        assert!(
            !body.contains(&marker),
            "{what}: the answer names the other store's {marker}: {body}"
        );
    }
}

/// Store `me`'s owner tries every admin page with `other`'s identifiers.
async fn admin_reads(s: &TwoStores, me: &Tenant, other: &Tenant) -> usize {
    let admin = Admin {
        base_url: &s.w.app.base_url,
        token: me.token.clone(),
    };
    let o = other.order;
    let mut attempts = 0;
    // The other store's order in the App Extension side panel: not found here.
    for path in [
        format!("/admin/orders/{o}"),
        format!("/admin/orders/{o}?store={}", other.hash),
        format!("/admin/orders/{o}?store_hash={}", other.hash),
    ] {
        let (status, body) = admin.get(&path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_no_leak(&path, &body, other);
        attempts += 1;
    }
    // The caller's own order answers (the test can tell the two apart).
    let (status, body) = admin.get(&format!("/admin/orders/{}", me.order)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&me.uuid.to_string()) || body.contains("sequra-reference"));
    // The transaction log filtered or paged on the other store's order: the caller's own
    // (empty) view; pages, filters and state names do not reach across.
    for path in [
        format!("/admin/transactions?order={o}"),
        format!("/admin/transactions?order={o}&state=open"),
        format!("/admin/transactions?order={o}&state=resolved&page=2"),
        format!("/admin/transactions?order={o}&store={}", other.hash),
        "/admin/transactions?page=2".to_owned(),
        "/admin/transactions".to_owned(),
    ] {
        let (status, body) = admin.get(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_no_leak(&path, &body, other);
        attempts += 1;
    }
    // Every other page, also with the other store named in the query.
    for page in [
        "/admin/home",
        "/admin/connect",
        "/admin/countries",
        "/admin/payment-methods",
        "/admin/connection",
        "/admin/order-statuses",
        "/admin/settings",
    ] {
        for path in [page.to_owned(), format!("{page}?store={}", other.hash)] {
            let (status, body) = admin.get(&path).await;
            assert!(status == 200 || status == 303, "{path}: {status} {body}");
            assert_no_leak(&path, &body, other);
            attempts += 1;
        }
    }
    attempts
}

#[tokio::test]
async fn admin_sessions_never_reach_the_other_store() {
    let s = two_stores().await;
    let path = s.db_path();
    let before = sqlite_digest(&path, None).await;
    let reads = admin_reads(&s, &s.a, &s.b).await + admin_reads(&s, &s.b, &s.a).await;
    assert_same(&sqlite_digest(&path, None).await, &before, "admin reads");

    // Writes with A's session, naming B wherever a form could: only A changes.
    let b_before = sqlite_digest(&path, Some(&s.b.hash)).await;
    let a_before = sqlite_digest(&path, Some(&s.a.hash)).await;
    let admin = Admin {
        base_url: &s.w.app.base_url,
        token: s.a.token.clone(),
    };
    let b = s.b.hash.as_str();
    let writes: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/admin/settings",
            vec![
                ("store", b),
                ("store_hash", b),
                ("allowed_ips", ""),
                ("excluded_products", "SKU-FROM-A"),
                ("excluded_categories", ""),
                ("default_services_end", "P1Y"),
            ],
        ),
        (
            "/admin/order-statuses",
            vec![
                ("store_hash", b),
                ("approved", "10"),
                ("needs_review", ""),
                ("cancelled", "5"),
            ],
        ),
        (
            "/admin/countries",
            vec![
                ("store_hash", b),
                ("enable_ES", "on"),
                ("merchant_ES", "demo_es"),
            ],
        ),
        (
            "/admin/connection",
            vec![
                ("store_hash", b),
                ("environment", "sandbox"),
                ("username", sandbox::sequra::DEMO_USERNAME),
                ("password", sandbox::sequra::DEMO_PASSWORD),
            ],
        ),
        (
            "/admin/connect",
            vec![
                ("store_hash", b),
                ("environment", "sandbox"),
                ("username", sandbox::sequra::DEMO_USERNAME),
                ("password", sandbox::sequra::DEMO_PASSWORD),
            ],
        ),
        (
            "/admin/disconnect",
            vec![("store_hash", b), ("confirmed", "yes")],
        ),
    ];
    let mut write_attempts = 0;
    for (endpoint, form) in &writes {
        let (status, body) = admin.post(&format!("{endpoint}?store={b}"), form).await;
        assert!(status < 500, "{endpoint}: {status} {body}");
        assert_no_leak(endpoint, &body, &s.b);
        assert_same(
            &sqlite_digest(&path, Some(b)).await,
            &b_before,
            &format!("{endpoint} with A's session, for store B,"),
        );
        write_attempts += 1;
    }
    // The writes did land — in A (so the test cannot pass by everything being refused).
    assert_ne!(sqlite_digest(&path, Some(&s.a.hash)).await, a_before);
    // And B still works as before.
    let (status, body) = Admin {
        base_url: &s.w.app.base_url,
        token: s.b.token.clone(),
    }
    .get(&format!("/admin/orders/{}", s.b.order))
    .await;
    assert_eq!(status, 200, "{body}");
    eprintln!("cross-store admin attempts: {reads} reads, {write_attempts} writes");
    s.w.finish().await;
}

async fn send(req: reqwest::RequestBuilder) -> (u16, String) {
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// `me`'s path with `other`'s ids on every storefront and notification endpoint.
async fn storefront_attempts(s: &TwoStores, me: &Tenant, other: &Tenant) -> usize {
    let base = &s.w.app.base_url;
    let http = reqwest::Client::new();
    let mine = &me.hash;
    let mut attempts = 0;
    let expect = |what: String, (status, body): (u16, String), allowed: &[u16]| {
        assert!(
            allowed.contains(&status),
            "{what}: {status} (wanted one of {allowed:?}): {body}"
        );
        assert_no_leak(&what, &body, other);
        1
    };
    // The other store's checkout under my store. The methods endpoint reads no checkout
    // (it judges the facts the page sends against my store's settings; the solicitation
    // re-reads everything), so it may answer my store's view — never the other's data.
    let url = format!(
        "{base}/storefront/{mine}/checkouts/{}/methods?country=ES&currency=EUR&amount=11500",
        other.checkout
    );
    attempts += expect(
        url.clone(),
        send(http.get(&url).header("origin", &me.storefront)).await,
        &[200, 404],
    );
    let url = format!(
        "{base}/storefront/{mine}/checkouts/{}/solicitations",
        other.checkout
    );
    attempts += expect(
        url.clone(),
        send(
            http.post(&url)
                .json(&json!({ "product": "i1", "use_store_credit": false })),
        )
        .await,
        &[404],
    );
    // The other store's solicitation under my store, and mine under the other's.
    for (store, id) in [
        (mine.as_str(), other.solicitation.as_str()),
        (other.hash.as_str(), me.solicitation.as_str()),
    ] {
        for suffix in ["", "/return"] {
            let url = format!("{base}/storefront/{store}/solicitations/{id}{suffix}");
            let (status, body) = send(http.get(&url)).await;
            // Whichever store's path it is, the answer must not name the solicitation's
            // real owner's data (the path's store sees nothing).
            let owner = if store == mine.as_str() { other } else { me };
            assert_eq!(status, 404, "{url}: {body}");
            assert_no_leak(&url, &body, owner);
            attempts += 1;
        }
    }
    // SeQura's genuine IPN for my order, posted under the other store's path (and the
    // other's solicitation id under mine): refused, whatever the channel.
    for channel in ["ipn", "events"] {
        for url in [
            format!("{base}/sequra/{channel}/{}/{}", other.hash, me.solicitation),
            format!("{base}/sequra/{channel}/{mine}/{}", other.solicitation),
        ] {
            // As an event: a cancellation of my order, the most harmful thing to misroute.
            let fields: Vec<(String, String)> = if channel == "events" {
                me.ipn_fields
                    .iter()
                    .filter(|(k, _)| k != "sq_state")
                    .cloned()
                    .chain([("event".to_owned(), "cancelled".to_owned())])
                    .collect()
            } else {
                me.ipn_fields.clone()
            };
            let (status, body) = send(http.post(&url).form(&fields)).await;
            assert!([403, 404].contains(&status), "{url}: {status} {body}");
            assert_no_leak(&url, &body, other);
            attempts += 1;
        }
    }
    // A BigCommerce webhook for the other store signed with my store's secret.
    let delivery = json!({
        "scope": "store/order/updated",
        "store_id": "1",
        "data": { "type": "order", "id": other.order },
        "hash": "0000000000000000000000000000000000000000",
        "created_at": 1_767_261_005,
        "producer": format!("stores/{}", other.hash),
    });
    attempts += expect(
        "webhook under the other store".into(),
        send(
            http.post(format!("{base}/webhooks/bigcommerce"))
                .header(WEBHOOK_TOKEN_HEADER, &me.webhook_secret)
                .json(&delivery),
        )
        .await,
        &[401],
    );
    // CORS: my storefront's origin is not let in on the other store's endpoints.
    let url = format!(
        "{base}/storefront/{}/checkouts/{}/methods",
        other.hash, other.checkout
    );
    let r = http
        .get(&url)
        .header("origin", &me.storefront)
        .send()
        .await
        .unwrap();
    assert!(
        r.headers().get("access-control-allow-origin").is_none(),
        "{url} let {} in",
        me.storefront
    );
    attempts + 1
}

#[tokio::test]
async fn storefront_and_notifications_never_cross_stores() {
    let s = two_stores().await;
    let path = s.db_path();
    let before = sqlite_digest(&path, None).await;
    let n = storefront_attempts(&s, &s.a, &s.b).await + storefront_attempts(&s, &s.b, &s.a).await;
    assert_same(
        &sqlite_digest(&path, None).await,
        &before,
        "a cross-store storefront or notification call",
    );
    // Each IPN, sent to its own store's path, is still accepted (the fields are genuine:
    // the refusals above were about the store, not a broken replay).
    for t in [&s.a, &s.b] {
        let r = reqwest::Client::new()
            .post(&t.ipn_url)
            .form(&t.ipn_fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", t.ipn_url);
    }
    eprintln!("cross-store storefront/notification attempts: {n}");
    s.w.finish().await;
}
