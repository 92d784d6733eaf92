//! Scripts API (`/v3/content/scripts`, `scripts.v3.yml`): the checkout script with its
//! Subresource Integrity hash. Only scripts created by this API account are visible.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha384};

use crate::client::StoreClient;
use crate::de;
use crate::envelope::Envelope;
use crate::error::Result;

/// Page size for listing scripts (an app has at most 10).
const SCRIPTS_PAGE_LIMIT: u32 = 50;

/// The SRI value of `bytes` as BigCommerce takes it in `integrity_hashes`: `sha384-` and
/// the standard (padded) base64 of the SHA-384 digest. Hash the exact bytes served.
pub fn sri_sha384(bytes: &[u8]) -> String {
    format!("sha384-{}", STANDARD.encode(Sha384::digest(bytes)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptKind {
    Src,
    ScriptTag,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadMethod {
    Default,
    Async,
    Defer,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptLocation {
    Head,
    Footer,
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptVisibility {
    Storefront,
    AllPages,
    Checkout,
    OrderConfirmation,
    #[serde(other)]
    Other,
}

/// `unknown` (the default when unset) hides the script behind a cookie-consent banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentCategory {
    Essential,
    Functional,
    Analytics,
    Targeting,
    #[serde(other)]
    Unknown,
}

/// A script as BigCommerce returns it (`script_Full`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Script {
    pub uuid: String,
    pub name: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub description: String,
    pub kind: ScriptKind,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub src: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub html: String,
    #[serde(default)]
    pub load_method: Option<LoadMethod>,
    #[serde(default)]
    pub location: Option<ScriptLocation>,
    #[serde(default)]
    pub visibility: Option<ScriptVisibility>,
    #[serde(default)]
    pub auto_uninstall: bool,
    #[serde(default)]
    pub consent_category: Option<ConsentCategory>,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "de::opt_uint")]
    pub channel_id: Option<u64>,
    #[serde(default)]
    pub integrity_hashes: Vec<String>,
    #[serde(default, deserialize_with = "de::opt_text")]
    pub api_client_id: Option<String>,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub date_created: String,
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub date_modified: String,
}

fn enabled_by_default() -> bool {
    true
}

/// Create body (`script_Post`; `name` required) and update body (`script_Put`; send only
/// what changes). Absent fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptWrite {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ScriptKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub src: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_method: Option<LoadMethod>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<ScriptLocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<ScriptVisibility>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_uninstall: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_category: Option<ConsentCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrity_hashes: Option<Vec<String>>,
}

impl ScriptWrite {
    /// An external (`kind: src`) script loaded in the footer of `visibility` pages,
    /// essential, enabled, removed by BigCommerce on uninstall, with the SRI hash of
    /// `script_bytes`.
    pub fn external(
        name: impl Into<String>,
        src: impl Into<String>,
        visibility: ScriptVisibility,
        channel_id: u64,
        script_bytes: &[u8],
    ) -> Self {
        ScriptWrite {
            name: Some(name.into()),
            description: None,
            kind: Some(ScriptKind::Src),
            src: Some(src.into()),
            html: None,
            load_method: Some(LoadMethod::Default),
            location: Some(ScriptLocation::Footer),
            visibility: Some(visibility),
            auto_uninstall: Some(true),
            consent_category: Some(ConsentCategory::Essential),
            enabled: Some(true),
            channel_id: Some(channel_id),
            integrity_hashes: Some(vec![sri_sha384(script_bytes)]),
        }
    }
}

impl StoreClient {
    /// `POST /v3/content/scripts` (200).
    pub async fn create_script(&self, script: &ScriptWrite) -> Result<Script> {
        let answer = self
            .send_json(Method::POST, &["v3", "content", "scripts"], script)
            .await?;
        Ok(answer.json::<Envelope<Script>>()?.data)
    }

    /// `GET /v3/content/scripts`, every page (this API account's scripts only).
    pub async fn list_scripts(&self) -> Result<Vec<Script>> {
        self.v3_get_all(
            &["v3", "content", "scripts"],
            Vec::new(),
            SCRIPTS_PAGE_LIMIT,
        )
        .await
    }

    /// `GET /v3/content/scripts/{uuid}`.
    pub async fn get_script(&self, uuid: &str) -> Result<Script> {
        self.v3_get(&["v3", "content", "scripts", uuid], Vec::new())
            .await
    }

    /// `PUT /v3/content/scripts/{uuid}` with the fields to change.
    pub async fn update_script(&self, uuid: &str, script: &ScriptWrite) -> Result<Script> {
        let answer = self
            .send_json(Method::PUT, &["v3", "content", "scripts", uuid], script)
            .await?;
        Ok(answer.json::<Envelope<Script>>()?.data)
    }

    /// `DELETE /v3/content/scripts/{uuid}` (204).
    pub async fn delete_script(&self, uuid: &str) -> Result<()> {
        self.send(
            Method::DELETE,
            &["v3", "content", "scripts", uuid],
            Vec::new(),
            None,
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sri_of_known_inputs() {
        // `printf '' | openssl dgst -sha384 -binary | openssl base64 -A`
        assert_eq!(
            sri_sha384(b""),
            "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
        );
        // `printf 'alert(1);' | openssl dgst -sha384 -binary | openssl base64 -A`
        assert_eq!(
            sri_sha384(b"alert(1);"),
            "sha384-dnux3uAPxaf+IhCrFG1D/XVNzP1XLDNcn3Pe3jyxouEAoot5kfwC5u8rMwNhE5oi"
        );
    }
}
