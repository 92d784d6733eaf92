//! The app on a loopback port with a fresh database, as tests use it.

use std::sync::Arc;

use secrecy::SecretString;
use sequra_bc::app::Application;
use sequra_bc::clock::ManualClock;
use sequra_bc::config::Config;
use sequra_bc::crypto::SecretField;
use sequra_bc::db::stores::InstallRecord;
use sequra_bc::domain::StoreHash;
use sequra_bc::state::AppState;

use super::db::PgTestDb;

pub struct TestApp {
    pub base_url: String,
    /// What another instance of the same deployment is started with: same public URL,
    /// database and master key.
    pub sibling: AppOptions,
    pub state: AppState,
    pub clock: ManualClock,
    pub data: tempfile::TempDir,
    pg: Option<PgTestDb>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// BigCommerce API and login base URL (the BigCommerce sandbox).
    pub bc_base: Option<String>,
    pub bc_client_id: Option<String>,
    pub bc_client_secret: Option<String>,
    /// SeQura API base URL for both environments (the SeQura sandbox).
    pub sequra_base: Option<String>,
    /// Run on a fresh PostgreSQL database (`DATABASE_URL` must be set) instead of SQLite.
    pub postgres: bool,
    /// The URL BigCommerce and SeQura reach the app at (a load balancer's), when it is not
    /// the instance's own.
    pub public_url: Option<String>,
    /// Join this existing database (another instance's) instead of creating one; the
    /// instance that created it drops it.
    pub database_url: Option<String>,
    /// The master key (base64); instances sharing a database must share it.
    pub master_key: Option<String>,
}

/// The flags that point the app at the sandboxes: BigCommerce's API and login base, and
/// SeQura's API and portal for both environments.
pub fn sandbox_flags(bc_base: Option<&str>, sequra_base: Option<&str>) -> Vec<String> {
    let mut args: Vec<String> = Vec::new();
    if let Some(bc) = bc_base {
        args.extend([
            "--bc-api-url".into(),
            bc.to_owned(),
            "--bc-login-url".into(),
            bc.to_owned(),
        ]);
    }
    if let Some(sq) = sequra_base {
        let sq = sq.trim_end_matches('/');
        let (base, portal) = (format!("{sq}/"), format!("{sq}/portal"));
        args.extend([
            "--sequra-sandbox-api-url".into(),
            base.clone(),
            "--sequra-live-api-url".into(),
            base,
            "--sequra-sandbox-portal-url".into(),
            portal.clone(),
            "--sequra-live-portal-url".into(),
            portal,
        ]);
    }
    args
}

/// The app on SQLite in a temporary data dir, HTTP only (tests step the worker by hand).
pub async fn spawn() -> TestApp {
    spawn_with(AppOptions::default()).await
}

pub async fn spawn_with(options: AppOptions) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn_on(listener, options).await
}

/// Like [`spawn_with`] on a listener the caller bound (when something must know the app's
/// URL before it starts, like the BigCommerce sandbox's app registration).
pub async fn spawn_on(listener: tokio::net::TcpListener, options: AppOptions) -> TestApp {
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let data = tempfile::tempdir().unwrap();
    let mut args = vec![
        "sequra-bc".to_owned(),
        "--no-worker".into(),
        "--data-dir".into(),
        data.path().to_str().unwrap().to_owned(),
        "--public-url".into(),
        options
            .public_url
            .clone()
            .unwrap_or_else(|| base_url.clone()),
    ];
    args.extend(sandbox_flags(
        options.bc_base.as_deref(),
        options.sequra_base.as_deref(),
    ));
    let mut config = Config::from_args(args).unwrap();
    config.database_url = None;
    let master_key = options
        .master_key
        .clone()
        .unwrap_or_else(sequra_bc::crypto::Sealer::generate_key_base64);
    config.master_key = Some(master_key.clone().into());
    config.bc_client_id = options.bc_client_id.clone().unwrap_or_default();
    config.bc_client_secret = options.bc_client_secret.clone().map(SecretString::from);
    let pg = if let Some(url) = &options.database_url {
        config.database_url = Some(url.clone());
        None
    } else if options.postgres {
        let url = std::env::var("DATABASE_URL").expect("postgres tests need DATABASE_URL");
        let pg = PgTestDb::create(&url).await;
        config.database_url = Some(pg.url());
        Some(pg)
    } else {
        None
    };
    let clock = ManualClock::default();
    let database_url = config.database_url.clone();
    let app = Application::build_on(config, listener, Arc::new(clock.clone()))
        .await
        .unwrap();
    let state = app.state.clone();
    let server = tokio::spawn(async move {
        let _ = app.run().await;
    });
    let sibling = AppOptions {
        public_url: Some(
            options
                .public_url
                .clone()
                .unwrap_or_else(|| base_url.clone()),
        ),
        database_url,
        master_key: Some(master_key),
        ..options
    };
    TestApp {
        base_url,
        sibling,
        state,
        clock,
        data,
        pg,
        server,
    }
}

impl TestApp {
    /// Stops the app and drops its PostgreSQL database, if it has one.
    pub async fn finish(mut self) {
        self.server.abort();
        self.state.db.close().await;
        if let Some(pg) = self.pg.take() {
            pg.drop().await;
        }
    }

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

    /// Runs due jobs until none is left.
    pub async fn drain_jobs(&self) -> Vec<sequra_bc::jobs::Outcome> {
        sequra_bc::worker::worker(&self.state)
            .drain()
            .await
            .unwrap()
    }
}
