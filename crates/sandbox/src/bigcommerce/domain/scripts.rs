//! Scripts API (`/v3/content/scripts`). Scripts belong to the API account that created
//! them and are invisible to others. Rules (§3.1.1, scripts.v3.yml), each a 422 when broken:
//! `name` 1–255; `kind` `src` needs a `src` URL and no `html`; `kind` `script_tag` needs
//! `html` (≤ 65 536 characters, 1–5 `<script>` tags) with no `src` and `load_method`
//! `default`; the enums; `channel_id` ≥ 1; ≤ 5 `integrity_hashes` of the form
//! `sha256-…`/`sha384-…`/`sha512-…`; at most 10 scripts per app in a store.
//! `visibility` `checkout`/`all_pages` additionally need the Checkout Content scope (403).
//! Defaults when omitted: `load_method` default, `location` head, `visibility` storefront,
//! `auto_uninstall` false, `enabled` true, `channel_id` 1, `consent_category` `unknown`
//! (BigCommerce's documented default, outside the response enum).

use super::{DomainError, DomainResult, StoreTx, check_len, new_uuid};
use crate::bigcommerce::model::{Script, StoreState};

pub const MAX_PER_APP: usize = 10;
const KINDS: [&str; 2] = ["src", "script_tag"];
const LOAD_METHODS: [&str; 3] = ["default", "async", "defer"];
const LOCATIONS: [&str; 2] = ["head", "footer"];
const VISIBILITIES: [&str; 4] = ["storefront", "all_pages", "checkout", "order_confirmation"];
const CONSENT_CATEGORIES: [&str; 4] = ["essential", "functional", "analytics", "targeting"];

/// A create or update body; `None` keeps (update) or defaults (create) a field.
#[derive(Clone, Debug, Default)]
pub struct ScriptInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub src: Option<String>,
    pub html: Option<String>,
    pub load_method: Option<String>,
    pub location: Option<String>,
    pub visibility: Option<String>,
    pub auto_uninstall: Option<bool>,
    pub consent_category: Option<String>,
    pub enabled: Option<bool>,
    pub channel_id: Option<i64>,
    pub integrity_hashes: Option<Vec<String>>,
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> DomainResult<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            format!("{field} must be one of: {}", allowed.join(", ")),
        ))
    }
}

fn validate(script: &Script, consent_given: bool) -> DomainResult<()> {
    check_len("name", &script.name, 1, 255)?;
    one_of("kind", &script.kind, &KINDS)?;
    one_of("load_method", &script.load_method, &LOAD_METHODS)?;
    one_of("location", &script.location, &LOCATIONS)?;
    one_of("visibility", &script.visibility, &VISIBILITIES)?;
    if consent_given {
        one_of(
            "consent_category",
            &script.consent_category,
            &CONSENT_CATEGORIES,
        )?;
    }
    if script.channel_id < 1 {
        return Err(DomainError::invalid(
            "channel_id",
            "channel_id must be at least 1",
        ));
    }
    if script.kind == "src" {
        let src = script.src.trim();
        if src.is_empty() {
            return Err(DomainError::invalid(
                "src",
                "src is required when kind is src",
            ));
        }
        if !(src.starts_with("https://") || src.starts_with("http://") || src.starts_with("//")) {
            return Err(DomainError::invalid("src", "src must be a URL"));
        }
        if !script.html.is_empty() {
            return Err(DomainError::invalid(
                "html",
                "html must be empty when kind is src",
            ));
        }
    } else {
        if script.html.trim().is_empty() {
            return Err(DomainError::invalid(
                "html",
                "html is required when kind is script_tag",
            ));
        }
        check_len("html", &script.html, 1, 65_536)?;
        let tags = script.html.to_ascii_lowercase().matches("<script").count();
        if !(1..=5).contains(&tags) {
            return Err(DomainError::invalid(
                "html",
                "html must contain between one and five script tags",
            ));
        }
        if !script.src.is_empty() {
            return Err(DomainError::invalid(
                "src",
                "src must be empty when kind is script_tag",
            ));
        }
        if script.load_method != "default" {
            return Err(DomainError::invalid(
                "load_method",
                "load_method must be default when kind is script_tag",
            ));
        }
    }
    if script.integrity_hashes.len() > 5 {
        return Err(DomainError::invalid(
            "integrity_hashes",
            "at most five integrity hashes",
        ));
    }
    for hash in &script.integrity_hashes {
        let valid = ["sha256-", "sha384-", "sha512-"].iter().any(|prefix| {
            hash.strip_prefix(prefix).is_some_and(|b64| {
                !b64.is_empty()
                    && b64
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            })
        });
        if !valid {
            return Err(DomainError::invalid(
                "integrity_hashes",
                format!("'{hash}' is not a valid SRI hash"),
            ));
        }
    }
    Ok(())
}

fn merge(script: &mut Script, input: ScriptInput) {
    let set = |slot: &mut String, value: Option<String>| {
        if let Some(value) = value {
            *slot = value;
        }
    };
    set(&mut script.name, input.name);
    set(&mut script.description, input.description);
    set(&mut script.kind, input.kind);
    set(&mut script.src, input.src);
    set(&mut script.html, input.html);
    set(&mut script.load_method, input.load_method);
    set(&mut script.location, input.location);
    set(&mut script.visibility, input.visibility);
    set(&mut script.consent_category, input.consent_category);
    if let Some(v) = input.auto_uninstall {
        script.auto_uninstall = v;
    }
    if let Some(v) = input.enabled {
        script.enabled = v;
    }
    if let Some(v) = input.channel_id {
        script.channel_id = v;
    }
    if let Some(v) = input.integrity_hashes {
        script.integrity_hashes = v;
    }
}

fn check_checkout_scope(script: &Script, can_use_checkout: bool) -> DomainResult<()> {
    if matches!(script.visibility.as_str(), "checkout" | "all_pages") && !can_use_checkout {
        return Err(DomainError::Forbidden(
            "The Checkout Content scope is required for visibility checkout or all_pages".into(),
        ));
    }
    Ok(())
}

pub fn list(store: &StoreState, client_id: &str) -> Vec<Script> {
    store
        .scripts
        .iter()
        .filter(|s| s.client_id == client_id)
        .cloned()
        .collect()
}

pub fn get(store: &StoreState, client_id: &str, uuid: &str) -> DomainResult<Script> {
    store
        .scripts
        .iter()
        .find(|s| s.uuid == uuid && s.client_id == client_id)
        .cloned()
        .ok_or_else(|| DomainError::not_found("script"))
}

pub fn create(
    tx: &mut StoreTx<'_>,
    client_id: &str,
    input: ScriptInput,
    can_use_checkout: bool,
) -> DomainResult<Script> {
    if input.name.is_none() {
        return Err(DomainError::invalid("name", "name is required"));
    }
    let kind = input.kind.clone().unwrap_or_else(|| {
        if input.html.as_deref().is_some_and(|h| !h.is_empty()) {
            "script_tag".into()
        } else {
            "src".into()
        }
    });
    let consent_given = input.consent_category.is_some();
    let mut script = Script {
        uuid: new_uuid(),
        client_id: client_id.to_owned(),
        name: String::new(),
        description: String::new(),
        kind,
        src: String::new(),
        html: String::new(),
        load_method: "default".into(),
        location: "head".into(),
        visibility: "storefront".into(),
        auto_uninstall: false,
        consent_category: "unknown".into(),
        enabled: true,
        channel_id: 1,
        integrity_hashes: Vec::new(),
        created_at: tx.now,
        modified_at: tx.now,
    };
    merge(
        &mut script,
        ScriptInput {
            kind: None,
            ..input
        },
    );
    validate(&script, consent_given)?;
    check_checkout_scope(&script, can_use_checkout)?;
    let owned = tx
        .store
        .scripts
        .iter()
        .filter(|s| s.client_id == client_id)
        .count();
    if owned >= MAX_PER_APP {
        return Err(DomainError::invalid_body(format!(
            "An app can create at most {MAX_PER_APP} scripts per store"
        )));
    }
    tx.store.scripts.push(script.clone());
    Ok(script)
}

pub fn update(
    tx: &mut StoreTx<'_>,
    client_id: &str,
    uuid: &str,
    input: ScriptInput,
    can_use_checkout: bool,
) -> DomainResult<Script> {
    let mut script = get(tx.store, client_id, uuid)?;
    let consent_given = input.consent_category.is_some() || script.consent_category != "unknown";
    merge(&mut script, input);
    validate(&script, consent_given)?;
    check_checkout_scope(&script, can_use_checkout)?;
    script.modified_at = tx.now;
    if let Some(slot) = tx.store.scripts.iter_mut().find(|s| s.uuid == uuid) {
        *slot = script.clone();
    }
    Ok(script)
}

pub fn delete(tx: &mut StoreTx<'_>, client_id: &str, uuid: &str) -> DomainResult<()> {
    get(tx.store, client_id, uuid)?;
    tx.store.scripts.retain(|s| s.uuid != uuid);
    Ok(())
}

/// On uninstall BigCommerce removes the app's scripts created with `auto_uninstall: true`.
pub fn remove_auto_uninstall(store: &mut StoreState, client_id: &str) -> usize {
    let before = store.scripts.len();
    store
        .scripts
        .retain(|s| !(s.client_id == client_id && s.auto_uninstall));
    before - store.scripts.len()
}
