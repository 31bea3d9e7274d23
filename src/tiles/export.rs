//! `yuqian tiles export --pmtiles`: the tiles the server would serve, z0 to a max zoom, in one
//! PMTiles v3 archive (the `pmtiles` crate's writer), with the TileJSON as its metadata.
//!
//! Only tiles with features are written. The pyramid is walked from z0 down, into the children
//! of a tile only where a feature's envelope meets the child's buffered box, so the work follows
//! the data and not the area of the world. Tiles are gzip-compressed (the archive says so) and
//! written in tile-id order, so the archive is clustered.

use super::coord::TileCoord;
use super::{BUFFER_UNITS, EXTENT, TileError, TileIndex, render, tilejson};
use crate::index::Dataset;
use crate::work::Deadline;
use pmtiles::{Compression, PmTilesWriter, TileId, TileType};
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write the PMTiles archive: {0}")]
    Pmtiles(#[from] pmtiles::PmtError),
    #[error(transparent)]
    Tile(#[from] TileError),
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportSummary {
    /// Tiles written (each with at least one feature).
    pub tiles: u64,
    /// The deepest zoom written.
    pub max_zoom: u8,
}

/// Writes the tiles of `layers` (catalogue positions; `list` their ids as in a tile path) from
/// z0 to `max_zoom` into a new archive at `out`.
pub fn export_pmtiles(
    ds: &Dataset,
    index: &TileIndex,
    layers: &[usize],
    list: &str,
    max_zoom: u8,
    out: &Path,
) -> Result<ExportSummary, ExportError> {
    let max_zoom = max_zoom.min(super::MAX_ZOOM);
    let meta = tilejson::metadata(ds, index, layers, list);
    let num = |k: &str, i: usize| {
        meta.get(k)
            .and_then(|v| v.get(i))
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
    };
    let file = std::fs::File::create(out).map_err(|source| ExportError::Io {
        path: out.display().to_string(),
        source,
    })?;
    // The archive ends at `max_zoom`: its layers do too, and clients overzoom past it.
    let mut meta_out = meta.clone();
    meta_out.insert("maxzoom".into(), max_zoom.into());
    if let Some(serde_json::Value::Array(layers)) = meta_out.get_mut("vector_layers") {
        for l in layers {
            l["maxzoom"] = max_zoom.into();
        }
    }
    let mut writer = PmTilesWriter::new(TileType::Mvt)
        .tile_compression(Compression::Gzip)
        .internal_compression(Compression::Gzip)
        .min_zoom(0)
        .max_zoom(max_zoom)
        .bounds(
            num("bounds", 0),
            num("bounds", 1),
            num("bounds", 2),
            num("bounds", 3),
        )
        .center(num("center", 0), num("center", 1))
        .center_zoom((num("center", 2) as u8).min(max_zoom))
        .metadata(serde_json::Value::Object(meta_out).to_string())
        .create(std::io::BufWriter::new(file))?;
    let has_data = |t: &TileCoord| {
        let (min, max) = t.unit_box(BUFFER_UNITS / EXTENT);
        index.any_candidate(layers, min, max)
    };
    let root = TileCoord { z: 0, x: 0, y: 0 };
    let mut level: Vec<TileCoord> = Some(root).filter(has_data).into_iter().collect();
    let mut tiles = 0;
    for z in 0..=max_zoom {
        let mut ordered: Vec<(u64, TileCoord)> = level
            .iter()
            .filter_map(|t| {
                let c = pmtiles::TileCoord::new(t.z, t.x, t.y).ok()?;
                Some((TileId::from(c).value(), *t))
            })
            .collect();
        ordered.sort_unstable_by_key(|(id, _)| *id);
        for (_, t) in &ordered {
            if let Some(bytes) = render(ds, index, layers, *t, &Deadline::NONE)? {
                let c = pmtiles::TileCoord::new(t.z, t.x, t.y)?;
                writer.add_tile(c, &bytes)?;
                tiles += 1;
            }
        }
        if z == max_zoom {
            break;
        }
        level = level
            .iter()
            .filter_map(TileCoord::children)
            .flatten()
            .filter(has_data)
            .collect();
    }
    writer.finalize()?;
    Ok(ExportSummary { tiles, max_zoom })
}
