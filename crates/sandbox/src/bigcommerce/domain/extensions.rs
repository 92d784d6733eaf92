//! App Extensions (§6): per store and app, at most two per model; only `url` and `label`
//! can be updated (the label is replaced, not merged). Ids are `bc/store/appExtension/{n}`.

use super::{DomainError, DomainResult, StoreTx, check_len};
use crate::bigcommerce::model::{AppExtension, ExtensionLocale, IdCounters, StoreState};

pub const MAX_PER_MODEL: usize = 2;
pub const CONTEXTS: [&str; 2] = ["PANEL", "LINK"];
pub const MODELS: [&str; 4] = ["PRODUCTS", "PRODUCT_DESCRIPTION", "ORDERS", "CUSTOMERS"];

#[derive(Clone, Debug)]
pub struct ExtensionLabel {
    pub default_value: String,
    pub locales: Vec<ExtensionLocale>,
}

#[derive(Clone, Debug)]
pub struct NewExtension {
    pub context: String,
    pub model: String,
    pub url: String,
    pub label: ExtensionLabel,
}

#[derive(Clone, Debug, Default)]
pub struct ExtensionPatch {
    pub url: Option<String>,
    pub label: Option<ExtensionLabel>,
}

fn check_url(url: &str) -> DomainResult<()> {
    check_len("url", url, 1, 255)?;
    if !url.starts_with('/') {
        return Err(DomainError::invalid(
            "url",
            "url must be a path starting with /",
        ));
    }
    Ok(())
}

fn check_label(label: &ExtensionLabel) -> DomainResult<()> {
    check_len("label.defaultValue", &label.default_value, 1, 255)?;
    for locale in &label.locales {
        check_len("label.locales.value", &locale.value, 1, 255)?;
        check_len("label.locales.localeCode", &locale.locale_code, 2, 35)?;
    }
    Ok(())
}

/// Parses `bc/store/appExtension/{n}`.
pub fn parse_id(id: &str) -> Option<i64> {
    id.strip_prefix("bc/store/appExtension/")?.parse().ok()
}

pub fn list(store: &StoreState, client_id: &str) -> Vec<AppExtension> {
    store
        .app_extensions
        .values()
        .filter(|e| e.client_id == client_id)
        .cloned()
        .collect()
}

pub fn create(
    tx: &mut StoreTx<'_>,
    client_id: &str,
    new: NewExtension,
) -> DomainResult<AppExtension> {
    if !CONTEXTS.contains(&new.context.as_str()) {
        return Err(DomainError::invalid(
            "context",
            "context must be PANEL or LINK",
        ));
    }
    if !MODELS.contains(&new.model.as_str()) {
        return Err(DomainError::invalid(
            "model",
            format!("model must be one of {}", MODELS.join(", ")),
        ));
    }
    check_url(&new.url)?;
    check_label(&new.label)?;
    let same_model = tx
        .store
        .app_extensions
        .values()
        .filter(|e| e.client_id == client_id && e.model == new.model)
        .count();
    if same_model >= MAX_PER_MODEL {
        return Err(DomainError::invalid(
            "model",
            format!(
                "An app can register at most {MAX_PER_MODEL} app extensions for the {} model",
                new.model
            ),
        ));
    }
    let id = IdCounters::take(&mut tx.store.ids.app_extension);
    let extension = AppExtension {
        id,
        client_id: client_id.to_owned(),
        context: new.context,
        model: new.model,
        url: new.url,
        label_default: new.label.default_value,
        label_locales: new.label.locales,
    };
    tx.store.app_extensions.insert(id, extension.clone());
    Ok(extension)
}

fn own_mut<'s>(
    store: &'s mut StoreState,
    client_id: &str,
    id: i64,
) -> DomainResult<&'s mut AppExtension> {
    store
        .app_extensions
        .get_mut(&id)
        .filter(|e| e.client_id == client_id)
        .ok_or_else(|| DomainError::not_found("app extension"))
}

pub fn update(
    tx: &mut StoreTx<'_>,
    client_id: &str,
    id: i64,
    patch: ExtensionPatch,
) -> DomainResult<AppExtension> {
    if let Some(url) = &patch.url {
        check_url(url)?;
    }
    if let Some(label) = &patch.label {
        check_label(label)?;
    }
    let extension = own_mut(tx.store, client_id, id)?;
    if let Some(url) = patch.url {
        extension.url = url;
    }
    if let Some(label) = patch.label {
        extension.label_default = label.default_value;
        extension.label_locales = label.locales;
    }
    Ok(extension.clone())
}

pub fn delete(tx: &mut StoreTx<'_>, client_id: &str, id: i64) -> DomainResult<AppExtension> {
    own_mut(tx.store, client_id, id)?;
    tx.store
        .app_extensions
        .remove(&id)
        .ok_or_else(|| DomainError::not_found("app extension"))
}

/// On uninstall the app's extensions disappear from the store.
pub fn remove_app(store: &mut StoreState, client_id: &str) -> usize {
    let before = store.app_extensions.len();
    store.app_extensions.retain(|_, e| e.client_id != client_id);
    before - store.app_extensions.len()
}
