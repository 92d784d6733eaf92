//! The app lifecycle: OAuth code exchange after the simulator's install flow, and the
//! simulator's `signed_payload_jwt`s (load, uninstall, remove_user) through the client's
//! verifier.

use std::time::Duration;

use bigcommerce::{AppCredentials, AuthCallback, Error, JwtError, SignedPayloadVerifier};
use sandbox::bigcommerce::{APP_SCOPES, AppRegistration, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::Sim;

fn credentials(secret: &str) -> AppCredentials {
    AppCredentials {
        client_id: EXAMPLE_CLIENT_ID.into(),
        client_secret: SecretString::from(secret.to_owned()),
    }
}

fn verifier() -> SignedPayloadVerifier {
    SignedPayloadVerifier::new(
        EXAMPLE_CLIENT_ID,
        SecretString::from(EXAMPLE_CLIENT_SECRET.to_owned()),
    )
}

/// The query of the auth callback URL the browser would be sent to.
fn auth_callback(url: &str) -> AuthCallback {
    let url = Url::parse(url).unwrap();
    let get = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    AuthCallback {
        code: get("code").unwrap(),
        scope: get("scope").unwrap(),
        context: get("context").unwrap(),
        account_uuid: get("account_uuid"),
    }
}

/// `signed_payload_jwt` of a callback URL.
fn jwt_of(url: &str) -> String {
    Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "signed_payload_jwt")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[tokio::test]
async fn code_exchange_success_and_refusals() {
    let s = Sim::new().await;
    let url = s
        .sim
        .start_install(s.hash(), EXAMPLE_CLIENT_ID, s.ex.staff_id)
        .unwrap();
    assert!(url.starts_with(&s.auth_callback()), "{url}");
    let callback = auth_callback(&url);
    assert_eq!(callback.store_hash().unwrap().as_str(), "abc123");

    // A wrong secret: 401 invalid_client; the code is not used up.
    let err =
        s.bc.exchange_code(
            &credentials("not-the-secret"),
            &callback,
            &s.auth_callback(),
        )
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert!(!err.is_retryable());

    // A redirect_uri other than the registered auth callback: 400 invalid_grant.
    let err =
        s.bc.exchange_code(
            &credentials(EXAMPLE_CLIENT_SECRET),
            &callback,
            "https://elsewhere.example.com/bc/auth",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { status: 400, title, .. } if title.contains("redirect_uri")),
        "{err}"
    );

    // The real exchange.
    let token =
        s.bc.exchange_code(
            &credentials(EXAMPLE_CLIENT_SECRET),
            &callback,
            &s.auth_callback(),
        )
        .await
        .unwrap();
    assert_eq!(token.store_hash().unwrap().as_str(), "abc123");
    assert_eq!(token.scopes().collect::<Vec<_>>(), APP_SCOPES.to_vec());
    assert_eq!(token.user.id, u64::try_from(s.ex.staff_id).unwrap());
    assert_eq!(token.user.email, "staff@example.es");
    let owner = token.owner.as_ref().unwrap();
    assert_eq!(owner.id, u64::try_from(s.ex.owner_id).unwrap());
    assert_eq!(
        token.account_uuid.as_deref(),
        Some("12345678-90ab-cdef-1234-567890abcdef")
    );
    // Same scopes as the existing install: BigCommerce keeps the token.
    assert_eq!(token.access_token.expose_secret(), s.token);
    let store = s.client(s.hash(), token.access_token.expose_secret());
    assert_eq!(store.get_store_information().await.unwrap().id, "abc123");

    // The code is single-use: 400 invalid_grant.
    let err =
        s.bc.exchange_code(
            &credentials(EXAMPLE_CLIENT_SECRET),
            &callback,
            &s.auth_callback(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { status: 400, title, .. } if title.contains("code")),
        "{err}"
    );
    // What the simulator answered, in order.
    assert_eq!(s.statuses_of("/oauth2/token"), vec![401, 400, 200, 400]);
}

#[tokio::test]
async fn load_and_remove_user_jwts_verify() {
    let s = Sim::new().await;
    let url = s
        .sim
        .load_url(s.hash(), EXAMPLE_CLIENT_ID, s.ex.staff_id, "/")
        .unwrap();
    assert!(url.starts_with(&s.app.url("/bc/load")), "{url}");
    let payload = verifier().verify(&jwt_of(&url), s.clock.now()).unwrap();
    assert_eq!(payload.store_hash.as_str(), "abc123");
    assert_eq!(payload.user.id, u64::try_from(s.ex.staff_id).unwrap());
    assert_eq!(payload.user.email, "staff@example.es");
    assert_eq!(payload.user.locale.as_deref(), Some("es-ES"));
    assert_eq!(payload.owner.id, u64::try_from(s.ex.owner_id).unwrap());
    assert!(!payload.is_owner());
    assert_eq!(payload.url, "/");
    assert_eq!(payload.channel_id, None);
    assert!(payload.jti.is_some());
    assert_eq!(payload.app_extension_order_id(), None);

    // A deep link with a channel.
    let jwt = s
        .sim
        .signed_payload_jwt(
            s.hash(),
            EXAMPLE_CLIENT_ID,
            s.ex.owner_id,
            "/orders/250/sequra",
            Some(1),
        )
        .unwrap();
    let payload = verifier().verify(&jwt, s.clock.now()).unwrap();
    assert!(payload.is_owner());
    assert_eq!(payload.channel_id, Some(1));
    assert_eq!(payload.app_extension_order_id(), Some(250));

    // remove_user: the removed user is the JWT's user.
    let outcome = s
        .sim
        .remove_user(s.hash(), EXAMPLE_CLIENT_ID, s.ex.staff_id)
        .await
        .unwrap();
    assert_eq!(outcome.status, Ok(200));
    let payload = verifier()
        .verify(&jwt_of(&outcome.url), s.clock.now())
        .unwrap();
    assert_eq!(payload.user.id, u64::try_from(s.ex.staff_id).unwrap());
    let called = s.app.received();
    assert_eq!(called.last().unwrap().path, "/bc/remove_user");

    // A day later (on the simulator's clock) the load token has expired.
    s.clock.advance(Duration::from_secs(25 * 3600));
    assert_eq!(
        verifier().verify(&jwt, s.clock.now()),
        Err(JwtError::Expired)
    );
}

#[tokio::test]
async fn a_jwt_signed_for_another_app_is_refused() {
    let s = Sim::new().await;
    s.sim
        .register_app(AppRegistration {
            client_id: "other-app".into(),
            client_secret: "other-secret".into(),
            ..AppRegistration::example("https://other.example.com")
        })
        .unwrap();
    let jwt = s
        .sim
        .signed_payload_jwt(s.hash(), "other-app", s.ex.owner_id, "/", None)
        .unwrap();
    assert_eq!(
        verifier().verify(&jwt, s.clock.now()),
        Err(JwtError::BadSignature)
    );
    // Even an app sharing our secret (never the case in practice) is caught by `aud`.
    s.sim
        .register_app(AppRegistration {
            client_id: "same-secret-app".into(),
            client_secret: EXAMPLE_CLIENT_SECRET.into(),
            ..AppRegistration::example("https://other.example.com")
        })
        .unwrap();
    let jwt = s
        .sim
        .signed_payload_jwt(s.hash(), "same-secret-app", s.ex.owner_id, "/", None)
        .unwrap();
    assert_eq!(
        verifier().verify(&jwt, s.clock.now()),
        Err(JwtError::WrongAudience)
    );
}

#[tokio::test]
async fn uninstall_jwt_verifies_and_the_token_stops_working() {
    let s = Sim::new().await;
    assert!(s.store.get_store_information().await.is_ok());
    let outcome = s
        .sim
        .uninstall(s.hash(), EXAMPLE_CLIENT_ID, None)
        .await
        .unwrap();
    assert_eq!(outcome.status, Ok(200));
    assert!(outcome.url.starts_with(&s.app.url("/bc/uninstall")));
    let payload = verifier()
        .verify(&jwt_of(&outcome.url), s.clock.now())
        .unwrap();
    assert_eq!(payload.store_hash.as_str(), "abc123");
    assert!(payload.is_owner());

    // The uninstalled app's token: 401 on v2, v3 and GraphQL alike.
    let err = s.store.get_order(250).await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    let err = s.store.list_scripts().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    let err = s.store.list_app_extensions().await.unwrap_err();
    assert!(err.is_unauthorized(), "{err}");
    assert!(!err.is_retryable());
}
