//! What the web map needs to draw besides its tiles: `GET /api/style`, the style description
//! ([`crate::style`]) with each catalogue layer's resolved style, and `GET /api/annotations`, the border line, boundary label points and
//! route stops of the snapshot ([`crate::annotations`]), small enough for one request.

use super::error::{ApiError, ApiResult};
use super::output::lon_lat;
use super::params::Params;
use super::state::Snap;
use crate::style::MapStyle;
use axum::Json;
use axum::extract::RawQuery;
use serde_json::{Value, json};

/// The description, plus `resolved_layers`: the style of every catalogue layer with the defaults
/// filled in by [`MapStyle::layer`], so the page applies the server's rule instead of a copy.
pub async fn style(Snap(snap): Snap, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let style = MapStyle::shipped();
    let mut doc = serde_json::to_value(style).map_err(ApiError::internal)?;
    let resolved: serde_json::Map<String, Value> = snap
        .dataset
        .catalogue
        .layers
        .iter()
        .map(|l| Ok((l.id.clone(), serde_json::to_value(style.layer(&l.id))?)))
        .collect::<Result<_, serde_json::Error>>()
        .map_err(ApiError::internal)?;
    doc["resolved_layers"] = Value::Object(resolved);
    Ok(Json(doc))
}

fn point(properties: Value, at: geo::Coord) -> Value {
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": lon_lat(at)},
        "properties": properties,
    })
}

pub async fn annotations(Snap(snap): Snap, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let ds = &snap.dataset;
    let a = &snap.annotations;
    let border = a.border.as_ref().map(|b| {
        json!({
            "type": "Feature",
            "geometry": geojson::Geometry::from(b),
            "properties": {"kind": "chongqing_guizhou_border"},
        })
    });
    let labels: Vec<Value> = a
        .labels
        .iter()
        .map(|l| {
            let f = ds.feature(l.feature);
            let props = json!({
                "id": f.id(),
                "layer": ds.layer_of(f).id,
                "name_zh": f.name_zh(),
                "name_en": f.name_en(),
                "province": f.provinces.iter().next().map(|p| p.as_str()),
            });
            point(props, l.at)
        })
        .collect();
    let stops: Vec<Value> = a
        .route_stops
        .iter()
        .map(|s| {
            let stop = ds.feature(s.stop);
            let props = json!({
                "route": ds.feature(s.route).id(),
                "stop": stop.id(),
                "layer": ds.layer_of(stop).id,
                "number": s.number,
                "name_zh": stop.name_zh(),
                "name_en": stop.name_en(),
            });
            point(props, s.at)
        })
        .collect();
    let routes: Vec<&str> = a.routes.iter().map(|r| ds.feature(*r).id()).collect();
    Ok(Json(json!({
        "border": border,
        "labels": {"type": "FeatureCollection", "features": labels},
        "routes": routes,
        "route_stops": {"type": "FeatureCollection", "features": stops},
    })))
}
