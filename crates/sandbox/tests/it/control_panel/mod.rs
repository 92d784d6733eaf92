//! The simulated control panel, driven like a browser: reqwest with a cookie store against
//! a spawned simulator, frames' `src` followed by hand, and a test app that records its
//! callbacks and exchanges install codes at the simulator's `/oauth2/token`.

mod apps;
mod bad_inputs;
mod csrf;
mod order_actions;
mod orders;
mod sign_in;
mod users;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Html;
use axum::routing::get;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use parking_lot::Mutex;
use reqwest::StatusCode;
use sandbox::bigcommerce::{
    AppRegistration, BigCommerce, BigCommerceOptions, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET,
    Example, spawn,
};
use serde_json::{Value, json};

/// A callback the test app received.
#[derive(Clone, Debug)]
pub struct Call {
    /// `/bc/auth`, `/bc/load`, `/bc/uninstall` or `/bc/remove_user`.
    pub path: String,
    pub query: HashMap<String, String>,
    /// For `/bc/auth`: the token exchange's status and body.
    pub exchange: Option<(u16, Value)>,
}

impl Call {
    /// The verified claims of the call's `signed_payload_jwt`.
    pub fn claims(&self) -> Value {
        claims(&self.query["signed_payload_jwt"])
    }
}

#[derive(Clone)]
struct AppState {
    sim_base: String,
    app_base: Arc<Mutex<String>>,
    calls: Arc<Mutex<Vec<Call>>>,
}

/// The example app's callbacks (`/bc/…`), served on a loopback port.
pub struct TestApp {
    pub base: String,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl TestApp {
    async fn start(sim_base: &str) -> Self {
        let state = AppState {
            sim_base: sim_base.to_owned(),
            app_base: Arc::default(),
            calls: Arc::default(),
        };
        let router = Router::new()
            .route("/bc/auth", get(auth))
            .route("/bc/load", get(record))
            .route("/bc/uninstall", get(record))
            .route("/bc/remove_user", get(record))
            .with_state(state.clone());
        let bound = sandbox::server::bind_local(0).await.unwrap();
        state.app_base.lock().clone_from(&bound.base_url);
        sandbox::server::serve(bound.listener, router);
        Self {
            base: bound.base_url,
            calls: state.calls,
        }
    }

    pub fn calls(&self, path: &str) -> Vec<Call> {
        self.calls
            .lock()
            .iter()
            .filter(|c| c.path == path)
            .cloned()
            .collect()
    }

    /// The only call to `path`.
    pub fn only(&self, path: &str) -> Call {
        let calls = self.calls(path);
        assert_eq!(calls.len(), 1, "{path}: {calls:#?}");
        calls.into_iter().next().unwrap()
    }
}

async fn record(
    State(state): State<AppState>,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
) -> &'static str {
    state.calls.lock().push(Call {
        path: uri.path().to_owned(),
        query,
        exchange: None,
    });
    "ok"
}

/// What an app's auth callback does: exchange the code, then answer HTML for the iframe.
async fn auth(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, Html<&'static str>) {
    let redirect_uri = format!("{}/bc/auth", state.app_base.lock());
    let body = json!({
        "client_id": EXAMPLE_CLIENT_ID,
        "client_secret": EXAMPLE_CLIENT_SECRET,
        "code": query.get("code"),
        "context": query.get("context"),
        "scope": query.get("scope"),
        "grant_type": "authorization_code",
        "redirect_uri": redirect_uri,
    });
    let response = browser()
        .post(format!("{}/oauth2/token", state.sim_base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    state.calls.lock().push(Call {
        path: "/bc/auth".into(),
        query,
        exchange: Some((status.as_u16(), answer)),
    });
    if status.is_success() {
        (StatusCode::OK, Html("<p>Installed</p>"))
    } else {
        (StatusCode::BAD_GATEWAY, Html("<p>Install failed</p>"))
    }
}

/// Verifies a `signed_payload_jwt` with the example app's secret.
pub fn claims(jwt: &str) -> Value {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[EXAMPLE_CLIENT_ID]);
    validation.set_issuer(&["bc"]);
    jsonwebtoken::decode::<Value>(
        jwt,
        &DecodingKey::from_secret(EXAMPLE_CLIENT_SECRET.as_bytes()),
        &validation,
    )
    .unwrap()
    .claims
}

pub fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A client that keeps cookies and follows redirects, like a browser.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .cookie_store(true)
        .build()
        .unwrap()
}

/// The example store with the example app registered (not installed) at a [`TestApp`].
pub struct Cp {
    pub sim: BigCommerce,
    /// The simulator's base URL.
    pub base: String,
    pub ex: Example,
    pub app: TestApp,
    pub browser: reqwest::Client,
}

impl Cp {
    pub async fn new() -> Self {
        let spawned = spawn(BigCommerceOptions::default()).await.unwrap();
        let sim = spawned.sim;
        let ex = sim.seed_example().unwrap();
        let app = TestApp::start(&spawned.base_url).await;
        sim.register_app(AppRegistration::example(&app.base))
            .unwrap();
        Self {
            sim,
            base: spawned.base_url,
            ex,
            app,
            browser: browser(),
        }
    }

    /// As [`Cp::new`], with the example app installed without the dance.
    pub async fn installed() -> Self {
        let cp = Self::new().await;
        cp.sim
            .grant_token(&cp.ex.store_hash, EXAMPLE_CLIENT_ID, None)
            .unwrap();
        cp
    }

    /// `{control panel base}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.control_panel_url(&self.ex.store_hash))
    }

    pub async fn get(&self, path: &str) -> Page {
        Page::of(self.browser.get(self.url(path)).send().await.unwrap()).await
    }

    /// A form post (`application/x-www-form-urlencoded`), following the redirect.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        Page::of(
            self.browser
                .post(self.url(path))
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// The signed-in session's CSRF token, as every page's sign-out form carries it.
    pub async fn csrf(&self) -> String {
        let page = self.get("/manage/marketplace/apps/my-apps").await;
        assert_eq!(page.status, StatusCode::OK, "signed in: {}", page.html);
        page.all("csrf-token")[0].attr("value").to_owned()
    }

    /// A form post as the page's own form sends it: with the session's CSRF token.
    pub async fn submit(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut all = form.to_vec();
        all.push(("csrf_token", token.as_str()));
        self.post(path, &all).await
    }

    /// Follows a link or a frame's `src` found in a page (a path or an absolute URL).
    pub async fn open(&self, href: &str) -> Page {
        let url = if href.starts_with('/') {
            format!("{}{href}", self.base)
        } else {
            href.to_owned()
        };
        Page::of(self.browser.get(url).send().await.unwrap()).await
    }

    /// Signs in with the control handle's direct link; lands on My Apps.
    pub async fn sign_in(&self, user_id: i64) -> Page {
        let url = self
            .sim
            .control_panel_sign_in_url(&self.ex.store_hash, user_id, None)
            .unwrap();
        let page = self.open(&url).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        assert_eq!(
            page.one("cp-signed-in-user").attr("data-user-id"),
            user_id.to_string()
        );
        page
    }

    pub async fn sign_in_as_owner(&self) -> Page {
        self.sign_in(self.ex.owner_id).await
    }
}

/// An answered page.
pub struct Page {
    pub status: StatusCode,
    /// The final URL, after redirects.
    pub url: String,
    pub html: String,
}

impl Page {
    pub async fn of(response: reqwest::Response) -> Self {
        Self {
            status: response.status(),
            url: response.url().to_string(),
            html: response.text().await.unwrap(),
        }
    }

    /// Every element with `data-test="{test}"`.
    pub fn all(&self, test: &str) -> Vec<Element> {
        let needle = format!("data-test=\"{test}\"");
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(at) = self.html[from..].find(&needle) {
            let at = from + at;
            let start = self.html[..at].rfind('<').unwrap();
            let end = at + self.html[at..].find('>').unwrap();
            let text_end = self.html[end..]
                .find('<')
                .map_or(self.html.len(), |i| end + i);
            out.push(Element::parse(
                &self.html[start + 1..end],
                &self.html[end + 1..text_end],
            ));
            from = end;
        }
        out
    }

    /// The only element with `data-test="{test}"`.
    pub fn one(&self, test: &str) -> Element {
        let mut all = self.all(test);
        assert_eq!(all.len(), 1, "data-test={test} in {}", self.html);
        all.remove(0)
    }

    pub fn has(&self, test: &str) -> bool {
        !self.all(test).is_empty()
    }

    /// The element with `data-test="{test}"` whose `attr` is `value`.
    pub fn find(&self, test: &str, attr: &str, value: &str) -> Element {
        self.all(test)
            .into_iter()
            .find(|e| e.attr(attr) == value)
            .unwrap_or_else(|| panic!("no data-test={test} with {attr}={value} in {}", self.html))
    }
}

/// A tag's name and attributes (entities decoded), and the text right after it.
#[derive(Clone, Debug)]
pub struct Element {
    pub tag: String,
    pub attrs: HashMap<String, String>,
    pub text: String,
}

impl Element {
    fn parse(tag: &str, text: &str) -> Self {
        let tag = tag.trim_end_matches('/');
        let (name, mut rest) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        let mut attrs = HashMap::new();
        loop {
            rest = rest.trim_start();
            if rest.is_empty() {
                break;
            }
            let name_end = rest
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(rest.len());
            let attr = rest[..name_end].to_owned();
            rest = &rest[name_end..];
            if let Some(value) = rest.strip_prefix("=\"") {
                let close = value.find('"').unwrap();
                attrs.insert(attr, unescape(&value[..close]));
                rest = &value[close + 1..];
            } else {
                attrs.insert(attr, String::new());
            }
        }
        Self {
            tag: name.to_owned(),
            attrs,
            text: unescape(text.trim()),
        }
    }

    pub fn attr(&self, name: &str) -> &str {
        self.attrs
            .get(name)
            .unwrap_or_else(|| panic!("no {name} on {self:?}"))
    }
}

/// Decodes character references (`&amp;`, `&#38;`, `&#x26;` …) as a browser does.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| name.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The example app's profile, as registered.
pub fn example_app(cp: &Cp) -> AppRegistration {
    AppRegistration::example(&cp.app.base)
}
