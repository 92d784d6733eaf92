//! Parsing what a request carries — JSON bodies, query strings, path ids — into values,
//! with BigCommerce's error styles instead of axum's plain-text rejections, and never a
//! panic on bad input.

use axum::body::Bytes;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::errors::{ApiError, ApiResult, Style};
use crate::bigcommerce::money::parse_amount;

/// The JSON body as a value: malformed or empty → 400.
pub fn json_value(body: &Bytes, style: Style) -> ApiResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::malformed_json(style, "the request body is empty"));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::malformed_json(style, e.to_string()))
}

/// The JSON body as `T`: malformed → 400; well-formed but wrong fields/types → 400 (v2)
/// or 422 (v3).
pub fn json_body<T: DeserializeOwned>(body: &Bytes, style: Style) -> ApiResult<T> {
    let value = json_value(body, style)?;
    from_value(value, style)
}

pub fn from_value<T: DeserializeOwned>(value: Value, style: Style) -> ApiResult<T> {
    serde_json::from_value(value).map_err(|e| ApiError::invalid(style, None, e.to_string()))
}

/// A money amount field (number or numeric string) in cents.
pub fn amount(value: &Value, field: &str, style: Style) -> ApiResult<i64> {
    parse_amount(value).ok_or_else(|| {
        ApiError::invalid(
            style,
            Some(field),
            format!("{field} must be an amount with at most two decimals"),
        )
    })
}

/// A numeric path id; anything else is a 404 (no such resource).
pub fn path_id(raw: &str, style: Style) -> ApiResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| ApiError::not_found(style))
}

/// A query string as ordered pairs (repeated keys allowed).
#[derive(Clone, Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        Self(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn int(&self, key: &str, style: Style) -> ApiResult<Option<i64>> {
        self.get(key)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    ApiError::invalid(style, Some(key), format!("{key} must be an integer"))
                        .with_status_for_query()
                })
            })
            .transpose()
    }

    /// `key=a,b` and `key=a&key=b` alike.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect()
    }

    pub fn ints(&self, key: &str, style: Style) -> ApiResult<Vec<i64>> {
        self.list(key)
            .iter()
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    ApiError::invalid(style, Some(key), format!("{key} must list integers"))
                        .with_status_for_query()
                })
            })
            .collect()
    }

    /// `page` (≥ 1, default 1) and `limit` (1–250, default 50).
    pub fn paging(&self, style: Style) -> ApiResult<(usize, usize)> {
        let page = self.int("page", style)?.unwrap_or(1);
        let limit = self.int("limit", style)?.unwrap_or(50);
        if page < 1 {
            return Err(
                ApiError::invalid(style, Some("page"), "page must be at least 1")
                    .with_status_for_query(),
            );
        }
        if !(1..=250).contains(&limit) {
            return Err(
                ApiError::invalid(style, Some("limit"), "limit must be between 1 and 250")
                    .with_status_for_query(),
            );
        }
        Ok((
            usize::try_from(page).unwrap_or(1),
            usize::try_from(limit).unwrap_or(50),
        ))
    }

    /// The query without paging, for pagination links.
    pub fn links_prefix(&self) -> String {
        let mut out = String::new();
        for (k, v) in &self.0 {
            if k == "page" || k == "limit" {
                continue;
            }
            let pair: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair(k, v)
                .finish();
            out.push_str(&pair);
            out.push('&');
        }
        out
    }
}

impl ApiError {
    /// Bad query parameters are 400 in both v2 and v3.
    pub fn with_status_for_query(mut self) -> Self {
        self.status = axum::http::StatusCode::BAD_REQUEST;
        self
    }
}

/// One page of `items`.
pub fn page_of<T: Clone>(items: &[T], page: usize, limit: usize) -> Vec<T> {
    items
        .iter()
        .skip((page - 1).saturating_mul(limit))
        .take(limit)
        .cloned()
        .collect()
}
