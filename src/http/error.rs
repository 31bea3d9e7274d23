//! The one error type of the HTTP layer: a status, a stable code, the parameter at fault and a
//! sentence saying what is wrong. Client errors keep their status and their specific message;
//! an internal error answers a plain 500 that says only "internal error" and the request id,
//! while the log line (in the request's span, so with the same id) gets the detail.

use crate::query::InvalidParameter;
use crate::work::{OverBudget, Refused};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderValue, StatusCode, header};
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

/// Seconds a client is asked to wait after a 503.
pub const RETRY_AFTER_S: u64 = 1;

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

    /// A fault of the server: `detail` goes to the log only.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "internal",
            parameter: None,
            detail: detail.to_string(),
        }
    }

    /// Temporarily unable to answer (busy, starting, over budget); `Retry-After` is set.
    pub fn unavailable(error: &'static str, detail: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error,
            parameter: None,
            detail: detail.into(),
        }
    }

    /// The data is not loaded yet.
    pub fn not_ready() -> Self {
        ApiError::unavailable(
            "not_ready",
            "the data is still loading; try again in a moment",
        )
    }

    /// A request body that could not be read (too large, broken connection).
    pub fn body(e: BytesRejection, limit_bytes: usize) -> Self {
        ApiError {
            status: e.status(),
            error: if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                "payload_too_large"
            } else {
                "invalid_body"
            },
            parameter: Some("body".into()),
            detail: format!("{} (the limit is {limit_bytes} bytes)", e.body_text()),
        }
    }

    fn is_internal(&self) -> bool {
        self.status == StatusCode::INTERNAL_SERVER_ERROR
    }

    /// The JSON body, with the request id when known.
    pub fn body_json(&self, request_id: Option<&str>) -> serde_json::Value {
        let detail = if self.is_internal() {
            "internal error"
        } else {
            self.detail.as_str()
        };
        let mut body =
            json!({ "error": self.error, "parameter": self.parameter, "detail": detail });
        if let Some(id) = request_id {
            body["request_id"] = json!(id);
        }
        body
    }
}

impl From<InvalidParameter> for ApiError {
    fn from(e: InvalidParameter) -> Self {
        ApiError::invalid(e.parameter, e.detail)
    }
}

impl From<OverBudget> for ApiError {
    fn from(_: OverBudget) -> Self {
        metrics::counter!("yuqian_heavy_rejected_total", "reason" => "over_budget").increment(1);
        ApiError::unavailable(
            "over_budget",
            "the request needed more than its time budget and was stopped; narrow it (a smaller radius, width, k or fewer stops) or try again when the server is less busy",
        )
    }
}

impl From<Refused> for ApiError {
    fn from(e: Refused) -> Self {
        match e {
            Refused::QueueFull { .. } | Refused::WaitedTooLong(_) => {
                ApiError::unavailable("busy", e.to_string())
            }
            Refused::Failed => ApiError::internal("heavy work panicked"),
        }
    }
}

impl IntoResponse for ApiError {
    /// Renders without the request id; [`super::middleware::finish`] renders it again with the
    /// id, from the copy left in the response's extensions.
    fn into_response(self) -> Response {
        if self.is_internal() {
            tracing::error!(detail = %self.detail, "internal error");
        }
        let mut resp = (self.status, Json(self.body_json(None))).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_S));
        }
        resp.extensions_mut().insert(self);
        resp
    }
}

/// Replaces an error answer's body by one that carries `request_id`.
pub fn with_request_id(mut resp: Response, request_id: &str) -> Response {
    if let Some(err) = resp.extensions_mut().remove::<ApiError>() {
        let body =
            serde_json::to_vec(&err.body_json(Some(request_id))).expect("a JSON value serialises");
        resp.headers_mut().remove(header::CONTENT_LENGTH);
        *resp.body_mut() = Body::from(body);
    }
    resp
}
