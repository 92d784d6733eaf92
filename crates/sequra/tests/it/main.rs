//! The crate's one integration-test binary: every call's request shape (method, path,
//! query, headers, body) and every documented answer, against a small scripted HTTP stub;
//! plus the golden request bodies in `tests/fixtures/`.
//!
//! `roundtrip` runs every call, success and error kinds, against the SeQura simulator
//! (`sandbox::sequra`) instead, with a stand-in shop receiving its IPNs and events.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod calls;
mod errors;
mod fixtures;
mod golden;
mod roundtrip;
mod support;
