//! GeoJSON output (RFC 7946): features and collections as JSON values.

use crate::index::Dataset;
use serde_json::{Map, Value, json};

/// A feature with its served properties plus `extra` (e.g. `distance_m`).
pub fn feature(ds: &Dataset, index: u32, extra: Map<String, Value>) -> Value {
    let f = ds.feature(index);
    let mut properties = f.properties(&ds.layer_of(f).id);
    properties.extend(extra);
    json!({
        "type": "Feature",
        "id": f.id(),
        "geometry": geojson::Geometry::from(&f.geometry),
        "properties": properties,
    })
}

/// A FeatureCollection with `numberMatched` / `numberReturned` (as in OGC API Features).
pub fn collection(features: Vec<Value>, matched: usize) -> Value {
    json!({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": features.len(),
        "features": features,
    })
}

/// Rounds metres to the millimetre for output.
pub fn metres(m: f64) -> Value {
    json!((m * 1000.0).round() / 1000.0)
}

pub fn lon_lat(c: geo::Coord) -> Value {
    json!([c.x, c.y])
}
