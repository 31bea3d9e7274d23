//! `serve --watch`: reload when a file of the data folder changes.
//!
//! File events are debounced (an editor or a copy writes a file in several steps, a data update
//! touches several files), then one reload runs on the watcher's own thread, never on an async
//! worker. Watching the folder rather than each file also sees files replaced by a rename.

use super::Live;
use super::reload::DataSource;
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use std::sync::Arc;
use std::time::Duration;

/// How long the folder must be quiet before a reload starts.
pub const DEBOUNCE: Duration = Duration::from_millis(500);

/// Keeps watching while it lives.
pub struct Watcher {
    _debouncer: Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("--watch needs a data folder, but the data comes from {0}")]
    NotAFolder(String),
    #[error("cannot watch the data folder {dir}: {source}")]
    Notify {
        dir: String,
        source: notify_debouncer_mini::notify::Error,
    },
}

/// Starts watching the data folder of `live`; each settled change reloads it.
pub fn watch(live: Arc<Live>) -> Result<Watcher, WatchError> {
    let dir = match live.source() {
        Some(DataSource::Dir(dir)) => dir.clone(),
        Some(DataSource::Postgres(url)) => {
            return Err(WatchError::NotAFolder(format!(
                "{} (a database follows its new versions by LISTEN/NOTIFY without --watch)",
                crate::store::redact_url(url)
            )));
        }
        None => return Err(WatchError::NotAFolder("the caller".into())),
    };
    let reloader = live.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, move |events: DebounceEventResult| match events {
        Ok(events) => {
            // Temporary files of editors (`.swp`, `~`) are changes too; reloading on them is
            // harmless, as an unchanged content hash swaps nothing.
            if !events.is_empty() {
                tracing::info!(paths = events.len(), "data folder changed");
                reloader.reload("watch");
            }
        }
        Err(e) => tracing::error!("watching the data folder: {e}"),
    })
    .map_err(|source| WatchError::Notify {
        dir: dir.display().to_string(),
        source,
    })?;
    debouncer
        .watcher()
        .watch(&dir, RecursiveMode::Recursive)
        .map_err(|source| WatchError::Notify {
            dir: dir.display().to_string(),
            source,
        })?;
    tracing::info!(dir = %dir.display(), "watching the data folder for changes");
    Ok(Watcher {
        _debouncer: debouncer,
    })
}
