//! The app's lifecycle in a store: install (auth callback), load, uninstall, remove_user.

use bigcommerce::jwt::{SignedPayload, SignedPayloadVerifier};
use bigcommerce::oauth::AuthCallback;
use rand::RngCore;
use secrecy::SecretString;

use crate::crypto::SecretField;
use crate::db::stores::InstallRecord;
use crate::domain::{SequraState, StoreHash};
use crate::jobs::NewJob;
use crate::state::AppState;
use crate::web::AppError;

/// The OAuth scopes the app needs (bigcommerce-platform.md §2.8). Customers is "modify"
/// because the app debits the store credit a shopper used; Products (read-only) for the
/// categories a merchant can exclude.
pub const REQUIRED_SCOPES: &[&str] = &[
    "store_v2_orders",
    "store_v2_transactions_read_only",
    "store_checkout",
    "store_cart",
    "store_content_checkout",
    "store_v2_information_read_only",
    "store_v2_customers",
    "store_app_extensions_manage",
    "store_v2_products_read_only",
];

pub const PROVISION_JOB: &str = "provision_store";

#[derive(Debug)]
pub struct Installed {
    pub store: StoreHash,
    pub user_id: i64,
    /// False when provisioning failed now and was queued to be retried.
    pub provisioned: bool,
}

/// The auth callback: exchange the code, keep the sealed token, provision the store.
/// Also the re-authorisation path after a scope change (an upsert throughout).
pub async fn install(state: &AppState, callback: &AuthCallback) -> Result<Installed, AppError> {
    let credentials = state.bc_app.as_ref().ok_or(AppError::Unavailable(
        "BigCommerce app credentials are not configured".into(),
    ))?;
    let store = StoreHash::parse(
        callback
            .store_hash()
            .map_err(|_| AppError::BadRequest("invalid store context".into()))?
            .as_str(),
    )
    .map_err(|_| AppError::BadRequest("invalid store context".into()))?;
    let redirect_uri = format!("{}/bc/auth", state.config.public_base());
    let token = state
        .bc
        .exchange_code(credentials, callback, &redirect_uri)
        .await
        .map_err(|e| {
            if e.is_retryable() {
                AppError::Unavailable(format!("token exchange: {e}"))
            } else {
                AppError::BadRequest("BigCommerce refused the authorization code".into())
            }
        })?;
    if token.context != callback.context {
        return Err(AppError::BadRequest(
            "the token is for another store".into(),
        ));
    }
    let granted: Vec<&str> = token.scopes().collect();
    let missing: Vec<&str> = REQUIRED_SCOPES
        .iter()
        .copied()
        .filter(|s| !granted.contains(s))
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Conflict(format!(
            "the app needs these permissions, which were not granted: {}",
            missing.join(", ")
        )));
    }

    let existing = state.db.store(&store).await?;
    let webhook_secret = match &existing {
        Some(row) => row.webhook_secret.clone(),
        None => state
            .sealer
            .seal(store.as_str(), SecretField::WebhookSecret, &random_secret()),
    };
    let owner = token.owner.as_ref().unwrap_or(&token.user);
    let record = InstallRecord {
        access_token: state.sealer.seal(
            store.as_str(),
            SecretField::BigCommerceAccessToken,
            &token.access_token,
        ),
        scopes: token.scope.clone(),
        owner_user_id: to_i64(owner.id),
        webhook_secret,
    };
    state.db.upsert_store(&store, &record).await?;
    let user_id = to_i64(token.user.id);
    state
        .db
        .upsert_user(
            &store,
            user_id,
            &token.user.email,
            token.user.id == owner.id,
            None,
        )
        .await?;
    let defaults: Vec<(SequraState, Option<i64>)> = SequraState::ALL
        .iter()
        .map(|s| (*s, Some(s.default_bc_status())))
        .collect();
    state.db.init_status_mapping(&store, &defaults).await?;

    let provisioned = match super::provision::provision(state, &store).await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(store = %store, error = %err, "provisioning failed; queued for retry");
            enqueue_provisioning(state, &store).await?;
            false
        }
    };
    tracing::info!(store = %store, user = user_id, provisioned, "installed");
    Ok(Installed {
        store,
        user_id,
        provisioned,
    })
}

/// A verified load callback: who opened the app, in which store, for which deep link.
pub struct Loaded {
    pub store: StoreHash,
    pub payload: SignedPayload,
}

/// The load callback: verify BigCommerce's signed payload, know the user (multi-user
/// stores add users here), and re-check the store's webhooks, script and App Extension in
/// the background.
pub async fn load(state: &AppState, signed_payload_jwt: &str) -> Result<Loaded, AppError> {
    let (store, payload) = verify_signed_payload(state, signed_payload_jwt)?;
    if state.db.store(&store).await?.is_none() {
        return Err(AppError::Unauthorized(
            "the app is not installed in this store",
        ));
    }
    state
        .db
        .upsert_user(
            &store,
            to_i64(payload.user.id),
            &payload.user.email,
            payload.is_owner(),
            payload.user.locale.as_deref(),
        )
        .await?;
    enqueue_provisioning(state, &store).await?;
    Ok(Loaded { store, payload })
}

/// The uninstall callback: everything the app holds for the store goes, secrets first.
/// BigCommerce removes the app's webhooks, scripts and extension itself.
pub async fn uninstall(state: &AppState, signed_payload_jwt: &str) -> Result<(), AppError> {
    // Whoever clicked, BigCommerce has uninstalled the app by the time it calls us.
    let (store, _payload) = verify_signed_payload(state, signed_payload_jwt)?;
    if state.db.store(&store).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let removed = state.db.delete_store(&store).await?;
    tracing::info!(store = %store, removed, "uninstalled");
    Ok(())
}

/// The remove_user callback: that user loses access to the app in that store.
pub async fn remove_user(state: &AppState, signed_payload_jwt: &str) -> Result<(), AppError> {
    let (store, payload) = verify_signed_payload(state, signed_payload_jwt)?;
    if state.db.store(&store).await?.is_none() {
        return Err(AppError::NotFound);
    }
    if payload.is_owner() {
        return Ok(());
    }
    state
        .db
        .delete_user(&store, to_i64(payload.user.id))
        .await?;
    Ok(())
}

fn verify_signed_payload(
    state: &AppState,
    token: &str,
) -> Result<(StoreHash, SignedPayload), AppError> {
    let credentials = state.bc_app.as_ref().ok_or(AppError::Unavailable(
        "BigCommerce app credentials are not configured".into(),
    ))?;
    let verifier = SignedPayloadVerifier::new(
        credentials.client_id.clone(),
        credentials.client_secret.clone(),
    );
    let now = chrono::DateTime::from_timestamp_millis(state.clock.now_ms()).unwrap_or_default();
    let payload = verifier.verify(token, now).map_err(|e| {
        tracing::info!(error = %e, "refused signed_payload_jwt");
        AppError::Unauthorized("invalid or expired signed payload")
    })?;
    let store = StoreHash::parse(payload.store_hash.as_str())
        .map_err(|_| AppError::Unauthorized("invalid store in signed payload"))?;
    Ok((store, payload))
}

pub async fn enqueue_provisioning(state: &AppState, store: &StoreHash) -> Result<(), AppError> {
    state
        .db
        .enqueue(&NewJob {
            store: store.clone(),
            kind: PROVISION_JOB.into(),
            payload: serde_json::json!({}),
            dedupe_key: Some(PROVISION_JOB.into()),
            serial_key: Some(PROVISION_JOB.into()),
            run_at: state.clock.now_ms(),
            max_attempts: 10,
        })
        .await?;
    Ok(())
}

fn random_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    SecretString::from(hex::encode(bytes))
}

fn to_i64(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}
