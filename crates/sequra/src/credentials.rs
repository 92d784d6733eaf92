//! `GET merchants/credentials` (which merchants this account may act for, one per country)
//! and `GET merchants/{m}/credentials` (are these credentials valid for merchant `m`).

use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::client::{Segment, SequraClient};
use crate::error::Result;

/// One merchant of the account (spec §1.5.1). Fields the app uses are typed; everything
/// else SeQura sends is kept in `extra` so the whole object can be stored. `Debug` lists
/// only the names of the extra fields (one of them is `signature_secret`).
#[derive(Clone, PartialEq, Deserialize)]
pub struct MerchantCredentials {
    /// The merchant id (`Sequra-Merchant-Id`, `merchant.id`).
    #[serde(rename = "ref")]
    pub reference: String,
    #[serde(default)]
    pub name: Option<String>,
    /// ISO-3166 alpha-2.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    /// For the checkout/widget script.
    #[serde(default)]
    pub assets_key: Option<String>,
    /// e.g. `services`, `allow_first_instalment_delay`, `with_registration`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contract_options: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub allowed_countries: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MerchantCredentials {
    pub fn has_contract_option(&self, option: &str) -> bool {
        self.contract_options.iter().any(|o| o == option)
    }
}

impl fmt::Debug for MerchantCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MerchantCredentials")
            .field("ref", &self.reference)
            .field("name", &self.name)
            .field("country", &self.country)
            .field("currency", &self.currency)
            .field("assets_key", &self.assets_key)
            .field("contract_options", &self.contract_options)
            .field("allowed_countries", &self.allowed_countries)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

impl SequraClient {
    /// `GET merchants/credentials` (no merchant header): validates the username/password
    /// ([`Error::InvalidCredentials`](crate::Error::InvalidCredentials) on 401) and lists
    /// the account's merchants. Any 2xx is success; an empty body is an empty list.
    pub async fn credentials(&self) -> Result<Vec<MerchantCredentials>> {
        let answer = self
            .get(
                &[Segment::Fixed("merchants"), Segment::Fixed("credentials")],
                None,
            )
            .await?;
        if answer.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Vec::new());
        }
        answer.json()
    }

    /// `GET merchants/{m}/credentials`: succeeds (any 2xx, body ignored) when the
    /// credentials may act for merchant `m`; 403 ([`Error::Forbidden`](crate::Error::Forbidden))
    /// when they may not.
    pub async fn merchant_credentials(&self, merchant: &str) -> Result<()> {
        self.get(
            &[
                Segment::Fixed("merchants"),
                Segment::Id(merchant),
                Segment::Fixed("credentials"),
            ],
            Some(merchant),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_shape_and_keeps_the_rest() {
        let list: Vec<MerchantCredentials> = serde_json::from_str(
            r#"[{"ref": "shop_es", "name": null, "country": "ES", "allowed_countries": ["ES"],
                 "currency": "EUR", "assets_key": "AK1", "contract_options": ["services"],
                 "extra_information": {"type": "regular", "phone_number": ""},
                 "verify_signature": false, "signature_secret": "s3cr3t-value",
                 "confirmation_path": "default", "realm": "sequra"},
                {"ref": "shop_pt", "country": "PT", "contract_options": null}]"#,
        )
        .unwrap();
        let es = &list[0];
        assert_eq!(es.reference, "shop_es");
        assert_eq!(es.country.as_deref(), Some("ES"));
        assert_eq!(es.currency.as_deref(), Some("EUR"));
        assert_eq!(es.assets_key.as_deref(), Some("AK1"));
        assert!(es.has_contract_option("services"));
        assert_eq!(es.extra["realm"], "sequra");
        assert!(!format!("{es:?}").contains("s3cr3t-value"));
        assert!(list[1].contract_options.is_empty());
        assert!(
            serde_json::from_str::<Vec<MerchantCredentials>>(r#"[{"country": "ES"}]"#).is_err()
        );
    }
}
