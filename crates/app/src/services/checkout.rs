//! The shopper side: which SeQura methods a checkout may use, and starting a solicitation
//! (one SeQura order per checkout version and method) built from the authoritative
//! server-side checkout — never from amounts the browser sent.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bigcommerce::checkouts::{Checkout, CheckoutAddress};
use parking_lot::Mutex;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sequra::{
    Address, Cart, Customer, DeliveryMethod, EventsWebhook, Gui, Item, Layout, Merchant,
    OrderRequest, OrderState, Platform, ProductItem,
};
use serde::Serialize;

use super::connection::{self, Connection, euros};
use super::settings::{self, GeneralSettings};
use super::{bc_error, bc_store_client};
use crate::crypto::SecretField;
use crate::db::solicitations::NewSolicitation;
use crate::domain::StoreHash;
use crate::state::AppState;
use crate::web::AppError;

/// SeQura sells in euros only (sequra-api.md §0.3).
pub const CURRENCY: &str = "EUR";

/// What eligibility is decided on.
#[derive(Clone, Debug, Default)]
pub struct CheckoutFacts {
    /// ISO 3166 alpha-2 of the billing address.
    pub country: String,
    pub currency: String,
    /// What the shopper would pay with SeQura, in cents (after store credit).
    pub amount: i64,
    pub skus: Vec<String>,
    /// The cart's product ids (for the merchant's excluded categories).
    pub products: Vec<u64>,
    pub shopper_ip: Option<std::net::IpAddr>,
}

/// A method as the checkout script shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OfferedMethod {
    pub product: String,
    pub campaign: Option<String>,
    pub title: String,
    pub long_title: Option<String>,
    pub claim: Option<String>,
    pub description: Option<String>,
    pub cost_description: Option<String>,
    pub category: String,
    /// A data URL (an image, never markup).
    pub icon: Option<String>,
    #[serde(skip)]
    min_amount: Option<i64>,
    #[serde(skip)]
    max_amount: Option<i64>,
    #[serde(skip)]
    starts_at: Option<String>,
    #[serde(skip)]
    ends_at: Option<String>,
}

impl OfferedMethod {
    fn fits(&self, amount: i64, now: &str) -> bool {
        self.min_amount.is_none_or(|min| amount >= min)
            && self.max_amount.is_none_or(|max| amount <= max)
            // ISO 8601 UTC timestamps compare as text.
            && self.starts_at.as_deref().is_none_or(|s| s <= now)
            && self.ends_at.as_deref().is_none_or(|e| now <= e)
    }
}

/// SeQura's payment methods per merchant, kept for a few minutes so that showing the
/// checkout's buttons does not cost a SeQura round trip each time.
#[derive(Clone, Default)]
pub struct MethodsCache {
    entries: Arc<Mutex<HashMap<MerchantKey, Cached>>>,
}

/// (store hash, merchant id).
type MerchantKey = (String, String);
/// When fetched, and what.
type Cached = (Instant, Arc<Vec<OfferedMethod>>);

const METHODS_TTL: Duration = Duration::from_secs(300);

impl MethodsCache {
    async fn get(
        &self,
        store: &StoreHash,
        conn: &Connection,
        merchant: &str,
    ) -> Result<Arc<Vec<OfferedMethod>>, AppError> {
        let key = (store.as_str().to_owned(), merchant.to_owned());
        if let Some((at, methods)) = self.entries.lock().get(&key)
            && at.elapsed() < METHODS_TTL
        {
            return Ok(Arc::clone(methods));
        }
        let answer = conn
            .client
            .merchant_payment_methods(merchant)
            .await
            .map_err(|e| AppError::Unavailable(format!("SeQura payment methods: {e}")))?;
        let methods: Vec<OfferedMethod> = answer
            .methods()
            .map(|(category, m)| OfferedMethod {
                product: m.product.clone(),
                campaign: m.campaign.clone(),
                title: m.title.clone(),
                long_title: m.long_title.clone(),
                claim: m.claim.clone(),
                description: m.description.clone(),
                cost_description: m.cost_description.clone(),
                category: category.category.clone().unwrap_or_default(),
                icon: m.icon.as_deref().and_then(icon_data_url),
                min_amount: m.min_amount,
                max_amount: m.max_amount,
                starts_at: m.starts_at.clone(),
                ends_at: m.ends_at.clone(),
            })
            .collect();
        let methods = Arc::new(methods);
        self.entries
            .lock()
            .insert(key, (Instant::now(), Arc::clone(&methods)));
        Ok(methods)
    }

    /// Forgets a store's methods (after its connection or countries change).
    pub fn forget(&self, store: &StoreHash) {
        self.entries.lock().retain(|(s, _), _| s != store.as_str());
    }
}

/// Products' categories per store, kept for a few minutes so that a merchant's excluded
/// categories cost at most one Catalog API call per cart, and usually none.
#[derive(Clone, Default)]
pub struct CategoriesCache {
    entries: Arc<Mutex<HashMap<ProductKey, CachedCategories>>>,
}

/// (store hash, product id).
type ProductKey = (String, u64);
/// When fetched, and the product's category ids.
type CachedCategories = (Instant, Arc<[u64]>);

const CATEGORIES_TTL: Duration = Duration::from_secs(600);
/// Above this many entries the expired ones are swept on the next insert.
const CATEGORIES_SWEEP_AT: usize = 50_000;

impl CategoriesCache {
    /// Whether any of `products` is in one of `excluded` (ids BigCommerce no longer
    /// knows have no categories). A Catalog API failure is an error: the merchant's
    /// exclusion is not silently skipped.
    async fn any_excluded(
        &self,
        state: &AppState,
        store: &StoreHash,
        products: &[u64],
        excluded: &[u64],
    ) -> Result<bool, AppError> {
        let mut missing = Vec::new();
        {
            let entries = self.entries.lock();
            for id in products {
                match entries.get(&(store.as_str().to_owned(), *id)) {
                    Some((at, categories)) if at.elapsed() < CATEGORIES_TTL => {
                        if categories.iter().any(|c| excluded.contains(c)) {
                            return Ok(true);
                        }
                    }
                    _ => missing.push(*id),
                }
            }
        }
        if missing.is_empty() {
            return Ok(false);
        }
        let bc = bc_store_client(state, store).await?;
        let found = bc
            .get_product_categories(&missing)
            .await
            // Any failure (an outage, or a store whose token predates the Products
            // scope) hides SeQura rather than ignore the merchant's exclusion.
            .map_err(|e| AppError::Unavailable(format!("product categories: {e}")))?;
        let now = Instant::now();
        let mut entries = self.entries.lock();
        if entries.len() > CATEGORIES_SWEEP_AT {
            entries.retain(|_, (at, _)| at.elapsed() < CATEGORIES_TTL);
        }
        let mut hit = false;
        for id in missing {
            let categories: Arc<[u64]> = found
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.categories.as_slice().into())
                .unwrap_or_else(|| Arc::from(Vec::new()));
            hit |= categories.iter().any(|c| excluded.contains(c));
            entries.insert((store.as_str().to_owned(), id), (now, categories));
        }
        Ok(hit)
    }
}

fn icon_data_url(svg: &str) -> Option<String> {
    use base64::Engine;
    let svg = svg.trim();
    (svg.starts_with("<svg") || svg.starts_with("<?xml")).then(|| {
        format!(
            "data:image/svg+xml;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(svg)
        )
    })
}

/// Why SeQura is not offered (for logs and for the solicitation's 422).
#[derive(Debug, PartialEq, Eq)]
pub enum NotEligible {
    NotConnected,
    Country,
    Currency,
    Amount,
    ShopperIp,
    ExcludedProduct,
    ExcludedCategory,
    Method,
}

impl NotEligible {
    pub fn message(&self) -> &'static str {
        match self {
            NotEligible::NotConnected => "SeQura is not available in this store.",
            NotEligible::Country => "SeQura is not available for this billing country.",
            NotEligible::Currency => "SeQura is only available for payments in euros.",
            NotEligible::Amount => "There is nothing left to pay with SeQura.",
            NotEligible::ShopperIp => "SeQura is not available yet.",
            NotEligible::ExcludedProduct | NotEligible::ExcludedCategory => {
                "SeQura is not available for a product in your cart."
            }
            NotEligible::Method => "This SeQura method is not available for this order.",
        }
    }
}

/// The methods offered for `facts`, with the merchant they belong to.
pub async fn eligible_methods(
    state: &AppState,
    store: &StoreHash,
    facts: &CheckoutFacts,
) -> Result<Result<(String, Vec<OfferedMethod>), NotEligible>, AppError> {
    let Some(conn) = connection::connection(state, store).await? else {
        return Ok(Err(NotEligible::NotConnected));
    };
    let countries = state.db.countries(store).await?;
    let Some(country) = countries.iter().find(|c| c.country_code == facts.country) else {
        return Ok(Err(NotEligible::Country));
    };
    if facts.currency != CURRENCY {
        return Ok(Err(NotEligible::Currency));
    }
    if facts.amount <= 0 {
        return Ok(Err(NotEligible::Amount));
    }
    let settings = settings::general_settings(state, store).await?;
    if let Some(reason) = settings_exclusion(&settings, facts) {
        return Ok(Err(reason));
    }
    if !settings.excluded_categories.is_empty()
        && !facts.products.is_empty()
        && state
            .categories_cache
            .any_excluded(state, store, &facts.products, &settings.excluded_categories)
            .await?
    {
        return Ok(Err(NotEligible::ExcludedCategory));
    }
    let methods = state
        .methods_cache
        .get(store, &conn, &country.merchant_id)
        .await?;
    let now = chrono::DateTime::from_timestamp_millis(state.clock.now_ms())
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let fitting = methods
        .iter()
        .filter(|m| m.fits(facts.amount, &now))
        .cloned()
        .collect();
    Ok(Ok((country.merchant_id.clone(), fitting)))
}

fn settings_exclusion(settings: &GeneralSettings, facts: &CheckoutFacts) -> Option<NotEligible> {
    if !settings.allowed_ips.is_empty() {
        let allowed = facts.shopper_ip.is_some_and(|ip| {
            settings
                .allowed_ips
                .iter()
                .any(|a| a.parse().ok() == Some(ip))
        });
        if !allowed {
            return Some(NotEligible::ShopperIp);
        }
    }
    if facts.skus.iter().any(|sku| {
        settings
            .excluded_products
            .iter()
            .any(|x| x.eq_ignore_ascii_case(sku))
    }) {
        return Some(NotEligible::ExcludedProduct);
    }
    None
}

/// The shopper's request to pay with a method.
#[derive(Clone, Debug)]
pub struct SolicitRequest {
    pub checkout_id: String,
    pub product: String,
    pub campaign: Option<String>,
    pub use_store_credit: bool,
    pub shopper_ip: Option<std::net::IpAddr>,
    pub user_agent: String,
}

#[derive(Debug)]
pub enum SolicitOutcome {
    Started {
        id: String,
        form_html: String,
    },
    NotEligible(NotEligible),
    /// The checkout already became an order, or its solicitation is past the form.
    CheckoutChanged,
}

pub async fn solicit(
    state: &AppState,
    store: &StoreHash,
    request: &SolicitRequest,
) -> Result<SolicitOutcome, AppError> {
    let Some(conn) = connection::connection(state, store).await? else {
        return Ok(SolicitOutcome::NotEligible(NotEligible::NotConnected));
    };
    let bc = bc_store_client(state, store).await?;
    let checkout = bc
        .get_checkout(&request.checkout_id, &[])
        .await
        .map_err(|e| match e {
            bigcommerce::Error::NotFound { .. } => AppError::NotFound,
            other => bc_error("checkout", other),
        })?;
    if checkout.order_id.is_some() {
        return Ok(SolicitOutcome::CheckoutChanged);
    }
    let grand_total = checkout.grand_total.get();
    let customer_id = checkout.cart.customer_id.unwrap_or(0);
    let store_credit = if request.use_store_credit && customer_id > 0 {
        let customers = bc
            .get_customers_with_store_credit(&[customer_id])
            .await
            .map_err(|e| bc_error("customer store credit", e))?;
        let balance: i64 = customers
            .iter()
            .find(|c| c.id == customer_id)
            .and_then(|c| c.store_credit())
            .map_or(0, |c| c.get());
        balance.clamp(0, grand_total)
    } else {
        0
    };
    let billing = checkout
        .billing_address
        .clone()
        .unwrap_or_else(empty_address);
    let facts = CheckoutFacts {
        country: billing.country_code.to_ascii_uppercase(),
        currency: checkout.cart.currency.code.to_ascii_uppercase(),
        amount: grand_total - store_credit,
        skus: line_skus(&checkout),
        products: line_products(&checkout),
        shopper_ip: request.shopper_ip,
    };
    let (merchant_id, methods) = match eligible_methods(state, store, &facts).await? {
        Ok(found) => found,
        Err(reason) => return Ok(SolicitOutcome::NotEligible(reason)),
    };
    let campaign = request.campaign.clone().unwrap_or_default();
    let Some(method) = methods.iter().find(|m| {
        m.product == request.product && m.campaign.clone().unwrap_or_default() == campaign
    }) else {
        return Ok(SolicitOutcome::NotEligible(NotEligible::Method));
    };
    let version = i64::try_from(checkout.version.unwrap_or(0)).unwrap_or(0);

    let existing = state
        .db
        .solicitation_for(store, &checkout.id, version, &request.product, &campaign)
        .await?;
    let (id, order_ref) = match existing {
        // The same checkout version and method: the same SeQura order, a fresh form.
        Some(row) if row.state == "solicited" => match row.sequra_order_ref.clone() {
            Some(r) => (row.id, r),
            None => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "solicited without a reference"
                )));
            }
        },
        Some(row) if row.state == "new" => {
            let order: OrderRequest =
                serde_json::from_str(&row.order_body).map_err(|e| AppError::Internal(e.into()))?;
            let r = create_sequra_order(&conn, &order).await?;
            state.db.set_solicitation_ref(store, &row.id, &r).await?;
            (row.id, r)
        }
        Some(_) => return Ok(SolicitOutcome::CheckoutChanged),
        None => {
            let id = uuid::Uuid::new_v4().to_string();
            let key = notification_key(state, store).await?;
            let signature = sequra::signature::sign(
                key.expose_secret().as_bytes(),
                &[store.as_str(), &id, &merchant_id],
            );
            let order = build_order(
                state,
                store,
                &checkout,
                &OrderContext {
                    solicitation: &id,
                    merchant_id: &merchant_id,
                    signature: &signature,
                    store_credit,
                    request,
                },
            )
            .await?;
            let body = serde_json::to_string(&order).map_err(|e| AppError::Internal(e.into()))?;
            state
                .db
                .insert_solicitation(
                    store,
                    &NewSolicitation {
                        id: id.clone(),
                        checkout_id: checkout.id.clone(),
                        checkout_version: version,
                        product: request.product.clone(),
                        campaign: campaign.clone(),
                        method_title: method.title.clone(),
                        merchant_id: merchant_id.clone(),
                        environment: conn.environment.as_str().to_owned(),
                        currency: facts.currency.clone(),
                        grand_total,
                        store_credit,
                        customer_id: i64::try_from(customer_id).unwrap_or(0),
                        signature,
                        order_body: body,
                    },
                )
                .await?;
            let r = create_sequra_order(&conn, &order).await?;
            state.db.set_solicitation_ref(store, &id, &r).await?;
            (id, r)
        }
    };
    let form_html = conn
        .client
        .identification_form(
            &merchant_id,
            &order_ref,
            &request.product,
            request.campaign.as_deref(),
        )
        .await
        .map_err(|e| AppError::Unavailable(format!("SeQura form: {e}")))?;
    tracing::info!(store = %store, solicitation = %id, sequra = %order_ref, amount = %euros(facts.amount), "solicitation started");
    Ok(SolicitOutcome::Started { id, form_html })
}

async fn create_sequra_order(conn: &Connection, order: &OrderRequest) -> Result<String, AppError> {
    conn.client.create_order(order).await.map_err(|e| match e {
        sequra::Error::Rejected { .. } => {
            AppError::Internal(anyhow::anyhow!("SeQura refused the solicitation: {e}"))
        }
        other => AppError::Unavailable(format!("SeQura solicitation: {other}")),
    })
}

/// The store's key for SeQura notification signatures, created on first use.
pub async fn notification_key(
    state: &AppState,
    store: &StoreHash,
) -> Result<SecretString, AppError> {
    if let Some(sealed) = state.db.notification_key(store).await? {
        return state
            .sealer
            .open(store.as_str(), SecretField::NotificationKey, &sealed)
            .map_err(|e| AppError::Internal(e.into()));
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = SecretString::from(hex::encode(bytes));
    let sealed = state
        .sealer
        .seal(store.as_str(), SecretField::NotificationKey, &key);
    // Only the first writer's key stays (IS NULL guard); read back what won.
    state.db.set_notification_key(store, &sealed).await?;
    let stored = state
        .db
        .notification_key(store)
        .await?
        .ok_or(AppError::NotFound)?;
    state
        .sealer
        .open(store.as_str(), SecretField::NotificationKey, &stored)
        .map_err(|e| AppError::Internal(e.into()))
}

fn line_skus(checkout: &Checkout) -> Vec<String> {
    let items = &checkout.cart.line_items;
    items
        .physical_items
        .iter()
        .chain(items.digital_items.iter())
        .map(|l| l.sku.clone())
        .chain(items.custom_items.iter().map(|c| c.sku.clone()))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The catalog products in the cart (custom items have none).
fn line_products(checkout: &Checkout) -> Vec<u64> {
    let items = &checkout.cart.line_items;
    let mut ids: Vec<u64> = items
        .physical_items
        .iter()
        .chain(items.digital_items.iter())
        .filter_map(|l| l.product_id)
        .filter(|id| *id > 0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn empty_address() -> CheckoutAddress {
    CheckoutAddress {
        id: None,
        first_name: String::new(),
        last_name: String::new(),
        email: String::new(),
        company: String::new(),
        address1: String::new(),
        address2: String::new(),
        city: String::new(),
        state_or_province: String::new(),
        state_or_province_code: String::new(),
        country: String::new(),
        country_code: String::new(),
        postal_code: String::new(),
        phone: String::new(),
        custom_fields: Vec::new(),
    }
}

struct OrderContext<'a> {
    solicitation: &'a str,
    merchant_id: &'a str,
    signature: &'a str,
    store_credit: i64,
    request: &'a SolicitRequest,
}

fn sequra_address(a: &CheckoutAddress) -> Address {
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Address {
        given_names: opt(&a.first_name),
        surnames: opt(&a.last_name),
        company: a.company.clone(),
        address_line_1: a.address1.clone(),
        address_line_2: a.address2.clone(),
        postal_code: a.postal_code.clone(),
        city: a.city.clone(),
        country_code: a.country_code.to_ascii_uppercase(),
        phone: opt(&a.phone),
        mobile_phone: None,
        state: opt(&a.state_or_province),
        extra: None,
        vat_number: None,
    }
}

/// The SeQura order for a checkout: one product line per cart line (after line discounts),
/// coupons as discount lines, shipping and handling as handling lines, a balancing line if
/// BigCommerce's grand total says more, and the store credit as `other_payment`.
async fn build_order(
    state: &AppState,
    store: &StoreHash,
    checkout: &Checkout,
    ctx: &OrderContext<'_>,
) -> Result<OrderRequest, AppError> {
    let base = state.config.public_base();
    let currency = checkout.cart.currency.code.to_ascii_uppercase();
    let mut items = Vec::new();
    let lines = &checkout.cart.line_items;
    for (line, digital) in lines
        .physical_items
        .iter()
        .map(|l| (l, false))
        .chain(lines.digital_items.iter().map(|l| (l, true)))
    {
        items.push(Item::Product(ProductItem {
            reference: line.sku.clone(),
            name: line.name.clone(),
            price_with_tax: line.sale_price.get(),
            quantity: i64::from(line.quantity),
            total_with_tax: line.extended_sale_price.get(),
            downloadable: digital,
            product_id: line.product_id.map(|p| p.to_string()),
            url: (!line.url.is_empty()).then(|| line.url.clone()),
            ..ProductItem::default()
        }));
    }
    for coupon in &checkout.coupons {
        let off = coupon.discounted_amount.map_or(0, |c| c.get());
        if off > 0 {
            items.push(Item::discount(
                coupon.code.clone(),
                format!("Discount {}", coupon.code),
                -off,
            ));
        }
    }
    let shipping = checkout.shipping_cost_total_inc_tax.map_or(0, |c| c.get());
    if shipping > 0 {
        let name = checkout
            .consignments
            .first()
            .and_then(|c| c.selected_shipping_option.as_ref())
            .map_or_else(|| "Shipping".to_owned(), |o| o.description.clone());
        items.push(Item::handling("shipping", name, shipping));
    }
    let handling = checkout.handling_cost_total_inc_tax.map_or(0, |c| c.get());
    if handling > 0 {
        items.push(Item::handling("handling", "Handling", handling));
    }
    let balanced = Cart::balanced(currency.clone(), items, checkout.grand_total.get());
    let mut items = balanced.items;
    if ctx.store_credit > 0 {
        items.push(Item::other_payment(
            "store_credit",
            "Store credit",
            -ctx.store_credit,
        ));
    }
    let cart = Cart::new(currency, items).with_ref(checkout.id.clone());

    let billing = checkout
        .billing_address
        .clone()
        .unwrap_or_else(empty_address);
    let shipping_address = checkout
        .consignments
        .first()
        .and_then(|c| c.address.clone())
        .unwrap_or_else(|| billing.clone());
    let delivery_name = checkout
        .consignments
        .first()
        .and_then(|c| c.selected_shipping_option.as_ref())
        .map_or_else(|| "Digital delivery".to_owned(), |o| o.description.clone());
    let email = if billing.email.is_empty() {
        checkout.cart.email.clone()
    } else {
        billing.email.clone()
    };
    let language = match billing.country_code.to_ascii_uppercase().as_str() {
        "FR" => "fr-FR",
        "IT" => "it-IT",
        "PT" => "pt-PT",
        _ => "es-ES",
    };
    let customer_id = checkout.cart.customer_id.unwrap_or(0);
    let params = |extra: &str| {
        let mut p = std::collections::BTreeMap::new();
        p.insert("signature".to_owned(), ctx.signature.to_owned());
        p.insert("store".to_owned(), store.as_str().to_owned());
        p.insert("solicitation".to_owned(), ctx.solicitation.to_owned());
        if !extra.is_empty() {
            p.insert("channel".to_owned(), extra.to_owned());
        }
        p
    };
    let store_row = state.db.store(store).await?.ok_or(AppError::NotFound)?;
    let abort_url = store_row
        .secure_url
        .as_deref()
        .map(|u| format!("{}/checkout", u.trim_end_matches('/')));
    Ok(OrderRequest {
        state: OrderState::Solicited,
        merchant: Merchant {
            notify_url: Some(format!(
                "{base}/sequra/ipn/{}/{}",
                store.as_str(),
                ctx.solicitation
            )),
            notification_parameters: Some(params("")),
            return_url: Some(format!(
                "{base}/storefront/{}/solicitations/{}/return",
                store.as_str(),
                ctx.solicitation
            )),
            abort_url,
            events_webhook: Some(EventsWebhook {
                url: format!(
                    "{base}/sequra/events/{}/{}",
                    store.as_str(),
                    ctx.solicitation
                ),
                parameters: params("events"),
            }),
            ..Merchant::id_only(ctx.merchant_id)
        },
        merchant_reference: None,
        cart,
        delivery_method: DeliveryMethod {
            name: delivery_name,
            days: None,
            provider: None,
            home_delivery: None,
        },
        delivery_address: sequra_address(&shipping_address),
        invoice_address: sequra_address(&billing),
        customer: Customer {
            email,
            language_code: language.to_owned(),
            ip_number: ctx
                .request
                .shopper_ip
                .map_or_else(|| "0.0.0.0".to_owned(), |ip| ip.to_string()),
            user_agent: ctx.request.user_agent.clone(),
            logged_in: (customer_id > 0).into(),
            given_names: (!billing.first_name.is_empty()).then(|| billing.first_name.clone()),
            surnames: (!billing.last_name.is_empty()).then(|| billing.last_name.clone()),
            reference: (customer_id > 0).then(|| customer_id.to_string()),
            ..Customer::default()
        },
        gui: Gui {
            layout: if ctx.request.user_agent.contains("Mobi") {
                Layout::Smartphone
            } else {
                Layout::Desktop
            },
        },
        platform: Platform {
            name: "BigCommerce".into(),
            version: "v3".into(),
            plugin_version: Some(env!("CARGO_PKG_VERSION").into()),
            uname: "sequra-bc".into(),
            db_name: state.db.backend().into(),
            db_version: String::new(),
            php_version: None,
        },
        trackings: None,
    })
}
