//! Orders › View: the list and an order's page, each order with an Actions menu holding the
//! ORDERS App Extensions of the store's apps. A click opens the app's load callback (JWT
//! `url` = the extension's url with `${id}` replaced) in a side panel (PANEL) or under Apps
//! (LINK). The merchant's own order actions come later.

use askama::Template;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::apps::AppFramePage;
use super::pages::{Chrome, CpError, CpResult, money, render};
use super::paths;
use super::session::Ctx;
use crate::bigcommerce::control::BigCommerce;
use crate::bigcommerce::domain::totals;
use crate::bigcommerce::model::{AppExtension, Order, status};

/// One App Extension in an order's Actions menu.
struct ActionRow {
    /// `bc/store/appExtension/{n}`.
    id: String,
    client_id: String,
    context: String,
    label: String,
    url: String,
}

struct OrderRow {
    id: i64,
    url: String,
    date: String,
    customer: String,
    email: String,
    status: String,
    status_id: u8,
    total: String,
    actions: Vec<ActionRow>,
}

struct LineRow {
    name: String,
    sku: String,
    quantity: i64,
    price: String,
    total: String,
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
    totals: Vec<(&'static str, String)>,
    orders_url: String,
    panel: Option<PanelView>,
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

fn order_row(ctx: &Ctx, order: &Order) -> OrderRow {
    let store = &ctx.page.store;
    let symbol = &store.profile.currency_symbol;
    let billing = &order.billing_address;
    OrderRow {
        id: order.id,
        url: ctx.at(&paths::order(order.id)),
        date: order.created_at.format("%-d %b %Y %H:%M").to_string(),
        customer: format!("{} {}", billing.first_name, billing.last_name)
            .trim()
            .to_owned(),
        email: billing.email.clone(),
        status: store
            .status_labels
            .get(usize::from(order.status_id))
            .cloned()
            .unwrap_or_default(),
        status_id: order.status_id,
        total: money(symbol, totals::order_totals(order).total),
        actions: actions(ctx, order.id),
    }
}

fn find_order<'c>(ctx: &'c Ctx, order_id: &str, chrome: &Chrome) -> CpResult<&'c Order> {
    order_id
        .parse::<i64>()
        .ok()
        .and_then(|id| ctx.page.store.orders.get(&id))
        .ok_or_else(|| CpError::not_found("order").within(chrome))
}

fn order_page(ctx: &Ctx, order: &Order, chrome: Chrome, panel: Option<PanelView>) -> OrderPage {
    let symbol = &ctx.page.store.profile.currency_symbol;
    let t = totals::order_totals(order);
    let mut rows = vec![("Subtotal", money(symbol, t.subtotal))];
    if t.coupon_discount != 0 {
        rows.push(("Coupon discount", money(symbol, -t.coupon_discount)));
    }
    if t.manual_discount != 0 {
        rows.push(("Manual discount", money(symbol, -t.manual_discount)));
    }
    rows.push(("Shipping", money(symbol, t.shipping)));
    if t.handling != 0 {
        rows.push(("Handling", money(symbol, t.handling)));
    }
    if t.wrapping != 0 {
        rows.push(("Gift wrapping", money(symbol, t.wrapping)));
    }
    rows.push(("Grand total", money(symbol, t.total)));
    OrderPage {
        chrome,
        order: order_row(ctx, order),
        lines: order
            .lines
            .iter()
            .map(|l| LineRow {
                name: l.name.clone(),
                sku: l.sku.clone(),
                quantity: l.quantity,
                price: money(symbol, l.unit_price_cents),
                total: money(symbol, l.total_cents()),
            })
            .collect(),
        totals: rows,
        orders_url: ctx.at(paths::ORDERS),
        panel,
    }
}

pub(super) async fn list(
    State(sim): State<BigCommerce>,
    Path(store): Path<String>,
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
            chrome: ctx.chrome("orders", None),
            orders,
        },
    ))
}

pub(super) async fn detail(
    State(sim): State<BigCommerce>,
    Path((store, order_id)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> CpResult<Response> {
    let ctx = Ctx::new(&sim, &store, &headers, &uri)?;
    let chrome = ctx.chrome("orders", None);
    let order = find_order(&ctx, &order_id, &chrome)?;
    Ok(render(
        StatusCode::OK,
        &order_page(&ctx, order, chrome, None),
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
        &order_page(&ctx, order, chrome, Some(panel)),
    ))
}
