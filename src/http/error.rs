//! The one error type of the HTTP layer: a status, a stable code, the parameter at fault and a
//! sentence saying what is wrong. Client errors keep their status; anything internal answers a
//! plain 500 and is logged.

use crate::query::InvalidParameter;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub error: &'static str,
    pub parameter: Option<String>,
    pub detail: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn invalid(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_parameter",
            parameter: Some(parameter.into()),
            detail: detail.into(),
        }
    }

    pub fn not_found(parameter: Option<&str>, detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            error: "not_found",
            parameter: parameter.map(str::to_string),
            detail: detail.into(),
        }
    }
}

impl From<InvalidParameter> for ApiError {
    fn from(e: InvalidParameter) -> Self {
        ApiError::invalid(e.parameter, e.detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(detail = %self.detail, "internal error");
        }
        let body =
            json!({ "error": self.error, "parameter": self.parameter, "detail": self.detail });
        (self.status, Json(body)).into_response()
    }
}
