//! The SeQura payment app for BigCommerce: configuration, storage, jobs, services and
//! the HTTP surface. See `docs/architecture.md`.

pub mod app;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domain;
pub mod fuzzing;
pub mod jobs;
pub mod services;
pub mod state;
pub mod web;
pub mod worker;
