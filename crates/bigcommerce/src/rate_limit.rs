//! BigCommerce rate-limit headers (platform spec §7).
//!
//! Every API response carries the store's quota state; the client remembers the last one per
//! store so that callers (the job worker) can slow down before hitting a 429. Header names
//! are looked up in a `HeaderMap`, which is case-insensitive.

use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

pub(crate) const TIME_WINDOW_MS: &str = "x-rate-limit-time-window-ms";
pub(crate) const TIME_RESET_MS: &str = "x-rate-limit-time-reset-ms";
pub(crate) const REQUESTS_QUOTA: &str = "x-rate-limit-requests-quota";
pub(crate) const REQUESTS_LEFT: &str = "x-rate-limit-requests-left";
pub(crate) const RETRY_AFTER_SECS: &str = "x-retry-after";

/// What BigCommerce last said about a store's quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitStatus {
    /// `X-Rate-Limit-Requests-Left`.
    pub requests_left: Option<u64>,
    /// `X-Rate-Limit-Requests-Quota`: requests allowed per window.
    pub requests_quota: Option<u64>,
    /// `X-Rate-Limit-Time-Window-Ms`.
    pub window: Option<Duration>,
    /// `X-Rate-Limit-Time-Reset-Ms`: time until the quota refreshes, as of `observed_at`.
    pub reset_after: Option<Duration>,
    /// When the response carrying these headers arrived.
    pub observed_at: Instant,
}

impl RateLimitStatus {
    /// Reads the quota headers; `None` when the response carries none of them.
    pub(crate) fn from_headers(headers: &HeaderMap, observed_at: Instant) -> Option<Self> {
        let status = RateLimitStatus {
            requests_left: header_u64(headers, REQUESTS_LEFT),
            requests_quota: header_u64(headers, REQUESTS_QUOTA),
            window: header_millis(headers, TIME_WINDOW_MS),
            reset_after: header_millis(headers, TIME_RESET_MS),
            observed_at,
        };
        let any = status.requests_left.is_some()
            || status.requests_quota.is_some()
            || status.window.is_some()
            || status.reset_after.is_some();
        any.then_some(status)
    }

    /// Time until the quota refreshes, counted from now (zero once passed).
    pub fn reset_remaining(&self, now: Instant) -> Option<Duration> {
        let reset = self.reset_after?;
        let elapsed = now.saturating_duration_since(self.observed_at);
        Some(reset.saturating_sub(elapsed))
    }

    /// Whether a caller should pause until the reset: `requests_left` is at or below
    /// `threshold` and the window has not reset yet.
    pub fn should_pause(&self, threshold: u64, now: Instant) -> bool {
        let low = self.requests_left.is_some_and(|left| left <= threshold);
        low && self.reset_remaining(now).is_some_and(|d| !d.is_zero())
    }
}

/// How long a 429 asks us to wait: `X-Rate-Limit-Time-Reset-Ms`, else `X-Retry-After`
/// (seconds), else one second (a 429 without headers means platform load).
pub(crate) fn reset_after_429(headers: &HeaderMap) -> Duration {
    header_millis(headers, TIME_RESET_MS)
        .or_else(|| header_seconds(headers, RETRY_AFTER_SECS))
        .unwrap_or(Duration::from_secs(1))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    header_str(headers, name)?.parse().ok()
}

/// A non-negative amount of `unit`s, integral or decimal (`"15000"`, `"1.5"`).
fn header_duration(headers: &HeaderMap, name: &str, unit_ms: u32) -> Option<Duration> {
    let text = header_str(headers, name)?;
    if let Ok(whole) = text.parse::<u64>() {
        // Saturates absurd values instead of overflowing.
        return Some(Duration::from_millis(
            whole.saturating_mul(u64::from(unit_ms)),
        ));
    }
    let value: f64 = text.parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(value * f64::from(unit_ms) / 1000.0).ok()
}

fn header_millis(headers: &HeaderMap, name: &str) -> Option<Duration> {
    header_duration(headers, name, 1)
}

fn header_seconds(headers: &HeaderMap, name: &str) -> Option<Duration> {
    header_duration(headers, name, 1000)
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderName, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    #[test]
    fn reset_prefers_ms_then_retry_after_then_one_second() {
        let h = headers(&[
            ("X-Rate-Limit-Time-Reset-Ms", "15000"),
            ("X-Retry-After", "3"),
        ]);
        assert_eq!(reset_after_429(&h), Duration::from_millis(15000));
        let h = headers(&[("X-RETRY-AFTER", "3")]);
        assert_eq!(reset_after_429(&h), Duration::from_secs(3));
        let h = headers(&[("x-retry-after", "0.5")]);
        assert_eq!(reset_after_429(&h), Duration::from_millis(500));
        assert_eq!(reset_after_429(&HeaderMap::new()), Duration::from_secs(1));
        let h = headers(&[
            ("x-rate-limit-time-reset-ms", "soon"),
            ("x-retry-after", "-4"),
        ]);
        assert_eq!(reset_after_429(&h), Duration::from_secs(1));
        let h = headers(&[("x-retry-after", "18446744073709551615")]);
        assert!(reset_after_429(&h) > Duration::from_secs(3600));
    }

    #[test]
    fn status_from_mixed_case_headers() {
        let now = Instant::now();
        let h = headers(&[
            ("X-Rate-Limit-Time-Window-Ms", "30000"),
            ("X-Rate-Limit-Time-Reset-Ms", "15000"),
            ("X-Rate-Limit-Requests-Quota", "150"),
            ("X-Rate-Limit-Requests-Left", "0"),
        ]);
        let s = RateLimitStatus::from_headers(&h, now).unwrap();
        assert_eq!(s.requests_left, Some(0));
        assert_eq!(s.requests_quota, Some(150));
        assert_eq!(s.window, Some(Duration::from_secs(30)));
        assert_eq!(s.reset_after, Some(Duration::from_secs(15)));
        assert!(s.should_pause(2, now));
        assert!(!s.should_pause(2, now + Duration::from_secs(16)));
        assert_eq!(
            s.reset_remaining(now + Duration::from_secs(5)),
            Some(Duration::from_secs(10))
        );
        assert!(RateLimitStatus::from_headers(&HeaderMap::new(), now).is_none());
    }
}
