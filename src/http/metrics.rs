//! `GET /metrics` in the Prometheus text format, and the request metrics behind it.
//!
//! The `metrics` facade with its Prometheus exporter as the process's recorder: handlers and
//! the pool count what they do wherever they are, and a scrape renders it all. Gauges that
//! describe the current state (features per layer, saved loops, the heavy pool's queue) are set
//! at scrape time from that state, so they can never go stale.
//!
//! | series | kind | labels |
//! |---|---|---|
//! | `yuqian_http_requests_total` | counter | `route` (template), `method`, `status` |
//! | `yuqian_http_request_duration_seconds` | histogram | `route`, `method` |
//! | `yuqian_http_requests_in_flight` | gauge | |
//! | `yuqian_heavy_running`, `yuqian_heavy_queued` | gauge | |
//! | `yuqian_heavy_concurrency`, `yuqian_heavy_queue_capacity` | gauge | |
//! | `yuqian_heavy_rejected_total` | counter | `reason`: `queue_full`, `queue_wait`, `over_budget`, `rate_limited` |
//! | `yuqian_reloads_total` | counter | `outcome`: `reloaded`, `unchanged`, `failed` |
//! | `yuqian_last_reload_timestamp_seconds`, `yuqian_last_reload_failed` | gauge | |
//! | `yuqian_data_loaded_timestamp_seconds` | gauge | |
//! | `yuqian_layer_features` | gauge | `layer` |
//! | `yuqian_features`, `yuqian_saved_loops` | gauge | |

use super::error::{ApiError, ApiResult};
use super::state::AppState;
use crate::snapshot::reload::unix_seconds;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Seconds: from a cached tile to a maximal corridor.
const LATENCY_BUCKETS_S: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the Prometheus recorder as the process's metrics recorder, once.
pub fn install() {
    HANDLE.get_or_init(|| {
        let built = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("yuqian_http_request_duration_seconds".into()),
                &LATENCY_BUCKETS_S,
            )
            .and_then(|b| b.install_recorder());
        match built {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::error!("metrics are off: cannot install the recorder: {e}");
                None
            }
        }
    });
}

/// Counts a request by its route template (never the raw path, whose ids would make one
/// series per feature) once its answer is ready.
pub async fn track(matched: Option<MatchedPath>, req: Request, next: Next) -> Response {
    let route = matched.map_or_else(|| "fallback".to_string(), |m| m.as_str().to_string());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let in_flight = metrics::gauge!("yuqian_http_requests_in_flight");
    in_flight.increment(1.0);
    let resp = next.run(req).await;
    in_flight.decrement(1.0);
    let status = resp.status().as_u16().to_string();
    metrics::counter!("yuqian_http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("yuqian_http_request_duration_seconds", "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    resp
}

pub async fn metrics(State(s): State<AppState>) -> ApiResult<Response> {
    let Some(handle) = HANDLE.get().and_then(Option::as_ref) else {
        return Err(ApiError::internal("the metrics recorder is not installed"));
    };
    let pool = s.pool.limits();
    metrics::gauge!("yuqian_heavy_running").set(s.pool.running() as f64);
    metrics::gauge!("yuqian_heavy_queued").set(s.pool.queued() as f64);
    metrics::gauge!("yuqian_heavy_concurrency").set(pool.concurrency as f64);
    metrics::gauge!("yuqian_heavy_queue_capacity").set(pool.queue as f64);
    if let Some(snap) = s.live.current() {
        let ds = &snap.dataset;
        for (layer, stats) in ds.catalogue.layers.iter().zip(&ds.stats) {
            metrics::gauge!("yuqian_layer_features", "layer" => layer.id.clone())
                .set(stats.feature_count as f64);
        }
        metrics::gauge!("yuqian_features").set(ds.features.len() as f64);
        metrics::gauge!("yuqian_data_loaded_timestamp_seconds").set(unix_seconds(snap.loaded_at));
    }
    // An unreachable loop database leaves the gauge at its last value rather than failing
    // the scrape.
    if let Some(store) = &s.store {
        match store.count().await {
            Ok(n) => metrics::gauge!("yuqian_saved_loops").set(n as f64),
            Err(crate::store::StoreError::Unavailable(e)) => {
                tracing::warn!("metrics: loop database: {e}");
            }
            Err(e) => return Err(ApiError::internal(e)),
        }
    }
    let mut resp = handle.render().into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    Ok(resp)
}
