//! Nearby, corridor, region and border-crossing queries.

use super::error::{ApiError, ApiResult};
use super::heavy;
use super::output::{collection, feature, lon_lat, metres};
use super::params::{Params, default_layers, enum_values, layer_list};
use super::state::{AppState, Snap};
use crate::layers::load::parse_geometry;
use crate::layers::{GeometryKind, Province, Status};
use crate::query::corridor::{self, QueryLine};
use crate::query::crossings::line_parts;
use crate::query::{Filter, nearby as near, region as area};
use crate::snapshot::Snapshot;
use crate::work::Deadline;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use geo::{Geometry, LineString};
use serde_json::{Map, Value, json};

pub async fn nearby(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    heavy::run(&s, snap, move |snap, deadline| {
        nearest(snap, q.as_deref(), deadline)
    })
    .await
}

fn nearest(snap: &Snapshot, q: Option<&str>, deadline: Deadline) -> ApiResult<Value> {
    let p = Params::parse(
        q,
        &[
            "lon", "lat", "k", "radius_m", "layers", "status", "province",
        ],
    )?;
    let ds = &snap.dataset;
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
    let filter = p.filter_or_default_layers(ds)?;
    let found = near::nearby(ds, at, k, radius_m, &filter, &deadline)?;
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
    Ok(collection(out, found.matched))
}

pub async fn corridor_of_feature(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    heavy::run(&s, snap, move |snap, deadline| {
        along_feature(snap, q.as_deref(), deadline)
    })
    .await
}

fn along_feature(snap: &Snapshot, q: Option<&str>, deadline: Deadline) -> ApiResult<Value> {
    let p = Params::parse(q, &["feature", "width_m", "layers", "status", "province"])?;
    let ds = &snap.dataset;
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
    let filter = p.filter_or_default_layers(ds)?;
    answer_corridor(snap, &parts, width_m, &filter, Some(index), deadline)
}

pub async fn corridor_of_line(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let body = body.map_err(|e| ApiError::body(e, super::MAX_BODY_BYTES))?;
    heavy::run(&s, snap, move |snap, deadline| {
        along_line(snap, &body, deadline)
    })
    .await
}

fn along_line(snap: &Snapshot, body: &[u8], deadline: Deadline) -> ApiResult<Value> {
    let ds = &snap.dataset;
    let Value::Object(mut obj) = serde_json::from_slice::<Value>(body)
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
            None => default_layers(ds),
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
    answer_corridor(snap, &parts, width_m, &filter, None, deadline)
}

/// The corridor band as a GeoJSON MultiPolygon geometry, positions rounded to 1e-6° (about
/// 0.1 m), as the page draws it.
pub fn band_geometry(band: &geo::MultiPolygon<f64>) -> Value {
    let round = |v: f64| (v * 1e6).round() / 1e6;
    let ring = |r: &LineString<f64>| -> Value {
        Value::Array(
            r.0.iter()
                .map(|c| json!([round(c.x), round(c.y)]))
                .collect(),
        )
    };
    let polygons: Vec<Value> = band
        .0
        .iter()
        .map(|p| {
            let mut rings = vec![ring(p.exterior())];
            rings.extend(p.interiors().iter().map(ring));
            Value::Array(rings)
        })
        .collect();
    json!({"type": "MultiPolygon", "coordinates": polygons})
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
    snap: &Snapshot,
    parts: &[LineString<f64>],
    width_m: f64,
    filter: &Filter,
    exclude: Option<u32>,
    deadline: Deadline,
) -> ApiResult<Value> {
    let ds = &snap.dataset;
    let line = QueryLine::new(parts)?;
    let found = corridor::corridor(ds, &line, width_m, filter, exclude, &deadline)?;
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
    body["band"] = band_geometry(&corridor::band(parts, width_m));
    Ok(body)
}

pub async fn region(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    heavy::run(&s, snap, move |snap, _deadline| {
        region_of(snap, q.as_deref())
    })
    .await
}

fn region_of(snap: &Snapshot, q: Option<&str>) -> ApiResult<Value> {
    let p = Params::parse(q, &["lon", "lat"])?;
    let ds = &snap.dataset;
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
    let prefecture = r
        .county
        .and_then(|c| area::prefecture_of(ds.feature(c)))
        .map(|p| {
            json!({
                "id": p.id,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "adcode": p.adcode,
            })
        });
    Ok(json!({
        "lon": at.x,
        "lat": at.y,
        "province": province,
        "province_feature": describe(r.province),
        "prefecture": prefecture,
        "county": r.county.map(describe),
    }))
}

pub async fn crossings(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    heavy::run(&s, snap, move |snap, _deadline| {
        border_crossings(snap, q.as_deref())
    })
    .await
}

/// From the crossings computed once per snapshot, filtered by layer.
fn border_crossings(snap: &Snapshot, q: Option<&str>) -> ApiResult<Value> {
    let p = Params::parse(q, &["layers"])?;
    let ds = &snap.dataset;
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
    if snap.border.is_none() {
        return Err(ApiError::not_found(
            None,
            "the data has no province boundary polygons for both Chongqing and Guizhou",
        ));
    }
    let wanted = |i: u32| {
        let l = usize::from(ds.feature(i).layer);
        if layers.is_empty() {
            ds.catalogue.layers[l].queried_by_default()
        } else {
            layers.contains(&l)
        }
    };
    let out: Vec<Value> = snap
        .crossings
        .iter()
        .filter(|(i, _)| wanted(*i))
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
    Ok(collection(out, matched))
}
