//! Received BigCommerce webhook deliveries.

use super::{Db, DbError, Tx, execute_tx, now_ms, run};
use crate::domain::StoreHash;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct WebhookEventRow {
    pub id: i64,
    pub delivery_key: String,
    pub scope: String,
    pub order_id: Option<i64>,
    pub payload: String,
    pub received_at: i64,
}

impl Tx {
    /// Stores a delivery; false when the same event was stored before (a redelivery).
    pub async fn insert_webhook_event(
        &mut self,
        store: &StoreHash,
        delivery_key: &str,
        scope: &str,
        order_id: Option<i64>,
        payload: &str,
    ) -> Result<bool, DbError> {
        const SQL: &str = "INSERT INTO webhook_events (store_hash, delivery_key, scope, order_id, \
             payload, received_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (store_hash, delivery_key) DO NOTHING";
        let n = execute_tx!(self, |c| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(delivery_key)
            .bind(scope)
            .bind(order_id)
            .bind(payload)
            .bind(now_ms()))?;
        Ok(n > 0)
    }
}

impl Db {
    /// A store's stored deliveries, oldest first.
    pub async fn webhook_events(&self, store: &StoreHash) -> Result<Vec<WebhookEventRow>, DbError> {
        const SQL: &str = "SELECT id, delivery_key, scope, order_id, payload, received_at \
             FROM webhook_events WHERE store_hash = $1 ORDER BY id";
        Ok(run!(self, |p| sqlx::query_as::<_, WebhookEventRow>(SQL)
            .bind(store.as_str())
            .fetch_all(p)
            .await)?)
    }
}
