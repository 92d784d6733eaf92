//! Admin sessions inside the control-panel iframe. Third-party cookies are unreliable
//! there (Safari blocks them), so after a verified load callback the app issues its own
//! short-lived token, bound to the store and the user, which the admin page keeps in
//! memory and sends as `Authorization: Bearer`. A bearer header also makes the admin API
//! immune to CSRF. Every request re-checks that the store is still installed and the user
//! still has access, so uninstall and remove_user take effect at once.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::AppError;
use crate::domain::StoreHash;
use crate::state::AppState;

/// How long a session token lives; every admin response carries a fresh one
/// (`X-Session-Token`), so an open page stays signed in while it is used.
pub const SESSION_TTL_MS: i64 = 2 * 3_600_000;
pub const REFRESH_HEADER: &str = "x-session-token";

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// Store hash.
    sub: String,
    /// BigCommerce user id.
    uid: i64,
    /// Expiry, unix milliseconds (checked against the app's clock, not the JWT crate's).
    exp_ms: i64,
    /// Token purpose, so that no other token signed with this key is accepted here.
    typ: String,
}

const TYP: &str = "sequra-bc-admin";

pub fn issue(key: &[u8; 32], store: &StoreHash, user_id: i64, now_ms: i64) -> String {
    let claims = Claims {
        sub: store.as_str().to_owned(),
        uid: user_id,
        exp_ms: now_ms + SESSION_TTL_MS,
        typ: TYP.to_owned(),
    };
    // HS256 over a small struct with a 32-byte key cannot fail in practice; an empty token
    // (which never verifies) is the fail-closed answer should it ever.
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(key),
    )
    .unwrap_or_default()
}

/// Checks signature, purpose and expiry; returns the store and user the token is for.
pub fn verify(key: &[u8; 32], token: &str, now_ms: i64) -> Result<(StoreHash, i64), AppError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(key), &validation)
        .map_err(|_| AppError::Unauthorized("invalid session"))?;
    let claims = data.claims;
    if claims.typ != TYP {
        return Err(AppError::Unauthorized("invalid session"));
    }
    if claims.exp_ms <= now_ms {
        return Err(AppError::Unauthorized("session expired"));
    }
    let store =
        StoreHash::parse(&claims.sub).map_err(|_| AppError::Unauthorized("invalid session"))?;
    Ok((store, claims.uid))
}

/// An authenticated admin request: the store and user come from the verified token and
/// have been checked against the database.
#[derive(Clone, Debug)]
pub struct AdminSession {
    pub store: StoreHash,
    pub user_id: i64,
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(AppError::Unauthorized("missing session"))?;
        let token = header
            .strip_prefix("Bearer ")
            .ok_or(AppError::Unauthorized("missing session"))?;
        let (store, user_id) = verify(&state.session_key, token, state.clock.now_ms())?;
        if state.db.store(&store).await?.is_none() {
            return Err(AppError::Unauthorized(
                "the app is not installed in this store",
            ));
        }
        if state.db.user(&store, user_id).await?.is_none() {
            return Err(AppError::Forbidden);
        }
        Ok(AdminSession { store, user_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];

    fn store() -> StoreHash {
        StoreHash::parse("abc123").unwrap()
    }

    #[test]
    fn round_trip_and_expiry() {
        let t = issue(&KEY, &store(), 42, 1_000);
        assert_eq!(verify(&KEY, &t, 1_001).unwrap(), (store(), 42));
        assert!(verify(&KEY, &t, 1_000 + SESSION_TTL_MS).is_err());
    }

    #[test]
    fn forged_and_foreign_tokens_fail() {
        let t = issue(&KEY, &store(), 42, 1_000);
        assert!(verify(&[8; 32], &t, 1_001).is_err());
        let mut tampered = t.clone();
        tampered.push('x');
        assert!(verify(&KEY, &tampered, 1_001).is_err());
        assert!(verify(&KEY, "", 1_001).is_err());
        assert!(verify(&KEY, "a.b.c", 1_001).is_err());
        // Same key, other purpose: refused.
        let other = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &Claims {
                sub: "abc123".into(),
                uid: 1,
                exp_ms: i64::MAX,
                typ: "something-else".into(),
            },
            &EncodingKey::from_secret(&KEY),
        )
        .unwrap();
        assert!(verify(&KEY, &other, 1_001).is_err());
        // alg=none: refused.
        let none = format!(
            "{}.{}.",
            b64(r#"{"alg":"none","typ":"JWT"}"#),
            b64(&format!(
                r#"{{"sub":"abc123","uid":1,"exp_ms":{},"typ":"{TYP}"}}"#,
                i64::MAX
            ))
        );
        assert!(verify(&KEY, &none, 1_001).is_err());
    }

    fn b64(s: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }
}
