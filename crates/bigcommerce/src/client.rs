//! The HTTP side: configuration, the app-level client, the per-store handle and the one
//! place where requests are sent, answers classified and 429s waited out.
//!
//! Retry policy (the only retries this crate makes; everything else is the caller's job,
//! normally the app's durable job queue):
//! * **429**: BigCommerce did not process the request, so re-sending is safe for every method.
//!   When the announced reset is at most [`ClientConfig::max_rate_limit_wait`], the call waits
//!   and re-sends, at most [`ClientConfig::max_rate_limit_retries`] times; otherwise it returns
//!   [`Error::RateLimited`] with the reset so the job can be rescheduled.
//! * **Connection failures** (refused, reset, closed before an answer): one immediate second
//!   try for GETs only. A POST/PUT/DELETE may have been processed, so it is never re-sent.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Error, Result};
use crate::rate_limit::{self, RateLimitStatus};

pub const DEFAULT_API_BASE: &str = "https://api.bigcommerce.com";
pub const DEFAULT_LOGIN_BASE: &str = "https://login.bigcommerce.com";
pub const DEFAULT_USER_AGENT: &str = concat!("sequra-bigcommerce/", env!("CARGO_PKG_VERSION"));

/// Where BigCommerce is and how patient the client is. Tests point both bases at a
/// simulator (`http://127.0.0.1:port`); a base may carry a path prefix.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// REST v2/v3 and GraphQL Admin host; requests go to `{api_base}/stores/{hash}/…`.
    pub api_base: String,
    /// OAuth host; the code exchange goes to `{login_base}/oauth2/token`.
    pub login_base: String,
    pub user_agent: String,
    /// Longest 429 reset waited out inside a call (default 2 s). A longer one is returned
    /// as [`Error::RateLimited`].
    pub max_rate_limit_wait: Duration,
    /// How many times one call is re-sent after 429s it waited out (default 2).
    pub max_rate_limit_retries: u32,
    /// Per-request timeout, on top of whatever the injected `reqwest::Client` sets
    /// (default 30 s).
    pub request_timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            api_base: DEFAULT_API_BASE.to_owned(),
            login_base: DEFAULT_LOGIN_BASE.to_owned(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            max_rate_limit_wait: Duration::from_secs(2),
            max_rate_limit_retries: 2,
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl ClientConfig {
    /// The defaults with both bases pointed elsewhere (a simulator).
    pub fn with_bases(api_base: impl Into<String>, login_base: impl Into<String>) -> Self {
        ClientConfig {
            api_base: api_base.into(),
            login_base: login_base.into(),
            ..ClientConfig::default()
        }
    }
}

/// A store hash (`abc123` in `stores/abc123`): ASCII letters and digits only, so it is
/// always a safe URL path segment.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoreHash(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a store hash: {0:?}")]
pub struct InvalidStoreHash(String);

impl StoreHash {
    pub fn parse(hash: &str) -> std::result::Result<StoreHash, InvalidStoreHash> {
        let ok =
            !hash.is_empty() && hash.len() <= 64 && hash.bytes().all(|b| b.is_ascii_alphanumeric());
        if ok {
            Ok(StoreHash(hash.to_owned()))
        } else {
            Err(InvalidStoreHash(hash.chars().take(80).collect()))
        }
    }

    /// Reads `stores/{hash}` (OAuth `context`, JWT `sub`, webhook `producer`).
    pub fn from_context(context: &str) -> std::result::Result<StoreHash, InvalidStoreHash> {
        match context.strip_prefix("stores/") {
            Some(hash) => StoreHash::parse(hash),
            None => Err(InvalidStoreHash(context.chars().take(80).collect())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `stores/{hash}`.
    pub fn context(&self) -> String {
        format!("stores/{}", self.0)
    }
}

impl fmt::Display for StoreHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for StoreHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreHash({})", self.0)
    }
}

impl std::str::FromStr for StoreHash {
    type Err = InvalidStoreHash;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        StoreHash::parse(s)
    }
}

/// The app's client for BigCommerce: one per process, cheap to clone. Holds the injected
/// `reqwest::Client`, the configuration and the last rate-limit state seen per store.
#[derive(Clone)]
pub struct BigCommerce {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    api_base: Url,
    login_base: Url,
    user_agent: HeaderValue,
    config: ClientConfig,
    rate_limits: Mutex<HashMap<StoreHash, RateLimitStatus>>,
}

impl fmt::Debug for BigCommerce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BigCommerce")
            .field("api_base", &self.inner.config.api_base)
            .field("login_base", &self.inner.config.login_base)
            .finish_non_exhaustive()
    }
}

fn parse_base(name: &str, base: &str) -> Result<Url> {
    let url = Url::parse(base.trim_end_matches('/'))
        .map_err(|e| Error::InvalidRequest(format!("{name} {base:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::InvalidRequest(format!(
            "{name} {base:?}: not an http(s) base URL"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidRequest(format!(
            "{name} {base:?}: has a query or fragment"
        )));
    }
    Ok(url)
}

impl BigCommerce {
    /// Fails only on an unusable configuration (a base that is not an http(s) URL, a user
    /// agent that is not a header value).
    pub fn new(http: reqwest::Client, config: ClientConfig) -> Result<BigCommerce> {
        let api_base = parse_base("api_base", &config.api_base)?;
        let login_base = parse_base("login_base", &config.login_base)?;
        let user_agent = HeaderValue::from_str(&config.user_agent)
            .map_err(|e| Error::InvalidRequest(format!("user_agent: {e}")))?;
        Ok(BigCommerce {
            inner: Arc::new(Inner {
                http,
                api_base,
                login_base,
                user_agent,
                config,
                rate_limits: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// A handle for one installed store.
    pub fn store(&self, store_hash: StoreHash, access_token: SecretString) -> StoreClient {
        StoreClient {
            client: self.clone(),
            store_hash,
            access_token,
        }
    }

    /// The rate-limit headers of the last response from this store, if any.
    pub fn rate_limit(&self, store_hash: &StoreHash) -> Option<RateLimitStatus> {
        self.inner.rate_limits.lock().get(store_hash).copied()
    }

    pub(crate) fn login_url(&self, segments: &[&str]) -> Result<Url> {
        join(&self.inner.login_base, segments)
    }

    fn record_rate_limit(&self, store: &StoreHash, status: RateLimitStatus) {
        self.inner.rate_limits.lock().insert(store.clone(), status);
    }

    /// Sends one logical request (with the retries described in the module docs) and
    /// returns a 2xx answer or the classified error.
    pub(crate) async fn execute(&self, call: Call<'_>) -> Result<Answer> {
        let endpoint = format!("{} {}", call.method, call.url.path());
        let config = &self.inner.config;
        let mut rate_limit_retries = 0;
        let mut connection_retries = 0;
        loop {
            let mut request = self
                .inner
                .http
                .request(call.method.clone(), call.url.clone())
                .timeout(config.request_timeout)
                .header(ACCEPT, "application/json")
                .header(USER_AGENT, self.inner.user_agent.clone());
            if let Some(token) = call.token {
                let mut value = HeaderValue::from_str(token.expose_secret()).map_err(|_| {
                    Error::InvalidRequest("access token is not a header value".into())
                })?;
                value.set_sensitive(true);
                request = request.header("X-Auth-Token", value);
            }
            if !call.query.is_empty() {
                request = request.query(&call.query);
            }
            if let Some(body) = &call.body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }

            let response = match request.send().await {
                Ok(response) => response,
                Err(err) => {
                    let retry = call.method == Method::GET
                        && connection_retries == 0
                        && is_connection_failure(&err);
                    if retry {
                        connection_retries += 1;
                        tracing::debug!(%endpoint, error = %err, "connection failed, trying again");
                        continue;
                    }
                    return Err(Error::transport(&endpoint, err));
                }
            };

            let status = response.status();
            if let Some(store) = call.store
                && let Some(limits) =
                    RateLimitStatus::from_headers(response.headers(), Instant::now())
            {
                self.record_rate_limit(store, limits);
            }
            tracing::debug!(%endpoint, status = status.as_u16(), "bigcommerce answered");

            if status == StatusCode::TOO_MANY_REQUESTS {
                let reset_after = rate_limit::reset_after_429(response.headers());
                // Read the body so the connection can be reused; its content is irrelevant.
                let _ = response.bytes().await;
                if reset_after <= config.max_rate_limit_wait
                    && rate_limit_retries < config.max_rate_limit_retries
                {
                    rate_limit_retries += 1;
                    tracing::info!(%endpoint, ?reset_after, "rate limited, waiting for the quota reset");
                    tokio::time::sleep(reset_after).await;
                    continue;
                }
                return Err(Error::RateLimited {
                    endpoint,
                    reset_after,
                });
            }

            let body = response
                .bytes()
                .await
                .map_err(|err| Error::transport(&endpoint, err))?;
            if status.is_success() {
                return Ok(Answer {
                    status,
                    body: body.to_vec(),
                    endpoint,
                });
            }
            return Err(Error::from_status(&endpoint, status.as_u16(), &body));
        }
    }
}

/// A failure before any answer arrived: refused, reset or closed connection. Timeouts are
/// excluded (the server may be slow *and* processing; a second wait doubles the latency).
fn is_connection_failure(err: &reqwest::Error) -> bool {
    !err.is_timeout() && (err.is_connect() || err.is_request())
}

/// Appends path segments to a base. Segments are checked, not escaped: every one we send
/// is a fixed word, a number or an id made of `[A-Za-z0-9_-.]`.
fn join(base: &Url, segments: &[&str]) -> Result<Url> {
    let mut url = base.clone();
    {
        let mut path = url
            .path_segments_mut()
            .map_err(|()| Error::InvalidRequest("base URL cannot take a path".into()))?;
        path.pop_if_empty();
        for segment in segments {
            check_segment(segment)?;
            path.push(segment);
        }
    }
    Ok(url)
}

fn check_segment(segment: &str) -> Result<()> {
    let ok = !segment.is_empty()
        && segment.len() <= 128
        && segment != "."
        && segment != ".."
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidRequest(format!(
            "not a valid id for a URL path: {:?}",
            segment.chars().take(80).collect::<String>()
        )))
    }
}

/// One logical request.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub url: Url,
    pub query: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// `X-Auth-Token`; `None` for the OAuth endpoint.
    pub token: Option<&'a SecretString>,
    /// The store whose rate-limit headers to record.
    pub store: Option<&'a StoreHash>,
}

/// A 2xx answer.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
    pub endpoint: String,
}

impl Answer {
    /// No content: 204, or a 2xx with an empty (or whitespace) body.
    pub fn is_empty(&self) -> bool {
        self.status == StatusCode::NO_CONTENT || self.body.iter().all(u8::is_ascii_whitespace)
    }

    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::decode(&self.endpoint, e.to_string()))
    }

    /// A JSON array, where "no content" means an empty list (v2 collections answer 204).
    pub fn json_list<T: DeserializeOwned>(&self) -> Result<Vec<T>> {
        if self.is_empty() {
            Ok(Vec::new())
        } else {
            self.json()
        }
    }
}

/// One installed store: its hash and access token. Cheap to clone; the token never appears
/// in `Debug` output or logs.
#[derive(Clone)]
pub struct StoreClient {
    client: BigCommerce,
    store_hash: StoreHash,
    access_token: SecretString,
}

impl fmt::Debug for StoreClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreClient")
            .field("store_hash", &self.store_hash)
            .field("access_token", &"[redacted]")
            .finish()
    }
}

/// Query parameters as sent; built by the endpoint modules.
pub(crate) type Query = Vec<(String, String)>;

impl StoreClient {
    pub fn store_hash(&self) -> &StoreHash {
        &self.store_hash
    }

    /// The rate-limit headers of the last response from this store: callers pause when
    /// `requests_left` runs low (see [`RateLimitStatus::should_pause`]).
    pub fn rate_limit(&self) -> Option<RateLimitStatus> {
        self.client.rate_limit(&self.store_hash)
    }

    /// `{api_base}/stores/{hash}/{segments…}`.
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url> {
        let mut all = Vec::with_capacity(segments.len() + 2);
        all.push("stores");
        all.push(self.store_hash.as_str());
        all.extend_from_slice(segments);
        join(&self.client.inner.api_base, &all)
    }

    pub(crate) async fn send(
        &self,
        method: Method,
        segments: &[&str],
        query: Query,
        body: Option<Vec<u8>>,
    ) -> Result<Answer> {
        let url = self.url(segments)?;
        self.client
            .execute(Call {
                method,
                url,
                query,
                body,
                token: Some(&self.access_token),
                store: Some(&self.store_hash),
            })
            .await
    }

    pub(crate) async fn get(&self, segments: &[&str], query: Query) -> Result<Answer> {
        self.send(Method::GET, segments, query, None).await
    }

    pub(crate) async fn send_json<B: Serialize + ?Sized>(
        &self,
        method: Method,
        segments: &[&str],
        body: &B,
    ) -> Result<Answer> {
        let body = to_body(body)?;
        self.send(method, segments, Vec::new(), Some(body)).await
    }
}

pub(crate) fn to_body<B: Serialize + ?Sized>(body: &B) -> Result<Vec<u8>> {
    serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(format!("body: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_hash_is_a_safe_segment() {
        assert!(StoreHash::parse("abc123").is_ok());
        assert_eq!(
            StoreHash::from_context("stores/z4zn3wo").unwrap().as_str(),
            "z4zn3wo"
        );
        for bad in ["", "abc/def", "../x", "a b", "ábc", "stores/abc"] {
            assert!(StoreHash::parse(bad).is_err(), "{bad}");
        }
        assert!(StoreHash::from_context("store/abc").is_err());
        assert!(StoreHash::from_context("stores/").is_err());
        assert_eq!(
            StoreHash::parse("abc123").unwrap().context(),
            "stores/abc123"
        );
    }

    #[test]
    fn urls_keep_base_prefix_and_refuse_odd_segments() {
        let bc = BigCommerce::new(
            reqwest::Client::new(),
            ClientConfig::with_bases("http://127.0.0.1:9/bc/", "http://127.0.0.1:9"),
        )
        .unwrap();
        let store = bc.store(StoreHash::parse("abc123").unwrap(), SecretString::from("t"));
        assert_eq!(
            store.url(&["v2", "orders", "250"]).unwrap().as_str(),
            "http://127.0.0.1:9/bc/stores/abc123/v2/orders/250"
        );
        assert_eq!(
            bc.login_url(&["oauth2", "token"]).unwrap().as_str(),
            "http://127.0.0.1:9/oauth2/token"
        );
        for bad in ["..", ".", "a/b", "a?b", "a#b", "a%2F", ""] {
            assert!(store.url(&["v3", "checkouts", bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_configuration_is_refused() {
        for base in ["ftp://x", "not a url", "mailto:x@y", "http://x/?q=1"] {
            let config = ClientConfig::with_bases(base, DEFAULT_LOGIN_BASE);
            assert!(
                BigCommerce::new(reqwest::Client::new(), config).is_err(),
                "{base}"
            );
        }
    }

    #[test]
    fn debug_never_shows_the_token() {
        let bc = BigCommerce::new(reqwest::Client::new(), ClientConfig::default()).unwrap();
        let store = bc.store(
            StoreHash::parse("abc123").unwrap(),
            SecretString::from("super-secret-token"),
        );
        let text = format!("{store:?} {bc:?}");
        assert!(!text.contains("super-secret-token"));
        assert!(text.contains("abc123"));
    }
}
