//! The side panel of the "SeQura order information" App Extension: what SeQura knows of
//! one order, and a link to it in SeQura's portal.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::fragment_with_status;
use crate::db::transaction_log::LogFilter;
use crate::services::connection::euros;
use crate::services::order_sync::Synced;
use crate::state::AppState;
use crate::web::AppError;
use crate::web::session::AdminSession;

pub struct OrderInfo {
    reference: String,
    state_label: &'static str,
    badge: &'static str,
    method: String,
    environment: String,
    total: String,
    store_credit: Option<String>,
    sequra_amount: String,
    shipped: String,
    unshipped: String,
    refunded: String,
    problem: Option<String>,
    portal_link: String,
}

#[derive(Template)]
#[template(path = "admin/order.html")]
struct OrderPage {
    order_id: i64,
    info: Option<OrderInfo>,
}

pub async fn page(
    State(state): State<AppState>,
    session: AdminSession,
    Path(order): Path<String>,
) -> Result<Response, AppError> {
    let order_id: i64 = order.parse().map_err(|_| AppError::NotFound)?;
    // Scoped by the session's store: another store's order is simply not found.
    let row = state
        .db
        .solicitation_by_order(&session.store, order_id)
        .await?;
    let info = match row {
        None => None,
        Some(row) => {
            let sequra_amount = row.grand_total - row.store_credit;
            let synced: Option<Synced> = state
                .db
                .synced(&session.store, &row.id)
                .await?
                .and_then(|j| serde_json::from_str(&j).ok());
            let (unshipped, shipped) = match (&synced, row.state.as_str()) {
                (Some(s), _) => (s.unshipped.total, s.shipped.total),
                (None, "cancelled") => (0, 0),
                (None, _) => (sequra_amount, 0),
            };
            let (state_label, badge) = match row.state.as_str() {
                "confirmed" => ("Approved", "success"),
                "on_hold" => ("In review", "warning"),
                "cancelled" => ("Cancelled", "danger"),
                "conflict" => ("Not placed", "danger"),
                _ => ("Pending", "neutral"),
            };
            let open = state
                .db
                .log_entries(
                    &session.store,
                    &LogFilter {
                        state: Some("open".into()),
                        order_id: Some(order_id),
                    },
                    1,
                    0,
                )
                .await?;
            let portal = if row.environment == "live" {
                &state.config.sequra_live_portal_url
            } else {
                &state.config.sequra_sandbox_portal_url
            };
            let reference = row.sequra_order_ref.clone().unwrap_or_default();
            Some(OrderInfo {
                portal_link: format!("{}/orders/{reference}", portal.trim_end_matches('/')),
                reference,
                state_label,
                badge,
                method: format!("{} ({})", row.method_title, row.product),
                environment: row.environment.clone(),
                total: euros(row.grand_total),
                store_credit: (row.store_credit > 0).then(|| euros(row.store_credit)),
                sequra_amount: euros(sequra_amount),
                shipped: euros(shipped),
                unshipped: euros(unshipped),
                refunded: euros((sequra_amount - shipped - unshipped).max(0)),
                problem: open
                    .first()
                    .map(|e| format!("SeQura has not accepted the latest change: {}", e.reason)),
            })
        }
    };
    // No SeQura order of this store with that id (another store's order looks the same):
    // 404, with the panel saying so.
    let status = if info.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let page = OrderPage { order_id, info };
    fragment_with_status(&state, &session, "order", status, page).await
}
