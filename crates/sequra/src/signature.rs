//! The token we put in `notification_parameters.signature` (and
//! `events_webhook.parameters.signature`) and check when SeQura echoes it back (spec §2.3).
//! SeQura signs nothing itself: the token only proves the notification names an order we
//! created. The app signs `"{store_hash}_{cart_id}_{merchant_id}"` with its secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// `None` only if `hmac` refused the key, which HMAC's definition (any key length) rules
/// out; callers then fail closed.
fn mac(key: &[u8], parts: &[&str]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            mac.update(b"_");
        }
        mac.update(part.as_bytes());
    }
    Some(mac)
}

/// Lowercase hex HMAC-SHA256 of `parts` joined by `_`.
pub fn sign(key: &[u8], parts: &[&str]) -> String {
    // An empty signature never verifies (see `verify`).
    mac(key, parts)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

/// Whether `given` is the signature of `parts` under `key`, compared in constant time.
/// Upper- and lowercase hex are both accepted; anything that is not 64 hex digits is not.
pub fn verify(key: &[u8], parts: &[&str], given: &str) -> bool {
    let Ok(bytes) = hex::decode(given.trim()) else {
        return false;
    };
    match mac(key, parts) {
        Some(mac) => !bytes.is_empty() && mac.verify_slice(&bytes).is_ok(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"app-secret";
    const PARTS: [&str; 3] = ["abc123", "c5e1b6f2-6a53", "shop_es"];

    #[test]
    fn known_answer() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign(b"Jefe", &["what do ya want for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Parts are joined by `_`.
        assert_eq!(
            sign(KEY, &PARTS),
            sign(KEY, &["abc123_c5e1b6f2-6a53_shop_es"])
        );
    }

    #[test]
    fn accepts_exactly_the_signed_message() {
        let sig = sign(KEY, &PARTS);
        assert_eq!(sig.len(), 64);
        assert_eq!(sig, sig.to_lowercase());
        assert!(verify(KEY, &PARTS, &sig));
        assert!(verify(KEY, &PARTS, &sig.to_uppercase()));
        assert!(!verify(b"other-secret", &PARTS, &sig));
        assert!(!verify(KEY, &["abc123", "c5e1b6f2-6a53", "shop_pt"], &sig));
        assert!(!verify(KEY, &["abc123", "c5e1b6f2-6a54", "shop_es"], &sig));
        assert!(!verify(KEY, &PARTS[..2], &sig));
        // One byte changed in the signature.
        let mut changed = sig.clone().into_bytes();
        changed[10] = if changed[10] == b'0' { b'1' } else { b'0' };
        assert!(!verify(KEY, &PARTS, &String::from_utf8(changed).unwrap()));
        for bad in [
            "",
            "zz",
            &sig[..62],
            &format!("{sig}00"),
            "K6hDNSwfcJjF+suAJqXAjA==",
        ] {
            assert!(!verify(KEY, &PARTS, bad), "{bad}");
        }
    }
}
