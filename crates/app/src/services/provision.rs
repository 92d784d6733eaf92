//! Provisioning a store, idempotently: the webhooks (with the store's secret header), the
//! checkout script (with the SRI hash of the exact bytes the app serves), the App Extension
//! on orders, and the store facts the app needs (control-panel URL, currency). Run at
//! install and again in the background on every load, so that a hook BigCommerce
//! deactivated, or a script a merchant deleted, comes back.

use bigcommerce::StoreClient;
use bigcommerce::app_extensions::{
    AppExtensionContext, AppExtensionInput, AppExtensionLabel, AppExtensionModel, LocalizedLabel,
};
use bigcommerce::hooks::{HookCreate, HookFilter, HookHeaders, HookUpdate};
use bigcommerce::scripts::{ScriptVisibility, ScriptWrite, sri_sha384};
use secrecy::ExposeSecret;

use super::{bc_error, bc_store_client};
use crate::crypto::SecretField;
use crate::db::stores::StoreInfo;
use crate::domain::StoreHash;
use crate::state::AppState;
use crate::web::AppError;

/// The header BigCommerce sends with every webhook, carrying the store's secret.
pub const WEBHOOK_TOKEN_HEADER: &str = "X-SeQura-Webhook-Token";

/// Exactly the events the app acts on (explicit scopes rather than wildcards, so that no
/// delivery arrives twice and none the app ignores costs a request).
pub const WEBHOOK_SCOPES: &[&str] = &[
    "store/order/created",
    "store/order/updated",
    "store/order/statusUpdated",
    "store/order/archived",
    "store/order/refund/created",
    "store/shipment/created",
    "store/shipment/updated",
    "store/shipment/deleted",
    "store/cart/converted",
    "store/app/uninstalled",
];

pub const CHECKOUT_SCRIPT_NAME: &str = "SeQura checkout";
pub const APP_EXTENSION_URL: &str = "/orders/${id}/sequra";

/// The checkout script, served at `/storefront/checkout.js`; its SRI hash is computed from
/// these very bytes, so what BigCommerce loads is exactly what was registered.
pub const CHECKOUT_JS: &[u8] = include_bytes!("../../assets/checkout.js");

pub async fn provision(state: &AppState, store: &StoreHash) -> Result<(), AppError> {
    let client = bc_store_client(state, store).await?;

    let info = client
        .get_store_information()
        .await
        .map_err(|e| bc_error("store information", e))?;
    state
        .db
        .set_store_info(
            store,
            &StoreInfo {
                store_id: info.store_id.map(|id| id.to_string()),
                control_panel_base_url: Some(info.control_panel_base_url.clone())
                    .filter(|u| !u.is_empty()),
                secure_url: Some(info.secure_url.clone()).filter(|u| !u.is_empty()),
                currency: Some(info.currency.clone()).filter(|c| !c.is_empty()),
            },
        )
        .await?;

    provision_webhooks(state, store, &client).await?;
    provision_script(state, store, &client, info.default_channel_id.unwrap_or(1)).await?;
    provision_app_extension(state, store, &client).await?;
    Ok(())
}

async fn provision_webhooks(
    state: &AppState,
    store: &StoreHash,
    client: &StoreClient,
) -> Result<(), AppError> {
    let row = state.db.store(store).await?.ok_or(AppError::NotFound)?;
    let secret = state
        .sealer
        .open(
            store.as_str(),
            SecretField::WebhookSecret,
            &row.webhook_secret,
        )
        .map_err(|e| AppError::Internal(e.into()))?;
    let headers = HookHeaders::one(WEBHOOK_TOKEN_HEADER, secret.expose_secret());
    let destination = format!("{}/webhooks/bigcommerce", state.config.public_base());
    let existing = client
        .list_hooks(&HookFilter::default())
        .await
        .map_err(|e| bc_error("list hooks", e))?;

    for scope in WEBHOOK_SCOPES {
        let found = existing
            .iter()
            .find(|h| h.scope == *scope && h.destination == destination);
        let id = match found {
            Some(hook) => {
                let headers_ok = hook.headers.as_ref() == Some(&headers);
                if !hook.is_active || !headers_ok {
                    // Deactivated by BigCommerce after failed deliveries, or a rotated
                    // secret: switch it back on with the current header.
                    tracing::warn!(store = %store, scope, active = hook.is_active, "repairing webhook");
                    client
                        .update_hook(
                            hook.id,
                            &HookUpdate {
                                is_active: Some(true),
                                headers: Some(headers.clone()),
                                ..HookUpdate::default()
                            },
                        )
                        .await
                        .map_err(|e| bc_error("update hook", e))?;
                    state
                        .db
                        .record_event(store, "webhook_reactivated", scope)
                        .await?;
                }
                hook.id
            }
            None => {
                client
                    .create_hook(&HookCreate {
                        scope: (*scope).to_owned(),
                        destination: destination.clone(),
                        is_active: true,
                        headers: Some(headers.clone()),
                    })
                    .await
                    .map_err(|e| bc_error("create hook", e))?
                    .id
            }
        };
        state
            .db
            .put_artefact(store, "webhook", scope, &id.to_string(), &destination)
            .await?;
    }
    Ok(())
}

async fn provision_script(
    state: &AppState,
    store: &StoreHash,
    client: &StoreClient,
    channel_id: u64,
) -> Result<(), AppError> {
    let src = format!(
        "{}/storefront/checkout.js?store={}",
        state.config.public_base(),
        store.as_str()
    );
    let desired = ScriptWrite::external(
        CHECKOUT_SCRIPT_NAME,
        src.clone(),
        ScriptVisibility::Checkout,
        channel_id,
        CHECKOUT_JS,
    );
    let integrity = sri_sha384(CHECKOUT_JS);
    let scripts = client
        .list_scripts()
        .await
        .map_err(|e| bc_error("list scripts", e))?;
    let found = scripts.iter().find(|s| s.name == CHECKOUT_SCRIPT_NAME);
    let uuid = match found {
        Some(script)
            if script.src == src
                && script.integrity_hashes == [integrity.clone()]
                && script.enabled =>
        {
            script.uuid.clone()
        }
        Some(script) => {
            // A new app version (new bytes, new hash) or a merchant who disabled it.
            client
                .update_script(&script.uuid, &desired)
                .await
                .map_err(|e| bc_error("update script", e))?
                .uuid
        }
        None => {
            client
                .create_script(&desired)
                .await
                .map_err(|e| bc_error("create script", e))?
                .uuid
        }
    };
    state
        .db
        .put_artefact(store, "script", "checkout", &uuid, &integrity)
        .await?;
    Ok(())
}

async fn provision_app_extension(
    state: &AppState,
    store: &StoreHash,
    client: &StoreClient,
) -> Result<(), AppError> {
    let extensions = client
        .list_app_extensions()
        .await
        .map_err(|e| bc_error("list app extensions", e))?;
    let id = match extensions
        .iter()
        .find(|e| e.url.as_deref() == Some(APP_EXTENSION_URL))
    {
        Some(found) => found.id.clone(),
        None => {
            client
                .create_app_extension(&AppExtensionInput {
                    context: AppExtensionContext::Panel,
                    model: AppExtensionModel::Orders,
                    url: APP_EXTENSION_URL.to_owned(),
                    label: AppExtensionLabel {
                        default_value: "SeQura order information".into(),
                        locales: vec![LocalizedLabel {
                            value: "Información de SeQura".into(),
                            locale_code: "es-ES".into(),
                        }],
                    },
                })
                .await
                .map_err(|e| bc_error("create app extension", e))?
                .id
        }
    };
    state
        .db
        .put_artefact(
            store,
            "app_extension",
            "order_panel",
            &id,
            APP_EXTENSION_URL,
        )
        .await?;
    Ok(())
}
