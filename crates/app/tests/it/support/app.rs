//! The app on a loopback port with a fresh database, as tests use it.

use secrecy::SecretString;
use sequra_bc::app::Application;
use sequra_bc::config::Config;
use sequra_bc::crypto::SecretField;
use sequra_bc::db::stores::InstallRecord;
use sequra_bc::domain::StoreHash;
use sequra_bc::state::AppState;

pub struct TestApp {
    pub base_url: String,
    pub state: AppState,
    _data: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The app on SQLite in a temporary data dir, HTTP only (tests step the worker by hand).
pub async fn spawn() -> TestApp {
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::from_args([
        "sequra-bc",
        "--listen",
        "127.0.0.1:0",
        "--no-worker",
        "--data-dir",
        data.path().to_str().unwrap(),
    ])
    .unwrap();
    config.database_url = None;
    config.master_key = Some(sequra_bc::crypto::Sealer::generate_key_base64().into());
    let app = Application::build(config).await.unwrap();
    let base_url = format!("http://{}", app.addr());
    let state = app.state.clone();
    let server = tokio::spawn(async move {
        let _ = app.run().await;
    });
    TestApp {
        base_url,
        state,
        _data: data,
        server,
    }
}

impl TestApp {
    /// Puts an installed store straight into the database (for tests that do not need the
    /// install journey), with a known webhook secret.
    pub async fn seed_store(&self, hash: &str, webhook_secret: &str) -> StoreHash {
        let store = StoreHash::parse(hash).unwrap();
        let sealer = &self.state.sealer;
        let record = InstallRecord {
            access_token: sealer.seal(
                hash,
                SecretField::BigCommerceAccessToken,
                &SecretString::from(format!("token-{hash}")),
            ),
            scopes: String::new(),
            owner_user_id: 1,
            webhook_secret: sealer.seal(
                hash,
                SecretField::WebhookSecret,
                &SecretString::from(webhook_secret.to_owned()),
            ),
        };
        self.state.db.upsert_store(&store, &record).await.unwrap();
        self.state
            .db
            .upsert_user(&store, 1, "owner@example.com", true, None)
            .await
            .unwrap();
        store
    }
}
