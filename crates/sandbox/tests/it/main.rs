//! The sandbox crate's one integration-test binary; each simulator area is a module.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bigcommerce;
mod contract;
mod control_panel;
mod sequra;
mod storefront;
mod webhooks;
