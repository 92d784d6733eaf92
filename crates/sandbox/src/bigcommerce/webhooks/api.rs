//! The hooks API (`/stores/{store_hash}/v3/hooks…`): handlers parse the request, call
//! the registry through the engine's state, and answer in BigCommerce's v3 shapes
//! (`{data, meta}` envelopes, `{status, title, type, errors}` errors).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::engine::Shared;
use super::hooks::{
    Hook, HookError, HookPatch, NewHook, Owner, validate_destination, validate_headers,
    validate_scope,
};
use crate::bigcommerce::ApiCaller;

const ERROR_TYPE: &str =
    "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes";
const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 250;

pub(super) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/stores/{store_hash}/v3/hooks",
            get(list_hooks).post(create_hook),
        )
        .route(
            "/stores/{store_hash}/v3/hooks/admin",
            get(get_admin).put(put_admin),
        )
        .route(
            "/stores/{store_hash}/v3/hooks/{webhook_id}",
            get(get_hook).put(update_hook).delete(delete_hook),
        )
        .with_state(shared)
}

// ---------------------------------------------------------------------------------
// Errors

/// Every refusal of the hooks API, in BigCommerce's v3 error style.
#[derive(Debug)]
pub(super) enum ApiError {
    Unauthorized,
    NotFound(String),
    /// The body is not JSON at all.
    MalformedJson,
    /// A query parameter has the wrong type.
    BadQuery(String),
    /// Valid JSON whose fields are missing or wrong, or a broken rule about other hooks.
    Unprocessable {
        title: String,
        errors: BTreeMap<String, String>,
    },
}

#[derive(Serialize)]
struct ErrorBody {
    status: u16,
    title: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<BTreeMap<String, String>>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, title, errors) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized - the v3 Auth client ID or token in the request are not a valid combination for this store.".to_owned(),
                None,
            ),
            ApiError::NotFound(id) => (
                StatusCode::NOT_FOUND,
                format!("Webhook with id [{id}] not found"),
                None,
            ),
            ApiError::MalformedJson => (
                StatusCode::BAD_REQUEST,
                "Input is invalid. The request body is not valid JSON.".to_owned(),
                None,
            ),
            ApiError::BadQuery(title) => (StatusCode::BAD_REQUEST, title, None),
            ApiError::Unprocessable { title, errors } => {
                (StatusCode::UNPROCESSABLE_ENTITY, title, Some(errors))
            }
        };
        let body = ErrorBody {
            status: status.as_u16(),
            title,
            kind: ERROR_TYPE,
            errors,
        };
        (status, Json(body)).into_response()
    }
}

impl From<HookError> for ApiError {
    fn from(err: HookError) -> Self {
        match err {
            HookError::NotFound(id) => ApiError::NotFound(id.to_string()),
            HookError::Conflict {
                title,
                field,
                message,
            } => ApiError::Unprocessable {
                title,
                errors: BTreeMap::from([(field.to_owned(), message)]),
            },
        }
    }
}

fn invalid(errors: BTreeMap<String, String>) -> ApiError {
    ApiError::Unprocessable {
        title: "JSON data is missing or invalid".to_owned(),
        errors,
    }
}

// ---------------------------------------------------------------------------------
// Wire types

/// `webhook_Full`.
#[derive(Serialize)]
struct HookOut<'a> {
    id: i64,
    client_id: &'a str,
    store_hash: &'a str,
    scope: &'a str,
    destination: &'a str,
    is_active: bool,
    headers: Option<&'a BTreeMap<String, String>>,
    created_at: i64,
    updated_at: i64,
}

impl<'a> From<&'a Hook> for HookOut<'a> {
    fn from(hook: &'a Hook) -> Self {
        Self {
            id: hook.id,
            client_id: &hook.client_id,
            store_hash: &hook.store_hash,
            scope: &hook.scope,
            destination: &hook.destination,
            is_active: hook.is_active(),
            headers: hook.headers.as_ref(),
            created_at: hook.created_at,
            updated_at: hook.updated_at,
        }
    }
}

/// An item of `hooks_list` in `GET /v3/hooks/admin`.
#[derive(Serialize)]
struct AdminHookOut<'a> {
    #[serde(flatten)]
    hook: HookOut<'a>,
    status: &'static str,
}

fn single(hook: &Hook) -> Json<Value> {
    Json(json!({ "data": HookOut::from(hook), "meta": {} }))
}

// ---------------------------------------------------------------------------------
// Request parsing

/// The caller, if it may act on this store: the store hash in the path must be the one
/// its token belongs to.
fn owner(caller: Option<Extension<ApiCaller>>, store_hash: &str) -> Result<Owner, ApiError> {
    match caller {
        Some(Extension(caller)) if caller.store_hash == store_hash => {
            Ok((caller.store_hash, caller.client_id))
        }
        _ => Err(ApiError::Unauthorized),
    }
}

fn json_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(invalid(BTreeMap::from([(
            "body".to_owned(),
            "the request body must be a JSON object".to_owned(),
        )]))),
        Err(_) => Err(ApiError::MalformedJson),
    }
}

/// A field that is absent or `null` is `None`.
fn string_field(
    object: &Map<String, Value>,
    name: &str,
    errors: &mut BTreeMap<String, String>,
) -> Option<String> {
    match object.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(value)) => Some(value.clone()),
        Some(_) => {
            errors.insert(name.to_owned(), format!("{name} must be a string"));
            None
        }
    }
}

fn bool_field(
    object: &Map<String, Value>,
    name: &str,
    errors: &mut BTreeMap<String, String>,
) -> Option<bool> {
    match object.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::Bool(value)) => Some(*value),
        Some(_) => {
            errors.insert(name.to_owned(), format!("{name} must be a boolean"));
            None
        }
    }
}

/// `None`: absent. `Some(None)`: `null`. `Some(Some(map))`: an object of strings.
fn headers_field(
    object: &Map<String, Value>,
    errors: &mut BTreeMap<String, String>,
) -> Option<Option<BTreeMap<String, String>>> {
    match object.get("headers") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::Object(map)) => {
            let mut headers = BTreeMap::new();
            for (name, value) in map {
                match value {
                    Value::String(value) => {
                        headers.insert(name.clone(), value.clone());
                    }
                    _ => {
                        errors.insert(
                            "headers".to_owned(),
                            format!("the value of header {name:?} must be a string"),
                        );
                        return None;
                    }
                }
            }
            if let Err(message) = validate_headers(&headers) {
                errors.insert("headers".to_owned(), message);
                return None;
            }
            Some(Some(headers))
        }
        Some(_) => {
            errors.insert(
                "headers".to_owned(),
                "headers must be an object of strings".to_owned(),
            );
            None
        }
    }
}

fn check_scope(scope: &Option<String>, errors: &mut BTreeMap<String, String>) {
    if let Some(Err(message)) = scope.as_deref().map(validate_scope) {
        errors.insert("scope".to_owned(), message);
    }
}

fn check_destination(
    destination: &Option<String>,
    allow_insecure_loopback: bool,
    errors: &mut BTreeMap<String, String>,
) {
    if let Some(Err(message)) = destination
        .as_deref()
        .map(|destination| validate_destination(destination, allow_insecure_loopback))
    {
        errors.insert("destination".to_owned(), message);
    }
}

fn parse_new_hook(body: &Bytes, allow_insecure_loopback: bool) -> Result<NewHook, ApiError> {
    let object = json_object(body)?;
    let mut errors = BTreeMap::new();
    let scope = string_field(&object, "scope", &mut errors);
    let destination = string_field(&object, "destination", &mut errors);
    let is_active = bool_field(&object, "is_active", &mut errors);
    let headers = headers_field(&object, &mut errors);
    check_scope(&scope, &mut errors);
    check_destination(&destination, allow_insecure_loopback, &mut errors);
    match (scope, destination) {
        (Some(scope), Some(destination)) if errors.is_empty() => Ok(NewHook {
            scope,
            destination,
            is_active: is_active.unwrap_or(true),
            headers: headers.flatten(),
        }),
        (scope, destination) => {
            if scope.is_none() {
                errors
                    .entry("scope".to_owned())
                    .or_insert_with(|| "scope is required".to_owned());
            }
            if destination.is_none() {
                errors
                    .entry("destination".to_owned())
                    .or_insert_with(|| "destination is required".to_owned());
            }
            Err(invalid(errors))
        }
    }
}

fn parse_patch(body: &Bytes, allow_insecure_loopback: bool) -> Result<HookPatch, ApiError> {
    let object = json_object(body)?;
    let mut errors = BTreeMap::new();
    let patch = HookPatch {
        scope: string_field(&object, "scope", &mut errors),
        destination: string_field(&object, "destination", &mut errors),
        is_active: bool_field(&object, "is_active", &mut errors),
        headers: headers_field(&object, &mut errors),
    };
    check_scope(&patch.scope, &mut errors);
    check_destination(&patch.destination, allow_insecure_loopback, &mut errors);
    if errors.is_empty() && patch.is_empty() {
        errors.insert(
            "body".to_owned(),
            "at least one of scope, destination, is_active, headers is required".to_owned(),
        );
    }
    if errors.is_empty() {
        Ok(patch)
    } else {
        Err(invalid(errors))
    }
}

fn parse_hook_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::NotFound(raw.to_owned()))
}

/// The query string as (name, value) pairs; a query that is not form-encoded simply
/// yields odd pairs, never an error.
fn query_pairs(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|raw| {
        url::form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

fn query_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn is_active_filter(pairs: &[(String, String)]) -> Result<Option<bool>, ApiError> {
    match query_value(pairs, "is_active") {
        None => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => Err(ApiError::BadQuery(format!(
            "Input is invalid. is_active must be true or false, not {other:?}."
        ))),
    }
}

fn positive(pairs: &[(String, String)], name: &str, default: usize) -> Result<usize, ApiError> {
    match query_value(pairs, name) {
        None => Ok(default),
        Some(raw) => raw.parse::<usize>().ok().filter(|n| *n > 0).ok_or_else(|| {
            ApiError::BadQuery(format!(
                "Input is invalid. {name} must be a positive integer, not {raw:?}."
            ))
        }),
    }
}

// ---------------------------------------------------------------------------------
// Handlers

async fn create_hook(
    State(shared): State<Arc<Shared>>,
    caller: Option<Extension<ApiCaller>>,
    Path(store_hash): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(caller, &store_hash)?;
    let new = parse_new_hook(&body, shared.options.allow_insecure_loopback)?;
    let now = shared.now().timestamp();
    let hook = shared.state.lock().registry.create(&owner, new, now)?;
    Ok(single(&hook))
}

async fn list_hooks(
    State(shared): State<Arc<Shared>>,
    caller: Option<Extension<ApiCaller>>,
    Path(store_hash): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(caller, &store_hash)?;
    let pairs = query_pairs(query);
    let is_active = is_active_filter(&pairs)?;
    let scope = query_value(&pairs, "scope");
    let destination = query_value(&pairs, "destination");
    let page = positive(&pairs, "page", 1)?;
    let limit = positive(&pairs, "limit", DEFAULT_LIMIT)?.min(MAX_LIMIT);

    let hooks: Vec<Hook> = shared
        .state
        .lock()
        .registry
        .owned_by(&owner)
        .filter(|hook| is_active.is_none_or(|active| hook.is_active() == active))
        .filter(|hook| scope.is_none_or(|scope| hook.scope == scope))
        .filter(|hook| destination.is_none_or(|destination| hook.destination == destination))
        .cloned()
        .collect();
    let total = hooks.len();
    let total_pages = total.div_ceil(limit);
    let items: Vec<HookOut<'_>> = hooks
        .iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .map(HookOut::from)
        .collect();

    let link = |page: usize| format!("?page={page}&limit={limit}");
    let mut links = Map::new();
    if page > 1 {
        links.insert("previous".to_owned(), Value::String(link(page - 1)));
    }
    links.insert("current".to_owned(), Value::String(link(page)));
    if page < total_pages {
        links.insert("next".to_owned(), Value::String(link(page + 1)));
    }
    Ok(Json(json!({
        "data": items,
        "meta": {
            "pagination": {
                "total": total,
                "count": items.len(),
                "per_page": limit,
                "current_page": page,
                "total_pages": total_pages,
                "links": links,
            }
        }
    })))
}

async fn get_hook(
    State(shared): State<Arc<Shared>>,
    caller: Option<Extension<ApiCaller>>,
    Path((store_hash, webhook_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(caller, &store_hash)?;
    let id = parse_hook_id(&webhook_id)?;
    let state = shared.state.lock();
    let hook = state.registry.get_owned(&owner, id)?;
    Ok(single(hook))
}

async fn update_hook(
    State(shared): State<Arc<Shared>>,
    caller: Option<Extension<ApiCaller>>,
    Path((store_hash, webhook_id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(caller, &store_hash)?;
    let id = parse_hook_id(&webhook_id)?;
    // A hook the caller cannot see is 404 even when the body is also wrong.
    shared.state.lock().registry.get_owned(&owner, id)?;
    let patch = parse_patch(&body, shared.options.allow_insecure_loopback)?;
    let now = shared.now().timestamp();
    let hook = shared.state.lock().update_hook(&owner, id, patch, now)?;
    Ok(single(&hook))
}

async fn delete_hook(
    State(shared): State<Arc<Shared>>,
    caller: Option<Extension<ApiCaller>>,
    Path((store_hash, webhook_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(caller, &store_hash)?;
    let id = parse_hook_id(&webhook_id)?;
    let hook = shared.state.lock().delete_hook(&owner, id)?;
    Ok(single(&hook))
}

async fn get_admin(
    State(shared): State<Arc<Shared>>,
    caller: Option<Extension<ApiCaller>>,
    Path(store_hash): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let owner = owner(caller, &store_hash)?;
    let is_active = is_active_filter(&query_pairs(query))?;
    let now = shared.now();
    let state = shared.state.lock();
    let hooks_list: Vec<AdminHookOut<'_>> = state
        .registry
        .owned_by(&owner)
        .filter(|hook| is_active.is_none_or(|active| hook.is_active() == active))
        .map(|hook| AdminHookOut {
            hook: HookOut::from(hook),
            status: hook.status.as_str(),
        })
        .collect();
    let blocked_domains: Vec<Value> = state
        .blocklist
        .blocked_for(&owner.1, now)
        .into_iter()
        .map(|blocked| {
            json!({
                "destination": blocked.domain,
                "time_left": (blocked.until - now).num_seconds().max(0),
                "reasons": blocked.reasons.iter().map(|reason| json!({
                    "failure_description": reason.failure_description,
                    "count": reason.count,
                    "timestamp": reason.timestamp,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({
        "data": {
            "emails": state.registry.emails(&owner),
            "hooks_list": hooks_list,
            "blocked_domains": blocked_domains,
        },
        "meta": {}
    })))
}

async fn put_admin(
    State(shared): State<Arc<Shared>>,
    caller: Option<Extension<ApiCaller>>,
    Path(store_hash): Path<String>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let owner = owner(caller, &store_hash)?;
    let object = json_object(&body)?;
    let emails = parse_emails(object.get("emails"))?;
    shared.state.lock().registry.set_emails(&owner, emails);
    Ok(StatusCode::NO_CONTENT)
}

fn parse_emails(value: Option<&Value>) -> Result<Vec<String>, ApiError> {
    let error = |message: String| invalid(BTreeMap::from([("emails".to_owned(), message)]));
    let Some(Value::Array(items)) = value else {
        return Err(error(
            "emails must be an array of e-mail addresses".to_owned(),
        ));
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(email) if looks_like_email(email) => Ok(email.clone()),
            other => Err(error(format!("{other} is not an e-mail address"))),
        })
        .collect()
}

/// Enough of a check to catch swapped fields: one `@` with something on both sides and
/// no whitespace.
fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check() {
        assert!(looks_like_email("ops@app.example.com"));
        assert!(!looks_like_email("ops"));
        assert!(!looks_like_email("@x"));
        assert!(!looks_like_email("a@b@c"));
        assert!(!looks_like_email("a b@c"));
    }

    #[test]
    fn create_body_errors_name_every_field() {
        let body = Bytes::from_static(br#"{"scope": 5, "is_active": "yes", "headers": []}"#);
        let Err(ApiError::Unprocessable { errors, .. }) = parse_new_hook(&body, true) else {
            panic!("expected 422");
        };
        assert_eq!(
            errors.keys().map(String::as_str).collect::<Vec<_>>(),
            ["destination", "headers", "is_active", "scope"]
        );
    }

    #[test]
    fn patch_distinguishes_null_headers_from_absent() {
        let clear = parse_patch(&Bytes::from_static(br#"{"headers": null}"#), true).unwrap();
        assert_eq!(clear.headers, Some(None));
        let keep = parse_patch(&Bytes::from_static(br#"{"is_active": true}"#), true).unwrap();
        assert_eq!(keep.headers, None);
        assert!(parse_patch(&Bytes::from_static(b"{}"), true).is_err());
    }
}
