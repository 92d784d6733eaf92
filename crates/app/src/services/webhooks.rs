//! BigCommerce webhooks in: authenticated by the store's secret header, validated, and
//! stored before they are acknowledged.
//!
//! BigCommerce does not sign webhooks; the app registered each hook with a per-store random
//! secret in a custom header (`X-SeQura-Webhook-Token`), compared here in constant time.
//! The payload's `producer` names the store; the secret must be that store's.

use bigcommerce::WebhookPayload;

use crate::crypto::SecretField;
use crate::domain::StoreHash;
use crate::state::AppState;
use crate::web::AppError;

#[derive(Debug, PartialEq, Eq)]
pub struct Received {
    pub store: StoreHash,
    pub scope: String,
    pub order_id: Option<u64>,
    /// False for a redelivery of an event already stored.
    pub new: bool,
}

/// A delivery body that passed every check that needs no database: a BigCommerce envelope
/// naming a valid store, with bounded `hash` and `scope`, in UTF-8.
#[derive(Debug)]
pub struct Delivery<'a> {
    pub store: StoreHash,
    pub payload: WebhookPayload,
    /// The body as text (stored as received).
    pub text: &'a str,
}

impl Delivery<'_> {
    /// What identifies one event across redeliveries.
    pub fn key(&self) -> String {
        format!(
            "{}:{}:{}",
            self.payload.scope, self.payload.created_at, self.payload.hash
        )
    }
}

/// Reads a delivery body; every refusal is a 400 that says what is wrong.
pub fn parse_delivery(body: &[u8]) -> Result<Delivery<'_>, AppError> {
    let text =
        std::str::from_utf8(body).map_err(|_| AppError::BadRequest("body is not UTF-8".into()))?;
    let payload = WebhookPayload::parse(body)
        .map_err(|e| AppError::BadRequest(format!("not a BigCommerce webhook: {e}")))?;
    let store = payload
        .store_hash()
        .ok()
        .and_then(|h| StoreHash::parse(h.as_str()).ok())
        .ok_or_else(|| AppError::BadRequest("producer must be stores/{hash}".into()))?;
    if payload.hash.len() > 128 || payload.scope.len() > 128 {
        return Err(AppError::BadRequest("oversized hash or scope".into()));
    }
    Ok(Delivery {
        store,
        payload,
        text,
    })
}

pub async fn receive(
    state: &AppState,
    token: Option<&str>,
    body: &[u8],
) -> Result<Received, AppError> {
    let delivery = parse_delivery(body)?;
    let store = delivery.store.clone();

    // Unknown store and wrong secret get the same answer: nothing to learn from probing.
    let denied = AppError::Unauthorized("webhook not authorised for this store");
    let row = state.db.store(&store).await?.ok_or(denied)?;
    let expected = state
        .sealer
        .open(
            store.as_str(),
            SecretField::WebhookSecret,
            &row.webhook_secret,
        )
        .map_err(|e| AppError::Internal(e.into()))?;
    let given = token.unwrap_or_default();
    let matches = crate::crypto::secret_matches(
        secrecy::ExposeSecret::expose_secret(&expected).as_bytes(),
        given.as_bytes(),
    );
    if !matches {
        return Err(AppError::Unauthorized(
            "webhook not authorised for this store",
        ));
    }

    let payload = &delivery.payload;
    let order_id = payload.data.order_id();
    let order_id_db = order_id.and_then(|id| i64::try_from(id).ok());
    let delivery_key = delivery.key();
    let text = delivery.text;
    // Only SeQura orders are synchronised; any change to one (even a redelivery: processing
    // reads the current state, so it is never skipped on a matching key) queues a sync,
    // coalesced with any sync already waiting for that order.
    let sequra_order = match order_id_db {
        Some(id) => state.db.solicitation_by_order(&store, id).await?.is_some(),
        None => false,
    };
    let job = match (sequra_order, order_id_db) {
        (true, Some(id)) => Some(super::order_sync::sync_job(
            &store,
            id,
            state.clock.now_ms(),
        )),
        _ => None,
    };
    // Stored (with its sync) by the group-committing writer; answered once committed.
    let new = state
        .ingest
        .store(super::ingest::Delivery {
            store: store.clone(),
            delivery_key,
            scope: payload.scope.clone(),
            order_id: order_id_db,
            payload: text.to_owned(),
            job,
        })
        .await?;
    Ok(Received {
        store,
        scope: payload.scope.clone(),
        order_id,
        new,
    })
}
