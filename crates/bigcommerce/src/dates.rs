//! Lenient date reading. Wire types keep BigCommerce's date texts as received (v2 RFC 2822
//! `"Thu, 01 Jan 2026 09:50:00 +0000"`, `""` when unset; v3 ISO 8601) and offer typed
//! accessors built on these functions, which answer `None` rather than fail.

use chrono::{DateTime, NaiveDateTime, Utc};

/// RFC 2822 (Orders v2). `""` and unreadable text → `None`.
pub fn parse_rfc2822(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| parse_iso8601(text))
}

/// ISO 8601 / RFC 3339 (v3), also without an offset (read as UTC) or with `+0000`.
pub fn parse_iso8601(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(text) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(d.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()
        .map(|n| n.and_utc())
}

/// Unix seconds (webhooks, hooks).
pub fn from_unix(seconds: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_families_and_tolerates_garbage() {
        let expected = from_unix(1_767_261_000).unwrap();
        assert_eq!(
            parse_rfc2822("Thu, 01 Jan 2026 09:50:00 +0000"),
            Some(expected)
        );
        assert_eq!(parse_iso8601("2026-01-01T09:50:00+00:00"), Some(expected));
        assert_eq!(parse_iso8601("2026-01-01T10:50:00+0100"), Some(expected));
        assert_eq!(parse_iso8601("2026-01-01T09:50:00Z"), Some(expected));
        assert_eq!(parse_iso8601("2026-01-01T09:50:00"), Some(expected));
        assert_eq!(parse_rfc2822("2026-01-01T09:50:00Z"), Some(expected));
        assert_eq!(parse_rfc2822(""), None);
        assert_eq!(parse_rfc2822("yesterday"), None);
        assert_eq!(parse_iso8601("2026-13-45T99:00:00Z"), None);
        assert_eq!(from_unix(i64::MAX), None);
    }
}
