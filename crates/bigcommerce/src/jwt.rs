//! `signed_payload_jwt` of the load, uninstall and remove-user callbacks (platform spec
//! §2.4–2.5, §6.3).
//!
//! Verification fails closed, in this order: exactly three base64url parts; header `alg`
//! exactly `HS256` (anything else, `none` included, is refused, as is a `crit` header);
//! HMAC-SHA256 over `header.claims` with the client secret, compared in constant time
//! (`Mac::verify_slice`); only then the claims: `iss` = `bc`, `aud` = our client id (a
//! single string), `sub` = `stores/{hash}`, `exp` required and `nbf`/`iat` (when present)
//! checked against the injected "now" with a small leeway.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::client::StoreHash;
use crate::de;

type HmacSha256 = Hmac<Sha256>;

/// Default clock skew allowed on `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// Longest token accepted; real ones are well under 1 KiB.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Why a `signed_payload_jwt` was refused. Messages say which check failed, never the
/// token or the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    #[error("unsupported algorithm {0:?} (only HS256)")]
    UnsupportedAlgorithm(String),
    #[error("bad signature")]
    BadSignature,
    #[error("token expired")]
    Expired,
    #[error("token not yet valid")]
    NotYetValid,
    #[error("token is for another app (aud)")]
    WrongAudience,
    #[error("token not issued by BigCommerce (iss)")]
    WrongIssuer,
    #[error("token subject is not a store (sub)")]
    BadSubject,
}

/// The claims as BigCommerce signs them. Field order matches BigCommerce's, so the signer
/// reproduces its tokens byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedPayloadClaims {
    pub aud: String,
    pub iss: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// `stores/{hash}`.
    pub sub: String,
    pub user: JwtUser,
    pub owner: JwtOwner,
    /// Deep link: `/` from the Apps menu, the App Extension url with `${id}` substituted.
    #[serde(default)]
    pub url: String,
    /// `null` when opened from the Apps menu.
    #[serde(default)]
    pub channel_id: Option<u64>,
}

/// The control-panel user who triggered the callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtUser {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(default)]
    pub email: String,
    /// BCP 47, e.g. `es-ES`: the language of the control panel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtOwner {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(default)]
    pub email: String,
}

/// A verified payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedPayload {
    pub store_hash: StoreHash,
    pub user: JwtUser,
    pub owner: JwtOwner,
    pub url: String,
    pub channel_id: Option<u64>,
    /// For an optional replay cache.
    pub jti: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

impl SignedPayload {
    /// The user who clicked is the store owner.
    pub fn is_owner(&self) -> bool {
        self.user.id == self.owner.id
    }

    /// The order id when the payload comes from the "SeQura order information" App
    /// Extension (`url` = `/orders/{id}/sequra`).
    pub fn app_extension_order_id(&self) -> Option<u64> {
        parse_app_extension_order_url(&self.url)
    }
}

/// Reads the order id from an App Extension deep link, strictly `^/orders/(\d+)/sequra$`
/// (ASCII digits, no query, no trailing slash). `None` for anything else or an id that does
/// not fit `u64`.
pub fn parse_app_extension_order_url(url: &str) -> Option<u64> {
    let digits = url.strip_prefix("/orders/")?.strip_suffix("/sequra")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Verifies `signed_payload_jwt`s for one app.
#[derive(Clone)]
pub struct SignedPayloadVerifier {
    client_id: String,
    client_secret: SecretString,
    leeway: Duration,
}

impl fmt::Debug for SignedPayloadVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedPayloadVerifier")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("leeway", &self.leeway)
            .finish()
    }
}

#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    alg: Option<String>,
    #[serde(default)]
    crit: Option<serde_json::Value>,
}

impl SignedPayloadVerifier {
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Self {
        SignedPayloadVerifier {
            client_id: client_id.into(),
            client_secret,
            leeway: DEFAULT_LEEWAY,
        }
    }

    pub fn with_leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Verifies `token` as of `now` (the caller's clock).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<SignedPayload, JwtError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(JwtError::Malformed("too long"));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed("not three parts"));
        };

        let header: Header = decode_json(header_b64, "header")?;
        match header.alg.as_deref() {
            Some("HS256") => {}
            Some(other) => {
                return Err(JwtError::UnsupportedAlgorithm(
                    other.chars().take(20).collect(),
                ));
            }
            None => return Err(JwtError::Malformed("no alg")),
        }
        if header.crit.is_some() {
            return Err(JwtError::Malformed("critical header extensions"));
        }

        let signature = URL_SAFE_NO_PAD
            .decode(signature_b64)
            .map_err(|_| JwtError::Malformed("signature is not base64url"))?;
        let mut mac = HmacSha256::new_from_slice(self.client_secret.expose_secret().as_bytes())
            .map_err(|_| JwtError::BadSignature)?;
        mac.update(header_b64.as_bytes());
        mac.update(b".");
        mac.update(claims_b64.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| JwtError::BadSignature)?;

        let claims: SignedPayloadClaims = decode_json(claims_b64, "claims")?;
        if claims.iss != "bc" {
            return Err(JwtError::WrongIssuer);
        }
        if claims.aud != self.client_id {
            return Err(JwtError::WrongAudience);
        }
        let leeway = i64::try_from(self.leeway.as_secs()).unwrap_or(i64::MAX);
        let now = now.timestamp();
        if now >= claims.exp.saturating_add(leeway) {
            return Err(JwtError::Expired);
        }
        let too_early = |t: Option<i64>| t.is_some_and(|t| now.saturating_add(leeway) < t);
        if too_early(claims.nbf) || too_early(claims.iat) {
            return Err(JwtError::NotYetValid);
        }
        let store_hash = StoreHash::from_context(&claims.sub).map_err(|_| JwtError::BadSubject)?;
        Ok(SignedPayload {
            store_hash,
            user: claims.user,
            owner: claims.owner,
            url: claims.url,
            channel_id: claims.channel_id,
            jti: claims.jti,
            expires_at: claims.exp,
        })
    }
}

fn decode_json<T: serde::de::DeserializeOwned>(
    part: &str,
    what: &'static str,
) -> Result<T, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed(what))?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed(what))
}

/// Signs claims the way BigCommerce does (`{"typ":"JWT","alg":"HS256"}` header). For tests
/// and demos; the sandbox simulator has its own signer.
pub fn sign_signed_payload_jwt(
    claims: &SignedPayloadClaims,
    client_secret: &SecretString,
) -> Result<String, JwtError> {
    let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
    let body = serde_json::to_vec(claims).map_err(|_| JwtError::Malformed("claims"))?;
    let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(body));
    let mut mac = HmacSha256::new_from_slice(client_secret.expose_secret().as_bytes())
        .map_err(|_| JwtError::BadSignature)?;
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    Ok(format!("{signing_input}.{signature}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "unit-secret";
    const CLIENT: &str = "unit-client";
    const NOW: i64 = 1_767_230_000;

    fn claims() -> SignedPayloadClaims {
        SignedPayloadClaims {
            aud: CLIENT.into(),
            iss: "bc".into(),
            iat: Some(NOW - 100),
            nbf: Some(NOW - 105),
            exp: NOW + 86_400,
            jti: Some("j-1".into()),
            sub: "stores/abc123".into(),
            user: JwtUser {
                id: 2,
                email: "staff@example.es".into(),
                locale: Some("es-ES".into()),
            },
            owner: JwtOwner {
                id: 1,
                email: "owner@example.es".into(),
            },
            url: "/orders/250/sequra".into(),
            channel_id: None,
        }
    }

    fn verifier() -> SignedPayloadVerifier {
        SignedPayloadVerifier::new(CLIENT, SecretString::from(SECRET))
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(NOW, 0).unwrap()
    }

    fn sign(c: &SignedPayloadClaims) -> String {
        sign_signed_payload_jwt(c, &SecretString::from(SECRET)).unwrap()
    }

    fn with_header(header: &str, c: &SignedPayloadClaims, secret: &str) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(c).unwrap())
        );
        let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    #[test]
    fn accepts_a_good_token() {
        let payload = verifier().verify(&sign(&claims()), now()).unwrap();
        assert_eq!(payload.store_hash.as_str(), "abc123");
        assert_eq!(payload.app_extension_order_id(), Some(250));
        assert!(!payload.is_owner());
        assert_eq!(payload.user.locale.as_deref(), Some("es-ES"));
    }

    #[test]
    fn refuses_other_algorithms_and_none() {
        let c = claims();
        for header in [
            r#"{"typ":"JWT","alg":"none"}"#,
            r#"{"typ":"JWT","alg":"HS512"}"#,
            r#"{"typ":"JWT","alg":"RS256"}"#,
            r#"{"typ":"JWT","alg":"hs256"}"#,
        ] {
            let err = verifier()
                .verify(&with_header(header, &c, SECRET), now())
                .unwrap_err();
            assert!(
                matches!(err, JwtError::UnsupportedAlgorithm(_)),
                "{header}: {err}"
            );
        }
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).unwrap())
        );
        assert!(verifier().verify(&none, now()).is_err());
        let no_alg = with_header(r#"{"typ":"JWT"}"#, &c, SECRET);
        assert_eq!(
            verifier().verify(&no_alg, now()),
            Err(JwtError::Malformed("no alg"))
        );
        let crit = with_header(r#"{"alg":"HS256","crit":["exp"]}"#, &c, SECRET);
        assert!(verifier().verify(&crit, now()).is_err());
    }

    #[test]
    fn refuses_forged_and_tampered_tokens() {
        let forged = with_header(r#"{"typ":"JWT","alg":"HS256"}"#, &claims(), "other-secret");
        assert_eq!(
            verifier().verify(&forged, now()),
            Err(JwtError::BadSignature)
        );

        let good = sign(&claims());
        let mut evil = claims();
        evil.sub = "stores/victim".into();
        let evil_claims = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&evil).unwrap());
        let parts: Vec<&str> = good.split('.').collect();
        let tampered = format!("{}.{}.{}", parts[0], evil_claims, parts[2]);
        assert_eq!(
            verifier().verify(&tampered, now()),
            Err(JwtError::BadSignature)
        );

        let truncated_sig = format!("{}.{}.{}", parts[0], parts[1], &parts[2][..20]);
        assert!(verifier().verify(&truncated_sig, now()).is_err());
    }

    #[test]
    fn checks_time_audience_issuer_subject() {
        let v = verifier();
        let mut c = claims();
        c.exp = NOW - 61;
        assert_eq!(v.verify(&sign(&c), now()), Err(JwtError::Expired));
        c.exp = NOW - 30; // inside the leeway
        assert!(v.verify(&sign(&c), now()).is_ok());

        let mut c = claims();
        c.nbf = Some(NOW + 61);
        assert_eq!(v.verify(&sign(&c), now()), Err(JwtError::NotYetValid));
        c.nbf = None;
        c.iat = Some(NOW + 3600);
        assert_eq!(v.verify(&sign(&c), now()), Err(JwtError::NotYetValid));

        let mut c = claims();
        c.aud = "someone-else".into();
        assert_eq!(v.verify(&sign(&c), now()), Err(JwtError::WrongAudience));
        let mut c = claims();
        c.iss = "evil".into();
        assert_eq!(v.verify(&sign(&c), now()), Err(JwtError::WrongIssuer));
        let mut c = claims();
        c.sub = "stores/../admin".into();
        assert_eq!(v.verify(&sign(&c), now()), Err(JwtError::BadSubject));
        c.sub = "users/abc".into();
        assert_eq!(v.verify(&sign(&c), now()), Err(JwtError::BadSubject));

        let strict = verifier().with_leeway(Duration::ZERO);
        let mut c = claims();
        c.exp = NOW;
        assert_eq!(strict.verify(&sign(&c), now()), Err(JwtError::Expired));
    }

    #[test]
    fn garbage_never_panics() {
        let v = verifier();
        for token in [
            "",
            ".",
            "..",
            "...",
            "a.b.c",
            "a.b.c.d",
            "eyJhbGciOiJIUzI1NiJ9..",
            "eyJhbGciOiJIUzI1NiJ9.e30.",
            "🙂.🙂.🙂",
        ] {
            assert!(v.verify(token, now()).is_err(), "{token}");
        }
        assert!(v.verify(&"a".repeat(MAX_TOKEN_LEN + 1), now()).is_err());
        // Signed correctly but claims missing `exp`.
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#);
        let body = URL_SAFE_NO_PAD.encode(r#"{"aud":"unit-client","iss":"bc","sub":"stores/a"}"#);
        let input = format!("{header}.{body}");
        let mut mac = HmacSha256::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(input.as_bytes());
        let token = format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        );
        assert_eq!(v.verify(&token, now()), Err(JwtError::Malformed("claims")));
    }

    #[test]
    fn app_extension_urls_are_parsed_strictly() {
        assert_eq!(
            parse_app_extension_order_url("/orders/250/sequra"),
            Some(250)
        );
        assert_eq!(parse_app_extension_order_url("/orders/1/sequra"), Some(1));
        for bad in [
            "/",
            "",
            "/orders//sequra",
            "/orders/250/sequra/",
            "/orders/250/sequra?x=1",
            "orders/250/sequra",
            "/orders/25a/sequra",
            "/orders/-1/sequra",
            "/orders/+1/sequra",
            "/orders/ 250/sequra",
            "/orders/250/other",
            "/orders/250/sequra/../../x",
            "/orders/٢٥٠/sequra",
            "/orders/99999999999999999999999/sequra",
            "//orders/250/sequra",
        ] {
            assert_eq!(parse_app_extension_order_url(bad), None, "{bad}");
        }
    }

    #[test]
    fn verifier_debug_hides_the_secret() {
        assert!(!format!("{:?}", verifier()).contains(SECRET));
    }
}
