//! `/admin/*` and `/metrics`: the admin guard, and `POST /admin/reload`.
//!
//! With an admin token configured, these need `Authorization: Bearer <token>`; without one they
//! answer loopback clients only (and the server refuses to listen on a non-loopback address
//! without a token). Behind a load balancer on the same machine every client is loopback, so
//! such a deployment must set the token.

use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::state::AppState;
use crate::snapshot::ReloadOutcome;
use crate::snapshot::reload::rfc3339;
use axum::Json;
use axum::extract::{ConnectInfo, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::net::SocketAddr;

fn is_admin_path(path: &str) -> bool {
    path == "/metrics" || path == "/admin" || path.starts_with("/admin/")
}

/// Compares without an early exit, so the time taken tells nothing about the token.
pub fn token_matches(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| {
            given.len() == token.len()
                && given
                    .bytes()
                    .zip(token.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
}

pub async fn guard(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if !is_admin_path(req.uri().path()) {
        return next.run(req).await;
    }
    match &s.admin_token {
        Some(token) if !token_matches(req.headers(), token) => {
            let mut resp = ApiError {
                status: StatusCode::UNAUTHORIZED,
                error: "unauthorized",
                parameter: Some("Authorization".into()),
                detail: "this endpoint needs the header Authorization: Bearer <admin token>".into(),
            }
            .into_response();
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            resp
        }
        Some(_) => next.run(req).await,
        None => {
            let loopback = req
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .is_some_and(|ConnectInfo(peer)| peer.ip().is_loopback());
            if loopback {
                next.run(req).await
            } else {
                ApiError {
                    status: StatusCode::FORBIDDEN,
                    error: "forbidden",
                    parameter: None,
                    detail: "without an admin token this endpoint answers loopback clients only"
                        .into(),
                }
                .into_response()
            }
        }
    }
}

/// Reloads the data now and answers what happened: 200 when the new data serves (or was the
/// same), 422 with every problem when it was refused and the old data still serves.
pub async fn reload(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    if s.live.source().is_none() {
        return Err(ApiError {
            status: StatusCode::CONFLICT,
            error: "no_source",
            parameter: None,
            detail: "this server was given its data directly and has no source to reload from"
                .into(),
        });
    }
    let live = s.live.clone();
    let span = tracing::Span::current();
    let report = tokio::task::spawn_blocking(move || span.in_scope(|| live.reload("admin")))
        .await
        .map_err(ApiError::internal)?;
    let status = if report.outcome == ReloadOutcome::Failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let body: Value = json!({
        "outcome": report.outcome.as_str(),
        "data_version": report.data_version,
        "finished_at": rfc3339(report.finished_at),
        "elapsed_ms": report.elapsed_ms,
        "problems": report.problems.iter().map(super::health::problem_json).collect::<Vec<_>>(),
    });
    Ok((status, Json(body)).into_response())
}
