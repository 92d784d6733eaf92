//! Order metafields (v3). They belong to the API account (client id) that created them:
//! `app_only` ones are invisible to every other client; `read*` ones are readable by
//! others; `write*` ones writable by others. (namespace, key) is unique per (client,
//! order) — a clash is a 409 — and a client may hold at most 250 per order (422).
//! Events: `store/order/metafield/{created,updated,deleted}` with `{metafield_id,
//! resource_id}` as §5.2 lists them.

use serde_json::json;

use super::{DomainError, DomainResult, StoreTx, check_len};
use crate::bigcommerce::model::{IdCounters, Metafield, StoreState};

pub const MAX_PER_RESOURCE: usize = 250;
pub const PERMISSION_SETS: [&str; 5] = [
    "app_only",
    "read",
    "write",
    "read_and_sf_access",
    "write_and_sf_access",
];

#[derive(Clone, Debug, Default)]
pub struct NewMetafield {
    pub permission_set: String,
    pub namespace: String,
    pub key: String,
    pub value: String,
    pub description: String,
}

#[derive(Clone, Debug, Default)]
pub struct MetafieldPatch {
    pub permission_set: Option<String>,
    pub namespace: Option<String>,
    pub key: Option<String>,
    pub value: Option<String>,
    pub description: Option<String>,
}

pub fn visible_to(metafield: &Metafield, client_id: &str) -> bool {
    metafield.owner_client_id == client_id || metafield.permission_set != "app_only"
}

fn writable_by(metafield: &Metafield, client_id: &str) -> bool {
    metafield.owner_client_id == client_id || metafield.permission_set.starts_with("write")
}

fn check_fields(
    permission_set: &str,
    namespace: &str,
    key: &str,
    value: &str,
    description: &str,
) -> DomainResult<()> {
    if !PERMISSION_SETS.contains(&permission_set) {
        return Err(DomainError::invalid(
            "permission_set",
            format!(
                "permission_set must be one of {}",
                PERMISSION_SETS.join(", ")
            ),
        ));
    }
    check_len("namespace", namespace, 1, 64)?;
    check_len("key", key, 1, 64)?;
    check_len("value", value, 1, 65_535)?;
    check_len("description", description, 0, 255)?;
    Ok(())
}

fn require_order(store: &StoreState, order_id: i64) -> DomainResult<()> {
    if store.orders.contains_key(&order_id) {
        Ok(())
    } else {
        Err(DomainError::not_found("order"))
    }
}

/// The metafields of an order that `client_id` can see, by id.
pub fn list(store: &StoreState, client_id: &str, order_id: i64) -> DomainResult<Vec<Metafield>> {
    require_order(store, order_id)?;
    Ok(store
        .metafields
        .values()
        .filter(|m| m.order_id == order_id && visible_to(m, client_id))
        .cloned()
        .collect())
}

pub fn get(store: &StoreState, client_id: &str, order_id: i64, id: i64) -> DomainResult<Metafield> {
    require_order(store, order_id)?;
    store
        .metafields
        .get(&id)
        .filter(|m| m.order_id == order_id && visible_to(m, client_id))
        .cloned()
        .ok_or_else(|| DomainError::not_found("metafield"))
}

fn clash(
    store: &StoreState,
    client_id: &str,
    order_id: i64,
    namespace: &str,
    key: &str,
    except: Option<i64>,
) -> bool {
    store.metafields.values().any(|m| {
        Some(m.id) != except
            && m.order_id == order_id
            && m.owner_client_id == client_id
            && m.namespace == namespace
            && m.key == key
    })
}

pub fn create(
    tx: &mut StoreTx<'_>,
    client_id: &str,
    order_id: i64,
    new: NewMetafield,
) -> DomainResult<i64> {
    require_order(tx.store, order_id)?;
    check_fields(
        &new.permission_set,
        &new.namespace,
        &new.key,
        &new.value,
        &new.description,
    )?;
    if clash(
        tx.store,
        client_id,
        order_id,
        &new.namespace,
        &new.key,
        None,
    ) {
        return Err(DomainError::Conflict(format!(
            "A metafield with namespace '{}' and key '{}' already exists for this order",
            new.namespace, new.key
        )));
    }
    let owned = tx
        .store
        .metafields
        .values()
        .filter(|m| m.order_id == order_id && m.owner_client_id == client_id)
        .count();
    if owned >= MAX_PER_RESOURCE {
        return Err(DomainError::invalid_body(format!(
            "An API account can have at most {MAX_PER_RESOURCE} metafields per order"
        )));
    }
    let id = IdCounters::take(&mut tx.store.ids.metafield);
    tx.store.metafields.insert(
        id,
        Metafield {
            id,
            order_id,
            owner_client_id: client_id.to_owned(),
            permission_set: new.permission_set,
            namespace: new.namespace,
            key: new.key,
            value: new.value,
            description: new.description,
            created_at: tx.now,
            modified_at: tx.now,
        },
    );
    tx.emit(
        "store/order/metafield/created",
        json!({"metafield_id": id, "resource_id": order_id}),
    );
    Ok(id)
}

pub fn update(
    tx: &mut StoreTx<'_>,
    client_id: &str,
    order_id: i64,
    id: i64,
    patch: MetafieldPatch,
) -> DomainResult<()> {
    let mut metafield = get(tx.store, client_id, order_id, id)?;
    if !writable_by(&metafield, client_id) {
        return Err(DomainError::Forbidden(
            "This metafield belongs to another API account".into(),
        ));
    }
    let set = |slot: &mut String, value: Option<String>| {
        if let Some(value) = value {
            *slot = value;
        }
    };
    set(&mut metafield.permission_set, patch.permission_set);
    set(&mut metafield.namespace, patch.namespace);
    set(&mut metafield.key, patch.key);
    set(&mut metafield.value, patch.value);
    set(&mut metafield.description, patch.description);
    check_fields(
        &metafield.permission_set,
        &metafield.namespace,
        &metafield.key,
        &metafield.value,
        &metafield.description,
    )?;
    if clash(
        tx.store,
        &metafield.owner_client_id,
        order_id,
        &metafield.namespace,
        &metafield.key,
        Some(id),
    ) {
        return Err(DomainError::Conflict(format!(
            "A metafield with namespace '{}' and key '{}' already exists for this order",
            metafield.namespace, metafield.key
        )));
    }
    metafield.modified_at = tx.now;
    tx.store.metafields.insert(id, metafield);
    tx.emit(
        "store/order/metafield/updated",
        json!({"metafield_id": id, "resource_id": order_id}),
    );
    Ok(())
}

pub fn delete(tx: &mut StoreTx<'_>, client_id: &str, order_id: i64, id: i64) -> DomainResult<()> {
    let metafield = get(tx.store, client_id, order_id, id)?;
    if !writable_by(&metafield, client_id) {
        return Err(DomainError::Forbidden(
            "This metafield belongs to another API account".into(),
        ));
    }
    tx.store.metafields.remove(&id);
    tx.emit(
        "store/order/metafield/deleted",
        json!({"metafield_id": id, "resource_id": order_id}),
    );
    Ok(())
}
