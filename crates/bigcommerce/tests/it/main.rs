//! The crate's one integration-test binary: every call's request shape and error paths
//! against a small scripted HTTP stub, and every example payload of the shared contract.
//!
//! Tests build their client through `support::Stub::store()`, i.e. only through base URLs
//! (`ClientConfig::with_bases`); `roundtrip` makes the same calls against the BigCommerce
//! simulator of `crates/sandbox`, spawned on a loopback port.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod checkouts;
mod content;
mod errors;
mod fixtures;
mod oauth;
mod orders;
mod payments;
mod roundtrip;
mod support;
