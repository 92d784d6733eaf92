//! Configuration: flags with environment variables behind them (one flat, self-documenting
//! surface; `sequra-bc serve --help` lists it). Nothing here is read from a global: the
//! parsed `Config` is passed to whatever needs it.

use std::net::SocketAddr;
use std::path::PathBuf;

use secrecy::SecretString;

#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// Address the HTTP server listens on.
    #[arg(long, env = "SEQURA_BC_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The app's public base URL, as BigCommerce and SeQura reach it (callbacks, webhooks,
    /// the checkout script, SeQura's notify_url).
    #[arg(
        long,
        env = "SEQURA_BC_PUBLIC_URL",
        default_value = "http://localhost:8080"
    )]
    pub public_url: String,

    /// Directory for the SQLite database and the generated master key.
    #[arg(long, env = "SEQURA_BC_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// PostgreSQL URL; when set, the app uses PostgreSQL instead of SQLite, and any number
    /// of instances can share it.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Connections per instance to PostgreSQL.
    #[arg(long, env = "SEQURA_BC_DB_POOL", default_value_t = 16)]
    pub db_pool: u32,

    /// 32 bytes, base64: seals secrets at rest and signs admin sessions. Generated into the
    /// data dir on first run when unset (fine for one machine; set it for several).
    #[arg(long, env = "SEQURA_BC_MASTER_KEY", hide_env_values = true)]
    pub master_key: Option<SecretString>,

    /// The app's client id in the BigCommerce Developer Portal.
    #[arg(long, env = "BC_CLIENT_ID", default_value = "")]
    pub bc_client_id: String,

    /// The app's client secret in the BigCommerce Developer Portal.
    #[arg(long, env = "BC_CLIENT_SECRET", hide_env_values = true)]
    pub bc_client_secret: Option<SecretString>,

    #[arg(
        long,
        env = "BC_API_URL",
        default_value = "https://api.bigcommerce.com"
    )]
    pub bc_api_url: String,

    #[arg(
        long,
        env = "BC_LOGIN_URL",
        default_value = "https://login.bigcommerce.com"
    )]
    pub bc_login_url: String,

    #[arg(
        long,
        env = "SEQURA_SANDBOX_API_URL",
        default_value = "https://sandbox.sequrapi.com/"
    )]
    pub sequra_sandbox_api_url: String,

    #[arg(
        long,
        env = "SEQURA_LIVE_API_URL",
        default_value = "https://live.sequrapi.com/"
    )]
    pub sequra_live_api_url: String,

    /// Where the merchant sees a sandbox order in SeQura's portal (`{url}/orders/{uuid}`).
    #[arg(
        long,
        env = "SEQURA_SANDBOX_PORTAL_URL",
        default_value = "https://simbox.sequrapi.com"
    )]
    pub sequra_sandbox_portal_url: String,

    #[arg(
        long,
        env = "SEQURA_LIVE_PORTAL_URL",
        default_value = "https://simba.sequra.es"
    )]
    pub sequra_live_portal_url: String,

    /// How long a job stays claimed by the worker that took it. A worker that dies (a
    /// crash, a SIGKILL, a lost machine) holds its job this long; then another worker runs
    /// it. Must exceed the longest job (a few API calls, each with a 20 s timeout).
    #[arg(long, env = "SEQURA_BC_JOB_LEASE_SECS", default_value_t = 120)]
    pub job_lease_secs: u64,

    /// How long an instance handling one of SeQura's notifications holds that order's
    /// lock; if it dies meanwhile, SeQura's retries are answered 409 until then.
    #[arg(long, env = "SEQURA_BC_NOTIFICATION_LEASE_SECS", default_value_t = 60)]
    pub notification_lease_secs: u64,

    /// Run only the HTTP API (another instance runs the worker).
    #[arg(long, conflicts_with = "worker_only")]
    pub no_worker: bool,

    /// Run only the background worker.
    #[arg(long)]
    pub worker_only: bool,
}

impl Config {
    /// `public_url` without a trailing slash.
    pub fn public_base(&self) -> &str {
        self.public_url.trim_end_matches('/')
    }
}

#[derive(clap::Parser)]
struct Standalone {
    #[command(flatten)]
    config: Config,
}

impl Config {
    /// Parses flags (and the environment behind them) outside the CLI, e.g. in tests.
    pub fn from_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        use clap::Parser;
        Standalone::try_parse_from(args).map(|s| s.config)
    }
}
