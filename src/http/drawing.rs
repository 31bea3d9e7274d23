//! What the web map needs to draw besides its tiles: `GET /api/style`, the style description
//! ([`crate::style`]), and `GET /api/annotations`, the border line, boundary label points and
//! route stops of the snapshot ([`crate::annotations`]), small enough for one request.

use super::error::ApiResult;
use super::output::lon_lat;
use super::params::Params;
use super::state::Snap;
use crate::style::MapStyle;
use axum::Json;
use axum::extract::RawQuery;
use serde_json::{Value, json};

pub async fn style(RawQuery(q): RawQuery) -> ApiResult<Json<&'static MapStyle>> {
    Params::parse(q.as_deref(), &[])?;
    Ok(Json(MapStyle::shipped()))
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
