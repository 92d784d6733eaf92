//! `sequra-bc`: the one binary of the product.

use clap::{Parser, Subcommand};

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
    /// Run the app and both platform sandboxes on localhost.
    Demo,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Demo => {
            println!("sequra-bc demo: the sandboxes are not wired in yet");
            Ok(())
        }
    }
}
