//! The HTTP API: routers, shared state, the middleware every answer passes through, and the
//! static web map. Handlers parse and validate, call a pure query from [`crate::query`] on the
//! snapshot they started with, and serialise; they hold no geometry logic of their own.
//!
//! | file | what |
//! |---|---|
//! | `state.rs` | [`AppState`]: the live snapshot, saved loops, tokens, the heavy pool, limits |
//! | `heavy.rs` | running a handler's work on the heavy pool; the per-client rate limit |
//! | `middleware.rs` | request ids, security headers, CORS, data ETags, errors with ids |
//! | `metrics.rs` | `/metrics` (Prometheus) and the per-route request metrics |
//! | `health.rs`, `admin.rs` | `/health*`, `/admin/reload` and the admin guard |
//! | `catalogue.rs`, `spatial.rs`, `loops/` | the API proper |
//! | `drawing.rs` | the map style and the annotations (border line, labels, route stops) |
//! | `static_map/` | static maps as PNG and SVG (the drawing is in [`crate::render`]) |
//! | `tiles.rs` | vector tiles and their TileJSON (the domain is in [`crate::tiles`]) |
//! | `ogc/` | OGC API – Features under `/ogc` (the domain is in [`crate::ogc`] and [`crate::query`]) |
//! | `static_files.rs` | the web map's own files, by an allow-list |
//! | `openapi.rs` | `/api/openapi.json`: the OpenAPI 3.0 description of `/api` (`openapi/api.json`) |

mod admin;
mod catalogue;
mod drawing;
mod error;
mod health;
mod heavy;
mod loops;
pub mod metrics;
mod middleware;
mod ogc;
mod openapi;
mod output;
mod params;
mod spatial;
mod state;
mod static_files;
mod static_map;
mod tiles;

pub use error::{ApiError, ApiResult};
pub use heavy::RateLimitSettings;
pub use state::{AppState, Shared, Snap};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use std::path::PathBuf;

/// Largest accepted request body (POST /api/corridor, loops): 2 MiB.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The application: the API, and the web map from `web_dir` at `/` when given.
pub fn app(state: AppState, web_dir: Option<PathBuf>) -> Router {
    let api = Router::new()
        .route("/health", get(health::health))
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(metrics::metrics))
        .route("/admin/reload", post(admin::reload))
        .route("/api/openapi.json", get(openapi::get))
        .route("/api/layers", get(catalogue::layers))
        .route("/api/features", get(catalogue::features))
        .route("/api/features/{id}", get(catalogue::feature_by_id))
        .route("/api/features/mvt/{id}", get(catalogue::feature_by_mvt_id))
        .route("/api/search", get(catalogue::search))
        .route("/api/style", get(drawing::style))
        .route("/api/annotations", get(drawing::annotations))
        .route("/api/nearby", get(spatial::nearby))
        .route(
            "/api/corridor",
            get(spatial::corridor_of_feature).post(spatial::corridor_of_line),
        )
        .route("/api/region", get(spatial::region))
        .route("/api/crossings", get(spatial::crossings))
        .route(
            "/api/static.png",
            get(static_map::png_get).post(static_map::png_post),
        )
        .route(
            "/api/static.svg",
            get(static_map::svg_get).post(static_map::svg_post),
        )
        .route("/api/loops/plan", post(loops::plan))
        .route("/api/loops/presets", get(loops::presets))
        .route("/tiles/{*path}", get(tiles::get))
        .route("/api/loops", get(loops::list).post(loops::create))
        .route(
            "/api/loops/{id}",
            get(loops::read).put(loops::update).delete(loops::delete),
        )
        .merge(ogc::routes());
    let router = match web_dir {
        Some(dir) => api
            .fallback(static_files::serve)
            .layer(axum::Extension(std::sync::Arc::new(
                static_files::WebFiles::new(dir),
            ))),
        None => api.fallback(not_found),
    };
    middleware::around(router.layer(DefaultBodyLimit::max(MAX_BODY_BYTES)), state)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        error: "not_found",
        parameter: None,
        detail: format!("no such endpoint or file: {}", uri.path()),
    }
}
