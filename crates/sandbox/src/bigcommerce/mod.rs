//! BigCommerce store simulator.

pub mod api_caller;
pub mod apps;
pub mod domain;
pub mod faults;
pub mod model;
pub mod money;
pub mod ratelimit;
pub mod state;
pub mod webhooks;
pub mod wire;

pub use api_caller::ApiCaller;
