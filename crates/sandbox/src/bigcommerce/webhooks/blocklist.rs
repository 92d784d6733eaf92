//! BigCommerce's per-domain success ratio: for each client id and destination domain,
//! the outcomes of the last two minutes are counted; once at least 100 deliveries were
//! made in the window and fewer than 90 % succeeded, the domain is blocked for that
//! client for three minutes. Deliveries due in that time wait (without using up a
//! retry) until the block ends.

use std::collections::{BTreeMap, HashMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use url::Url;

const WINDOW_SECS: i64 = 120;
const MIN_SAMPLES: usize = 100;
/// Blocked when successes / samples < 90 %, i.e. successes * 10 < samples * 9.
const MIN_SUCCESS_TENTHS: usize = 9;
const BLOCK_SECS: i64 = 180;

/// A domain currently blocked for a client (`blocked_domains[]` in `GET /v3/hooks/admin`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedDomain {
    pub client_id: String,
    /// `scheme://host` of the destinations concerned.
    pub domain: String,
    pub until: DateTime<Utc>,
    pub reasons: Vec<BlockReason>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockReason {
    pub failure_description: String,
    pub count: u32,
    /// Unix seconds of the latest such failure.
    pub timestamp: i64,
}

#[derive(Debug, Default)]
pub(super) struct Blocklist {
    domains: HashMap<(String, String), DomainStats>,
}

#[derive(Debug, Default)]
struct DomainStats {
    /// (time, failure description or `None` for a success), oldest first.
    window: VecDeque<(DateTime<Utc>, Option<String>)>,
    blocked_until: Option<DateTime<Utc>>,
    reasons: Vec<BlockReason>,
}

/// The key BigCommerce blocks by: the destination's domain (`scheme://host`, no port,
/// no path), so `domain.com/hook-1` and `domain.com/hook-2` share one ratio.
pub(super) fn domain_of(destination: &str) -> String {
    match Url::parse(destination) {
        Ok(url) => match url.host_str() {
            Some(host) => format!("{}://{host}", url.scheme()),
            None => destination.to_owned(),
        },
        Err(_) => destination.to_owned(),
    }
}

impl Blocklist {
    /// Until when deliveries of `client_id` to `domain` must wait, if they must.
    pub fn blocked_until(
        &self,
        client_id: &str,
        domain: &str,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.domains
            .get(&(client_id.to_owned(), domain.to_owned()))
            .and_then(|stats| stats.blocked_until)
            .filter(|until| *until > now)
    }

    /// Counts one attempt; returns true when it makes the domain blocked.
    pub fn observe(
        &mut self,
        client_id: &str,
        domain: &str,
        at: DateTime<Utc>,
        failure: Option<String>,
    ) -> bool {
        let stats = self
            .domains
            .entry((client_id.to_owned(), domain.to_owned()))
            .or_default();
        if stats.blocked_until.is_some_and(|until| until > at) {
            return false;
        }
        stats.window.push_back((at, failure));
        let horizon = at - Duration::seconds(WINDOW_SECS);
        while stats.window.front().is_some_and(|(t, _)| *t < horizon) {
            stats.window.pop_front();
        }
        let samples = stats.window.len();
        let successes = stats.window.iter().filter(|(_, f)| f.is_none()).count();
        if samples < MIN_SAMPLES || successes * 10 >= samples * MIN_SUCCESS_TENTHS {
            return false;
        }
        let mut reasons: BTreeMap<String, BlockReason> = BTreeMap::new();
        for (t, failure) in &stats.window {
            if let Some(description) = failure {
                let reason = reasons
                    .entry(description.clone())
                    .or_insert_with(|| BlockReason {
                        failure_description: description.clone(),
                        count: 0,
                        timestamp: 0,
                    });
                reason.count += 1;
                reason.timestamp = reason.timestamp.max(t.timestamp());
            }
        }
        stats.reasons = reasons.into_values().collect();
        stats.blocked_until = Some(at + Duration::seconds(BLOCK_SECS));
        // The ratio starts afresh once the block is over.
        stats.window.clear();
        true
    }

    pub fn blocked_for(&self, client_id: &str, now: DateTime<Utc>) -> Vec<BlockedDomain> {
        let mut blocked: Vec<BlockedDomain> = self
            .domains
            .iter()
            .filter(|((client, _), _)| client == client_id)
            .filter_map(|((client, domain), stats)| {
                let until = stats.blocked_until.filter(|until| *until > now)?;
                Some(BlockedDomain {
                    client_id: client.clone(),
                    domain: domain.clone(),
                    until,
                    reasons: stats.reasons.clone(),
                })
            })
            .collect();
        blocked.sort_by(|a, b| a.domain.cmp(&b.domain));
        blocked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_ignore_port_and_path() {
        assert_eq!(domain_of("https://a.example:443/x/y"), "https://a.example");
        assert_eq!(domain_of("http://127.0.0.1:8080/hooks"), "http://127.0.0.1");
    }

    #[test]
    fn blocks_only_after_100_samples_below_90_percent() {
        let mut list = Blocklist::default();
        let t0 = Utc::now();
        // 99 failures: not enough samples yet.
        for _ in 0..99 {
            assert!(!list.observe("c", "https://d", t0, Some("500".to_owned())));
        }
        assert!(list.observe("c", "https://d", t0, Some("500".to_owned())));
        assert_eq!(
            list.blocked_until("c", "https://d", t0),
            Some(t0 + Duration::seconds(180))
        );
        // Only for that client.
        assert_eq!(list.blocked_until("other", "https://d", t0), None);
        let blocked = list.blocked_for("c", t0);
        assert_eq!(blocked.len(), 1);
        assert_eq!(blocked[0].reasons[0].count, 100);
        // Over after three minutes.
        assert_eq!(
            list.blocked_until("c", "https://d", t0 + Duration::seconds(180)),
            None
        );
    }

    #[test]
    fn a_ratio_of_90_percent_is_fine() {
        let mut list = Blocklist::default();
        let t0 = Utc::now();
        for i in 0..200 {
            let failure = (i % 10 == 9).then(|| "500".to_owned());
            assert!(!list.observe("c", "https://d", t0, failure));
        }
    }

    #[test]
    fn old_samples_leave_the_window() {
        let mut list = Blocklist::default();
        let t0 = Utc::now();
        for _ in 0..60 {
            list.observe("c", "https://d", t0, Some("500".to_owned()));
        }
        let later = t0 + Duration::seconds(121);
        for _ in 0..60 {
            assert!(!list.observe("c", "https://d", later, Some("500".to_owned())));
        }
    }
}
