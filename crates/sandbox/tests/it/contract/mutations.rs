//! Mutated copies of conforming examples are rejected, at the JSON pointer of the mutation
//! and with nothing else reported: the validator can fail, and fails precisely.

use serde_json::{Value, json};

use super::examples::example_body;
use super::{assert_conforms, check_conforms};

enum Change {
    Remove(&'static str),
    Set(&'static str, Value),
}

use Change::{Remove, Set};

fn apply(body: &mut Value, change: &Change) {
    let pointer = match change {
        Remove(pointer) | Set(pointer, _) => *pointer,
    };
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    let parent = body
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no parent for {pointer}"));
    match (parent, change) {
        (Value::Object(members), Remove(_)) => {
            assert!(
                members.remove(last).is_some(),
                "nothing to remove at {pointer}"
            );
        }
        (Value::Object(members), Set(_, value)) => {
            members.insert(last.to_owned(), value.clone());
        }
        (Value::Array(elements), Set(_, value)) => {
            elements[last.parse::<usize>().unwrap()] = value.clone()
        }
        _ => panic!("cannot apply the change at {pointer}"),
    }
}

/// The example conforms as it is; with `changes` applied it fails with exactly `expected`.
#[track_caller]
fn rejects(
    file: &str,
    method: &str,
    path: &str,
    status: u16,
    changes: &[Change],
    expected: &[&str],
) {
    let mut body = example_body(file);
    if let Err(violations) = check_conforms(method, path, status, &body) {
        panic!("{file} must conform before it is mutated: {violations:#?}");
    }
    for change in changes {
        apply(&mut body, change);
    }
    let found: Vec<String> = match check_conforms(method, path, status, &body) {
        Ok(()) => Vec::new(),
        Err(violations) => violations
            .iter()
            .map(|v| format!("{}: {}", v.pointer, v.message))
            .collect(),
    };
    assert_eq!(found, expected, "{file} mutated");
}

const ORDER: &str = "/stores/abc123/v2/orders/250";

#[test]
fn a_missing_required_field_is_reported_at_its_pointer() {
    rejects(
        "order-v2.json",
        "GET",
        ORDER,
        200,
        &[Remove("/billing_address/zip")],
        &["/billing_address/zip: required property missing"],
    );
    rejects(
        "order-metafield-create-response.json",
        "POST",
        "/stores/abc123/v3/orders/250/metafields",
        200,
        &[Remove("/data/permission_set")],
        &["/data/permission_set: required property missing"],
    );
    rejects(
        "hooks-create-response.json",
        "POST",
        "/stores/abc123/v3/hooks",
        200,
        &[Remove("/data/destination")],
        &["/data/destination: required property missing"],
    );
    rejects(
        "checkout-token-response.json",
        "POST",
        "/stores/abc123/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10/token",
        200,
        &[Remove("/data/checkoutToken")],
        &["/data/checkoutToken: required property missing"],
    );
    rejects(
        "storefront-order-response.json",
        "GET",
        "/api/storefront/orders/250",
        200,
        &[Remove("/lineItems/digitalItems")],
        &["/lineItems/digitalItems: required property missing"],
    );
}

#[test]
fn a_mistyped_field_is_reported_at_its_pointer() {
    rejects(
        "order-v2.json",
        "GET",
        ORDER,
        200,
        &[Set("/status_id", json!("11"))],
        &["/status_id: expected integer, got string \"11\""],
    );
    // v2 money is a 4-decimal string (§1.1), v3 money a JSON number.
    rejects(
        "order-v2.json",
        "GET",
        ORDER,
        200,
        &[Set("/total_inc_tax", json!(115))],
        &["/total_inc_tax: expected string, got integer 115"],
    );
    rejects(
        "refund-create-response.json",
        "POST",
        "/stores/abc123/v3/orders/250/payment_actions/refunds",
        201,
        &[Set("/data/total_amount", json!("25.00"))],
        &["/data/total_amount: expected number, got string \"25.00\""],
    );
    rejects(
        "order-v2-products.json",
        "GET",
        "/stores/abc123/v2/orders/250/products",
        200,
        &[Set("/1/quantity", json!(1.0))],
        &["/1/quantity: expected integer, got number 1.0"],
    );
    rejects(
        "order-statuses.json",
        "GET",
        "/stores/abc123/v2/order_statuses",
        200,
        &[Set("/7/id", json!("7"))],
        &["/7/id: expected integer, got string \"7\""],
    );
    rejects(
        "shipments-v2-list.json",
        "GET",
        "/stores/abc123/v2/orders/250/shipments",
        200,
        &[Set("/0/order_id", json!("250"))],
        &["/0/order_id: expected integer, got string \"250\""],
    );
    rejects(
        "script-create-response.json",
        "POST",
        "/stores/abc123/v3/content/scripts",
        200,
        &[Set("/data/integrity_hashes", json!("sha384-x"))],
        &["/data/integrity_hashes: expected array, got string \"sha384-x\""],
    );
    rejects(
        "hooks-create-response.json",
        "POST",
        "/stores/abc123/v3/hooks",
        200,
        &[Set("/data/is_active", json!("true"))],
        &["/data/is_active: expected boolean, got string \"true\""],
    );
    rejects(
        "customer-v3-with-store-credit.json",
        "GET",
        "/stores/abc123/v3/customers?id:in=11&include=storecredit",
        200,
        &[Set("/data/0/store_credit_amounts/0/amount", json!("20.00"))],
        &["/data/0/store_credit_amounts/0/amount: expected number, got string \"20.00\""],
    );
    // The checkout's order_id is a string in v3 checkouts (unlike everywhere else).
    rejects(
        "checkout-v3-response.json",
        "GET",
        "/stores/abc123/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10",
        200,
        &[Set("/data/order_id", json!(250))],
        &["/data/order_id: expected string, got integer 250"],
    );
    rejects(
        "store-information.json",
        "GET",
        "/stores/abc123/v2/store",
        200,
        &[Set("/features", json!([]))],
        &["/features: expected object, got array"],
    );
    rejects(
        "storefront-order-response.json",
        "GET",
        "/api/storefront/orders/250",
        200,
        &[Set("/customerId", json!("11"))],
        &["/customerId: expected integer, got string \"11\""],
    );
    rejects(
        "storefront-carts-response.json",
        "GET",
        "/api/storefront/carts",
        200,
        &[Set("/0/lineItems/physicalItems/0/parentId", json!("6"))],
        &["/0/lineItems/physicalItems/0/parentId: expected number, got string \"6\""],
    );
}

#[test]
fn error_bodies_are_checked_too() {
    rejects(
        "error-v2-404.json",
        "GET",
        "/stores/abc123/v2/orders/999",
        404,
        &[Set("/0/status", json!("404"))],
        &["/0/status: expected integer, got string \"404\""],
    );
    rejects(
        "error-v3-422.json",
        "POST",
        "/stores/abc123/v3/content/scripts",
        422,
        &[Set("/status", json!("422"))],
        &["/status: expected integer, got string \"422\""],
    );
    rejects(
        "refund-create-error-422-guest-store-credit.json",
        "POST",
        "/stores/abc123/v3/orders/250/payment_actions/refunds",
        422,
        &[Set("/data", json!({"status": 422}))],
        &["/data: expected array, got object"],
    );
}

#[test]
fn a_value_outside_the_enum_is_reported_at_its_pointer() {
    rejects(
        "order-v2.json",
        "GET",
        ORDER,
        200,
        &[Set("/payment_status", json!("approved"))],
        &[
            "/payment_status: string \"approved\" is not one of the allowed values [\"authorized\", \"captured\", \"capture pending\", \"declined\", \"held for review\", \"paid\", \"partially refunded\", \"pending\", \"refunded\", \"void\", \"void pending\", \"\"]",
        ],
    );
    rejects(
        "refund-create-response.json",
        "POST",
        "/stores/abc123/v3/orders/250/payment_actions/refunds",
        201,
        &[Set("/data/items/0/item_type", json!("product"))],
        &[
            "/data/items/0/item_type: string \"product\" is not one of the allowed values [\"PRODUCT\", \"GIFT_WRAPPING\", \"SHIPPING\", \"HANDLING\", \"ORDER\", \"FEE\"]",
        ],
    );
    rejects(
        "order-metafield-create-response.json",
        "POST",
        "/stores/abc123/v3/orders/250/metafields",
        200,
        &[Set("/data/permission_set", json!("private"))],
        &[
            "/data/permission_set: string \"private\" is not one of the allowed values [\"app_only\", \"read\", \"write\", \"read_and_sf_access\", \"write_and_sf_access\"]",
        ],
    );
    rejects(
        "script-create-response.json",
        "POST",
        "/stores/abc123/v3/content/scripts",
        200,
        &[Set("/data/visibility", json!("checkout_page"))],
        &[
            "/data/visibility: string \"checkout_page\" is not one of the allowed values [\"storefront\", \"all_pages\", \"checkout\", \"order_confirmation\"]",
        ],
    );
}

#[test]
fn a_null_where_the_schema_is_not_nullable_is_reported_at_its_pointer() {
    rejects(
        "order-v2.json",
        "GET",
        ORDER,
        200,
        &[Set("/customer_message", Value::Null)],
        &["/customer_message: null is not allowed here (the schema is not nullable)"],
    );
    rejects(
        "checkout-v3-response.json",
        "GET",
        "/stores/abc123/v3/checkouts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10",
        200,
        &[Set("/data/grand_total", Value::Null)],
        &["/data/grand_total: null is not allowed here (the schema is not nullable)"],
    );
    rejects(
        "refund-quote-response.json",
        "POST",
        "/stores/abc123/v3/orders/250/payment_actions/refund_quotes",
        201,
        &[Set("/data/total_refund_amount", Value::Null)],
        &["/data/total_refund_amount: null is not allowed here (the schema is not nullable)"],
    );
    // ... while a field the spec makes nullable takes null.
    let mut order = example_body("order-v2.json");
    apply(&mut order, &Set("/external_source", Value::Null));
    assert!(check_conforms("GET", ORDER, 200, &order).is_ok());
}

#[test]
fn an_undeclared_property_is_reported_where_the_schema_is_closed() {
    // orderProducts is the one response schema with additionalProperties: false.
    rejects(
        "order-v2-products.json",
        "GET",
        "/stores/abc123/v2/orders/250/products",
        200,
        &[Set("/0/sequra_reference", json!("sq_4f2a91c0"))],
        &["/0/sequra_reference: unexpected property (the schema has additionalProperties: false)"],
    );
}

#[test]
fn assert_conforms_lists_every_violation() {
    let mut order = example_body("order-v2.json");
    for change in [
        Remove("/billing_address/zip"),
        Set("/status_id", json!("11")),
        Set("/payment_status", json!("approved")),
        Set("/customer_message", Value::Null),
    ] {
        apply(&mut order, &change);
    }
    let panic =
        std::panic::catch_unwind(|| assert_conforms("GET", ORDER, 200, &order)).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with("GET /stores/abc123/v2/orders/250 → 200: 4 contract violation(s)\n"),
        "{message}"
    );
    for line in [
        "  /billing_address/zip: required property missing  [schema #/components/schemas/billingAddress_Base/required]",
        "  /customer_message: null is not allowed here (the schema is not nullable)  [schema #/components/schemas/",
        "  /payment_status: string \"approved\" is not one of the allowed values",
        "  /status_id: expected integer, got string \"11\"  [schema #/components/schemas/",
        "[the app uses it for: sync_order re-fetch, IPN (§10 row 10, arch §5.3–5.5)]",
    ] {
        assert!(message.contains(line), "missing {line:?} in\n{message}");
    }
}

#[test]
fn hook_bodies_with_wrong_or_undeclared_members_are_refused() {
    // What the webhook tests used to check with their own validator, now with this one.
    let path = "/stores/abc123/v3/hooks/1";
    let hook = json!({"data": {"id": 1, "client_id": "c", "store_hash": "s", "scope": "store/order/created",
        "destination": "https://a.example/h", "is_active": true, "headers": null, "created_at": 1, "updated_at": 1}, "meta": {}});
    assert!(super::check_conforms_closed("GET", path, 200, &hook).is_ok());
    for (pointer, wrong, message) in [
        ("/data/id", json!("1"), "expected integer, got string \"1\""),
        (
            "/data/is_active",
            json!("true"),
            "expected boolean, got string \"true\"",
        ),
        (
            "/data/headers",
            json!({"X-A": 1}),
            "expected string, got integer 1",
        ),
        (
            "/data/created_at",
            Value::Null,
            "null is not allowed here (the schema is not nullable)",
        ),
    ] {
        let mut body = hook.clone();
        *body.pointer_mut(pointer).unwrap() = wrong;
        let violations = check_conforms("GET", path, 200, &body).unwrap_err();
        assert!(
            violations
                .iter()
                .any(|v| v.pointer.starts_with(pointer) && v.message == message),
            "{pointer}: {violations:#?}"
        );
    }
    let mut extra = hook.clone();
    extra["data"]["status"] = json!("active");
    assert!(check_conforms("GET", path, 200, &extra).is_ok());
    let violations = super::check_conforms_closed("GET", path, 200, &extra).unwrap_err();
    assert_eq!(violations[0].pointer, "/data/status");
    assert_eq!(violations[0].message, "property not declared by the schema");
}
