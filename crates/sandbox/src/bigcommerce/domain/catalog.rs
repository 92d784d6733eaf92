//! Products, customers (with store credit) and control-panel users.

use serde_json::json;

use super::{DomainError, DomainResult, StoreTx, check_len};
use crate::bigcommerce::model::{Address, Customer, IdCounters, ItemKind, Product, User};

#[derive(Clone, Debug)]
pub struct NewProduct {
    pub name: String,
    pub sku: String,
    pub kind: ItemKind,
    /// Tax included.
    pub price_cents: i64,
    pub brand: String,
    pub weight_grams: i64,
    pub categories: Vec<i64>,
}

impl NewProduct {
    pub fn physical(name: &str, sku: &str, price_cents: i64) -> Self {
        Self {
            name: name.into(),
            sku: sku.into(),
            kind: ItemKind::Physical,
            price_cents,
            brand: String::new(),
            weight_grams: 300,
            categories: Vec::new(),
        }
    }

    pub fn digital(name: &str, sku: &str, price_cents: i64) -> Self {
        Self {
            kind: ItemKind::Digital,
            weight_grams: 0,
            ..Self::physical(name, sku, price_cents)
        }
    }
}

/// Emits `store/product/created`.
pub fn create_product(tx: &mut StoreTx<'_>, new: NewProduct) -> DomainResult<i64> {
    check_len("name", &new.name, 1, 250)?;
    if new.price_cents < 0 {
        return Err(DomainError::invalid("price", "price must not be negative"));
    }
    let id = IdCounters::take(&mut tx.store.ids.product);
    let variant_id = IdCounters::take(&mut tx.store.ids.variant);
    tx.store.products.insert(
        id,
        Product {
            id,
            variant_id,
            name: new.name,
            sku: new.sku,
            kind: new.kind,
            price_cents: new.price_cents,
            brand: new.brand,
            weight_grams: new.weight_grams,
            categories: new.categories,
        },
    );
    tx.emit(
        "store/product/created",
        json!({"type": "product", "id": id}),
    );
    Ok(id)
}

#[derive(Clone, Debug, Default)]
pub struct NewCustomer {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phone: String,
    pub store_credit_cents: i64,
    pub addresses: Vec<Address>,
}

impl NewCustomer {
    pub fn new(email: &str, first_name: &str, last_name: &str) -> Self {
        Self {
            email: email.into(),
            first_name: first_name.into(),
            last_name: last_name.into(),
            ..Self::default()
        }
    }
}

/// Emits `store/customer/created`.
pub fn create_customer(tx: &mut StoreTx<'_>, new: NewCustomer) -> DomainResult<i64> {
    check_len("email", &new.email, 3, 255)?;
    if tx
        .store
        .customers
        .values()
        .any(|c| c.email.eq_ignore_ascii_case(&new.email))
    {
        return Err(DomainError::invalid(
            "email",
            format!("The email address {} is already in use", new.email),
        ));
    }
    if new.store_credit_cents < 0 {
        return Err(DomainError::invalid(
            "store_credit_amounts",
            "store credit must not be negative",
        ));
    }
    let id = IdCounters::take(&mut tx.store.ids.customer);
    tx.store.customers.insert(
        id,
        Customer {
            id,
            email: new.email,
            first_name: new.first_name,
            last_name: new.last_name,
            company: new.company,
            phone: new.phone,
            notes: String::new(),
            store_credit_cents: new.store_credit_cents,
            addresses: new.addresses,
            created_at: tx.now,
            modified_at: tx.now,
        },
    );
    tx.emit(
        "store/customer/created",
        json!({"type": "customer", "id": id}),
    );
    Ok(id)
}

/// The fields of `PUT /v3/customers` the simulator keeps; `None` leaves a field alone.
#[derive(Clone, Debug, Default)]
pub struct CustomerUpdate {
    pub id: i64,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub store_credit_cents: Option<i64>,
}

/// Applies a batch atomically (all or nothing); emits `store/customer/updated` per customer.
pub fn update_customers(tx: &mut StoreTx<'_>, updates: Vec<CustomerUpdate>) -> DomainResult<()> {
    for (index, update) in updates.iter().enumerate() {
        if !tx.store.customers.contains_key(&update.id) {
            return Err(DomainError::invalid(
                &format!("[{index}].id"),
                format!("Customer {} does not exist", update.id),
            ));
        }
        if let Some(cents) = update.store_credit_cents
            && cents < 0
        {
            return Err(DomainError::invalid(
                &format!("[{index}].store_credit_amounts"),
                "store credit must not be negative",
            ));
        }
        if let Some(email) = &update.email {
            check_len("email", email, 3, 255)?;
            let clash = tx
                .store
                .customers
                .values()
                .any(|c| c.id != update.id && c.email.eq_ignore_ascii_case(email));
            if clash {
                return Err(DomainError::invalid(
                    &format!("[{index}].email"),
                    format!("The email address {email} is already in use"),
                ));
            }
        }
    }
    for update in updates {
        let Some(customer) = tx.store.customers.get_mut(&update.id) else {
            continue;
        };
        let set = |slot: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *slot = value;
            }
        };
        set(&mut customer.email, update.email);
        set(&mut customer.first_name, update.first_name);
        set(&mut customer.last_name, update.last_name);
        set(&mut customer.company, update.company);
        set(&mut customer.phone, update.phone);
        set(&mut customer.notes, update.notes);
        if let Some(cents) = update.store_credit_cents {
            customer.store_credit_cents = cents;
        }
        customer.modified_at = tx.now;
        tx.emit(
            "store/customer/updated",
            json!({"type": "customer", "id": update.id}),
        );
    }
    Ok(())
}

/// The merchant sets a customer's store credit balance (Customers › Edit › Store credit).
pub fn set_store_credit(tx: &mut StoreTx<'_>, customer_id: i64, cents: i64) -> DomainResult<()> {
    update_customers(
        tx,
        vec![CustomerUpdate {
            id: customer_id,
            store_credit_cents: Some(cents),
            ..CustomerUpdate::default()
        }],
    )
    .map_err(|e| match e {
        DomainError::Invalid { message, .. } if message.contains("does not exist") => {
            DomainError::not_found("customer")
        }
        other => other,
    })
}

#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: String,
    pub locale: String,
}

impl NewUser {
    pub fn new(email: &str, locale: &str) -> Self {
        Self {
            email: email.into(),
            locale: locale.into(),
        }
    }
}

/// A control-panel user (not the owner) who may later be allowed to load apps.
pub fn add_user(tx: &mut StoreTx<'_>, new: NewUser) -> DomainResult<i64> {
    check_len("email", &new.email, 3, 255)?;
    if tx
        .store
        .users
        .values()
        .any(|u| u.email.eq_ignore_ascii_case(&new.email))
    {
        return Err(DomainError::Conflict(format!(
            "user {} already exists",
            new.email
        )));
    }
    let id = IdCounters::take(&mut tx.store.ids.user);
    tx.store.users.insert(
        id,
        User {
            id,
            username: new.email.clone(),
            email: new.email,
            locale: new.locale,
            is_owner: false,
        },
    );
    Ok(id)
}
