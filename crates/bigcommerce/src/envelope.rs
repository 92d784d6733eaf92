//! The v3 response envelope `{ "data": …, "meta": { "pagination": … } }` and page walking.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::client::{Query, StoreClient};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Envelope<T> {
    pub data: T,
    #[serde(default)]
    pub meta: Meta,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Meta {
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

/// v3 offset pagination (`meta.pagination`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Pagination {
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default)]
    pub per_page: Option<u64>,
    #[serde(default)]
    pub current_page: Option<u64>,
    #[serde(default)]
    pub total_pages: Option<u64>,
}

/// Upper bound on pages fetched by one "all pages" walk, so that a server ignoring `page`
/// cannot keep us looping (250 pages × 250 items is far beyond any single order).
pub(crate) const MAX_PAGES: u32 = 250;

impl StoreClient {
    /// One v3 object: `{data: T}`.
    pub(crate) async fn v3_get<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: Query,
    ) -> Result<T> {
        let answer = self.get(segments, query).await?;
        Ok(answer.json::<Envelope<T>>()?.data)
    }

    /// Every page of a v3 list (`page`/`limit` + `meta.pagination`). 204 = empty.
    pub(crate) async fn v3_get_all<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: Query,
        limit: u32,
    ) -> Result<Vec<T>> {
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let mut q = query.clone();
            q.push(("page".into(), page.to_string()));
            q.push(("limit".into(), limit.to_string()));
            let answer = self.get(segments, q).await?;
            if answer.is_empty() {
                return Ok(items);
            }
            let envelope: Envelope<Vec<T>> = answer.json()?;
            let got = envelope.data.len();
            items.extend(envelope.data);
            let more = match envelope.meta.pagination {
                Some(Pagination {
                    total_pages: Some(total),
                    current_page,
                    ..
                }) => current_page.unwrap_or(u64::from(page)) < total,
                // No pagination block: a full page may have a successor.
                _ => got >= limit as usize,
            };
            if !more || got == 0 {
                return Ok(items);
            }
        }
        Err(Error::decode(
            &format!("GET {}", segments.join("/")),
            format!("more than {MAX_PAGES} pages"),
        ))
    }

    /// Every page of a v2 list (`page`/`limit`; a short page or 204 ends it).
    pub(crate) async fn v2_get_all<T: DeserializeOwned>(
        &self,
        segments: &[&str],
        query: Query,
        limit: u32,
    ) -> Result<Vec<T>> {
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let mut q = query.clone();
            q.push(("page".into(), page.to_string()));
            q.push(("limit".into(), limit.to_string()));
            let answer = self.get(segments, q).await?;
            let batch: Vec<T> = answer.json_list()?;
            let got = batch.len();
            items.extend(batch);
            if got < limit as usize {
                return Ok(items);
            }
        }
        Err(Error::decode(
            &format!("GET {}", segments.join("/")),
            format!("more than {MAX_PAGES} pages"),
        ))
    }
}
