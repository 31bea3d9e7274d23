//! What every answer passes through, outermost first:
//!
//! 1. a request id (`x-request-id`: the client's or load balancer's if it sent one, else a new
//!    UUID), on the request's log span and on the answer;
//! 2. gzip or br compression when the client accepts it;
//! 3. [`finish`]: error bodies get the request id (before compression, which then compresses
//!    the new body); `nosniff`, `Referrer-Policy`, a default `Content-Security-Policy` and
//!    `Cache-Control` where the handler set none;
//! 4. CORS: any configured origin may `GET` the public reads; no origin may write
//!    ([`same_origin_writes`]);
//! 5. request metrics by route template ([`super::metrics::track`]);
//! 6. the admin guard, the rate limit of heavy requests, and [`data_etag`], which picks the
//!    snapshot a data read works on and answers `304` when the client has its answer already.

use super::admin;
use super::error::{ApiError, with_request_id};
use super::heavy;
use super::metrics;
use super::state::AppState;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower::ServiceBuilder;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `router` in the layers above.
pub fn around(router: Router<AppState>, state: AppState) -> Router {
    let cors = cors(&state.cors_origins);
    router
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &Request| {
                            let id = req
                                .headers()
                                .get(REQUEST_ID)
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("");
                            tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
                        })
                        .on_response(DefaultOnResponse::new().level(Level::INFO)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
                .layer(from_fn(finish))
                .layer(cors)
                .layer(from_fn(same_origin_writes))
                .layer(from_fn(metrics::track))
                .layer(from_fn_with_state(state.clone(), admin::guard))
                .layer(from_fn_with_state(state.clone(), heavy::rate_limit))
                .layer(from_fn_with_state(state.clone(), data_etag)),
        )
        .with_state(state)
}

/// Paths a browser of another origin may read.
fn is_public_read(path: &str) -> bool {
    path.starts_with("/api/")
        || path == "/ogc"
        || path.starts_with("/ogc/")
        || path.starts_with("/tiles/")
        || path == "/health"
        || path.starts_with("/health/")
}

fn cors(origins: &[String]) -> CorsLayer {
    let any = origins.iter().any(|o| o == "*");
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::IF_NONE_MATCH, header::ACCEPT])
        .expose_headers([header::ETAG, REQUEST_ID, header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(3600))
        .allow_origin(AllowOrigin::predicate(move |origin, parts| {
            is_public_read(parts.uri.path()) && (any || allowed.contains(origin))
        }))
}

/// No other origin may write: a cross-origin `POST` with a simple content type is sent by a
/// browser without a preflight, so CORS alone would not stop it.
async fn same_origin_writes(req: Request, next: Next) -> Response {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !reads
        && let Some(origin) = req.headers().get(header::ORIGIN)
        && !same_origin(origin, req.headers())
    {
        return ApiError {
            status: StatusCode::FORBIDDEN,
            error: "cross_origin_write",
            parameter: Some("Origin".into()),
            detail: format!(
                "writes are accepted from this server's own pages only, not from {}",
                origin.to_str().unwrap_or("another origin")
            ),
        }
        .into_response();
    }
    next.run(req).await
}

fn same_origin(origin: &HeaderValue, headers: &HeaderMap) -> bool {
    let (Ok(origin), Some(host)) = (
        origin.to_str(),
        headers.get(header::HOST).and_then(|h| h.to_str().ok()),
    ) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|o| o.eq_ignore_ascii_case(host))
}

const NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");
const NO_REFERRER: HeaderValue = HeaderValue::from_static("no-referrer");
/// For everything that is not the page: nothing may be loaded, run or framed from it.
const API_CSP: HeaderValue = HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'");

/// Error bodies with the request id, and the headers every answer carries.
async fn finish(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    if let Some(id) = &id {
        resp = with_request_id(resp, id);
    }
    let h = resp.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF);
    h.insert(header::REFERRER_POLICY, NO_REFERRER);
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, API_CSP);
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        let status = resp.status();
        let policy = if status.is_client_error()
            || status.is_server_error()
            || path.starts_with("/health")
            || path.starts_with("/admin")
            || path == "/metrics"
        {
            "no-store"
        } else {
            "no-cache"
        };
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    resp
}

/// Read endpoints whose answer depends only on the data and the request's URI.
fn is_data_read(path: &str) -> bool {
    matches!(
        path,
        "/api/layers"
            | "/api/features"
            | "/api/search"
            | "/api/nearby"
            | "/api/corridor"
            | "/api/region"
            | "/api/crossings"
            | "/api/loops/presets"
            | "/api/annotations"
            | "/api/style"
    ) || path.starts_with("/api/features/")
        || path.starts_with("/tiles/")
        || path == "/ogc"
        || path.starts_with("/ogc/")
}

/// A weak validator of the answer to `uri` on the data of `data_version`; `variant` is what
/// else the answer depends on (the `Accept` of a negotiated `/ogc` resource).
pub fn data_etag_value(data_version: &str, uri: &Uri, variant: &[u8]) -> HeaderValue {
    let mut h = Sha256::new();
    h.update(data_version.as_bytes());
    h.update([0]);
    h.update(uri.path().as_bytes());
    h.update([0]);
    h.update(uri.query().unwrap_or("").as_bytes());
    h.update([0]);
    h.update(variant);
    let digest = h.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex is a valid header value")
}

/// Whether `If-None-Match` names `tag` (weak comparison, as RFC 9110 13.1.2 requires).
pub fn none_match(headers: &HeaderMap, tag: &HeaderValue) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let Ok(tag) = tag.to_str().map(strip) else {
        return false;
    };
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || strip(t) == tag)
}

/// Picks the snapshot a data read works on, answers 304 when the client's copy is current,
/// and puts the ETag (data version + URI) and `Cache-Control: no-cache` on the answer.
async fn data_etag(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) || !is_data_read(req.uri().path()) {
        return next.run(req).await;
    }
    let snap = match s.snapshot() {
        Ok(snap) => snap,
        Err(e) => return e.into_response(),
    };
    // The `/ogc` resources are negotiated: the same URI is JSON or HTML by `Accept`.
    let variant = if req.uri().path().starts_with("/ogc") {
        req.headers()
            .get(header::ACCEPT)
            .map_or(&[][..], |v| v.as_bytes())
            .to_vec()
    } else {
        Vec::new()
    };
    let tag = data_etag_value(snap.data_version(), req.uri(), &variant);
    let cache = HeaderValue::from_static("no-cache");
    if none_match(req.headers(), &tag) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert(header::ETAG, tag);
        resp.headers_mut().insert(header::CACHE_CONTROL, cache);
        return resp;
    }
    req.extensions_mut().insert(snap);
    let mut resp = next.run(req).await;
    if resp.status() == StatusCode::OK {
        resp.headers_mut().insert(header::ETAG, tag);
        resp.headers_mut().insert(header::CACHE_CONTROL, cache);
    }
    resp
}
