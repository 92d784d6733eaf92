//! Fault switches for tests: added latency, and forced error statuses (5xx, or a bare 429)
//! for the next N calls or for the calls matching a method and path pattern.

use std::time::Duration;

/// One rule: calls that match get `status` instead of being served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    /// `None` matches every method.
    pub method: Option<String>,
    /// A path pattern; `None` matches every path. `*` matches within one segment, `**`
    /// any number of segments. It is tried against the full path
    /// (`/stores/abc123/v2/orders/250`) and the path inside the store (`/v2/orders/250`).
    pub path: Option<String>,
    pub status: u16,
    /// How many more calls it fails; `None` = until cleared.
    pub remaining: Option<u32>,
}

#[derive(Clone, Debug, Default)]
pub struct Faults {
    pub latency: Option<Duration>,
    pub rules: Vec<FaultRule>,
}

impl Faults {
    /// The status forced on this call, if a rule matches (and counts it).
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Option<u16> {
        let inner = store_relative(path);
        let index = self.rules.iter().position(|rule| {
            rule.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && rule.path.as_deref().is_none_or(|pattern| {
                    glob_match(pattern, path) || inner.is_some_and(|p| glob_match(pattern, p))
                })
        })?;
        let rule = self.rules.get_mut(index)?;
        let status = rule.status;
        if let Some(remaining) = rule.remaining.as_mut() {
            *remaining = remaining.saturating_sub(1);
            if *remaining == 0 {
                self.rules.remove(index);
            }
        }
        Some(status)
    }
}

/// `/stores/{hash}/v2/x` → `/v2/x`.
fn store_relative(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/stores/")?;
    let slash = rest.find('/')?;
    rest.get(slash..)
}

/// Segment-wise glob: `*` = one segment (or part of it), `**` = any segments.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let path: Vec<&str> = path.trim_matches('/').split('/').collect();
    match_segments(&pattern, &path)
}

fn match_segments(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| match_segments(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => {
                match_segment(first, segment) && match_segments(rest, path_rest)
            }
            None => false,
        },
    }
}

fn match_segment(pattern: &str, segment: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == segment,
        Some((prefix, suffix)) => {
            segment.len() >= prefix.len() + suffix.len()
                && segment.starts_with(prefix)
                && match_segment_rest(suffix, &segment[prefix.len()..])
        }
    }
}

fn match_segment_rest(pattern: &str, rest: &str) -> bool {
    // `pattern` is what followed a `*`: it may itself hold more stars.
    (0..=rest.len())
        .filter(|i| rest.is_char_boundary(*i))
        .any(|i| match_segment(pattern, &rest[i..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("/v2/orders/*", "/v2/orders/250"));
        assert!(!glob_match("/v2/orders/*", "/v2/orders/250/products"));
        assert!(glob_match("/v2/orders/**", "/v2/orders/250/products"));
        assert!(glob_match("/stores/*/v3/**", "/stores/abc/v3/checkouts/x"));
        assert!(glob_match(
            "/v3/orders/*/payment_actions/refund*",
            "/v3/orders/1/payment_actions/refunds"
        ));
        assert!(!glob_match("/v2/store", "/v2/stores"));
    }

    #[test]
    fn counted_rules_expire() {
        let mut faults = Faults::default();
        faults.rules.push(FaultRule {
            method: Some("GET".into()),
            path: Some("/v2/store".into()),
            status: 503,
            remaining: Some(2),
        });
        assert_eq!(faults.take("POST", "/stores/a/v2/store"), None);
        assert_eq!(faults.take("GET", "/stores/a/v2/store"), Some(503));
        assert_eq!(faults.take("get", "/stores/a/v2/store"), Some(503));
        assert_eq!(faults.take("GET", "/stores/a/v2/store"), None);
    }
}
