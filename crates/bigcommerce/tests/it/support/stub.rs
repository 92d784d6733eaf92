//! A tiny scripted HTTP server on a loopback port: each (method, path) answers from a queue
//! of replies (the last one repeats), and every request is recorded for assertions.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use bigcommerce::{BigCommerce, ClientConfig, StoreClient, StoreHash};
use parking_lot::Mutex;
use secrecy::SecretString;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub const STORE_HASH: &str = "abc123";
pub const TOKEN: &str = "test-access-token";

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(body).unwrap(),
        }
    }

    /// An example file of the shared contract, verbatim.
    pub fn example(status: u16, name: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: super::example(name).into_bytes(),
        }
    }

    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply::text(status, "")
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// One request as the stub received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    pub fn query_value(&self, key: &str) -> Option<String> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    /// The headers every authenticated API call carries.
    pub fn assert_api_headers(&self) {
        assert_eq!(self.header("x-auth-token").as_deref(), Some(TOKEN));
        assert_eq!(self.header("accept").as_deref(), Some("application/json"));
        let ua = self.header("user-agent").unwrap();
        assert!(ua.starts_with("sequra-bigcommerce/"), "{ua}");
        if self.body.is_empty() {
            assert_eq!(self.header("content-type"), None);
        } else {
            assert_eq!(
                self.header("content-type").as_deref(),
                Some("application/json")
            );
        }
    }
}

#[derive(Default)]
struct Inner {
    replies: HashMap<(String, String), VecDeque<Reply>>,
    received: Vec<Recorded>,
}

pub struct Stub {
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
    task: JoinHandle<()>,
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    State(inner): State<Arc<Mutex<Inner>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut inner = inner.lock();
    inner.received.push(Recorded {
        method: method.to_string(),
        path: path.clone(),
        query,
        headers,
        body: body.to_vec(),
    });
    let reply = match inner.replies.get_mut(&(method.to_string(), path.clone())) {
        Some(queue) if queue.len() > 1 => queue.pop_front(),
        Some(queue) => queue.front().cloned(),
        None => None,
    };
    let Some(reply) = reply else {
        return (
            StatusCode::IM_A_TEAPOT,
            format!("stub: nothing scripted for {method} {path}"),
        )
            .into_response();
    };
    let mut response = Response::new(axum::body::Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (k, v) in reply.headers {
        response.headers_mut().append(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(&v).unwrap(),
        );
    }
    response
}

impl Stub {
    pub async fn start() -> Stub {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let inner = Arc::new(Mutex::new(Inner::default()));
        let router = Router::new().fallback(handle).with_state(inner.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Stub {
            base_url,
            inner,
            task,
        }
    }

    /// Queues `reply` for `method path` (full path, e.g. `/stores/abc123/v2/orders/250`).
    pub fn on(&self, method: &str, path: &str, reply: Reply) -> &Self {
        self.inner
            .lock()
            .replies
            .entry((method.to_owned(), path.to_owned()))
            .or_default()
            .push_back(reply);
        self
    }

    /// Same, with the path relative to `/stores/{hash}`.
    pub fn on_store(&self, method: &str, path: &str, reply: Reply) -> &Self {
        self.on(method, &format!("/stores/{STORE_HASH}{path}"), reply)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().received.clone()
    }

    /// The single request received (fails otherwise).
    pub fn only_request(&self) -> Recorded {
        let all = self.requests();
        assert_eq!(all.len(), 1, "requests: {all:#?}");
        all.into_iter().next().unwrap()
    }

    pub fn config(&self) -> ClientConfig {
        ClientConfig::with_bases(&self.base_url, &self.base_url)
    }

    pub fn client_with(&self, config: ClientConfig) -> BigCommerce {
        BigCommerce::new(reqwest::Client::new(), config).unwrap()
    }

    pub fn client(&self) -> BigCommerce {
        self.client_with(self.config())
    }

    pub fn store(&self) -> StoreClient {
        store_of(&self.client())
    }
}

pub fn store_of(client: &BigCommerce) -> StoreClient {
    client.store(
        StoreHash::parse(STORE_HASH).unwrap(),
        SecretString::from(TOKEN),
    )
}
