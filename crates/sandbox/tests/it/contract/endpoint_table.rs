//! The endpoint table agrees with the official files: every row names a real operation,
//! every status it lists is documented there with a schema that checks something, and the
//! exceptions still apply to the files they correct.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::endpoints::{self, Api, ENDPOINTS};
use super::exceptions::SPEC_PATCHES;
use super::schema::local_ref_pointer;
use super::spec::{self, ResponseBody};
use super::{assert_conforms, assert_conforms_raw, check_conforms};

/// Whether the schema at `pointer` (after `$ref`s) constrains nothing at all.
fn is_trivial(doc: &Value, pointer: &str) -> bool {
    const VALIDATING: &[&str] = &[
        "type",
        "properties",
        "items",
        "required",
        "allOf",
        "anyOf",
        "oneOf",
        "enum",
        "const",
        "not",
        "additionalProperties",
    ];
    let mut node = doc.pointer(pointer);
    for _ in 0..32 {
        match node {
            Some(Value::Object(obj)) => match obj.get("$ref").and_then(Value::as_str) {
                Some(reference) => {
                    node = local_ref_pointer(reference).and_then(|p| doc.pointer(&p))
                }
                None => return !VALIDATING.iter().any(|k| obj.contains_key(*k)),
            },
            Some(Value::Bool(false)) => return false,
            _ => return true,
        }
    }
    true
}

#[test]
fn every_row_names_an_operation_of_its_spec_file() {
    let mut problems = Vec::new();
    for endpoint in ENDPOINTS {
        let spec = spec::load(endpoint.spec);
        let sample = endpoint.sample_path();
        match spec.find_operation(endpoint.method, &sample) {
            Ok(operation) if endpoint.path.ends_with(&operation.template) => {}
            Ok(operation) => problems.push(format!(
                "{} {}: {} maps it to {}",
                endpoint.method, endpoint.path, endpoint.spec, operation.template
            )),
            Err(e) => problems.push(format!("{} {}: {:?}", endpoint.method, endpoint.path, e)),
        }
        match endpoints::find(endpoint.method, &sample) {
            Some(found) if std::ptr::eq(found, endpoint) => {}
            other => problems.push(format!(
                "{} {}: the table resolves {sample} to {:?}",
                endpoint.method,
                endpoint.path,
                other.map(|e| e.path)
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rows_are_unique() {
    let mut seen = BTreeSet::new();
    for endpoint in ENDPOINTS {
        assert!(
            seen.insert((endpoint.method, endpoint.path)),
            "duplicate row {} {}",
            endpoint.method,
            endpoint.path
        );
    }
}

#[test]
fn every_listed_status_is_documented_with_a_schema_that_checks_something() {
    let mut problems = Vec::new();
    for endpoint in ENDPOINTS {
        let spec = spec::load(endpoint.spec);
        let Ok(operation) = spec.find_operation(endpoint.method, &endpoint.sample_path()) else {
            continue; // reported by every_row_names_an_operation_of_its_spec_file
        };
        for &status in std::iter::once(&endpoint.success).chain(endpoint.other) {
            let label = format!(
                "{} {} → {status} ({})",
                endpoint.method, endpoint.path, endpoint.spec
            );
            match spec.response_body(operation, status) {
                Err(e) => problems.push(format!("{label}: {}", e.into_violation().message)),
                Ok(_) if status == 204 => {}
                Ok(ResponseBody::Json(pointer)) if !is_trivial(&spec.doc, &pointer) => {}
                Ok(other) => problems.push(format!(
                    "{label}: the documented body checks nothing ({other:?})"
                )),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn family_error_schemas_exist_and_check_something() {
    for api in [Api::V2, Api::V3] {
        let (file, pointer) = endpoints::family_error_schema(api).unwrap();
        let spec = spec::load(file);
        assert!(!is_trivial(&spec.doc, pointer), "{file}#{pointer}");
    }
    assert_eq!(endpoints::family_error_schema(Api::Storefront), None);
}

#[test]
fn every_exception_still_applies_to_its_file() {
    // Loading applies the patches and panics when one no longer finds its original text.
    let files: BTreeSet<&str> = SPEC_PATCHES.iter().map(|p| p.file).collect();
    for file in files {
        spec::load(file);
    }
    for patch in SPEC_PATCHES {
        assert!(
            !patch.reason.trim().is_empty(),
            "exception {} #{} needs a reason",
            patch.file,
            patch.pointer
        );
    }
}

#[test]
fn undocumented_error_statuses_use_the_family_shape() {
    // PUT /v2/orders/{id} documents no error at all; §1.2 fixes the v2 shape.
    let path = "/stores/abc123/v2/orders/999";
    assert!(
        check_conforms(
            "PUT",
            path,
            404,
            &json!([{"status": 404, "message": "Not found"}])
        )
        .is_ok()
    );
    let violations = check_conforms(
        "PUT",
        path,
        404,
        &json!({"status": 404, "title": "Not found"}),
    )
    .unwrap_err();
    assert_eq!(violations[0].message, "expected array, got object");
    // v3: the object shape.
    let path = "/stores/abc123/v3/hooks/22";
    assert!(
        check_conforms(
            "PUT",
            path,
            404,
            &json!({"status": 404, "title": "Not found", "type": "x"})
        )
        .is_ok()
    );
    let violations = check_conforms("PUT", path, 404, &json!([{"status": 404}])).unwrap_err();
    assert_eq!(violations[0].message, "expected object, got array");
    // Success statuses get no such fallback.
    let violations = check_conforms("PUT", path, 201, &json!({})).unwrap_err();
    assert!(
        violations[0]
            .message
            .starts_with("status 201 is not documented for PUT /hooks/{webhook_id}")
    );
}

#[test]
fn endpoints_outside_the_table_are_refused() {
    let violations =
        check_conforms("GET", "/stores/abc123/v3/catalog/products", 200, &json!({})).unwrap_err();
    assert_eq!(
        violations[0].message,
        "GET /stores/abc123/v3/catalog/products is not in the contract endpoint table (tests/it/contract/endpoints.rs)"
    );
}

#[test]
fn assert_conforms_passes_conforming_bodies() {
    assert_conforms(
        "GET",
        "/stores/abc123/v2/orders/250/shipments/count",
        200,
        &json!({"count": 1}),
    );
    assert_conforms_raw(
        "DELETE",
        "/stores/abc123/v3/carts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10",
        204,
        b"",
    );
    assert_conforms_raw("GET", "/stores/abc123/v2/orders/250/shipments", 204, b"\n");
}

#[test]
#[should_panic(expected = "/count: expected number, got string \"1\"")]
fn assert_conforms_panics_with_the_violations() {
    assert_conforms(
        "GET",
        "/stores/abc123/v2/orders/250/shipments/count",
        200,
        &json!({"count": "1"}),
    );
}

#[test]
#[should_panic(expected = "status 204 has no body")]
fn assert_conforms_raw_rejects_a_body_on_204() {
    assert_conforms_raw(
        "DELETE",
        "/stores/abc123/v3/carts/c5e1b6f2-6a53-4a5e-9a5e-2f3b7c2d9e10",
        204,
        b"{}",
    );
}

#[test]
#[should_panic(expected = "body is not JSON")]
fn assert_conforms_raw_rejects_a_body_that_is_not_json() {
    assert_conforms_raw(
        "GET",
        "/stores/abc123/v2/orders/250/shipments/count",
        200,
        b"<html>",
    );
}
