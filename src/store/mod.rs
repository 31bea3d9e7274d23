//! Saved loops: one interface, two backends.
//!
//! - [`sqlite`]: an embedded file (the default, one server).
//! - [`postgres`]: a shared PostgreSQL database, so that several replicas behind a load
//!   balancer see the same loops.
//!
//! Both keep the same rows and the same rules: every row has a `version`, raised in the same
//! statement as each change (the HTTP layer's ETag, so a stale `If-Match` is refused whichever
//! replica it reaches); numbered migrations applied once at open; and idempotency keys, so a
//! retried `POST /api/loops` answers the first save instead of making a second loop.
//!
//! [`LoopStore`] is a closed set of backends, an enum rather than a trait object. Its methods
//! are async: the SQLite backend runs on tokio's blocking pool, the PostgreSQL one on its
//! connection pool.

pub mod postgres;
pub mod sqlite;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// How long an idempotency key is remembered: at least this long, then forgotten at a later
/// keyed save (which prunes older keys in its transaction).
pub const IDEMPOTENCY_RETENTION_H: u32 = 24;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the folder of the database {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database error: {}", pg_message(.0))]
    Postgres(tokio_postgres::Error),
    /// The database cannot be reached now (connection refused or lost, server shutting down);
    /// the HTTP layer answers 503 and the pool tries again later.
    #[error("the loop database is unreachable: {0}")]
    Unavailable(String),
    #[error("{0} is not a PostgreSQL URL: {1}")]
    Url(String, String),
    #[error("the database has schema version {found}, newer than this program knows ({known})")]
    TooNew { found: i64, known: usize },
    #[error("a stored value is not valid JSON: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error(
        "the target database already holds loops with the ids {0}: nothing was copied (copy into a database without them)"
    )]
    Conflict(String),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A saved loop as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedLoop {
    pub id: i64,
    pub name: String,
    pub notes: String,
    /// The planning request as given (stops, options).
    pub request: Value,
    /// The plan computed from it (a GeoJSON Feature).
    pub plan: Value,
    pub version: i64,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub created_at: String,
    pub updated_at: String,
}

/// The fields of a loop a client sets.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLoop {
    pub name: String,
    pub notes: String,
    pub request: Value,
    pub plan: Value,
}

/// The outcome of a conditional change.
#[derive(Debug, Clone, PartialEq)]
pub enum Change<T> {
    Done(T),
    NotFound,
    /// The row has moved on to this version.
    Stale(i64),
}

/// A save's `Idempotency-Key` and the fingerprint (SHA-256) of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idempotency {
    pub key: String,
    pub fingerprint: String,
}

/// A key already used: the fingerprint of that save's body and the loop it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedSave {
    pub fingerprint: String,
    /// The loop as the first save answered it (not as it may be now).
    pub first: SavedLoop,
}

/// A row of `idempotency_keys`, as `db copy-loops` moves it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRow {
    pub key: String,
    pub fingerprint: String,
    pub loop_id: i64,
    /// The first answer's loop, JSON.
    pub response: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub created_at: String,
}

/// The outcome of a save.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    Created(SavedLoop),
    /// The key was used before: nothing was written.
    Earlier(KeyedSave),
}

/// Where saved loops live: a SQLite file path or a `postgres://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://` or `postgresql://` is a PostgreSQL URL; anything else a SQLite file.
    pub fn parse(db: &Path) -> Location {
        match db.to_str() {
            Some(s) if is_postgres_url(s) => Location::Postgres(s.to_string()),
            _ => Location::Sqlite(db.to_path_buf()),
        }
    }

    /// For logs: the path, or the URL with its password redacted.
    pub fn redacted(&self) -> String {
        match self {
            Location::Sqlite(p) => p.display().to_string(),
            Location::Postgres(u) => redact_url(u),
        }
    }
}

/// A PostgreSQL error as a sentence: the server's own message (with its SQLSTATE) when it
/// sent one, where the error's `Display` says only "db error".
pub fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The URL with any password replaced by `<redacted>` (in the user-info part and in a
/// `password=` query parameter).
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:<redacted>@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some((k, _)) if k.eq_ignore_ascii_case("password") => {
                        format!("{k}=<redacted>")
                    }
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

pub enum LoopStore {
    Sqlite(Arc<sqlite::SqliteStore>),
    Postgres(postgres::PgStore),
}

impl LoopStore {
    /// Opens (creating if needed) the SQLite database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<LoopStore> {
        Ok(LoopStore::Sqlite(Arc::new(sqlite::SqliteStore::open(
            path,
        )?)))
    }

    /// Connects to a PostgreSQL database and migrates it (under an advisory lock, so several
    /// replicas may start at once).
    pub async fn connect(url: &str) -> Result<LoopStore> {
        Ok(LoopStore::Postgres(postgres::PgStore::connect(url).await?))
    }

    /// Opens whichever `location` names.
    pub async fn at(location: &Location) -> Result<LoopStore> {
        match location {
            Location::Sqlite(p) => LoopStore::open(p),
            Location::Postgres(u) => LoopStore::connect(u).await,
        }
    }

    /// Saves a new loop. With `key`, a key used before (and not yet forgotten) writes nothing
    /// and returns the earlier save; the key is recorded in the same transaction as the loop.
    pub async fn insert(&self, new: NewLoop, key: Option<Idempotency>) -> Result<Saved> {
        match self {
            LoopStore::Sqlite(s) => blocking(s, move |s| s.insert(&new, key.as_ref())).await,
            LoopStore::Postgres(p) => p.insert(&new, key.as_ref()).await,
        }
    }

    /// The earlier save under `key`, if it is remembered.
    pub async fn keyed(&self, key: &str) -> Result<Option<KeyedSave>> {
        let key = key.to_string();
        match self {
            LoopStore::Sqlite(s) => blocking(s, move |s| s.keyed(&key)).await,
            LoopStore::Postgres(p) => p.keyed(&key).await,
        }
    }

    pub async fn get(&self, id: i64) -> Result<Option<SavedLoop>> {
        match self {
            LoopStore::Sqlite(s) => blocking(s, move |s| s.get(id)).await,
            LoopStore::Postgres(p) => p.get(id).await,
        }
    }

    /// Every saved loop, newest change first.
    pub async fn list(&self) -> Result<Vec<SavedLoop>> {
        match self {
            LoopStore::Sqlite(s) => blocking(s, |s| s.list()).await,
            LoopStore::Postgres(p) => p.list().await,
        }
    }

    /// How many loops are saved.
    pub async fn count(&self) -> Result<u64> {
        match self {
            LoopStore::Sqlite(s) => blocking(s, |s| s.count()).await,
            LoopStore::Postgres(p) => p.count().await,
        }
    }

    /// Replaces a loop if it is still at `expected_version`.
    pub async fn update(
        &self,
        id: i64,
        expected_version: i64,
        new: NewLoop,
    ) -> Result<Change<SavedLoop>> {
        match self {
            LoopStore::Sqlite(s) => {
                blocking(s, move |s| s.update(id, expected_version, &new)).await
            }
            LoopStore::Postgres(p) => p.update(id, expected_version, &new).await,
        }
    }

    /// Deletes a loop if it is still at `expected_version`.
    pub async fn delete(&self, id: i64, expected_version: i64) -> Result<Change<()>> {
        match self {
            LoopStore::Sqlite(s) => blocking(s, move |s| s.delete(id, expected_version)).await,
            LoopStore::Postgres(p) => p.delete(id, expected_version).await,
        }
    }
}

/// What `yuqian db copy-loops` moved.
#[derive(Debug, Clone, PartialEq)]
pub struct Copied {
    pub loops: u64,
    pub keys: u64,
    /// The smallest and largest id copied.
    pub ids: Option<(i64, i64)>,
}

/// Copies every saved loop of the SQLite file `from` (ids, versions, names, notes, requests,
/// plans, times) and its idempotency keys into the PostgreSQL database `into`, in one
/// transaction; refuses, copying nothing, if `into` holds a loop with any of those ids. The id
/// sequence is moved past the largest id, so new saves never collide with copied loops.
pub async fn copy_loops(from: &Path, into: &str) -> Result<Copied> {
    if !from.is_file() {
        return Err(StoreError::Internal(format!(
            "{} is not a file: nothing to copy",
            from.display()
        )));
    }
    if !is_postgres_url(into) {
        return Err(StoreError::Url(
            into.to_string(),
            "it must start with postgres:// or postgresql://".into(),
        ));
    }
    let source = Arc::new(sqlite::SqliteStore::open(from)?);
    let (loops, keys) = blocking(&source, |s| Ok((s.list()?, s.keys()?))).await?;
    let target = postgres::PgStore::connect(into).await?;
    let keys = target.copy_in(&loops, &keys).await?;
    let ids = loops.iter().map(|l| l.id);
    Ok(Copied {
        loops: loops.len() as u64,
        keys,
        ids: ids.clone().min().zip(ids.max()),
    })
}

/// Runs a SQLite call on tokio's blocking pool (its lock is a std `Mutex`, never held across
/// an `.await`).
async fn blocking<T: Send + 'static>(
    store: &Arc<sqlite::SqliteStore>,
    f: impl FnOnce(&sqlite::SqliteStore) -> Result<T> + Send + 'static,
) -> Result<T> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| StoreError::Internal(format!("a database task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_a_log_line() {
        assert_eq!(
            redact_url("postgres://yuqian:s3cret@db.example:5432/maps?sslmode=disable"),
            "postgres://yuqian:<redacted>@db.example:5432/maps?sslmode=disable"
        );
        assert_eq!(
            redact_url("postgresql://u@h/db?password=s3cret&application_name=x"),
            "postgresql://u@h/db?password=<redacted>&application_name=x"
        );
        assert_eq!(redact_url("postgres://h"), "postgres://h");
        assert_eq!(
            Location::parse(Path::new("var/yuqian.sqlite")),
            Location::Sqlite("var/yuqian.sqlite".into())
        );
        assert!(matches!(
            Location::parse(Path::new("postgres://u:p@h/d")),
            Location::Postgres(_)
        ));
    }
}
