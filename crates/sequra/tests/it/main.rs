//! The crate's one integration-test binary: every call's request shape (method, path,
//! query, headers, body) and every documented answer, against a small scripted HTTP stub;
//! plus the golden request bodies in `tests/fixtures/`.
//!
//! Tests build their client with `support::client_at(base_url)`: the base URL is the only
//! thing a round trip against the SeQura simulator needs to change.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calls;
mod errors;
mod fixtures;
mod golden;
mod roundtrip;
mod support;
