//! BigCommerce's error bodies (§1.2), one style per API family:
//! v2 `[{"status", "message"}]`, v3 `{"status", "title", "type", "errors"}`, the refunds
//! endpoint's `{"data": [{"status", "title", "type"}]}`, GraphQL `{"errors": [{"message"}]}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::bigcommerce::domain::DomainError;

pub const ERROR_TYPE: &str =
    "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    V2,
    V3,
    /// `POST /v3/orders/{id}/payment_actions/refunds` validation errors.
    RefundData,
    GraphQl,
}

/// The family of a request path (the refunds style is chosen by its handler).
pub fn style_for(path: &str) -> Style {
    if path.ends_with("/graphql") {
        Style::GraphQl
    } else if path.contains("/v2/") {
        Style::V2
    } else {
        Style::V3
    }
}

#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub style: Style,
    pub title: String,
    pub errors: Map<String, Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, style: Style, title: impl Into<String>) -> Self {
        Self {
            status,
            style,
            title: title.into(),
            errors: Map::new(),
        }
    }

    pub fn with_error(mut self, field: &str, message: impl Into<String>) -> Self {
        self.errors
            .insert(field.to_owned(), Value::String(message.into()));
        self
    }

    pub fn not_found(style: Style) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            style,
            "The requested resource was not found.",
        )
    }

    pub fn unauthorized(style: Style) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            style,
            "You are not authorized to access this resource: the X-Auth-Token is missing or not valid for this store.",
        )
    }

    pub fn missing_scope(style: Style) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            style,
            "You don't have a required scope to access the endpoint",
        )
    }

    pub fn malformed_json(style: Style, detail: impl Into<String>) -> Self {
        let title = match style {
            Style::V2 => "The request body is not valid JSON.",
            _ => "Input is invalid: the request body is not valid JSON",
        };
        Self::new(StatusCode::BAD_REQUEST, style, title).with_error("body", detail)
    }

    /// Valid JSON whose data is wrong: 400 in v2, 422 elsewhere.
    pub fn invalid(style: Style, field: Option<&str>, message: impl Into<String>) -> Self {
        let message = message.into();
        let (status, title) = match style {
            Style::V2 => (StatusCode::BAD_REQUEST, message.clone()),
            _ => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "JSON data is missing or invalid".to_owned(),
            ),
        };
        let mut error = Self::new(status, style, title);
        if style != Style::V2 || field.is_some() {
            error = error.with_error(field.unwrap_or("body"), message);
        }
        error
    }

    pub fn from_domain(err: DomainError, style: Style) -> Self {
        match err {
            DomainError::NotFound(what) => match style {
                Style::V2 => Self::not_found(style),
                _ => Self::new(
                    StatusCode::NOT_FOUND,
                    style,
                    capitalise(&format!("{what} not found")),
                ),
            },
            DomainError::Invalid { field, message } => match style {
                Style::RefundData => Self::new(StatusCode::UNPROCESSABLE_ENTITY, style, message),
                _ => Self::invalid(style, field.as_deref(), message),
            },
            DomainError::Conflict(message) => Self::new(StatusCode::CONFLICT, style, message),
            DomainError::Forbidden(message) => Self::new(StatusCode::FORBIDDEN, style, message),
            DomainError::GuestStoreCredit => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                Style::RefundData,
                "Unable to provide store credit for a guest customer.",
            ),
        }
    }

    pub fn body(&self) -> Value {
        let status = self.status.as_u16();
        match self.style {
            Style::V2 => {
                let mut entry = json!({"status": status, "message": self.title});
                if !self.errors.is_empty()
                    && let Value::Object(map) = &mut entry
                {
                    map.insert("details".into(), Value::Object(self.errors.clone()));
                }
                json!([entry])
            }
            // `errors` only when there are some: the documented 404 bodies disagree on
            // its type (an array for metafields and checkouts, an object elsewhere).
            Style::V3 => {
                let mut body = json!({"status": status, "title": self.title, "type": ERROR_TYPE});
                if !self.errors.is_empty()
                    && let Value::Object(map) = &mut body
                {
                    map.insert("errors".into(), Value::Object(self.errors.clone()));
                }
                body
            }
            Style::RefundData => json!({
                "data": [{"status": status, "title": self.title, "type": ERROR_TYPE}]
            }),
            Style::GraphQl => {
                let mut errors = vec![json!({"message": self.title})];
                errors.extend(
                    self.errors
                        .values()
                        .map(|message| json!({"message": message})),
                );
                json!({"data": null, "errors": errors})
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.title)
    }
}
