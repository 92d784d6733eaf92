//! REST v3: server-side checkouts, checkout orders and tokens, checkout settings, carts.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult, Style};
use super::params::{json_value, path_id};
use crate::bigcommerce::ApiCaller;
use crate::bigcommerce::domain::DomainError;
use crate::bigcommerce::domain::checkout::{self, CheckoutEdit};
use crate::bigcommerce::state::Inner;
use crate::bigcommerce::wire;

const STYLE: Style = Style::V3;

type Shared = State<Arc<Inner>>;

fn err(e: DomainError) -> ApiError {
    ApiError::from_domain(e, STYLE)
}

fn envelope(data: Value) -> Response {
    Json(json!({"data": data, "meta": {}})).into_response()
}

fn checkout_json(inner: &Inner, caller: &ApiCaller, id: &str) -> ApiResult<Value> {
    inner
        .read(&caller.store_hash, |s| {
            s.checkouts.get(id).map(|c| wire::checkout(s, c))
        })
        .map_err(err)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, STYLE, "Checkout not found"))
}

pub async fn get_checkout(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    Ok(envelope(checkout_json(&inner, &caller, &id)?))
}

pub async fn put_checkout(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = json_value(&body, STYLE)?;
    if !body.is_object() {
        return Err(ApiError::invalid(
            STYLE,
            None,
            "The request body must be an object.",
        ));
    }
    let message = match body.get("customer_message") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::invalid(
                STYLE,
                Some("customer_message"),
                "customer_message must be a string",
            ));
        }
    };
    let version = match body.get("version") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or_else(|| {
            ApiError::invalid(STYLE, Some("version"), "version must be an integer")
        })?),
    };
    let edits = message
        .map(CheckoutEdit::SetCustomerMessage)
        .into_iter()
        .collect();
    inner
        .mutate(&caller.store_hash, |tx| {
            checkout::edit_checkout(tx, &id, edits, version)
        })
        .map_err(err)?;
    Ok(envelope(checkout_json(&inner, &caller, &id)?))
}

pub async fn create_order(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let order_id = inner
        .mutate(&caller.store_hash, |tx| checkout::create_order(tx, &id))
        .map_err(err)?;
    Ok(envelope(json!({"id": order_id})))
}

fn whole_number(body: &Value, key: &str, default: i64) -> ApiResult<i64> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .ok_or_else(|| {
                ApiError::invalid(STYLE, Some(key), format!("{key} must be a whole number"))
            }),
    }
}

/// `{maxUses, ttl}`; when absent they default to 1 use and 24 hours (UNVERIFIED defaults).
pub async fn create_token(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        json_value(&body, STYLE)?
    };
    if !body.is_object() {
        return Err(ApiError::invalid(
            STYLE,
            None,
            "The request body must be an object.",
        ));
    }
    let max_uses = whole_number(&body, "maxUses", 1)?;
    let ttl = whole_number(&body, "ttl", 86_400)?;
    let token = inner
        .mutate(&caller.store_hash, |tx| {
            checkout::create_checkout_token(tx, &id, max_uses, ttl)
        })
        .map_err(err)?;
    // The documented example puts `meta` inside `data`; so does the simulator.
    Ok(Json(json!({"data": {"checkoutToken": token, "meta": {}}})).into_response())
}

pub async fn delete_cart(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    inner
        .mutate(&caller.store_hash, |tx| checkout::delete_cart(tx, &id))
        .map_err(err)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Merges the known keys of a JSON object into `current` (other keys are ignored); a value
/// of the wrong type is a 422.
fn merge_settings<T: Serialize + DeserializeOwned>(current: &T, body: Value) -> ApiResult<T> {
    let Value::Object(patch) = body else {
        return Err(ApiError::invalid(
            STYLE,
            None,
            "The request body must be an object.",
        ));
    };
    let mut merged =
        serde_json::to_value(current).map_err(|e| ApiError::invalid(STYLE, None, e.to_string()))?;
    if let Value::Object(map) = &mut merged {
        for (key, value) in patch {
            if let Some(slot) = map.get_mut(&key) {
                let same_type = matches!(
                    (&*slot, &value),
                    (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_))
                );
                if !same_type {
                    return Err(ApiError::invalid(
                        STYLE,
                        Some(&key),
                        format!("{key} has the wrong type"),
                    ));
                }
                *slot = value;
            }
        }
    }
    serde_json::from_value(merged).map_err(|e| ApiError::invalid(STYLE, None, e.to_string()))
}

pub async fn get_settings(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
) -> ApiResult<Response> {
    let settings = inner
        .read(&caller.store_hash, |s| s.checkout_settings.clone())
        .map_err(err)?;
    Ok(envelope(json!(settings)))
}

pub async fn put_settings(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = json_value(&body, STYLE)?;
    let current = inner
        .read(&caller.store_hash, |s| s.checkout_settings.clone())
        .map_err(err)?;
    let merged = merge_settings(&current, body)?;
    inner
        .mutate(&caller.store_hash, |tx| {
            tx.store.checkout_settings = merged.clone();
            Ok(())
        })
        .map_err(err)?;
    Ok(envelope(json!(merged)))
}

fn channel_id(raw: &str) -> ApiResult<i64> {
    path_id(raw, STYLE)
}

pub async fn get_channel_settings(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, channel)): Path<(String, String)>,
) -> ApiResult<Response> {
    let channel = channel_id(&channel)?;
    let settings = inner
        .read(&caller.store_hash, |s| {
            s.channel_settings.get(&channel).cloned()
        })
        .map_err(err)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, STYLE, "Channel not found"))?;
    Ok(envelope(json!(settings)))
}

pub async fn put_channel_settings(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, channel)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let channel = channel_id(&channel)?;
    let body = json_value(&body, STYLE)?;
    let current = inner
        .read(&caller.store_hash, |s| {
            s.channel_settings.get(&channel).cloned()
        })
        .map_err(err)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, STYLE, "Channel not found"))?;
    let merged = merge_settings(&current, body)?;
    if !["link", "textarea", "modal"].contains(&merged.order_terms_and_conditions_type.as_str()) {
        return Err(ApiError::invalid(
            STYLE,
            Some("order_terms_and_conditions_type"),
            "order_terms_and_conditions_type must be link, textarea or modal",
        ));
    }
    inner
        .mutate(&caller.store_hash, |tx| {
            tx.store.channel_settings.insert(channel, merged.clone());
            Ok(())
        })
        .map_err(err)?;
    Ok(envelope(json!(merged)))
}
