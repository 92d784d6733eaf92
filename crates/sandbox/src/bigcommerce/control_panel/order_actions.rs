//! The merchant's order actions: Edit order, Ship items, Refund (quote, then refund), Change
//! status and Archive. Each is a page with a form (GET) and its submission (POST), which
//! calls the control handle, i.e. the same domain functions as the API, so an action here
//! changes the order and fires webhooks exactly as the same call through the handle does.
//!
//! Every POST carries the session's CSRF token (403 without it). A success redirects (303)
//! to the order page (the order list after Archive) with a notice; a refused action answers
//! the order page with the domain's message and a 4xx status (400 invalid, 404 unknown,
//! 409 conflict, 422 store credit for a guest); a form that cannot be read at all is a 400
//! error page.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::apps::with_notice;
use super::orders::{OrderRow, find_order, order_row, order_with_error, status_label, symbol};
use super::pages::{Chrome, CpError, CpResult, money, render};
use super::session::{CSRF_FIELD, Ctx};
use super::{OrderAction, paths};
use crate::bigcommerce::control::BigCommerce;
use crate::bigcommerce::domain::orders::{AddressPatch, OrderEdit, OrderUpdate};
use crate::bigcommerce::domain::refunds::{
    CUSTOM, PaymentOption, RefundItemRequest, RefundPaymentRequest, RefundRequest, STORE_CREDIT,
};
use crate::bigcommerce::domain::shipments::NewShipment;
use crate::bigcommerce::domain::{DomainError, totals};
use crate::bigcommerce::model::{Address, ItemKind, Order, RefundItemType, status};
use crate::bigcommerce::money::{MAX_AMOUNT_CENTS, parse_decimal_str};

/// The fields of an address, as the order has them (v2 names), and their labels.
const ADDRESS_FIELDS: [(&str, &str); 12] = [
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("company", "Company"),
    ("street_1", "Address line 1"),
    ("street_2", "Address line 2"),
    ("city", "City"),
    ("state", "State / province"),
    ("zip", "Postcode"),
    ("country", "Country"),
    ("country_iso2", "Country code"),
    ("phone", "Phone"),
    ("email", "Email"),
];

/// The shipping providers a shipment accepts (§4.5), with the labels the select shows.
const PROVIDERS: [(&str, &str); 11] = [
    ("", "None / other"),
    ("auspost", "Australia Post"),
    ("canadapost", "Canada Post"),
    ("endicia", "Endicia"),
    ("usps", "USPS"),
    ("fedex", "FedEx"),
    ("royalmail", "Royal Mail"),
    ("ups", "UPS"),
    ("upsready", "UPS Ready"),
    ("upsonline", "UPS Online"),
    ("shipperhq", "ShipperHQ"),
];

fn address_value<'a>(address: &'a Address, field: &str) -> Option<&'a str> {
    Some(match field {
        "first_name" => &address.first_name,
        "last_name" => &address.last_name,
        "company" => &address.company,
        "street_1" => &address.street_1,
        "street_2" => &address.street_2,
        "city" => &address.city,
        "state" => &address.state,
        "zip" => &address.zip,
        "country" => &address.country,
        "country_iso2" => &address.country_iso2,
        "phone" => &address.phone,
        "email" => &address.email,
        _ => return None,
    })
}

fn patch_field(patch: &mut AddressPatch, field: &str, value: String) {
    let slot = match field {
        "first_name" => &mut patch.first_name,
        "last_name" => &mut patch.last_name,
        "company" => &mut patch.company,
        "street_1" => &mut patch.street_1,
        "street_2" => &mut patch.street_2,
        "city" => &mut patch.city,
        "state" => &mut patch.state,
        "zip" => &mut patch.zip,
        "country" => &mut patch.country,
        "country_iso2" => &mut patch.country_iso2,
        "phone" => &mut patch.phone,
        "email" => &mut patch.email,
        _ => return,
    };
    *slot = Some(value);
}

/// Cents as a form input shows them: `5.00`.
fn amount_input(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

// ---- posted forms ---------------------------------------------------------------------

/// A submitted form: its fields in order (a name may repeat; the last value wins).
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A trimmed, non-empty value.
    fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// `(id, value)` of every `{prefix}{id}` field, in form order.
    fn numbered<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = Result<(i64, &'a str), Refusal>> + 'a {
        self.0.iter().filter_map(move |(name, value)| {
            let id = name.strip_prefix(prefix)?;
            Some(
                id.parse::<i64>()
                    .map(|id| (id, value.as_str()))
                    .map_err(|_| Refusal::bad(format!("The form field {name} is not understood."))),
            )
        })
    }
}

/// Why an action was not done: shown on the order page with `status`.
struct Refusal {
    status: StatusCode,
    message: String,
}

impl Refusal {
    fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
}

impl From<DomainError> for Refusal {
    /// The domain's refusal as the merchant reads it (without the API's field prefix).
    fn from(error: DomainError) -> Self {
        let status = match &error {
            DomainError::NotFound(_) => StatusCode::NOT_FOUND,
            DomainError::Invalid { .. } => StatusCode::BAD_REQUEST,
            DomainError::Conflict(_) => StatusCode::CONFLICT,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::GuestStoreCredit => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let message = match error {
            DomainError::NotFound(what) => format!("The {what} does not exist."),
            DomainError::Invalid { message, .. } => message,
            other => other.to_string(),
        };
        Self { status, message }
    }
}

/// A whole number of units; blank is `blank`.
fn quantity(value: &str, what: &str, blank: i64) -> Result<i64, Refusal> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(blank);
    }
    value
        .parse::<i64>()
        .map_err(|_| Refusal::bad(format!("The quantity of {what} must be a whole number.")))
}

/// An amount such as `5`, `5.5` or `5.00` in cents.
fn amount(value: &str, what: &str) -> Result<i64, Refusal> {
    parse_decimal_str(value.trim())
        .filter(|cents| cents.abs() <= MAX_AMOUNT_CENTS)
        .ok_or_else(|| {
            Refusal::bad(format!(
                "{what} must be an amount such as 12.50 (two decimals at most)."
            ))
        })
}

/// A signed-in POST with a readable form, a valid CSRF token and a known order.
struct Posted {
    ctx: Ctx,
    order: Order,
    fields: Fields,
}

fn posted(
    sim: &BigCommerce,
    store: &str,
    order_id: &str,
    headers: &HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> CpResult<Posted> {
    let ctx = Ctx::for_action(sim, store, headers)?;
    let chrome = ctx.chrome("orders", None);
    let Form(fields) = form.map_err(|e| {
        CpError::bad_request(format!("The form could not be read: {}", e.body_text()))
            .within(&chrome)
    })?;
    let fields = Fields(fields);
    ctx.check_csrf(fields.get(CSRF_FIELD), &chrome)?;
    let order = find_order(&ctx, order_id, &chrome)?.clone();
    Ok(Posted { ctx, order, fields })
}

impl Posted {
    /// The outcome of an action: a redirect with `notice` to `to`, or the order page with
    /// the refusal.
    fn finish(&self, outcome: Result<(String, String), Refusal>) -> Response {
        match outcome {
            Ok((to, notice)) => Redirect::to(&with_notice(&to, &notice)).into_response(),
            Err(refusal) => {
                order_with_error(&self.ctx, &self.order, refusal.status, refusal.message)
            }
        }
    }

    fn order_url(&self) -> String {
        self.ctx.at(&paths::order(self.order.id))
    }
}

/// A GET of an action's page: the signed-in context and the order.
fn opened(
    sim: &BigCommerce,
    store: &str,
    order_id: &str,
    headers: &HeaderMap,
    uri: &axum::http::Uri,
) -> CpResult<(Ctx, Order)> {
    let ctx = Ctx::new(sim, store, headers, uri)?;
    let chrome = ctx.chrome("orders", None);
    let order = find_order(&ctx, order_id, &chrome)?.clone();
    Ok((ctx, order))
}

/// What every action page shows around its form.
struct ActionFrame {
    order: OrderRow,
    order_url: String,
    /// The form's target.
    action: String,
    csrf: String,
}

fn frame(ctx: &Ctx, order: &Order, action: String) -> ActionFrame {
    ActionFrame {
        order: order_row(ctx, order),
        order_url: ctx.at(&paths::order(order.id)),
        action,
        csrf: ctx.csrf.clone(),
    }
}

type OrderPath = Path<(String, String)>;
type PostedForm = Result<Form<Vec<(String, String)>>, FormRejection>;

// ---- Edit order -------------------------------------------------------------------------

struct EditLine {
    id: i64,
    name: String,
    sku: String,
    quantity: i64,
    /// Shipped or refunded units: the least the quantity may become.
    minimum: i64,
    price: String,
}

struct ProductOption {
    id: i64,
    label: String,
}

struct AddressField {
    /// The input's name: `billing_city`, `shipping_151_city`.
    name: String,
    field: &'static str,
    label: &'static str,
    value: String,
}

struct EditShipping {
    id: i64,
    fields: Vec<AddressField>,
    method: String,
    cost: String,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/order_edit.html")]
struct EditPage {
    chrome: Chrome,
    frame: ActionFrame,
    lines: Vec<EditLine>,
    products: Vec<ProductOption>,
    billing: Vec<AddressField>,
    shipping: Vec<EditShipping>,
    discount: String,
    staff_notes: String,
}

fn address_fields(prefix: &str, address: &Address) -> Vec<AddressField> {
    ADDRESS_FIELDS
        .iter()
        .map(|(field, label)| AddressField {
            name: format!("{prefix}{field}"),
            field,
            label,
            value: address_value(address, field).unwrap_or_default().to_owned(),
        })
        .collect()
}

pub(super) async fn edit_page(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let (ctx, order) = opened(&sim, &store, &order_id, &headers, &uri)?;
    let symbol = symbol(&ctx);
    let page = EditPage {
        chrome: ctx.chrome("orders", None),
        lines: order
            .lines
            .iter()
            .map(|l| EditLine {
                id: l.id,
                name: l.name.clone(),
                sku: l.sku.clone(),
                quantity: l.quantity,
                minimum: l.quantity_shipped.max(l.quantity_refunded),
                price: money(symbol, l.unit_price_cents),
            })
            .collect(),
        products: ctx
            .page
            .store
            .products
            .values()
            .map(|p| ProductOption {
                id: p.id,
                label: format!("{} ({}) · {}", p.name, p.sku, money(symbol, p.price_cents)),
            })
            .collect(),
        billing: address_fields("billing_", &order.billing_address),
        shipping: order
            .shipping_addresses
            .iter()
            .map(|a| EditShipping {
                id: a.id,
                fields: address_fields(&format!("shipping_{}_", a.id), &a.address),
                method: a.shipping_method.clone(),
                cost: amount_input(a.cost_cents),
            })
            .collect(),
        discount: amount_input(order.manual_discount_cents),
        staff_notes: order.staff_notes.clone(),
        frame: frame(
            &ctx,
            &order,
            ctx.at(&paths::order_action(order.id, OrderAction::Edit)),
        ),
    };
    Ok(render(StatusCode::OK, &page))
}

/// Newlines as a textarea sends them (CRLF) become `\n`.
fn text_area(value: &str) -> String {
    value.replace("\r\n", "\n")
}

/// The edits a submitted Edit-order form asks for. A field that is absent or unchanged
/// changes nothing (a line's quantity re-sent as is keeps its discounts).
fn edits_of(order: &Order, fields: &Fields) -> Result<(Vec<OrderEdit>, Option<String>), Refusal> {
    let mut edits = Vec::new();
    let mut removed = Vec::new();
    for entry in fields.numbered("remove_") {
        let (line_id, value) = entry?;
        if !value.trim().is_empty() && value.trim() != "0" {
            removed.push(line_id);
            edits.push(OrderEdit::RemoveItem {
                order_product_id: line_id,
            });
        }
    }
    for entry in fields.numbered("qty_") {
        let (line_id, value) = entry?;
        if removed.contains(&line_id) {
            continue;
        }
        let current = order.lines.iter().find(|l| l.id == line_id);
        let name = current.map_or_else(|| format!("product {line_id}"), |l| l.name.clone());
        let wanted = quantity(value, &name, current.map_or(0, |l| l.quantity))?;
        if current.is_some_and(|l| l.quantity == wanted) {
            continue;
        }
        edits.push(OrderEdit::SetQuantity {
            order_product_id: line_id,
            quantity: wanted,
        });
    }
    if let Some(product) = fields.value("add_product_id") {
        let product_id = product
            .parse::<i64>()
            .map_err(|_| Refusal::bad("Choose a product from the catalogue to add."))?;
        let quantity = quantity(
            fields.get("add_quantity").unwrap_or_default(),
            "the product to add",
            1,
        )?;
        edits.push(OrderEdit::AddItem {
            product_id,
            quantity,
            order_address_id: None,
        });
    }
    if let Some(patch) = address_patch(fields, "billing_", Some(&order.billing_address)) {
        edits.push(OrderEdit::PatchBillingAddress(patch));
    }
    // Shipping addresses named by the form, in form order, each once.
    let mut address_ids: Vec<i64> = Vec::new();
    for (name, _) in &fields.0 {
        let Some(rest) = name.strip_prefix("shipping_") else {
            continue;
        };
        let id = rest
            .split_once('_')
            .and_then(|(id, _)| id.parse::<i64>().ok())
            .ok_or_else(|| Refusal::bad(format!("The form field {name} is not understood.")))?;
        if !address_ids.contains(&id) {
            address_ids.push(id);
        }
    }
    for id in address_ids {
        let current = order.shipping_addresses.iter().find(|a| a.id == id);
        let prefix = format!("shipping_{id}_");
        if let Some(patch) = address_patch(fields, &prefix, current.map(|a| &a.address)) {
            edits.push(OrderEdit::PatchShippingAddress {
                address_id: id,
                patch,
            });
        }
        if let Some(method) = fields.get(&format!("{prefix}method")).map(str::trim)
            && current.is_none_or(|a| a.shipping_method != method)
        {
            edits.push(OrderEdit::SetShippingMethod {
                address_id: id,
                method: method.to_owned(),
            });
        }
        if let Some(cost) = fields.value(&format!("{prefix}cost")) {
            let cents = amount(cost, "The shipping cost")?;
            if current.is_none_or(|a| a.cost_cents != cents) {
                edits.push(OrderEdit::SetShippingCost {
                    address_id: id,
                    cents,
                });
            }
        }
    }
    if let Some(discount) = fields.get("discount") {
        let cents = if discount.trim().is_empty() {
            0
        } else {
            amount(discount, "The discount")?
        };
        if cents != order.manual_discount_cents {
            edits.push(OrderEdit::SetDiscount { cents });
        }
    }
    let staff_notes = fields
        .get("staff_notes")
        .map(text_area)
        .filter(|notes| *notes != order.staff_notes);
    Ok((edits, staff_notes))
}

/// The changed fields of `{prefix}{field}` against `current` (every given field when the
/// address does not exist, for the domain to refuse).
fn address_patch(fields: &Fields, prefix: &str, current: Option<&Address>) -> Option<AddressPatch> {
    let mut patch = AddressPatch::default();
    let mut changed = false;
    for (field, _) in ADDRESS_FIELDS {
        if let Some(value) = fields.get(&format!("{prefix}{field}")) {
            let current = current.and_then(|a| address_value(a, field));
            // As shown (even with stray spaces) is unchanged; a change is kept trimmed.
            if current != Some(value) && current != Some(value.trim()) {
                patch_field(&mut patch, field, value.trim().to_owned());
                changed = true;
            }
        }
    }
    changed.then_some(patch)
}

/// Saves the Edit-order form: one `edit_order` (with the staff notes, `update_order`), so
/// one `store/order/updated` whatever changed, as a Save in BigCommerce.
pub(super) async fn edit(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    headers: HeaderMap,
    form: PostedForm,
) -> CpResult<Response> {
    let p = posted(&sim, &store, &order_id, &headers, form)?;
    let outcome = edits_of(&p.order, &p.fields).and_then(|(edits, staff_notes)| {
        match staff_notes {
            None => sim.edit_order(p.ctx.hash(), p.order.id, edits),
            Some(notes) => sim.update_order(
                p.ctx.hash(),
                p.order.id,
                OrderUpdate {
                    staff_notes: Some(notes),
                    edits,
                    ..Default::default()
                },
            ),
        }
        .map_err(Refusal::from)?;
        Ok((p.order_url(), format!("Order #{} was updated.", p.order.id)))
    });
    Ok(p.finish(outcome))
}

// ---- Ship items -------------------------------------------------------------------------

struct ShipLine {
    id: i64,
    name: String,
    sku: String,
    ordered: i64,
    shipped: i64,
    remaining: i64,
}

struct ShipAddress {
    id: i64,
    label: String,
    url: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/order_ship.html")]
struct ShipPage {
    chrome: Chrome,
    frame: ActionFrame,
    /// The address the shipment goes to (0 when the order has none).
    address_id: i64,
    addresses: Vec<ShipAddress>,
    lines: Vec<ShipLine>,
    providers: Vec<(&'static str, &'static str)>,
    shipping_method: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ShipQuery {
    address: Option<String>,
}

fn remaining_to_ship(order: &Order, address_id: i64) -> i64 {
    order
        .lines
        .iter()
        .filter(|l| l.kind == ItemKind::Physical && l.order_address_id == address_id)
        .map(|l| (l.quantity - l.quantity_shipped).max(0))
        .sum()
}

pub(super) async fn ship_page(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    Query(query): Query<ShipQuery>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let (ctx, order) = opened(&sim, &store, &order_id, &headers, &uri)?;
    let url = ctx.at(&paths::order_action(order.id, OrderAction::Ship));
    // The address asked for, else the first with something left to ship, else the first.
    let address_id = match query.address.as_deref() {
        Some(id) => id
            .parse::<i64>()
            .ok()
            .filter(|id| order.shipping_addresses.iter().any(|a| a.id == *id))
            .ok_or_else(|| {
                CpError::not_found("shipping address").within(&ctx.chrome("orders", None))
            })?,
        None => order
            .shipping_addresses
            .iter()
            .find(|a| remaining_to_ship(&order, a.id) > 0)
            .or(order.shipping_addresses.first())
            .map_or(0, |a| a.id),
    };
    let page = ShipPage {
        chrome: ctx.chrome("orders", None),
        address_id,
        addresses: order
            .shipping_addresses
            .iter()
            .map(|a| ShipAddress {
                id: a.id,
                label: format!(
                    "{} {}, {}, {}",
                    a.address.first_name, a.address.last_name, a.address.street_1, a.address.city
                ),
                url: format!("{url}?address={}", a.id),
                current: a.id == address_id,
            })
            .collect(),
        lines: order
            .lines
            .iter()
            .filter(|l| {
                l.kind == ItemKind::Physical
                    && l.order_address_id == address_id
                    && l.quantity > l.quantity_shipped
            })
            .map(|l| ShipLine {
                id: l.id,
                name: l.name.clone(),
                sku: l.sku.clone(),
                ordered: l.quantity,
                shipped: l.quantity_shipped,
                remaining: (l.quantity - l.quantity_shipped).max(0),
            })
            .collect(),
        providers: PROVIDERS.to_vec(),
        shipping_method: order
            .shipping_addresses
            .iter()
            .find(|a| a.id == address_id)
            .map(|a| a.shipping_method.clone())
            .unwrap_or_default(),
        frame: frame(&ctx, &order, url),
    };
    Ok(render(StatusCode::OK, &page))
}

fn shipment_of(order: &Order, fields: &Fields) -> Result<NewShipment, Refusal> {
    let order_address_id = fields
        .value("order_address_id")
        .and_then(|id| id.parse::<i64>().ok())
        .ok_or_else(|| Refusal::bad("Choose the shipping address the items go to."))?;
    let mut items = Vec::new();
    for entry in fields.numbered("qty_") {
        let (line_id, value) = entry?;
        let name = order
            .lines
            .iter()
            .find(|l| l.id == line_id)
            .map_or_else(|| format!("product {line_id}"), |l| l.name.clone());
        let quantity = quantity(value, &name, 0)?;
        if quantity != 0 {
            items.push((line_id, quantity));
        }
    }
    let text = |name: &str| {
        fields
            .get(name)
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    Ok(NewShipment {
        order_address_id,
        items,
        tracking_number: text("tracking_number"),
        tracking_carrier: text("tracking_carrier"),
        tracking_link: text("tracking_link"),
        shipping_provider: text("shipping_provider"),
        shipping_method: text("shipping_method"),
        comments: text("comments"),
    })
}

/// Ship items: one shipment (`ship_items`) of the quantities asked for.
pub(super) async fn ship(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    headers: HeaderMap,
    form: PostedForm,
) -> CpResult<Response> {
    let p = posted(&sim, &store, &order_id, &headers, form)?;
    let outcome = shipment_of(&p.order, &p.fields).and_then(|shipment| {
        let units: i64 = shipment.items.iter().map(|(_, q)| *q).sum();
        let id = sim
            .ship_items(p.ctx.hash(), p.order.id, shipment)
            .map_err(Refusal::from)?;
        let plural = if units == 1 { "" } else { "s" };
        Ok((
            p.order_url(),
            format!("Shipment #{id} created: {units} item{plural} shipped."),
        ))
    });
    Ok(p.finish(outcome))
}

// ---- Refund -----------------------------------------------------------------------------

struct RefundLine {
    id: i64,
    name: String,
    sku: String,
    price: String,
    ordered: i64,
    refunded: i64,
    refundable: i64,
}

struct RefundShipping {
    id: i64,
    method: String,
    cost: String,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/order_refund.html")]
struct RefundPage {
    chrome: Chrome,
    frame: ActionFrame,
    lines: Vec<RefundLine>,
    shipping: Vec<RefundShipping>,
    left: String,
}

pub(super) async fn refund_page(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let (ctx, order) = opened(&sim, &store, &order_id, &headers, &uri)?;
    let symbol = symbol(&ctx);
    let left =
        totals::order_totals(&order).total - totals::refunded_so_far(&ctx.page.store, order.id);
    let page = RefundPage {
        chrome: ctx.chrome("orders", None),
        lines: order
            .lines
            .iter()
            .map(|l| RefundLine {
                id: l.id,
                name: l.name.clone(),
                sku: l.sku.clone(),
                price: money(symbol, l.unit_price_cents),
                ordered: l.quantity,
                refunded: l.quantity_refunded,
                refundable: (l.quantity - l.quantity_refunded).max(0),
            })
            .collect(),
        shipping: order
            .shipping_addresses
            .iter()
            .filter(|a| a.cost_cents > 0)
            .map(|a| RefundShipping {
                id: a.id,
                method: a.shipping_method.clone(),
                cost: money(symbol, a.cost_cents),
            })
            .collect(),
        left: money(symbol, left),
        frame: frame(&ctx, &order, ctx.at(&paths::refund_quote(order.id))),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The refund's items: products by quantity (in the order's line order), shipping amounts
/// (in address order), then the custom amount (an ORDER item), all with the reason.
fn refund_items_of(order: &Order, fields: &Fields) -> Result<Vec<RefundItemRequest>, Refusal> {
    let reason = fields
        .get("reason")
        .map(text_area)
        .map(|r| r.trim().to_owned())
        .unwrap_or_default();
    let position = |id: i64| order.lines.iter().position(|l| l.id == id);
    let mut products: Vec<(i64, i64)> = Vec::new();
    for entry in fields.numbered("qty_") {
        let (line_id, value) = entry?;
        let name = order
            .lines
            .iter()
            .find(|l| l.id == line_id)
            .map_or_else(|| format!("product {line_id}"), |l| l.name.clone());
        let quantity = quantity(value, &name, 0)?;
        if quantity != 0 {
            products.push((line_id, quantity));
        }
    }
    products.sort_by_key(|(id, _)| position(*id).unwrap_or(usize::MAX));
    let mut shipping: Vec<(i64, i64)> = Vec::new();
    for entry in fields.numbered("shipping_") {
        let (address_id, value) = entry?;
        if !value.trim().is_empty() {
            let cents = amount(value, "The shipping amount")?;
            shipping.push((address_id, cents));
        }
    }
    shipping.sort_by_key(|(id, _)| {
        order
            .shipping_addresses
            .iter()
            .position(|a| a.id == *id)
            .unwrap_or(usize::MAX)
    });
    let mut items: Vec<RefundItemRequest> = products
        .into_iter()
        .map(|(id, quantity)| RefundItemRequest::product(id, quantity))
        .chain(
            shipping
                .into_iter()
                .map(|(id, cents)| RefundItemRequest::amount(RefundItemType::Shipping, id, cents)),
        )
        .collect();
    if let Some(custom) = fields.value("amount") {
        let cents = amount(custom, "The refund amount")?;
        items.push(RefundItemRequest::amount(
            RefundItemType::Order,
            order.id,
            cents,
        ));
    }
    for item in &mut items {
        item.reason.clone_from(&reason);
    }
    Ok(items)
}

/// One refund method of the quote, as a radio button.
struct MethodOption {
    /// `provider:cents,provider:cents`: what the refund form sends back.
    value: String,
    /// `storecredit` or the original payments' providers, comma-separated.
    providers: String,
    /// `payment` (the order's original payments), `store_credit` or `custom` (manual).
    kind: &'static str,
    label: String,
    checked: bool,
}

/// A hidden field carrying the refund's items to the second step.
struct Hidden {
    name: String,
    value: String,
}

struct QuoteItem {
    label: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/order_refund_quote.html")]
struct QuotePage {
    chrome: Chrome,
    frame: ActionFrame,
    total: String,
    total_cents: i64,
    tax: String,
    items: Vec<QuoteItem>,
    methods: Vec<MethodOption>,
    hidden: Vec<Hidden>,
    back_url: String,
}

/// The fields the quote page carries to the refund: the items as the merchant entered them.
fn carried(fields: &Fields) -> Vec<Hidden> {
    fields
        .0
        .iter()
        .filter(|(name, _)| {
            name.starts_with("qty_")
                || name.starts_with("shipping_")
                || name == "amount"
                || name == "reason"
        })
        .map(|(name, value)| Hidden {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

fn method_value(option: &[PaymentOption]) -> String {
    option
        .iter()
        .map(|p| format!("{}:{}", p.provider_id, p.amount_cents))
        .collect::<Vec<_>>()
        .join(",")
}

/// The refund's first step: the quote for the items, and where the money can go.
pub(super) async fn refund_quote(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    headers: HeaderMap,
    form: PostedForm,
) -> CpResult<Response> {
    let p = posted(&sim, &store, &order_id, &headers, form)?;
    let quoted = refund_items_of(&p.order, &p.fields).and_then(|items| {
        sim.refund_quote(p.ctx.hash(), p.order.id, &items)
            .map_err(Refusal::from)
    });
    let quote = match quoted {
        Ok(quote) => quote,
        Err(refusal) => return Ok(p.finish(Err(refusal))),
    };
    let symbol = symbol(&p.ctx);
    let methods = quote
        .refund_methods
        .iter()
        .enumerate()
        .map(|(index, option)| {
            let kind = if option.iter().all(|o| o.provider_id == STORE_CREDIT) {
                "store_credit"
            } else if option.iter().all(|o| o.provider_id == CUSTOM) {
                "custom"
            } else {
                "payment"
            };
            let parts: Vec<String> = option
                .iter()
                .map(|o| {
                    let offline = if o.offline { " (offline)" } else { "" };
                    format!(
                        "{}{offline}: {}",
                        o.description,
                        money(symbol, o.amount_cents)
                    )
                })
                .collect();
            MethodOption {
                value: method_value(option),
                providers: option
                    .iter()
                    .map(|o| o.provider_id.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                kind,
                label: parts.join(" + "),
                checked: index == 0,
            }
        })
        .collect();
    let items = quote
        .items
        .iter()
        .map(|i| QuoteItem {
            label: match i.item_type {
                RefundItemType::Product => {
                    let name = p
                        .order
                        .lines
                        .iter()
                        .find(|l| l.id == i.item_id)
                        .map_or_else(String::new, |l| l.name.clone());
                    format!("{} × {name}", i.quantity.unwrap_or(0))
                }
                RefundItemType::Shipping => "Shipping".to_owned(),
                RefundItemType::Order => "Custom amount".to_owned(),
                other => other.as_str().to_owned(),
            },
            amount: money(symbol, i.amount_cents),
        })
        .collect();
    let page = QuotePage {
        chrome: p.ctx.chrome("orders", None),
        total: money(symbol, quote.total_cents),
        total_cents: quote.total_cents,
        tax: money(symbol, quote.tax_cents),
        items,
        methods,
        hidden: carried(&p.fields),
        back_url: p
            .ctx
            .at(&paths::order_action(p.order.id, OrderAction::Refund)),
        frame: frame(
            &p.ctx,
            &p.order,
            p.ctx
                .at(&paths::order_action(p.order.id, OrderAction::Refund)),
        ),
    };
    Ok(render(StatusCode::OK, &page))
}

/// `provider:cents,…` → the refund's payments.
fn payments_of(method: &str) -> Result<Vec<RefundPaymentRequest>, Refusal> {
    method
        .split(',')
        .map(|part| {
            let (provider, cents) = part
                .rsplit_once(':')
                .ok_or_else(|| Refusal::bad("Choose where the refund goes."))?;
            let cents = cents
                .parse::<i64>()
                .map_err(|_| Refusal::bad("Choose where the refund goes."))?;
            Ok(RefundPaymentRequest {
                provider_id: provider.to_owned(),
                amount_cents: cents,
                offline: provider != STORE_CREDIT,
            })
        })
        .collect()
}

/// The refund: the items again, and the refund method picked from the quote; the domain
/// re-quotes and refuses payments that match none of its methods.
pub(super) async fn refund(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    headers: HeaderMap,
    form: PostedForm,
) -> CpResult<Response> {
    let p = posted(&sim, &store, &order_id, &headers, form)?;
    let outcome = refund_items_of(&p.order, &p.fields).and_then(|items| {
        let method = p
            .fields
            .value("method")
            .ok_or_else(|| Refusal::bad("Choose where the refund goes."))?;
        let payments = payments_of(method)?;
        let total: i64 = payments
            .iter()
            .fold(0_i64, |sum, p| sum.saturating_add(p.amount_cents));
        let id = sim
            .refund(
                p.ctx.hash(),
                p.order.id,
                RefundRequest {
                    items,
                    payments,
                    merchant_override: None,
                    user_id: p.ctx.user.id,
                },
            )
            .map_err(Refusal::from)?;
        Ok((
            p.order_url(),
            format!(
                "Refund #{id} of {} was created.",
                money(symbol(&p.ctx), total)
            ),
        ))
    });
    Ok(p.finish(outcome))
}

// ---- Change status ------------------------------------------------------------------------

struct StatusOption {
    id: u8,
    label: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/order_status.html")]
struct StatusPage {
    chrome: Chrome,
    frame: ActionFrame,
    statuses: Vec<StatusOption>,
}

pub(super) async fn status_page(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let (ctx, order) = opened(&sim, &store, &order_id, &headers, &uri)?;
    let page = StatusPage {
        chrome: ctx.chrome("orders", None),
        statuses: (0..=status::MAX)
            .map(|id| StatusOption {
                id,
                label: status_label(&ctx, id),
                current: id == order.status_id,
            })
            .collect(),
        frame: frame(
            &ctx,
            &order,
            ctx.at(&paths::order_action(order.id, OrderAction::Status)),
        ),
    };
    Ok(render(StatusCode::OK, &page))
}

/// Change status (`set_order_status`); Cancelled is status 5.
pub(super) async fn set_status(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    headers: HeaderMap,
    form: PostedForm,
) -> CpResult<Response> {
    let p = posted(&sim, &store, &order_id, &headers, form)?;
    let outcome = p
        .fields
        .value("status_id")
        .and_then(|s| s.parse::<u8>().ok())
        .ok_or_else(|| Refusal::bad("Choose one of the order statuses."))
        .and_then(|status_id| {
            sim.set_order_status(p.ctx.hash(), p.order.id, status_id)
                .map_err(Refusal::from)?;
            Ok((
                p.order_url(),
                format!(
                    "Order #{} is now {}.",
                    p.order.id,
                    status_label(&p.ctx, status_id)
                ),
            ))
        });
    Ok(p.finish(outcome))
}

// ---- Archive ------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/order_archive.html")]
struct ArchivePage {
    chrome: Chrome,
    frame: ActionFrame,
}

pub(super) async fn archive_page(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let (ctx, order) = opened(&sim, &store, &order_id, &headers, &uri)?;
    let page = ArchivePage {
        chrome: ctx.chrome("orders", None),
        frame: frame(
            &ctx,
            &order,
            ctx.at(&paths::order_action(order.id, OrderAction::Archive)),
        ),
    };
    Ok(render(StatusCode::OK, &page))
}

/// Archive (`archive_order`), then back to the order list, which no longer shows it.
pub(super) async fn archive(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): OrderPath,
    headers: HeaderMap,
    form: PostedForm,
) -> CpResult<Response> {
    let p = posted(&sim, &store, &order_id, &headers, form)?;
    let outcome = sim
        .archive_order(p.ctx.hash(), p.order.id)
        .map_err(Refusal::from)
        .map(|()| {
            (
                p.ctx.at(paths::ORDERS),
                format!("Order #{} was archived.", p.order.id),
            )
        });
    Ok(p.finish(outcome))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn amounts_and_quantities_are_read_strictly() {
        assert_eq!(amount(" 5 ", "x").ok(), Some(500));
        assert_eq!(amount("5.5", "x").ok(), Some(550));
        assert!(amount("5.555", "x").is_err());
        assert!(amount("abc", "x").is_err());
        assert!(amount("99999999999999999999", "x").is_err());
        assert_eq!(quantity("", "x", 3).ok(), Some(3));
        assert_eq!(quantity("-2", "x", 0).ok(), Some(-2));
        assert!(quantity("1.5", "x", 0).is_err());
        assert_eq!(amount_input(-505), "-5.05");
    }

    #[test]
    fn refund_methods_round_trip_through_the_form() {
        let payments = payments_of("cod:9500,storecredit:2000")
            .ok()
            .unwrap_or_default();
        assert_eq!(payments.len(), 2);
        assert_eq!(payments[1].provider_id, STORE_CREDIT);
        assert!(!payments[1].offline);
        assert!(payments_of("cod").is_err());
        assert!(payments_of("cod:x").is_err());
    }

    #[test]
    fn a_numbered_field_with_a_bad_id_is_refused() {
        let form = fields(&[("qty_12", "1"), ("qty_x", "2")]);
        let read: Vec<_> = form.numbered("qty_").collect();
        assert!(read[0].is_ok());
        assert!(read[1].is_err());
    }
}
