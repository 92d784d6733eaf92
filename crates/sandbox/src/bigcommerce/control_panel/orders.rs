//! Orders › View: the list and an order's page. Each order has an Actions menu with the
//! merchant's own actions (Edit order, Ship items, Refund, Change status, Archive; see
//! `order_actions`) and the ORDERS App Extensions of the store's apps. An extension click
//! opens the app's load callback (JWT `url` = the extension's url with `${id}` replaced) in
//! a side panel (PANEL) or under Apps (LINK).

use askama::Template;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::apps::{AppFramePage, NoticeQuery};
use super::pages::{Chrome, CpError, CpResult, money, render};
use super::session::Ctx;
use super::{OrderAction, paths};
use crate::bigcommerce::control::BigCommerce;
use crate::bigcommerce::domain::totals;
use crate::bigcommerce::model::{
    Address, AppExtension, Instant, ItemKind, Order, RefundItemType, status,
};

/// One App Extension in an order's Actions menu.
pub(super) struct ActionRow {
    /// `bc/store/appExtension/{n}`.
    id: String,
    client_id: String,
    context: String,
    label: String,
    url: String,
}

/// One of the merchant's actions in an order's Actions menu.
pub(super) struct MenuItem {
    /// `order-action-edit`, `order-action-ship`, …
    test: &'static str,
    label: &'static str,
    url: String,
}

pub(super) struct OrderRow {
    pub id: i64,
    pub url: String,
    pub date: String,
    pub customer: String,
    pub email: String,
    pub status: String,
    pub status_id: u8,
    pub total: String,
    pub total_cents: i64,
    pub payment_method: String,
    pub is_archived: bool,
    pub menu: Vec<MenuItem>,
    pub actions: Vec<ActionRow>,
}

struct LineRow {
    id: i64,
    product_id: i64,
    name: String,
    sku: String,
    kind: &'static str,
    quantity: i64,
    shipped: i64,
    refunded: i64,
    price: String,
    total: String,
}

/// An address as the order page shows it.
struct AddressView {
    /// The order address id; 0 for the billing address.
    id: i64,
    lines: Vec<String>,
    email: String,
    phone: String,
    /// Shipping addresses: method and cost.
    method: String,
    cost: String,
}

struct TotalRow {
    /// `subtotal`, `coupon_discount`, `manual_discount`, `shipping`, `handling`,
    /// `wrapping`, `grand_total`, `store_credit`, `refunded`.
    key: &'static str,
    label: &'static str,
    amount: String,
    cents: i64,
}

struct PaymentRow {
    provider_id: String,
    description: String,
    amount: String,
}

struct ShipmentItemRow {
    line_id: i64,
    name: String,
    quantity: i64,
}

struct ShipmentRow {
    id: i64,
    date: String,
    address_id: i64,
    tracking_number: String,
    shipping_provider: String,
    tracking_carrier: String,
    tracking_link: String,
    shipping_method: String,
    comments: String,
    items: Vec<ShipmentItemRow>,
}

struct RefundItemRow {
    /// PRODUCT, SHIPPING, ORDER, …
    item_type: &'static str,
    item_id: i64,
    label: String,
    quantity: Option<i64>,
    amount: String,
}

struct RefundPaymentRow {
    provider_id: String,
    amount: String,
    cents: i64,
}

struct RefundRow {
    id: i64,
    date: String,
    total: String,
    total_cents: i64,
    reason: String,
    items: Vec<RefundItemRow>,
    payments: Vec<RefundPaymentRow>,
}

struct PanelView {
    extension_id: String,
    client_id: String,
    label: String,
    src: String,
    close_url: String,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/orders.html")]
struct OrdersPage {
    chrome: Chrome,
    orders: Vec<OrderRow>,
}

#[derive(Template)]
#[template(path = "bigcommerce/control_panel/order.html")]
struct OrderPage {
    chrome: Chrome,
    order: OrderRow,
    lines: Vec<LineRow>,
    billing: AddressView,
    shipping: Vec<AddressView>,
    totals: Vec<TotalRow>,
    payments: Vec<PaymentRow>,
    staff_notes: String,
    customer_message: String,
    shipments: Vec<ShipmentRow>,
    refunds: Vec<RefundRow>,
    orders_url: String,
    panel: Option<PanelView>,
    /// Why the last action failed (the page then answers with a 4xx).
    error: Option<String>,
}

/// The store's ORDERS extensions of installed apps, by id.
fn order_extensions(ctx: &Ctx) -> Vec<&AppExtension> {
    ctx.page
        .store
        .app_extensions
        .values()
        .filter(|e| e.model == "ORDERS" && ctx.page.store.installs.contains_key(&e.client_id))
        .collect()
}

/// The label in the user's locale when the extension has it, else its default.
fn label_for(extension: &AppExtension, locale: &str) -> String {
    extension
        .label_locales
        .iter()
        .find(|l| l.locale_code.eq_ignore_ascii_case(locale))
        .map_or_else(|| extension.label_default.clone(), |l| l.value.clone())
}

fn actions(ctx: &Ctx, order_id: i64) -> Vec<ActionRow> {
    order_extensions(ctx)
        .into_iter()
        .map(|e| ActionRow {
            id: format!("bc/store/appExtension/{}", e.id),
            client_id: e.client_id.clone(),
            context: e.context.clone(),
            label: label_for(e, &ctx.user.locale),
            url: ctx.at(&paths::order_extension(order_id, e.id)),
        })
        .collect()
}

fn menu(ctx: &Ctx, order_id: i64) -> Vec<MenuItem> {
    OrderAction::ALL
        .iter()
        .map(|&action| {
            let (test, label) = match action {
                OrderAction::Edit => ("order-action-edit", "Edit order"),
                OrderAction::Ship => ("order-action-ship", "Ship items"),
                OrderAction::Refund => ("order-action-refund", "Refund"),
                OrderAction::Status => ("order-action-status", "Change status"),
                OrderAction::Archive => ("order-action-archive", "Archive"),
            };
            MenuItem {
                test,
                label,
                url: ctx.at(&paths::order_action(order_id, action)),
            }
        })
        .collect()
}

/// The store's label of a status (merchants may rename them).
pub(super) fn status_label(ctx: &Ctx, status_id: u8) -> String {
    ctx.page
        .store
        .status_labels
        .get(usize::from(status_id))
        .cloned()
        .unwrap_or_default()
}

pub(super) fn date(instant: &Instant) -> String {
    instant.format("%-d %b %Y %H:%M").to_string()
}

pub(super) fn symbol(ctx: &Ctx) -> &str {
    &ctx.page.store.profile.currency_symbol
}

pub(super) fn order_row(ctx: &Ctx, order: &Order) -> OrderRow {
    let billing = &order.billing_address;
    let total = totals::order_totals(order).total;
    OrderRow {
        id: order.id,
        url: ctx.at(&paths::order(order.id)),
        date: date(&order.created_at),
        customer: format!("{} {}", billing.first_name, billing.last_name)
            .trim()
            .to_owned(),
        email: billing.email.clone(),
        status: status_label(ctx, order.status_id),
        status_id: order.status_id,
        total: money(symbol(ctx), total),
        total_cents: total,
        payment_method: order.payment_method.clone(),
        is_archived: order.is_deleted,
        menu: menu(ctx, order.id),
        actions: actions(ctx, order.id),
    }
}

/// The order named by a path segment, or 404.
pub(super) fn find_order<'c>(ctx: &'c Ctx, order_id: &str, chrome: &Chrome) -> CpResult<&'c Order> {
    order_id
        .parse::<i64>()
        .ok()
        .and_then(|id| ctx.page.store.orders.get(&id))
        .ok_or_else(|| CpError::not_found("order").within(chrome))
}

fn address_lines(address: &Address) -> Vec<String> {
    let name = format!("{} {}", address.first_name, address.last_name);
    let city = format!("{} {}", address.zip, address.city);
    [
        name.trim(),
        address.company.as_str(),
        address.street_1.as_str(),
        address.street_2.as_str(),
        city.trim(),
        address.state.as_str(),
        address.country.as_str(),
    ]
    .into_iter()
    .filter(|l| !l.is_empty())
    .map(str::to_owned)
    .collect()
}

fn totals_rows(ctx: &Ctx, order: &Order) -> Vec<TotalRow> {
    let t = totals::order_totals(order);
    let refunded = totals::refunded_so_far(&ctx.page.store, order.id);
    let row = |key, label, cents: i64| TotalRow {
        key,
        label,
        amount: money(symbol(ctx), cents),
        cents,
    };
    let mut rows = vec![row("subtotal", "Subtotal", t.subtotal)];
    if t.coupon_discount != 0 {
        rows.push(row(
            "coupon_discount",
            "Coupon discount",
            -t.coupon_discount,
        ));
    }
    if t.manual_discount != 0 {
        rows.push(row(
            "manual_discount",
            "Manual discount",
            -t.manual_discount,
        ));
    }
    rows.push(row("shipping", "Shipping", t.shipping));
    if t.handling != 0 {
        rows.push(row("handling", "Handling", t.handling));
    }
    if t.wrapping != 0 {
        rows.push(row("wrapping", "Gift wrapping", t.wrapping));
    }
    rows.push(row("grand_total", "Grand total", t.total));
    if order.store_credit_cents != 0 {
        rows.push(row(
            "store_credit",
            "Paid with store credit",
            order.store_credit_cents,
        ));
    }
    if refunded != 0 {
        rows.push(row("refunded", "Refunded", refunded));
    }
    rows
}

fn shipments(ctx: &Ctx, order: &Order) -> Vec<ShipmentRow> {
    ctx.page
        .store
        .shipments
        .values()
        .filter(|s| s.order_id == order.id)
        .map(|s| ShipmentRow {
            id: s.id,
            date: date(&s.created_at),
            address_id: s.order_address_id,
            tracking_number: s.tracking_number.clone(),
            shipping_provider: s.shipping_provider.clone(),
            tracking_carrier: s.tracking_carrier.clone(),
            tracking_link: s.tracking_link.clone(),
            shipping_method: s.shipping_method.clone(),
            comments: s.comments.clone(),
            items: s
                .items
                .iter()
                .map(|i| ShipmentItemRow {
                    line_id: i.order_product_id,
                    name: line_name(order, i.order_product_id),
                    quantity: i.quantity,
                })
                .collect(),
        })
        .collect()
}

fn line_name(order: &Order, line_id: i64) -> String {
    order
        .lines
        .iter()
        .find(|l| l.id == line_id)
        .map_or_else(|| format!("Product {line_id}"), |l| l.name.clone())
}

fn refunds(ctx: &Ctx, order: &Order) -> Vec<RefundRow> {
    let symbol = symbol(ctx);
    ctx.page
        .store
        .refunds
        .values()
        .filter(|r| r.order_id == order.id)
        .map(|r| RefundRow {
            id: r.id,
            date: date(&r.created_at),
            total: money(symbol, r.total_cents),
            total_cents: r.total_cents,
            reason: r.reason.clone(),
            items: r
                .items
                .iter()
                .map(|i| RefundItemRow {
                    item_type: i.item_type.as_str(),
                    item_id: i.item_id,
                    label: match i.item_type {
                        RefundItemType::Product => line_name(order, i.item_id),
                        RefundItemType::Shipping => "Shipping".to_owned(),
                        RefundItemType::Order => "Custom amount".to_owned(),
                        other => other.as_str().to_owned(),
                    },
                    quantity: i.quantity,
                    amount: money(symbol, i.amount_cents),
                })
                .collect(),
            payments: r
                .payments
                .iter()
                .map(|p| RefundPaymentRow {
                    provider_id: p.provider_id.clone(),
                    amount: money(symbol, p.amount_cents),
                    cents: p.amount_cents,
                })
                .collect(),
        })
        .collect()
}

fn order_page(
    ctx: &Ctx,
    order: &Order,
    chrome: Chrome,
    panel: Option<PanelView>,
    error: Option<String>,
) -> OrderPage {
    let symbol = symbol(ctx);
    OrderPage {
        chrome,
        order: order_row(ctx, order),
        lines: order
            .lines
            .iter()
            .map(|l| LineRow {
                id: l.id,
                product_id: l.product_id,
                name: l.name.clone(),
                sku: l.sku.clone(),
                kind: match l.kind {
                    ItemKind::Physical => "physical",
                    ItemKind::Digital => "digital",
                },
                quantity: l.quantity,
                shipped: l.quantity_shipped,
                refunded: l.quantity_refunded,
                price: money(symbol, l.unit_price_cents),
                total: money(symbol, l.total_cents()),
            })
            .collect(),
        billing: AddressView {
            id: 0,
            lines: address_lines(&order.billing_address),
            email: order.billing_address.email.clone(),
            phone: order.billing_address.phone.clone(),
            method: String::new(),
            cost: String::new(),
        },
        shipping: order
            .shipping_addresses
            .iter()
            .map(|a| AddressView {
                id: a.id,
                lines: address_lines(&a.address),
                email: a.address.email.clone(),
                phone: a.address.phone.clone(),
                method: a.shipping_method.clone(),
                cost: money(symbol, a.cost_cents),
            })
            .collect(),
        totals: totals_rows(ctx, order),
        payments: order
            .payments
            .iter()
            .map(|p| PaymentRow {
                provider_id: p.provider_id.clone(),
                description: p.description.clone(),
                amount: money(symbol, p.amount_cents),
            })
            .collect(),
        staff_notes: order.staff_notes.clone(),
        customer_message: order.customer_message.clone(),
        shipments: shipments(ctx, order),
        refunds: refunds(ctx, order),
        orders_url: ctx.at(paths::ORDERS),
        panel,
        error,
    }
}

/// The order page answering a failed action: `status` (a 4xx) with `message` on it.
pub(super) fn order_with_error(
    ctx: &Ctx,
    order: &Order,
    status: StatusCode,
    message: String,
) -> Response {
    let chrome = ctx.chrome("orders", None);
    render(status, &order_page(ctx, order, chrome, None, Some(message)))
}

pub(super) async fn list(
    State(sim): State<BigCommerce>,
    Path(store): Path<String>,
    Query(query): Query<NoticeQuery>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let ctx = Ctx::new(&sim, &store, &headers, &uri)?;
    let orders = ctx
        .page
        .store
        .orders
        .values()
        .rev()
        .filter(|o| !o.is_deleted && o.status_id != status::INCOMPLETE)
        .map(|o| order_row(&ctx, o))
        .collect();
    Ok(render(
        StatusCode::OK,
        &OrdersPage {
            chrome: ctx.chrome("orders", query.notice),
            orders,
        },
    ))
}

pub(super) async fn detail(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): Path<(String, String)>,
    Query(query): Query<NoticeQuery>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let ctx = Ctx::new(&sim, &store, &headers, &uri)?;
    let chrome = ctx.chrome("orders", query.notice);
    let order = find_order(&ctx, &order_id, &chrome)?;
    Ok(render(
        StatusCode::OK,
        &order_page(&ctx, order, chrome.clone(), None, None),
    ))
}

/// A click on an App Extension: the load callback with a fresh JWT whose `url` is the
/// extension's with `${id}` replaced, in a side panel (PANEL) or the app's page (LINK).
pub(super) async fn extension(
    State(sim): State<BigCommerce>,
    Path((store, order_id, extension)): Path<(String, String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let ctx = Ctx::new(&sim, &store, &headers, &uri)?;
    let chrome = ctx.chrome("orders", None);
    let order = find_order(&ctx, &order_id, &chrome)?;
    let ext = extension
        .parse::<i64>()
        .ok()
        .and_then(|n| order_extensions(&ctx).into_iter().find(|e| e.id == n))
        .ok_or_else(|| CpError::not_found("app extension").within(&chrome))?;
    let extension_id = format!("bc/store/appExtension/{}", ext.id);
    let src = sim
        .app_extension_click_url(
            ctx.hash(),
            &ext.client_id,
            ctx.user.id,
            &extension_id,
            order.id,
        )
        .map_err(|e| CpError::from(e).within(&chrome))?;
    if ext.context == "LINK" {
        return Ok(render(
            StatusCode::OK,
            &AppFramePage {
                chrome: ctx.chrome("apps", None),
                client_id: ext.client_id.clone(),
                phase: "load",
                src,
                my_apps_url: ctx.at(paths::MY_APPS),
            },
        ));
    }
    let panel = PanelView {
        extension_id,
        client_id: ext.client_id.clone(),
        label: label_for(ext, &ctx.user.locale),
        src,
        close_url: ctx.at(&paths::order(order.id)),
    };
    Ok(render(
        StatusCode::OK,
        &order_page(&ctx, order, chrome.clone(), Some(panel), None),
    ))
}
