//! Webhook subscriptions (`/v3/hooks`, `webhooks.v3.yml`). Only this API account's hooks
//! are visible. The custom `headers` carry the app's per-store webhook secret, so they are
//! redacted in `Debug` output.
//!
//! Create answers `{data: hook, meta}` per the OpenAPI file, while BigCommerce's overview
//! article shows the bare hook; both are accepted (platform spec §5.1).

use std::collections::BTreeMap;
use std::fmt;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{Query, StoreClient};
use crate::error::{Error, Result};
use crate::{dates, de};

/// Page size for listing hooks.
const HOOKS_PAGE_LIMIT: u32 = 100;

/// Custom headers BigCommerce sends with every delivery. Values are secrets: `Debug` shows
/// the names only.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HookHeaders(pub BTreeMap<String, String>);

impl HookHeaders {
    pub fn one(name: impl Into<String>, value: impl Into<String>) -> Self {
        HookHeaders(BTreeMap::from([(name.into(), value.into())]))
    }

    /// Looks a header up by name, ignoring ASCII case.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for HookHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, "[redacted]")))
            .finish()
    }
}

/// A hook (`webhook_Full`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Hook {
    #[serde(deserialize_with = "de::uint")]
    pub id: u64,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub client_id: Option<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub store_hash: Option<String>,
    /// e.g. `store/order/updated`, `store/order/*`.
    pub scope: String,
    pub destination: String,
    #[serde(default)]
    pub is_active: bool,
    /// Nullable in the contract.
    #[serde(default)]
    pub headers: Option<HookHeaders>,
    /// Unix seconds.
    #[serde(default, deserialize_with = "de::opt_int")]
    pub created_at: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_int")]
    pub updated_at: Option<i64>,
}

impl Hook {
    pub fn updated(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.updated_at.and_then(dates::from_unix)
    }
}

/// `POST /v3/hooks` body (`webhook_Base`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookCreate {
    pub scope: String,
    /// HTTPS on port 443 (BigCommerce refuses other ports).
    pub destination: String,
    pub is_active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<HookHeaders>,
}

/// `PUT /v3/hooks/{id}` body (`webhook_Put`): any subset, e.g. `is_active: true` to
/// re-activate a hook BigCommerce deactivated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<HookHeaders>,
}

impl HookUpdate {
    pub fn reactivate() -> Self {
        HookUpdate {
            is_active: Some(true),
            ..HookUpdate::default()
        }
    }
}

/// Filters of `GET /v3/hooks`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookFilter {
    pub is_active: Option<bool>,
    pub scope: Option<String>,
    pub destination: Option<String>,
}

/// Reads `{data: hook}` or a bare hook.
fn hook_from(endpoint: &str, value: Value) -> Result<Hook> {
    let value = match value {
        Value::Object(mut obj) if obj.contains_key("data") && !obj.contains_key("id") => {
            obj.remove("data").unwrap_or(Value::Null)
        }
        other => other,
    };
    serde_json::from_value(value).map_err(|e| Error::decode(endpoint, e.to_string()))
}

impl StoreClient {
    /// `POST /v3/hooks`.
    pub async fn create_hook(&self, hook: &HookCreate) -> Result<Hook> {
        let answer = self.send_json(Method::POST, &["v3", "hooks"], hook).await?;
        hook_from(&answer.endpoint, answer.json()?)
    }

    /// `GET /v3/hooks?…`, every page.
    pub async fn list_hooks(&self, filter: &HookFilter) -> Result<Vec<Hook>> {
        let mut query = Query::new();
        if let Some(active) = filter.is_active {
            query.push(("is_active".into(), active.to_string()));
        }
        if let Some(scope) = &filter.scope {
            query.push(("scope".into(), scope.clone()));
        }
        if let Some(destination) = &filter.destination {
            query.push(("destination".into(), destination.clone()));
        }
        self.v3_get_all(&["v3", "hooks"], query, HOOKS_PAGE_LIMIT)
            .await
    }

    /// `GET /v3/hooks/{id}`.
    pub async fn get_hook(&self, hook_id: u64) -> Result<Hook> {
        let answer = self
            .get(&["v3", "hooks", &hook_id.to_string()], Vec::new())
            .await?;
        hook_from(&answer.endpoint, answer.json()?)
    }

    /// `PUT /v3/hooks/{id}`.
    pub async fn update_hook(&self, hook_id: u64, update: &HookUpdate) -> Result<Hook> {
        let answer = self
            .send_json(Method::PUT, &["v3", "hooks", &hook_id.to_string()], update)
            .await?;
        hook_from(&answer.endpoint, answer.json()?)
    }

    /// `DELETE /v3/hooks/{id}` (200 with the deleted hook, whose body is not needed).
    pub async fn delete_hook(&self, hook_id: u64) -> Result<()> {
        self.send(
            Method::DELETE,
            &["v3", "hooks", &hook_id.to_string()],
            Vec::new(),
            None,
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_never_show_in_debug() {
        let create = HookCreate {
            scope: "store/order/*".into(),
            destination: "https://app.example.com/bc/webhooks".into(),
            is_active: true,
            headers: Some(HookHeaders::one("X-SeQura-Webhook-Token", "s3cr3t")),
        };
        let text = format!("{create:?}");
        assert!(text.contains("X-SeQura-Webhook-Token"));
        assert!(!text.contains("s3cr3t"));
        assert_eq!(
            create
                .headers
                .as_ref()
                .and_then(|h| h.get("x-sequra-webhook-token")),
            Some("s3cr3t")
        );
    }

    #[test]
    fn wrapped_and_bare_hooks() {
        let bare = serde_json::json!({"id": 1, "scope": "store/order/*", "destination": "https://x", "is_active": true, "headers": null});
        let wrapped = serde_json::json!({"data": bare.clone(), "meta": {}});
        assert_eq!(hook_from("e", bare).unwrap().id, 1);
        assert_eq!(hook_from("e", wrapped).unwrap().id, 1);
        assert!(hook_from("e", serde_json::json!({"data": []})).is_err());
    }
}
