//! SeQura solicitations and the progress of their notifications.

use super::{Db, DbError, execute, now_ms, run};
use crate::domain::StoreHash;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SolicitationRow {
    pub id: String,
    pub store_hash: String,
    pub checkout_id: String,
    pub checkout_version: i64,
    pub product: String,
    pub campaign: String,
    pub method_title: String,
    pub merchant_id: String,
    pub environment: String,
    pub sequra_order_ref: Option<String>,
    pub currency: String,
    pub grand_total: i64,
    pub store_credit: i64,
    pub customer_id: i64,
    pub signature: String,
    pub order_body: String,
    pub state: String,
    pub bc_order_id: Option<i64>,
    pub checkout_token: Option<Vec<u8>>,
    pub progress: String,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, store_hash, checkout_id, checkout_version, product, campaign, \
    method_title, merchant_id, environment, sequra_order_ref, currency, grand_total, store_credit, \
    customer_id, signature, order_body, state, bc_order_id, checkout_token, progress, last_error, \
    created_at, updated_at";

/// What a new solicitation row holds (the SeQura order reference is added once SeQura
/// answered).
#[derive(Clone, Debug)]
pub struct NewSolicitation {
    pub id: String,
    pub checkout_id: String,
    pub checkout_version: i64,
    pub product: String,
    pub campaign: String,
    pub method_title: String,
    pub merchant_id: String,
    pub environment: String,
    pub currency: String,
    pub grand_total: i64,
    pub store_credit: i64,
    pub customer_id: i64,
    pub signature: String,
    pub order_body: String,
}

impl Db {
    pub async fn insert_solicitation(
        &self,
        store: &StoreHash,
        s: &NewSolicitation,
    ) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO solicitations (id, store_hash, checkout_id, checkout_version, \
             product, campaign, method_title, merchant_id, environment, currency, grand_total, \
             store_credit, customer_id, signature, order_body, state, progress, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'new', '{}', $16, $16)";
        execute!(self, |p| sqlx::query(SQL)
            .bind(&s.id)
            .bind(store.as_str())
            .bind(&s.checkout_id)
            .bind(s.checkout_version)
            .bind(&s.product)
            .bind(&s.campaign)
            .bind(&s.method_title)
            .bind(&s.merchant_id)
            .bind(&s.environment)
            .bind(&s.currency)
            .bind(s.grand_total)
            .bind(s.store_credit)
            .bind(s.customer_id)
            .bind(&s.signature)
            .bind(&s.order_body)
            .bind(now_ms()))?;
        Ok(())
    }

    /// The solicitation of this checkout version and method, if one was started.
    pub async fn solicitation_for(
        &self,
        store: &StoreHash,
        checkout_id: &str,
        checkout_version: i64,
        product: &str,
        campaign: &str,
    ) -> Result<Option<SolicitationRow>, DbError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM solicitations WHERE store_hash = $1 AND checkout_id = $2 \
             AND checkout_version = $3 AND product = $4 AND campaign = $5"
        ));
        Ok(run!(self, |p| sqlx::query_as::<_, SolicitationRow>(sql)
            .bind(store.as_str())
            .bind(checkout_id)
            .bind(checkout_version)
            .bind(product)
            .bind(campaign)
            .fetch_optional(p)
            .await)?)
    }

    pub async fn solicitation(
        &self,
        store: &StoreHash,
        id: &str,
    ) -> Result<Option<SolicitationRow>, DbError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM solicitations WHERE store_hash = $1 AND id = $2"
        ));
        Ok(run!(self, |p| sqlx::query_as::<_, SolicitationRow>(sql)
            .bind(store.as_str())
            .bind(id)
            .fetch_optional(p)
            .await)?)
    }

    /// The solicitation that became BigCommerce order `order_id`.
    pub async fn solicitation_by_order(
        &self,
        store: &StoreHash,
        order_id: i64,
    ) -> Result<Option<SolicitationRow>, DbError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM solicitations WHERE store_hash = $1 AND bc_order_id = $2"
        ));
        Ok(run!(self, |p| sqlx::query_as::<_, SolicitationRow>(sql)
            .bind(store.as_str())
            .bind(order_id)
            .fetch_optional(p)
            .await)?)
    }

    pub async fn set_solicitation_ref(
        &self,
        store: &StoreHash,
        id: &str,
        sequra_order_ref: &str,
    ) -> Result<(), DbError> {
        const SQL: &str = "UPDATE solicitations SET sequra_order_ref = $3, state = 'solicited', \
             updated_at = $4 WHERE store_hash = $1 AND id = $2";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(id)
            .bind(sequra_order_ref)
            .bind(now_ms()))?;
        Ok(())
    }

    /// Takes the solicitation's lease until `until` (unix ms) unless another holder's lease
    /// is still running. Returns whether it was taken.
    pub async fn lock_solicitation(
        &self,
        store: &StoreHash,
        id: &str,
        token: &str,
        now: i64,
        until: i64,
    ) -> Result<bool, DbError> {
        const SQL: &str = "UPDATE solicitations SET lock_token = $3, locked_until = $5 \
             WHERE store_hash = $1 AND id = $2 AND (locked_until IS NULL OR locked_until <= $4)";
        let n = execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(id)
            .bind(token)
            .bind(now)
            .bind(until))?;
        Ok(n > 0)
    }

    pub async fn unlock_solicitation(
        &self,
        store: &StoreHash,
        id: &str,
        token: &str,
    ) -> Result<(), DbError> {
        const SQL: &str = "UPDATE solicitations SET lock_token = NULL, locked_until = NULL \
             WHERE store_hash = $1 AND id = $2 AND lock_token = $3";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(id)
            .bind(token))?;
        Ok(())
    }

    /// Records what an IPN step achieved: state, progress, and the BigCommerce order and
    /// checkout token once known. Only the lease holder writes (checked by `token`).
    #[allow(clippy::too_many_arguments)]
    pub async fn save_solicitation_progress(
        &self,
        store: &StoreHash,
        id: &str,
        token: &str,
        state: &str,
        progress: &str,
        bc_order_id: Option<i64>,
        checkout_token: Option<&[u8]>,
        last_error: Option<&str>,
    ) -> Result<bool, DbError> {
        const SQL: &str = "UPDATE solicitations SET state = $4, progress = $5, \
             bc_order_id = COALESCE($6, bc_order_id), checkout_token = COALESCE($7, checkout_token), \
             last_error = $8, updated_at = $9 WHERE store_hash = $1 AND id = $2 AND lock_token = $3";
        let n = execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(id)
            .bind(token)
            .bind(state)
            .bind(progress)
            .bind(bc_order_id)
            .bind(checkout_token)
            .bind(last_error)
            .bind(now_ms()))?;
        Ok(n > 0)
    }

    pub async fn set_notification_key(
        &self,
        store: &StoreHash,
        sealed: &[u8],
    ) -> Result<(), DbError> {
        const SQL: &str = "UPDATE stores SET notification_key = $2 WHERE store_hash = $1 AND notification_key IS NULL";
        execute!(self, |p| sqlx::query(SQL).bind(store.as_str()).bind(sealed))?;
        Ok(())
    }

    pub async fn notification_key(&self, store: &StoreHash) -> Result<Option<Vec<u8>>, DbError> {
        const SQL: &str = "SELECT notification_key FROM stores WHERE store_hash = $1";
        Ok(run!(self, |p| sqlx::query_scalar::<_, Option<Vec<u8>>>(SQL)
            .bind(store.as_str())
            .fetch_optional(p)
            .await)?
        .flatten())
    }
}

impl Db {
    /// Solicitations the shopper never finished (no IPN) that started before `before`
    /// (unix ms), newest first: abandoned SeQura checkouts.
    pub async fn abandoned_solicitations(
        &self,
        store: &StoreHash,
        before: i64,
        limit: i64,
    ) -> Result<Vec<SolicitationRow>, DbError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM solicitations WHERE store_hash = $1 \
             AND state IN ('new', 'solicited') AND created_at < $2 ORDER BY created_at DESC LIMIT $3"
        ));
        Ok(run!(self, |p| sqlx::query_as::<_, SolicitationRow>(sql)
            .bind(store.as_str())
            .bind(before)
            .bind(limit)
            .fetch_all(p)
            .await)?)
    }
}
