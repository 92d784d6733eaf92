//! The HTTP side: configuration, the client, and the one place where requests are sent and
//! answers classified.
//!
//! Headers (spec §1.2): `Authorization: Basic …` on every call, `Accept: application/json`
//! (`text/html` for `form_v2`), `Content-Type: application/json` on calls with a body, our
//! own `User-Agent`, and `Sequra-Merchant-Id` on every merchant-scoped call (everything but
//! `GET merchants/credentials`).
//!
//! Retry policy: none, except one immediate second try of a **GET** whose connection failed
//! before any answer (refused, reset, closed). Timeouts are not retried (SeQura may be slow
//! *and* working), and POST/PUT are never re-sent: SeQura may have processed them. Callers
//! schedule retries from [`Error::is_retryable`](crate::Error::is_retryable).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{Error, Result};

pub const SANDBOX_BASE_URL: &str = "https://sandbox.sequrapi.com/";
pub const LIVE_BASE_URL: &str = "https://live.sequrapi.com/";
pub const DEFAULT_USER_AGENT: &str = concat!("sequra-bigcommerce/", env!("CARGO_PKG_VERSION"));
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// The header naming the merchant on merchant-scoped calls.
pub const MERCHANT_HEADER: &str = "Sequra-Merchant-Id";

/// Where SeQura is and who we are there. Tests point `base_url` at a stub or the simulator
/// (`http://127.0.0.1:port/`); a base may carry a path prefix. `Debug` redacts the password.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API base, e.g. [`SANDBOX_BASE_URL`]; endpoints are appended to it.
    pub base_url: String,
    pub username: String,
    pub password: SecretString,
    /// Per-request timeout, on top of whatever the injected `reqwest::Client` sets.
    pub request_timeout: Duration,
    pub user_agent: String,
}

impl ClientConfig {
    /// Default timeout (15 s) and user agent.
    pub fn new(
        base_url: impl Into<String>,
        username: impl Into<String>,
        password: SecretString,
    ) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            username: username.into(),
            password,
            request_timeout: DEFAULT_TIMEOUT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> ClientConfig {
        self.request_timeout = timeout;
        self
    }
}

/// SeQura's merchant API for one account (username/password pair). Cheap to clone.
#[derive(Clone)]
pub struct SequraClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    username: String,
    /// `Basic base64(username:password)`, marked sensitive.
    authorization: HeaderValue,
    user_agent: HeaderValue,
    timeout: Duration,
}

impl fmt::Debug for SequraClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SequraClient")
            .field("base", &self.inner.base.as_str())
            .field("username", &self.inner.username)
            .finish_non_exhaustive()
    }
}

fn parse_base(base: &str) -> Result<Url> {
    let url = Url::parse(base.trim_end_matches('/'))
        .map_err(|e| Error::InvalidRequest(format!("base_url {base:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::InvalidRequest(format!(
            "base_url {base:?}: not an http(s) base URL"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::InvalidRequest(format!(
            "base_url {base:?}: has a query or fragment"
        )));
    }
    Ok(url)
}

/// One segment of a request path: an id checked against a conservative alphabet (UUIDs,
/// merchant refs), or any text percent-encoded ([`Segment::Escaped`], for `order_ref_1`).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Segment<'a> {
    Fixed(&'a str),
    Id(&'a str),
    Escaped(&'a str),
}

fn check_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidRequest(format!(
            "not a valid id for a URL path: {:?}",
            id.chars().take(80).collect::<String>()
        )))
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so `A14/12345` becomes
/// `A14%2F12345` and a literal `%` cannot smuggle an escape. `.`/`..`/empty are refused:
/// they would change the path instead of naming a resource.
fn escape_segment(text: &str) -> Result<String> {
    if text.is_empty() || text == "." || text == ".." || text.len() > 512 {
        return Err(Error::InvalidRequest(format!(
            "not usable as a URL path segment: {:?}",
            text.chars().take(80).collect::<String>()
        )));
    }
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(out)
}

/// Appends path segments to a base URL.
pub(crate) fn join(base: &Url, segments: &[Segment<'_>]) -> Result<Url> {
    let mut texts = Vec::with_capacity(segments.len());
    for segment in segments {
        texts.push(match *segment {
            Segment::Fixed(s) => s.to_owned(),
            Segment::Id(id) => {
                check_id(id)?;
                id.to_owned()
            }
            Segment::Escaped(text) => escape_segment(text)?,
        });
    }
    // Built as text and set in one go: `set_path` keeps `%XX` escapes as they are (pushing
    // segments one by one would escape our `%` again), and every text is either a checked
    // id, a fixed word, or escaped to unreserved characters plus `%XX`.
    let mut path = base.path().trim_end_matches('/').to_owned();
    for text in &texts {
        path.push('/');
        path.push_str(text);
    }
    let mut url = base.clone();
    url.set_path(&path);
    Ok(url)
}

/// What the caller accepts back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Accept {
    Json,
    Html,
}

/// One logical request.
pub(crate) struct Call<'a> {
    pub method: Method,
    pub path: &'a [Segment<'a>],
    pub query: &'a [(&'a str, &'a str)],
    pub body: Option<Vec<u8>>,
    /// `Sequra-Merchant-Id`; `None` only for `GET merchants/credentials`.
    pub merchant: Option<&'a str>,
    pub accept: Accept,
}

/// A 2xx answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub endpoint: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub url: Url,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).map_err(|e| Error::decode(&self.endpoint, e.to_string()))
    }

    pub fn text(self) -> Result<String> {
        String::from_utf8(self.body).map_err(|_| Error::decode(&self.endpoint, "body is not UTF-8"))
    }
}

/// A failure before any answer arrived: refused, reset or closed connection.
fn is_connection_failure(err: &reqwest::Error) -> bool {
    !err.is_timeout() && (err.is_connect() || err.is_request())
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

impl SequraClient {
    /// Fails only on an unusable configuration (a base that is not an http(s) URL, a user
    /// agent or username that cannot be a header value).
    pub fn new(http: reqwest::Client, config: ClientConfig) -> Result<SequraClient> {
        let base = parse_base(&config.base_url)?;
        // RFC 7617: the user-id of Basic auth cannot contain a colon.
        if config.username.contains(':') || config.username.chars().any(char::is_control) {
            return Err(Error::InvalidRequest(
                "username: contains ':' or a control character".into(),
            ));
        }
        let user_agent = HeaderValue::from_str(&config.user_agent)
            .map_err(|e| Error::InvalidRequest(format!("user_agent: {e}")))?;
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            config.username,
            config.password.expose_secret()
        ));
        let mut authorization = HeaderValue::from_str(&format!("Basic {credentials}"))
            .map_err(|_| Error::InvalidRequest("credentials are not a header value".into()))?;
        authorization.set_sensitive(true);
        Ok(SequraClient {
            inner: Arc::new(Inner {
                http,
                base,
                username: config.username,
                authorization,
                user_agent,
                timeout: config.request_timeout,
            }),
        })
    }

    /// The API base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    pub(crate) fn url(&self, segments: &[Segment<'_>]) -> Result<Url> {
        join(&self.inner.base, segments)
    }

    /// Sends one logical request (with the one retry described in the module docs) and
    /// returns a 2xx answer or the classified error.
    pub(crate) async fn execute(&self, call: Call<'_>) -> Result<Answer> {
        let url = self.url(call.path)?;
        let endpoint = format!("{} {}", call.method, url.path());
        let merchant = match call.merchant {
            Some(m) => {
                check_id(m)?;
                Some(HeaderValue::from_str(m).map_err(|_| {
                    Error::InvalidRequest("merchant id is not a header value".into())
                })?)
            }
            None => None,
        };
        let accept = match call.accept {
            Accept::Json => "application/json",
            Accept::Html => "text/html",
        };
        let mut connection_retries = 0;
        loop {
            let mut request = self
                .inner
                .http
                .request(call.method.clone(), url.clone())
                .timeout(self.inner.timeout)
                .header(AUTHORIZATION, self.inner.authorization.clone())
                .header(ACCEPT, accept)
                .header(USER_AGENT, self.inner.user_agent.clone());
            if let Some(m) = &merchant {
                request = request.header(MERCHANT_HEADER, m.clone());
            }
            if !call.query.is_empty() {
                request = request.query(call.query);
            }
            if let Some(body) = &call.body {
                request = request
                    .header(CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }

            let response = match request.send().await {
                Ok(response) => response,
                Err(err) => {
                    if call.method == Method::GET
                        && connection_retries == 0
                        && is_connection_failure(&err)
                    {
                        connection_retries += 1;
                        tracing::debug!(%endpoint, error = %err, "connection failed, trying again");
                        continue;
                    }
                    return Err(Error::transport(&endpoint, err));
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            let answered_url = response.url().clone();
            let body = response
                .bytes()
                .await
                .map_err(|err| Error::transport(&endpoint, err))?;
            tracing::debug!(%endpoint, status = status.as_u16(), "sequra answered");
            if status.is_success() {
                return Ok(Answer {
                    endpoint,
                    headers,
                    body: body.to_vec(),
                    url: answered_url,
                });
            }
            let wait = if status == StatusCode::TOO_MANY_REQUESTS {
                retry_after(&headers)
            } else {
                None
            };
            return Err(Error::from_status(&endpoint, status.as_u16(), &body, wait));
        }
    }

    pub(crate) async fn get(&self, path: &[Segment<'_>], merchant: Option<&str>) -> Result<Answer> {
        self.execute(Call {
            method: Method::GET,
            path,
            query: &[],
            body: None,
            merchant,
            accept: Accept::Json,
        })
        .await
    }

    pub(crate) async fn send_json<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &[Segment<'_>],
        merchant: &str,
        body: &B,
    ) -> Result<Answer> {
        let body =
            serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(format!("body: {e}")))?;
        self.execute(Call {
            method,
            path,
            query: &[],
            body: Some(body),
            merchant: Some(merchant),
            accept: Accept::Json,
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> SequraClient {
        SequraClient::new(
            reqwest::Client::new(),
            ClientConfig::new(base, "user", SecretString::from("pa:ss")),
        )
        .unwrap()
    }

    #[test]
    fn urls_keep_the_base_prefix() {
        let c = client("http://127.0.0.1:9/sq/");
        assert_eq!(
            c.url(&[Segment::Fixed("orders"), Segment::Id("abc-1")])
                .unwrap()
                .as_str(),
            "http://127.0.0.1:9/sq/orders/abc-1"
        );
        let c = client(SANDBOX_BASE_URL);
        assert_eq!(
            c.url(&[Segment::Fixed("merchants"), Segment::Fixed("credentials")])
                .unwrap()
                .as_str(),
            "https://sandbox.sequrapi.com/merchants/credentials"
        );
    }

    #[test]
    fn escaped_segments_are_percent_encoded() {
        let c = client("http://127.0.0.1:9");
        let url = |s| c.url(&[Segment::Fixed("o"), Segment::Escaped(s)]);
        assert_eq!(url("A14/12345").unwrap().path(), "/o/A14%2F12345");
        assert_eq!(url("a%2Fb").unwrap().path(), "/o/a%252Fb");
        assert_eq!(url("a b?c#d").unwrap().path(), "/o/a%20b%3Fc%23d");
        assert_eq!(url("ñ").unwrap().path(), "/o/%C3%B1");
        assert_eq!(url("v1.2~x_y-z").unwrap().path(), "/o/v1.2~x_y-z");
        for bad in ["", ".", ".."] {
            assert!(url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ids_are_checked() {
        let c = client("http://127.0.0.1:9");
        for bad in ["", "..", "a/b", "a?b", "a%2F", "a b", "a.b"] {
            assert!(c.url(&[Segment::Id(bad)]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn bad_configuration_is_refused() {
        for base in ["ftp://x", "not a url", "mailto:x@y", "http://x/?q=1"] {
            let config = ClientConfig::new(base, "u", SecretString::from("p"));
            assert!(
                SequraClient::new(reqwest::Client::new(), config).is_err(),
                "{base}"
            );
        }
        let config = ClientConfig::new(SANDBOX_BASE_URL, "u:x", SecretString::from("p"));
        assert!(SequraClient::new(reqwest::Client::new(), config).is_err());
        let mut config = ClientConfig::new(SANDBOX_BASE_URL, "u", SecretString::from("p"));
        config.user_agent = "ua\n".into();
        assert!(SequraClient::new(reqwest::Client::new(), config).is_err());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let config = ClientConfig::new(SANDBOX_BASE_URL, "user", SecretString::from("hunter22"));
        let c = SequraClient::new(reqwest::Client::new(), config.clone()).unwrap();
        let text = format!("{config:?} {c:?}");
        assert!(!text.contains("hunter22"), "{text}");
        assert!(text.contains("user"));
        assert_eq!(config.request_timeout, DEFAULT_TIMEOUT);
    }
}
