//! Contract tests: responses must match the official BigCommerce OpenAPI files in
//! `../shared/contracts/bigcommerce/openapi/` (issue 3).
//!
//! - [`schema`]: the response-schema validator (what it checks and what it deliberately does
//!   not is listed at its top).
//! - [`spec`]: loading the files once, finding the operation of a concrete path, picking the
//!   schema for a status code.
//! - [`exceptions`]: the commented list of places where the official files are wrong.
//! - [`endpoints`]: every endpoint the app uses, as the simulator serves it.
//! - [`assert_conforms`]: one response against its official schema;
//!   [`assert_conforms_closed`] also refuses members the schema does not declare
//!   ([`schema::undeclared`]), so that a misspelt optional member is caught.
//! - [`live`]: the live contract test — the simulator, driven over HTTP through every row of
//!   [`endpoints::ENDPOINTS`] and each status the row lists, every response checked; rows the
//!   simulator does not serve yet are listed in `live::NOT_SERVED_YET`.
//!
//! The other tests here prove the machinery: every response example in
//! `contracts/bigcommerce/examples/` passes (or is an expected failure, with its reason),
//! mutated copies fail at the right JSON pointer, and each keyword is handled.
//!
//! ```ignore
//! contract::assert_conforms_raw("GET", "/stores/abc123/v2/orders/250", status, &bytes);
//! // or, with a parsed body (Value::Null for none):
//! contract::assert_conforms("GET", "/stores/abc123/v2/orders/250", status, &json);
//! ```
//!
//! The path is the one the simulator served (query string allowed); a 204 must come without
//! a body; a path outside the table is itself a violation, so a new endpoint gets a row.

pub mod endpoints;
pub mod exceptions;
pub mod schema;
pub mod spec;

mod endpoint_table;
pub mod examples;
mod keywords;
pub mod live;
mod lookup;
mod mutations;

use serde_json::Value;

use self::schema::Violation;
use self::spec::{LookupError, ResponseBody};

/// Checks one response of the endpoint `method` + concrete `path` (as the simulator serves
/// it, e.g. `/stores/abc123/v2/orders/250/products?page=2`) against its official schema.
/// `body` is `Value::Null` when the response has no body.
///
/// The endpoint must be in [`endpoints::ENDPOINTS`]. An error status that the operation
/// itself does not document is checked against its API family's error shape
/// ([`endpoints::family_error_schema`]).
pub fn check_conforms(
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
) -> Result<(), Vec<Violation>> {
    check(method, path, status, body, false)
}

/// [`check_conforms`], and besides no member that the schema does not declare
/// ([`schema::undeclared`]): for responses that should hold nothing outside the contract,
/// so that a misspelt optional field is caught too.
pub fn check_conforms_closed(
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
) -> Result<(), Vec<Violation>> {
    check(method, path, status, body, true)
}

fn check(
    method: &str,
    path: &str,
    status: u16,
    body: &Value,
    closed: bool,
) -> Result<(), Vec<Violation>> {
    let endpoint = endpoints::find(method, path).ok_or_else(|| {
        vec![Violation::new(
            "",
            format!(
                "{} {path} is not in the contract endpoint table (tests/it/contract/endpoints.rs)",
                method.to_uppercase()
            ),
            "",
        )]
    })?;
    let spec = spec::load(endpoint.spec);
    let operation = spec
        .find_operation(method, path)
        .map_err(|e| vec![e.into_violation()])?;
    let validate = |spec: &spec::Spec, documented: ResponseBody| {
        let mut violations = spec.validate_body(&documented, status, body);
        if closed && let ResponseBody::Json(pointer) = &documented {
            violations.extend(schema::undeclared(&spec.doc, pointer, body));
        }
        violations
    };
    let violations = match spec.response_body(operation, status) {
        Ok(documented) => validate(&spec, documented),
        Err(LookupError::UndocumentedStatus { .. })
            if status >= 400
                && let Some((file, pointer)) = endpoints::family_error_schema(endpoint.api()) =>
        {
            validate(&spec::load(file), ResponseBody::Json(pointer.to_owned()))
        }
        Err(e) => vec![e.into_violation()],
    };
    if violations.is_empty() {
        Ok(())
    } else {
        Err(violations)
    }
}

/// [`check_conforms`], panicking with every violation listed.
#[track_caller]
pub fn assert_conforms(method: &str, path: &str, status: u16, body: &Value) {
    if let Err(violations) = check_conforms(method, path, status, body) {
        let purpose = endpoints::find(method, path).map_or("", |e| e.purpose);
        panic!(
            "{}[the app uses it for: {purpose}]",
            report(method, path, status, &violations)
        );
    }
}

/// [`check_conforms_closed`], panicking with every violation listed.
#[track_caller]
pub fn assert_conforms_closed(method: &str, path: &str, status: u16, body: &Value) {
    if let Err(violations) = check_conforms_closed(method, path, status, body) {
        let purpose = endpoints::find(method, path).map_or("", |e| e.purpose);
        panic!(
            "{}[the app uses it for: {purpose}]",
            report(method, path, status, &violations)
        );
    }
}

/// [`assert_conforms`] on the raw bytes of a response body: empty means no body; anything
/// else must be JSON.
#[track_caller]
pub fn assert_conforms_raw(method: &str, path: &str, status: u16, body: &[u8]) {
    let value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        match serde_json::from_slice(body) {
            Ok(value) => value,
            Err(e) => panic!(
                "{} {path} → {status}: body is not JSON ({e}): {}",
                method.to_uppercase(),
                String::from_utf8_lossy(body)
            ),
        }
    };
    assert_conforms(method, path, status, &value);
}

/// A readable, multi-line account of the violations of one response.
pub fn report(method: &str, path: &str, status: u16, violations: &[Violation]) -> String {
    let mut out = format!(
        "{} {path} → {status}: {} contract violation(s)\n",
        method.to_uppercase(),
        violations.len()
    );
    for violation in violations {
        out.push_str("  ");
        out.push_str(&violation.to_string());
        out.push('\n');
    }
    out
}
