//! `GET merchants/credentials`, `GET merchants/{m}/credentials`, and a wrong password on
//! every call family.

use sandbox::sequra::{Account, Merchant as SimMerchant};
use sequra::{DeliveryReport, Error, MerchantReference, OrderUpdate};

use super::*;

#[tokio::test]
async fn credentials_list_the_accounts_merchants() {
    let s = Sim::new().await;
    let merchants = s.sequra.credentials().await.unwrap();
    let refs: Vec<&str> = merchants.iter().map(|m| m.reference.as_str()).collect();
    assert_eq!(refs, ["demo_es", "demo_fr", "demo_it", "demo_pt"]);
    let account = &s.sim.accounts()[0];
    for (got, sim) in merchants.iter().zip(&account.merchants) {
        assert_eq!(got.country.as_deref(), Some(sim.country.as_str()));
        assert_eq!(got.currency.as_deref(), Some("EUR"));
        assert_eq!(got.assets_key.as_deref(), Some(sim.assets_key.as_str()));
        assert_eq!(got.contract_options, sim.contract_options);
        assert_eq!(got.allowed_countries, std::slice::from_ref(&sim.country));
        // Unknown fields are kept (and `signature_secret` never shown by Debug).
        assert!(got.extra.contains_key("signature_secret"));
        assert!(got.extra.contains_key("realm"));
    }
    assert!(merchants[0].has_contract_option("services"));
    assert!(!merchants[1].has_contract_option("services"));
    let debug = format!("{:?}", merchants[0]);
    assert!(
        !debug.contains(merchants[0].extra["signature_secret"].as_str().unwrap()),
        "{debug}"
    );
    // No merchant header on this call only.
    let call = s.sim.requests().pop().unwrap();
    assert_eq!(call.path, "/merchants/credentials");
    assert_eq!(call.merchant_header, None);
    assert_eq!(call.username.as_deref(), Some(DEMO_USERNAME));
}

#[tokio::test]
async fn merchant_credentials_own_merchant_and_another_accounts() {
    let s = Sim::new().await;
    // A validation call: any 2xx is success (§1.4 #2b); the body is not read.
    s.sequra.merchant_credentials("demo_fr").await.unwrap();
    let call = s.sim.requests().pop().unwrap();
    assert_eq!(call.path, "/merchants/demo_fr/credentials");
    assert_eq!(call.status, 200);
    assert_eq!(call.merchant_header.as_deref(), Some("demo_fr"));

    // A merchant of another account: the credentials are fine, the merchant is not ours.
    s.sim.add_account(Account {
        username: "other_account".into(),
        password: "other_secret".into(),
        merchants: vec![SimMerchant::new("other_es", "ES")],
    });
    let err = s.sequra.merchant_credentials("other_es").await.unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    assert_eq!(err.errors(), ["Bad merchant id 'other_es' for sequra_demo"]);
    assert_eq!(err.status(), Some(403));
    assert!(!err.is_retryable());
    // And one nobody has.
    let err = s.sequra.merchant_credentials("test").await.unwrap_err();
    assert_eq!(err.errors(), ["Bad merchant id 'test' for sequra_demo"]);
}

#[tokio::test]
async fn a_wrong_password_is_invalid_credentials_on_every_call_family() {
    let s = Sim::new().await;
    let uuid = s.confirmed_order("cart-creds", "BC-1001").await;
    let bad = s.wrong_password_client();
    let order = shop_order(&s.shop, MERCHANT, "cart-creds");
    let mut confirmed = order.clone();
    confirmed.merchant_reference = Some(MerchantReference::new("BC-1001"));
    let update = OrderUpdate::new(
        MERCHANT,
        MerchantReference::new("BC-1001"),
        Cart::new("EUR", shop_items()),
        Cart::empty("EUR"),
        platform(),
    );
    let results: Vec<(&str, Result<(), Error>)> = vec![
        ("credentials", bad.credentials().await.map(drop)),
        (
            "merchant_credentials",
            bad.merchant_credentials(MERCHANT).await.map(drop),
        ),
        (
            "merchant_payment_methods",
            bad.merchant_payment_methods(MERCHANT).await.map(drop),
        ),
        (
            "order_payment_methods",
            bad.order_payment_methods(MERCHANT, &uuid).await.map(drop),
        ),
        ("create_order", bad.create_order(&order).await.map(drop)),
        (
            "identification_form",
            bad.identification_form(MERCHANT, &uuid, "i1", None)
                .await
                .map(drop),
        ),
        ("confirm_order", bad.confirm_order(&uuid, &confirmed).await),
        (
            "update_order",
            bad.update_order(MERCHANT, "BC-1001", &update).await,
        ),
        (
            "delivery_report",
            bad.delivery_report(&DeliveryReport::new(MERCHANT, platform()))
                .await,
        ),
    ];
    for (call, result) in results {
        match result {
            Err(Error::InvalidCredentials { endpoint }) => {
                assert!(!endpoint.is_empty(), "{call}");
            }
            other => panic!("{call}: {other:?}"),
        }
    }
    // Nothing changed on the simulator: still one order, still confirmed, not updated.
    assert_eq!(s.sim.orders().len(), 1);
    let order = s.order(&uuid);
    assert_eq!(order.state, sandbox::sequra::OrderState::Confirmed);
    assert!(order.updates.is_empty());
    assert!(s.sim.delivery_reports().is_empty());
    let refused: Vec<u16> = s
        .sim
        .requests()
        .iter()
        .rev()
        .take(9)
        .map(|r| r.status)
        .collect();
    assert_eq!(refused, [401; 9]);
}
