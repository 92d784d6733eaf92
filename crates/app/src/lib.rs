//! The SeQura payment app for BigCommerce: configuration, storage, jobs, services and
//! the HTTP surface. See `docs/architecture.md`.

pub mod crypto;
pub mod db;
pub mod domain;
