//! The snapshot being served, and reloading it.
//!
//! A reload (SIGHUP, `POST /admin/reload`, or `serve --watch`) loads and validates the whole
//! data source on the calling thread — callers run it off the async workers — then swaps the
//! new snapshot in with one atomic store. Requests already running keep the `Arc` of the
//! snapshot they started with, so old and new data are both in memory until the last of them
//! ends. A failed reload changes nothing that is served; its problems are kept for `/health`.

use super::Snapshot;
use crate::index::Dataset;
use crate::layers::Problem;
use arc_swap::ArcSwapOption;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

/// Where snapshots are loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// A data folder: `layers.toml` and the layer files.
    Dir(PathBuf),
    /// The newest data version in a PostgreSQL/PostGIS database (see [`super::postgres`]).
    Postgres(String),
}

impl std::fmt::Display for DataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataSource::Dir(dir) => write!(f, "{}", dir.display()),
            DataSource::Postgres(url) => write!(f, "{}", crate::store::redact_url(url)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// The new data was valid and differs from the old: it is served now.
    Reloaded,
    /// The new data was valid and has the same content hash: nothing was swapped.
    Unchanged,
    /// The new data had problems: the old snapshot still serves.
    Failed,
}

impl ReloadOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadOutcome::Reloaded => "reloaded",
            ReloadOutcome::Unchanged => "unchanged",
            ReloadOutcome::Failed => "failed",
        }
    }
}

/// What one reload did.
#[derive(Debug, Clone)]
pub struct ReloadReport {
    /// What asked for it: `sighup`, `admin`, `watch`.
    pub trigger: &'static str,
    pub finished_at: SystemTime,
    pub elapsed_ms: u64,
    pub outcome: ReloadOutcome,
    /// The data version served after the reload.
    pub data_version: Option<String>,
    /// Every problem found, with file names; empty unless the reload failed.
    pub problems: Vec<Problem>,
}

/// The served snapshot, the source it reloads from and the last reload's report.
#[derive(Debug)]
pub struct Live {
    current: ArcSwapOption<Snapshot>,
    source: Option<DataSource>,
    last_reload: Mutex<Option<ReloadReport>>,
    /// Held for the whole of a reload, so two reloads never build at the same time (each would
    /// hold a full data set in memory). A std mutex: it is taken on blocking threads only.
    reloading: Mutex<()>,
    shutting_down: AtomicBool,
    /// The tile cache budget of every snapshot built from now on, in bytes.
    tile_cache_bytes: AtomicU64,
    /// The data source (a database) cannot be reached: the snapshot served may be behind.
    degraded: AtomicBool,
}

impl Live {
    /// Nothing served yet; [`Live::load`] brings the first snapshot in from `source`.
    pub fn new(source: Option<DataSource>) -> Live {
        Live {
            current: ArcSwapOption::empty(),
            source,
            last_reload: Mutex::new(None),
            reloading: Mutex::new(()),
            shutting_down: AtomicBool::new(false),
            tile_cache_bytes: AtomicU64::new(crate::tiles::DEFAULT_CACHE_MB * 1_000_000),
            degraded: AtomicBool::new(false),
        }
    }

    /// Serving `dataset` from the start, with no source to reload from (tests, tools).
    pub fn of(dataset: Dataset) -> Live {
        let live = Live::new(None);
        live.install(Snapshot::build(dataset));
        live
    }

    /// Sets the tile cache budget of the snapshots built from now on (the `tile_cache_mb`
    /// setting); the one being served keeps its own.
    pub fn set_tile_cache_bytes(&self, bytes: u64) {
        self.tile_cache_bytes.store(bytes, Ordering::Relaxed);
    }

    /// The snapshot being served; `None` before the first one is in.
    pub fn current(&self) -> Option<Arc<Snapshot>> {
        self.current.load_full()
    }

    pub fn source(&self) -> Option<&DataSource> {
        self.source.as_ref()
    }

    /// Ready for traffic: a snapshot is in and the server is not shutting down.
    pub fn is_ready(&self) -> bool {
        self.current.load().is_some() && !self.shutting_down.load(Ordering::Relaxed)
    }

    /// From now on `/health/ready` answers 503, so a load balancer drains this server.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
    }

    /// Marks the data source reachable or not (the `LISTEN` connection of a database source).
    pub fn set_degraded(&self, degraded: bool) {
        self.degraded.store(degraded, Ordering::Relaxed);
    }

    /// The data source cannot be reached now; the last snapshot still serves.
    pub fn is_degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Relaxed)
    }

    pub fn last_reload(&self) -> Option<ReloadReport> {
        self.last_reload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn install(&self, snapshot: Snapshot) {
        self.current.store(Some(Arc::new(snapshot)));
    }

    /// Loads the first snapshot; on problems nothing is served and all of them are returned.
    /// Blocking: run it off the async workers.
    pub fn load(&self) -> Result<Arc<Snapshot>, Vec<Problem>> {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let snapshot = self.build()?;
        self.install(snapshot);
        release_freed_memory();
        Ok(self.current().expect("installed just now"))
    }

    fn build(&self) -> Result<Snapshot, Vec<Problem>> {
        match &self.source {
            Some(DataSource::Dir(dir)) => Dataset::load(dir)
                .map(|ds| {
                    Snapshot::build_with_tile_cache(
                        ds,
                        self.tile_cache_bytes.load(Ordering::Relaxed),
                    )
                })
                .map_err(|e| e.problems),
            Some(DataSource::Postgres(url)) => super::postgres::load_newest(url).map(|ds| {
                Snapshot::build_with_tile_cache(ds, self.tile_cache_bytes.load(Ordering::Relaxed))
            }),
            None => Err(vec![Problem {
                file: PathBuf::new(),
                feature: None,
                id: None,
                reason: "this server was given its data directly and has no source to reload from"
                    .into(),
            }]),
        }
    }

    /// Builds a new snapshot from the source and swaps it in if it is valid and differs.
    /// Blocking (it loads the whole data set): run it off the async workers.
    pub fn reload(&self, trigger: &'static str) -> ReloadReport {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let started = Instant::now();
        let (outcome, problems) = match self.build() {
            Ok(snapshot) => {
                let same = self
                    .current
                    .load()
                    .as_ref()
                    .is_some_and(|old| old.data_version() == snapshot.data_version());
                if same {
                    (ReloadOutcome::Unchanged, Vec::new())
                } else {
                    self.install(snapshot);
                    (ReloadOutcome::Reloaded, Vec::new())
                }
            }
            Err(problems) => (ReloadOutcome::Failed, problems),
        };
        // Whatever was built and not kept (a failed or unchanged load) is freed by now.
        release_freed_memory();
        let report = ReloadReport {
            trigger,
            finished_at: SystemTime::now(),
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            outcome,
            data_version: self.current().map(|s| s.data_version().to_string()),
            problems,
        };
        metrics::counter!("yuqian_reloads_total", "outcome" => outcome.as_str()).increment(1);
        metrics::gauge!("yuqian_last_reload_timestamp_seconds")
            .set(unix_seconds(report.finished_at));
        metrics::gauge!("yuqian_last_reload_failed").set(if outcome == ReloadOutcome::Failed {
            1.0
        } else {
            0.0
        });
        match outcome {
            ReloadOutcome::Failed => {
                tracing::error!(
                    trigger,
                    problems = report.problems.len(),
                    "reload failed; the old data still serves"
                );
                for p in &report.problems {
                    tracing::error!(trigger, "reload problem: {p}");
                }
            }
            _ => tracing::info!(
                trigger,
                outcome = outcome.as_str(),
                data_version = report.data_version.as_deref().unwrap_or(""),
                elapsed_ms = report.elapsed_ms,
                "reload done"
            ),
        }
        *self
            .last_reload
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(report.clone());
        report
    }
}

/// Hands the memory freed while building a snapshot (parse buffers, the R-tree's bulk-load
/// scratch, a failed or unchanged load) back to the system at once, rather than whenever the
/// allocator next gets to it: a server builds one large snapshot per reload, then runs for weeks.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas; it takes no pointers of ours.
    unsafe {
        libc::malloc_trim(0);
    }
}

pub fn unix_seconds(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// RFC 3339 in UTC, to the millisecond.
pub fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}
