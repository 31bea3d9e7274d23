//! Heavy handlers: their work runs on the bounded pool with a deadline, and one client may
//! start only so many of them per minute.
//!
//! A heavy handler parses, queries and serialises inside [`run`], so the async workers only
//! pass bytes along and cheap endpoints (`/health`, `/metrics`, `/api/layers`, one feature,
//! static files) never wait behind a corridor.

use super::error::{ApiError, ApiResult};
use super::state::AppState;
use crate::snapshot::Snapshot;
use crate::work::Deadline;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use serde_json::Value;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Runs `work` on the snapshot `snap` in the heavy pool and answers its JSON, serialised
/// there too.
pub async fn run(
    s: &AppState,
    snap: Arc<Snapshot>,
    work: impl FnOnce(&Snapshot, Deadline) -> ApiResult<Value> + Send + 'static,
) -> ApiResult<Response> {
    let bytes = value(s, snap, move |snap, deadline| {
        let v = work(snap, deadline)?;
        serde_json::to_vec(&v).map_err(ApiError::internal)
    })
    .await?;
    Ok(json_bytes(StatusCode::OK, bytes))
}

/// Runs `work` on the snapshot `snap` in the heavy pool and returns what it made.
pub async fn value<T: Send + 'static>(
    s: &AppState,
    snap: Arc<Snapshot>,
    work: impl FnOnce(&Snapshot, Deadline) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    s.pool.run(move |deadline| work(&snap, deadline)).await?
}

pub fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut resp = (status, Body::from(bytes)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// Whether a request runs heavy work (and so counts against the rate limit).
pub fn is_heavy(method: &Method, path: &str) -> bool {
    match *method {
        Method::GET => {
            matches!(
                path,
                "/api/nearby"
                    | "/api/corridor"
                    | "/api/region"
                    | "/api/crossings"
                    | "/api/search"
                    | "/api/features"
                    | "/api/static.png"
                    | "/api/static.svg"
            ) || (path.starts_with("/ogc/collections/") && path.ends_with("/items"))
        }
        Method::POST => matches!(
            path,
            "/api/corridor"
                | "/api/loops/plan"
                | "/api/loops"
                | "/api/static.png"
                | "/api/static.svg"
        ),
        Method::PUT => path.starts_with("/api/loops/"),
        _ => false,
    }
}

/// The per-client limit of heavy requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Heavy requests a client may make per minute; 0 turns the limit off.
    pub per_minute: u32,
    /// How many it may make at once above its steady rate.
    pub burst: u32,
    /// Whether loopback clients are limited too.
    pub loopback: bool,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            per_minute: 600,
            burst: 60,
            loopback: false,
        }
    }
}

pub struct RateLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    loopback: bool,
    checks: AtomicU64,
}

impl RateLimit {
    pub fn new(settings: RateLimitSettings) -> Option<RateLimit> {
        let per_minute = NonZeroU32::new(settings.per_minute)?;
        let burst = NonZeroU32::new(settings.burst).unwrap_or(NonZeroU32::MIN);
        Some(RateLimit {
            limiter: DefaultKeyedRateLimiter::keyed(
                Quota::per_minute(per_minute).allow_burst(burst),
            ),
            loopback: settings.loopback,
            checks: AtomicU64::new(0),
        })
    }

    /// `Err(seconds to wait)` when `client` is over its limit.
    fn check(&self, client: IpAddr) -> Result<(), u64> {
        if client.is_loopback() && !self.loopback {
            return Ok(());
        }
        // Forget clients that have been quiet for a while, so the table stays small.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&client).map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

/// Middleware: 429 with `Retry-After` for a client over its limit of heavy requests.
pub async fn rate_limit(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(limit) = &s.rate_limit
        && is_heavy(req.method(), req.uri().path())
        && let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>()
        && let Err(wait_s) = limit.check(peer.ip())
    {
        metrics::counter!("yuqian_heavy_rejected_total", "reason" => "rate_limited").increment(1);
        let mut resp = ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            error: "rate_limited",
            parameter: None,
            detail: format!(
                "too many heavy requests from {}: try again in {wait_s} s",
                peer.ip()
            ),
        }
        .into_response();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait_s));
        return resp;
    }
    next.run(req).await
}
