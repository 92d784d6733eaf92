//! Order metafields (`/v3/orders/{id}/metafields`, `orders.v3.yml`). A metafield belongs
//! to the API account that created it; (namespace, key) is unique per order and account,
//! and a duplicate create answers 409, surfaced as [`crate::Error::Conflict`].

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{Query, StoreClient};
use crate::envelope::Envelope;
use crate::error::Result;
use crate::{dates, de};

/// Page size when listing an order's metafields (BigCommerce allows 250 per client).
const METAFIELDS_PAGE_LIMIT: u32 = 250;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionSet {
    /// Visible to this app only.
    AppOnly,
    Read,
    Write,
    ReadAndSfAccess,
    WriteAndSfAccess,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Metafield {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    pub permission_set: PermissionSet,
    pub namespace: String,
    pub key: String,
    pub value: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub description: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub resource_type: String,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub resource_id: Option<u64>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub date_created: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub date_modified: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub owner_client_id: Option<String>,
}

impl Metafield {
    pub fn modified_at(&self) -> Option<DateTime<Utc>> {
        dates::parse_iso8601(&self.date_modified)
    }
}

/// Create and update body (`MetafieldBase_Post` / `MetafieldPut`): the four required
/// fields plus an optional description. `namespace`/`key` 1–64 chars, `value` ≤ 65 535.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetafieldWrite {
    pub permission_set: PermissionSet,
    pub namespace: String,
    pub key: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Filters of the metafield list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetafieldFilter {
    pub namespace: Option<String>,
    pub key: Option<String>,
}

impl StoreClient {
    /// `GET /v3/orders/{id}/metafields?namespace=&key=`, every page.
    pub async fn list_order_metafields(
        &self,
        order_id: u64,
        filter: &MetafieldFilter,
    ) -> Result<Vec<Metafield>> {
        let mut query = Query::new();
        if let Some(ns) = &filter.namespace {
            query.push(("namespace".into(), ns.clone()));
        }
        if let Some(key) = &filter.key {
            query.push(("key".into(), key.clone()));
        }
        self.v3_get_all(
            &["v3", "orders", &order_id.to_string(), "metafields"],
            query,
            METAFIELDS_PAGE_LIMIT,
        )
        .await
    }

    /// `POST /v3/orders/{id}/metafields`. 409 → [`crate::Error::Conflict`].
    pub async fn create_order_metafield(
        &self,
        order_id: u64,
        metafield: &MetafieldWrite,
    ) -> Result<Metafield> {
        let answer = self
            .send_json(
                Method::POST,
                &["v3", "orders", &order_id.to_string(), "metafields"],
                metafield,
            )
            .await?;
        Ok(answer.json::<Envelope<Metafield>>()?.data)
    }

    /// `PUT /v3/orders/{id}/metafields/{metafield_id}`.
    pub async fn update_order_metafield(
        &self,
        order_id: u64,
        metafield_id: u64,
        metafield: &MetafieldWrite,
    ) -> Result<Metafield> {
        let answer = self
            .send_json(
                Method::PUT,
                &[
                    "v3",
                    "orders",
                    &order_id.to_string(),
                    "metafields",
                    &metafield_id.to_string(),
                ],
                metafield,
            )
            .await?;
        Ok(answer.json::<Envelope<Metafield>>()?.data)
    }

    /// `DELETE /v3/orders/{id}/metafields/{metafield_id}` (204).
    pub async fn delete_order_metafield(&self, order_id: u64, metafield_id: u64) -> Result<()> {
        self.send(
            Method::DELETE,
            &[
                "v3",
                "orders",
                &order_id.to_string(),
                "metafields",
                &metafield_id.to_string(),
            ],
            Vec::new(),
            None,
        )
        .await?;
        Ok(())
    }
}
