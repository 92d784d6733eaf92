//! Test helpers: a scripted HTTP stub and the client pointed at a base URL.

pub mod stub;

use std::time::Duration;

use secrecy::SecretString;
use sequra::{ClientConfig, SequraClient};

pub use stub::{Reply, Stub};

pub const USERNAME: &str = "test-user";
pub const PASSWORD: &str = "test-pass:with-colon";
/// `Basic base64("test-user:test-pass:with-colon")`.
pub const BASIC: &str = "Basic dGVzdC11c2VyOnRlc3QtcGFzczp3aXRoLWNvbG9u";
pub const MERCHANT: &str = "shop_es";
pub const UUID: &str = "1dc26b35-06f6-41d6-b6f5-d0eb6c66aad1";

/// The client every test uses, pointed at `base_url` (a stub or the simulator).
pub fn client_at(base_url: &str) -> SequraClient {
    client_with(config_at(base_url))
}

pub fn config_at(base_url: &str) -> ClientConfig {
    ClientConfig::new(base_url, USERNAME, SecretString::from(PASSWORD))
}

pub fn client_with(config: ClientConfig) -> SequraClient {
    SequraClient::new(reqwest::Client::new(), config).unwrap()
}

/// A client that gives up after 200 ms (for the stub that never answers).
pub fn impatient_client_at(base_url: &str) -> SequraClient {
    client_with(config_at(base_url).with_timeout(Duration::from_millis(200)))
}

/// The text of a file in `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}
