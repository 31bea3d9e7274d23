//! Mapbox Vector Tiles (MVT 2.1) cut on request from the in-memory data.
//!
//! Once per snapshot ([`Tiles::build`], from `Snapshot::build`): every feature is projected to
//! Web Mercator ([`mercator`]), its mercator envelope indexed in an R-tree of its layer, and
//! given a numeric MVT id ([`index`]). Then, per tile and layer ([`render`], [`encode`]):
//!
//! 1. **Select**: the layer's features whose envelope meets the tile grown by [`BUFFER_UNITS`] of
//!    [`EXTENT`] units on each side.
//! 2. **Drop** (below [`FULL_DETAIL_ZOOM`]): lines and polygons whose box lies on pixels
//!    ([`PIXEL_UNITS`]) already drawn by the layer's features kept before them, in MVT id order
//!    (see step 5).
//! 3. **Clip** lines and rings to the buffered box, in tile coordinates ([`clip`]).
//! 4. **Simplify** with Douglas–Peucker and a tolerance of [`SIMPLIFY_TOLERANCE_UNITS`], the
//!    same share of the screen at every zoom ([`simplify`]).
//! 5. **Thin** (below [`FULL_DETAIL_ZOOM`]): of the single points in one pixel cell, keep the one
//!    with the smallest MVT id, with a `point_count` property saying how many there were.
//!    Likewise, of the lines and polygons of a layer, in MVT id order, one that would draw no
//!    256-px pixel not drawn by those kept before it is left out ([`coverage`]).
//! 6. **Snap** to the integer grid; drop rings left without an area (and a polygon whose
//!    exterior went); turn exterior rings to a positive area in y-down tile coordinates (clockwise
//!    on screen) and holes to a negative one.
//! 7. **Encode** with the `mvt` crate, one tile layer per requested layer, each feature with its
//!    MVT id and its properties: `id`, `name_zh`, `name_en` (from the zoom the shared style
//!    labels the layer, [`index::names_from_zoom`]; below it the MVT id finds the feature),
//!    `status`, `accuracy`, `provinces`
//!    (comma-joined) and the layer's own short scalar fields ([`index::FieldType::of`]).
//! 8. **Cache** the bytes, gzip-compressed once, in the snapshot's [`TileCache`]; an empty
//!    tile is cached as such.
//!
//! From [`FULL_DETAIL_ZOOM`] on, every feature that meets a tile is in it. Each step checks the
//! request's [`Deadline`].

pub mod cache;
pub mod clip;
pub mod coord;
pub mod coverage;
pub mod encode;
pub mod export;
pub mod index;
pub mod mercator;
pub mod render;
pub mod simplify;
pub mod tilejson;

pub use cache::TileCache;
pub use coord::{CoordError, MAX_ZOOM, TileCoord};
pub use index::TileIndex;

use crate::index::Dataset;
use crate::work::{Deadline, OverBudget};
use bytes::Bytes;

/// Grid units across a tile (the MVT `extent`).
pub const EXTENT: f64 = 4096.0;
/// Grid units beyond each side of the tile that its features still reach, so that lines and
/// polygon outlines drawn with a width do not end visibly at the seams.
pub const BUFFER_UNITS: f64 = 64.0;
/// One screen pixel in grid units when a tile is drawn 512 pixels wide, as MapLibre draws a
/// vector tile at its own zoom (its vector sources only take 512-pixel tiles; between zooms a
/// tile is drawn up to 1,024 pixels wide, so a dropped feature is at most two pixels there).
pub const PIXEL_UNITS: f64 = 8.0;
/// Douglas–Peucker tolerance in grid units (a quarter of a screen pixel).
pub const SIMPLIFY_TOLERANCE_UNITS: f64 = 2.0;
/// The zoom from which nothing is dropped or thinned.
pub const FULL_DETAIL_ZOOM: u8 = 12;
/// The deepest zoom TileJSON advertises; MapLibre overzooms its tiles past it.
pub const TILEJSON_MAX_ZOOM: u8 = 16;
/// Default byte budget of the tile cache of a snapshot: 64 MB.
pub const DEFAULT_CACHE_MB: u64 = 64;

/// Why a tile was not made.
#[derive(Debug, thiserror::Error)]
pub enum TileError {
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
    #[error(transparent)]
    Encode(#[from] encode::EncodeError),
}

/// A layer list of a tile path that does not name layers of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayersError {
    #[error("layers must name at least one layer, comma-separated")]
    Empty,
    #[error("no such layer: {0}")]
    Unknown(String),
}

/// Catalogue positions of the comma-separated layer ids, in order, each once.
pub fn parse_layers(ds: &Dataset, list: &str) -> Result<Vec<usize>, LayersError> {
    let mut out = Vec::new();
    for id in list.split(',') {
        if id.is_empty() {
            return Err(LayersError::Empty);
        }
        let i = ds
            .layer_index(id)
            .ok_or_else(|| LayersError::Unknown(id.to_string()))?;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    Ok(out)
}

/// The tile index and the tile cache of one snapshot.
#[derive(Debug)]
pub struct Tiles {
    pub index: TileIndex,
    pub cache: TileCache,
}

impl Tiles {
    /// Projects and indexes `ds`, with an empty cache of `cache_bytes`.
    pub fn build(ds: &Dataset, cache_bytes: u64) -> Tiles {
        Tiles {
            index: TileIndex::build(ds),
            cache: TileCache::new(cache_bytes),
        }
    }

    /// The tile if it is in the cache: gzip-compressed when `gzip` (the cached bytes as they
    /// are), else unpacked; empty for a tile with no features.
    pub fn cached_as(&self, layers: &[usize], t: TileCoord, gzip: bool) -> Option<Bytes> {
        let gz = self.cache.get(layers, t)?;
        Some(if gzip { gz } else { gunzip(&gz) })
    }

    /// The tile if it is in the cache, uncompressed; empty for a tile with no features.
    pub fn cached(&self, layers: &[usize], t: TileCoord) -> Option<Bytes> {
        self.cached_as(layers, t, false)
    }

    /// The tile from the cache, or cut, encoded, gzip-compressed and cached now (compressed
    /// once, so every answer of a cached tile is its bytes as they are); gzipped when `gzip`,
    /// else unpacked (a tile cut now is given as cut). Empty for a tile with no features.
    pub fn tile_as(
        &self,
        ds: &Dataset,
        layers: &[usize],
        t: TileCoord,
        deadline: &Deadline,
        gzip_wanted: bool,
    ) -> Result<Bytes, TileError> {
        if let Some(b) = self.cached_as(layers, t, gzip_wanted) {
            return Ok(b);
        }
        let Some(raw) = render(ds, &self.index, layers, t, deadline)? else {
            self.cache.insert(layers, t, Bytes::new());
            return Ok(Bytes::new());
        };
        let gz = Bytes::from(gzip(&raw));
        self.cache.insert(layers, t, gz.clone());
        Ok(if gzip_wanted { gz } else { Bytes::from(raw) })
    }

    /// [`Tiles::tile_as`], uncompressed.
    pub fn tile(
        &self,
        ds: &Dataset,
        layers: &[usize],
        t: TileCoord,
        deadline: &Deadline,
    ) -> Result<Bytes, TileError> {
        self.tile_as(ds, layers, t, deadline, false)
    }
}

/// Gzip at level 4, the level the HTTP stack uses for other answers (a z6 tile of 1M
/// features, ~400 kB raw, takes about a millisecond).
pub fn gzip(raw: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(4));
    enc.write_all(raw)
        .and_then(|()| enc.finish())
        .expect("writing to a Vec cannot fail")
}

/// The bytes of a gzip stream made by [`gzip`]; empty stays empty.
pub fn gunzip(gz: &[u8]) -> Bytes {
    use std::io::Read;
    if gz.is_empty() {
        return Bytes::new();
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut out)
        .expect("the cache holds only streams gzip() made");
    Bytes::from(out)
}

/// Cuts and encodes tile `t` of `layers` (catalogue positions), bypassing any cache; `None`
/// when it has no features.
pub fn render(
    ds: &Dataset,
    index: &TileIndex,
    layers: &[usize],
    t: TileCoord,
    deadline: &Deadline,
) -> Result<Option<Vec<u8>>, TileError> {
    let mut out = Vec::with_capacity(layers.len());
    for &l in layers {
        let features = render::layer_features(index, l, t, deadline)?;
        let name = ds.catalogue.layers.get(l).map_or("", |s| s.id.as_str());
        out.push((name, l, features));
    }
    deadline.check()?;
    Ok(encode::encode(ds, index, t.z, &out)?)
}
