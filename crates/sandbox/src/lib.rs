//! Simulators of the two platforms the app talks to, as libraries: each is an axum
//! router plus a control handle for tests and the demo. They follow the real contracts
//! field for field; the app reaches them only through base URLs in its configuration.

// serde_json::json! of full BigCommerce objects (orders have ~90 fields) nests deeply.
#![recursion_limit = "256"]

pub mod bigcommerce;
pub mod clock;
pub mod secrets;
pub mod sequra;
pub mod server;

pub use clock::Clock;
