//! Every response body in `contracts/bigcommerce/examples/` conforms to the official schema
//! of the endpoint it comes from — or is listed, with its exact violations and the reason,
//! as an expected failure. Every file in the folder is classified, so a new example cannot
//! be skipped by accident.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

use super::spec::shared_dir;
use super::{check_conforms, report};

pub fn examples_dir() -> PathBuf {
    shared_dir().join("contracts/bigcommerce/examples")
}

/// A response body example and the endpoint call that produces it.
pub struct ResponseExample {
    pub file: &'static str,
    pub method: &'static str,
    /// Concrete path as the simulator serves it.
    pub path: &'static str,
    pub status: u16,
    /// `Some` when the example legitimately fails: the exact violations (`pointer: message`)
    /// and why the example or the spec is off.
    pub expected_failure: Option<ExpectedFailure>,
}

pub struct ExpectedFailure {
    pub violations: &'static [&'static str],
    pub reason: &'static str,
}

macro_rules! response {
    ($file:literal, $method:literal $path:literal, $status:literal) => {
        ResponseExample { file: $file, method: $method, path: $path, status: $status, expected_failure: None }
    };
    ($file:literal, $method:literal $path:literal, $status:literal, fails: [$($violation:literal),* $(,)?], because: $reason:literal) => {
        ResponseExample {
            file: $file,
            method: $method,
            path: $path,
            status: $status,
            expected_failure: Some(ExpectedFailure { violations: &[$($violation),*], reason: $reason }),
        }
    };
}

pub const RESPONSE_EXAMPLES: &[ResponseExample] = &[
    response!("store-information.json", "GET" "/stores/abc123/v2/store", 200),
    response!("order-statuses.json", "GET" "/stores/abc123/v2/order_statuses", 200),
    response!("order-v2-awaiting-payment-before-app-update.json", "GET" "/stores/abc123/v2/orders/250", 200),
    response!("order-v2.json", "GET" "/stores/abc123/v2/orders/250", 200),
    response!("order-v2-products.json", "GET" "/stores/abc123/v2/orders/250/products", 200),
    response!("order-v2-shipping-addresses.json", "GET" "/stores/abc123/v2/orders/250/shipping_addresses", 200),
    response!("order-v2-coupons.json", "GET" "/stores/abc123/v2/orders/120/coupons", 200),
    response!("shipments-v2-list.json", "GET" "/stores/abc123/v2/orders/250/shipments", 200),
    response!("shipment-v2.json", "GET" "/stores/abc123/v2/orders/250/shipments/12", 200),
    response!("shipment-v2.json", "POST" "/stores/abc123/v2/orders/250/shipments", 201),
    response!("error-v2-404.json", "GET" "/stores/abc123/v2/orders/999", 404),
    response!("refund-quote-response.json", "POST" "/stores/abc123/v3/orders/250/payment_actions/refund_quotes", 201),
    response!("refund-create-response.json", "POST" "/stores/abc123/v3/orders/250/payment_actions/refunds", 201),
    response!(
        "refund-create-error-422-guest-store-credit.json",
        "POST" "/stores/abc123/v3/orders/250/payment_actions/refunds",
        422
    ),
    response!("refunds-for-order-response.json", "GET" "/stores/abc123/v3/orders/250/payment_actions/refunds", 200),
    response!("refund-get-response.json", "GET" "/stores/abc123/v3/orders/payment_actions/refunds/3", 200),
    response!(
        "order-transactions-response.json",
        "GET" "/stores/abc123/v3/orders/250/transactions",
        200,
        fails: [
            "/data/0/reference_transaction_id: null is not allowed here (the schema is not nullable)",
            "/data/0/credit_card: null is not allowed here (the schema is not nullable)",
            "/data/1/reference_transaction_id: null is not allowed here (the schema is not nullable)",
            "/data/1/credit_card: null is not allowed here (the schema is not nullable)",
        ],
        because: "the example is synthesized (examples/README.md: UNVERIFIED): it sends null for \
                  fields that do not apply, but the spec makes only offline, custom, \
                  gift_certificate and store_credit nullable, and its own example has \
                  reference_transaction_id 0 and a credit_card object. No evidence that the real \
                  API sends null here, so the spec stands: the simulator must omit these fields \
                  for store-credit and offline transactions (or verify on a sandbox store and \
                  turn this into a spec exception)"
    ),
    response!("order-metafield-create-response.json", "POST" "/stores/abc123/v3/orders/250/metafields", 200),
    response!("checkout-v3-response.json", "GET" "/stores/abc123/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10", 200),
    response!("checkout-create-order-response.json", "POST" "/stores/abc123/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10/orders", 200),
    response!("checkout-token-response.json", "POST" "/stores/abc123/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10/token", 200),
    response!("checkout-settings-channel-response.json", "GET" "/stores/abc123/v3/checkouts/settings/channels/1", 200),
    response!(
        "customer-v3-with-store-credit.json",
        "GET" "/stores/abc123/v3/customers?id:in=11&include=storecredit",
        200
    ),
    response!("script-create-response.json", "POST" "/stores/abc123/v3/content/scripts", 200),
    response!("error-v3-422.json", "POST" "/stores/abc123/v3/content/scripts", 422),
    response!("hooks-create-response.json", "POST" "/stores/abc123/v3/hooks", 200),
    // The body of the HTTP transcript; a 429 is documented by no operation, so it is checked
    // against the v3 error shape (endpoints::family_error_schema).
    response!("rate-limit-429-response.http", "GET" "/stores/abc123/v3/hooks", 429),
    response!(
        "checkout-storefront-response.json",
        "GET" "/api/storefront/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10?include=customer",
        200,
        fails: ["/customer/customerGroup: null is not allowed here (the schema is not nullable)"],
        because: "the example (adapted from the doc example) sets customerGroup to null for a \
                  customer without a group; the spec says object and BigCommerce's SDK types it \
                  optional, not nullable (`customerGroup?: CustomerGroup` in \
                  bigcommerce/checkout-sdk-js packages/core/src/customer/customer.ts): the \
                  simulator must omit it"
    ),
    response!("storefront-carts-response.json", "GET" "/api/storefront/carts", 200),
    response!("storefront-order-response.json", "GET" "/api/storefront/orders/250", 200),
];

/// Files in the examples folder that are not response bodies of an OpenAPI-described
/// endpoint, and what they are.
pub const NOT_RESPONSES: &[(&str, &str)] = &[
    ("README.md", "the folder's index"),
    (
        "app-extension-create-variables.json",
        "GraphQL Admin request variables (no OpenAPI file)",
    ),
    (
        "app-extension-create-response.json",
        "GraphQL Admin response (no OpenAPI file)",
    ),
    (
        "app-extensions-query-response.json",
        "GraphQL Admin response (no OpenAPI file)",
    ),
    (
        "oauth-auth-callback-query.json",
        "query string of a browser redirect to the app",
    ),
    (
        "oauth-token-request.json",
        "request to login.bigcommerce.com (no OpenAPI file)",
    ),
    (
        "oauth-token-response.json",
        "response of login.bigcommerce.com/oauth2/token (no OpenAPI file)",
    ),
    (
        "signed-payload-jwt-claims-app-extension.json",
        "JWT claims, not an HTTP body",
    ),
    (
        "signed-payload-jwt-claims-load.json",
        "JWT claims, not an HTTP body",
    ),
    ("signed-payload-jwt.txt", "signed JWTs, not an HTTP body"),
    ("checkout-token-request.json", "request body"),
    ("hooks-create-request.json", "request body"),
    ("order-metafield-create-request.json", "request body"),
    ("order-v2-put-request-approved.json", "request body"),
    ("order-v2-put-request-in-review.json", "request body"),
    ("refund-create-request.json", "request body"),
    (
        "refund-create-request-shipping-and-order-level.json",
        "request body",
    ),
    ("refund-quote-request.json", "request body"),
    ("script-create-request.json", "request body"),
    ("shipment-create-request.json", "request body"),
    (
        "storefront-internal-order-request.json",
        "request body of an undocumented internal API",
    ),
    (
        "webhook-store-app-uninstalled.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-cart-converted.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-hook-deliveryException.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-order-archived.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-order-created.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-order-refund-created.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-order-statusUpdated-approved.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-order-statusUpdated-cancelled.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-order-transaction-created.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-order-updated.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-shipment-created.json",
        "webhook delivery (a request to the app)",
    ),
    (
        "webhook-store-shipment-updated.json",
        "webhook delivery (a request to the app)",
    ),
];

/// The JSON body of an example file; for an `.http` transcript, the part after the headers.
pub fn example_body(file: &str) -> Value {
    let path = examples_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let json = if file.ends_with(".http") {
        text.replace("\r\n", "\n")
            .split_once("\n\n")
            .map(|(_, body)| body.to_owned())
            .unwrap_or_default()
    } else {
        text
    };
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"))
}

#[test]
fn every_example_file_is_classified() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let classified: BTreeSet<String> = RESPONSE_EXAMPLES
        .iter()
        .map(|e| e.file)
        .chain(NOT_RESPONSES.iter().map(|(file, _)| *file))
        .map(str::to_owned)
        .collect();
    let unclassified: Vec<_> = on_disk.difference(&classified).collect();
    let missing: Vec<_> = classified.difference(&on_disk).collect();
    assert!(
        unclassified.is_empty() && missing.is_empty(),
        "classify new examples in contract/examples.rs: {unclassified:?}; remove vanished ones: {missing:?}"
    );
    for (file, _) in NOT_RESPONSES {
        assert!(
            RESPONSE_EXAMPLES.iter().all(|e| e.file != *file),
            "{file} is listed both as a response and as not one"
        );
    }
}

#[test]
fn response_examples_conform_to_their_endpoint_schemas() {
    let mut problems = Vec::new();
    for example in RESPONSE_EXAMPLES {
        let body = example_body(example.file);
        let outcome = check_conforms(example.method, example.path, example.status, &body);
        let label = format!(
            "{} ({} {} → {})",
            example.file, example.method, example.path, example.status
        );
        match (&example.expected_failure, outcome) {
            (None, Ok(())) => {}
            (None, Err(violations)) => {
                problems.push(format!(
                    "{label} should conform:\n{}",
                    report(example.method, example.path, example.status, &violations)
                ));
            }
            (Some(expected), Ok(())) => problems.push(format!(
                "{label} now conforms; remove its expected failure ({})",
                expected.reason
            )),
            (Some(expected), Err(violations)) => {
                let found: Vec<String> = violations
                    .iter()
                    .map(|v| format!("{}: {}", v.pointer, v.message))
                    .collect();
                if found != expected.violations {
                    problems.push(format!(
                        "{label} fails differently than expected.\n  expected: {:#?}\n  found: {found:#?}",
                        expected.violations
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
