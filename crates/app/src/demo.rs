//! `sequra-bc demo`: the app and both platform sandboxes on localhost, the app installed in
//! a demo BigCommerce store (products, a customer with store credit) and connected to the
//! SeQura sandbox's demo account, so a newcomer can click through everything at once.
//!
//! The sandboxes keep their state in memory, so every run starts a fresh world; the app's
//! SQLite database goes to a fresh directory too (printed at start).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use sandbox::Clock;
use sandbox::bigcommerce::webhooks::{Webhooks, WebhooksOptions};
use sandbox::bigcommerce::{
    AppRegistration, BigCommerce, BigCommerceOptions, EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET,
};
use sandbox::sequra::{DEMO_PASSWORD, DEMO_USERNAME, SequraOptions};

use crate::app::Application;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::domain::StoreHash;
use crate::services::connection::{self, ConnectOutcome, ConnectionForm, CountriesOutcome};

#[derive(Clone, Debug, clap::Args)]
pub struct DemoArgs {
    /// Port of the app.
    #[arg(long, default_value_t = 8080)]
    pub app_port: u16,
    /// Port of the BigCommerce sandbox (API, control panel, storefront).
    #[arg(long, default_value_t = 8081)]
    pub bigcommerce_port: u16,
    /// Port of the SeQura sandbox (API, identification form, portal).
    #[arg(long, default_value_t = 8082)]
    pub sequra_port: u16,
    /// Port of the demo store's storefront (its own origin, like a real store's domain).
    #[arg(long, default_value_t = 8083)]
    pub storefront_port: u16,
    /// Where the app keeps its SQLite database (default: a fresh temporary directory).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let clock = Clock::new();

    let sequra = sandbox::sequra::spawn_on(
        args.sequra_port,
        SequraOptions {
            clock: clock.clone(),
            ..SequraOptions::default()
        },
    )
    .await
    .with_context(|| format!("starting the SeQura sandbox on port {}", args.sequra_port))?;
    let sequra_base = sequra.base_url().to_owned();

    let bound = sandbox::server::bind_local(args.bigcommerce_port)
        .await
        .with_context(|| {
            format!(
                "starting the BigCommerce sandbox on port {}",
                args.bigcommerce_port
            )
        })?;
    let bc_base = bound.base_url.clone();
    let webhooks = Webhooks::with_options(WebhooksOptions {
        clock: clock.clone(),
        ..WebhooksOptions::default()
    });
    let bc = BigCommerce::new(
        bc_base.clone(),
        BigCommerceOptions {
            clock: clock.clone(),
            webhooks: Some(webhooks),
            ..BigCommerceOptions::default()
        },
    );
    let _bc_server = sandbox::server::serve(bound.listener, bc.router());

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.app_port))
        .await
        .with_context(|| format!("binding the app's port {}", args.app_port))?;
    let app_base = format!("http://127.0.0.1:{}", args.app_port);
    bc.register_app(AppRegistration::example(&app_base))
        .map_err(|e| anyhow::anyhow!("registering the app: {e}"))?;
    let example = bc
        .seed_example()
        .map_err(|e| anyhow::anyhow!("seeding the demo store: {e}"))?;
    // Before the install, so that the app learns the storefront's origin from the store.
    let storefront = bc
        .spawn_storefront(&example.store_hash, args.storefront_port)
        .await
        .with_context(|| format!("starting the storefront on port {}", args.storefront_port))?;

    let temp;
    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => {
            temp = tempfile::Builder::new()
                .prefix("sequra-bc-demo-")
                .tempdir()?;
            temp.path().to_path_buf()
        }
    };
    let sequra_api = format!("{sequra_base}/");
    let mut config = Config::from_args([
        "sequra-bc",
        "--data-dir",
        data_dir.to_str().unwrap_or("data"),
        "--public-url",
        &app_base,
        "--bc-api-url",
        &bc_base,
        "--bc-login-url",
        &bc_base,
        "--sequra-sandbox-api-url",
        &sequra_api,
        "--sequra-live-api-url",
        &sequra_api,
        "--sequra-sandbox-portal-url",
        &format!("{sequra_base}/portal"),
        "--sequra-live-portal-url",
        &format!("{sequra_base}/portal"),
    ])?;
    // The demo runs on embedded SQLite whatever the environment says.
    config.database_url = None;
    config.no_worker = false;
    config.worker_only = false;
    config.bc_client_id = EXAMPLE_CLIENT_ID.to_owned();
    config.bc_client_secret = Some(EXAMPLE_CLIENT_SECRET.to_owned().into());
    let app = Application::build_on(config, listener, Arc::new(SystemClock)).await?;
    let state = app.state.clone();
    let app_task = tokio::spawn(app.run());

    // The owner installs the app from the control panel (the browser follows the auth
    // callback), then connects it to SeQura's demo account with one merchant per country.
    let install = bc
        .start_install(&example.store_hash, EXAMPLE_CLIENT_ID, example.owner_id)
        .map_err(|e| anyhow::anyhow!("starting the install: {e}"))?;
    let answer = reqwest::get(&install).await.context("installing the app")?;
    anyhow::ensure!(
        answer.status().is_success(),
        "the install answered {}",
        answer.status()
    );
    let store = StoreHash::parse(&example.store_hash)?;
    let form = ConnectionForm {
        environment: "sandbox".into(),
        username: DEMO_USERNAME.into(),
        password: DEMO_PASSWORD.into(),
        confirmed: None,
    };
    match connection::connect(&state, &store, &form).await? {
        ConnectOutcome::Saved => {}
        other => anyhow::bail!("connecting to the SeQura sandbox: {other:?}"),
    }
    let conn = connection::connection(&state, &store)
        .await?
        .context("the connection was not saved")?;
    let mut countries = std::collections::BTreeMap::new();
    for (code, merchant) in [
        ("ES", "demo_es"),
        ("FR", "demo_fr"),
        ("IT", "demo_it"),
        ("PT", "demo_pt"),
    ] {
        countries.insert(format!("enable_{code}"), "on".to_owned());
        countries.insert(format!("merchant_{code}"), merchant.to_owned());
    }
    match connection::save_countries(&state, &store, &conn, &countries).await? {
        CountriesOutcome::Saved => {}
        _ => anyhow::bail!("saving the demo's selling countries failed"),
    }

    let control_panel = bc
        .control_panel_owner_url(&example.store_hash)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!();
    println!("SeQura for BigCommerce: demo running");
    println!();
    println!("  Control panel of the demo store, as its owner:");
    println!("    {control_panel}");
    println!("    (Apps › My Apps › SeQura opens the app; Orders lists the store's orders)");
    println!("  Storefront of the demo store (sign in as Laura Pérez, 20 € store credit):");
    println!(
        "    {}/login/as/{}?next=/",
        storefront.base_url, example.customer_id
    );
    println!("    (add products, check out, pay with a SeQura method; shopper names");
    println!(
        "     \"Review Test Approve\", \"Review Test Cancel\", \"Reject Test\" change SeQura's answer)"
    );
    println!("  SeQura sandbox portal:  {sequra_base}/portal");
    println!(
        "    account {DEMO_USERNAME} / {DEMO_PASSWORD}, merchants demo_es, demo_fr, demo_it, demo_pt"
    );
    println!(
        "  The app:                {app_base}  (SQLite in {})",
        data_dir.display()
    );
    println!(
        "  BigCommerce API:        {bc_base}/stores/{}/v3/…",
        example.store_hash
    );
    println!();
    println!("Press Ctrl-C to stop.");

    tokio::select! {
        r = app_task => r.context("the app stopped")?.context("the app failed"),
        r = tokio::signal::ctrl_c() => {
            r?;
            println!("stopped");
            Ok(())
        }
    }
}
