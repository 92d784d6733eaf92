//! Use cases, one function each: the only place business rules live. Handlers call these;
//! these read and write storage, call the platform clients, and enqueue jobs.

pub mod checkout;
pub mod connection;
pub mod ingest;
pub mod install;
pub mod notifications;
pub mod order_sync;
pub mod provision;
pub mod settings;
pub mod webhooks;

use bigcommerce::StoreClient;
use secrecy::SecretString;

use crate::crypto::SecretField;
use crate::domain::StoreHash;
use crate::state::AppState;
use crate::web::AppError;

/// A BigCommerce client acting for `store` with its (unsealed) access token.
pub async fn bc_store_client(state: &AppState, store: &StoreHash) -> Result<StoreClient, AppError> {
    let row = state.db.store(store).await?.ok_or(AppError::NotFound)?;
    let token: SecretString = state
        .sealer
        .open(
            store.as_str(),
            SecretField::BigCommerceAccessToken,
            &row.access_token,
        )
        .map_err(|e| AppError::Internal(e.into()))?;
    let hash = bigcommerce::StoreHash::parse(store.as_str())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("store hash: {e}")))?;
    Ok(state.bc.store(hash, token))
}

/// Maps a BigCommerce failure onto what the app answers: outages are "try again later",
/// everything else is ours to log.
pub fn bc_error(context: &str, err: bigcommerce::Error) -> AppError {
    if err.is_retryable() {
        AppError::Unavailable(format!("{context}: {err}"))
    } else {
        AppError::Internal(anyhow::anyhow!("{context}: {err}"))
    }
}
