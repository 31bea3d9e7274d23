//! Nearby, corridor, region and border-crossing queries.

use super::AppState;
use super::error::{ApiError, ApiResult};
use super::output::{collection, feature, lon_lat, metres};
use super::params::{Params, enum_values, layer_list, non_boundary_layers};
use crate::layers::load::parse_geometry;
use crate::layers::{GeometryKind, Province, Status};
use crate::query::corridor::{self, QueryLine};
use crate::query::crossings::{self as border, line_parts};
use crate::query::{Filter, nearby as near, region as area};
use crate::work::Deadline;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use geo::{Geometry, LineString};
use serde_json::{Map, Value, json};

pub async fn nearby(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    let p = Params::parse(
        q.as_deref(),
        &[
            "lon", "lat", "k", "radius_m", "layers", "status", "province",
        ],
    )?;
    let ds = &s.dataset;
    let at = p.lon_lat()?;
    let k = p.usize("k", near::MAX_K)?;
    let radius_m = p.f64("radius_m")?;
    if let Some(r) = radius_m
        && !(0.0..=near::MAX_RADIUS_M).contains(&r)
    {
        return Err(ApiError::invalid(
            "radius_m",
            format!(
                "radius_m must be between 0 and {} m, got {r}",
                near::MAX_RADIUS_M
            ),
        ));
    }
    let filter = p.filter_without_boundaries(ds)?;
    let found = near::nearby(ds, at, k, radius_m, &filter, &Deadline::NONE)
        .expect("Deadline::NONE never expires");
    let out = found
        .hits
        .iter()
        .map(|h| {
            let mut extra = Map::new();
            extra.insert("distance_m".into(), metres(h.closest.distance_m));
            extra.insert("nearest".into(), lon_lat(h.closest.nearest));
            feature(ds, h.feature, extra)
        })
        .collect();
    Ok(Json(collection(out, found.matched)))
}

pub async fn corridor_of_feature(
    State(s): State<AppState>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let p = Params::parse(
        q.as_deref(),
        &["feature", "width_m", "layers", "status", "province"],
    )?;
    let ds = &s.dataset;
    let id = p.required("feature")?;
    let index = ds.find(id).ok_or_else(|| {
        ApiError::not_found(Some("feature"), format!("no feature with id {id:?}"))
    })?;
    let f = ds.feature(index);
    let parts: Vec<LineString<f64>> = line_parts(f).into_iter().map(LineString).collect();
    if parts.is_empty() {
        return Err(ApiError::invalid(
            "feature",
            format!("feature {id:?} is not a line; a corridor follows a line"),
        ));
    }
    let width_m = corridor::check_width(
        p.f64("width_m")?
            .ok_or_else(|| ApiError::invalid("width_m", "width_m is required"))?,
    )?;
    let filter = p.filter_without_boundaries(ds)?;
    answer_corridor(&s, &parts, width_m, &filter, Some(index))
}

pub async fn corridor_of_line(
    State(s): State<AppState>,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let ds = &s.dataset;
    let body = body.map_err(|e| ApiError {
        status: e.status(),
        error: if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            "payload_too_large"
        } else {
            "invalid_body"
        },
        parameter: Some("body".into()),
        detail: format!(
            "{} (the limit is {} bytes)",
            e.body_text(),
            super::MAX_BODY_BYTES
        ),
    })?;
    let Value::Object(mut obj) = serde_json::from_slice::<Value>(&body)
        .map_err(|e| ApiError::invalid("body", format!("the body is not valid JSON: {e}")))?
    else {
        return Err(ApiError::invalid(
            "body",
            "the body must be a JSON object {\"line\": ..., \"width_m\": ...}",
        ));
    };
    const FIELDS: [&str; 5] = ["line", "width_m", "layers", "status", "province"];
    if let Some(unknown) = obj.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(ApiError::invalid(
            unknown.clone(),
            format!(
                "unknown field {unknown:?}; the body takes {}",
                FIELDS.join(", ")
            ),
        ));
    }
    let line = obj
        .remove("line")
        .ok_or_else(|| ApiError::invalid("line", "line is required (a GeoJSON LineString)"))?;
    let parts = match parse_geometry(&line).map_err(|e| ApiError::invalid("line", e))? {
        (Geometry::LineString(l), GeometryKind::Line) => vec![l],
        (g, _) => {
            return Err(ApiError::invalid(
                "line",
                format!(
                    "line must be a GeoJSON LineString, got a {}",
                    geometry_name(&g)
                ),
            ));
        }
    };
    let positions: usize = parts.iter().map(|l| l.0.len()).sum();
    if positions > corridor::MAX_LINE_POSITIONS {
        return Err(ApiError::invalid(
            "line",
            format!(
                "line has {positions} positions; the maximum is {}",
                corridor::MAX_LINE_POSITIONS
            ),
        ));
    }
    let width_m = match obj.remove("width_m") {
        Some(Value::Number(n)) => corridor::check_width(n.as_f64().unwrap_or(f64::NAN))?,
        Some(other) => {
            return Err(ApiError::invalid(
                "width_m",
                format!("width_m must be a number, got {other}"),
            ));
        }
        None => return Err(ApiError::invalid("width_m", "width_m is required")),
    };
    let filter = Filter {
        layers: match obj.remove("layers") {
            Some(v) => layer_list(ds, "layers", strings("layers", &v)?)?,
            None => non_boundary_layers(ds),
        },
        statuses: match obj.remove("status") {
            Some(v) => enum_values::<Status>("status", strings("status", &v)?)?,
            None => Vec::new(),
        },
        provinces: match obj.remove("province") {
            Some(v) => enum_values::<Province>("province", strings("province", &v)?)?,
            None => Vec::new(),
        },
    };
    answer_corridor(&s, &parts, width_m, &filter, None)
}

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::LineString(_) => "LineString",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        _ => "geometry of another kind",
    }
}

/// A JSON array of strings.
fn strings<'a>(field: &str, v: &'a Value) -> ApiResult<Vec<&'a str>> {
    v.as_array()
        .and_then(|items| items.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| {
            ApiError::invalid(
                field,
                format!("{field} must be an array of strings, got {v}"),
            )
        })
}

fn answer_corridor(
    s: &AppState,
    parts: &[LineString<f64>],
    width_m: f64,
    filter: &Filter,
    exclude: Option<u32>,
) -> ApiResult<Json<Value>> {
    let ds = &s.dataset;
    let line = QueryLine::new(parts)?;
    let found = corridor::corridor(ds, &line, width_m, filter, exclude, &Deadline::NONE)
        .expect("Deadline::NONE never expires");
    let out: Vec<Value> = found
        .iter()
        .map(|a| {
            let mut extra = Map::new();
            extra.insert("distance_m".into(), metres(a.distance_m));
            extra.insert("chainage_m".into(), metres(a.chainage_m));
            feature(ds, a.feature, extra)
        })
        .collect();
    let matched = out.len();
    let mut body = collection(out, matched);
    body["line_length_m"] = metres(line.length_m());
    body["width_m"] = json!(width_m);
    Ok(Json(body))
}

pub async fn region(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    let p = Params::parse(q.as_deref(), &["lon", "lat"])?;
    let ds = &s.dataset;
    let at = p.lon_lat()?;
    let r = area::region_of(ds, at).ok_or_else(|| {
        ApiError::not_found(
            None,
            format!(
                "[{}, {}] lies outside every province boundary loaded",
                at.x, at.y
            ),
        )
    })?;
    let describe = |i: u32| {
        let f = ds.feature(i);
        json!({
            "id": f.id(),
            "name_zh": f.name_zh(),
            "name_en": f.name_en(),
            "adcode": f.extra().get("adcode"),
            "provinces": f.provinces.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        })
    };
    let province = ds.feature(r.province).provinces.only().map(|p| p.as_str());
    Ok(Json(json!({
        "lon": at.x,
        "lat": at.y,
        "province": province,
        "province_feature": describe(r.province),
        "county": r.county.map(describe),
    })))
}

pub async fn crossings(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    let p = Params::parse(q.as_deref(), &["layers"])?;
    let ds = &s.dataset;
    let layers = match p.str("layers") {
        Some(names) => {
            let layers = layer_list(
                ds,
                "layers",
                names.split(',').map(str::trim).filter(|x| !x.is_empty()),
            )?;
            if let Some(l) = layers.iter().find(|l| {
                !ds.catalogue.layers[**l]
                    .geometry
                    .contains(&GeometryKind::Line)
            }) {
                return Err(ApiError::invalid(
                    "layers",
                    format!("layer {:?} holds no lines", ds.catalogue.layers[*l].id),
                ));
            }
            layers
        }
        None => Vec::new(),
    };
    let border_index = s.border.as_ref().ok_or_else(|| {
        ApiError::not_found(
            None,
            "the data has no province boundary polygons for both Chongqing and Guizhou",
        )
    })?;
    let found = border::crossings(ds, border_index, &layers, &Deadline::NONE)
        .expect("Deadline::NONE never expires");
    let out: Vec<Value> = found
        .iter()
        .map(|(i, d)| {
            let mut extra = Map::new();
            extra.insert(
                "crossings".into(),
                Value::Array(
                    d.crossings
                        .iter()
                        .map(|c| json!({"point": lon_lat(c.point), "from": c.from, "to": c.to, "chainage_m": metres(c.chainage_m)}))
                        .collect(),
                ),
            );
            extra.insert(
                "length_m".into(),
                json!({"chongqing": metres(d.chongqing_m), "guizhou": metres(d.guizhou_m), "other": metres(d.other_m)}),
            );
            feature(ds, *i, extra)
        })
        .collect();
    let matched = out.len();
    Ok(Json(collection(out, matched)))
}
