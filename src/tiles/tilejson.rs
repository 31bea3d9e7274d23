//! TileJSON 3.0.0 for a list of layers: what MapLibre needs to draw their tiles.

use super::index::{MODEL_FIELDS, POINT_COUNT, TileIndex};
use super::mercator::MAX_LAT_DEG;
use super::{FULL_DETAIL_ZOOM, TILEJSON_MAX_ZOOM};
use crate::index::Dataset;
use serde_json::{Map, Value, json};

/// The TileJSON of `layers` (catalogue positions; `list` as given in the path). `public_url`
/// is the server's own base URL (the `public_url` setting), never a request's `Host`.
pub fn tilejson(
    ds: &Dataset,
    index: &TileIndex,
    layers: &[usize],
    list: &str,
    public_url: &str,
) -> Value {
    let mut doc = metadata(ds, index, layers, list);
    let base = public_url.trim_end_matches('/');
    doc.insert(
        "tiles".into(),
        json!([format!("{base}/tiles/{list}/{{z}}/{{x}}/{{y}}.mvt")]),
    );
    Value::Object(doc)
}

/// Everything of the TileJSON but `tiles`: also the metadata of an exported PMTiles archive.
pub fn metadata(
    ds: &Dataset,
    index: &TileIndex,
    layers: &[usize],
    list: &str,
) -> Map<String, Value> {
    let mut bbox: Option<[f64; 4]> = None;
    let mut attribution: Vec<&str> = Vec::new();
    let mut vector_layers = Vec::new();
    for &l in layers {
        let Some(spec) = ds.catalogue.layers.get(l) else {
            continue;
        };
        if !attribution.contains(&spec.attribution.as_str()) {
            attribution.push(&spec.attribution);
        }
        if let Some(b) = ds.stats.get(l).and_then(|s| s.bbox) {
            bbox = Some(match bbox {
                None => [b.min.x, b.min.y, b.max.x, b.max.y],
                Some(a) => [
                    a[0].min(b.min.x),
                    a[1].min(b.min.y),
                    a[2].max(b.max.x),
                    a[3].max(b.max.y),
                ],
            });
        }
        let mut fields = Map::new();
        for (k, t) in MODEL_FIELDS {
            fields.insert(k.into(), Value::from(t.as_str()));
        }
        if spec.geometry.contains(&crate::layers::GeometryKind::Point) {
            fields.insert(POINT_COUNT.into(), Value::from("Number"));
        }
        for (k, t) in index.fields(l).into_iter().flatten() {
            fields.insert(k.clone(), Value::from(t.as_str()));
        }
        vector_layers.push(json!({
            "id": spec.id,
            "description": format!("{} ({})", spec.title_en, spec.title_zh),
            "fields": fields,
            "minzoom": 0,
            "maxzoom": TILEJSON_MAX_ZOOM,
        }));
    }
    let [w, s, e, n] = bbox.unwrap_or([-180.0, -MAX_LAT_DEG, 180.0, MAX_LAT_DEG]);
    let (s, n) = (s.max(-MAX_LAT_DEG), n.min(MAX_LAT_DEG));
    // The zoom at which the bounds fill about one 256-pixel tile.
    let span = (e - w).max(n - s).max(1e-9);
    let center_zoom = (360.0 / span)
        .log2()
        .floor()
        .clamp(0.0, f64::from(FULL_DETAIL_ZOOM));
    let mut doc = Map::new();
    doc.insert("tilejson".into(), json!("3.0.0"));
    doc.insert("name".into(), json!(list));
    doc.insert("scheme".into(), json!("xyz"));
    doc.insert("minzoom".into(), json!(0));
    doc.insert("maxzoom".into(), json!(TILEJSON_MAX_ZOOM));
    doc.insert("bounds".into(), json!([w, s, e, n]));
    doc.insert(
        "center".into(),
        json!([(w + e) / 2.0, (s + n) / 2.0, center_zoom]),
    );
    doc.insert("attribution".into(), json!(attribution.join("; ")));
    doc.insert("vector_layers".into(), Value::Array(vector_layers));
    doc
}
