//! The transaction log page: filterable, paged, with links to the order in the BigCommerce
//! control panel and in SeQura's portal (live or sandbox by the order's environment), and
//! the integration notices (webhooks BigCommerce had switched off and the app repaired).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::fragment_with_status;
use crate::db::transaction_log::LogFilter;
use crate::state::AppState;
use crate::web::AppError;
use crate::web::session::AdminSession;

const PAGE_SIZE: i64 = 20;

pub struct EntryView {
    when: String,
    order: i64,
    event: &'static str,
    method: String,
    state: String,
    state_label: &'static str,
    badge: &'static str,
    attempts: i64,
    reason: String,
    shop_link: String,
    sequra_link: String,
}

pub struct Abandoned {
    when: String,
    checkout: String,
    method: String,
    amount: String,
}

/// A solicitation without any answer after a day is abandoned (the shopper left
/// SeQura's form; SeQura's solicitations do not live longer).
const ABANDONED_AFTER_MS: i64 = 24 * 3_600_000;

pub struct Notice {
    when: String,
    text: String,
}

#[derive(Template)]
#[template(path = "admin/transactions.html")]
struct LogPage {
    entries: Vec<EntryView>,
    notices: Vec<Notice>,
    abandoned: Vec<Abandoned>,
    states: Vec<(&'static str, &'static str)>,
    state: String,
    order: String,
    filtered: bool,
    page: i64,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    state: String,
    #[serde(default)]
    order: String,
    #[serde(default)]
    page: String,
}

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn event_label(event: &str) -> &'static str {
    match event {
        "order.cancelled" => "Cancellation",
        "order.shipped" => "Shipment",
        "order.partially_shipped" => "Partial shipment",
        "order.refunded" => "Refund",
        "order.partially_refunded" => "Partial refund",
        "order.address_changed" => "Address change",
        _ => "Order edit",
    }
}

pub async fn page(
    State(state): State<AppState>,
    session: AdminSession,
    query: Result<Query<LogQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    let q = query.map(|Query(q)| q).unwrap_or_default();
    let filter_state = match q.state.as_str() {
        "open" | "resolved" => q.state.clone(),
        _ => String::new(),
    };
    let order = q.order.trim().parse::<i64>().ok().filter(|o| *o > 0);
    let page = q.page.parse::<i64>().unwrap_or(1).clamp(1, 10_000);
    let filter = LogFilter {
        state: (!filter_state.is_empty()).then(|| filter_state.clone()),
        order_id: order,
    };
    let mut rows = state
        .db
        .log_entries(
            &session.store,
            &filter,
            PAGE_SIZE + 1,
            (page - 1) * PAGE_SIZE,
        )
        .await?;
    let has_next = rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(20);
    rows.truncate(usize::try_from(PAGE_SIZE).unwrap_or(20));

    let store_row = state
        .db
        .store(&session.store)
        .await?
        .ok_or(AppError::NotFound)?;
    let cp = store_row
        .control_panel_base_url
        .unwrap_or_else(|| format!("https://store-{}.mybigcommerce.com", session.store.as_str()));
    let portal = |env: &str| {
        if env == "live" {
            state
                .config
                .sequra_live_portal_url
                .trim_end_matches('/')
                .to_owned()
        } else {
            state
                .config
                .sequra_sandbox_portal_url
                .trim_end_matches('/')
                .to_owned()
        }
    };
    let entries = rows
        .into_iter()
        .map(|e| {
            let (state_label, badge) = match e.state.as_str() {
                "retrying" => ("Retrying", "warning"),
                "resolved" => ("Resolved", "success"),
                _ => ("Failed", "danger"),
            };
            EntryView {
                when: when(e.updated_at),
                order: e.bc_order_id,
                event: event_label(&e.event),
                method: e.payment_method,
                state: e.state.clone(),
                state_label,
                badge,
                attempts: e.attempts,
                reason: e.reason,
                shop_link: format!(
                    "{}/manage/orders/{}",
                    cp.trim_end_matches('/'),
                    e.bc_order_id
                ),
                sequra_link: format!("{}/orders/{}", portal(&e.environment), e.sequra_order_ref),
            }
        })
        .collect();
    let notices = state
        .db
        .events(&session.store, 5)
        .await?
        .into_iter()
        .map(|ev| Notice {
            when: when(ev.created_at),
            text: match ev.kind.as_str() {
                "webhook_reactivated" => format!(
                    "BigCommerce had switched off the app's webhook for {} after failed deliveries; the app switched it back on.",
                    ev.detail
                ),
                _ => ev.detail,
            },
        })
        .collect();
    let abandoned = state
        .db
        .abandoned_solicitations(
            &session.store,
            state.clock.now_ms() - ABANDONED_AFTER_MS,
            10,
        )
        .await?
        .into_iter()
        .map(|s| Abandoned {
            when: when(s.created_at),
            checkout: s.checkout_id,
            method: s.method_title,
            amount: crate::services::connection::euros(s.grand_total - s.store_credit),
        })
        .collect();
    let link = |p: i64| {
        format!(
            "/admin/transactions?state={}&order={}&page={p}",
            filter_state,
            order.map(|o| o.to_string()).unwrap_or_default()
        )
    };
    let view = LogPage {
        entries,
        notices,
        abandoned,
        states: vec![
            ("", "All entries"),
            ("open", "Open (failed or retrying)"),
            ("resolved", "Resolved"),
        ],
        state: filter_state.clone(),
        order: order.map(|o| o.to_string()).unwrap_or_default(),
        filtered: !filter_state.is_empty() || order.is_some(),
        page,
        prev: (page > 1).then(|| link(page - 1)),
        next: has_next.then(|| link(page + 1)),
    };
    fragment_with_status(&state, &session, "transactions", StatusCode::OK, view).await
}
