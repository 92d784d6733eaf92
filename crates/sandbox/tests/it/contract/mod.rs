//! Contract tests: responses must match the official BigCommerce OpenAPI files in
//! `../shared/contracts/bigcommerce/openapi/` (issue 3).
//!
//! - [`schema`]: the response-schema validator (what it checks and what it deliberately does
//!   not is listed at its top).
//! - [`spec`]: loading the files once, finding the operation of a concrete path, picking the
//!   schema for a status code.
//! - [`exceptions`]: the commented list of places where the official files are wrong.

pub mod exceptions;
pub mod schema;
pub mod spec;

mod keywords;
mod lookup;
