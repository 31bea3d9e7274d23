//! The data in PostgreSQL/PostGIS: `yuqian load DIR --into URL` writes a data version,
//! `serve --data URL` builds its snapshot from the newest one and follows new ones.
//!
//! 1. `load` validates the folder with exactly `yuqian check`'s rules ([`Dataset::load`]); on
//!    any problem nothing is written.
//! 2. In one transaction it adds a `data_versions` row (the content hash `/health` reports,
//!    the time, the source folder, `layers.toml` as it was), one `data_layers` row per
//!    catalogue layer (its file name) and one `data_features` row per feature: the id, the
//!    geometry both as PostGIS `geometry(Geometry, 4326)` (GiST-indexed, for SQL) and as the
//!    GeoJSON text we wrote, and the properties as `json` text (not `jsonb`, which would
//!    reorder keys). Versions past the newest [`KEEP_VERSIONS`] are deleted, and
//!    `NOTIFY yuqian_data` tells the replicas (delivered at commit).
//! 3. A replica reads the newest version's catalogue and its features as the texts a layer
//!    file holds (`{"type":"Feature","id":…,"geometry":…,"properties":…}`), in catalogue order,
//!    and checks them in parallel batches as they arrive with exactly the rules of a layer file
//!    ([`crate::layers::texts`]), then indexes them as the folder loader does. Its answers are
//!    therefore the folder's, byte for byte, and the content hash of what it read must equal
//!    the one stored, or it refuses the version. Nothing is written to disk.
//! 4. [`listen`] holds one connection that `LISTEN`s; a notification (or a reconnection, which
//!    may have missed some) triggers the ordinary reload. While that connection is lost the
//!    replica keeps serving its snapshot and reports itself degraded.
//!
//! The sync `postgres` client is used: every caller is on a blocking thread.

use crate::index::Dataset;
use crate::layers::texts::{TextLoader, file_properties};
use crate::layers::{Catalogue, LoadError, Problem};
use crate::store::redact_url;
use postgres::{Client, NoTls};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Data versions kept: a `load` deletes the older ones in its transaction.
pub const KEEP_VERSIONS: i64 = 3;

/// The channel of `NOTIFY` / `LISTEN`; the payload is the new version's row id.
pub const CHANNEL: &str = "yuqian_data";

/// Numbered, recorded in `data_migrations`, applied under the advisory lock of the loop store's
/// migrations (so the two never run at once).
const MIGRATIONS: &[&str] = &["CREATE EXTENSION IF NOT EXISTS postgis;
    CREATE TABLE data_versions (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        data_version text NOT NULL,
        loaded_at    timestamptz NOT NULL DEFAULT now(),
        source       text NOT NULL,
        catalogue    text NOT NULL,
        features     bigint NOT NULL
    );
    CREATE TABLE data_layers (
        version_id bigint NOT NULL REFERENCES data_versions (id) ON DELETE CASCADE,
        position   integer NOT NULL,
        layer      text NOT NULL,
        file       text NOT NULL,
        PRIMARY KEY (version_id, position)
    );
    CREATE TABLE data_features (
        version_id bigint NOT NULL REFERENCES data_versions (id) ON DELETE CASCADE,
        position   integer NOT NULL,
        seq        integer NOT NULL,
        id         text NOT NULL,
        geom       geometry(Geometry, 4326) NOT NULL,
        geojson    text NOT NULL,
        properties json NOT NULL,
        PRIMARY KEY (version_id, position, seq)
    );
    CREATE INDEX data_features_geom ON data_features USING gist (geom);"];

const MIGRATION_LOCK: i64 = 0x7975_7169_616e_0001;

/// Features per INSERT statement of a load.
const BATCH: usize = 2000;

/// Feature texts checked per parallel step when a replica reads a version.
const READ_BATCH: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum DataDbError {
    #[error("{0}")]
    Invalid(LoadError),
    #[error("{url}: {}", crate::store::pg_message(source))]
    Db {
        url: String,
        source: postgres::Error,
    },
    #[error("{0}")]
    Other(String),
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub data_version: String,
    /// The row id of the version; `None` when the newest stored version already had this content.
    pub version_id: Option<i64>,
    pub features: usize,
    pub pruned: u64,
}

fn connect(url: &str) -> Result<Client, DataDbError> {
    let mut config: postgres::Config = url
        .parse()
        .map_err(|e: postgres::Error| DataDbError::Other(format!("{}: {e}", redact_url(url))))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(3));
    }
    config.application_name("yuqian-data");
    config.connect(NoTls).map_err(db(url))
}

fn db(url: &str) -> impl Fn(postgres::Error) -> DataDbError + '_ {
    move |source| DataDbError::Db {
        url: redact_url(url),
        source,
    }
}

fn migrate(client: &mut Client, url: &str) -> Result<(), DataDbError> {
    let mut tx = client.transaction().map_err(db(url))?;
    // IF NOT EXISTS would log a notice at every start.
    tx.batch_execute("SET LOCAL client_min_messages = warning")
        .map_err(db(url))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(db(url))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS data_migrations (
            version    integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )",
    )
    .map_err(db(url))?;
    let found: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM data_migrations", &[])
        .map_err(db(url))?
        .get(0);
    if found as usize > MIGRATIONS.len() {
        return Err(DataDbError::Other(format!(
            "the database has data schema version {found}, newer than this program knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tx.batch_execute(sql).map_err(db(url))?;
        let version = i as i32 + 1;
        tx.execute(
            "INSERT INTO data_migrations (version) VALUES ($1)",
            &[&version],
        )
        .map_err(db(url))?;
    }
    tx.commit().map_err(db(url))
}

/// Validates `dir` as `yuqian check` does and writes it to `url` as a new data version (see
/// the module documentation). Blocking.
pub fn load_into(dir: &Path, url: &str) -> Result<Loaded, DataDbError> {
    let ds = Dataset::load(dir).map_err(DataDbError::Invalid)?;
    let catalogue_text = std::fs::read_to_string(dir.join("layers.toml"))
        .map_err(|e| DataDbError::Other(format!("cannot read the catalogue: {e}")))?;
    let source = std::fs::canonicalize(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .display()
        .to_string();
    let mut client = connect(url)?;
    migrate(&mut client, url)?;
    let mut tx = client.transaction().map_err(db(url))?;
    let newest: Option<String> = tx
        .query_opt(
            "SELECT data_version FROM data_versions ORDER BY id DESC LIMIT 1",
            &[],
        )
        .map_err(db(url))?
        .map(|r| r.get(0));
    if newest.as_deref() == Some(ds.data_version.as_str()) {
        return Ok(Loaded {
            data_version: ds.data_version.clone(),
            version_id: None,
            features: ds.features.len(),
            pruned: 0,
        });
    }
    let features = i64::try_from(ds.features.len()).unwrap_or(i64::MAX);
    let version_id: i64 = tx
        .query_one(
            "INSERT INTO data_versions (data_version, source, catalogue, features)
             VALUES ($1, $2, $3, $4) RETURNING id",
            &[&ds.data_version, &source, &catalogue_text, &features],
        )
        .map_err(db(url))?
        .get(0);
    for (position, layer) in ds.catalogue.layers.iter().enumerate() {
        let position = position as i32;
        tx.execute(
            "INSERT INTO data_layers (version_id, position, layer, file) VALUES ($1, $2, $3, $4)",
            &[&version_id, &position, &layer.id, &layer.file],
        )
        .map_err(db(url))?;
    }
    let insert = tx
        .prepare(
            "INSERT INTO data_features (version_id, position, seq, id, geom, geojson, properties)
             SELECT $1, p, s, i, ST_SetSRID(ST_GeomFromGeoJSON(g), 4326), g, pr::json
             FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[]) AS t(p, s, i, g, pr)",
        )
        .map_err(db(url))?;
    let mut seq_in_layer = vec![0i32; ds.catalogue.layers.len()];
    for chunk in ds.features.chunks(BATCH) {
        let (mut p, mut s, mut i, mut g, mut pr) = (
            Vec::with_capacity(chunk.len()),
            Vec::with_capacity(chunk.len()),
            Vec::with_capacity(chunk.len()),
            Vec::with_capacity(chunk.len()),
            Vec::with_capacity(chunk.len()),
        );
        for f in chunk {
            let layer = usize::from(f.layer);
            p.push(layer as i32);
            s.push(seq_in_layer[layer]);
            seq_in_layer[layer] += 1;
            i.push(f.id().to_string());
            g.push(
                serde_json::to_string(&geojson::Geometry::from(&f.geometry))
                    .map_err(|e| DataDbError::Other(e.to_string()))?,
            );
            pr.push(serde_json::Value::Object(file_properties(f)).to_string());
        }
        tx.execute(&insert, &[&version_id, &p, &s, &i, &g, &pr])
            .map_err(db(url))?;
    }
    let pruned = tx
        .execute(
            "DELETE FROM data_versions WHERE id NOT IN
                 (SELECT id FROM data_versions ORDER BY id DESC LIMIT $1)",
            &[&KEEP_VERSIONS],
        )
        .map_err(db(url))?;
    tx.execute(&format!("NOTIFY {CHANNEL}, '{version_id}'"), &[])
        .map_err(db(url))?;
    tx.commit().map_err(db(url))?;
    Ok(Loaded {
        data_version: ds.data_version,
        version_id: Some(version_id),
        features: ds.features.len(),
        pruned,
    })
}

fn problem(reason: String) -> Vec<Problem> {
    vec![Problem {
        file: PathBuf::new(),
        feature: None,
        id: None,
        reason,
    }]
}

/// Loads the newest data version of `url` through the folder loader (see the module
/// documentation). Blocking. Problems name the database, never its password.
pub fn load_newest(url: &str) -> Result<Dataset, Vec<Problem>> {
    let shown = redact_url(url);
    let fail = |e: DataDbError| problem(format!("cannot read the data from {shown}: {e}"));
    let mut client = connect(url).map_err(fail)?;
    // Read only: a replica needs no right to create tables (`load` migrates).
    let exists: bool = client
        .query_one("SELECT to_regclass('data_migrations') IS NOT NULL", &[])
        .map_err(db(url))
        .map_err(fail)?
        .get(0);
    let schema: Option<i32> = if exists {
        client
            .query_one("SELECT max(version) FROM data_migrations", &[])
            .map_err(db(url))
            .map_err(fail)?
            .get(0)
    } else {
        None
    };
    match schema {
        None => {
            return Err(problem(format!(
                "{shown} holds no data version yet: write one with `yuqian load DIR --into URL`"
            )));
        }
        Some(v) if v as usize > MIGRATIONS.len() => {
            return Err(problem(format!(
                "{shown} has data schema version {v}, newer than this program knows ({})",
                MIGRATIONS.len()
            )));
        }
        Some(_) => {}
    }
    // One snapshot of the database for the whole read (a load may commit meanwhile).
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(db(url))
        .map_err(fail)?;
    let Some(version) = tx
        .query_opt(
            "SELECT id, data_version, catalogue FROM data_versions ORDER BY id DESC LIMIT 1",
            &[],
        )
        .map_err(db(url))
        .map_err(fail)?
    else {
        return Err(problem(format!(
            "{shown} holds no data version yet: write one with `yuqian load DIR --into URL`"
        )));
    };
    let (version_id, stored_version, catalogue_text): (i64, String, String) =
        (version.get(0), version.get(1), version.get(2));
    let origin = format!("{shown} data version {version_id}");
    let catalogue = Catalogue::parse(&catalogue_text).map_err(|reasons| {
        reasons
            .into_iter()
            .map(|r| Problem {
                file: PathBuf::from(format!("{origin}, layers.toml")),
                feature: None,
                id: None,
                reason: r,
            })
            .collect::<Vec<_>>()
    })?;
    let layers: Vec<String> = tx
        .query(
            "SELECT layer FROM data_layers WHERE version_id = $1 ORDER BY position",
            &[&version_id],
        )
        .map_err(db(url))
        .map_err(fail)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let listed: Vec<&str> = catalogue.layers.iter().map(|l| l.id.as_str()).collect();
    if layers != listed {
        return Err(problem(format!(
            "{origin}: its layers {layers:?} are not those of its catalogue {listed:?}"
        )));
    }
    // The features as texts, checked in batches as they arrive by exactly the rules of a
    // layer file (layers::texts): no temporary files, memory for one batch of texts.
    let mut loader = TextLoader::new(&catalogue, origin.clone());
    let rows = tx
        .query_raw(
            "SELECT position, id, geojson, properties::text FROM data_features
             WHERE version_id = $1 ORDER BY position, seq",
            [&version_id as &(dyn postgres::types::ToSql + Sync)],
        )
        .map_err(db(url))
        .map_err(fail)?;
    use postgres::fallible_iterator::FallibleIterator;
    let mut rows = rows;
    let mut batch = Vec::with_capacity(READ_BATCH);
    while let Some(row) = rows.next().map_err(db(url)).map_err(fail)? {
        let (position, id, geometry, properties): (i32, &str, &str, &str) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        let Some(layer) = usize::try_from(position).ok().and_then(|p| listed.get(p)) else {
            return Err(problem(format!(
                "{origin}: a feature ({id:?}) of layer position {position}, which the catalogue does not have"
            )));
        };
        let id = serde_json::Value::from(id).to_string();
        batch.push((
            (*layer).to_string(),
            format!(
                r#"{{"type":"Feature","id":{id},"geometry":{geometry},"properties":{properties}}}"#
            ),
        ));
        if batch.len() == READ_BATCH {
            loader.push_batch(std::mem::replace(
                &mut batch,
                Vec::with_capacity(READ_BATCH),
            ));
        }
    }
    loader.push_batch(batch);
    drop(rows);
    drop(tx);
    let features = loader.finish().map_err(|e| e.problems)?;
    let ds = Dataset::new(catalogue, features);
    if ds.data_version != stored_version {
        return Err(problem(format!(
            "data version {version_id} of {shown} read back as {} instead of {stored_version}: refused",
            ds.data_version
        )));
    }
    Ok(ds)
}

/// Follows `url`'s new data versions for `live` on a thread of its own: `LISTEN`s, reloads on
/// each notification and after each reconnection, and marks `live` degraded while the
/// connection is lost (reconnecting with a backoff from 250 ms to 4 s).
pub fn listen(url: String, live: Arc<super::Live>) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("data-listen".into())
        .spawn(move || {
            let mut delay = Duration::from_millis(250);
            let mut first = true;
            while !live.is_shutting_down() {
                let mut client = match connect(&url).and_then(|mut c| {
                    c.batch_execute(&format!("LISTEN {CHANNEL}"))
                        .map_err(db(&url))
                        .map(|()| c)
                }) {
                    Ok(c) => c,
                    Err(e) => {
                        if !live.is_degraded() {
                            tracing::warn!("data database lost: {e}; serving the last snapshot");
                        }
                        live.set_degraded(true);
                        std::thread::sleep(delay);
                        delay = (delay * 2).min(Duration::from_secs(4));
                        continue;
                    }
                };
                delay = Duration::from_millis(250);
                if live.is_degraded() {
                    tracing::info!("data database reachable again");
                }
                live.set_degraded(false);
                // Versions may have been loaded while we were not listening.
                if !first {
                    live.reload("reconnect");
                }
                first = false;
                loop {
                    use postgres::fallible_iterator::FallibleIterator;
                    let next = {
                        let mut notifications = client.notifications();
                        let mut iter = notifications.timeout_iter(Duration::from_secs(1));
                        iter.next().map(|n| n.map(|n| n.payload().to_string()))
                    };
                    match next {
                        Ok(Some(version)) => {
                            tracing::info!(version, "new data version announced");
                            live.reload("notify");
                        }
                        Ok(None) if live.is_shutting_down() => return,
                        Ok(None) if client.is_closed() => break,
                        Ok(None) => {}
                        Err(_) => break,
                    }
                }
                live.set_degraded(true);
                tracing::warn!("data database connection lost; serving the last snapshot");
            }
        })
        .map(|_| ())
}
