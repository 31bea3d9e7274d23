//! The HTTP API: routers, shared state and static files. Handlers parse and validate, call a
//! pure query from [`crate::query`], and serialise; they hold no geometry logic of their own.

mod catalogue;
mod error;
mod loops;
mod output;
mod params;
mod spatial;

pub use error::{ApiError, ApiResult};

use crate::index::Dataset;
use crate::query::crossings::Border;
use crate::routing::plan::Planner;
use crate::store::LoopStore;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{StatusCode, Uri};
use axum::routing::{get, post};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::ServeDir;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Largest accepted request body (POST /api/corridor): 2 MiB.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Cheap-to-clone handle to everything the handlers read; immutable after start-up, so no lock.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub dataset: Dataset,
    /// Province polygons indexed for border questions; `None` if the data has none.
    pub border: Option<Border>,
    /// The road graph and county areas for route loops.
    pub planner: Planner,
    /// Saved loops; `None` serves planning only.
    pub store: Option<LoopStore>,
    /// When set, writes to saved loops need `Authorization: Bearer <token>`.
    pub write_token: Option<String>,
}

impl AppState {
    /// Queries and planning, no saved loops.
    pub fn new(dataset: Dataset) -> AppState {
        AppState::with_store(dataset, None, None)
    }

    pub fn with_store(
        dataset: Dataset,
        store: Option<LoopStore>,
        write_token: Option<String>,
    ) -> AppState {
        let border = Border::from_dataset(&dataset);
        let planner = Planner::new(&dataset);
        AppState(Arc::new(Shared {
            dataset,
            border,
            planner,
            store,
            write_token,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The application: the API, and the web map from `web_dir` at `/` when given.
pub fn app(state: AppState, web_dir: Option<PathBuf>) -> Router {
    let api = Router::new()
        .route("/health", get(catalogue::health))
        .route("/api/layers", get(catalogue::layers))
        .route("/api/features", get(catalogue::features))
        .route("/api/features/{id}", get(catalogue::feature_by_id))
        .route("/api/search", get(catalogue::search))
        .route("/api/nearby", get(spatial::nearby))
        .route(
            "/api/corridor",
            get(spatial::corridor_of_feature).post(spatial::corridor_of_line),
        )
        .route("/api/region", get(spatial::region))
        .route("/api/crossings", get(spatial::crossings))
        .route("/api/loops/plan", post(loops::plan))
        .route("/api/loops/presets", get(loops::presets))
        .route("/api/loops", get(loops::list).post(loops::create))
        .route(
            "/api/loops/{id}",
            get(loops::read).put(loops::update).delete(loops::delete),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state);
    let router = match web_dir {
        Some(dir) => {
            api.fallback_service(ServeDir::new(dir).fallback(axum::routing::any(not_found)))
        }
        None => api.fallback(not_found),
    };
    // One log line per request: method, path, status and latency.
    router.layer(
        TraceLayer::new_for_http()
            .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    )
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        error: "not_found",
        parameter: None,
        detail: format!("no such endpoint or file: {}", uri.path()),
    }
}
