//! `POST /stores/{hash}/graphql`: the GraphQL Admin API, as far as App Extensions go (§6):
//! `store { appExtensions { edges { node { … } } } }` and the `appExtension` mutations
//! `createAppExtension`, `updateAppExtension`, `deleteAppExtension`. Results carry exactly
//! the fields selected. Query errors answer HTTP 200 with `{"data", "errors"}`; a request
//! touching App Extensions without `store_app_extensions_manage` answers HTTP 403 with a
//! GraphQL error body (what BigCommerce does there is UNVERIFIED).

pub mod parse;

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use self::parse::{Field, OperationKind};
use super::errors::{ApiError, ApiResult, Style};
use super::params::json_value;
use super::scopes::APP_EXTENSIONS;
use crate::bigcommerce::ApiCaller;
use crate::bigcommerce::domain::extensions::{self, ExtensionLabel, ExtensionPatch, NewExtension};
use crate::bigcommerce::model::ExtensionLocale;
use crate::bigcommerce::state::Inner;
use crate::bigcommerce::wire;

const STYLE: Style = Style::GraphQl;

struct Exec<'a> {
    inner: &'a Inner,
    caller: &'a ApiCaller,
    variables: Map<String, Value>,
    errors: Vec<Value>,
}

impl Exec<'_> {
    fn error(&mut self, message: impl Into<String>, path: &[&str]) {
        self.errors
            .push(json!({"message": message.into(), "path": path}));
    }
}

/// Keeps the selected fields of `value` (recursively); unknown fields are errors.
fn project(
    value: &Value,
    selection: &[Field],
    type_name: &str,
    path: &mut Vec<String>,
    errors: &mut Vec<Value>,
) -> Value {
    if selection.is_empty() {
        return value.clone();
    }
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| project(item, selection, type_name, path, errors))
                .collect(),
        ),
        Value::Object(map) => {
            let mut out = Map::new();
            for field in selection {
                path.push(field.response_key().to_owned());
                match map.get(&field.name) {
                    Some(child) => {
                        let child_type = child
                            .get("__typename")
                            .and_then(Value::as_str)
                            .unwrap_or(&field.name)
                            .to_owned();
                        out.insert(
                            field.response_key().to_owned(),
                            project(child, &field.selection, &child_type, path, errors),
                        );
                    }
                    None => errors.push(json!({
                        "message": format!("Field '{}' doesn't exist on type '{type_name}'", field.name),
                        "path": path.clone(),
                    })),
                }
                path.pop();
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The slice of the GraphQL Admin schema the simulator knows: (type, field, field type);
/// a field type of `None` is a scalar.
const SCHEMA: &[(&str, &str, Option<&str>)] = &[
    ("Query", "store", Some("Store")),
    ("Store", "appExtensions", Some("AppExtensionConnection")),
    ("AppExtensionConnection", "edges", Some("AppExtensionEdge")),
    ("AppExtensionConnection", "pageInfo", Some("PageInfo")),
    ("AppExtensionEdge", "node", Some("AppExtension")),
    ("AppExtensionEdge", "cursor", None),
    ("PageInfo", "hasNextPage", None),
    ("PageInfo", "hasPreviousPage", None),
    ("PageInfo", "startCursor", None),
    ("PageInfo", "endCursor", None),
    ("AppExtension", "id", None),
    ("AppExtension", "context", None),
    ("AppExtension", "model", None),
    ("AppExtension", "url", None),
    ("AppExtension", "label", Some("AppExtensionLabel")),
    ("AppExtensionLabel", "defaultValue", None),
    (
        "AppExtensionLabel",
        "locales",
        Some("AppExtensionLocaleLabel"),
    ),
    ("AppExtensionLocaleLabel", "value", None),
    ("AppExtensionLocaleLabel", "localeCode", None),
    ("Mutation", "appExtension", Some("AppExtensionMutations")),
    (
        "AppExtensionMutations",
        "createAppExtension",
        Some("CreateAppExtensionResult"),
    ),
    (
        "AppExtensionMutations",
        "updateAppExtension",
        Some("UpdateAppExtensionResult"),
    ),
    (
        "AppExtensionMutations",
        "deleteAppExtension",
        Some("DeleteAppExtensionResult"),
    ),
    (
        "CreateAppExtensionResult",
        "appExtension",
        Some("AppExtension"),
    ),
    (
        "UpdateAppExtensionResult",
        "appExtension",
        Some("AppExtension"),
    ),
    ("DeleteAppExtensionResult", "deletedAppExtensionId", None),
];

/// Checks a selection against [`SCHEMA`] before anything runs, as GraphQL servers do.
fn validate(type_name: &str, selection: &[Field], errors: &mut Vec<Value>) {
    for field in selection {
        if field.name == "__typename" {
            continue;
        }
        let Some((_, _, field_type)) = SCHEMA
            .iter()
            .find(|(t, f, _)| *t == type_name && *f == field.name)
        else {
            errors.push(json!({"message": format!(
                "Field '{}' doesn't exist on type '{type_name}'", field.name
            )}));
            continue;
        };
        match (field_type, field.selection.is_empty()) {
            (Some(child), false) => validate(child, &field.selection, errors),
            (Some(child), true) => errors.push(json!({"message": format!(
                "Field '{}' of type '{child}' must have a selection of subfields", field.name
            )})),
            (None, false) => errors.push(json!({"message": format!(
                "Selections can't be made on scalars (field '{}')", field.name
            )})),
            (None, true) => {}
        }
    }
}

fn touches_app_extensions(kind: OperationKind, selection: &[Field]) -> bool {
    selection.iter().any(|f| match kind {
        OperationKind::Mutation => f.name == "appExtension",
        OperationKind::Query => {
            f.name == "store" && f.selection.iter().any(|s| s.name == "appExtensions")
        }
    })
}

fn string_at<'v>(value: &'v Value, key: &str) -> Result<&'v str, String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("Argument 'input.{key}' must be a string"))
}

fn parse_label(value: &Value) -> Result<ExtensionLabel, String> {
    let default_value = string_at(value, "defaultValue")?.to_owned();
    let locales = match value.get("locales") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .map(|l| {
                Ok(ExtensionLocale {
                    value: string_at(l, "value")?.to_owned(),
                    locale_code: string_at(l, "localeCode")?.to_owned(),
                })
            })
            .collect::<Result<Vec<_>, String>>()?,
        Some(_) => return Err("label.locales must be a list".into()),
    };
    Ok(ExtensionLabel {
        default_value,
        locales,
    })
}

fn extension_id(input: &Value) -> Result<i64, String> {
    let id = string_at(input, "id")?;
    extensions::parse_id(id).ok_or_else(|| format!("'{id}' is not an app extension id"))
}

impl Exec<'_> {
    fn input(&self, field: &Field) -> Result<Value, String> {
        field
            .argument("input")
            .map(|v| v.resolve(&self.variables))
            .filter(Value::is_object)
            .ok_or_else(|| "Argument 'input' is required".to_owned())
    }

    fn mutate_extension(&mut self, field: &Field) -> Result<Value, String> {
        let input = self.input(field)?;
        let store = self.caller.store_hash.clone();
        let client = self.caller.client_id.clone();
        let domain = |e: crate::bigcommerce::domain::DomainError| e.to_string();
        match field.name.as_str() {
            "createAppExtension" => {
                let new = NewExtension {
                    context: string_at(&input, "context")?.to_owned(),
                    model: string_at(&input, "model")?.to_owned(),
                    url: string_at(&input, "url")?.to_owned(),
                    label: parse_label(input.get("label").unwrap_or(&Value::Null))?,
                };
                let created = self
                    .inner
                    .mutate(&store, |tx| extensions::create(tx, &client, new))
                    .map_err(domain)?;
                Ok(
                    json!({"__typename": "CreateAppExtensionResult", "appExtension": wire::app_extension(&created)}),
                )
            }
            "updateAppExtension" => {
                let id = extension_id(&input)?;
                let data = input.get("data").cloned().unwrap_or(Value::Null);
                let patch = ExtensionPatch {
                    url: match data.get("url") {
                        None | Some(Value::Null) => None,
                        Some(_) => Some(string_at(&data, "url")?.to_owned()),
                    },
                    label: match data.get("label") {
                        None | Some(Value::Null) => None,
                        Some(label) => Some(parse_label(label)?),
                    },
                };
                let updated = self
                    .inner
                    .mutate(&store, |tx| extensions::update(tx, &client, id, patch))
                    .map_err(domain)?;
                Ok(
                    json!({"__typename": "UpdateAppExtensionResult", "appExtension": wire::app_extension(&updated)}),
                )
            }
            "deleteAppExtension" => {
                let id = extension_id(&input)?;
                let deleted = self
                    .inner
                    .mutate(&store, |tx| extensions::delete(tx, &client, id))
                    .map_err(domain)?;
                Ok(
                    json!({"__typename": "DeleteAppExtensionResult", "deletedAppExtensionId": deleted.graphql_id()}),
                )
            }
            other => Err(format!(
                "Field '{other}' doesn't exist on type 'AppExtensionMutations'"
            )),
        }
    }

    fn mutation_root(&mut self, selection: &[Field]) -> Value {
        let mut data = Map::new();
        for field in selection {
            let key = field.response_key().to_owned();
            match field.name.as_str() {
                "__typename" => {
                    data.insert(key, json!("Mutation"));
                }
                "appExtension" => {
                    let mut out = Map::new();
                    for child in &field.selection {
                        let child_key = child.response_key().to_owned();
                        if child.name == "__typename" {
                            out.insert(child_key, json!("AppExtensionMutations"));
                            continue;
                        }
                        match self.mutate_extension(child) {
                            Ok(result) => {
                                let mut path = vec![key.clone(), child_key.clone()];
                                let projected = project(
                                    &result,
                                    &child.selection,
                                    "AppExtensionResult",
                                    &mut path,
                                    &mut self.errors,
                                );
                                out.insert(child_key, projected);
                            }
                            Err(message) => {
                                self.error(message, &[&key, &child_key]);
                                out.insert(child_key, Value::Null);
                            }
                        }
                    }
                    data.insert(key, Value::Object(out));
                }
                other => {
                    self.error(
                        format!("Field '{other}' doesn't exist on type 'Mutation'"),
                        &[&key],
                    );
                }
            }
        }
        Value::Object(data)
    }

    fn query_root(&mut self, selection: &[Field]) -> Value {
        let mut data = Map::new();
        for field in selection {
            let key = field.response_key().to_owned();
            match field.name.as_str() {
                "__typename" => {
                    data.insert(key, json!("Query"));
                }
                "store" => {
                    let list = self
                        .inner
                        .read(&self.caller.store_hash, |s| {
                            extensions::list(s, &self.caller.client_id)
                        })
                        .unwrap_or_default();
                    let edges: Vec<Value> = list
                        .iter()
                        .map(|e| json!({"__typename": "AppExtensionEdge", "cursor": e.graphql_id(), "node": wire::app_extension(e)}))
                        .collect();
                    let store = json!({
                        "__typename": "Store",
                        "appExtensions": {
                            "__typename": "AppExtensionConnection",
                            "edges": edges,
                            "pageInfo": {
                                "__typename": "PageInfo",
                                "hasNextPage": false,
                                "hasPreviousPage": false,
                                "startCursor": list.first().map(|e| e.graphql_id()),
                                "endCursor": list.last().map(|e| e.graphql_id()),
                            },
                        },
                    });
                    let mut path = vec![key.clone()];
                    let projected = project(
                        &store,
                        &field.selection,
                        "Store",
                        &mut path,
                        &mut self.errors,
                    );
                    data.insert(key, projected);
                }
                other => {
                    self.error(
                        format!("Field '{other}' doesn't exist on type 'Query'"),
                        &[&key],
                    );
                }
            }
        }
        Value::Object(data)
    }
}

pub(crate) async fn graphql(
    State(inner): State<Arc<Inner>>,
    Extension(caller): Extension<ApiCaller>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = json_value(&body, STYLE)?;
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, STYLE, "The query is missing"))?;
    let variables = match body.get("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(map)) => map.clone(),
        Some(_) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                STYLE,
                "variables must be an object",
            ));
        }
    };
    let operation_name = body.get("operationName").and_then(Value::as_str);
    let operations = match parse::parse(query) {
        Ok(ops) => ops,
        Err(message) => {
            return Ok(
                Json(json!({"data": null, "errors": [{"message": message}]})).into_response(),
            );
        }
    };
    let operation = match operation_name {
        Some(name) => operations
            .iter()
            .find(|op| op.name.as_deref() == Some(name)),
        None if operations.len() == 1 => operations.first(),
        None => None,
    };
    let Some(operation) = operation else {
        return Ok(Json(json!({"data": null, "errors": [{"message": "Must provide the name of the operation to run"}]})).into_response());
    };
    let mut invalid = Vec::new();
    let root = match operation.kind {
        OperationKind::Query => "Query",
        OperationKind::Mutation => "Mutation",
    };
    validate(root, &operation.selection, &mut invalid);
    if !invalid.is_empty() {
        return Ok(Json(json!({"errors": invalid})).into_response());
    }
    if touches_app_extensions(operation.kind, &operation.selection)
        && !caller.has_scope(APP_EXTENSIONS)
    {
        return Err(ApiError::missing_scope(STYLE));
    }
    let mut exec = Exec {
        inner: &inner,
        caller: &caller,
        variables,
        errors: Vec::new(),
    };
    let data = match operation.kind {
        OperationKind::Query => exec.query_root(&operation.selection),
        OperationKind::Mutation => exec.mutation_root(&operation.selection),
    };
    let mut response = json!({"data": data});
    if !exec.errors.is_empty()
        && let Value::Object(map) = &mut response
    {
        map.insert("errors".into(), Value::Array(exec.errors));
    }
    Ok(Json(response).into_response())
}
