//! Building and running the service: `Application::build` binds the listener first (so
//! tests can use port 0 and learn the address), then `run` serves HTTP and, unless told
//! otherwise, runs the job worker beside it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::crypto::{Sealer, derive_key};
use crate::db::Db;
use crate::state::AppState;

pub struct Application {
    pub state: AppState,
    listener: Option<TcpListener>,
    addr: SocketAddr,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// Builds on a listener bound by the caller (tests and the demo bind port 0 first, so
    /// that the public URL can name the real port).
    pub async fn build_on(
        config: Config,
        listener: TcpListener,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        Self::assemble(config, clock, Some(listener)).await
    }

    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<Self> {
        let listener = if config.worker_only {
            None
        } else {
            Some(
                TcpListener::bind(config.listen)
                    .await
                    .with_context(|| format!("binding {}", config.listen))?,
            )
        };
        Self::assemble(config, clock, listener).await
    }

    async fn assemble(
        config: Config,
        clock: Arc<dyn Clock>,
        listener: Option<TcpListener>,
    ) -> anyhow::Result<Self> {
        let master = master_key(&config)?;
        let sealer = Sealer::new(&derive_key(&master, "seal")?)?;
        let session_key = Arc::new(derive_key(&master, "session")?);
        let db = open_db(&config).await?;
        db.migrate().await.context("applying migrations")?;

        let http = reqwest::Client::builder()
            .user_agent(concat!("sequra-bc/", env!("CARGO_PKG_VERSION")))
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .context("building the HTTP client")?;

        let bc = bigcommerce::BigCommerce::new(
            http.clone(),
            bigcommerce::ClientConfig::with_bases(&config.bc_api_url, &config.bc_login_url),
        )
        .context("building the BigCommerce client")?;
        let bc_app = match (&config.bc_client_secret, config.bc_client_id.is_empty()) {
            (Some(secret), false) if !secret.expose_secret().is_empty() => {
                Some(bigcommerce::oauth::AppCredentials {
                    client_id: config.bc_client_id.clone(),
                    client_secret: secret.clone(),
                })
            }
            _ => {
                tracing::warn!(
                    "BC_CLIENT_ID/BC_CLIENT_SECRET not set: install and load are disabled"
                );
                None
            }
        };

        let addr = match &listener {
            Some(l) => l.local_addr()?,
            None => config.listen,
        };

        let ingest = crate::services::ingest::Ingest::start(db.clone());
        let state = AppState {
            config: Arc::new(config),
            db,
            sealer,
            session_key,
            http,
            bc,
            bc_app,
            clock,
            methods_cache: Default::default(),
            categories_cache: Default::default(),
            ingest,
        };
        Ok(Self {
            state,
            listener,
            addr,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until the process is stopped.
    pub async fn run(self) -> anyhow::Result<()> {
        let state = self.state.clone();
        let server = async move {
            match self.listener {
                Some(listener) => {
                    let router = crate::web::router(state);
                    let service = router.into_make_service_with_connect_info::<SocketAddr>();
                    axum::serve(listener, service)
                        .await
                        .context("HTTP server stopped")
                }
                None => std::future::pending().await,
            }
        };
        if self.state.config.no_worker {
            return server.await;
        }
        let worker = crate::worker::run_forever(self.state.clone());
        tokio::select! {
            r = server => r,
            r = worker => r,
        }
    }
}

async fn open_db(config: &Config) -> anyhow::Result<Db> {
    match &config.database_url {
        Some(url) if url.starts_with("postgres") => Db::connect_postgres(url, config.db_pool)
            .await
            .context("connecting to PostgreSQL"),
        Some(other) => anyhow::bail!(
            "DATABASE_URL must be a postgres:// URL (got a {}-character value); \
             leave it unset for SQLite",
            other.len()
        ),
        None => {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("creating {}", config.data_dir.display()))?;
            Db::open_sqlite(&config.data_dir.join("sequra-bc.db"))
                .await
                .context("opening the SQLite database")
        }
    }
}

/// The master key from configuration, or from `<data dir>/master.key`, generated there on
/// first run. A generated key suits one machine only: several instances must share one.
fn master_key(config: &Config) -> anyhow::Result<String> {
    if let Some(key) = &config.master_key {
        return Ok(key.expose_secret().to_owned());
    }
    let path = config.data_dir.join("master.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(text.trim().to_owned());
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let key = Sealer::generate_key_base64();
    write_private(&path, &key).with_context(|| format!("writing {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "SEQURA_BC_MASTER_KEY is not set: generated a master key in the data dir; \
         set the variable when running several instances"
    );
    Ok(key)
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())
}
