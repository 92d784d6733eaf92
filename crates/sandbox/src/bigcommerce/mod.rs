//! BigCommerce store simulator.

pub mod api_caller;
pub mod webhooks;

pub use api_caller::ApiCaller;
