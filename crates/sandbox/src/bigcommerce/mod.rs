//! BigCommerce store simulator: a stateful, in-memory BigCommerce that the app reaches only
//! through base URLs (API base and login base are both the simulator's base URL).
//!
//! * [`spawn`] binds `127.0.0.1:0` and returns the base URL and the control handle;
//!   [`BigCommerce::router`] gives the axum router to mount elsewhere.
//! * HTTP surface ([`api`]): REST v2/v3 under `/stores/{hash}/v2|v3/…`, GraphQL App
//!   Extensions at `/stores/{hash}/graphql`, the hooks API of [`webhooks`], and
//!   `/oauth2/token`; BigCommerce's error styles, scopes ([`api::scopes`]), rate limit
//!   ([`ratelimit`]) and test fault switches ([`faults`]).
//! * One domain layer ([`domain`]) for every state change, used by the handlers and by the
//!   control handle alike; each change emits the webhook events BigCommerce would
//!   (`Webhooks::emit`) and records them in the simulator's own event log.
//! * [`model`]: the simulator's own representation, written from the contract (it does
//!   not depend on the client crate).
//!
//! Decisions where the spec is silent or UNVERIFIED are documented beside the code that
//! makes them (module docs of `apps`, `domain::*`, `api::scopes`, `api::graphql`), and
//! collected in the crate's report.

pub mod api;
pub mod api_caller;
pub mod apps;
pub mod control;
pub mod domain;
pub mod faults;
pub mod model;
pub mod money;
pub mod ratelimit;
pub mod state;
pub mod webhooks;
pub mod wire;

pub use api_caller::ApiCaller;
pub use apps::NewStore;
pub use control::{
    APP_SCOPES, BigCommerce, BigCommerceOptions, CallbackOutcome, EXAMPLE_CLIENT_ID,
    EXAMPLE_CLIENT_SECRET, Example, Spawned, spawn,
};
pub use domain::DomainError;
pub use faults::FaultRule;
pub use model::AppRegistration;
pub use ratelimit::{RateLimit, RateLimitState};
pub use state::{CallbackKind, LifecycleRecord, RecordedEvent, RequestRecord};
