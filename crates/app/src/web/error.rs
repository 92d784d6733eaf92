//! `AppError`: the one error type handlers return. Client errors say what was wrong;
//! internal errors are logged with their cause and answered with a bare 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A problem with one field of a submitted form, shown next to that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("gone: {0}")]
    Gone(String),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("not implemented: {0}")]
    NotImplemented(String),
    #[error("a service we depend on is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<crate::db::DbError> for AppError {
    fn from(e: crate::db::DbError) -> Self {
        AppError::Internal(e.into())
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    fields: &'a [FieldError],
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (code, message): (&str, Option<String>) = match &self {
            AppError::BadRequest(m) => ("bad_request", Some(m.clone())),
            AppError::Unauthorized(m) => ("unauthorized", Some((*m).to_owned())),
            AppError::Forbidden => ("forbidden", None),
            AppError::NotFound => ("not_found", None),
            AppError::Conflict(m) => ("conflict", Some(m.clone())),
            AppError::Gone(m) => ("gone", Some(m.clone())),
            AppError::NotImplemented(m) => ("not_implemented", Some(m.clone())),
            AppError::Invalid(_) => ("invalid", None),
            AppError::PayloadTooLarge(m) => ("payload_too_large", Some(m.clone())),
            AppError::UnsupportedMediaType(m) => ("unsupported_media_type", Some(m.clone())),
            AppError::MethodNotAllowed => ("method_not_allowed", None),
            AppError::Unavailable(m) => {
                tracing::warn!(%m, "dependency unavailable");
                ("unavailable", None)
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                ("internal", None)
            }
        };
        let fields = match &self {
            AppError::Invalid(f) => f.as_slice(),
            _ => &[],
        };
        let body = Body {
            error: code,
            message: message.as_deref(),
            fields,
        };
        (status, Json(body)).into_response()
    }
}
