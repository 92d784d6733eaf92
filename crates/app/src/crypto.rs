//! Secrets at rest: BigCommerce access tokens, SeQura passwords and webhook secrets are
//! sealed with XChaCha20-Poly1305 under the master key. Each ciphertext is bound to its
//! store and field through the associated data, so a sealed value copied into another
//! store's row (or another column) fails to open instead of leaking.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

/// Format version of a sealed value: `[VERSION, nonce (24 bytes), ciphertext+tag]`.
const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the master key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("a sealed value could not be opened (wrong key, store or field, or corrupted)")]
    Open,
}

/// Which secret a sealed value holds; part of the associated data.
#[derive(Clone, Copy, Debug)]
pub enum SecretField {
    BigCommerceAccessToken,
    WebhookSecret,
    SequraPassword,
    NotificationKey,
    CheckoutToken,
}

impl SecretField {
    fn label(self) -> &'static str {
        match self {
            SecretField::BigCommerceAccessToken => "bc_access_token",
            SecretField::WebhookSecret => "webhook_secret",
            SecretField::SequraPassword => "sequra_password",
            SecretField::NotificationKey => "notification_key",
            SecretField::CheckoutToken => "checkout_token",
        }
    }
}

/// Derives an independent 32-byte key for `purpose` from the master key (HMAC-SHA256 as
/// a PRF), so that sealing and session signing never share key material.
/// Whether a secret the caller sent (`given`) is the one we hold (`expected`): compared in
/// constant time (the time depends on the lengths only, never on how many leading bytes
/// match), and never a match when either is empty — fail closed on a secret that was
/// never set. Every comparison of a token, signature or secret in the app goes through
/// this or through `Mac::verify_slice`.
pub fn secret_matches(expected: &[u8], given: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    !expected.is_empty() && !given.is_empty() && bool::from(expected.ct_eq(given))
}

pub fn derive_key(master_base64: &str, purpose: &str) -> Result<[u8; 32], CryptoError> {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let master = base64::engine::general_purpose::STANDARD
        .decode(master_base64.trim())
        .map_err(|_| CryptoError::BadKey)?;
    if master.len() != 32 {
        return Err(CryptoError::BadKey);
    }
    let mut mac =
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(&master).map_err(|_| CryptoError::BadKey)?;
    mac.update(b"sequra-bc/derive/");
    mac.update(purpose.as_bytes());
    Ok(mac.finalize().into_bytes().into())
}

#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<redacted>)")
    }
}

impl Sealer {
    pub fn new(key: &[u8]) -> Result<Self, CryptoError> {
        let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| CryptoError::BadKey)?;
        Ok(Self { cipher })
    }

    /// A key from its base64 text form (the `SEQURA_BC_MASTER_KEY` format).
    pub fn from_base64(text: &str) -> Result<Self, CryptoError> {
        use base64::Engine;
        let key = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| CryptoError::BadKey)?;
        if key.len() != 32 {
            return Err(CryptoError::BadKey);
        }
        Self::new(&key)
    }

    /// A fresh random key in base64 text form.
    pub fn generate_key_base64() -> String {
        use base64::Engine;
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        base64::engine::general_purpose::STANDARD.encode(key)
    }

    pub fn seal(&self, store: &str, field: SecretField, secret: &SecretString) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let aad = associated_data(store, field);
        let payload = Payload {
            msg: secret.expose_secret().as_bytes(),
            aad: &aad,
        };
        // Encryption with a valid key and an in-memory buffer cannot fail; should the AEAD
        // crate ever report an error, store an empty ciphertext that will fail to open.
        let ciphertext = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn open(
        &self,
        store: &str,
        field: SecretField,
        sealed: &[u8],
    ) -> Result<SecretString, CryptoError> {
        let (version, rest) = sealed.split_first().ok_or(CryptoError::Open)?;
        if *version != VERSION || rest.len() < NONCE_LEN {
            return Err(CryptoError::Open);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let aad = associated_data(store, field);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Open)?;
        let text = String::from_utf8(plain).map_err(|_| CryptoError::Open)?;
        Ok(SecretString::from(text))
    }
}

fn associated_data(store: &str, field: SecretField) -> Vec<u8> {
    format!("sequra-bc/v1/store={store}/field={}", field.label()).into_bytes()
}

#[cfg(test)]
mod tests {

    #[test]
    fn secrets_match_only_in_full_and_never_when_empty() {
        assert!(secret_matches(b"whsec-0123456789", b"whsec-0123456789"));
        assert!(!secret_matches(b"whsec-0123456789", b"whsec-012345678X"));
        assert!(!secret_matches(b"whsec-0123456789", b"Xhsec-0123456789"));
        assert!(!secret_matches(b"whsec-0123456789", b"whsec-012345678"));
        assert!(!secret_matches(
            b"whsec-0123456789",
            b"whsec-0123456789-and-more"
        ));
        assert!(!secret_matches(b"", b""));
        assert!(!secret_matches(b"", b"x"));
        assert!(!secret_matches(b"x", b""));
    }
    use super::*;

    fn sealer() -> Sealer {
        Sealer::from_base64(&Sealer::generate_key_base64()).unwrap()
    }

    #[test]
    fn round_trip() {
        let s = sealer();
        let sealed = s.seal(
            "abc123",
            SecretField::SequraPassword,
            &SecretString::from("hunter2"),
        );
        let opened = s
            .open("abc123", SecretField::SequraPassword, &sealed)
            .unwrap();
        assert_eq!(opened.expose_secret(), "hunter2");
    }

    #[test]
    fn bound_to_store_and_field() {
        let s = sealer();
        let sealed = s.seal(
            "abc123",
            SecretField::WebhookSecret,
            &SecretString::from("x"),
        );
        assert!(
            s.open("other1", SecretField::WebhookSecret, &sealed)
                .is_err()
        );
        assert!(
            s.open("abc123", SecretField::SequraPassword, &sealed)
                .is_err()
        );
    }

    #[test]
    fn wrong_key_and_tampering_fail() {
        let a = sealer();
        let b = sealer();
        let mut sealed = a.seal("s", SecretField::NotificationKey, &SecretString::from("k"));
        assert!(b.open("s", SecretField::NotificationKey, &sealed).is_err());
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(a.open("s", SecretField::NotificationKey, &sealed).is_err());
        assert!(a.open("s", SecretField::NotificationKey, &[]).is_err());
        assert!(
            a.open("s", SecretField::NotificationKey, &[1, 2, 3])
                .is_err()
        );
    }

    #[test]
    fn sealed_bytes_do_not_contain_the_secret() {
        let s = sealer();
        let sealed = s.seal(
            "s",
            SecretField::BigCommerceAccessToken,
            &SecretString::from("plain-token-value"),
        );
        let needle = b"plain-token-value";
        assert!(!sealed.windows(needle.len()).any(|w| w == needle));
    }

    #[test]
    fn derived_keys_differ_per_purpose_and_are_stable() {
        let master = Sealer::generate_key_base64();
        let a = derive_key(&master, "seal").unwrap();
        assert_eq!(a, derive_key(&master, "seal").unwrap());
        assert_ne!(a, derive_key(&master, "session").unwrap());
        assert!(derive_key("AAAA", "seal").is_err());
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(Sealer::from_base64("not base64!").is_err());
        assert!(Sealer::from_base64("AAAA").is_err());
    }
}
