//! `sequra-bc`: the one binary of the product.

use clap::{Parser, Subcommand};
use sequra_bc::app::Application;
use sequra_bc::config::Config;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "sequra-bc",
    version,
    about = "SeQura payment app for BigCommerce"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the app: HTTP API and background worker.
    Serve(Config),
    /// Apply database migrations and exit.
    Migrate(Config),
    /// Run the app and both platform sandboxes on localhost, installed and connected.
    Demo(sequra_bc::demo::DemoArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    match Cli::parse().command {
        Command::Serve(config) => {
            let app = Application::build(config).await?;
            tracing::info!(addr = %app.addr(), "serving");
            app.run().await
        }
        Command::Migrate(config) => {
            let app = Application::build(Config {
                worker_only: true,
                ..config
            })
            .await?;
            tracing::info!(backend = app.state.db.backend(), "migrations applied");
            Ok(())
        }
        Command::Demo(args) => sequra_bc::demo::run(args).await,
    }
}

/// Logs go to stderr; `RUST_LOG` filters (default `info`), `SEQURA_BC_LOG_JSON=1` switches
/// to one JSON object per line for log shippers.
fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("SEQURA_BC_LOG_JSON").is_ok_and(|v| v == "1") {
        builder.json().init();
    } else {
        builder.init();
    }
}
