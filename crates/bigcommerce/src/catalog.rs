//! Catalog API: the categories of products (the app honours a merchant's excluded
//! categories, merchant-guide "General settings").

use serde::Deserialize;

use crate::client::{Query, StoreClient};
use crate::error::Result;

/// One product as the app reads it: `GET /v3/catalog/products?include_fields=categories`
/// (BigCommerce always adds `id`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct ProductCategories {
    pub id: u64,
    #[serde(default)]
    pub categories: Vec<u64>,
}

/// BigCommerce caps `limit` at 250 for catalog lists.
const PAGE_LIMIT: u32 = 250;

impl StoreClient {
    /// The categories of the given products; unknown (deleted) ids are simply absent.
    pub async fn get_product_categories(&self, ids: &[u64]) -> Result<Vec<ProductCategories>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(u64::to_string).collect();
        let query: Query = vec![
            ("id:in".into(), list.join(",")),
            ("include_fields".into(), "categories".into()),
        ];
        self.v3_get_all(&["v3", "catalog", "products"], query, PAGE_LIMIT)
            .await
    }
}
