//! `GET /v2/store`: store information (`store_information.v2.yml`).

use serde::Deserialize;

use crate::client::StoreClient;
use crate::de;
use crate::error::Result;

/// What the app reads at install and on every load: URLs, currency, checkout type, channel.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct StoreInformation {
    /// The store hash.
    pub id: String,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub account_uuid: Option<String>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub domain: String,
    /// Storefront URL, e.g. `https://tienda.example.es`.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub secure_url: String,
    /// `https://store-{hash}.mybigcommerce.com`: the parent origin of the app iframe.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub control_panel_base_url: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub status: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub first_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub last_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub address: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub country: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub country_code: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub phone: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub admin_email: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub order_email: String,
    #[serde(default)]
    pub timezone: Option<Timezone>,
    /// e.g. `es`.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub language: String,
    /// Default currency code, e.g. `EUR`.
    pub currency: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub currency_symbol: String,
    #[serde(default, deserialize_with = "de::opt_uint32")]
    pub decimal_places: Option<u32>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub decimal_separator: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub thousands_separator: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub currency_symbol_location: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub plan_name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub plan_level: String,
    #[serde(default)]
    pub plan_is_trial: bool,
    #[serde(default)]
    pub is_price_entered_with_tax: bool,
    /// The numeric store id (webhooks' `store_id`).
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub store_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub default_channel_id: Option<u64>,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub default_site_id: Option<u64>,
    #[serde(default)]
    pub features: StoreFeatures,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Timezone {
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "de::opt_int")]
    pub raw_offset: Option<i64>,
    #[serde(default, deserialize_with = "de::opt_int")]
    pub dst_offset: Option<i64>,
    #[serde(default)]
    pub dst_correction: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
pub struct StoreFeatures {
    #[serde(default)]
    pub stencil_enabled: bool,
    #[serde(default)]
    pub sitewidehttps_enabled: bool,
    /// `optimized` (scripts on checkout need it), `single`, `single_customizable`, `klarna`.
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub checkout_type: String,
    #[serde(default)]
    pub wishlists_enabled: bool,
    #[serde(default)]
    pub graphql_storefront_api_enabled: bool,
    #[serde(default)]
    pub shopper_consent_tracking_enabled: bool,
    #[serde(default)]
    pub multi_storefront_enabled: bool,
}

impl StoreFeatures {
    /// Optimized One-Page Checkout: the only checkout that renders Scripts API scripts.
    pub fn has_optimized_checkout(&self) -> bool {
        self.checkout_type == "optimized"
    }
}

impl StoreClient {
    /// `GET /v2/store`.
    pub async fn get_store_information(&self) -> Result<StoreInformation> {
        self.get(&["v2", "store"], Vec::new()).await?.json()
    }
}
