//! A store's SeQura configuration: connection, selling countries, general settings and
//! the order status mapping.

use super::{Db, DbError, execute, execute_tx, now_ms, run};
use crate::domain::{SequraState, StoreHash};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ConnectionRow {
    pub environment: String,
    pub username: String,
    /// Sealed.
    pub password: Vec<u8>,
    pub updated_at: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CountryRow {
    pub country_code: String,
    pub merchant_id: String,
}

#[derive(sqlx::FromRow)]
struct MappingRow {
    sequra_state: String,
    bc_status_id: Option<i64>,
}

/// SeQura state → BigCommerce status id; `None` means "leave the status alone".
pub type StatusMapping = Vec<(SequraState, Option<i64>)>;

impl Db {
    pub async fn set_connection(
        &self,
        store: &StoreHash,
        environment: &str,
        username: &str,
        sealed_password: &[u8],
    ) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO sequra_connections (store_hash, environment, username, \
             password, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (store_hash) DO UPDATE \
             SET environment = excluded.environment, username = excluded.username, \
             password = excluded.password, updated_at = excluded.updated_at";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(environment)
            .bind(username)
            .bind(sealed_password)
            .bind(now_ms()))?;
        Ok(())
    }

    pub async fn connection(&self, store: &StoreHash) -> Result<Option<ConnectionRow>, DbError> {
        const SQL: &str = "SELECT environment, username, password, updated_at \
             FROM sequra_connections WHERE store_hash = $1";
        Ok(run!(self, |p| sqlx::query_as::<_, ConnectionRow>(SQL)
            .bind(store.as_str())
            .fetch_optional(p)
            .await)?)
    }

    /// Disconnect: the credentials and the countries configured with them go; general
    /// settings and the status mapping stay (they do not depend on the account).
    pub async fn delete_connection(&self, store: &StoreHash) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        execute_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM sequra_connections WHERE store_hash = $1"
        )
        .bind(store.as_str()))?;
        execute_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM sequra_countries WHERE store_hash = $1"
        )
        .bind(store.as_str()))?;
        tx.commit().await
    }

    pub async fn replace_countries(
        &self,
        store: &StoreHash,
        countries: &[CountryRow],
    ) -> Result<(), DbError> {
        let mut tx = self.begin().await?;
        execute_tx!(&mut tx, |c| sqlx::query(
            "DELETE FROM sequra_countries WHERE store_hash = $1"
        )
        .bind(store.as_str()))?;
        for country in countries {
            execute_tx!(&mut tx, |c| sqlx::query(
                "INSERT INTO sequra_countries (store_hash, country_code, merchant_id) \
                 VALUES ($1, $2, $3)"
            )
            .bind(store.as_str())
            .bind(&country.country_code)
            .bind(&country.merchant_id))?;
        }
        tx.commit().await
    }

    pub async fn countries(&self, store: &StoreHash) -> Result<Vec<CountryRow>, DbError> {
        const SQL: &str = "SELECT country_code, merchant_id FROM sequra_countries \
             WHERE store_hash = $1 ORDER BY country_code";
        Ok(run!(self, |p| sqlx::query_as::<_, CountryRow>(SQL)
            .bind(store.as_str())
            .fetch_all(p)
            .await)?)
    }

    /// General settings are one JSON document per store; the service owns its shape.
    pub async fn put_general_settings(&self, store: &StoreHash, body: &str) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO general_settings (store_hash, body, updated_at) \
             VALUES ($1, $2, $3) ON CONFLICT (store_hash) DO UPDATE SET body = excluded.body, \
             updated_at = excluded.updated_at";
        execute!(self, |p| sqlx::query(SQL)
            .bind(store.as_str())
            .bind(body)
            .bind(now_ms()))?;
        Ok(())
    }

    pub async fn general_settings(&self, store: &StoreHash) -> Result<Option<String>, DbError> {
        const SQL: &str = "SELECT body FROM general_settings WHERE store_hash = $1";
        Ok(run!(self, |p| sqlx::query_scalar::<_, String>(SQL)
            .bind(store.as_str())
            .fetch_optional(p)
            .await)?)
    }

    pub async fn put_status_mapping(
        &self,
        store: &StoreHash,
        mapping: &StatusMapping,
    ) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO status_mappings (store_hash, sequra_state, bc_status_id) \
             VALUES ($1, $2, $3) ON CONFLICT (store_hash, sequra_state) \
             DO UPDATE SET bc_status_id = excluded.bc_status_id";
        let mut tx = self.begin().await?;
        for (state, status) in mapping {
            execute_tx!(&mut tx, |c| sqlx::query(SQL)
                .bind(store.as_str())
                .bind(state.as_str())
                .bind(*status))?;
        }
        tx.commit().await
    }

    /// Installs `defaults` for the states that have no mapping yet; never overwrites what
    /// the merchant chose (a re-install keeps their mapping).
    pub async fn init_status_mapping(
        &self,
        store: &StoreHash,
        defaults: &StatusMapping,
    ) -> Result<(), DbError> {
        const SQL: &str = "INSERT INTO status_mappings (store_hash, sequra_state, bc_status_id) \
             VALUES ($1, $2, $3) ON CONFLICT (store_hash, sequra_state) DO NOTHING";
        for (state, status) in defaults {
            execute!(self, |p| sqlx::query(SQL)
                .bind(store.as_str())
                .bind(state.as_str())
                .bind(*status))?;
        }
        Ok(())
    }

    /// The mapping in [`SequraState::ALL`] order; a state with no row maps to `None`.
    pub async fn status_mapping(&self, store: &StoreHash) -> Result<StatusMapping, DbError> {
        const SQL: &str =
            "SELECT sequra_state, bc_status_id FROM status_mappings WHERE store_hash = $1";
        let rows = run!(self, |p| sqlx::query_as::<_, MappingRow>(SQL)
            .bind(store.as_str())
            .fetch_all(p)
            .await)?;
        let mut mapping: StatusMapping = SequraState::ALL.iter().map(|s| (*s, None)).collect();
        for row in rows {
            let state = SequraState::parse(&row.sequra_state)
                .map_err(|_| DbError::Corrupt(format!("status mapping {}", row.sequra_state)))?;
            if let Some(slot) = mapping.iter_mut().find(|(s, _)| *s == state) {
                slot.1 = row.bc_status_id;
            }
        }
        Ok(mapping)
    }
}
