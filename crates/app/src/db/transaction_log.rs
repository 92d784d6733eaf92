//! The transaction log: order updates SeQura rejected or that could not reach it.

use super::{Db, DbError, execute, now_ms, run};
use crate::domain::StoreHash;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LogEntry {
    pub id: i64,
    pub bc_order_id: i64,
    pub solicitation_id: String,
    pub sequra_order_ref: String,
    pub environment: String,
    pub payment_method: String,
    pub event: String,
    pub reason: String,
    /// `retrying` (SeQura unreachable, will retry), `failed` (rejected or given up),
    /// `resolved` (a later update landed).
    pub state: String,
    pub attempts: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub resolved_at: Option<i64>,
}

/// What to record for an order's failed update.
#[derive(Clone, Debug)]
pub struct Failure<'a> {
    pub bc_order_id: i64,
    pub solicitation_id: &'a str,
    pub sequra_order_ref: &'a str,
    pub environment: &'a str,
    pub payment_method: &'a str,
    pub event: &'a str,
    pub reason: &'a str,
    pub state: &'a str,
}

#[derive(Clone, Debug, Default)]
pub struct LogFilter {
    /// `open` (retrying or failed), `resolved`, or every entry.
    pub state: Option<String>,
    pub order_id: Option<i64>,
}

const COLUMNS: &str = "id, bc_order_id, solicitation_id, sequra_order_ref, environment, \
    payment_method, event, reason, state, attempts, created_at, updated_at, resolved_at";

impl Db {
    /// Records a failure: the order's open entry is updated (one per order), or a new one
    /// is opened.
    pub async fn log_failure(&self, store: &StoreHash, f: &Failure<'_>) -> Result<(), DbError> {
        const UPDATE: &str = "UPDATE transaction_log SET event = $3, reason = $4, state = $5, \
             attempts = attempts + 1, updated_at = $6 \
             WHERE store_hash = $1 AND bc_order_id = $2 AND state <> 'resolved'";
        let now = now_ms();
        let n = execute!(self, |p| sqlx::query(UPDATE)
            .bind(store.as_str())
            .bind(f.bc_order_id)
            .bind(f.event)
            .bind(f.reason)
            .bind(f.state)
            .bind(now))?;
        if n > 0 {
            return Ok(());
        }
        const INSERT: &str = "INSERT INTO transaction_log (store_hash, bc_order_id, solicitation_id, \
             sequra_order_ref, environment, payment_method, event, reason, state, attempts, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)";
        execute!(self, |p| sqlx::query(INSERT)
            .bind(store.as_str())
            .bind(f.bc_order_id)
            .bind(f.solicitation_id)
            .bind(f.sequra_order_ref)
            .bind(f.environment)
            .bind(f.payment_method)
            .bind(f.event)
            .bind(f.reason)
            .bind(f.state)
            .bind(now))?;
        Ok(())
    }

    /// A later update of the order landed: its open entry is resolved.
    pub async fn resolve_log(&self, store: &StoreHash, bc_order_id: i64) -> Result<bool, DbError> {
        const SQL: &str = "UPDATE transaction_log SET state = 'resolved', resolved_at = $3, \
             updated_at = $3 WHERE store_hash = $1 AND bc_order_id = $2 AND state <> 'resolved'";
        let n = execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(bc_order_id)
            .bind(now_ms()))?;
        Ok(n > 0)
    }

    /// A page of the store's log, newest first; one more row than asked tells whether a
    /// next page exists.
    pub async fn log_entries(
        &self,
        store: &StoreHash,
        filter: &LogFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<LogEntry>, DbError> {
        let state_clause = match filter.state.as_deref() {
            Some("open") => "AND state <> 'resolved'",
            Some("resolved") => "AND state = 'resolved'",
            _ => "",
        };
        let order_clause = if filter.order_id.is_some() {
            "AND bc_order_id = $4"
        } else {
            "AND $4 = $4"
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM transaction_log WHERE store_hash = $1 {state_clause} \
             {order_clause} ORDER BY id DESC LIMIT $2 OFFSET $3"
        ));
        Ok(run!(self, |p| sqlx::query_as::<_, LogEntry>(sql)
            .bind(store.as_str())
            .bind(limit)
            .bind(offset)
            .bind(filter.order_id.unwrap_or(0))
            .fetch_all(p)
            .await)?)
    }

    pub async fn set_synced(
        &self,
        store: &StoreHash,
        solicitation: &str,
        synced: &str,
    ) -> Result<(), DbError> {
        const SQL: &str = "UPDATE solicitations SET synced = $3, updated_at = $4 \
             WHERE store_hash = $1 AND id = $2";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(solicitation)
            .bind(synced)
            .bind(now_ms()))?;
        Ok(())
    }

    pub async fn synced(
        &self,
        store: &StoreHash,
        solicitation: &str,
    ) -> Result<Option<String>, DbError> {
        const SQL: &str = "SELECT synced FROM solicitations WHERE store_hash = $1 AND id = $2";
        Ok(run!(self, |p| sqlx::query_scalar::<_, Option<String>>(SQL)
            .bind(store.as_str())
            .bind(solicitation)
            .fetch_optional(p)
            .await)?
        .flatten())
    }
}
