//! The one error type of the client, and the reading of BigCommerce's error bodies.
//!
//! BigCommerce answers errors in several shapes (platform spec §1.2), all folded here into a
//! title plus a list of [`FieldError`]s:
//! * v2: a JSON array `[{"status":404,"message":"…","details":…}]`;
//! * v3: `{"status":422,"title":"…","type":"…","instance":"…","detail":"…","errors":{"field":"msg"}}`
//!   (`status` is sometimes a string, e.g. the checkout-token 422);
//! * v3 refunds: `{"data":[{"status":422,"title":"…","type":"…"}]}`, and the refund 503
//!   `{"data":[{"order_id":1,"status":503,"error":"…"}]}`;
//! * OAuth: `{"error":"…","error_description":"…"}`; GraphQL: `{"errors":[{"message":"…"}]}`.
//!
//! Bodies that match none of these keep a short prefix of their text as the title.

use std::time::Duration;

use serde_json::Value;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One problem named in an error body: a field (v3 `errors` map key) and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: String,
}

/// What failed in a call to BigCommerce. Display texts name the endpoint and BigCommerce's
/// own title; they carry no token and no request body.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401: the token is not (or no longer) valid — the app may have been uninstalled or its
    /// token replaced after a scope change. Not retryable.
    #[error("{endpoint}: 401 unauthorized: {title}")]
    Unauthorized { endpoint: String, title: String },
    /// 403: the token lacks a scope the endpoint needs.
    #[error("{endpoint}: 403 forbidden (missing OAuth scope?): {title}")]
    Forbidden { endpoint: String, title: String },
    #[error("{endpoint}: 404 not found: {title}")]
    NotFound { endpoint: String, title: String },
    /// 409: e.g. a metafield with the same namespace and key exists, a cart version clash.
    #[error("{endpoint}: 409 conflict: {title}")]
    Conflict {
        endpoint: String,
        title: String,
        errors: Vec<FieldError>,
    },
    /// 422: BigCommerce refused the request's content.
    #[error("{endpoint}: 422 unprocessable: {title}{}", fmt_fields(.errors))]
    Unprocessable {
        endpoint: String,
        title: String,
        errors: Vec<FieldError>,
    },
    /// 400 (and other 4xx not listed above, e.g. 405, 413).
    #[error("{endpoint}: {status} rejected: {title}{}", fmt_fields(.errors))]
    Rejected {
        endpoint: String,
        status: u16,
        title: String,
        errors: Vec<FieldError>,
    },
    /// 429 that could not be waited out inside the call (reset too far away or retries used
    /// up). BigCommerce did not process the request; retry after `reset_after`.
    #[error("{endpoint}: 429 rate limited, quota resets in {reset_after:?}")]
    RateLimited {
        endpoint: String,
        reset_after: Duration,
    },
    /// 5xx.
    #[error("{endpoint}: {status} server error: {title}")]
    Server {
        endpoint: String,
        status: u16,
        title: String,
    },
    /// Timeout, refused or dropped connection, TLS failure, unreadable response body.
    #[error("{endpoint}: transport error ({kind:?}): {source}")]
    Transport {
        endpoint: String,
        kind: TransportKind,
        #[source]
        source: reqwest::Error,
    },
    /// A 2xx whose body does not match the contract.
    #[error("{endpoint}: unexpected response body: {message}")]
    Decode { endpoint: String, message: String },
    /// A GraphQL response (HTTP 200) carrying `errors`.
    #[error("{endpoint}: GraphQL errors: {}", .messages.join("; "))]
    GraphQl {
        endpoint: String,
        messages: Vec<String>,
    },
    /// A request the client refuses to send (an id that cannot be a path segment, a body
    /// that cannot be serialized).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Timeout,
    Connect,
    Other,
}

fn fmt_fields(errors: &[FieldError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = errors
        .iter()
        .map(|e| match &e.field {
            Some(f) => format!("{f}: {}", e.message),
            None => e.message.clone(),
        })
        .collect();
    format!(" ({})", parts.join("; "))
}

impl Error {
    /// Whether the same request may succeed later without any change: rate limits, server
    /// errors and transport failures. Callers schedule the retry (durable jobs); the client
    /// itself retries only 429s with a short reset and connection failures of GETs.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::RateLimited { .. } | Error::Server { .. } | Error::Transport { .. }
        )
    }

    /// How long to wait before retrying, when BigCommerce said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { reset_after, .. } => Some(*reset_after),
            _ => None,
        }
    }

    /// 401: the store's token no longer works (uninstalled, or replaced by a re-auth).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Unauthorized { .. })
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, Error::Conflict { .. })
    }

    /// The HTTP status BigCommerce answered, when the failure is an HTTP answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::NotFound { .. } => Some(404),
            Error::Conflict { .. } => Some(409),
            Error::Unprocessable { .. } => Some(422),
            Error::RateLimited { .. } => Some(429),
            Error::Rejected { status, .. } | Error::Server { status, .. } => Some(*status),
            Error::Transport { .. }
            | Error::Decode { .. }
            | Error::GraphQl { .. }
            | Error::InvalidRequest(_) => None,
        }
    }

    pub(crate) fn transport(endpoint: &str, source: reqwest::Error) -> Error {
        let kind = if source.is_timeout() {
            TransportKind::Timeout
        } else if source.is_connect() {
            TransportKind::Connect
        } else {
            TransportKind::Other
        };
        Error::Transport {
            endpoint: endpoint.to_owned(),
            kind,
            source,
        }
    }

    pub(crate) fn decode(endpoint: &str, message: impl Into<String>) -> Error {
        Error::Decode {
            endpoint: endpoint.to_owned(),
            message: message.into(),
        }
    }

    /// Maps a non-2xx answer (other than a 429 handled by the caller) to an error.
    pub(crate) fn from_status(endpoint: &str, status: u16, body: &[u8]) -> Error {
        let problem = Problem::parse(body);
        let endpoint = endpoint.to_owned();
        let title = problem.title;
        let errors = problem.errors;
        match status {
            401 => Error::Unauthorized { endpoint, title },
            403 => Error::Forbidden { endpoint, title },
            404 => Error::NotFound { endpoint, title },
            409 => Error::Conflict {
                endpoint,
                title,
                errors,
            },
            422 => Error::Unprocessable {
                endpoint,
                title,
                errors,
            },
            500..=599 => Error::Server {
                endpoint,
                status,
                title,
            },
            _ => Error::Rejected {
                endpoint,
                status,
                title,
                errors,
            },
        }
    }
}

/// An error body reduced to what we show: a title and field errors.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Problem {
    pub title: String,
    pub errors: Vec<FieldError>,
}

/// Longest body prefix kept as a title when the body is not a known error shape.
const MAX_RAW_TITLE: usize = 200;

impl Problem {
    pub(crate) fn parse(body: &[u8]) -> Problem {
        match serde_json::from_slice::<Value>(body) {
            Ok(value) => Self::from_value(&value).unwrap_or_else(|| Self::raw(body)),
            Err(_) => Self::raw(body),
        }
    }

    fn raw(body: &[u8]) -> Problem {
        let text = String::from_utf8_lossy(body);
        Problem {
            title: text.trim().chars().take(MAX_RAW_TITLE).collect(),
            errors: Vec::new(),
        }
    }

    fn from_value(value: &Value) -> Option<Problem> {
        match value {
            // v2: [{"status":404,"message":"..."}]
            Value::Array(items) => Self::from_items(items),
            Value::Object(obj) => {
                let title = first_text(obj, &["title", "message", "error_description", "error"]);
                let (title, mut errors) = match (title, obj.get("errors"), obj.get("data")) {
                    // v3: {"title":"...","errors":{"field":"msg"}}
                    (Some(title), Some(Value::Object(map)), _) => {
                        let errors = map
                            .iter()
                            .map(|(field, message)| FieldError {
                                field: Some(field.clone()),
                                message: value_text(message),
                            })
                            .collect();
                        (title, errors)
                    }
                    (Some(title), Some(Value::Array(items)), _) => {
                        let errors = Self::from_items(items).map(|p| p.errors);
                        (title, errors.unwrap_or_default())
                    }
                    (Some(title), _, _) => (title, Vec::new()),
                    // GraphQL: {"errors":[{"message":"..."}]}
                    (None, Some(Value::Array(items)), _) => return Self::from_items(items),
                    // v3 refunds: {"data":[{"status":422,"title":"..."}]}
                    (None, _, Some(Value::Array(items))) => return Self::from_items(items),
                    (None, _, _) => return None,
                };
                if let Some(detail) = first_text(obj, &["detail"])
                    && detail != title
                {
                    errors.push(FieldError {
                        field: None,
                        message: detail,
                    });
                }
                Some(Problem { title, errors })
            }
            _ => None,
        }
    }

    fn from_items(items: &[Value]) -> Option<Problem> {
        let messages: Vec<String> = items
            .iter()
            .filter_map(|item| match item {
                Value::Object(obj) => first_text(obj, &["title", "message", "error"]),
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect();
        let title = messages.first()?.clone();
        Some(Problem {
            title,
            errors: messages
                .into_iter()
                .map(|message| FieldError {
                    field: None,
                    message,
                })
                .collect(),
        })
    }
}

fn first_text(obj: &serde_json::Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match obj.get(*k) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    })
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Problem {
        Problem::parse(body.as_bytes())
    }

    #[test]
    fn v2_array_style() {
        let p = parse(r#"[{"status":404,"message":"The requested resource was not found."}]"#);
        assert_eq!(p.title, "The requested resource was not found.");
        assert_eq!(p.errors.len(), 1);
    }

    #[test]
    fn v3_object_style_with_field_errors() {
        let p = parse(
            r#"{"status":422,"title":"JSON data is missing or invalid","type":"https://x","errors":{"name":"name is required"}}"#,
        );
        assert_eq!(p.title, "JSON data is missing or invalid");
        assert_eq!(
            p.errors,
            vec![FieldError {
                field: Some("name".into()),
                message: "name is required".into()
            }]
        );
        // `status` as a string (checkout token 422) and a `detail`.
        let p = parse(r#"{"status":"422","title":"Invalid input","detail":"ttl too large"}"#);
        assert_eq!(p.title, "Invalid input");
        assert_eq!(p.errors[0].message, "ttl too large");
    }

    #[test]
    fn refunds_data_style() {
        let p = parse(
            r#"{"data":[{"status":422,"title":"Unable to provide store credit for a guest customer.","type":"x"}]}"#,
        );
        assert_eq!(
            p.title,
            "Unable to provide store credit for a guest customer."
        );
        let p = parse(
            r#"{"data":[{"order_id":1,"status":503,"error":"Tax service gone away"}],"meta":{}}"#,
        );
        assert_eq!(p.title, "Tax service gone away");
    }

    #[test]
    fn oauth_graphql_and_garbage() {
        let p = parse(r#"{"error":"invalid_grant","error_description":"Invalid code"}"#);
        assert_eq!(p.title, "Invalid code");
        let p = parse(r#"{"errors":[{"message":"Not allowed"},{"message":"Second"}]}"#);
        assert_eq!(p.title, "Not allowed");
        assert_eq!(p.errors.len(), 2);
        assert_eq!(
            parse("<html>Bad gateway</html>").title,
            "<html>Bad gateway</html>"
        );
        assert_eq!(parse("").title, "");
        assert_eq!(parse("{}").title, "{}");
        assert_eq!(parse(&"x".repeat(10_000)).title.len(), MAX_RAW_TITLE);
    }

    #[test]
    fn statuses_map_to_variants() {
        let e = |s| Error::from_status("GET /x", s, b"{}");
        assert!(e(401).is_unauthorized());
        assert!(matches!(e(403), Error::Forbidden { .. }));
        assert!(e(404).is_not_found());
        assert!(e(409).is_conflict());
        assert!(matches!(e(422), Error::Unprocessable { .. }));
        assert!(matches!(e(400), Error::Rejected { status: 400, .. }));
        assert!(matches!(e(503), Error::Server { status: 503, .. }));
        assert!(e(503).is_retryable());
        assert!(!e(422).is_retryable());
        assert!(!e(401).is_retryable());
        assert_eq!(e(409).status(), Some(409));
    }
}
