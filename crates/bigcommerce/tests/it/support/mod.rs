//! Test helpers: the shared contract files and a scripted HTTP stub.

pub mod stub;

use std::path::PathBuf;

use serde_json::Value;

pub use stub::{Reply, Stub};

/// `../shared` beside the workspace, or `SEQURA_BC_SHARED_DIR`.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("SEQURA_BC_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

pub fn examples_dir() -> PathBuf {
    shared_dir().join("contracts/bigcommerce/examples")
}

/// The text of an example file.
pub fn example(name: &str) -> String {
    let path = examples_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn example_json(name: &str) -> Value {
    serde_json::from_str(&example(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}
