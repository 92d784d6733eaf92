//! A tiny scripted HTTP server on a loopback port: each (method, path) answers from a queue
//! of replies (the last one repeats), and every request is recorded for assertions. Paths
//! are matched raw (`/merchants/m/orders/A14%2F12345`), as the client sent them.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::{BASIC, MERCHANT};

#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Never answer (the client must time out).
    pub hang: bool,
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::to_vec(body).unwrap(),
            hang: false,
        }
    }

    pub fn text(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            hang: false,
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            hang: false,
        }
    }

    pub fn hang() -> Reply {
        Reply {
            hang: true,
            ..Reply::empty(200)
        }
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
    pub raw_query: Option<String>,
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

    pub fn query(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.raw_query.as_deref().unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    /// Headers of every call: Basic auth, our User-Agent, the `Accept` given, and
    /// `Content-Type: application/json` exactly when there is a body.
    pub fn assert_headers(&self, accept: &str) {
        assert_eq!(self.header("authorization").as_deref(), Some(BASIC));
        assert_eq!(self.header("accept").as_deref(), Some(accept));
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

    /// A merchant-scoped JSON call for [`MERCHANT`].
    pub fn assert_merchant_call(&self, method: &str, path: &str) {
        assert_eq!(self.method, method);
        assert_eq!(self.path, path);
        self.assert_headers("application/json");
        assert_eq!(self.header("sequra-merchant-id").as_deref(), Some(MERCHANT));
    }
}

#[derive(Default)]
struct Inner {
    replies: HashMap<(String, String), VecDeque<Reply>>,
    received: Vec<Recorded>,
}

pub struct Stub {
    /// `http://127.0.0.1:port/`.
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
    let reply = {
        let mut inner = inner.lock();
        inner.received.push(Recorded {
            method: method.to_string(),
            path: path.clone(),
            raw_query: uri.query().map(str::to_owned),
            headers,
            body: body.to_vec(),
        });
        match inner.replies.get_mut(&(method.to_string(), path.clone())) {
            Some(queue) if queue.len() > 1 => queue.pop_front(),
            Some(queue) => queue.front().cloned(),
            None => None,
        }
    };
    let Some(reply) = reply else {
        return (
            StatusCode::IM_A_TEAPOT,
            format!("stub: nothing scripted for {method} {path}"),
        )
            .into_response();
    };
    if reply.hang {
        std::future::pending::<()>().await;
    }
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
        let base_url = format!("http://{}/", listener.local_addr().unwrap());
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

    /// Queues `reply` for `method path` (raw path, e.g. `/orders/{uuid}`).
    pub fn on(&self, method: &str, path: &str, reply: Reply) -> &Self {
        self.inner
            .lock()
            .replies
            .entry((method.to_owned(), path.to_owned()))
            .or_default()
            .push_back(reply);
        self
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

    pub fn client(&self) -> sequra::SequraClient {
        super::client_at(&self.base_url)
    }
}
