//! App Extensions over the GraphQL Admin API (`POST /stores/{hash}/graphql`), platform
//! spec §6. A GraphQL answer with `errors` (HTTP 200) becomes [`Error::GraphQl`].

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::StoreClient;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AppExtensionModel {
    Products,
    ProductDescription,
    /// An item in the Action menu of each order on View Orders.
    Orders,
    Customers,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AppExtensionContext {
    /// A side panel over the current control-panel page.
    Panel,
    /// Navigates to the app's iframe.
    Link,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppExtensionLabel {
    pub default_value: String,
    #[serde(default)]
    pub locales: Vec<LocalizedLabel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalizedLabel {
    pub value: String,
    /// e.g. `es-ES`.
    pub locale_code: String,
}

/// An App Extension as the API returns it. The list query may select only some fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AppExtension {
    /// e.g. `bc/store/appExtension/2`.
    pub id: String,
    #[serde(default)]
    pub context: Option<AppExtensionContext>,
    #[serde(default)]
    pub model: Option<AppExtensionModel>,
    /// Template with `${id}`, e.g. `/orders/${id}/sequra`.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub label: Option<AppExtensionLabel>,
}

/// `CreateAppExtensionInput`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppExtensionInput {
    pub context: AppExtensionContext,
    pub model: AppExtensionModel,
    /// ≤ 255 chars, with `${id}`.
    pub url: String,
    pub label: AppExtensionLabel,
}

/// `UpdateAppExtensionInput.data`: only `url` and `label` can change; a label replaces the
/// whole previous label.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppExtensionUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<AppExtensionLabel>,
}

const FIELDS: &str = "id context model url label { defaultValue locales { value localeCode } }";

fn create_mutation() -> String {
    format!(
        "mutation AppExtension($input: CreateAppExtensionInput!) {{ appExtension {{ createAppExtension(input: $input) {{ appExtension {{ {FIELDS} }} }} }} }}"
    )
}

fn update_mutation() -> String {
    format!(
        "mutation AppExtension($input: UpdateAppExtensionInput!) {{ appExtension {{ updateAppExtension(input: $input) {{ appExtension {{ {FIELDS} }} }} }} }}"
    )
}

const DELETE_MUTATION: &str = "mutation AppExtension($input: DeleteAppExtensionInput!) { appExtension { deleteAppExtension(input: $input) { deletedAppExtensionId } } }";

fn list_query() -> String {
    format!("query {{ store {{ appExtensions {{ edges {{ node {{ {FIELDS} }} }} }} }} }}")
}

#[derive(Deserialize)]
struct GraphQlAnswer {
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    errors: Option<Vec<GraphQlError>>,
}

#[derive(Deserialize)]
struct GraphQlError {
    #[serde(default)]
    message: Option<String>,
}

impl StoreClient {
    /// Sends a GraphQL Admin request and returns the value at `path` inside `data`.
    async fn graphql<T: DeserializeOwned>(
        &self,
        query: &str,
        variables: Option<Value>,
        path: &[&str],
    ) -> Result<T> {
        let mut body = json!({ "query": query });
        if let Some(variables) = variables {
            body["variables"] = variables;
        }
        let answer = self.send_json(Method::POST, &["graphql"], &body).await?;
        let parsed: GraphQlAnswer = answer.json()?;
        if let Some(errors) = parsed.errors.filter(|e| !e.is_empty()) {
            return Err(Error::GraphQl {
                endpoint: answer.endpoint,
                messages: errors
                    .into_iter()
                    .map(|e| e.message.unwrap_or_else(|| "unnamed error".into()))
                    .collect(),
            });
        }
        let mut value = parsed
            .data
            .ok_or_else(|| Error::decode(&answer.endpoint, "GraphQL answer without data"))?;
        for key in path {
            value = match value {
                Value::Object(mut obj) => obj.remove(*key).unwrap_or(Value::Null),
                _ => Value::Null,
            };
        }
        serde_json::from_value(value)
            .map_err(|e| Error::decode(&answer.endpoint, format!("{}: {e}", path.join("."))))
    }

    /// `createAppExtension`.
    pub async fn create_app_extension(&self, input: &AppExtensionInput) -> Result<AppExtension> {
        self.graphql(
            &create_mutation(),
            Some(json!({ "input": input })),
            &["appExtension", "createAppExtension", "appExtension"],
        )
        .await
    }

    /// `store { appExtensions }`: this app's extensions in the store.
    pub async fn list_app_extensions(&self) -> Result<Vec<AppExtension>> {
        #[derive(Deserialize)]
        struct Edge {
            node: AppExtension,
        }
        let edges: Vec<Edge> = self
            .graphql(&list_query(), None, &["store", "appExtensions", "edges"])
            .await?;
        Ok(edges.into_iter().map(|e| e.node).collect())
    }

    /// `updateAppExtension(input: {id, data})`.
    pub async fn update_app_extension(
        &self,
        id: &str,
        data: &AppExtensionUpdate,
    ) -> Result<AppExtension> {
        self.graphql(
            &update_mutation(),
            Some(json!({ "input": { "id": id, "data": data } })),
            &["appExtension", "updateAppExtension", "appExtension"],
        )
        .await
    }

    /// `deleteAppExtension(input: {id})` → the deleted id.
    pub async fn delete_app_extension(&self, id: &str) -> Result<String> {
        self.graphql(
            DELETE_MUTATION,
            Some(json!({ "input": { "id": id } })),
            &[
                "appExtension",
                "deleteAppExtension",
                "deletedAppExtensionId",
            ],
        )
        .await
    }
}
