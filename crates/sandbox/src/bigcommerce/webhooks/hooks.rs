//! Hooks as the store keeps them, and the rules for creating and changing them
//! (the service layer behind the hooks API).

use std::collections::{BTreeMap, HashMap};

use axum::http::{HeaderName, HeaderValue};
use url::{Host, Url};

use super::scopes::{self, DELIVERY_EXCEPTION_SCOPE};

/// BigCommerce's limit of hooks per (store, client, scope).
pub const MAX_HOOKS_PER_SCOPE: usize = 10;
/// Limits on a hook's custom headers: at most 64 headers, names ≤ 64 bytes, values
/// ≤ 8 KB. BigCommerce documents these figures for the headers of a webhook exchange
/// (its overview states them for responses) but not for `headers` at creation; the
/// simulator applies them there, where a client mistake would otherwise go unnoticed.
pub const MAX_HEADERS: usize = 64;
pub const MAX_HEADER_NAME_BYTES: usize = 64;
pub const MAX_HEADER_VALUE_BYTES: usize = 8 * 1024;

/// Ids start at a BigCommerce-sized number so that clients never get away with
/// assuming small ids.
const FIRST_HOOK_ID: i64 = 20_000_001;

/// A webhook subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hook {
    pub id: i64,
    pub client_id: String,
    pub store_hash: String,
    pub scope: String,
    pub destination: String,
    /// `None` is shown as `"headers": null`; an empty map is stored as `None`.
    pub headers: Option<BTreeMap<String, String>>,
    pub status: HookStatus,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: i64,
}

impl Hook {
    pub fn is_active(&self) -> bool {
        self.status == HookStatus::Active
    }
}

/// `status` in `GET /v3/hooks/admin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookStatus {
    Active,
    /// Switched off by the app (`is_active: false`).
    Inactive,
    /// Switched off by BigCommerce after every retry of a delivery failed.
    Deactivated,
}

impl HookStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HookStatus::Active => "active",
            HookStatus::Inactive => "inactive",
            HookStatus::Deactivated => "deactivated",
        }
    }
}

/// A create request, already parsed field by field.
#[derive(Clone, Debug)]
pub struct NewHook {
    pub scope: String,
    pub destination: String,
    pub is_active: bool,
    pub headers: Option<BTreeMap<String, String>>,
}

/// An update: `None` leaves a field as it is; `headers: Some(None)` clears the headers.
#[derive(Clone, Debug, Default)]
pub struct HookPatch {
    pub scope: Option<String>,
    pub destination: Option<String>,
    pub is_active: Option<bool>,
    pub headers: Option<Option<BTreeMap<String, String>>>,
}

impl HookPatch {
    pub fn is_empty(&self) -> bool {
        self.scope.is_none()
            && self.destination.is_none()
            && self.is_active.is_none()
            && self.headers.is_none()
    }
}

/// Why a create or update was refused; the API maps each to a 4xx.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HookError {
    NotFound(i64),
    /// A rule about the store's other hooks was broken (422, naming the field).
    Conflict {
        title: String,
        field: &'static str,
        message: String,
    },
}

/// Who owns a hook: the store and the API account (client id) that created it.
pub type Owner = (String, String);

#[derive(Debug)]
pub struct Registry {
    next_id: i64,
    hooks: BTreeMap<i64, Hook>,
    emails: HashMap<Owner, Vec<String>>,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            next_id: FIRST_HOOK_ID,
            hooks: BTreeMap::new(),
            emails: HashMap::new(),
        }
    }
}

impl Registry {
    pub fn get(&self, id: i64) -> Option<&Hook> {
        self.hooks.get(&id)
    }

    /// A hook the caller may see: hooks are visible only to the client that created them.
    pub fn get_owned(&self, owner: &Owner, id: i64) -> Result<&Hook, HookError> {
        self.hooks
            .get(&id)
            .filter(|hook| hook.store_hash == owner.0 && hook.client_id == owner.1)
            .ok_or(HookError::NotFound(id))
    }

    pub fn owned_by<'a>(&'a self, owner: &Owner) -> impl Iterator<Item = &'a Hook> + use<'a> {
        let (store_hash, client_id) = owner.clone();
        self.hooks
            .values()
            .filter(move |hook| hook.store_hash == store_hash && hook.client_id == client_id)
    }

    pub fn in_store<'a>(&'a self, store_hash: &'a str) -> impl Iterator<Item = &'a Hook> + 'a {
        self.hooks
            .values()
            .filter(move |hook| hook.store_hash == store_hash)
    }

    /// The active deliveryException hook of a store and client, if it has one.
    pub fn delivery_exception_hook(&self, owner: &Owner) -> Option<&Hook> {
        self.owned_by(owner)
            .find(|hook| hook.scope == DELIVERY_EXCEPTION_SCOPE && hook.is_active())
    }

    pub fn create(&mut self, owner: &Owner, new: NewHook, now: i64) -> Result<Hook, HookError> {
        self.check_rules(owner, None, &new.scope, &new.destination)?;
        let id = self.next_id;
        self.next_id += 1;
        let hook = Hook {
            id,
            client_id: owner.1.clone(),
            store_hash: owner.0.clone(),
            scope: new.scope,
            destination: new.destination,
            headers: new.headers.filter(|headers| !headers.is_empty()),
            status: if new.is_active {
                HookStatus::Active
            } else {
                HookStatus::Inactive
            },
            created_at: now,
            updated_at: now,
        };
        self.hooks.insert(id, hook.clone());
        Ok(hook)
    }

    pub fn update(
        &mut self,
        owner: &Owner,
        id: i64,
        patch: HookPatch,
        now: i64,
    ) -> Result<Hook, HookError> {
        let current = self.get_owned(owner, id)?.clone();
        let scope = patch.scope.unwrap_or(current.scope);
        let destination = patch.destination.unwrap_or(current.destination);
        self.check_rules(owner, Some(id), &scope, &destination)?;
        let status = match patch.is_active {
            Some(true) => HookStatus::Active,
            Some(false) => HookStatus::Inactive,
            None => current.status,
        };
        let headers = match patch.headers {
            Some(headers) => headers.filter(|headers| !headers.is_empty()),
            None => current.headers,
        };
        let hook = Hook {
            scope,
            destination,
            headers,
            status,
            updated_at: now,
            ..current
        };
        self.hooks.insert(id, hook.clone());
        Ok(hook)
    }

    pub fn delete(&mut self, owner: &Owner, id: i64) -> Result<Hook, HookError> {
        self.get_owned(owner, id)?;
        self.hooks.remove(&id).ok_or(HookError::NotFound(id))
    }

    /// BigCommerce switches a hook off after its last retry failed.
    pub fn deactivate(&mut self, id: i64, now: i64) -> Option<Hook> {
        let hook = self.hooks.get_mut(&id)?;
        hook.status = HookStatus::Deactivated;
        hook.updated_at = now;
        Some(hook.clone())
    }

    /// Removes every hook (and the notification e-mails) of an app in a store.
    pub fn remove_owner(&mut self, owner: &Owner) -> Vec<i64> {
        let ids: Vec<i64> = self.owned_by(owner).map(|hook| hook.id).collect();
        for id in &ids {
            self.hooks.remove(id);
        }
        self.emails.remove(owner);
        ids
    }

    pub fn emails(&self, owner: &Owner) -> &[String] {
        self.emails
            .get(owner)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    pub fn set_emails(&mut self, owner: &Owner, emails: Vec<String>) {
        self.emails.insert(owner.clone(), emails);
    }

    /// The rules that involve the store's other hooks of the same client:
    /// one hook per (scope, destination), at most ten per scope, and a single
    /// deliveryException hook whose destination no other hook uses.
    fn check_rules(
        &self,
        owner: &Owner,
        except: Option<i64>,
        scope: &str,
        destination: &str,
    ) -> Result<(), HookError> {
        let others: Vec<&Hook> = self
            .owned_by(owner)
            .filter(|hook| Some(hook.id) != except)
            .collect();
        if others
            .iter()
            .any(|hook| hook.scope == scope && hook.destination == destination)
        {
            return Err(HookError::Conflict {
                title: "A webhook with this scope and destination already exists".to_owned(),
                field: "destination",
                message: format!("a webhook for {scope} already delivers to {destination}"),
            });
        }
        if scope == DELIVERY_EXCEPTION_SCOPE {
            if others.iter().any(|hook| hook.scope == scope) {
                return Err(HookError::Conflict {
                    title: "Only one store/hook/deliveryException webhook is allowed".to_owned(),
                    field: "scope",
                    message: "this client already has a deliveryException webhook".to_owned(),
                });
            }
            if others.iter().any(|hook| hook.destination == destination) {
                return Err(HookError::Conflict {
                    title: "The deliveryException destination must differ from all other webhook destinations".to_owned(),
                    field: "destination",
                    message: format!("{destination} is used by another webhook"),
                });
            }
        }
        let same_scope = others.iter().filter(|hook| hook.scope == scope).count();
        if same_scope >= MAX_HOOKS_PER_SCOPE {
            return Err(HookError::Conflict {
                title: format!(
                    "A maximum of {MAX_HOOKS_PER_SCOPE} webhooks is allowed per store, client and scope"
                ),
                field: "scope",
                message: format!("{scope} already has {same_scope} webhooks"),
            });
        }
        Ok(())
    }
}

/// Field validation of a scope.
pub fn validate_scope(scope: &str) -> Result<(), String> {
    if scopes::is_known(scope) {
        Ok(())
    } else {
        Err(format!("{scope:?} is not a valid webhook scope"))
    }
}

/// A destination must be an HTTPS URL served on port 443. The one deliberate relaxation:
/// with `allow_insecure_loopback`, `http`/`https` URLs on a loopback host
/// (`127.0.0.0/8`, `::1`, `localhost`) and any port are accepted too, because the
/// simulator and the app under test run on plain-HTTP loopback ports.
pub fn validate_destination(
    destination: &str,
    allow_insecure_loopback: bool,
) -> Result<(), String> {
    let url = Url::parse(destination).map_err(|err| format!("not a valid URL: {err}"))?;
    let host = url.host().ok_or_else(|| "the URL has no host".to_owned())?;
    if allow_insecure_loopback && is_loopback(&host) && matches!(url.scheme(), "http" | "https") {
        return Ok(());
    }
    if url.scheme() != "https" {
        return Err("the destination must be an https URL".to_owned());
    }
    if url.port_or_known_default() != Some(443) {
        return Err(
            "the destination must be served on port 443; custom ports are not supported".to_owned(),
        );
    }
    Ok(())
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Custom headers must be sendable over HTTP and within BigCommerce's size limits.
pub fn validate_headers(headers: &BTreeMap<String, String>) -> Result<(), String> {
    if headers.len() > MAX_HEADERS {
        return Err(format!("at most {MAX_HEADERS} headers are allowed"));
    }
    for (name, value) in headers {
        if name.len() > MAX_HEADER_NAME_BYTES {
            return Err(format!(
                "header name {name:?} is longer than {MAX_HEADER_NAME_BYTES} bytes"
            ));
        }
        if value.len() > MAX_HEADER_VALUE_BYTES {
            return Err(format!(
                "the value of header {name:?} is longer than {MAX_HEADER_VALUE_BYTES} bytes"
            ));
        }
        if HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!("{name:?} is not a valid header name"));
        }
        if HeaderValue::from_str(value).is_err() {
            return Err(format!(
                "the value of header {name:?} is not a valid header value"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        ("abc123".to_owned(), "client-a".to_owned())
    }

    fn new_hook(scope: &str, destination: &str) -> NewHook {
        NewHook {
            scope: scope.to_owned(),
            destination: destination.to_owned(),
            is_active: true,
            headers: None,
        }
    }

    #[test]
    fn destinations_must_be_https_on_443_unless_loopback_is_allowed() {
        assert!(validate_destination("https://app.example.com/hooks", false).is_ok());
        assert!(validate_destination("https://app.example.com:443/hooks", false).is_ok());
        assert!(validate_destination("https://app.example.com:8443/hooks", false).is_err());
        assert!(validate_destination("http://app.example.com/hooks", false).is_err());
        assert!(validate_destination("http://127.0.0.1:8080/hooks", false).is_err());
        assert!(validate_destination("http://127.0.0.1:8080/hooks", true).is_ok());
        assert!(validate_destination("http://localhost:3000/hooks", true).is_ok());
        assert!(validate_destination("http://[::1]:3000/hooks", true).is_ok());
        assert!(validate_destination("http://app.example.com:80/hooks", true).is_err());
        assert!(validate_destination("ftp://127.0.0.1/hooks", true).is_err());
        assert!(validate_destination("not a url", true).is_err());
    }

    #[test]
    fn header_limits() {
        let ok: BTreeMap<String, String> = [("X-Token".to_owned(), "secret".to_owned())].into();
        assert!(validate_headers(&ok).is_ok());
        let long_name: BTreeMap<String, String> = [("x".repeat(65), "v".to_owned())].into();
        assert!(validate_headers(&long_name).is_err());
        let long_value: BTreeMap<String, String> =
            [("X-Big".to_owned(), "v".repeat(8 * 1024 + 1))].into();
        assert!(validate_headers(&long_value).is_err());
        let too_many: BTreeMap<String, String> = (0..65)
            .map(|i| (format!("X-H{i}"), "v".to_owned()))
            .collect();
        assert!(validate_headers(&too_many).is_err());
        let bad_name: BTreeMap<String, String> = [("Bad Name".to_owned(), "v".to_owned())].into();
        assert!(validate_headers(&bad_name).is_err());
        let bad_value: BTreeMap<String, String> = [("X-A".to_owned(), "a\nb".to_owned())].into();
        assert!(validate_headers(&bad_value).is_err());
    }

    #[test]
    fn one_hook_per_scope_and_destination_and_ten_per_scope() {
        let mut registry = Registry::default();
        let scope = "store/order/created";
        registry
            .create(&owner(), new_hook(scope, "https://a.example/1"), 0)
            .unwrap();
        assert!(matches!(
            registry.create(&owner(), new_hook(scope, "https://a.example/1"), 0),
            Err(HookError::Conflict {
                field: "destination",
                ..
            })
        ));
        for i in 2..=10 {
            registry
                .create(
                    &owner(),
                    new_hook(scope, &format!("https://a.example/{i}")),
                    0,
                )
                .unwrap();
        }
        assert!(matches!(
            registry.create(&owner(), new_hook(scope, "https://a.example/11"), 0),
            Err(HookError::Conflict { field: "scope", .. })
        ));
        // Another client, or another scope, is not affected.
        let other = ("abc123".to_owned(), "client-b".to_owned());
        registry
            .create(&other, new_hook(scope, "https://a.example/1"), 0)
            .unwrap();
        registry
            .create(
                &owner(),
                new_hook("store/order/updated", "https://a.example/1"),
                0,
            )
            .unwrap();
    }

    #[test]
    fn a_single_delivery_exception_hook_on_its_own_destination() {
        let mut registry = Registry::default();
        registry
            .create(
                &owner(),
                new_hook("store/order/created", "https://a.example/orders"),
                0,
            )
            .unwrap();
        assert!(
            registry
                .create(
                    &owner(),
                    new_hook(DELIVERY_EXCEPTION_SCOPE, "https://a.example/orders"),
                    0
                )
                .is_err()
        );
        registry
            .create(
                &owner(),
                new_hook(DELIVERY_EXCEPTION_SCOPE, "https://a.example/exceptions"),
                0,
            )
            .unwrap();
        assert!(
            registry
                .create(
                    &owner(),
                    new_hook(DELIVERY_EXCEPTION_SCOPE, "https://a.example/other"),
                    0
                )
                .is_err()
        );
    }

    #[test]
    fn updates_keep_the_rules_and_reactivate() {
        let mut registry = Registry::default();
        let a = registry
            .create(
                &owner(),
                new_hook("store/order/created", "https://a.example/1"),
                0,
            )
            .unwrap();
        let b = registry
            .create(
                &owner(),
                new_hook("store/order/created", "https://a.example/2"),
                0,
            )
            .unwrap();
        let clash = HookPatch {
            destination: Some(b.destination.clone()),
            ..HookPatch::default()
        };
        assert!(registry.update(&owner(), a.id, clash, 1).is_err());
        registry.deactivate(a.id, 2);
        assert_eq!(registry.get(a.id).unwrap().status, HookStatus::Deactivated);
        let reactivate = HookPatch {
            is_active: Some(true),
            ..HookPatch::default()
        };
        let updated = registry.update(&owner(), a.id, reactivate, 3).unwrap();
        assert_eq!(updated.status, HookStatus::Active);
        assert_eq!(updated.updated_at, 3);
        assert_eq!(updated.created_at, 0);
    }
}
