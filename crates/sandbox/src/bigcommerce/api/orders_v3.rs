//! REST v3 under `/v3/orders`: refund quotes and refunds, transactions, order metafields.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult, Style};
use super::params::{Params, amount, json_body, json_value, page_of, path_id};
use crate::bigcommerce::ApiCaller;
use crate::bigcommerce::domain::DomainError;
use crate::bigcommerce::domain::metafields::{self, MetafieldPatch, NewMetafield};
use crate::bigcommerce::domain::refunds::{
    self, RefundItemRequest, RefundPaymentRequest, RefundRequest,
};
use crate::bigcommerce::model::{Refund, RefundAdjustment};
use crate::bigcommerce::state::Inner;
use crate::bigcommerce::wire;

const STYLE: Style = Style::V3;

type Shared = State<Arc<Inner>>;

fn err(e: DomainError) -> ApiError {
    ApiError::from_domain(e, STYLE)
}

/// Refund creation answers its validation errors in the `{"data": [...]}` style.
fn refund_err(e: DomainError) -> ApiError {
    match e {
        DomainError::NotFound(_) => err(e),
        other => ApiError::from_domain(other, Style::RefundData),
    }
}

fn envelope(data: Value) -> Response {
    Json(json!({"data": data, "meta": {}})).into_response()
}

fn require_order(inner: &Inner, caller: &ApiCaller, id: i64) -> ApiResult<()> {
    let exists = inner
        .read(&caller.store_hash, |s| s.orders.contains_key(&id))
        .map_err(err)?;
    if exists {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            STYLE,
            "Order not found",
        ))
    }
}

// ------------------------------------------------------------------------------------
// Refunds

fn parse_items(body: &Value, style: Style) -> ApiResult<Vec<RefundItemRequest>> {
    let invalid = |field: &str, message: &str| ApiError::invalid(style, Some(field), message);
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("items", "items must be an array"))?;
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let field = format!("items[{index}]");
            let item_type = item
                .get("item_type")
                .and_then(Value::as_str)
                .and_then(wire::refund_item_type_from)
                .ok_or_else(|| {
                    invalid(
                        &format!("{field}.item_type"),
                        "item_type must be PRODUCT, GIFT_WRAPPING, SHIPPING, HANDLING, ORDER or FEE",
                    )
                })?;
            let item_id = item
                .get("item_id")
                .and_then(Value::as_i64)
                .ok_or_else(|| invalid(&format!("{field}.item_id"), "item_id must be an integer"))?;
            let quantity = match item.get("quantity") {
                None | Some(Value::Null) => None,
                Some(v) => Some(v.as_i64().ok_or_else(|| {
                    invalid(&format!("{field}.quantity"), "quantity must be an integer")
                })?),
            };
            let amount_cents = match item.get("amount") {
                None | Some(Value::Null) => None,
                Some(v) => Some(amount(v, &format!("{field}.amount"), style)?),
            };
            let reason = match item.get("reason") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) if s.chars().count() <= 1000 => s.clone(),
                Some(_) => {
                    return Err(invalid(
                        &format!("{field}.reason"),
                        "reason must be a string of at most 1000 characters",
                    ));
                }
            };
            let adjustments = match item.get("adjustments") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(list)) => list
                    .iter()
                    .map(|a| {
                        Ok(RefundAdjustment {
                            amount_cents: amount(
                                a.get("amount").unwrap_or(&Value::Null),
                                &format!("{field}.adjustments.amount"),
                                style,
                            )?,
                            description: a
                                .get("description")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                        })
                    })
                    .collect::<ApiResult<Vec<_>>>()?,
                Some(_) => {
                    return Err(invalid(
                        &format!("{field}.adjustments"),
                        "adjustments must be an array",
                    ));
                }
            };
            Ok(RefundItemRequest {
                item_type,
                item_id,
                quantity,
                amount_cents,
                reason,
                adjustments,
            })
        })
        .collect()
}

fn reject_tax_adjustment(body: &Value, style: Style) -> ApiResult<()> {
    if body.get("tax_adjustment_amount").is_some() && body.get("items").is_none() {
        return Err(ApiError::invalid(
            style,
            Some("tax_adjustment_amount"),
            "tax adjustment refunds are not supported by the simulator",
        ));
    }
    Ok(())
}

pub async fn refund_quote(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let body = json_value(&body, STYLE)?;
    reject_tax_adjustment(&body, STYLE)?;
    let items = parse_items(&body, STYLE)?;
    let quote = inner
        .read(&caller.store_hash, |store| {
            refunds::quote(store, id, &items)
        })
        .map_err(err)?
        .map_err(err)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"data": wire::refund_quote(&quote), "meta": {}})),
    )
        .into_response())
}

pub async fn create_refund(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let body = json_value(&body, STYLE)?;
    let style = Style::RefundData;
    reject_tax_adjustment(&body, style)?;
    let items = parse_items(&body, style)?;
    let payments = body
        .get("payments")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::invalid(style, Some("payments"), "payments must be an array"))?
        .iter()
        .enumerate()
        .map(|(index, p)| {
            let provider_id = p
                .get("provider_id")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    ApiError::invalid(
                        style,
                        Some(&format!("payments[{index}].provider_id")),
                        "provider_id is required",
                    )
                })?;
            let amount_cents = amount(
                p.get("amount").unwrap_or(&Value::Null),
                &format!("payments[{index}].amount"),
                style,
            )?;
            Ok(RefundPaymentRequest {
                provider_id: provider_id.to_owned(),
                amount_cents,
                offline: p.get("offline").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let merchant_override = match body.get("merchant_calculated_override") {
        None | Some(Value::Null) => None,
        Some(o) => Some((
            amount(
                o.get("total_amount").unwrap_or(&Value::Null),
                "merchant_calculated_override.total_amount",
                style,
            )?,
            amount(
                o.get("total_tax").unwrap_or(&Value::Null),
                "merchant_calculated_override.total_tax",
                style,
            )?,
        )),
    };
    let request = RefundRequest {
        items,
        payments,
        merchant_override,
        user_id: 0,
    };
    let refund_id = inner
        .mutate(&caller.store_hash, |tx| {
            refunds::create_refund(tx, id, request)
        })
        .map_err(refund_err)?;
    let refund = refund_by_id(&inner, &caller, refund_id)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"data": wire::refund(&refund, false), "meta": {}})),
    )
        .into_response())
}

fn refund_by_id(inner: &Inner, caller: &ApiCaller, refund_id: i64) -> ApiResult<Refund> {
    inner
        .read(&caller.store_hash, |s| s.refunds.get(&refund_id).cloned())
        .map_err(err)?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, STYLE, "Refund not found"))
}

pub async fn order_refunds(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    require_order(&inner, &caller, id)?;
    let data = inner
        .read(&caller.store_hash, |s| {
            s.refunds
                .values()
                .filter(|r| r.order_id == id)
                .map(|r| wire::refund(r, false))
                .collect::<Vec<_>>()
        })
        .map_err(err)?;
    Ok(envelope(Value::Array(data)))
}

fn parse_iso(raw: &str, key: &str) -> ApiResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::invalid(
                STYLE,
                Some(key),
                format!("{key} must be an ISO-8601 date-time"),
            )
            .with_status_for_query()
        })
}

pub async fn all_refunds(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = Params::parse(query.as_deref());
    let (page, limit) = params.paging(STYLE)?;
    let order_ids = params.ints("order_id:in", STYLE)?;
    let ids = params.ints("id:in", STYLE)?;
    let min = params
        .get("created:min")
        .map(|v| parse_iso(v, "created:min"))
        .transpose()?;
    let max = params
        .get("created:max")
        .map(|v| parse_iso(v, "created:max"))
        .transpose()?;
    let all: Vec<Refund> = inner
        .read(&caller.store_hash, |s| {
            s.refunds
                .values()
                .filter(|r| order_ids.is_empty() || order_ids.contains(&r.order_id))
                .filter(|r| ids.is_empty() || ids.contains(&r.id))
                .filter(|r| min.is_none_or(|m| r.created_at >= m))
                .filter(|r| max.is_none_or(|m| r.created_at <= m))
                .cloned()
                .collect()
        })
        .map_err(err)?;
    let data: Vec<Value> = page_of(&all, page, limit)
        .iter()
        .map(|r| wire::refund(r, false))
        .collect();
    let meta = wire::pagination(all.len(), data.len(), limit, page, &params.links_prefix());
    Ok(Json(json!({"data": data, "meta": meta})).into_response())
}

pub async fn get_refund(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, refund_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let refund_id = path_id(&refund_id, STYLE)?;
    let refund = refund_by_id(&inner, &caller, refund_id)?;
    Ok(envelope(wire::refund(&refund, true)))
}

// ------------------------------------------------------------------------------------
// Transactions

pub async fn transactions(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let params = Params::parse(query.as_deref());
    let (page, limit) = params.paging(STYLE)?;
    require_order(&inner, &caller, id)?;
    let all: Vec<Value> = inner
        .read(&caller.store_hash, |s| {
            s.transactions
                .values()
                .filter(|t| t.order_id == id)
                .map(wire::transaction)
                .collect()
        })
        .map_err(err)?;
    if all.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let data = page_of(&all, page, limit);
    let meta = wire::pagination(all.len(), data.len(), limit, page, &params.links_prefix());
    Ok(Json(json!({"data": data, "meta": meta})).into_response())
}

// ------------------------------------------------------------------------------------
// Metafields

pub async fn list_metafields(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let params = Params::parse(query.as_deref());
    let (page, limit) = params.paging(STYLE)?;
    let mut keys = params.list("key:in");
    keys.extend(params.get("key").map(str::to_owned));
    let mut namespaces = params.list("namespace:in");
    namespaces.extend(params.get("namespace").map(str::to_owned));
    let all: Vec<Value> = inner
        .read(&caller.store_hash, |s| {
            metafields::list(s, &caller.client_id, id)
        })
        .map_err(err)?
        .map_err(err)?
        .iter()
        .filter(|m| keys.is_empty() || keys.contains(&m.key))
        .filter(|m| namespaces.is_empty() || namespaces.contains(&m.namespace))
        .map(wire::metafield)
        .collect();
    let data = page_of(&all, page, limit);
    let meta = wire::pagination(all.len(), data.len(), limit, page, &params.links_prefix());
    Ok(Json(json!({"data": data, "meta": meta})).into_response())
}

#[derive(Deserialize)]
struct NewMetafieldBody {
    permission_set: String,
    namespace: String,
    key: String,
    value: String,
    #[serde(default)]
    description: String,
}

fn metafield_json(inner: &Inner, caller: &ApiCaller, order_id: i64, id: i64) -> ApiResult<Value> {
    inner
        .read(&caller.store_hash, |s| {
            metafields::get(s, &caller.client_id, order_id, id)
        })
        .map_err(err)?
        .map(|m| wire::metafield(&m))
        .map_err(err)
}

pub async fn create_metafield(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let body: NewMetafieldBody = json_body(&body, STYLE)?;
    let new = NewMetafield {
        permission_set: body.permission_set,
        namespace: body.namespace,
        key: body.key,
        value: body.value,
        description: body.description,
    };
    let metafield_id = inner
        .mutate(&caller.store_hash, |tx| {
            metafields::create(tx, &caller.client_id, id, new)
        })
        .map_err(err)?;
    Ok(envelope(metafield_json(&inner, &caller, id, metafield_id)?))
}

pub async fn get_metafield(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id, metafield_id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let metafield_id = path_id(&metafield_id, STYLE)?;
    Ok(envelope(metafield_json(&inner, &caller, id, metafield_id)?))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MetafieldPatchBody {
    permission_set: Option<String>,
    namespace: Option<String>,
    key: Option<String>,
    value: Option<String>,
    description: Option<String>,
}

pub async fn update_metafield(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id, metafield_id)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let metafield_id = path_id(&metafield_id, STYLE)?;
    let body: MetafieldPatchBody = json_body(&body, STYLE)?;
    let patch = MetafieldPatch {
        permission_set: body.permission_set,
        namespace: body.namespace,
        key: body.key,
        value: body.value,
        description: body.description,
    };
    inner
        .mutate(&caller.store_hash, |tx| {
            metafields::update(tx, &caller.client_id, id, metafield_id, patch)
        })
        .map_err(err)?;
    Ok(envelope(metafield_json(&inner, &caller, id, metafield_id)?))
}

pub async fn delete_metafield(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id, metafield_id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let metafield_id = path_id(&metafield_id, STYLE)?;
    inner
        .mutate(&caller.store_hash, |tx| {
            metafields::delete(tx, &caller.client_id, id, metafield_id)
        })
        .map_err(err)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
