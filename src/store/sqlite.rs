//! Saved loops in SQLite (embedded, bundled with rusqlite).
//!
//! - WAL journal, `synchronous = NORMAL`: a commit is in the WAL file before `insert` returns,
//!   so a process killed at any moment (even `kill -9`) loses no acknowledged loop; only a
//!   power cut could lose the last commits.
//! - The schema has a version (`PRAGMA user_version`) and numbered migrations, applied in a
//!   transaction at open.
//! - Every row has a `version`, raised on each change: the HTTP layer's ETag, so concurrent
//!   edits are refused (412) rather than lost.
//! - One connection behind a std `Mutex`: SQLite serialises writers anyway, the critical
//!   sections are short and never held across an `.await` (callers use `spawn_blocking`).

use super::{
    Change, IDEMPOTENCY_RETENTION_H, Idempotency, KeyRow, KeyedSave, NewLoop, Result, Saved,
    SavedLoop, StoreError,
};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;
use std::sync::Mutex;

/// Migrations in order; `user_version` = how many have run.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE loops (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        name       TEXT NOT NULL,
        notes      TEXT NOT NULL,
        request    TEXT NOT NULL,
        plan       TEXT NOT NULL,
        version    INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );",
    // The first answer of each keyed save (the loop as created, JSON), so a retry gets it back.
    "CREATE TABLE idempotency_keys (
        key         TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        loop_id     INTEGER NOT NULL,
        response    TEXT NOT NULL,
        created_at  TEXT NOT NULL
    );
    CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);",
];

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                path: path.display().to_string(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > MIGRATIONS.len() as i64 {
            return Err(StoreError::TooNew {
                found,
                known: MIGRATIONS.len(),
            });
        }
        let tx = conn.transaction()?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
        }
        tx.commit()?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (it has its own
        // transactions), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Saves a new loop; with `key`, in the same transaction as the key (see
    /// [`super::LoopStore::insert`]).
    pub fn insert(&self, new: &NewLoop, key: Option<&Idempotency>) -> Result<Saved> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if let Some(k) = key {
            tx.execute(
                &format!(
                    "DELETE FROM idempotency_keys WHERE created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-{IDEMPOTENCY_RETENTION_H} hours')"
                ),
                [],
            )?;
            if let Some(earlier) = keyed_in(&tx, &k.key)? {
                return Ok(Saved::Earlier(earlier));
            }
        }
        let saved = tx
            .query_row(
                &format!(
                    "INSERT INTO loops (name, notes, request, plan, version, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, 1, {NOW}, {NOW}) RETURNING {COLUMNS}"
                ),
                params![
                    new.name,
                    new.notes,
                    new.request.to_string(),
                    new.plan.to_string()
                ],
                raw_row,
            )?
            .decode()?;
        if let Some(k) = key {
            tx.execute(
                &format!(
                    "INSERT INTO idempotency_keys (key, fingerprint, loop_id, response, created_at)
                     VALUES (?1, ?2, ?3, ?4, {NOW})"
                ),
                params![
                    k.key,
                    k.fingerprint,
                    saved.id,
                    serde_json::to_string(&saved)?
                ],
            )?;
        }
        tx.commit()?;
        Ok(Saved::Created(saved))
    }

    /// The earlier save under `key`, if remembered.
    pub fn keyed(&self, key: &str) -> Result<Option<KeyedSave>> {
        keyed_in(&self.conn(), key)
    }

    pub fn get(&self, id: i64) -> Result<Option<SavedLoop>> {
        let conn = self.conn();
        let row = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM loops WHERE id = ?1"),
                [id],
                raw_row,
            )
            .optional()?;
        row.map(RawRow::decode).transpose()
    }

    /// Every saved loop, newest change first.
    pub fn list(&self) -> Result<Vec<SavedLoop>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM loops ORDER BY updated_at DESC, id DESC"
        ))?;
        let rows = stmt
            .query_map([], raw_row)?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        rows.into_iter().map(RawRow::decode).collect()
    }

    /// Every idempotency key remembered (for `db copy-loops`).
    pub fn keys(&self) -> Result<Vec<KeyRow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT key, fingerprint, loop_id, response, created_at FROM idempotency_keys ORDER BY key",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(KeyRow {
                    key: r.get(0)?,
                    fingerprint: r.get(1)?,
                    loop_id: r.get(2)?,
                    response: r.get(3)?,
                    created_at: r.get(4)?,
                })
            })?
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// How many loops are saved.
    pub fn count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM loops", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Replaces a loop if it is still at `expected_version`.
    pub fn update(
        &self,
        id: i64,
        expected_version: i64,
        new: &NewLoop,
    ) -> Result<Change<SavedLoop>> {
        self.if_version(id, expected_version, |tx| {
            let row = tx.query_row(
                &format!(
                    "UPDATE loops SET name = ?2, notes = ?3, request = ?4, plan = ?5, version = version + 1,
                     updated_at = {NOW} WHERE id = ?1 RETURNING {COLUMNS}"
                ),
                params![
                    id,
                    new.name,
                    new.notes,
                    new.request.to_string(),
                    new.plan.to_string()
                ],
                raw_row,
            )?;
            row.decode()
        })
    }

    /// Deletes a loop if it is still at `expected_version`.
    pub fn delete(&self, id: i64, expected_version: i64) -> Result<Change<()>> {
        self.if_version(id, expected_version, |tx| {
            tx.execute("DELETE FROM loops WHERE id = ?1", [id])?;
            Ok(())
        })
    }

    /// Runs `change` in a transaction if loop `id` is at `expected_version`.
    fn if_version<T>(
        &self,
        id: i64,
        expected_version: i64,
        change: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<Change<T>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let current: Option<i64> = tx
            .query_row("SELECT version FROM loops WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let outcome = match current {
            None => Change::NotFound,
            Some(v) if v != expected_version => Change::Stale(v),
            Some(_) => Change::Done(change(&tx)?),
        };
        tx.commit()?;
        Ok(outcome)
    }
}

fn keyed_in(conn: &Connection, key: &str) -> Result<Option<KeyedSave>> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT fingerprint, response FROM idempotency_keys WHERE key = ?1",
            [key],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(fingerprint, response)| {
        Ok(KeyedSave {
            fingerprint,
            first: serde_json::from_str(&response)?,
        })
    })
    .transpose()
}

const COLUMNS: &str = "id, name, notes, request, plan, version, created_at, updated_at";

struct RawRow {
    id: i64,
    name: String,
    notes: String,
    request: String,
    plan: String,
    version: i64,
    created_at: String,
    updated_at: String,
}

fn raw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    Ok(RawRow {
        id: r.get(0)?,
        name: r.get(1)?,
        notes: r.get(2)?,
        request: r.get(3)?,
        plan: r.get(4)?,
        version: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

impl RawRow {
    fn decode(self) -> Result<SavedLoop> {
        Ok(SavedLoop {
            id: self.id,
            name: self.name,
            notes: self.notes,
            request: serde_json::from_str(&self.request)?,
            plan: serde_json::from_str(&self.plan)?,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn new(name: &str, notes: &str) -> NewLoop {
        NewLoop {
            name: name.into(),
            notes: notes.into(),
            request: json!({"stops": []}),
            plan: json!({}),
        }
    }

    fn created(s: Saved) -> SavedLoop {
        match s {
            Saved::Created(l) => l,
            Saved::Earlier(_) => panic!("a save without a key is never an earlier one"),
        }
    }

    #[test]
    fn a_reused_key_returns_the_first_save_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("loops.sqlite")).unwrap();
        let key = Idempotency {
            key: "k-1".into(),
            fingerprint: "f".into(),
        };
        let first = created(store.insert(&new("a", ""), Some(&key)).unwrap());
        let Saved::Earlier(again) = store.insert(&new("b", ""), Some(&key)).unwrap() else {
            panic!("the key was used")
        };
        assert_eq!(again.first, first);
        assert_eq!(again.fingerprint, "f");
        assert_eq!(store.count().unwrap(), 1);
        assert_eq!(store.keyed("k-1").unwrap().unwrap().first, first);
        assert_eq!(store.keyed("k-2").unwrap(), None);
    }

    #[test]
    fn a_stale_version_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("db/loops.sqlite")).unwrap();
        let saved = created(
            store
                .insert(&new("红色环线", "<b>notes</b>"), None)
                .unwrap(),
        );
        assert_eq!(saved.version, 1);
        let Change::Done(updated) = store.update(saved.id, 1, &new("改名", "")).unwrap() else {
            panic!()
        };
        assert_eq!(updated.version, 2);
        assert_eq!(
            store.update(saved.id, 1, &new("x", "")).unwrap(),
            Change::Stale(2)
        );
        assert_eq!(store.delete(saved.id, 1).unwrap(), Change::Stale(2));
        assert_eq!(store.get(saved.id).unwrap().unwrap().name, "改名");
        assert_eq!(store.delete(saved.id, 2).unwrap(), Change::Done(()));
        assert_eq!(store.delete(saved.id, 2).unwrap(), Change::NotFound);
    }

    #[test]
    fn reopening_keeps_loops_and_the_schema_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loops.sqlite");
        let id = created(
            SqliteStore::open(&path)
                .unwrap()
                .insert(&new("a", "b"), None)
                .unwrap(),
        )
        .id;
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.get(id).unwrap().unwrap().notes, "b");
        let v: i64 = store
            .conn()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
    }
}
