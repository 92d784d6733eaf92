//! The app on a loopback port with a fresh database, as tests use it.

use sequra_bc::app::Application;
use sequra_bc::config::Config;
use sequra_bc::state::AppState;

pub struct TestApp {
    pub base_url: String,
    #[allow(dead_code)] // not every test reads the state
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
