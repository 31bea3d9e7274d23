//! The state every handler reads: a cheap-to-clone handle around `Arc<Shared>`.
//!
//! The data is not in it directly but behind [`Live`]: each request takes the current
//! [`Snapshot`] once ([`Snap`]) and uses that one to its end, so a reload never changes the data
//! under a running request and needs no lock on the serving path.

use super::error::ApiError;
use super::heavy::{RateLimit, RateLimitSettings};
use crate::index::Dataset;
use crate::snapshot::{Live, Snapshot};
use crate::store::LoopStore;
use crate::work::{Pool, PoolLimits};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub live: Arc<Live>,
    /// Saved loops; `None` serves planning only.
    pub store: Option<LoopStore>,
    /// When set, writes to saved loops need `Authorization: Bearer <token>`.
    pub write_token: Option<String>,
    /// When set, `/admin/*` and `/metrics` need `Authorization: Bearer <token>`; when not, they
    /// answer loopback clients only.
    pub admin_token: Option<String>,
    /// Where heavy handlers run.
    pub pool: Pool,
    /// Per-client limit of heavy requests; `None` when off.
    pub rate_limit: Option<RateLimit>,
    /// Origins that may read from a browser (`*` for any).
    pub cors_origins: Vec<String>,
    /// The server's own base URL, for absolute links such as TileJSON's `tiles` (the
    /// `public_url` setting; never taken from a request's `Host`).
    pub public_url: String,
}

impl AppState {
    /// Queries and planning over `dataset`, no saved loops, default limits.
    pub fn new(dataset: Dataset) -> AppState {
        AppState::with_store(dataset, None, None)
    }

    pub fn with_store(
        dataset: Dataset,
        store: Option<LoopStore>,
        write_token: Option<String>,
    ) -> AppState {
        let mut b = AppState::builder(Arc::new(Live::of(dataset)));
        b.store = store;
        b.write_token = write_token;
        b.build()
    }

    /// Every setting at its default; change the fields, then [`Builder::build`].
    pub fn builder(live: Arc<Live>) -> Builder {
        Builder {
            live,
            store: None,
            write_token: None,
            admin_token: None,
            pool: PoolLimits::default_for_machine(),
            rate_limit: RateLimitSettings::default(),
            cors_origins: vec!["*".into()],
            public_url: "http://127.0.0.1:8080".into(),
        }
    }

    /// The snapshot being served, or 503 while the first one is loading.
    pub fn snapshot(&self) -> Result<Arc<Snapshot>, ApiError> {
        self.live.current().ok_or_else(ApiError::not_ready)
    }
}

/// Settings of an [`AppState`] under construction.
pub struct Builder {
    pub live: Arc<Live>,
    pub store: Option<LoopStore>,
    pub write_token: Option<String>,
    pub admin_token: Option<String>,
    pub pool: PoolLimits,
    pub rate_limit: RateLimitSettings,
    pub cors_origins: Vec<String>,
    /// See [`Shared::public_url`].
    pub public_url: String,
}

impl Builder {
    pub fn build(self) -> AppState {
        super::metrics::install();
        AppState(Arc::new(Shared {
            live: self.live,
            store: self.store,
            write_token: self.write_token.filter(|t| !t.is_empty()),
            admin_token: self.admin_token.filter(|t| !t.is_empty()),
            pool: Pool::new(self.pool),
            rate_limit: RateLimit::new(self.rate_limit),
            cors_origins: self.cors_origins,
            public_url: self.public_url,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The snapshot a request works on: the one the data-ETag middleware picked when the request
/// came in (so the answer matches its ETag), else the current one.
pub struct Snap(pub Arc<Snapshot>);

impl FromRequestParts<AppState> for Snap {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Snap, ApiError> {
        match parts.extensions.get::<Arc<Snapshot>>() {
            Some(s) => Ok(Snap(s.clone())),
            None => state.snapshot().map(Snap),
        }
    }
}
