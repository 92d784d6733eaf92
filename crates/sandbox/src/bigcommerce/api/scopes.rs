//! Which OAuth scope each endpoint needs (§2.8 and the OpenAPI files' security sections).
//! A caller needs ANY ONE of the listed scopes; a `modify` scope includes its `read_only`
//! twin. A route missing from the table is refused (fails closed).
//!
//! | endpoints | read (GET) | write |
//! |---|---|---|
//! | `/v2/store` | `store_v2_information[_read_only]` | — |
//! | `/v2/order_statuses`, `/v2/orders…` (incl. shipments) | `store_v2_orders[_read_only]` | `store_v2_orders` |
//! | `/v3/orders/{id}/metafields…`, refunds (GET) | `store_v2_orders[_read_only]` | `store_v2_orders` |
//! | refund quotes and refunds (POST) | — | `store_v2_orders` |
//! | `/v3/orders/{id}/transactions` | `store_v2_transactions[_read_only]` | — |
//! | `/v3/checkouts/{id}`, `…/orders`, `…/token` | `store_checkout[_read_only]` | `store_checkout` |
//! | `/v3/checkouts/settings…` | `store_checkout[_read_only]` or `store_v2_information[_read_only]` | `store_checkout` or `store_v2_information` |
//! | `/v3/carts/{id}` (DELETE) | — | `store_cart` |
//! | `/v3/customers` | `store_v2_customers[_read_only]` | `store_v2_customers` |
//! | `/v3/catalog/products` | `store_v2_products[_read_only]` | — |
//! | `/v3/content/scripts…` | `store_content_checkout[_read_only]` or `store_v2_content[_read_only]` | `store_content_checkout` or `store_v2_content` (+ `store_content_checkout` for visibility `checkout`/`all_pages`) |
//! | `/graphql` | per field: `appExtension…` / `store { appExtensions }` need `store_app_extensions_manage` | |
//! | `/v3/hooks…` | none (webhooks use the default scope) | |
//!
//! Notes: the checkouts OpenAPI file spells the scope `store_checkouts`; BigCommerce's scope
//! list and real auth callbacks use `store_checkout`, which is what the simulator grants and
//! checks. Debiting store credit (`PUT /v3/customers`) needs the *modify* Customers scope,
//! not `store_v2_customers_read_only`.

const ORDERS_READ: &[&str] = &["store_v2_orders", "store_v2_orders_read_only"];
const ORDERS_WRITE: &[&str] = &["store_v2_orders"];
const TRANSACTIONS_READ: &[&str] = &["store_v2_transactions", "store_v2_transactions_read_only"];
const INFORMATION_READ: &[&str] = &["store_v2_information", "store_v2_information_read_only"];
const CHECKOUT_READ: &[&str] = &["store_checkout", "store_checkout_read_only"];
const CHECKOUT_WRITE: &[&str] = &["store_checkout"];
const CHECKOUT_SETTINGS_READ: &[&str] = &[
    "store_checkout",
    "store_checkout_read_only",
    "store_v2_information",
    "store_v2_information_read_only",
];
const CHECKOUT_SETTINGS_WRITE: &[&str] = &["store_checkout", "store_v2_information"];
const CART_WRITE: &[&str] = &["store_cart"];
const PRODUCTS_READ: &[&str] = &["store_v2_products", "store_v2_products_read_only"];
const CUSTOMERS_READ: &[&str] = &["store_v2_customers", "store_v2_customers_read_only"];
const CUSTOMERS_WRITE: &[&str] = &["store_v2_customers"];
const CONTENT_READ: &[&str] = &[
    "store_content_checkout",
    "store_content_checkout_read_only",
    "store_v2_content",
    "store_v2_content_read_only",
];
const CONTENT_WRITE: &[&str] = &["store_content_checkout", "store_v2_content"];
/// Checked per field by the GraphQL handler.
const PER_FIELD: &[&str] = &[];

pub const APP_EXTENSIONS: &str = "store_app_extensions_manage";
pub const CHECKOUT_CONTENT: &str = "store_content_checkout";

const S: &str = "/stores/{store_hash}";

/// (method, route template relative to `/stores/{store_hash}`, accepted scopes).
pub static TABLE: &[(&str, &str, &[&str])] = &[
    ("GET", "/v2/store", INFORMATION_READ),
    ("GET", "/v2/order_statuses", ORDERS_READ),
    ("GET", "/v2/order_statuses/{status_id}", ORDERS_READ),
    ("GET", "/v2/orders", ORDERS_READ),
    ("GET", "/v2/orders/count", ORDERS_READ),
    ("GET", "/v2/orders/{order_id}", ORDERS_READ),
    ("PUT", "/v2/orders/{order_id}", ORDERS_WRITE),
    ("DELETE", "/v2/orders/{order_id}", ORDERS_WRITE),
    ("GET", "/v2/orders/{order_id}/products", ORDERS_READ),
    (
        "GET",
        "/v2/orders/{order_id}/products/{product_id}",
        ORDERS_READ,
    ),
    (
        "GET",
        "/v2/orders/{order_id}/shipping_addresses",
        ORDERS_READ,
    ),
    ("GET", "/v2/orders/{order_id}/coupons", ORDERS_READ),
    ("GET", "/v2/orders/{order_id}/shipments", ORDERS_READ),
    ("POST", "/v2/orders/{order_id}/shipments", ORDERS_WRITE),
    ("DELETE", "/v2/orders/{order_id}/shipments", ORDERS_WRITE),
    ("GET", "/v2/orders/{order_id}/shipments/count", ORDERS_READ),
    (
        "GET",
        "/v2/orders/{order_id}/shipments/{shipment_id}",
        ORDERS_READ,
    ),
    (
        "PUT",
        "/v2/orders/{order_id}/shipments/{shipment_id}",
        ORDERS_WRITE,
    ),
    (
        "DELETE",
        "/v2/orders/{order_id}/shipments/{shipment_id}",
        ORDERS_WRITE,
    ),
    (
        "POST",
        "/v3/orders/{order_id}/payment_actions/refund_quotes",
        ORDERS_WRITE,
    ),
    (
        "POST",
        "/v3/orders/{order_id}/payment_actions/refunds",
        ORDERS_WRITE,
    ),
    (
        "GET",
        "/v3/orders/{order_id}/payment_actions/refunds",
        ORDERS_READ,
    ),
    ("GET", "/v3/orders/payment_actions/refunds", ORDERS_READ),
    (
        "GET",
        "/v3/orders/payment_actions/refunds/{refund_id}",
        ORDERS_READ,
    ),
    (
        "GET",
        "/v3/orders/{order_id}/transactions",
        TRANSACTIONS_READ,
    ),
    ("GET", "/v3/orders/{order_id}/metafields", ORDERS_READ),
    ("POST", "/v3/orders/{order_id}/metafields", ORDERS_WRITE),
    (
        "GET",
        "/v3/orders/{order_id}/metafields/{metafield_id}",
        ORDERS_READ,
    ),
    (
        "PUT",
        "/v3/orders/{order_id}/metafields/{metafield_id}",
        ORDERS_WRITE,
    ),
    (
        "DELETE",
        "/v3/orders/{order_id}/metafields/{metafield_id}",
        ORDERS_WRITE,
    ),
    ("GET", "/v3/checkouts/settings", CHECKOUT_SETTINGS_READ),
    ("PUT", "/v3/checkouts/settings", CHECKOUT_SETTINGS_WRITE),
    (
        "GET",
        "/v3/checkouts/settings/channels/{channel_id}",
        CHECKOUT_SETTINGS_READ,
    ),
    (
        "PUT",
        "/v3/checkouts/settings/channels/{channel_id}",
        CHECKOUT_SETTINGS_WRITE,
    ),
    ("GET", "/v3/checkouts/{checkout_id}", CHECKOUT_READ),
    ("PUT", "/v3/checkouts/{checkout_id}", CHECKOUT_WRITE),
    ("POST", "/v3/checkouts/{checkout_id}/orders", CHECKOUT_WRITE),
    ("POST", "/v3/checkouts/{checkout_id}/token", CHECKOUT_WRITE),
    ("DELETE", "/v3/carts/{cart_id}", CART_WRITE),
    ("GET", "/v3/customers", CUSTOMERS_READ),
    ("GET", "/v3/catalog/products", PRODUCTS_READ),
    ("PUT", "/v3/customers", CUSTOMERS_WRITE),
    ("GET", "/v3/content/scripts", CONTENT_READ),
    ("POST", "/v3/content/scripts", CONTENT_WRITE),
    ("GET", "/v3/content/scripts/{uuid}", CONTENT_READ),
    ("PUT", "/v3/content/scripts/{uuid}", CONTENT_WRITE),
    ("DELETE", "/v3/content/scripts/{uuid}", CONTENT_WRITE),
    ("POST", "/graphql", PER_FIELD),
];

/// The scopes that allow `method` on the matched route template (with the
/// `/stores/{store_hash}` prefix); `None` when the route is not in the table.
pub fn accepted(method: &str, route: &str) -> Option<&'static [&'static str]> {
    let relative = route.strip_prefix(S)?;
    TABLE
        .iter()
        .find(|(m, r, _)| m.eq_ignore_ascii_case(method) && *r == relative)
        .map(|(_, _, scopes)| *scopes)
}

/// The full route template of a table row.
pub fn full_route(relative: &str) -> String {
    format!("{S}{relative}")
}
