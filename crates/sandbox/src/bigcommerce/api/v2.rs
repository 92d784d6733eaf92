//! REST v2: store information, order statuses, orders and their sub-resources, shipments.
//! Empty collections answer 204 with no body (§1.2).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::errors::{ApiError, ApiResult, Style};
use super::params::{Params, amount, from_value, json_body, json_value, page_of, path_id};
use crate::bigcommerce::ApiCaller;
use crate::bigcommerce::domain::orders::{self, AddressPatch, OrderEdit, OrderUpdate};
use crate::bigcommerce::domain::shipments::{self, NewShipment, ShipmentPatch};
use crate::bigcommerce::domain::totals::order_totals;
use crate::bigcommerce::model::{ORDER_STATUSES, Order, status};
use crate::bigcommerce::state::Inner;
use crate::bigcommerce::wire;

const STYLE: Style = Style::V2;

type Shared = State<Arc<Inner>>;

fn err(e: crate::bigcommerce::domain::DomainError) -> ApiError {
    ApiError::from_domain(e, STYLE)
}

fn list_or_204(items: Vec<Value>) -> Response {
    if items.is_empty() {
        StatusCode::NO_CONTENT.into_response()
    } else {
        Json(Value::Array(items)).into_response()
    }
}

pub async fn store(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
) -> ApiResult<Response> {
    let body = inner
        .read(&caller.store_hash, |s| wire::store_info(&s.profile))
        .map_err(err)?;
    Ok(Json(body).into_response())
}

pub async fn order_statuses(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
) -> ApiResult<Response> {
    let body = inner
        .read(&caller.store_hash, wire::order_statuses)
        .map_err(err)?;
    Ok(Json(body).into_response())
}

pub async fn order_status(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = usize::try_from(path_id(&id, STYLE)?).map_err(|_| ApiError::not_found(STYLE))?;
    let (name, description) = ORDER_STATUSES
        .get(id)
        .ok_or_else(|| ApiError::not_found(STYLE))?;
    let body = inner
        .read(&caller.store_hash, |s| {
            wire::order_status(s, id, name, description)
        })
        .map_err(err)?;
    Ok(Json(body).into_response())
}

fn parse_date(raw: &str, key: &str) -> ApiResult<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(raw)
        .or_else(|_| DateTime::parse_from_rfc3339(raw))
        .map(|d| d.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
                .ok_or(())
        })
        .map_err(|_| {
            ApiError::invalid(
                STYLE,
                Some(key),
                format!("{key} must be an RFC-2822 or ISO-8601 date"),
            )
        })
}

/// The filters of `GET /v2/orders` (§4.2).
fn order_filter(params: &Params) -> ApiResult<impl Fn(&Order) -> bool + use<>> {
    let int = |k: &str| params.int(k, STYLE);
    let money = |k: &str| {
        params
            .get(k)
            .map(|v| amount(&Value::String(v.to_owned()), k, STYLE))
            .transpose()
    };
    let date = |k: &str| params.get(k).map(|v| parse_date(v, k)).transpose();
    let min_id = int("min_id")?;
    let max_id = int("max_id")?;
    let min_total = money("min_total")?;
    let max_total = money("max_total")?;
    let customer_id = int("customer_id")?;
    let status_id = int("status_id")?;
    let channel_id = int("channel_id")?;
    let min_created = date("min_date_created")?;
    let max_created = date("max_date_created")?;
    let min_modified = date("min_date_modified")?;
    let max_modified = date("max_date_modified")?;
    let email = params.get("email").map(str::to_owned);
    let cart_id = params.get("cart_id").map(str::to_owned);
    let payment_method = params.get("payment_method").map(str::to_owned);
    let is_deleted = match params.get("is_deleted") {
        None => false,
        Some("true") => true,
        Some("false") => false,
        Some(_) => {
            return Err(ApiError::invalid(
                STYLE,
                Some("is_deleted"),
                "is_deleted must be true or false",
            ));
        }
    };
    Ok(move |o: &Order| {
        let total = order_totals(o).total;
        o.is_deleted == is_deleted
            && min_id.is_none_or(|v| o.id >= v)
            && max_id.is_none_or(|v| o.id <= v)
            && min_total.is_none_or(|v| total >= v)
            && max_total.is_none_or(|v| total <= v)
            && customer_id.is_none_or(|v| o.customer_id == v)
            && status_id.is_none_or(|v| i64::from(o.status_id) == v)
            && channel_id.is_none_or(|v| o.channel_id == v)
            && min_created.is_none_or(|v| o.created_at >= v)
            && max_created.is_none_or(|v| o.created_at <= v)
            && min_modified.is_none_or(|v| o.modified_at >= v)
            && max_modified.is_none_or(|v| o.modified_at <= v)
            && email
                .as_deref()
                .is_none_or(|v| o.billing_address.email.eq_ignore_ascii_case(v))
            && cart_id
                .as_deref()
                .is_none_or(|v| o.cart_id.as_deref() == Some(v))
            && payment_method
                .as_deref()
                .is_none_or(|v| o.payment_method == v)
    })
}

fn sort_orders(orders: &mut [Order], sort: Option<&str>) -> ApiResult<()> {
    let Some(sort) = sort else {
        return Ok(());
    };
    let (field, direction) = sort.split_once(':').unwrap_or((sort, "asc"));
    match field {
        "id" => orders.sort_by_key(|o| o.id),
        "date_created" => orders.sort_by_key(|o| (o.created_at, o.id)),
        "date_modified" => orders.sort_by_key(|o| (o.modified_at, o.id)),
        "status_id" => orders.sort_by_key(|o| (o.status_id, o.id)),
        "customer_id" => orders.sort_by_key(|o| (o.customer_id, o.id)),
        "channel_id" => orders.sort_by_key(|o| (o.channel_id, o.id)),
        _ => {
            return Err(ApiError::invalid(
                STYLE,
                Some("sort"),
                format!("cannot sort by {field}"),
            ));
        }
    }
    match direction {
        "asc" => Ok(()),
        "desc" => {
            orders.reverse();
            Ok(())
        }
        _ => Err(ApiError::invalid(
            STYLE,
            Some("sort"),
            "direction must be asc or desc",
        )),
    }
}

/// `include=fees` puts the order's custom fees in `fees` as a list instead of the resource
/// link. The simulated stores have no fees, so the list is always empty. (The
/// `consignments` includes are not simulated.)
fn apply_includes(order: &mut Value, params: &Params) {
    if params.list("include").iter().any(|i| i == "fees")
        && let Some(fields) = order.as_object_mut()
    {
        fields.insert("fees".into(), json!([]));
    }
}

pub async fn list_orders(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = Params::parse(query.as_deref());
    let (page, limit) = params.paging(STYLE)?;
    let filter = order_filter(&params)?;
    let base = inner.base_url.clone();
    let items = inner
        .read(&caller.store_hash, |store| {
            let mut orders: Vec<Order> = store
                .orders
                .values()
                .filter(|o| filter(o))
                .cloned()
                .collect();
            sort_orders(&mut orders, params.get("sort"))?;
            Ok::<_, ApiError>(
                page_of(&orders, page, limit)
                    .iter()
                    .map(|o| {
                        let mut order = wire::order(store, o, &base);
                        apply_includes(&mut order, &params);
                        order
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .map_err(err)??;
    Ok(list_or_204(items))
}

pub async fn count_orders(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
) -> ApiResult<Response> {
    let body = inner
        .read(&caller.store_hash, |store| {
            let live: Vec<&Order> = store.orders.values().filter(|o| !o.is_deleted).collect();
            let statuses: Vec<Value> = ORDER_STATUSES
                .iter()
                .enumerate()
                .map(|(id, (name, _))| {
                    json!({
                        "id": id,
                        "name": name,
                        "system_label": name,
                        "custom_label": store.status_label(u8::try_from(id).unwrap_or(0)),
                        "system_description": "",
                        "count": live.iter().filter(|o| usize::from(o.status_id) == id).count(),
                        "sort_order": id,
                    })
                })
                .collect();
            json!({"count": live.len(), "statuses": statuses})
        })
        .map_err(err)?;
    Ok(Json(body).into_response())
}

fn order_of(store: &crate::bigcommerce::model::StoreState, id: i64) -> ApiResult<Order> {
    store
        .orders
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(STYLE))
}

pub async fn get_order(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let base = inner.base_url.clone();
    let mut body = inner
        .read(&caller.store_hash, |store| {
            order_of(store, id).map(|o| wire::order(store, &o, &base))
        })
        .map_err(err)??;
    apply_includes(&mut body, &Params::parse(query.as_deref()));
    Ok(Json(body).into_response())
}

fn string_field(map: &Map<String, Value>, key: &str) -> ApiResult<Option<String>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::invalid(
            STYLE,
            Some(key),
            format!("The field '{key}' is invalid: a string is expected"),
        )),
    }
}

#[derive(Deserialize)]
struct ShippingAddressPatch {
    id: i64,
    #[serde(flatten)]
    patch: AddressPatch,
}

#[derive(Deserialize)]
struct ProductChange {
    id: Option<i64>,
    product_id: Option<i64>,
    quantity: i64,
    order_address_id: Option<i64>,
}

/// The body of `PUT /v2/orders/{id}`: the fields the simulator keeps; others are ignored.
fn order_update(body: Value) -> ApiResult<OrderUpdate> {
    let Value::Object(map) = body else {
        return Err(ApiError::invalid(
            STYLE,
            None,
            "The request body must be an object.",
        ));
    };
    let mut update = OrderUpdate {
        payment_method: string_field(&map, "payment_method")?,
        staff_notes: string_field(&map, "staff_notes")?,
        customer_message: string_field(&map, "customer_message")?,
        ..OrderUpdate::default()
    };
    match map.get("status_id") {
        None | Some(Value::Null) => {}
        Some(value) => {
            let id = value
                .as_u64()
                .and_then(|v| u8::try_from(v).ok())
                .filter(|v| *v <= status::MAX)
                .ok_or_else(|| {
                    ApiError::invalid(
                        STYLE,
                        Some("status_id"),
                        "The field 'status_id' is invalid: it must be an order status id (0-14)",
                    )
                })?;
            update.status_id = Some(id);
        }
    }
    match map.get("payment_provider_id") {
        None => {}
        Some(v @ (Value::String(_) | Value::Number(_) | Value::Null)) => {
            update.payment_provider_id = Some(if v.is_null() { json!("") } else { v.clone() });
        }
        Some(_) => {
            return Err(ApiError::invalid(
                STYLE,
                Some("payment_provider_id"),
                "The field 'payment_provider_id' is invalid: a string or number is expected",
            ));
        }
    }
    match map.get("is_email_opt_in") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => update.is_email_opt_in = Some(*b),
        Some(_) => {
            return Err(ApiError::invalid(
                STYLE,
                Some("is_email_opt_in"),
                "The field 'is_email_opt_in' is invalid: a boolean is expected",
            ));
        }
    }
    if let Some(value) = map.get("billing_address") {
        let patch: AddressPatch = from_value(value.clone(), STYLE)?;
        update.edits.push(OrderEdit::PatchBillingAddress(patch));
    }
    if let Some(value) = map.get("shipping_addresses") {
        let patches: Vec<ShippingAddressPatch> = from_value(value.clone(), STYLE)?;
        for p in patches {
            update.edits.push(OrderEdit::PatchShippingAddress {
                address_id: p.id,
                patch: p.patch,
            });
        }
    }
    if let Some(value) = map.get("products") {
        let changes: Vec<ProductChange> = from_value(value.clone(), STYLE)?;
        for change in changes {
            match (change.id, change.product_id) {
                (Some(id), _) => update.edits.push(OrderEdit::SetQuantity {
                    order_product_id: id,
                    quantity: change.quantity,
                }),
                (None, Some(product_id)) => update.edits.push(OrderEdit::AddItem {
                    product_id,
                    quantity: change.quantity,
                    order_address_id: change.order_address_id,
                }),
                (None, None) => {
                    return Err(ApiError::invalid(
                        STYLE,
                        Some("products"),
                        "each product needs an id (to change) or a product_id (to add)",
                    ));
                }
            }
        }
    }
    if let Some(value) = map.get("discount_amount") {
        let cents = amount(value, "discount_amount", STYLE)?;
        update.edits.push(OrderEdit::SetDiscount { cents });
    }
    Ok(update)
}

pub async fn put_order(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let update = order_update(json_value(&body, STYLE)?)?;
    inner
        .mutate(&caller.store_hash, |tx| {
            orders::update_order(tx, id, update)
        })
        .map_err(err)?;
    get_order(
        State(inner),
        Extension(caller),
        Path((String::new(), id.to_string())),
        RawQuery(None),
    )
    .await
}

pub async fn delete_order(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    inner
        .mutate(&caller.store_hash, |tx| orders::archive_order(tx, id))
        .map_err(err)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn order_products(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let (page, limit) = Params::parse(query.as_deref()).paging(STYLE)?;
    let items = inner
        .read(&caller.store_hash, |store| {
            order_of(store, id).map(|o| page_of(&wire::order_products(store, &o), page, limit))
        })
        .map_err(err)??;
    Ok(list_or_204(items))
}

pub async fn order_product(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id, product_id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let product_id = path_id(&product_id, STYLE)?;
    let item = inner
        .read(&caller.store_hash, |store| {
            order_of(store, id).and_then(|o| {
                wire::order_products(store, &o)
                    .into_iter()
                    .find(|p| p.get("id").and_then(Value::as_i64) == Some(product_id))
                    .ok_or_else(|| ApiError::not_found(STYLE))
            })
        })
        .map_err(err)??;
    Ok(Json(item).into_response())
}

pub async fn order_shipping_addresses(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let (page, limit) = Params::parse(query.as_deref()).paging(STYLE)?;
    let base = inner.base_url.clone();
    let items = inner
        .read(&caller.store_hash, |store| {
            order_of(store, id).map(|o| {
                page_of(
                    &wire::order_shipping_addresses(store, &o, &base),
                    page,
                    limit,
                )
            })
        })
        .map_err(err)??;
    Ok(list_or_204(items))
}

pub async fn order_coupons(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let (page, limit) = Params::parse(query.as_deref()).paging(STYLE)?;
    let items = inner
        .read(&caller.store_hash, |store| {
            order_of(store, id).map(|o| page_of(&wire::order_coupons(&o), page, limit))
        })
        .map_err(err)??;
    Ok(list_or_204(items))
}

// ------------------------------------------------------------------------------------
// Shipments

fn shipments_of(
    store: &crate::bigcommerce::model::StoreState,
    order_id: i64,
) -> ApiResult<Vec<Value>> {
    order_of(store, order_id)?;
    Ok(store
        .shipments
        .values()
        .filter(|s| s.order_id == order_id)
        .map(|s| wire::shipment(store, s))
        .collect())
}

pub async fn list_shipments(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let (page, limit) = Params::parse(query.as_deref()).paging(STYLE)?;
    let items = inner
        .read(&caller.store_hash, |store| {
            shipments_of(store, id).map(|all| page_of(&all, page, limit))
        })
        .map_err(err)??;
    Ok(list_or_204(items))
}

pub async fn count_shipments(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let count = inner
        .read(&caller.store_hash, |store| {
            shipments_of(store, id).map(|all| all.len())
        })
        .map_err(err)??;
    Ok(Json(json!({"count": count})).into_response())
}

#[derive(Deserialize)]
struct ShipmentItemBody {
    order_product_id: i64,
    quantity: i64,
}

#[derive(Deserialize)]
struct NewShipmentBody {
    order_address_id: i64,
    items: Vec<ShipmentItemBody>,
    #[serde(default)]
    tracking_number: String,
    #[serde(default)]
    tracking_carrier: String,
    #[serde(default)]
    tracking_link: String,
    #[serde(default)]
    shipping_provider: String,
    #[serde(default)]
    shipping_method: String,
    #[serde(default)]
    comments: String,
}

pub async fn create_shipment(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let body: NewShipmentBody = json_body(&body, STYLE)?;
    let new = NewShipment {
        order_address_id: body.order_address_id,
        items: body
            .items
            .iter()
            .map(|i| (i.order_product_id, i.quantity))
            .collect(),
        tracking_number: body.tracking_number,
        tracking_carrier: body.tracking_carrier,
        tracking_link: body.tracking_link,
        shipping_provider: body.shipping_provider,
        shipping_method: body.shipping_method,
        comments: body.comments,
    };
    let shipment_id = inner
        .mutate(&caller.store_hash, |tx| {
            shipments::create_shipment(tx, id, new)
        })
        .map_err(err)?;
    let shipment = shipment_json(&inner, &caller, id, shipment_id)?;
    Ok((StatusCode::CREATED, Json(shipment)).into_response())
}

fn shipment_json(
    inner: &Inner,
    caller: &ApiCaller,
    order_id: i64,
    shipment_id: i64,
) -> ApiResult<Value> {
    inner
        .read(&caller.store_hash, |store| {
            store
                .shipments
                .get(&shipment_id)
                .filter(|s| s.order_id == order_id && store.orders.contains_key(&order_id))
                .map(|s| wire::shipment(store, s))
                .ok_or_else(|| ApiError::not_found(STYLE))
        })
        .map_err(err)?
}

pub async fn get_shipment(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id, shipment_id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let shipment_id = path_id(&shipment_id, STYLE)?;
    Ok(Json(shipment_json(&inner, &caller, id, shipment_id)?).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShipmentPatchBody {
    tracking_number: Option<String>,
    tracking_carrier: Option<String>,
    tracking_link: Option<String>,
    shipping_provider: Option<String>,
    shipping_method: Option<String>,
    comments: Option<String>,
}

pub async fn update_shipment(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id, shipment_id)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let shipment_id = path_id(&shipment_id, STYLE)?;
    let body: ShipmentPatchBody = json_body(&body, STYLE)?;
    let patch = ShipmentPatch {
        tracking_number: body.tracking_number,
        tracking_carrier: body.tracking_carrier,
        tracking_link: body.tracking_link,
        shipping_provider: body.shipping_provider,
        shipping_method: body.shipping_method,
        comments: body.comments,
    };
    inner
        .mutate(&caller.store_hash, |tx| {
            shipments::update_shipment(tx, id, shipment_id, patch)
        })
        .map_err(err)?;
    Ok(Json(shipment_json(&inner, &caller, id, shipment_id)?).into_response())
}

pub async fn delete_shipment(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id, shipment_id)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    let shipment_id = path_id(&shipment_id, STYLE)?;
    inner
        .mutate(&caller.store_hash, |tx| {
            shipments::delete_shipment(tx, id, shipment_id)
        })
        .map_err(err)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn delete_shipments(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let id = path_id(&id, STYLE)?;
    inner
        .mutate(&caller.store_hash, |tx| {
            shipments::delete_all_shipments(tx, id)
        })
        .map_err(err)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
