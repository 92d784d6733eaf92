//! The simulated BigCommerce HTTP surface: REST v2/v3 and GraphQL under
//! `/stores/{store_hash}/…`, the hooks API (from the webhook subsystem, behind the same
//! auth and rate-limit gate), and `/oauth2/token`. Handlers parse and answer; state changes
//! go through `domain`.

mod checkouts;
mod customers;
pub mod errors;
mod gate;
pub mod graphql;
mod oauth;
mod orders_v3;
mod params;
pub mod scopes;
mod scripts;
mod v2;

use std::sync::Arc;

use axum::Router;
use axum::http::{StatusCode, Uri};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use self::errors::{ApiError, style_for};
use super::state::Inner;

async fn not_found(uri: Uri) -> Response {
    ApiError::not_found(style_for(uri.path())).into_response()
}

async fn method_not_allowed(uri: Uri) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        style_for(uri.path()),
        "The method is not allowed on this resource.",
    )
    .into_response()
}

pub(crate) fn router(inner: Arc<Inner>) -> Router {
    let s = scopes::full_route;
    let api = Router::new()
        .route(&s("/v2/store"), get(v2::store))
        .route(&s("/v2/order_statuses"), get(v2::order_statuses))
        .route(&s("/v2/order_statuses/{status_id}"), get(v2::order_status))
        .route(&s("/v2/orders"), get(v2::list_orders))
        .route(&s("/v2/orders/count"), get(v2::count_orders))
        .route(
            &s("/v2/orders/{order_id}"),
            get(v2::get_order)
                .put(v2::put_order)
                .delete(v2::delete_order),
        )
        .route(
            &s("/v2/orders/{order_id}/products"),
            get(v2::order_products),
        )
        .route(
            &s("/v2/orders/{order_id}/products/{product_id}"),
            get(v2::order_product),
        )
        .route(
            &s("/v2/orders/{order_id}/shipping_addresses"),
            get(v2::order_shipping_addresses),
        )
        .route(&s("/v2/orders/{order_id}/coupons"), get(v2::order_coupons))
        .route(
            &s("/v2/orders/{order_id}/shipments"),
            get(v2::list_shipments)
                .post(v2::create_shipment)
                .delete(v2::delete_shipments),
        )
        .route(
            &s("/v2/orders/{order_id}/shipments/count"),
            get(v2::count_shipments),
        )
        .route(
            &s("/v2/orders/{order_id}/shipments/{shipment_id}"),
            get(v2::get_shipment)
                .put(v2::update_shipment)
                .delete(v2::delete_shipment),
        )
        .route(
            &s("/v3/orders/{order_id}/payment_actions/refund_quotes"),
            post(orders_v3::refund_quote),
        )
        .route(
            &s("/v3/orders/{order_id}/payment_actions/refunds"),
            post(orders_v3::create_refund).get(orders_v3::order_refunds),
        )
        .route(
            &s("/v3/orders/payment_actions/refunds"),
            get(orders_v3::all_refunds),
        )
        .route(
            &s("/v3/orders/payment_actions/refunds/{refund_id}"),
            get(orders_v3::get_refund),
        )
        .route(
            &s("/v3/orders/{order_id}/transactions"),
            get(orders_v3::transactions),
        )
        .route(
            &s("/v3/orders/{order_id}/metafields"),
            get(orders_v3::list_metafields).post(orders_v3::create_metafield),
        )
        .route(
            &s("/v3/orders/{order_id}/metafields/{metafield_id}"),
            get(orders_v3::get_metafield)
                .put(orders_v3::update_metafield)
                .delete(orders_v3::delete_metafield),
        )
        .route(
            &s("/v3/checkouts/settings"),
            get(checkouts::get_settings).put(checkouts::put_settings),
        )
        .route(
            &s("/v3/checkouts/settings/channels/{channel_id}"),
            get(checkouts::get_channel_settings).put(checkouts::put_channel_settings),
        )
        .route(
            &s("/v3/checkouts/{checkout_id}"),
            get(checkouts::get_checkout).put(checkouts::put_checkout),
        )
        .route(
            &s("/v3/checkouts/{checkout_id}/orders"),
            post(checkouts::create_order),
        )
        .route(
            &s("/v3/checkouts/{checkout_id}/token"),
            post(checkouts::create_token),
        )
        .route(
            &s("/v3/carts/{cart_id}"),
            axum::routing::delete(checkouts::delete_cart),
        )
        .route(
            &s("/v3/customers"),
            get(customers::list).put(customers::update),
        )
        .route(&s("/v3/catalog/products"), get(customers::products))
        .route(
            &s("/v3/content/scripts"),
            get(scripts::list).post(scripts::create),
        )
        .route(
            &s("/v3/content/scripts/{uuid}"),
            get(scripts::get)
                .put(scripts::update)
                .delete(scripts::delete),
        )
        .route(&s("/graphql"), post(graphql::graphql))
        .route_layer(middleware::from_fn(gate::require_scope))
        .with_state(Arc::clone(&inner));
    let login = Router::new()
        .route("/oauth2/token", post(oauth::token))
        .with_state(Arc::clone(&inner));
    api.merge(inner.webhooks.api_router())
        .merge(login)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(inner, gate::gate))
}
