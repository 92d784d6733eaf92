//! Real headless Chromium for end-to-end tests, driven through chromedriver (WebDriver)
//! with fantoccini. Each test gets its own chromedriver and a fresh browser profile.
//!
//! Chromium and chromedriver come from Debian (`chromium`, `chromium-driver`); `.ci/run`
//! installs them. Without them a browser test is skipped with a message — unless
//! `SEQURA_BC_REQUIRE_BROWSER=1` (set by `.ci/run`), which turns a missing browser into a
//! failure so CI can never pass by skipping.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;

pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find(name: &str, env: &str) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

/// A headless Chromium session, or `None` (test skipped) when none is installed and
/// `SEQURA_BC_REQUIRE_BROWSER` is not set.
pub async fn browser() -> Option<Browser> {
    let required = std::env::var("SEQURA_BC_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let (Some(driver), Some(chromium)) = (
        find("chromedriver", "CHROMEDRIVER"),
        find("chromium", "CHROMIUM"),
    ) else {
        assert!(
            !required,
            "chromium/chromedriver not found and SEQURA_BC_REQUIRE_BROWSER=1"
        );
        eprintln!("chromium or chromedriver not installed: browser test skipped");
        return None;
    };

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting chromedriver");
    let profile = tempfile::tempdir().unwrap();

    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    // chromedriver needs a moment to listen; wait for readiness (not a timing assertion).
    let deadline = Instant::now() + Duration::from_secs(20);
    let client = loop {
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(caps.clone());
        match builder.connect(&url).await {
            Ok(client) => break client,
            Err(err) if Instant::now() < deadline => {
                let _ = err;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => panic!("could not start a Chromium session: {err}"),
        }
    };
    Some(Browser {
        client,
        driver: child,
        _profile: profile,
    })
}

/// Waits until an element matching `css` exists (the admin UI swaps pages in with fetch,
/// so things appear a moment after a click). A readiness wait, not a timing assertion.
pub async fn wait_for(client: &Client, css: &str) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .every(Duration::from_millis(50))
        .for_element(fantoccini::Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
}

/// Waits until the text of the first element matching `css` contains `text`.
pub async fn wait_for_text(client: &Client, css: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(el) = client.find(fantoccini::Locator::Css(css)).await
            && el.text().await.is_ok_and(|t| t.contains(text))
        {
            return;
        }
        assert!(Instant::now() < deadline, "{css} never showed {text:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until nothing matches `css` any more.
pub async fn wait_gone(client: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while client
        .find_all(fantoccini::Locator::Css(css))
        .await
        .is_ok_and(|all| !all.is_empty())
    {
        assert!(Instant::now() < deadline, "{css} never went away");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn click(client: &Client, css: &str) {
    wait_for(client, css).await.click().await.unwrap();
}

pub async fn fill(client: &Client, css: &str, text: &str) {
    let el = wait_for(client, css).await;
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}
