//! Comparing secrets the way the real platforms do: in constant time, so that how long a
//! refusal takes says nothing about how much of a guess was right. Secrets held in maps
//! are found by comparing every key this way rather than by a lookup keyed on the guess
//! (a hash or tree lookup compares bytes with an early exit).

use std::collections::HashMap;

use subtle::ConstantTimeEq;

/// Whether two secrets are equal, in time that depends on their lengths only.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// The entry whose key is the secret `given`, compared in constant time.
pub fn find_by_secret<'a, V>(
    map: &'a HashMap<String, V>,
    given: &str,
) -> Option<(&'a String, &'a V)> {
    map.iter().find(|(key, _)| secrets_equal(key, given))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_only_when_every_byte_is() {
        assert!(secrets_equal("s3cret-token", "s3cret-token"));
        assert!(!secrets_equal("s3cret-token", "s3cret-tokeN"));
        assert!(!secrets_equal("s3cret-token", "s3cret-toke"));
        assert!(!secrets_equal("", "x"));
        assert!(secrets_equal("", ""));
    }

    #[test]
    fn finds_by_secret() {
        let map = HashMap::from([("abc".to_owned(), 1), ("def".to_owned(), 2)]);
        assert_eq!(find_by_secret(&map, "def").map(|(_, v)| *v), Some(2));
        assert!(find_by_secret(&map, "de").is_none());
    }
}
