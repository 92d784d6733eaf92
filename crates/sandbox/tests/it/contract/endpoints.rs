//! Every BigCommerce endpoint the app (server and checkout script) calls, as the simulator
//! serves it, with the official spec file that describes it.
//!
//! Sources: `spec/bigcommerce-platform.md` §10 rows 3, 4, 5, 7–15 and the journeys in
//! `spec/architecture.md` §5. Not here because no OpenAPI file describes them: the OAuth
//! token exchange (row 1), the GraphQL Admin API for App Extensions (row 6), the
//! undocumented `POST /internalapi/v1/checkout/order` (row 7) and webhook deliveries (they
//! are requests to the app, not responses).

use super::spec::{Segment, match_template, segments};

/// Which REST family a path belongs to; decides the error style (§1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    V2,
    V3,
    Storefront,
}

#[derive(Debug)]
pub struct Endpoint {
    pub method: &'static str,
    /// Path as the simulator serves it; parameter names are the spec's.
    pub path: &'static str,
    /// File in `contracts/bigcommerce/openapi/`.
    pub spec: &'static str,
    /// The status of the successful call the app makes.
    pub success: u16,
    /// Other statuses the app meets whose bodies the spec documents: 204 for empty v2
    /// collections, and the error bodies (§1.2).
    pub other: &'static [u16],
    /// Why the app calls it.
    pub purpose: &'static str,
}

impl Endpoint {
    pub fn api(&self) -> Api {
        if self.path.starts_with("/api/storefront/") {
            Api::Storefront
        } else if self.path.starts_with("/stores/{store_hash}/v2/") {
            Api::V2
        } else {
            Api::V3
        }
    }

    /// The path with every parameter replaced by a plausible value from the fixtures'
    /// scenario (examples/README.md).
    pub fn sample_path(&self) -> String {
        segments(self.path)
            .iter()
            .map(|segment| match segment {
                Segment::Literal(s) => s.clone(),
                Segment::Param(name) => sample_value(name).to_owned(),
            })
            .fold(String::new(), |path, segment| path + "/" + &segment)
    }
}

fn sample_value(param: &str) -> &'static str {
    match param {
        "store_hash" => "abc123",
        "order_id" | "orderId" => "250",
        "shipment_id" => "12",
        "refund_id" => "3",
        "metafield_id" => "7",
        "checkoutId" | "cartId" => "c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10",
        "channelId" => "1",
        "uuid" => "0b9e1ffe-7c1b-4dd7-9b7d-2a8f6d1c3e45",
        "webhook_id" => "22",
        _ => "1",
    }
}

macro_rules! endpoint {
    ($method:literal $path:literal, $spec:literal, $success:literal $(, other: [$($other:literal),*])?; $purpose:literal) => {
        Endpoint {
            method: $method,
            path: $path,
            spec: $spec,
            success: $success,
            other: &[$($($other),*)?],
            purpose: $purpose,
        }
    };
}

pub static ENDPOINTS: &[Endpoint] = &[
    // ---- REST v2 -----------------------------------------------------------------------
    endpoint!("GET" "/stores/{store_hash}/v2/store", "store_information.v2.yml", 200;
        "install/load: control_panel_base_url, checkout type, currency (§10 row 3)"),
    endpoint!("GET" "/stores/{store_hash}/v2/order_statuses", "orders.v2.oas2.yml", 200;
        "order status mapping page (§10 row 10)"),
    endpoint!("GET" "/stores/{store_hash}/v2/orders", "orders.v2.oas2.yml", 200, other: [204];
        "order list (§10 row 10)"),
    endpoint!("GET" "/stores/{store_hash}/v2/orders/{order_id}", "orders.v2.oas2.yml", 200, other: [404];
        "sync_order re-fetch, IPN (§10 row 10, arch §5.3–5.5)"),
    endpoint!("PUT" "/stores/{store_hash}/v2/orders/{order_id}", "orders.v2.oas2.yml", 200;
        "status, payment_method, staff_notes after SeQura's answer (arch §5.3 step 4, §5.5)"),
    endpoint!("GET" "/stores/{store_hash}/v2/orders/{order_id}/products", "orders.v2.oas2.yml", 200;
        "carts for SeQura (arch §5.4)"),
    endpoint!("GET" "/stores/{store_hash}/v2/orders/{order_id}/shipping_addresses", "orders.v2.oas2.yml", 200, other: [204];
        "delivery address for SeQura (arch §5.4)"),
    endpoint!("GET" "/stores/{store_hash}/v2/orders/{order_id}/coupons", "orders.v2.oas2.yml", 200, other: [204];
        "discount lines for SeQura (§10 row 10)"),
    endpoint!("GET" "/stores/{store_hash}/v2/orders/{order_id}/shipments", "orders.v2.oas2.yml", 200, other: [204];
        "shipped_cart (arch §5.4, §10 row 11)"),
    endpoint!("POST" "/stores/{store_hash}/v2/orders/{order_id}/shipments", "orders.v2.oas2.yml", 201;
        "merchant console / round-trip tests (§10 row 11)"),
    endpoint!("GET" "/stores/{store_hash}/v2/orders/{order_id}/shipments/count", "orders.v2.oas2.yml", 200;
        "cheap shipment check (§10 row 11)"),
    endpoint!("GET" "/stores/{store_hash}/v2/orders/{order_id}/shipments/{shipment_id}", "orders.v2.oas2.yml", 200;
        "store/shipment/* webhook re-fetch (§10 row 11)"),
    // ---- REST v3: orders -----------------------------------------------------------------
    endpoint!("POST" "/stores/{store_hash}/v3/orders/{order_id}/payment_actions/refund_quotes", "orders.v3.yml", 201, other: [422];
        "refund quote (§10 row 12)"),
    endpoint!("POST" "/stores/{store_hash}/v3/orders/{order_id}/payment_actions/refunds", "orders.v3.yml", 201, other: [422];
        "refund (§10 row 12)"),
    endpoint!("GET" "/stores/{store_hash}/v3/orders/{order_id}/payment_actions/refunds", "orders.v3.yml", 200;
        "refunds of an order for sync_order (arch §5.4)"),
    endpoint!("GET" "/stores/{store_hash}/v3/orders/payment_actions/refunds", "orders.v3.yml", 200;
        "refunds across orders (§10 row 12)"),
    endpoint!("GET" "/stores/{store_hash}/v3/orders/payment_actions/refunds/{refund_id}", "orders.v3.yml", 200;
        "store/order/refund/created re-fetch (§10 row 12)"),
    endpoint!("GET" "/stores/{store_hash}/v3/orders/{order_id}/transactions", "orders.v3.yml", 200, other: [204];
        "payments of an order (§10 row 13)"),
    endpoint!("GET" "/stores/{store_hash}/v3/orders/{order_id}/metafields", "orders.v3.yml", 200;
        "SeQura reference lookup (§10 row 14)"),
    endpoint!("POST" "/stores/{store_hash}/v3/orders/{order_id}/metafields", "orders.v3.yml", 200, other: [409, 422];
        "SeQura reference on the order (arch §5.3 step 4)"),
    endpoint!("GET" "/stores/{store_hash}/v3/orders/{order_id}/metafields/{metafield_id}", "orders.v3.yml", 200, other: [404];
        "metafield read (§10 row 14)"),
    endpoint!("PUT" "/stores/{store_hash}/v3/orders/{order_id}/metafields/{metafield_id}", "orders.v3.yml", 200, other: [404];
        "metafield update (§10 row 14)"),
    endpoint!("DELETE" "/stores/{store_hash}/v3/orders/{order_id}/metafields/{metafield_id}", "orders.v3.yml", 204, other: [404];
        "metafield removal (§10 row 14)"),
    // ---- REST v3: checkout, carts, customers ------------------------------------------------
    endpoint!("GET" "/stores/{store_hash}/v3/checkouts/{checkoutId}", "checkouts.v3.yml", 200, other: [404];
        "authoritative checkout (arch §5.3 steps 3–4)"),
    endpoint!("POST" "/stores/{store_hash}/v3/checkouts/{checkoutId}/orders", "checkouts.v3.yml", 200;
        "create the order exactly once (arch §5.3 step 4)"),
    endpoint!("POST" "/stores/{store_hash}/v3/checkouts/{checkoutId}/token", "checkouts.v3.yml", 200, other: [422];
        "checkout token for the confirmation page (arch §5.3 step 4)"),
    endpoint!("GET" "/stores/{store_hash}/v3/checkouts/settings/channels/{channelId}", "checkouts.v3.yml", 200;
        "terms-and-conditions flags (arch §5.3 step 2)"),
    endpoint!("DELETE" "/stores/{store_hash}/v3/carts/{cartId}", "carts.v3.yml", 204;
        "cart cleanup (arch §5.3 step 4)"),
    endpoint!("GET" "/stores/{store_hash}/v3/customers", "customers.v3.yml", 200, other: [422];
        "store credit balance, `?id:in=…&include=storecredit` (arch §5.3 step 3)"),
    // ---- REST v3: provisioning -------------------------------------------------------------
    endpoint!("GET" "/stores/{store_hash}/v3/content/scripts", "scripts.v3.yml", 200;
        "idempotent provisioning (arch §5.1)"),
    endpoint!("POST" "/stores/{store_hash}/v3/content/scripts", "scripts.v3.yml", 200, other: [422];
        "install the checkout script (arch §5.1)"),
    endpoint!("GET" "/stores/{store_hash}/v3/content/scripts/{uuid}", "scripts.v3.yml", 200, other: [404];
        "provisioning self-heal (arch §5.1)"),
    endpoint!("PUT" "/stores/{store_hash}/v3/content/scripts/{uuid}", "scripts.v3.yml", 200, other: [404];
        "new script bytes / SRI hash (arch §5.1)"),
    endpoint!("DELETE" "/stores/{store_hash}/v3/content/scripts/{uuid}", "scripts.v3.yml", 204, other: [404];
        "uninstall (arch §5.1)"),
    endpoint!("GET" "/stores/{store_hash}/v3/hooks", "webhooks.v3.yml", 200;
        "idempotent provisioning (arch §5.1)"),
    endpoint!("POST" "/stores/{store_hash}/v3/hooks", "webhooks.v3.yml", 200, other: [422];
        "subscribe (arch §5.1)"),
    endpoint!("GET" "/stores/{store_hash}/v3/hooks/{webhook_id}", "webhooks.v3.yml", 200, other: [404];
        "provisioning self-heal (arch §5.1)"),
    endpoint!("PUT" "/stores/{store_hash}/v3/hooks/{webhook_id}", "webhooks.v3.yml", 200;
        "re-activate a deactivated hook (§10 row 5)"),
    endpoint!("DELETE" "/stores/{store_hash}/v3/hooks/{webhook_id}", "webhooks.v3.yml", 200;
        "uninstall (arch §5.1)"),
    endpoint!("GET" "/stores/{store_hash}/v3/hooks/admin", "webhooks.v3.yml", 200;
        "hook statuses and blocked domains for the health page (§10 row 5)"),
    endpoint!("PUT" "/stores/{store_hash}/v3/hooks/admin", "webhooks.v3.yml", 204, other: [422];
        "who is e-mailed when a hook is deactivated (§10 row 5)"),
    // ---- Storefront (the checkout script, in the shopper's browser; §10 row 7) -------------
    endpoint!("GET" "/api/storefront/checkouts/{checkoutId}", "checkouts.sf.yml", 200;
        "isStoreCreditApplied / outstandingBalance (arch §5.3 step 2)"),
    endpoint!("POST" "/api/storefront/checkouts/{checkoutId}/store-credit", "checkouts.sf.yml", 200;
        "apply store credit (§10 row 7)"),
    endpoint!("DELETE" "/api/storefront/checkouts/{checkoutId}/store-credit", "checkouts.sf.yml", 200;
        "remove store credit (§10 row 7)"),
    endpoint!("GET" "/api/storefront/carts", "carts.sf.yml", 200;
        "the shopper's cart (§10 row 7)"),
    endpoint!("GET" "/api/storefront/orders/{orderId}", "orders.sf.yml", 200;
        "order after placement (§10 row 7)"),
];

/// The table row that serves `method` on the concrete `path` (query ignored), preferring
/// literal segments over parameters.
pub fn find(method: &str, path: &str) -> Option<&'static Endpoint> {
    let concrete = segments(path);
    ENDPOINTS
        .iter()
        .filter(|e| e.method.eq_ignore_ascii_case(method))
        .filter_map(|e| match_template(&segments(e.path), &concrete).map(|score| (e, score)))
        .max_by(|(_, a), (_, b)| a.cmp(b))
        .map(|(e, _)| e)
}

/// The error body an endpoint must return for an error status its own operation does not
/// document — most v2 operations document no error at all, yet §1.2 fixes one shape per
/// API family, and the official files describe that shape once: v2 in
/// `orders.v2.oas2.yml#/components/responses/404_Resp` (an array of `{status, message}`),
/// v3 in `orders.v3.yml#/components/schemas/ErrorResponse` (`{status, title, type,
/// errors}`). Storefront errors are not described anywhere.
pub fn family_error_schema(api: Api) -> Option<(&'static str, &'static str)> {
    match api {
        Api::V2 => Some((
            "orders.v2.oas2.yml",
            "/components/responses/404_Resp/content/application~1json/schema",
        )),
        Api::V3 => Some(("orders.v3.yml", "/components/schemas/ErrorResponse")),
        Api::Storefront => None,
    }
}
