//! The one error type of the client, and the reading of SeQura's error bodies.
//!
//! SeQura answers failures as (spec §1.3):
//! * 401 with a plain-text body `HTTP Basic: Access denied.` (wrong username/password);
//! * 403/409 with `{"errors": [...]}`, each entry a string or an object with a `title`;
//! * 404 with nothing useful (a Rails HTML page for an unknown `form_v2` order);
//! * 5xx with whatever the proxy in front of it says.
//!
//! Display texts name the endpoint and SeQura's own messages; never credentials or bodies
//! we sent.

use std::time::Duration;

use serde_json::Value;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Longest prefix of an unexpected body kept for logs.
const MAX_EXCERPT: usize = 200;

/// What failed in a call to SeQura.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401: the username/password pair is wrong for this environment. Not retryable.
    #[error("{endpoint}: 401 invalid SeQura credentials")]
    InvalidCredentials { endpoint: String },
    /// 403: the credentials are fine but the merchant or order is not theirs
    /// ("Bad merchant id", "Bad order id", "You do not have access to this URL").
    #[error("{endpoint}: 403 forbidden: {}", join(.errors))]
    Forbidden {
        endpoint: String,
        errors: Vec<String>,
    },
    /// 404: unknown order (or form).
    #[error("{endpoint}: 404 not found")]
    NotFound { endpoint: String },
    /// 409: SeQura refused the payload (invalid solicitation, cart changed at confirmation,
    /// `order_ref_1` not unique, order update not acceptable). `errors` is SeQura's list.
    #[error("{endpoint}: 409 rejected: {}", join(.errors))]
    Rejected {
        endpoint: String,
        errors: Vec<String>,
    },
    /// 429: SeQura did not process the request; retry later.
    #[error("{endpoint}: 429 rate limited (retry after {retry_after:?})")]
    RateLimited {
        endpoint: String,
        retry_after: Option<Duration>,
    },
    /// 5xx.
    #[error("{endpoint}: {status} SeQura server error")]
    Server { endpoint: String, status: u16 },
    /// No answer: timeout, refused or dropped connection, TLS failure, unreadable body.
    /// `timeout` says whether the request timed out (it may still have been processed).
    #[error("{endpoint}: transport error (timeout: {timeout}): {source}")]
    Transport {
        endpoint: String,
        timeout: bool,
        #[source]
        source: reqwest::Error,
    },
    /// Any other status (400, 405, 422, a 3xx that was not followed, …).
    #[error("{endpoint}: unexpected status {status}: {body_excerpt}")]
    UnexpectedStatus {
        endpoint: String,
        status: u16,
        body_excerpt: String,
    },
    /// A 2xx whose body does not match the contract.
    #[error("{endpoint}: unexpected response body: {message}")]
    Decode { endpoint: String, message: String },
    /// `POST orders` answered 2xx without a usable `Location: …/orders/{uuid}` header.
    /// `found` is the header as received, if there was one.
    #[error("{endpoint}: no usable Location header in the answer (found {found:?})")]
    MissingLocation {
        endpoint: String,
        found: Option<String>,
    },
    /// A request the client refuses to send (an id that cannot be a path segment, an
    /// unusable configuration, a confirmation without merchant reference).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
}

fn join(errors: &[String]) -> String {
    errors.join(". ")
}

impl Error {
    /// Whether the same request may succeed later without any change: server errors,
    /// rate limits, timeouts and connection failures. The caller schedules the retry.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::Server { .. } | Error::RateLimited { .. } | Error::Transport { .. }
        )
    }

    /// SeQura's messages for a 403 or 409 (empty for other errors).
    pub fn errors(&self) -> &[String] {
        match self {
            Error::Forbidden { errors, .. } | Error::Rejected { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The HTTP status SeQura answered, when the failure is an HTTP answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::InvalidCredentials { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::NotFound { .. } => Some(404),
            Error::Rejected { .. } => Some(409),
            Error::RateLimited { .. } => Some(429),
            Error::Server { status, .. } | Error::UnexpectedStatus { status, .. } => Some(*status),
            Error::Transport { .. }
            | Error::Decode { .. }
            | Error::MissingLocation { .. }
            | Error::InvalidRequest(_) => None,
        }
    }

    pub(crate) fn transport(endpoint: &str, source: reqwest::Error) -> Error {
        Error::Transport {
            endpoint: endpoint.to_owned(),
            timeout: source.is_timeout(),
            source,
        }
    }

    pub(crate) fn decode(endpoint: &str, message: impl Into<String>) -> Error {
        Error::Decode {
            endpoint: endpoint.to_owned(),
            message: message.into(),
        }
    }

    /// Maps a non-2xx answer to an error. `retry_after` is the 429's `Retry-After`.
    pub(crate) fn from_status(
        endpoint: &str,
        status: u16,
        body: &[u8],
        retry_after: Option<Duration>,
    ) -> Error {
        let endpoint = endpoint.to_owned();
        match status {
            401 => Error::InvalidCredentials { endpoint },
            403 => Error::Forbidden {
                endpoint,
                errors: error_messages(body),
            },
            404 => Error::NotFound { endpoint },
            409 => Error::Rejected {
                endpoint,
                errors: error_messages(body),
            },
            429 => Error::RateLimited {
                endpoint,
                retry_after,
            },
            500..=599 => Error::Server { endpoint, status },
            _ => Error::UnexpectedStatus {
                endpoint,
                status,
                body_excerpt: excerpt(body),
            },
        }
    }
}

/// The first characters of a body, for logs.
pub(crate) fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body)
        .trim()
        .chars()
        .take(MAX_EXCERPT)
        .collect()
}

/// SeQura's messages from an error body: the `errors` list (strings, or objects with a
/// `title`), else an `error` string, else a non-empty text excerpt of the body.
pub(crate) fn error_messages(body: &[u8]) -> Vec<String> {
    if let Ok(value) = serde_json::from_slice::<Value>(body)
        && let Some(messages) = messages_of(&value)
    {
        return messages;
    }
    let text = excerpt(body);
    if text.is_empty() {
        Vec::new()
    } else {
        vec![text]
    }
}

fn messages_of(value: &Value) -> Option<Vec<String>> {
    let obj = value.as_object()?;
    match obj.get("errors") {
        Some(Value::Array(items)) => Some(items.iter().map(item_text).collect()),
        // Rails-style `{"errors": {"field": ["msg", …]}}`, not observed but cheap to read.
        Some(Value::Object(map)) => Some(
            map.iter()
                .flat_map(|(field, msgs)| match msgs {
                    Value::Array(list) => list
                        .iter()
                        .map(|m| format!("{field} {}", item_text(m)))
                        .collect::<Vec<_>>(),
                    other => vec![format!("{field} {}", item_text(other))],
                })
                .collect(),
        ),
        Some(Value::String(s)) => Some(vec![s.clone()]),
        _ => match obj.get("error") {
            Some(Value::String(s)) => Some(vec![s.clone()]),
            _ => None,
        },
    }
}

fn item_text(item: &Value) -> String {
    match item {
        Value::String(s) => s.clone(),
        Value::Object(obj) => ["title", "detail", "message"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| item.to_string()),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(body: &str) -> Vec<String> {
        error_messages(body.as_bytes())
    }

    #[test]
    fn errors_as_strings() {
        assert_eq!(
            messages(r#"{"errors": ["Bad merchant id 'test' for logeecom"]}"#),
            vec!["Bad merchant id 'test' for logeecom"]
        );
        assert_eq!(
            messages(r#"{"errors": ["Access denied", "Second"]}"#),
            vec!["Access denied", "Second"]
        );
    }

    #[test]
    fn errors_as_objects_with_title() {
        assert_eq!(
            messages(r#"{"errors": [{"title": "Cart changed"}, "plain", {"code": 7}]}"#),
            vec!["Cart changed", "plain", r#"{"code":7}"#]
        );
    }

    #[test]
    fn other_shapes() {
        assert_eq!(
            messages(r#"{"errors": {"order_ref_1": ["is not unique"]}}"#),
            vec!["order_ref_1 is not unique"]
        );
        assert_eq!(messages(r#"{"error": "nope"}"#), vec!["nope"]);
        assert_eq!(
            messages("HTTP Basic: Access denied.\n"),
            vec!["HTTP Basic: Access denied."]
        );
        assert_eq!(messages(""), Vec::<String>::new());
        assert_eq!(messages("{}"), vec!["{}"]);
        assert_eq!(messages(r#"{"errors": []}"#), Vec::<String>::new());
        assert_eq!(messages(&"x".repeat(5000))[0].len(), MAX_EXCERPT);
    }

    #[test]
    fn statuses_map_to_variants() {
        let e = |s: u16, body: &str| Error::from_status("GET /x", s, body.as_bytes(), None);
        assert!(matches!(
            e(401, "HTTP Basic: Access denied."),
            Error::InvalidCredentials { .. }
        ));
        let forbidden = e(403, r#"{"errors": ["Bad order id 'x' for m"]}"#);
        assert_eq!(forbidden.errors(), ["Bad order id 'x' for m"]);
        assert!(matches!(e(404, "<html></html>"), Error::NotFound { .. }));
        let rejected = e(409, r#"{"errors": ["Invalid data: a", {"title": "b"}]}"#);
        assert_eq!(
            rejected.to_string(),
            "GET /x: 409 rejected: Invalid data: a. b"
        );
        assert!(!rejected.is_retryable());
        assert!(e(429, "").is_retryable());
        assert!(e(500, "").is_retryable());
        assert!(e(503, "").is_retryable());
        assert!(matches!(e(503, ""), Error::Server { status: 503, .. }));
        match e(422, "  weird  ") {
            Error::UnexpectedStatus {
                status,
                body_excerpt,
                ..
            } => {
                assert_eq!(status, 422);
                assert_eq!(body_excerpt, "weird");
            }
            other => panic!("{other}"),
        }
        assert!(!e(401, "").is_retryable());
        assert!(!e(404, "").is_retryable());
        assert_eq!(e(409, "").status(), Some(409));
    }
}
