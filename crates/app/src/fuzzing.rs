//! The bodies of the fuzz targets (`fuzz/` at the repository root), kept here so that the
//! cargo-fuzz targets and the regular test that replays the seed corpus with deterministic
//! mutations (`tests/it/fuzz_replay.rs`) run exactly the same code.
//!
//! Each target takes arbitrary bytes, feeds them to one of the parsers that read untrusted
//! input, and asserts properties of the answer, not only "no panic": a parsed value
//! survives a serialise → parse round trip unchanged, what a parser accepts satisfies the
//! invariants the rest of the app relies on, error messages stay short (they are echoed to
//! the caller), and a verifier never accepts anything it did not sign. A violated property
//! panics, which is how a fuzzer reports it; nothing here runs on a request path.

use std::collections::BTreeMap;

use bigcommerce::jwt::{
    JwtOwner, JwtUser, SignedPayloadClaims, SignedPayloadVerifier, sign_signed_payload_jwt,
};
use bigcommerce::{WebhookData, WebhookPayload};
use secrecy::SecretString;
use sequra::notification::{Notification, NotificationKind};
use serde_json::{Value, json};

use crate::domain::StoreHash;
use crate::services::connection::{
    ConnectionForm, CountriesFormError, SELLING_COUNTRIES, is_merchant_id, read_countries_form,
};
use crate::services::settings::{GeneralSettingsForm, StatusMappingForm, is_iso8601_duration};
use crate::services::webhooks::parse_delivery;
use crate::web::AppError;
use crate::web::session;

/// The names of the targets, as `fuzz/fuzz_targets/<name>.rs` and `fuzz/corpus/<name>/`.
pub const TARGETS: [&str; 4] = [
    "sequra_notification",
    "bigcommerce_webhook",
    "signed_payload_jwt",
    "admin_forms",
];

/// Runs the target called `name` on `data`; false for an unknown name.
pub fn run(name: &str, data: &[u8]) -> bool {
    match name {
        "sequra_notification" => sequra_notification(data),
        "bigcommerce_webhook" => bigcommerce_webhook(data),
        "signed_payload_jwt" => signed_payload_jwt(data),
        "admin_forms" => admin_forms(data),
        _ => return false,
    }
    true
}

/// Longest error text a parser may produce: it is echoed in a 4xx body and logged.
const MAX_ERROR_TEXT: usize = 400;

fn short_error(e: &impl std::fmt::Display) {
    let text = e.to_string();
    assert!(!text.is_empty(), "an error must say what is wrong");
    assert!(
        text.chars().count() <= MAX_ERROR_TEXT,
        "error text of {} chars echoes too much input",
        text.chars().count()
    );
}

fn app_error(e: &AppError) {
    assert!(e.status().is_client_error(), "{e:?} is not a 4xx");
    short_error(e);
}

// ---------------------------------------------------------------------------------------
// SeQura IPN and events

/// SeQura's IPN and events bodies (`sequra::notification`): the three parsers agree, an
/// accepted notification has a trimmed, non-empty `order_ref`, and re-encoding it as the
/// form SeQura would send parses back to the same notification.
pub fn sequra_notification(data: &[u8]) {
    let ipn = Notification::parse_ipn(data);
    let event = Notification::parse_event(data);
    let either = Notification::parse(data);
    for result in [&ipn, &event, &either] {
        match result {
            Ok(n) => {
                assert!(!n.order_ref.is_empty() && n.order_ref.trim() == n.order_ref);
                assert!(!n.parameters.keys().any(String::is_empty));
            }
            Err(e) => short_error(e),
        }
    }
    if let Ok(n) = &ipn {
        assert_eq!(n.kind, NotificationKind::Ipn);
        assert_eq!(either.as_ref(), Ok(n), "parse and parse_ipn disagree");
        let again = Notification::parse_ipn(encode_ipn(n).as_bytes());
        assert_eq!(again.as_ref(), Ok(n), "IPN round trip");
    }
    if let Ok(n) = &event {
        assert_eq!(n.kind, NotificationKind::Event);
        assert!(n.approved_since.is_none() && n.needs_review_since.is_none());
        assert_eq!(either.as_ref(), Ok(n), "parse and parse_event disagree");
        let again = Notification::parse_event(encode_event(n).as_bytes());
        assert_eq!(again.as_ref(), Ok(n), "event round trip");
    }
    if ipn.is_ok() && event.is_ok() {
        panic!("a body is both an IPN and an event");
    }
}

fn encode(fields: &[(String, String)]) -> String {
    serde_urlencoded::to_string(fields).unwrap_or_default()
}

fn common_fields(n: &Notification, state_field: &str) -> Vec<(String, String)> {
    let mut fields = vec![
        (state_field.to_owned(), n.state.as_str().to_owned()),
        ("order_ref".to_owned(), n.order_ref.clone()),
    ];
    for (name, value) in [
        ("order_ref_1", &n.order_ref_1),
        ("order_ref_2", &n.order_ref_2),
        ("product_code", &n.product_code),
    ] {
        if let Some(v) = value {
            fields.push((name.to_owned(), v.clone()));
        }
    }
    fields
}

fn encode_ipn(n: &Notification) -> String {
    let mut fields = common_fields(n, "sq_state");
    for (name, value) in [
        ("approved_since", n.approved_since),
        ("needs_review_since", n.needs_review_since),
    ] {
        if let Some(v) = value {
            fields.push((name.to_owned(), v.to_string()));
        }
    }
    fields.extend(n.parameters.iter().map(|(k, v)| (k.clone(), v.clone())));
    encode(&fields)
}

fn encode_event(n: &Notification) -> String {
    let mut fields = vec![
        ("charset".to_owned(), "UTF-8".to_owned()),
        ("utf8".to_owned(), "\u{221a}".to_owned()),
    ];
    fields.extend(common_fields(n, "event"));
    fields.extend(
        n.parameters
            .iter()
            .map(|(k, v)| (format!("m_{k}"), v.clone())),
    );
    encode(&fields)
}

// ---------------------------------------------------------------------------------------
// BigCommerce webhooks

/// The webhook body as `POST /webhooks/bigcommerce` reads it
/// (`services::webhooks::parse_delivery`): refusals are 400s with a short message; an
/// accepted delivery names a valid store and bounded ids, and the envelope rebuilt from
/// what was read parses back to the same delivery.
pub fn bigcommerce_webhook(data: &[u8]) {
    let delivery = match parse_delivery(data) {
        Ok(d) => d,
        Err(e) => {
            app_error(&e);
            return;
        }
    };
    let p = &delivery.payload;
    assert!(StoreHash::parse(delivery.store.as_str()).is_ok());
    assert_eq!(p.producer, format!("stores/{}", delivery.store.as_str()));
    assert!(p.hash.len() <= 128 && p.scope.len() <= 128);
    assert!(delivery.key().len() <= 128 + 1 + 20 + 1 + 128);
    let rebuilt = envelope(p).to_string();
    let again = parse_delivery(rebuilt.as_bytes())
        .unwrap_or_else(|e| panic!("rebuilt delivery refused: {e}\n{rebuilt}"));
    let q = &again.payload;
    assert_eq!(
        (&q.scope, &q.store_id, &q.hash, q.created_at, &q.producer),
        (&p.scope, &p.store_id, &p.hash, p.created_at, &p.producer)
    );
    assert_eq!(again.key(), delivery.key());
    match (&p.data, &q.data) {
        // Arbitrary JSON is kept as received; floats may not survive a text round trip
        // bit for bit, so only the kind is compared.
        (WebhookData::Other(_), WebhookData::Other(_)) => {}
        (a, b) => assert_eq!(a, b, "webhook data round trip"),
    }
    assert_eq!(p.data.order_id(), q.data.order_id());
}

fn envelope(p: &WebhookPayload) -> Value {
    let data = match &p.data {
        WebhookData::OrderCreated { order_id }
        | WebhookData::OrderUpdated { order_id }
        | WebhookData::OrderArchived { order_id } => json!({"type": "order", "id": order_id}),
        WebhookData::OrderStatusUpdated {
            order_id,
            previous_status_id,
            new_status_id,
        } => json!({"type": "order", "id": order_id, "status": {
            "previous_status_id": previous_status_id, "new_status_id": new_status_id}}),
        WebhookData::OrderRefundCreated {
            order_id,
            refund_id,
        } => json!({"type": "order", "id": order_id, "refund": {"refund_id": refund_id}}),
        WebhookData::OrderMessageCreated {
            order_id,
            message_id,
        } => json!({"type": "order", "id": order_id,
            "message": {"order_message_id": message_id}}),
        WebhookData::OrderTransaction(t) => json!({
            "order_id": t.order_id,
            "transaction_id": t.transaction_id,
            "transaction_status": t.transaction_status,
            "transaction_type": t.transaction_type,
            "platform_transaction_id": t.platform_transaction_id,
            "provider_transaction_id": t.provider_transaction_id,
        }),
        WebhookData::ShipmentCreated {
            shipment_id,
            order_id,
        }
        | WebhookData::ShipmentUpdated {
            shipment_id,
            order_id,
        }
        | WebhookData::ShipmentDeleted {
            shipment_id,
            order_id,
        } => json!({"type": "shipment", "id": shipment_id, "orderId": order_id}),
        WebhookData::CartConverted { cart_id, order_id } => {
            json!({"type": "cart", "id": cart_id, "orderId": order_id})
        }
        WebhookData::AppUninstalled => json!({}),
        WebhookData::HookDeliveryException {
            hook_id,
            error_code,
            message,
        } => json!({"id": hook_id, "error_code": error_code, "message": message}),
        WebhookData::Other(v) => v.clone(),
    };
    json!({
        "scope": p.scope,
        "store_id": p.store_id,
        "data": data,
        "hash": p.hash,
        "created_at": p.created_at,
        "producer": p.producer,
    })
}

// ---------------------------------------------------------------------------------------
// signed_payload_jwt and the admin session token

const CLIENT_ID: &str = "fuzz-client";
const CLIENT_SECRET: &str = "fuzz-client-secret";
const NOW: i64 = 1_767_230_000;
const SESSION_KEY: [u8; 32] = [42; 32];

/// BigCommerce's `signed_payload_jwt` verifier (`bigcommerce::jwt`) and the app's own
/// admin session tokens (`web::session`). An even first byte: the rest, as a token, must be
/// refused by both (the fuzzer does not know the keys). An odd first byte: a token is
/// signed from claims taken from the input, must verify to exactly those claims, and every
/// change the input then makes to it must be refused.
pub fn signed_payload_jwt(data: &[u8]) {
    let verifier = SignedPayloadVerifier::new(CLIENT_ID, SecretString::from(CLIENT_SECRET));
    let now = chrono::DateTime::from_timestamp(NOW, 0).unwrap_or_default();
    let now_ms = NOW * 1000;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        let token = String::from_utf8_lossy(rest);
        match verifier.verify(&token, now) {
            Ok(p) => panic!("an unsigned token was accepted: {p:?}"),
            Err(e) => short_error(&e),
        }
        match session::verify(&SESSION_KEY, &token, now_ms) {
            Ok(s) => panic!("a forged session was accepted: {s:?}"),
            Err(e) => app_error(&e),
        }
        return;
    }

    // Claims from the input: ids, e-mail and the deep link.
    let byte = |i: usize| rest.get(i).copied().unwrap_or(0);
    let user_id = u64::from(byte(0)) + 1;
    let owner_id = u64::from(byte(1) % 4) + 1;
    let order = u64::from(byte(2)) * 1000 + u64::from(byte(3));
    let text: String = String::from_utf8_lossy(rest.get(4..36).unwrap_or_default()).into_owned();
    let claims = SignedPayloadClaims {
        aud: CLIENT_ID.into(),
        iss: "bc".into(),
        iat: Some(NOW - i64::from(byte(4))),
        nbf: Some(NOW - 60),
        exp: NOW + 1 + i64::from(byte(5)) * 60,
        jti: Some(text.clone()),
        sub: "stores/abc123".into(),
        user: JwtUser {
            id: user_id,
            email: text.clone(),
            locale: Some("es-ES".into()),
        },
        owner: JwtOwner {
            id: owner_id,
            email: "owner@example.com".into(),
        },
        url: if byte(6) % 2 == 0 {
            format!("/orders/{order}/sequra")
        } else {
            text.clone()
        },
        channel_id: None,
    };
    let Ok(token) = sign_signed_payload_jwt(&claims, &SecretString::from(CLIENT_SECRET)) else {
        panic!("signing failed");
    };
    let payload = verifier
        .verify(&token, now)
        .unwrap_or_else(|e| panic!("a good token was refused: {e}"));
    assert_eq!(payload.store_hash.as_str(), "abc123");
    assert_eq!((payload.user.id, payload.owner.id), (user_id, owner_id));
    assert_eq!(payload.user.email, text);
    assert_eq!(payload.url, claims.url);
    assert_eq!(payload.is_owner(), user_id == owner_id);
    let deep_link = payload.app_extension_order_id();
    if byte(6) % 2 == 0 && order > 0 {
        assert_eq!(deep_link, Some(order));
    }
    if let Some(id) = deep_link {
        assert_eq!(payload.url, format!("/orders/{id}/sequra"));
    }

    let store = StoreHash::parse("abc123").unwrap_or_else(|_| panic!("store hash"));
    let user = i64::from(byte(0));
    let session_token = session::issue(&SESSION_KEY, &store, user, now_ms);
    let verified = session::verify(&SESSION_KEY, &session_token, now_ms + 1)
        .unwrap_or_else(|e| panic!("a fresh session was refused: {e}"));
    assert_eq!(verified, (store, user));
    assert!(
        session::verify(
            &SESSION_KEY,
            &session_token,
            now_ms + session::SESSION_TTL_MS
        )
        .is_err(),
        "an expired session was accepted"
    );

    // The rest of the input edits both tokens: (position, byte) pairs.
    for original in [&token, &session_token] {
        let mut mutated = original.clone().into_bytes();
        for pair in rest.get(36..).unwrap_or_default().chunks(2) {
            if let [pos, b] = *pair {
                if mutated.is_empty() {
                    mutated.push(b);
                } else {
                    let i = usize::from(pos) * mutated.len() / 256;
                    match b {
                        0 => {
                            mutated.remove(i);
                        }
                        1 => mutated.insert(i, b'A'),
                        _ => mutated[i] = b,
                    }
                }
            }
        }
        let mutated = String::from_utf8_lossy(&mutated).into_owned();
        if mutated == *original {
            continue;
        }
        assert!(
            verifier.verify(&mutated, now).is_err(),
            "a changed signed_payload_jwt was accepted: {mutated}"
        );
        assert!(
            session::verify(&SESSION_KEY, &mutated, now_ms).is_err(),
            "a changed session token was accepted: {mutated}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Admin forms

/// The admin forms as the handlers read them (`web::form::StrictForm`), then the app's
/// own parsers. The first byte picks the form: general settings (accepted settings survive the
/// page → form → parse round trip), order status mapping (only the store's statuses),
/// connection (what reaches SeQura is a plausible username and password), selling
/// countries (every enabled country has a well-formed merchant ID), and the storefront's
/// product id list.
pub fn admin_forms(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    match which % 5 {
        0 => general_settings(body),
        1 => status_mapping(body),
        2 => connection_form(body),
        3 => countries_form(body),
        _ => products(body),
    }
}

/// The admin forms' body decoder (`web::form::decode`, what `StrictForm` runs): a refusal
/// is a short 4xx; what it accepts was UTF-8 with well-formed escapes.
fn read_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    match crate::web::form::decode::<T>(body) {
        Ok(form) => {
            assert!(std::str::from_utf8(body).is_ok());
            assert!(crate::web::form::check_encoding(body).is_ok());
            Some(form)
        }
        Err(e) => {
            app_error(&e);
            None
        }
    }
}

fn general_settings(body: &[u8]) {
    let Some(form) = read_form::<GeneralSettingsForm>(body) else {
        return;
    };
    match form.parse() {
        Ok(settings) => {
            assert!(settings.allowed_ips.len() <= 500);
            assert!(settings.excluded_products.len() <= 500);
            assert!(settings.excluded_categories.len() <= 500);
            for ip in &settings.allowed_ips {
                assert!(ip.parse::<std::net::IpAddr>().is_ok(), "{ip}");
            }
            for sku in &settings.excluded_products {
                assert!(!sku.is_empty() && sku.trim() == sku && sku.chars().count() <= 255);
            }
            assert!(settings.excluded_categories.iter().all(|c| *c > 0));
            assert!(is_iso8601_duration(&settings.default_services_end));
            let shown = GeneralSettingsForm::from_settings(&settings);
            assert_eq!(
                shown.parse().as_ref(),
                Ok(&settings),
                "settings page round trip"
            );
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                assert!(
                    [
                        "allowed_ips",
                        "excluded_products",
                        "excluded_categories",
                        "default_services_end"
                    ]
                    .contains(&e.field.as_str())
                );
                short_error(&e.message);
            }
        }
    }
}

fn status_mapping(body: &[u8]) {
    const STATUSES: [u32; 15] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    let Some(form) = read_form::<StatusMappingForm>(body) else {
        return;
    };
    match form.parse(&STATUSES) {
        Ok(mapping) => {
            assert_eq!(mapping.len(), 3);
            for (state, id) in mapping {
                let value = form.value(state);
                match id {
                    None => assert!(value.is_empty()),
                    Some(id) => {
                        assert!(STATUSES.iter().any(|s| i64::from(*s) == id));
                        assert_eq!(value, id.to_string());
                    }
                }
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty() && errors.len() <= 3);
            for e in &errors {
                assert!(["approved", "needs_review", "cancelled"].contains(&e.field.as_str()));
            }
        }
    }
}

fn connection_form(body: &[u8]) {
    let Some(form) = read_form::<ConnectionForm>(body) else {
        return;
    };
    match form.validate() {
        Ok((environment, username)) => {
            assert_eq!(environment.as_str(), form.environment.trim());
            assert!(!username.is_empty() && username.len() <= 255 && !username.contains(':'));
            assert_eq!(username, username.trim());
            assert!(!form.password.is_empty() && form.password.len() <= 1024);
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                assert!(["environment", "username", "password"].contains(&e.field.as_str()));
            }
        }
    }
}

fn countries_form(body: &[u8]) {
    let Some(form) = read_form::<BTreeMap<String, String>>(body) else {
        return;
    };
    match read_countries_form(&form) {
        Ok(rows) => {
            assert_eq!(rows.len(), SELLING_COUNTRIES.len());
            assert!(rows.iter().any(|r| r.enabled));
            for r in rows.iter().filter(|r| r.enabled) {
                assert!(is_merchant_id(&r.merchant_id), "{:?}", r.merchant_id);
                assert!(r.error.is_none());
            }
        }
        Err(CountriesFormError::NoCountry(rows)) => {
            assert!(rows.iter().all(|r| !r.enabled));
        }
        Err(CountriesFormError::Fields(rows)) => {
            assert!(rows.iter().any(|r| r.error.is_some()));
            for r in &rows {
                assert_eq!(
                    r.error.is_some(),
                    r.enabled && !is_merchant_id(&r.merchant_id)
                );
            }
        }
    }
}

fn products(body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    match crate::web::storefront::parse_products(&text) {
        Ok(ids) => {
            assert!(ids.len() <= 200);
            assert!(ids.iter().all(|id| *id > 0));
            let mut unique = ids.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), ids.len(), "duplicate product ids");
        }
        Err(e) => app_error(&e),
    }
}
