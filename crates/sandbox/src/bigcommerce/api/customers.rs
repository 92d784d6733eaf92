//! REST v3 `/v3/customers`: list with filters (`id:in`, `email:in`, `include=storecredit`,
//! `include=addresses`) and the batch update the app uses to debit store credit.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult, Style};
use super::params::{Params, amount, json_value, page_of};
use crate::bigcommerce::ApiCaller;
use crate::bigcommerce::domain::catalog::{self, CustomerUpdate};
use crate::bigcommerce::model::Customer;
use crate::bigcommerce::state::Inner;
use crate::bigcommerce::wire;

const STYLE: Style = Style::V3;
/// BigCommerce accepts at most 10 customers per batch write.
const MAX_BATCH: usize = 10;

type Shared = State<Arc<Inner>>;

pub async fn list(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = Params::parse(query.as_deref());
    let (page, limit) = params.paging(STYLE)?;
    // customers.v3.yml documents 422 for a filter that is not valid ("The optional filter
    // parameter was not valid"), where other v3 lists answer a bad query with 400.
    let ids = params.ints("id:in", STYLE).map_err(|e| ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        ..e
    })?;
    let emails: Vec<String> = params
        .list("email:in")
        .iter()
        .map(|e| e.to_lowercase())
        .collect();
    let include = params.list("include");
    let credit = include.iter().any(|i| i == "storecredit");
    let addresses = include.iter().any(|i| i == "addresses");
    let all: Vec<Customer> = inner
        .read(&caller.store_hash, |s| {
            s.customers
                .values()
                .filter(|c| ids.is_empty() || ids.contains(&c.id))
                .filter(|c| emails.is_empty() || emails.contains(&c.email.to_lowercase()))
                .cloned()
                .collect()
        })
        .map_err(|e| ApiError::from_domain(e, STYLE))?;
    let data: Vec<Value> = page_of(&all, page, limit)
        .iter()
        .map(|c| wire::customer(c, credit, addresses))
        .collect();
    let meta = wire::pagination(all.len(), data.len(), limit, page, &params.links_prefix());
    Ok(Json(json!({"data": data, "meta": meta})).into_response())
}

/// `GET /v3/catalog/products` with `id:in` (the app reads the products' categories to
/// honour a merchant's excluded categories): `{data: [{id, name, sku, categories}], meta}`.
pub async fn products(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = Params::parse(query.as_deref());
    let (page, limit) = params.paging(STYLE)?;
    let ids = params.ints("id:in", STYLE)?;
    let all: Vec<Value> = inner
        .read(&caller.store_hash, |s| {
            s.products
                .values()
                .filter(|p| ids.is_empty() || ids.contains(&p.id))
                .map(|p| json!({"id": p.id, "name": p.name, "sku": p.sku, "categories": p.categories}))
                .collect()
        })
        .map_err(|e| ApiError::from_domain(e, STYLE))?;
    let data: Vec<Value> = page_of(&all, page, limit).to_vec();
    let meta = wire::pagination(all.len(), data.len(), limit, page, &params.links_prefix());
    Ok(Json(json!({"data": data, "meta": meta})).into_response())
}

fn optional_string(item: &Value, key: &str, index: usize) -> ApiResult<Option<String>> {
    match item.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid(
            STYLE,
            Some(&format!("[{index}].{key}")),
            format!("{key} must be a string"),
        )),
    }
}

fn parse_update(index: usize, item: &Value) -> ApiResult<CustomerUpdate> {
    let id = item.get("id").and_then(Value::as_i64).ok_or_else(|| {
        ApiError::invalid(STYLE, Some(&format!("[{index}].id")), "id is required")
    })?;
    let store_credit_cents = match item.get("store_credit_amounts") {
        None | Some(Value::Null) => None,
        Some(Value::Array(amounts)) => Some(
            amounts
                .iter()
                .map(|a| {
                    amount(
                        a.get("amount").unwrap_or(&Value::Null),
                        &format!("[{index}].store_credit_amounts.amount"),
                        STYLE,
                    )
                })
                .try_fold(0_i64, |sum, cents| cents.map(|c| sum.saturating_add(c)))?,
        ),
        Some(_) => {
            return Err(ApiError::invalid(
                STYLE,
                Some(&format!("[{index}].store_credit_amounts")),
                "store_credit_amounts must be an array of {amount}",
            ));
        }
    };
    Ok(CustomerUpdate {
        id,
        email: optional_string(item, "email", index)?,
        first_name: optional_string(item, "first_name", index)?,
        last_name: optional_string(item, "last_name", index)?,
        company: optional_string(item, "company", index)?,
        phone: optional_string(item, "phone", index)?,
        notes: optional_string(item, "notes", index)?,
        store_credit_cents,
    })
}

/// `PUT /v3/customers`: a batch, applied all-or-nothing.
pub async fn update(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    body: Bytes,
) -> ApiResult<Response> {
    let body = json_value(&body, STYLE)?;
    let Value::Array(items) = body else {
        return Err(ApiError::invalid(
            STYLE,
            None,
            "The request body must be an array of customers.",
        ));
    };
    if items.len() > MAX_BATCH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            STYLE,
            format!("At most {MAX_BATCH} customers can be updated at once"),
        ));
    }
    let updates = items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_update(i, item))
        .collect::<ApiResult<Vec<_>>>()?;
    let ids: Vec<i64> = updates.iter().map(|u| u.id).collect();
    inner
        .mutate(&caller.store_hash, |tx| {
            catalog::update_customers(tx, updates)
        })
        .map_err(|e| ApiError::from_domain(e, STYLE))?;
    let data: Vec<Value> = inner
        .read(&caller.store_hash, |s| {
            ids.iter()
                .filter_map(|id| s.customers.get(id))
                .map(|c| wire::customer(c, true, false))
                .collect()
        })
        .map_err(|e| ApiError::from_domain(e, STYLE))?;
    Ok(Json(json!({"data": data, "meta": {}})).into_response())
}
