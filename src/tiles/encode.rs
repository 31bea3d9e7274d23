//! Step 6 of the pipeline: MVT 2.1 encoding with the `mvt` crate, one tile layer per requested
//! layer, with the features' ids and properties.

use super::EXTENT;
use super::index::{FieldType, POINT_COUNT, TileIndex};
use super::render::{TileFeature, TileGeom};
use super::simplify::GridXY;
use crate::index::Dataset;
use mvt::{GeomEncoder, GeomType, Tile};
use serde_json::Value;

/// A layer could not be encoded: a fault of ours, never of the request.
#[derive(Debug, thiserror::Error)]
#[error("cannot encode the tile: {0}")]
pub struct EncodeError(#[from] mvt::Error);

/// Encodes the tile layers `(name, catalogue layer, features)` of a tile at zoom `z`; layers
/// without features are left out. `None` when no layer has any.
pub fn encode(
    ds: &Dataset,
    index: &TileIndex,
    z: u8,
    layers: &[(&str, usize, Vec<TileFeature>)],
) -> Result<Option<Vec<u8>>, EncodeError> {
    let mut tile = Tile::new(EXTENT as u32);
    for (name, layer_index, features) in layers {
        if features.is_empty() {
            continue;
        }
        let mut layer = tile.create_layer(name);
        for tf in features {
            let mut f = layer.into_feature(geometry(&tf.geom)?);
            f.set_id(tf.id);
            let names = z >= index.names_from(*layer_index);
            properties(&mut f, ds, index, *layer_index, tf, names);
            layer = f.into_layer();
        }
        tile.add_layer(layer)?;
    }
    if tile.num_layers() == 0 {
        return Ok(None);
    }
    Ok(Some(tile.to_bytes()?))
}

fn geometry(g: &TileGeom) -> Result<mvt::GeomData, mvt::Error> {
    let add = |enc: &mut GeomEncoder<i32>, ring: &[GridXY]| -> Result<(), mvt::Error> {
        for (x, y) in ring {
            enc.add_point(*x, *y)?;
        }
        enc.complete_geom()
    };
    match g {
        TileGeom::Points(points) => {
            let mut enc = GeomEncoder::new(GeomType::Point);
            for (x, y) in points {
                enc.add_point(*x, *y)?;
            }
            enc.encode()
        }
        TileGeom::Lines(lines) => {
            let mut enc = GeomEncoder::new(GeomType::Linestring);
            for line in lines {
                add(&mut enc, line)?;
            }
            enc.encode()
        }
        TileGeom::Polygons(rings) => {
            let mut enc = GeomEncoder::new(GeomType::Polygon);
            let mut last: Option<GridXY> = None;
            for ring in rings {
                // The encoder leaves out the MoveTo of a ring that starts where the last one
                // ended, which decoders read as a ring missing its first position: start such a
                // ring one position later (same ring, same winding).
                let mut ring = ring.clone();
                for _ in 0..ring.len() {
                    if ring.first() != last.as_ref() {
                        break;
                    }
                    ring.rotate_left(1);
                }
                add(&mut enc, &ring)?;
                last = ring.last().copied();
            }
            enc.encode()
        }
    }
}

fn properties(
    f: &mut mvt::Feature,
    ds: &Dataset,
    index: &TileIndex,
    layer: usize,
    tf: &TileFeature,
    names: bool,
) {
    let feature = ds.feature(tf.feature);
    if names {
        f.add_tag_string("id", feature.id());
        f.add_tag_string("name_zh", feature.name_zh());
        f.add_tag_string("name_en", feature.name_en());
    }
    f.add_tag_string("status", feature.status.as_str());
    f.add_tag_string("accuracy", feature.accuracy.as_str());
    let provinces: Vec<&str> = feature.provinces.iter().map(|p| p.as_str()).collect();
    f.add_tag_string("provinces", &provinces.join(","));
    if let Some(n) = tf.point_count {
        f.add_tag_uint(POINT_COUNT, u64::from(n));
    }
    let Some(fields) = index.fields(layer) else {
        return;
    };
    for (k, v) in feature.extra() {
        if !fields.contains_key(k) || FieldType::of(v).is_none() {
            continue;
        }
        match v {
            Value::String(s) => f.add_tag_string(k, s),
            Value::Bool(b) => f.add_tag_bool(k, *b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    f.add_tag_sint(k, i);
                } else if let Some(u) = n.as_u64() {
                    f.add_tag_uint(k, u);
                } else if let Some(d) = n.as_f64() {
                    f.add_tag_double(k, d);
                }
            }
            _ => {}
        }
    }
}
