//! The app's integration tests: one binary (see docs/development.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod admin_browser;
mod bad_input;
mod checkout;
mod checkout_browser;
mod checkout_script;
mod connection;
mod constant_time;
mod crash;
mod cross_store;
mod csrf_framing;
mod faults;
mod framing_browser;
mod fuzz_replay;
mod install;
mod jobs;
mod order_management;
mod query_plans;
mod secrets_at_rest;
mod secrets_in_logs;
mod smoke_browser;
mod storage;
mod webhooks_in;
