//! General settings (sequra-api.md §3.8) and the order status mapping: parsing the admin
//! forms into valid values (every field checked, errors per field, nothing saved on error)
//! and storing them.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::domain::{SequraState, StoreHash};
use crate::state::AppState;
use crate::web::{AppError, FieldError};

/// What SeQura's integrations let a merchant set besides the connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GeneralSettings {
    /// Send SeQura the daily delivery report of shipped orders.
    pub send_order_reports: bool,
    /// Show SeQura's form as a full page instead of a popup over the checkout.
    pub hosted_checkout_page: bool,
    /// When not empty, only shoppers from these IPs see SeQura (for testing before
    /// going live).
    pub allowed_ips: Vec<String>,
    /// SKUs whose presence in the cart hides SeQura.
    pub excluded_products: Vec<String>,
    /// Category ids whose products hide SeQura.
    pub excluded_categories: Vec<u64>,
    /// ISO 8601 duration used as the end of service items without one (SeQura's default
    /// is one year).
    pub default_services_end: String,
}

impl Default for GeneralSettings {
    fn default() -> Self {
        Self {
            send_order_reports: true,
            hosted_checkout_page: false,
            allowed_ips: Vec::new(),
            excluded_products: Vec::new(),
            excluded_categories: Vec::new(),
            default_services_end: "P1Y".into(),
        }
    }
}

/// The general settings form as submitted. Checkboxes are absent when unticked; the text
/// fields are always sent by the page, so a body without one of them is not this form (and
/// must not save its absence as "empty").
#[derive(Clone, Debug, Default, Deserialize)]
pub struct GeneralSettingsForm {
    pub send_order_reports: Option<String>,
    pub hosted_checkout_page: Option<String>,
    pub allowed_ips: String,
    pub excluded_products: String,
    pub excluded_categories: String,
    pub default_services_end: String,
}

const MAX_LIST: usize = 500;

fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split([',', '\n', '\r', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl GeneralSettingsForm {
    /// The form as the settings page shows it for `settings` (what [`Self::parse`] reads
    /// back into the same settings).
    pub fn from_settings(settings: &GeneralSettings) -> Self {
        GeneralSettingsForm {
            send_order_reports: settings.send_order_reports.then(|| "on".into()),
            hosted_checkout_page: settings.hosted_checkout_page.then(|| "on".into()),
            allowed_ips: settings.allowed_ips.join("\n"),
            excluded_products: settings.excluded_products.join("\n"),
            excluded_categories: settings
                .excluded_categories
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            default_services_end: settings.default_services_end.clone(),
        }
    }

    pub fn parse(&self) -> Result<GeneralSettings, Vec<FieldError>> {
        let mut errors = Vec::new();

        let mut allowed_ips = Vec::new();
        for item in items(&self.allowed_ips) {
            match item.parse::<IpAddr>() {
                Ok(ip) => allowed_ips.push(ip.to_string()),
                Err(_) => errors.push(FieldError::new(
                    "allowed_ips",
                    format!("“{}” is not an IP address.", shorten(item)),
                )),
            }
        }
        if allowed_ips.len() > MAX_LIST {
            errors.push(FieldError::new("allowed_ips", "At most 500 addresses."));
        }

        let excluded_products: Vec<String> =
            items(&self.excluded_products).map(str::to_owned).collect();
        if let Some(long) = excluded_products.iter().find(|s| s.chars().count() > 255) {
            errors.push(FieldError::new(
                "excluded_products",
                format!("“{}…” is longer than a SKU can be.", shorten(long)),
            ));
        }
        if excluded_products.len() > MAX_LIST {
            errors.push(FieldError::new("excluded_products", "At most 500 SKUs."));
        }

        let mut excluded_categories = Vec::new();
        for item in items(&self.excluded_categories) {
            match item.parse::<u64>() {
                Ok(id) if id > 0 => excluded_categories.push(id),
                _ => errors.push(FieldError::new(
                    "excluded_categories",
                    format!(
                        "“{}” is not a category id (a positive number).",
                        shorten(item)
                    ),
                )),
            }
        }
        if excluded_categories.len() > MAX_LIST {
            errors.push(FieldError::new(
                "excluded_categories",
                "At most 500 categories.",
            ));
        }

        let default_services_end = match self.default_services_end.trim() {
            "" => "P1Y".to_owned(),
            text if is_iso8601_duration(text) => text.to_owned(),
            text => {
                errors.push(FieldError::new(
                    "default_services_end",
                    format!(
                        "“{}” is not an ISO 8601 duration such as P1Y or P6M.",
                        shorten(text)
                    ),
                ));
                String::new()
            }
        };

        if !errors.is_empty() {
            return Err(errors);
        }
        allowed_ips.dedup();
        Ok(GeneralSettings {
            send_order_reports: self.send_order_reports.is_some(),
            hosted_checkout_page: self.hosted_checkout_page.is_some(),
            allowed_ips,
            excluded_products,
            excluded_categories,
            default_services_end,
        })
    }
}

/// The order status mapping form as submitted: a BigCommerce status id per SeQura state,
/// empty for "None".
/// All three are always sent by the page (empty for "None").
#[derive(Clone, Debug, Default, Deserialize)]
pub struct StatusMappingForm {
    pub approved: String,
    pub needs_review: String,
    pub cancelled: String,
}

/// Shown next to a status that is not one of the store's.
pub const NOT_A_STATUS: &str = "Choose one of the store's order statuses, or None.";

impl StatusMappingForm {
    /// What was submitted for `state`, trimmed.
    pub fn value(&self, state: SequraState) -> &str {
        match state {
            SequraState::Approved => &self.approved,
            SequraState::NeedsReview => &self.needs_review,
            SequraState::Cancelled => &self.cancelled,
        }
        .trim()
    }

    /// The mapping, every value one of `statuses` (the store's status ids) or none; an
    /// error per field otherwise.
    pub fn parse(
        &self,
        statuses: &[u32],
    ) -> Result<Vec<(SequraState, Option<i64>)>, Vec<FieldError>> {
        let mut mapping = Vec::new();
        let mut errors = Vec::new();
        for s in SequraState::ALL {
            let value = self.value(s);
            if value.is_empty() {
                mapping.push((s, None));
                continue;
            }
            match statuses.iter().find(|id| id.to_string() == value) {
                Some(id) => mapping.push((s, Some(i64::from(*id)))),
                None => errors.push(FieldError::new(s.as_str(), NOT_A_STATUS)),
            }
        }
        if errors.is_empty() {
            Ok(mapping)
        } else {
            Err(errors)
        }
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

/// `P[nY][nM][nW][nD][T[nH][nM][nS]]` with at least one part, and at least one part after
/// `T` if present.
pub fn is_iso8601_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let parts_ok = |s: &str, units: &[char]| -> Option<usize> {
        let mut count = 0;
        let mut digits = 0;
        let mut next_unit = 0;
        for c in s.chars() {
            if c.is_ascii_digit() {
                digits += 1;
                continue;
            }
            let pos = units.iter().position(|u| *u == c)?;
            if digits == 0 || pos < next_unit {
                return None;
            }
            next_unit = pos + 1;
            digits = 0;
            count += 1;
        }
        (digits == 0).then_some(count)
    };
    let Some(date_parts) = parts_ok(date, &['Y', 'M', 'W', 'D']) else {
        return false;
    };
    match time {
        Some(t) => matches!(parts_ok(t, &['H', 'M', 'S']), Some(n) if n > 0),
        None => date_parts > 0,
    }
}

pub async fn general_settings(
    state: &AppState,
    store: &StoreHash,
) -> Result<GeneralSettings, AppError> {
    match state.db.general_settings(store).await? {
        Some(json) => serde_json::from_str(&json).map_err(|e| AppError::Internal(e.into())),
        None => Ok(GeneralSettings::default()),
    }
}

pub async fn save_general_settings(
    state: &AppState,
    store: &StoreHash,
    settings: &GeneralSettings,
) -> Result<(), AppError> {
    let json = serde_json::to_string(settings).map_err(|e| AppError::Internal(e.into()))?;
    state.db.put_general_settings(store, &json).await?;
    Ok(())
}

/// Labels of the SeQura states on the mapping page (the wording SeQura's admin uses).
pub fn state_label(state: SequraState) -> &'static str {
    match state {
        SequraState::Approved => "Paid (approved by SeQura)",
        SequraState::NeedsReview => "In review",
        SequraState::Cancelled => "Cancelled",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for ok in [
            "P1Y",
            "P6M",
            "P1Y2M",
            "P3W",
            "P10D",
            "PT12H",
            "P1DT2H30M5S",
            "P3Y6M4DT12H30M5S",
        ] {
            assert!(is_iso8601_duration(ok), "{ok}");
        }
        for bad in [
            "", "P", "PT", "1Y", "P1", "PY", "P1M1Y", "P1Y T", "P1.5Y", "PT1D", "p1y", "P1YT",
        ] {
            assert!(!is_iso8601_duration(bad), "{bad}");
        }
    }

    #[test]
    fn a_valid_form_parses() {
        let form = GeneralSettingsForm {
            send_order_reports: Some("on".into()),
            hosted_checkout_page: None,
            allowed_ips: "212.80.211.33\n 10.0.0.1 , ::1".into(),
            excluded_products: "SKU-1, SKU-2\nSKU-3".into(),
            excluded_categories: "12, 40".into(),
            default_services_end: "P6M".into(),
        };
        let s = form.parse().unwrap();
        assert!(s.send_order_reports && !s.hosted_checkout_page);
        assert_eq!(s.allowed_ips, vec!["212.80.211.33", "10.0.0.1", "::1"]);
        assert_eq!(s.excluded_products, vec!["SKU-1", "SKU-2", "SKU-3"]);
        assert_eq!(s.excluded_categories, vec![12, 40]);
        assert_eq!(s.default_services_end, "P6M");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let form = GeneralSettingsForm {
            allowed_ips: "1.2.3.4, not-an-ip".into(),
            excluded_products: "x".repeat(300),
            excluded_categories: "12, -3, abc".into(),
            default_services_end: "one year".into(),
            ..GeneralSettingsForm::default()
        };
        let errors = form.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "allowed_ips",
                "excluded_products",
                "excluded_categories",
                "excluded_categories",
                "default_services_end"
            ]
        );
    }

    #[test]
    fn empty_form_means_defaults_off() {
        let s = GeneralSettingsForm::default().parse().unwrap();
        assert_eq!(
            s,
            GeneralSettings {
                send_order_reports: false,
                ..GeneralSettings::default()
            }
        );
    }
}
