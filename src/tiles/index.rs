//! [`TileIndex`]: every feature projected to unit mercator once per snapshot, with an R-tree
//! of mercator envelopes per layer and a numeric MVT id per feature.
//!
//! Why its own trees rather than the data set's lon/lat tree queried with the tile's lon/lat
//! box: the lon/lat tree holds every layer, so a tile of one layer would walk the envelopes of
//! all the others (a 1M-feature road layer would slow down the stations' tiles); one tree per
//! layer makes a tile's cost depend on what is in it.
//!
//! Memory budget: the projected coordinates cost what the source coordinates cost (16 bytes a
//! position), plus per feature 72 bytes of vectors, 8 of MVT id and about 48 of R-tree entry
//! and nodes: for 1M line features of 20 positions about 450 MB next to the source's 320 MB.
//! Measured on the shipped data (437 features of 22 layers, release build): the whole server
//! resident at 18 MB; an uncached tile of every layer 0.5–4.5 ms (z0–z14), a cached one 0.4 ms
//! over HTTP on loopback.

use super::mercator::{UnitXY, lonlat_to_unit};
use crate::index::{Boxed, Dataset};
use crate::layers::LayerSpec;
use crate::style::{Draw, MapStyle};
use geo::{Coord, Geometry, LineString, Polygon};
use rstar::RTree;
use rstar::primitives::{GeomWithData, Rectangle};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// A feature's geometry in unit mercator, by kind (a geometry collection may fill several).
/// Rings are open: the closing position is not repeated; the first ring of a polygon is its
/// exterior.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MercGeometry {
    pub points: Vec<Coord>,
    pub lines: Vec<Vec<Coord>>,
    pub polygons: Vec<Vec<Vec<Coord>>>,
}

/// The type of a tile property, as TileJSON's `vector_layers[].fields` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    String,
    Number,
    Boolean,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::String => "String",
            FieldType::Number => "Number",
            FieldType::Boolean => "Boolean",
        }
    }

    /// The type a free property goes into tiles as; `None` for what stays out of tiles
    /// (texts over [`MAX_TILE_TEXT_CHARS`], arrays, objects, null).
    pub fn of(value: &Value) -> Option<FieldType> {
        match value {
            Value::String(s) if s.chars().count() <= MAX_TILE_TEXT_CHARS => Some(FieldType::String),
            Value::Number(_) => Some(FieldType::Number),
            Value::Bool(_) => Some(FieldType::Boolean),
            _ => None,
        }
    }
}

/// Free texts longer than this stay out of tiles (the popup fetches the feature).
pub const MAX_TILE_TEXT_CHARS: usize = 64;

/// The properties every tile feature carries, before the layer's own.
pub const MODEL_FIELDS: [(&str, FieldType); 6] = [
    ("id", FieldType::String),
    ("name_zh", FieldType::String),
    ("name_en", FieldType::String),
    ("status", FieldType::String),
    ("accuracy", FieldType::String),
    ("provinces", FieldType::String),
];

/// The property a thinned point carries: how many points its pixel cell held.
pub const POINT_COUNT: &str = "point_count";

/// Ids take the first 32 bits of a SHA-256: JavaScript reads them exactly (< 2^53), and as a
/// varint an id takes 5 bytes, not the 8 of 52 bits. Ids are on every feature of every tile and
/// incompressible, so at low zooms over dense data 52-bit ids were two fifths of the gzipped
/// tile. 32 bits give about n²/2³³ collisions (some 120 at a million features), each resolved
/// by salting below, deterministically.
const ID_BITS: u32 = 32;

/// A feature's MVT id: the first 32 bits of SHA-256(id), or of SHA-256(id, 0, salt) for the
/// `salt`-th retry after a collision.
pub fn mvt_id(id: &str, salt: u32) -> u64 {
    let mut h = Sha256::new();
    h.update(id.as_bytes());
    if salt > 0 {
        h.update([0]);
        h.update(salt.to_be_bytes());
    }
    let d = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    u64::from_be_bytes(first) >> (64 - ID_BITS)
}

/// What the tiles of one snapshot are cut from.
#[derive(Debug)]
pub struct TileIndex {
    /// By feature index of the data set.
    geometry: Vec<MercGeometry>,
    /// By feature index: the MVT id.
    ids: Vec<u64>,
    /// By catalogue layer: the layer's features' mercator envelopes.
    trees: Vec<RTree<Boxed<u32>>>,
    /// By catalogue layer: the free properties that go into tiles, with their types.
    fields: Vec<BTreeMap<String, FieldType>>,
    /// By catalogue layer: the zoom from which its tiles carry `id`, `name_zh` and `name_en`.
    names_from: Vec<u8>,
    /// How many ids collided and were given a salted hash instead.
    pub id_collisions: usize,
}

impl TileIndex {
    /// Projects every feature of `ds` and indexes it.
    ///
    /// # Panics
    /// If there are more than `u32::MAX` features (the data set refuses that already).
    pub fn build(ds: &Dataset) -> TileIndex {
        let geometry: Vec<MercGeometry> =
            ds.features.iter().map(|f| project(&f.geometry)).collect();
        let mut per_layer: Vec<Vec<Boxed<u32>>> = vec![Vec::new(); ds.catalogue.layers.len()];
        let mut fields = vec![BTreeMap::new(); ds.catalogue.layers.len()];
        for (i, (f, g)) in ds.features.iter().zip(&geometry).enumerate() {
            let layer = usize::from(f.layer);
            if let Some((min, max)) = envelope(g) {
                let i = u32::try_from(i).expect("fewer than 2^32 features");
                per_layer[layer].push(GeomWithData::new(Rectangle::from_corners(min, max), i));
            }
            for (k, v) in f.extra() {
                if let Some(t) = FieldType::of(v)
                    && !is_reserved(k)
                {
                    // A field of mixed types is declared as the first type seen.
                    fields[layer].entry(k.clone()).or_insert(t);
                }
            }
        }
        let (ids, id_collisions) = assign_ids(ds);
        TileIndex {
            geometry,
            ids,
            trees: per_layer.into_iter().map(RTree::bulk_load).collect(),
            fields,
            names_from: ds
                .catalogue
                .layers
                .iter()
                .map(|l| names_from_zoom(MapStyle::shipped(), l))
                .collect(),
            id_collisions,
        }
    }

    /// The zoom from which layer `layer`'s tiles carry the feature ids and names.
    pub fn names_from(&self, layer: usize) -> u8 {
        self.names_from.get(layer).copied().unwrap_or(0)
    }

    pub fn geometry(&self, feature: u32) -> &MercGeometry {
        &self.geometry[feature as usize]
    }

    /// The MVT id of a feature (by its index in the data set).
    pub fn id(&self, feature: u32) -> u64 {
        self.ids[feature as usize]
    }

    /// The feature whose MVT id is `id`: a scan of the ids (a millisecond at a million
    /// features, for a click; a reverse map would cost 16 MB there).
    pub fn feature_of_id(&self, id: u64) -> Option<u32> {
        self.ids
            .iter()
            .position(|&x| x == id)
            .and_then(|i| u32::try_from(i).ok())
    }

    /// The features of `layer` whose mercator envelope meets the box, with their envelopes.
    pub fn candidates(
        &self,
        layer: usize,
        min: UnitXY,
        max: UnitXY,
    ) -> impl Iterator<Item = (u32, UnitXY, UnitXY)> + '_ {
        let aabb = rstar::AABB::from_corners(min, max);
        self.trees
            .get(layer)
            .into_iter()
            .flat_map(move |t| t.locate_in_envelope_intersecting(&aabb))
            .map(|e| (e.data, e.geom().lower(), e.geom().upper()))
    }

    /// Whether any feature of `layers` has an envelope meeting the box.
    pub fn any_candidate(&self, layers: &[usize], min: UnitXY, max: UnitXY) -> bool {
        layers
            .iter()
            .any(|l| self.candidates(*l, min, max).next().is_some())
    }

    /// The layer's own properties that go into tiles, by name.
    pub fn fields(&self, layer: usize) -> Option<&BTreeMap<String, FieldType>> {
        self.fields.get(layer)
    }
}

/// The zoom from which a layer's tiles carry the feature's `id`, `name_zh` and `name_en`: the
/// tile zoom MapLibre draws where the shared style ([`crate::style`]) first labels the layer (it
/// draws tile zoom ⌊z⌋ at map zoom z). Below it they would be bytes nobody sees: a popup finds
/// the feature by its MVT id (`/api/features/mvt/{id}`), and at low zooms over dense data these
/// unique strings are a third of a tile. Boundary layers (labelled from `/api/annotations`),
/// towns (labelled from the first zoom) and layers coloured by feature keep them at every zoom.
pub fn names_from_zoom(style: &MapStyle, layer: &LayerSpec) -> u8 {
    let s = style.layer(&layer.id);
    if layer.boundary.is_some() || s.draw != Draw::Thematic || s.colour_by_route {
        return 0;
    }
    let zooms = [s.label.minzoom, s.label.line_minzoom];
    let first = zooms.into_iter().flatten().fold(f64::INFINITY, f64::min);
    if first.is_finite() {
        first.floor().clamp(0.0, f64::from(super::FULL_DETAIL_ZOOM)) as u8
    } else {
        0
    }
}

/// Names a free property may not take in a tile, because the model's fields have them.
pub fn is_reserved(key: &str) -> bool {
    key == POINT_COUNT || MODEL_FIELDS.iter().any(|(k, _)| *k == key)
}

/// MVT ids for every feature, and how many collided. Features are taken in the order of their
/// string ids, so a collision is resolved the same way on every load of the same data: the
/// feature whose string id sorts later takes the next salt until its id is free.
fn assign_ids(ds: &Dataset) -> (Vec<u64>, usize) {
    let mut order: Vec<usize> = (0..ds.features.len()).collect();
    order.sort_unstable_by(|a, b| ds.features[*a].id().cmp(ds.features[*b].id()));
    let mut ids = vec![0u64; ds.features.len()];
    let mut taken: HashMap<u64, usize> = HashMap::with_capacity(ds.features.len());
    let mut collisions = 0;
    for i in order {
        let sid = ds.features[i].id();
        let mut salt = 0;
        let mut id = mvt_id(sid, salt);
        while let Some(&other) = taken.get(&id) {
            collisions += 1;
            tracing::debug!(
                feature = sid,
                other = ds.features[other].id(),
                mvt_id = id,
                "MVT id collision: this feature takes a salted hash"
            );
            salt += 1;
            id = mvt_id(sid, salt);
        }
        taken.insert(id, i);
        ids[i] = id;
    }
    (ids, collisions)
}

fn unit(c: Coord) -> Coord {
    let [x, y] = lonlat_to_unit(c);
    Coord { x, y }
}

fn open_ring(ls: &LineString) -> Vec<Coord> {
    let mut r: Vec<Coord> = ls.0.iter().map(|c| unit(*c)).collect();
    if r.len() > 1 && r.first() == r.last() {
        r.pop();
    }
    r
}

fn polygon(p: &Polygon) -> Vec<Vec<Coord>> {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(open_ring)
        .collect()
}

fn project_into(g: &Geometry, out: &mut MercGeometry) {
    match g {
        Geometry::Point(p) => out.points.push(unit(p.0)),
        Geometry::MultiPoint(mp) => out.points.extend(mp.iter().map(|p| unit(p.0))),
        Geometry::Line(l) => out.lines.push(vec![unit(l.start), unit(l.end)]),
        Geometry::LineString(ls) => out.lines.push(ls.0.iter().map(|c| unit(*c)).collect()),
        Geometry::MultiLineString(ml) => out
            .lines
            .extend(ml.iter().map(|ls| ls.0.iter().map(|c| unit(*c)).collect())),
        Geometry::Polygon(p) => out.polygons.push(polygon(p)),
        Geometry::MultiPolygon(mp) => out.polygons.extend(mp.iter().map(polygon)),
        Geometry::Rect(r) => out.polygons.push(polygon(&r.to_polygon())),
        Geometry::Triangle(t) => out.polygons.push(polygon(&t.to_polygon())),
        Geometry::GeometryCollection(gc) => gc.iter().for_each(|g| project_into(g, out)),
    }
}

/// A WGS84 lon/lat geometry in unit mercator.
pub fn project(g: &Geometry) -> MercGeometry {
    let mut out = MercGeometry::default();
    project_into(g, &mut out);
    out
}

fn envelope(g: &MercGeometry) -> Option<(UnitXY, UnitXY)> {
    let all = g
        .points
        .iter()
        .chain(g.lines.iter().flatten())
        .chain(g.polygons.iter().flatten().flatten());
    let mut env: Option<(UnitXY, UnitXY)> = None;
    for c in all {
        env = Some(match env {
            None => ([c.x, c.y], [c.x, c.y]),
            Some((lo, hi)) => (
                [lo[0].min(c.x), lo[1].min(c.y)],
                [hi[0].max(c.x), hi[1].max(c.y)],
            ),
        });
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mvt_ids_fit_in_53_bits_and_depend_only_on_the_string_id() {
        let a = mvt_id("rail-chuanqian", 0);
        assert!(a < 1 << 53);
        assert_eq!(a, mvt_id("rail-chuanqian", 0));
        assert_ne!(a, mvt_id("rail-chuanqian", 1));
        assert_ne!(a, mvt_id("rail-chuanqiam", 0));
    }
}
