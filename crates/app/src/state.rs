//! What every handler and job can reach: built once at start-up and passed in.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::Sealer;
use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub sealer: Sealer,
    /// Signs the admin session tokens (derived from the master key).
    pub session_key: Arc<[u8; 32]>,
    pub http: reqwest::Client,
    /// BigCommerce API client (one per process; per-store handles from it).
    pub bc: bigcommerce::BigCommerce,
    /// The app's Developer Portal credentials; `None` when not configured (install and
    /// load then answer 503 rather than verify anything with an empty secret).
    pub bc_app: Option<bigcommerce::oauth::AppCredentials>,
    pub clock: Arc<dyn Clock>,
    /// SeQura's payment methods per merchant, briefly cached (per instance).
    pub methods_cache: crate::services::checkout::MethodsCache,
    /// Products' categories per store, briefly cached (per instance).
    pub categories_cache: crate::services::checkout::CategoriesCache,
    /// The group-committing writer of webhook deliveries.
    pub ingest: crate::services::ingest::Ingest,
}
