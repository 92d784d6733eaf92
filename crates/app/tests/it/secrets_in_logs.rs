//! Secrets never reach the logs. Everything the app and its clients log at every level,
//! down to TRACE (with the HTTP stack's own events), is captured across a whole journey —
//! OAuth install, a wrong and a right SeQura password, load, every admin page, checkout,
//! IPN, webhooks, order sync, and refused requests carrying wrong secrets — and then
//! searched for every secret of that journey, raw and in the encodings a leak would take
//! (base64, URL-safe base64, percent-encoding, HTTP Basic).

use std::io::Write;
use std::sync::Arc;

use base64::Engine;
use parking_lot::Mutex;
use sandbox::bigcommerce::{EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, NewShipment};
use sandbox::sequra::{DEMO_PASSWORD, DEMO_USERNAME};
use secrecy::ExposeSecret;
use sequra_bc::services::provision::WEBHOOK_TOKEN_HEADER;
use serde_json::json;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;

use crate::support::world::{Admin, session_token, world};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A secret and the forms it could take in a log line.
fn forms(secret: &str) -> Vec<String> {
    let b = secret.as_bytes();
    let mut out = vec![
        secret.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(b),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b),
        url::form_urlencoded::byte_serialize(b).collect(),
    ];
    out.sort();
    out.dedup();
    out
}

/// The journey runs in a process of its own: this test binary, started again with only
/// [`journey_in_its_own_process`]. tracing's dispatch state (callsite interest, the
/// maximum level) is global to a process, so beside the other tests of this binary a
/// subscriber scoped to one thread misses events; alone in its process, the journey's
/// subscriber is the global one and sees everything.
#[test]
fn no_secret_of_a_whole_journey_reaches_the_logs() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "secrets_in_logs::journey_in_its_own_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("1 passed"),
        "the journey did not run and pass in its own process:\n{stdout}\n{stderr}"
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    if let Some(figures) = stderr.lines().find(|l| l.starts_with("secrets in logs:")) {
        eprintln!("{figures}");
    }
}

#[tokio::test]
#[ignore = "run by no_secret_of_a_whole_journey_reaches_the_logs, in a process of its own"]
async fn journey_in_its_own_process() {
    // Everything but the simulators' own logging (they stand for BigCommerce and SeQura,
    // whose logs are not ours); span fields are part of every line.
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::registry()
        .with(
            Targets::new()
                .with_default(LevelFilter::TRACE)
                .with_target("sandbox", LevelFilter::OFF),
        )
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        );
    // Alone in its process: the process-wide subscriber sees every thread (the app, the
    // simulators, the clients, sqlx's workers).
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let w = world(false).await;
    let store = w.store().to_owned();
    let base = w.app.base_url.clone();
    let http = reqwest::Client::new();
    let mut secrets: Vec<(&str, String)> = vec![
        (
            "BigCommerce client secret",
            EXAMPLE_CLIENT_SECRET.to_owned(),
        ),
        ("SeQura password", DEMO_PASSWORD.to_owned()),
        (
            "SeQura Basic credentials",
            format!("{DEMO_USERNAME}:{DEMO_PASSWORD}"),
        ),
        (
            "master key",
            w.app
                .state
                .config
                .master_key
                .as_ref()
                .unwrap()
                .expose_secret()
                .to_owned(),
        ),
        ("session key (hex)", hex::encode(*w.app.state.session_key)),
        (
            "session key (base64)",
            base64::engine::general_purpose::STANDARD.encode(*w.app.state.session_key),
        ),
    ];

    // OAuth install: the one-time code in the callback URL.
    let install =
        w.bc.start_install(&store, EXAMPLE_CLIENT_ID, w.example.owner_id)
            .unwrap();
    let code = url::Url::parse(&install)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    secrets.push(("OAuth code", code));
    let r = http.get(&install).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    secrets.push(("session token (install)", session_token(&page)));
    secrets.push((
        "BigCommerce access token",
        w.bc.install(&store, EXAMPLE_CLIENT_ID)
            .unwrap()
            .access_token,
    ));
    let webhook_secret =
        w.bc.webhooks().hooks(&store)[0].headers.clone().unwrap()[WEBHOOK_TOKEN_HEADER].clone();
    secrets.push(("webhook secret", webhook_secret));

    // Connect: a wrong password first (logged as a failure, never as a value), then the
    // right one.
    let mut admin = Admin {
        base_url: &base,
        token: session_token(&page),
    };
    let wrong = "Wr0ng-Passw0rd-7731";
    secrets.push(("a wrong SeQura password", wrong.to_owned()));
    let (status, _) = admin
        .post(
            "/admin/connect",
            &[
                ("environment", "sandbox"),
                ("username", DEMO_USERNAME),
                ("password", wrong),
            ],
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = admin
        .post(
            "/admin/connect",
            &[
                ("environment", "sandbox"),
                ("username", DEMO_USERNAME),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = admin
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
    assert_eq!(status, 200);

    // Load: the signed payload in the URL, a fresh session, every admin page.
    let load =
        w.bc.load_url(&store, EXAMPLE_CLIENT_ID, w.example.owner_id, "/")
            .unwrap();
    let jwt = load.split("signed_payload_jwt=").nth(1).unwrap().to_owned();
    secrets.push(("signed_payload_jwt", jwt.clone()));
    secrets.push((
        "signed_payload_jwt signature",
        jwt.rsplit('.').next().unwrap().to_owned(),
    ));
    let page = http.get(&load).send().await.unwrap().text().await.unwrap();
    admin.token = session_token(&page);
    secrets.push(("session token (load)", admin.token.clone()));
    for path in [
        "/admin/home",
        "/admin/connect",
        "/admin/countries",
        "/admin/payment-methods",
        "/admin/connection",
        "/admin/order-statuses",
        "/admin/settings",
        "/admin/transactions",
    ] {
        let r = http
            .get(format!("{base}{path}"))
            .bearer_auth(&admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let fresh = r.headers()["x-session-token"].to_str().unwrap().to_owned();
        secrets.push(("session token (refreshed)", fresh));
    }

    // Checkout, SeQura's approval and IPN, the webhooks and the order sync.
    let r = http
        .post(format!(
            "{base}/storefront/{store}/checkouts/{}/solicitations",
            w.example.checkout_id
        ))
        .json(&json!({ "product": "i1", "use_store_credit": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let sq = w.sequra.control().orders().into_iter().last().unwrap();
    w.sequra.control().approve(sq.uuid).unwrap();
    w.sequra.control().flush().await;
    w.bc.webhooks().flush().await;
    w.app.drain_jobs().await;
    let ipn = w
        .sequra
        .control()
        .notifications_for(sq.uuid)
        .into_iter()
        .find(|n| n.is_ipn())
        .unwrap();
    let signature = ipn.attempts[0]
        .fields
        .iter()
        .find(|(k, _)| k == "signature")
        .unwrap()
        .1
        .clone();
    secrets.push(("IPN signature", signature));
    let order = w.bc.orders(&store)[0].clone();
    w.bc.ship_items(
        &store,
        order.id,
        NewShipment {
            order_address_id: order.shipping_addresses[0].id,
            items: order.lines.iter().map(|l| (l.id, l.quantity)).collect(),
            tracking_number: "EJ958083578ES".into(),
            ..NewShipment::default()
        },
    )
    .unwrap();
    w.bc.webhooks().flush().await;
    w.app.drain_jobs().await;
    assert!(
        !w.sequra
            .control()
            .order(sq.uuid)
            .unwrap()
            .updates
            .is_empty(),
        "the shipment reached SeQura (the sync ran)"
    );

    // Refused requests carrying wrong secrets: their values are not logged either.
    let wrong_hook = "wrong-webhook-token-5521";
    secrets.push(("a wrong webhook token", wrong_hook.to_owned()));
    let r = http
        .post(format!("{base}/webhooks/bigcommerce"))
        .header(WEBHOOK_TOKEN_HEADER, wrong_hook)
        .json(&json!({"scope": "store/order/updated", "store_id": "1",
            "data": {"type": "order", "id": order.id}, "hash": "x", "created_at": 1,
            "producer": format!("stores/{store}")}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let wrong_signature = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed";
    secrets.push(("a wrong IPN signature", wrong_signature.to_owned()));
    let fields: Vec<(String, String)> = ipn.attempts[0]
        .fields
        .iter()
        .map(|(k, v)| {
            if k == "signature" {
                (k.clone(), wrong_signature.to_owned())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let r = http.post(&ipn.url).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let mut forged_jwt = jwt.clone();
    forged_jwt.replace_range(forged_jwt.len() - 6.., "AAAAAA");
    secrets.push(("a forged signed payload", forged_jwt.clone()));
    let r = http
        .get(format!("{base}/bc/load?signed_payload_jwt={forged_jwt}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = http
        .get(format!("{base}/admin/home"))
        .bearer_auth(format!("{}x", admin.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    w.finish().await;
    let log = String::from_utf8(captured.0.lock().clone()).unwrap();
    if let Ok(path) = std::env::var("SEQURA_BC_LOG_DUMP") {
        std::fs::write(path, &log).unwrap();
    }
    let lines: Vec<&str> = log.lines().collect();
    let fine = lines
        .iter()
        .filter(|l| l.contains(" DEBUG ") || l.contains(" TRACE "))
        .count();
    // Not vacuous: the journey was logged in detail, by the app, its clients and the HTTP
    // stack.
    // (The count varies with connection reuse: about 500 lines.)
    assert!(
        lines.len() >= 200,
        "only {} log lines captured",
        lines.len()
    );
    assert!(fine >= 150, "only {fine} DEBUG/TRACE lines");
    // Every step of the journey is in it.
    for needle in [
        "sequra_bc",
        "bigcommerce::client",
        "sequra::client",
        "tower_http",
        "hyper_util",
        "path=/bc/auth",
        "path=/bc/load",
        "path=/admin/connect",
        "path=/admin/settings",
        "path=/sequra/ipn/",
        "path=/webhooks/bigcommerce",
        "installed",
        "connected to SeQura",
        "solicitation started",
        "notification handled",
        "job done",
        "bad signature",
    ] {
        assert!(log.contains(needle), "nothing from {needle} in the log");
    }
    let mut forms_scanned = 0;
    for (what, secret) in &secrets {
        assert!(secret.len() >= 8, "{what} is too short to search for");
        for form in forms(secret) {
            forms_scanned += 1;
            if let Some(line) = lines.iter().find(|l| l.contains(form.as_str())) {
                panic!("{what} is in the log: {line}");
            }
        }
    }
    eprintln!(
        "secrets in logs: {} secrets ({forms_scanned} forms) searched in {} lines ({fine} DEBUG/TRACE), {} bytes",
        secrets.len(),
        lines.len(),
        log.len()
    );
}
