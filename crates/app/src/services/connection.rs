//! The SeQura connection of a store: credentials (checked against SeQura before anything
//! is saved), selling countries with a merchant ID each (each checked against SeQura),
//! payment methods per country, disconnect.

use std::collections::BTreeMap;
use std::time::Duration;

use secrecy::SecretString;
use sequra::{ClientConfig, SequraClient};
use serde::Deserialize;

use crate::crypto::SecretField;
use crate::db::settings::CountryRow;
use crate::domain::{Environment, StoreHash};
use crate::state::AppState;
use crate::web::{AppError, FieldError};

/// The countries SeQura sells in (sequra-api.md §3.6).
pub const SELLING_COUNTRIES: [(&str, &str); 6] = [
    ("ES", "Spain"),
    ("FR", "France"),
    ("IT", "Italy"),
    ("PT", "Portugal"),
    ("CO", "Colombia"),
    ("PE", "Peru"),
];

pub fn country_name(code: &str) -> &'static str {
    SELLING_COUNTRIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("Unknown country", |(_, n)| n)
}

/// A client for SeQura's API in `environment` with these credentials.
pub fn client(
    state: &AppState,
    environment: Environment,
    username: &str,
    password: SecretString,
) -> Result<SequraClient, AppError> {
    let base = match environment {
        Environment::Sandbox => &state.config.sequra_sandbox_api_url,
        Environment::Live => &state.config.sequra_live_api_url,
    };
    let config =
        ClientConfig::new(base.clone(), username, password).with_timeout(Duration::from_secs(15));
    SequraClient::new(state.http.clone(), config).map_err(|e| AppError::Internal(e.into()))
}

/// The store's saved connection, opened.
pub struct Connection {
    pub environment: Environment,
    pub username: String,
    pub client: SequraClient,
}

pub async fn connection(
    state: &AppState,
    store: &StoreHash,
) -> Result<Option<Connection>, AppError> {
    let Some(row) = state.db.connection(store).await? else {
        return Ok(None);
    };
    let environment = Environment::parse(&row.environment)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("stored environment is invalid")))?;
    let password = state
        .sealer
        .open(store.as_str(), SecretField::SequraPassword, &row.password)
        .map_err(|e| AppError::Internal(e.into()))?;
    let client = client(state, environment, &row.username, password)?;
    Ok(Some(Connection {
        environment,
        username: row.username,
        client,
    }))
}

/// The connect / change-credentials form as submitted.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ConnectionForm {
    #[serde(default)]
    pub environment: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// Set by the confirmation step when the change switches environment.
    pub confirmed: Option<String>,
}

impl ConnectionForm {
    pub fn environment_label(&self) -> &'static str {
        if self.environment == "live" {
            "live"
        } else {
            "sandbox"
        }
    }
}

impl ConnectionForm {
    /// Checks the form before anything is sent to SeQura: the environment, and a username
    /// and password SeQura could have issued. Returns the environment and the trimmed
    /// username, or an error per field.
    pub fn validate(&self) -> Result<(Environment, &str), Vec<FieldError>> {
        let mut errors = Vec::new();
        let environment = match Environment::parse(self.environment.trim()) {
            Ok(e) => Some(e),
            Err(_) => {
                errors.push(FieldError::new("environment", "Choose sandbox or live."));
                None
            }
        };
        let username = self.username.trim();
        if username.is_empty() {
            errors.push(FieldError::new("username", "Enter your SeQura username."));
        } else if username.len() > 255 || username.contains(':') {
            errors.push(FieldError::new(
                "username",
                "This is not a SeQura username.",
            ));
        }
        if self.password.is_empty() {
            errors.push(FieldError::new("password", "Enter your SeQura password."));
        } else if self.password.len() > 1024 {
            errors.push(FieldError::new(
                "password",
                "This is not a SeQura password.",
            ));
        }
        match environment {
            Some(environment) if errors.is_empty() => Ok((environment, username)),
            _ => Err(errors),
        }
    }
}

#[derive(Debug)]
pub enum ConnectOutcome {
    Saved,
    /// Valid credentials that switch environment while countries are configured: the
    /// merchant must confirm (their countries will be removed).
    NeedsConfirmation,
    Invalid(Vec<FieldError>),
    /// SeQura could not be reached or answered unexpectedly; nothing was saved.
    Unreachable,
}

pub async fn connect(
    state: &AppState,
    store: &StoreHash,
    form: &ConnectionForm,
) -> Result<ConnectOutcome, AppError> {
    let (environment, username) = match form.validate() {
        Ok(valid) => valid,
        Err(errors) => return Ok(ConnectOutcome::Invalid(errors)),
    };

    let password = SecretString::from(form.password.clone());
    let candidate = client(state, environment, username, password.clone())?;
    match candidate.credentials().await {
        Ok(_) => {}
        Err(sequra::Error::InvalidCredentials { .. }) => {
            return Ok(ConnectOutcome::Invalid(vec![FieldError::new(
                "password",
                format!(
                    "SeQura did not accept this username and password in the {} environment.",
                    environment.as_str()
                ),
            )]));
        }
        Err(err) => {
            tracing::warn!(store = %store, error = %err, "SeQura credential check failed");
            return Ok(ConnectOutcome::Unreachable);
        }
    }

    let previous = state.db.connection(store).await?;
    let switches = previous
        .as_ref()
        .is_some_and(|p| p.environment != environment.as_str());
    let has_countries = !state.db.countries(store).await?.is_empty();
    if switches && has_countries && form.confirmed.as_deref() != Some("1") {
        return Ok(ConnectOutcome::NeedsConfirmation);
    }
    let sealed = state
        .sealer
        .seal(store.as_str(), SecretField::SequraPassword, &password);
    state
        .db
        .set_connection(store, environment.as_str(), username, &sealed)
        .await?;
    if switches {
        // Merchant IDs belong to one environment.
        state.db.replace_countries(store, &[]).await?;
    }
    tracing::info!(store = %store, env = environment.as_str(), "connected to SeQura");
    Ok(ConnectOutcome::Saved)
}

pub async fn disconnect(state: &AppState, store: &StoreHash) -> Result<(), AppError> {
    state.db.delete_connection(store).await?;
    tracing::info!(store = %store, "disconnected from SeQura");
    Ok(())
}

/// One row of the selling-countries form.
#[derive(Clone, Debug)]
pub struct CountryChoice {
    pub code: &'static str,
    pub name: &'static str,
    pub enabled: bool,
    pub merchant_id: String,
    pub error: Option<String>,
}

/// The countries form as it should first appear: what is saved, or — during onboarding —
/// the merchants SeQura lists for the account, one per country.
pub async fn country_choices(
    state: &AppState,
    store: &StoreHash,
    connection: &Connection,
) -> Result<Vec<CountryChoice>, AppError> {
    let saved = state.db.countries(store).await?;
    let mut prefill: BTreeMap<String, String> = BTreeMap::new();
    if saved.is_empty() {
        match connection.client.credentials().await {
            Ok(merchants) => {
                for m in merchants {
                    if let Some(country) = m.country {
                        prefill.entry(country).or_insert(m.reference);
                    }
                }
            }
            Err(err) => tracing::warn!(store = %store, error = %err, "could not list merchants"),
        }
    }
    let onboarding = saved.is_empty();
    Ok(SELLING_COUNTRIES
        .iter()
        .map(|(code, name)| {
            let saved_row = saved.iter().find(|c| c.country_code == *code);
            let merchant_id = match saved_row {
                Some(c) => c.merchant_id.clone(),
                None => prefill.get(*code).cloned().unwrap_or_default(),
            };
            CountryChoice {
                code,
                name,
                // Onboarding ticks the countries SeQura has a merchant for; afterwards the
                // form shows what the merchant saved.
                enabled: saved_row.is_some() || (onboarding && !merchant_id.is_empty()),
                merchant_id,
                error: None,
            }
        })
        .collect())
}

pub enum CountriesOutcome {
    Saved,
    Invalid {
        rows: Vec<CountryChoice>,
        message: Option<String>,
    },
    Unreachable(Vec<CountryChoice>),
}

/// Why the countries form was refused before asking SeQura; the rows as submitted, with
/// the error next to each field.
pub enum CountriesFormError {
    NoCountry(Vec<CountryChoice>),
    Fields(Vec<CountryChoice>),
}

/// Reads the countries form (`enable_XX`, `merchant_XX` per selling country; anything else
/// is ignored) and checks what needs no SeQura: at least one country, and a merchant ID of
/// the right shape for each one enabled.
pub fn read_countries_form(
    form: &BTreeMap<String, String>,
) -> Result<Vec<CountryChoice>, CountriesFormError> {
    let mut rows: Vec<CountryChoice> = SELLING_COUNTRIES
        .iter()
        .map(|(code, name)| CountryChoice {
            code,
            name,
            enabled: form.contains_key(&format!("enable_{code}")),
            merchant_id: form
                .get(&format!("merchant_{code}"))
                .map(|m| m.trim().to_owned())
                .unwrap_or_default(),
            error: None,
        })
        .collect();
    if !rows.iter().any(|r| r.enabled) {
        return Err(CountriesFormError::NoCountry(rows));
    }
    let mut invalid = false;
    for row in rows.iter_mut().filter(|r| r.enabled) {
        let id = row.merchant_id.as_str();
        if id.is_empty() {
            row.error = Some("Enter the merchant ID SeQura gave you for this country.".into());
            invalid = true;
        } else if !is_merchant_id(id) {
            row.error = Some("A merchant ID has only letters, digits, “_”, “-” and “.”.".into());
            invalid = true;
        }
    }
    if invalid {
        Err(CountriesFormError::Fields(rows))
    } else {
        Ok(rows)
    }
}

/// At most 64 of letters, digits, `_`, `-` and `.`.
pub fn is_merchant_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Saves the selling countries after checking every merchant ID with SeQura; nothing is
/// saved if any is refused.
pub async fn save_countries(
    state: &AppState,
    store: &StoreHash,
    connection: &Connection,
    form: &BTreeMap<String, String>,
) -> Result<CountriesOutcome, AppError> {
    let (mut rows, mut invalid) = match read_countries_form(form) {
        Ok(rows) => (rows, false),
        Err(CountriesFormError::NoCountry(rows)) => {
            return Ok(CountriesOutcome::Invalid {
                rows,
                message: Some("Choose at least one country.".into()),
            });
        }
        Err(CountriesFormError::Fields(rows)) => (rows, true),
    };
    let mut unreachable = false;
    for row in rows.iter_mut().filter(|r| r.enabled && r.error.is_none()) {
        let id = row.merchant_id.as_str();
        match connection.client.merchant_credentials(id).await {
            Ok(()) => {}
            Err(sequra::Error::Forbidden { .. } | sequra::Error::NotFound { .. }) => {
                row.error = Some(format!(
                    "This merchant ID does not belong to your SeQura account ({}).",
                    connection.environment.as_str()
                ));
                invalid = true;
            }
            Err(err) => {
                tracing::warn!(store = %store, error = %err, "merchant check failed");
                unreachable = true;
            }
        }
    }
    if invalid {
        return Ok(CountriesOutcome::Invalid {
            rows,
            message: None,
        });
    }
    if unreachable {
        return Ok(CountriesOutcome::Unreachable(rows));
    }
    let countries: Vec<CountryRow> = rows
        .iter()
        .filter(|r| r.enabled)
        .map(|r| CountryRow {
            country_code: r.code.to_owned(),
            merchant_id: r.merchant_id.clone(),
        })
        .collect();
    state.db.replace_countries(store, &countries).await?;
    Ok(CountriesOutcome::Saved)
}

/// Shown to the merchant in place of SeQura's answer when SeQura is out of reach.
pub const UNREACHABLE: &str =
    "SeQura could not be reached just now. Nothing was saved; please try again in a minute.";

/// A payment method as the admin page lists it.
#[derive(Clone, Debug)]
pub struct MethodView {
    pub product: String,
    pub campaign: Option<String>,
    pub title: String,
    pub long_title: String,
    pub category: String,
    pub category_label: &'static str,
    /// The method's icon as an `<img>` (SeQura sends inline SVG; shown as an image it can
    /// never run script in the admin page).
    pub icon: String,
    pub amount_window: String,
    pub cost: String,
    pub available: String,
}

pub const CATEGORIES: [(&str, &str); 4] = [
    ("", "All categories"),
    ("pay_now", "Pay now"),
    ("pay_later", "Pay later"),
    ("part_payment", "Part payment"),
];

fn category_label(code: &str) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("Other", |(_, l)| l)
}

/// `1234` → `12.34 €` (SeQura sells in euros).
pub fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02} €", abs / 100, abs % 100)
}

fn icon_img(svg: Option<&str>) -> String {
    use base64::Engine;
    match svg.map(str::trim) {
        Some(svg) if svg.starts_with("<svg") || svg.starts_with("<?xml") => {
            let data = base64::engine::general_purpose::STANDARD.encode(svg);
            format!(r#"<img alt="" width="48" height="32" src="data:image/svg+xml;base64,{data}">"#)
        }
        _ => String::new(),
    }
}

/// The account's payment methods for one merchant, filtered by category and text.
pub async fn payment_methods(
    connection: &Connection,
    merchant_id: &str,
    category: &str,
    query: &str,
) -> Result<Vec<MethodView>, sequra::Error> {
    let methods = connection
        .client
        .merchant_payment_methods(merchant_id)
        .await?;
    let query = query.trim().to_lowercase();
    let mut views = Vec::new();
    for group in methods.payment_options {
        let group_category = group.category.clone().unwrap_or_default();
        if !category.is_empty() && group_category != category {
            continue;
        }
        for m in group.methods {
            let haystack = format!(
                "{} {} {}",
                m.title,
                m.long_title.clone().unwrap_or_default(),
                m.product
            )
            .to_lowercase();
            if !query.is_empty() && !haystack.contains(&query) {
                continue;
            }
            let amount_window = match (m.min_amount.filter(|a| *a > 0), m.max_amount) {
                (Some(min), Some(max)) => format!("{} – {}", euros(min), euros(max)),
                (Some(min), None) => format!("from {}", euros(min)),
                (None, Some(max)) => format!("up to {}", euros(max)),
                (None, None) => "any amount".to_owned(),
            };
            let date =
                |d: &Option<String>| d.as_deref().map(|s| s.chars().take(10).collect::<String>());
            let available = match (date(&m.starts_at), date(&m.ends_at)) {
                (Some(from), Some(to)) => format!("{from} to {to}"),
                (Some(from), None) => format!("from {from}"),
                (None, Some(to)) => format!("until {to}"),
                (None, None) => "always".to_owned(),
            };
            views.push(MethodView {
                icon: icon_img(m.icon.as_deref()),
                cost: m
                    .cost_description
                    .clone()
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| "No cost for the shopper".to_owned()),
                product: m.product,
                campaign: m.campaign,
                title: m.title,
                long_title: m.long_title.unwrap_or_default(),
                category_label: category_label(&group_category),
                category: group_category.clone(),
                amount_window,
                available,
            });
        }
    }
    Ok(views)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euro_amounts() {
        assert_eq!(euros(0), "0.00 €");
        assert_eq!(euros(5097), "50.97 €");
        assert_eq!(euros(-250), "-2.50 €");
    }

    #[test]
    fn icons_become_images_never_markup() {
        let img = icon_img(Some(r#"<svg onload="alert(1)"><script>x</script></svg>"#));
        assert!(img.starts_with("<img ") && !img.contains("<svg") && !img.contains("script"));
        assert_eq!(icon_img(Some("<img src=x onerror=alert(1)>")), "");
        assert_eq!(icon_img(None), "");
    }
}
