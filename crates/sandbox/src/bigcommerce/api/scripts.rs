//! REST v3 `/v3/content/scripts`: each API account sees and changes only its own scripts.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult, Style};
use super::params::{Params, json_body, page_of};
use super::scopes::CHECKOUT_CONTENT;
use crate::bigcommerce::ApiCaller;
use crate::bigcommerce::domain::DomainError;
use crate::bigcommerce::domain::scripts::{self, ScriptInput};
use crate::bigcommerce::model::Script;
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

#[derive(Deserialize, Default)]
#[serde(default)]
struct ScriptBody {
    name: Option<String>,
    description: Option<String>,
    kind: Option<String>,
    src: Option<String>,
    html: Option<String>,
    load_method: Option<String>,
    location: Option<String>,
    visibility: Option<String>,
    auto_uninstall: Option<bool>,
    consent_category: Option<String>,
    enabled: Option<bool>,
    channel_id: Option<i64>,
    integrity_hashes: Option<Vec<String>>,
}

impl From<ScriptBody> for ScriptInput {
    fn from(b: ScriptBody) -> Self {
        ScriptInput {
            name: b.name,
            description: b.description,
            kind: b.kind,
            src: b.src,
            html: b.html,
            load_method: b.load_method,
            location: b.location,
            visibility: b.visibility,
            auto_uninstall: b.auto_uninstall,
            consent_category: b.consent_category,
            enabled: b.enabled,
            channel_id: b.channel_id,
            integrity_hashes: b.integrity_hashes,
        }
    }
}

pub async fn list(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = Params::parse(query.as_deref());
    let (page, limit) = params.paging(STYLE)?;
    let channels = params.ints("channel_id:in", STYLE)?;
    let mut all: Vec<Script> = inner
        .read(&caller.store_hash, |s| scripts::list(s, &caller.client_id))
        .map_err(err)?
        .into_iter()
        .filter(|s| channels.is_empty() || channels.contains(&s.channel_id))
        .collect();
    match params.get("sort") {
        None => {}
        Some("name") => all.sort_by(|a, b| a.name.cmp(&b.name)),
        Some("description") => all.sort_by(|a, b| a.description.cmp(&b.description)),
        Some("date_created") => all.sort_by_key(|s| s.created_at),
        Some("date_modified") => all.sort_by_key(|s| s.modified_at),
        Some(_) => {
            return Err(ApiError::invalid(
                STYLE,
                Some("sort"),
                "sort must be name, description, date_created or date_modified",
            )
            .with_status_for_query());
        }
    }
    match params.get("direction") {
        None | Some("asc") => {}
        Some("desc") => all.reverse(),
        Some(_) => {
            return Err(ApiError::invalid(
                STYLE,
                Some("direction"),
                "direction must be asc or desc",
            )
            .with_status_for_query());
        }
    }
    let data: Vec<Value> = page_of(&all, page, limit)
        .iter()
        .map(wire::script)
        .collect();
    let meta = wire::pagination(all.len(), data.len(), limit, page, &params.links_prefix());
    Ok(Json(json!({"data": data, "meta": meta})).into_response())
}

pub async fn create(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    body: Bytes,
) -> ApiResult<Response> {
    let body: ScriptBody = json_body(&body, STYLE)?;
    let can_use_checkout = caller.has_scope(CHECKOUT_CONTENT);
    let script = inner
        .mutate(&caller.store_hash, |tx| {
            scripts::create(tx, &caller.client_id, body.into(), can_use_checkout)
        })
        .map_err(err)?;
    Ok(envelope(wire::script(&script)))
}

pub async fn get(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, uuid)): Path<(String, String)>,
) -> ApiResult<Response> {
    let script = inner
        .read(&caller.store_hash, |s| {
            scripts::get(s, &caller.client_id, &uuid)
        })
        .map_err(err)?
        .map_err(err)?;
    Ok(envelope(wire::script(&script)))
}

pub async fn update(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, uuid)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let body: ScriptBody = json_body(&body, STYLE)?;
    let can_use_checkout = caller.has_scope(CHECKOUT_CONTENT);
    let script = inner
        .mutate(&caller.store_hash, |tx| {
            scripts::update(tx, &caller.client_id, &uuid, body.into(), can_use_checkout)
        })
        .map_err(err)?;
    Ok(envelope(wire::script(&script)))
}

pub async fn delete(
    State(inner): Shared,
    Extension(caller): Extension<ApiCaller>,
    Path((_, uuid)): Path<(String, String)>,
) -> ApiResult<Response> {
    inner
        .mutate(&caller.store_hash, |tx| {
            scripts::delete(tx, &caller.client_id, &uuid)
        })
        .map_err(err)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
