//! The SeQura payment app for BigCommerce: configuration, storage, jobs, services and
//! the HTTP surface. See `docs/architecture.md`.

pub mod clock;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod jobs;
