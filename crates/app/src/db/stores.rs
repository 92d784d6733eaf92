//! Installed stores, their users, and what the app created in them.

use super::{Db, DbError, execute, execute_tx, now_ms, run};
use crate::domain::StoreHash;

/// A store row. Secrets are sealed bytes; open them with [`crate::crypto::Sealer`].
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StoreRow {
    pub store_hash: String,
    pub access_token: Vec<u8>,
    pub scopes: String,
    pub owner_user_id: i64,
    pub webhook_secret: Vec<u8>,
    pub store_id: Option<String>,
    pub control_panel_base_url: Option<String>,
    pub secure_url: Option<String>,
    pub currency: Option<String>,
    pub installed_at: i64,
    pub updated_at: i64,
}

/// What an install (or re-authorisation) writes.
#[derive(Clone, Debug)]
pub struct InstallRecord {
    pub access_token: Vec<u8>,
    pub scopes: String,
    pub owner_user_id: i64,
    /// Used only when the store is new: a re-install keeps its webhook secret so that
    /// hooks already registered with it stay valid.
    pub webhook_secret: Vec<u8>,
}

/// Facts read from `GET /v2/store`.
#[derive(Clone, Debug, Default)]
pub struct StoreInfo {
    pub store_id: Option<String>,
    pub control_panel_base_url: Option<String>,
    pub secure_url: Option<String>,
    pub currency: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRow {
    pub store_hash: String,
    pub user_id: i64,
    pub email: String,
    pub is_owner: bool,
    pub locale: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ArtefactRow {
    pub kind: String,
    pub name: String,
    pub remote_id: String,
    pub fingerprint: String,
    pub updated_at: i64,
}

const STORE_COLUMNS: &str = "store_hash, access_token, scopes, owner_user_id, webhook_secret, \
    store_id, control_panel_base_url, secure_url, currency, installed_at, updated_at";

impl Db {
    /// Inserts the store or, for a store already installed, replaces its token and scopes
    /// (BigCommerce sends the auth callback again after a scope change).
    pub async fn upsert_store(&self, store: &StoreHash, r: &InstallRecord) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO stores (store_hash, access_token, scopes, owner_user_id, \
             webhook_secret, installed_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (store_hash) DO UPDATE SET access_token = excluded.access_token, \
             scopes = excluded.scopes, owner_user_id = excluded.owner_user_id, \
             updated_at = excluded.updated_at";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(&r.access_token)
            .bind(&r.scopes)
            .bind(r.owner_user_id)
            .bind(&r.webhook_secret)
            .bind(now_ms()))?;
        Ok(())
    }

    pub async fn set_store_info(&self, store: &StoreHash, info: &StoreInfo) -> Result<(), DbError> {
        const SQL: &str = "UPDATE stores SET store_id = $2, control_panel_base_url = $3, \
             secure_url = $4, currency = $5, updated_at = $6 WHERE store_hash = $1";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(&info.store_id)
            .bind(&info.control_panel_base_url)
            .bind(&info.secure_url)
            .bind(&info.currency)
            .bind(now_ms()))?;
        Ok(())
    }

    pub async fn store(&self, store: &StoreHash) -> Result<Option<StoreRow>, DbError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {STORE_COLUMNS} FROM stores WHERE store_hash = $1"
        ));
        Ok(run!(self, |p| sqlx::query_as::<_, StoreRow>(sql)
            .bind(store.as_str())
            .fetch_optional(p)
            .await)?)
    }

    /// Removes everything the app knows about a store, in one transaction: its secrets go
    /// first, then every tenant row (by cascade).
    /// Every installed store (for the periodic health check).
    pub async fn store_hashes(&self) -> Result<Vec<StoreHash>, DbError> {
        const SQL: &str = "SELECT store_hash FROM stores ORDER BY store_hash";
        let rows = run!(self, |p| sqlx::query_scalar::<_, String>(SQL)
            .fetch_all(p)
            .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|h| StoreHash::parse(&h).ok())
            .collect())
    }

    pub async fn delete_store(&self, store: &StoreHash) -> Result<bool, DbError> {
        let mut tx = self.begin().await?;
        execute_tx!(&mut tx, |c| sqlx::query(
            "UPDATE stores SET access_token = $2, webhook_secret = $2 WHERE store_hash = $1"
        )
        .bind(store.as_str())
        .bind(Vec::<u8>::new()))?;
        execute_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM sequra_connections WHERE store_hash = $1"
        )
        .bind(store.as_str()))?;
        let deleted = execute_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM stores WHERE store_hash = $1"
        )
        .bind(store.as_str()))?;
        tx.commit().await?;
        Ok(deleted > 0)
    }

    pub async fn upsert_user(
        &self,
        store: &StoreHash,
        user_id: i64,
        email: &str,
        is_owner: bool,
        locale: Option<&str>,
    ) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO store_users (store_hash, user_id, email, is_owner, locale, \
             created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (store_hash, user_id) DO UPDATE SET email = excluded.email, \
             is_owner = excluded.is_owner, locale = COALESCE(excluded.locale, store_users.locale), \
             last_seen_at = excluded.last_seen_at";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(user_id)
            .bind(email)
            .bind(is_owner)
            .bind(locale)
            .bind(now_ms()))?;
        Ok(())
    }

    pub async fn user(&self, store: &StoreHash, user_id: i64) -> Result<Option<UserRow>, DbError> {
        const SQL: &str = "SELECT store_hash, user_id, email, is_owner, locale, created_at, \
             last_seen_at FROM store_users WHERE store_hash = $1 AND user_id = $2";
        Ok(run!(self, |p| sqlx::query_as::<_, UserRow>(SQL)
            .bind(store.as_str())
            .bind(user_id)
            .fetch_optional(p)
            .await)?)
    }

    pub async fn users(&self, store: &StoreHash) -> Result<Vec<UserRow>, DbError> {
        const SQL: &str = "SELECT store_hash, user_id, email, is_owner, locale, created_at, \
             last_seen_at FROM store_users WHERE store_hash = $1 ORDER BY user_id";
        Ok(run!(self, |p| sqlx::query_as::<_, UserRow>(SQL)
            .bind(store.as_str())
            .fetch_all(p)
            .await)?)
    }

    pub async fn delete_user(&self, store: &StoreHash, user_id: i64) -> Result<bool, DbError> {
        const SQL: &str = "DELETE FROM store_users WHERE store_hash = $1 AND user_id = $2";
        let done = execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(user_id))?;
        Ok(done > 0)
    }

    pub async fn put_artefact(
        &self,
        store: &StoreHash,
        kind: &str,
        name: &str,
        remote_id: &str,
        fingerprint: &str,
    ) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO remote_artefacts (store_hash, kind, name, remote_id, \
             fingerprint, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (store_hash, kind, name) DO UPDATE SET remote_id = excluded.remote_id, \
             fingerprint = excluded.fingerprint, updated_at = excluded.updated_at";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(kind)
            .bind(name)
            .bind(remote_id)
            .bind(fingerprint)
            .bind(now_ms()))?;
        Ok(())
    }

    pub async fn artefacts(&self, store: &StoreHash) -> Result<Vec<ArtefactRow>, DbError> {
        const SQL: &str = "SELECT kind, name, remote_id, fingerprint, updated_at \
             FROM remote_artefacts WHERE store_hash = $1 ORDER BY kind, name";
        Ok(run!(self, |p| sqlx::query_as::<_, ArtefactRow>(SQL)
            .bind(store.as_str())
            .fetch_all(p)
            .await)?)
    }

    pub async fn delete_artefact(
        &self,
        store: &StoreHash,
        kind: &str,
        name: &str,
    ) -> Result<(), DbError> {
        const SQL: &str =
            "DELETE FROM remote_artefacts WHERE store_hash = $1 AND kind = $2 AND name = $3";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(kind)
            .bind(name))?;
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub detail: String,
    pub created_at: i64,
}

impl Db {
    pub async fn record_event(
        &self,
        store: &StoreHash,
        kind: &str,
        detail: &str,
    ) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO store_events (store_hash, kind, detail, created_at) \
             VALUES ($1, $2, $3, $4)";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(kind)
            .bind(detail)
            .bind(now_ms()))?;
        Ok(())
    }

    /// The store's most recent events, newest first.
    pub async fn events(&self, store: &StoreHash, limit: i64) -> Result<Vec<EventRow>, DbError> {
        const SQL: &str = "SELECT id, kind, detail, created_at FROM store_events \
             WHERE store_hash = $1 ORDER BY id DESC LIMIT $2";
        Ok(run!(self, |p| sqlx::query_as::<_, EventRow>(SQL)
            .bind(store.as_str())
            .bind(limit)
            .fetch_all(p)
            .await)?)
    }
}
