//! Accounts (the "account key/secret" SeQura gives a merchant) and the merchants
//! (one per country) each account may act for.

use serde::Serialize;

/// Username of the demo account every simulator starts with.
pub const DEMO_USERNAME: &str = "sequra_demo";
/// Password of the demo account.
pub const DEMO_PASSWORD: &str = "sequra_demo_secret";

/// One SeQura account: Basic-auth credentials and the merchants they can use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub username: String,
    pub password: String,
    pub merchants: Vec<Merchant>,
}

/// A merchant ref (`Sequra-Merchant-Id`, `order.merchant.id`) of one country.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merchant {
    pub reference: String,
    /// ISO-3166 alpha-2, e.g. `ES`.
    pub country: String,
    pub currency: String,
    pub assets_key: String,
    /// e.g. `services`, `allow_first_instalment_delay`, `with_registration`.
    pub contract_options: Vec<String>,
}

impl Merchant {
    /// A EUR merchant for `country` with no contract options.
    pub fn new(reference: &str, country: &str) -> Self {
        Self {
            reference: reference.to_owned(),
            country: country.to_owned(),
            currency: "EUR".to_owned(),
            assets_key: format!("{reference}_assets_key"),
            contract_options: Vec::new(),
        }
    }

    /// The element of `GET merchants/credentials` (§1.5.1), field for field.
    pub(crate) fn credentials_json(&self) -> serde_json::Value {
        #[derive(Serialize)]
        struct ExtraInformation {
            r#type: &'static str,
            phone_number: &'static str,
        }
        #[derive(Serialize)]
        struct Credentials<'a> {
            r#ref: &'a str,
            name: Option<&'a str>,
            country: &'a str,
            allowed_countries: [&'a str; 1],
            currency: &'a str,
            assets_key: &'a str,
            contract_options: &'a [String],
            extra_information: ExtraInformation,
            verify_signature: bool,
            signature_secret: String,
            confirmation_path: &'static str,
            realm: &'static str,
        }
        let credentials = Credentials {
            r#ref: &self.reference,
            name: None,
            country: &self.country,
            allowed_countries: [&self.country],
            currency: &self.currency,
            assets_key: &self.assets_key,
            contract_options: &self.contract_options,
            extra_information: ExtraInformation {
                r#type: "regular",
                phone_number: "",
            },
            verify_signature: false,
            // Stored but unused by integrations; derived so it is stable per merchant.
            signature_secret: hex::encode(self.reference.as_bytes()),
            confirmation_path: "default",
            realm: "sequra",
        };
        serde_json::to_value(credentials).unwrap_or(serde_json::Value::Null)
    }
}

/// The demo account: username [`DEMO_USERNAME`] (`sequra_demo`), password
/// [`DEMO_PASSWORD`] (`sequra_demo_secret`), with merchants `demo_es` (ES, contract
/// options `services`), `demo_fr` (FR), `demo_it` (IT) and `demo_pt` (PT), all EUR.
pub fn demo_account() -> Account {
    let mut es = Merchant::new("demo_es", "ES");
    es.contract_options = vec!["services".to_owned()];
    Account {
        username: DEMO_USERNAME.to_owned(),
        password: DEMO_PASSWORD.to_owned(),
        merchants: vec![
            es,
            Merchant::new("demo_fr", "FR"),
            Merchant::new("demo_it", "IT"),
            Merchant::new("demo_pt", "PT"),
        ],
    }
}
