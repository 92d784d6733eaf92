//! BigCommerce's per-store request quota (§7): a bucket of `quota` requests that refills
//! completely `window` after the first request of a window, shared by every API client of
//! the store. Every API response of a known store carries the four headers; a refused
//! request gets 429 with `X-Rate-Limit-Time-Reset-Ms` and `X-Retry-After` — or, with the
//! header-less switch on, a bare 429 (BigCommerce under platform load).

use std::collections::HashMap;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::model::Instant;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub quota: u32,
    pub window: Duration,
}

impl Default for RateLimit {
    /// Standard and Plus plans: 150 requests per 30 s.
    fn default() -> Self {
        Self {
            quota: 150,
            window: Duration::from_secs(30),
        }
    }
}

/// A store's quota as the headers would report it now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitState {
    pub quota: u32,
    pub window_ms: i64,
    pub remaining: u32,
    /// Milliseconds until the quota refills.
    pub reset_ms: i64,
}

impl RateLimitState {
    pub fn apply_headers(&self, headers: &mut HeaderMap) {
        let mut put = |name: &'static str, value: String| {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        };
        put("x-rate-limit-time-window-ms", self.window_ms.to_string());
        put("x-rate-limit-time-reset-ms", self.reset_ms.to_string());
        put("x-rate-limit-requests-quota", self.quota.to_string());
        put("x-rate-limit-requests-left", self.remaining.to_string());
    }

    /// Whole seconds until the refill, rounded up (`X-Retry-After`).
    pub fn retry_after_secs(&self) -> i64 {
        (self.reset_ms + 999) / 1000
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    remaining: u32,
    window_start: Instant,
}

#[derive(Debug, Default)]
pub(crate) struct Limiter {
    pub default: RateLimit,
    pub per_store: HashMap<String, RateLimit>,
    buckets: HashMap<String, Bucket>,
    /// Refusals come without any rate-limit header.
    pub headerless_429: bool,
}

pub(crate) enum Decision {
    Allowed(RateLimitState),
    Limited(RateLimitState),
}

impl Limiter {
    pub fn with_default(default: RateLimit) -> Self {
        Self {
            default,
            ..Self::default()
        }
    }

    fn limit_of(&self, store_hash: &str) -> RateLimit {
        self.per_store
            .get(store_hash)
            .copied()
            .unwrap_or(self.default)
    }

    fn window_ms(limit: RateLimit) -> i64 {
        i64::try_from(limit.window.as_millis()).unwrap_or(i64::MAX)
    }

    /// The bucket as it is at `now` (a fresh one once the window has passed).
    fn current(&self, store_hash: &str, now: Instant) -> Bucket {
        let limit = self.limit_of(store_hash);
        match self.buckets.get(store_hash) {
            Some(bucket)
                if (now - bucket.window_start).num_milliseconds() < Self::window_ms(limit) =>
            {
                *bucket
            }
            _ => Bucket {
                remaining: limit.quota,
                window_start: now,
            },
        }
    }

    fn state_of(&self, store_hash: &str, bucket: Bucket, now: Instant) -> RateLimitState {
        let limit = self.limit_of(store_hash);
        let window_ms = Self::window_ms(limit);
        let elapsed = (now - bucket.window_start).num_milliseconds();
        RateLimitState {
            quota: limit.quota,
            window_ms,
            remaining: bucket.remaining,
            reset_ms: (window_ms - elapsed).clamp(0, window_ms),
        }
    }

    /// Takes one request from the store's quota, if any is left.
    pub fn check(&mut self, store_hash: &str, now: Instant) -> Decision {
        let mut bucket = self.current(store_hash, now);
        if bucket.remaining == 0 {
            self.buckets.insert(store_hash.to_owned(), bucket);
            return Decision::Limited(self.state_of(store_hash, bucket, now));
        }
        bucket.remaining -= 1;
        self.buckets.insert(store_hash.to_owned(), bucket);
        Decision::Allowed(self.state_of(store_hash, bucket, now))
    }

    pub fn peek(&self, store_hash: &str, now: Instant) -> RateLimitState {
        let bucket = self.current(store_hash, now);
        self.state_of(store_hash, bucket, now)
    }

    /// Uses up what is left of the current window (tests of the 429 path).
    pub fn exhaust(&mut self, store_hash: &str, now: Instant) {
        let mut bucket = self.current(store_hash, now);
        bucket.remaining = 0;
        self.buckets.insert(store_hash.to_owned(), bucket);
    }

    pub fn reset(&mut self, store_hash: &str) {
        self.buckets.remove(store_hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_quota_refills_after_the_window() {
        let mut limiter = Limiter {
            default: RateLimit {
                quota: 2,
                window: Duration::from_secs(30),
            },
            ..Limiter::default()
        };
        let t0 = chrono::Utc
            .timestamp_opt(1_767_225_600, 0)
            .single()
            .unwrap();
        assert!(matches!(limiter.check("s", t0), Decision::Allowed(s) if s.remaining == 1));
        assert!(matches!(limiter.check("s", t0), Decision::Allowed(s) if s.remaining == 0));
        let t1 = t0 + chrono::Duration::seconds(10);
        match limiter.check("s", t1) {
            Decision::Limited(s) => {
                assert_eq!(s.reset_ms, 20_000);
                assert_eq!(s.retry_after_secs(), 20);
            }
            Decision::Allowed(_) => panic!("should be limited"),
        }
        // Other stores have their own quota.
        assert!(matches!(limiter.check("t", t1), Decision::Allowed(_)));
        let t2 = t0 + chrono::Duration::seconds(30);
        assert!(matches!(limiter.check("s", t2), Decision::Allowed(s) if s.remaining == 1));
    }
}
