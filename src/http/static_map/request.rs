//! The parameters of a static map, from a query string (GET) or a JSON body (POST), validated
//! once into a [`MapRequest`]: every bad value is a 400 (or a 404 for an unknown corridor
//! feature) naming its parameter.
//!
//! A POST body takes the same fields with the URL's string values or JSON values (`bbox` as
//! `[w, s, e, n]`, `markers` as `[[lon, lat], …]`, `layers` as an array), plus what a URL cannot
//! carry: a drawn corridor axis `line` (a GeoJSON LineString) and an unsaved loop `loop` (a
//! planning body, as `POST /api/loops/plan` takes).

use super::super::error::{ApiError, ApiResult};
use super::super::loops::plan_request;
use super::super::params::{Params, check_lon_lat, layer_list};
use crate::geodesy::LonLatRect;
use crate::index::Dataset;
use crate::layers::GeometryKind;
use crate::layers::load::parse_geometry;
use crate::query::corridor::{self, MAX_LINE_POSITIONS};
use crate::query::crossings::line_parts;
use crate::query::nearby::{MAX_K, MAX_RADIUS_M};
use crate::render::view::MAX_ZOOM;
use crate::render::{Lang, MAX_MARKERS, MAX_PIXELS, MAX_SIDE_PX, SCALES};
use crate::routing::plan::PlanRequest;
use crate::tiles::mercator::MAX_LAT_DEG;
use geo::{Coord, Geometry, LineString};
use serde_json::{Map, Value};

/// Every parameter a static map takes.
pub const FIELDS: [&str; 15] = [
    "bbox", "center", "zoom", "width", "height", "scale", "layers", "lang", "corridor", "width_m",
    "loop", "markers", "near", "radius_m", "k",
];
/// Fields only a POST body takes.
pub const BODY_FIELDS: [&str; 1] = ["line"];

/// Default picture size in CSS pixels.
pub const DEFAULT_WIDTH: u32 = 800;
pub const DEFAULT_HEIGHT: u32 = 600;

/// What part of the world to show.
#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    Bbox(LonLatRect),
    Centre {
        at: Coord,
        zoom: f64,
    },
    /// Fitted to the overlays.
    Overlays,
}

/// The axis of a corridor.
#[derive(Debug, Clone, PartialEq)]
pub enum Axis {
    Feature(u32),
    Line(Vec<LineString<f64>>),
}

/// Which loop to draw.
#[derive(Debug, Clone, PartialEq)]
pub enum LoopSource {
    Saved(i64),
    Unsaved(PlanRequest),
}

/// A static map request, validated. Its `Debug` form is the normalised request the cache and
/// the ETag are keyed by: parameters in a fixed order, values as parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRequest {
    pub area: Area,
    pub width: u32,
    pub height: u32,
    pub scale: u32,
    pub layers: Vec<usize>,
    pub lang: Lang,
    pub corridor: Option<(Axis, f64)>,
    pub route: Option<LoopSource>,
    pub markers: Vec<Coord>,
    pub near: Option<(Coord, Option<f64>, Option<usize>)>,
}

impl MapRequest {
    pub fn normalised(&self) -> String {
        format!("{self:?}")
    }
}

/// From a query string.
pub fn from_query(ds: &Dataset, q: Option<&str>) -> ApiResult<MapRequest> {
    let p = Params::parse(q, &FIELDS)?;
    let get = |name: &str| p.str(name).map(str::to_string);
    parse(ds, &get, None, None)
}

/// From a JSON body.
pub fn from_body(ds: &Dataset, mut obj: Map<String, Value>) -> ApiResult<MapRequest> {
    if let Some(unknown) = obj
        .keys()
        .find(|k| !FIELDS.contains(&k.as_str()) && !BODY_FIELDS.contains(&k.as_str()))
    {
        return Err(ApiError::invalid(
            unknown.clone(),
            format!(
                "unknown field {unknown:?}; the body takes {}, {}",
                FIELDS.join(", "),
                BODY_FIELDS.join(", ")
            ),
        ));
    }
    let line = obj.remove("line");
    let plan = match obj.get("loop") {
        Some(Value::Object(_)) => match obj.remove("loop") {
            Some(Value::Object(plan)) => Some(plan),
            _ => None,
        },
        _ => None,
    };
    let mut strings: Map<String, Value> = Map::new();
    for (k, v) in obj {
        let s = url_form(&k, &v)?;
        strings.insert(k, Value::String(s));
    }
    let get = |name: &str| {
        strings
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    parse(ds, &get, line, plan)
}

/// The URL form of a body value: a string as it is, a number as written, an array of numbers
/// comma-separated, an array of arrays (markers) semicolon-separated, an array of strings
/// (layers) comma-separated.
fn url_form(name: &str, v: &Value) -> ApiResult<String> {
    let bad = || {
        ApiError::invalid(
            name,
            format!("{name} must be a string, a number or an array of them, got {v}"),
        )
    };
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match v {
        Value::Array(items) => {
            if items.iter().all(Value::is_array) {
                items
                    .iter()
                    .map(|i| {
                        i.as_array()
                            .and_then(|xs| xs.iter().map(scalar).collect::<Option<Vec<_>>>())
                            .map(|xs| xs.join(","))
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(|xs| xs.join(";"))
                    .ok_or_else(bad)
            } else {
                items
                    .iter()
                    .map(scalar)
                    .collect::<Option<Vec<_>>>()
                    .map(|xs| xs.join(","))
                    .ok_or_else(bad)
            }
        }
        other => scalar(other).ok_or_else(bad),
    }
}

fn numbers(name: &str, s: &str, n: usize, what: &str) -> ApiResult<Vec<f64>> {
    let xs: Option<Vec<f64>> = s
        .split(',')
        .map(|x| x.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect();
    match xs {
        Some(xs) if xs.len() == n => Ok(xs),
        _ => Err(ApiError::invalid(
            name,
            format!("{name} must be {what}, got {s:?}"),
        )),
    }
}

fn lon_lat(name: &str, s: &str) -> ApiResult<Coord> {
    let xs = numbers(name, s, 2, "lon,lat (two numbers)")?;
    let c = check_lon_lat(xs[0], xs[1], name, name)?;
    if c.y.abs() > MAX_LAT_DEG {
        return Err(ApiError::invalid(
            name,
            format!(
                "{name}: latitude {} lies beyond Web Mercator's ±{MAX_LAT_DEG:.4}°",
                c.y
            ),
        ));
    }
    Ok(c)
}

fn finite(name: &str, s: &str) -> ApiResult<f64> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            ApiError::invalid(name, format!("{name} must be a finite number, got {s:?}"))
        })
}

fn side(name: &str, s: Option<String>, default: u32) -> ApiResult<u32> {
    let Some(s) = s else { return Ok(default) };
    match s.trim().parse::<u32>() {
        Ok(v) if (1..=MAX_SIDE_PX).contains(&v) => Ok(v),
        Ok(v) => Err(ApiError::invalid(
            name,
            format!("{name} {v} is outside 1..={MAX_SIDE_PX} CSS pixels"),
        )),
        Err(_) => Err(ApiError::invalid(
            name,
            format!("{name} must be a whole number of CSS pixels, got {s:?}"),
        )),
    }
}

fn parse(
    ds: &Dataset,
    get: &dyn Fn(&str) -> Option<String>,
    line: Option<Value>,
    plan: Option<Map<String, Value>>,
) -> ApiResult<MapRequest> {
    let width = side("width", get("width"), DEFAULT_WIDTH)?;
    let height = side("height", get("height"), DEFAULT_HEIGHT)?;
    let scale = match get("scale") {
        None => 1,
        Some(s) => s
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|v| SCALES.contains(v))
            .ok_or_else(|| {
                ApiError::invalid("scale", format!("scale must be 1, 2 or 3, got {s:?}"))
            })?,
    };
    let pixels = u64::from(width) * u64::from(height) * u64::from(scale * scale);
    if pixels > MAX_PIXELS {
        return Err(ApiError::invalid(
            if scale > 1 { "scale" } else { "width" },
            format!(
                "{width} × {height} CSS pixels at scale {scale} is {pixels} pixels; the maximum is {MAX_PIXELS}"
            ),
        ));
    }
    let lang = match get("lang").as_deref() {
        None | Some("zh") => Lang::Zh,
        Some("en") => Lang::En,
        Some(other) => {
            return Err(ApiError::invalid(
                "lang",
                format!("lang must be zh or en, got {other:?}"),
            ));
        }
    };
    let layers = match get("layers") {
        Some(s) => {
            let mut ls = layer_list(
                ds,
                "layers",
                s.split(',').map(str::trim).filter(|x| !x.is_empty()),
            )?;
            ls.sort_unstable();
            ls
        }
        None => shown_by_default(ds),
    };
    // The corridor: a feature of the data or (POST) a drawn line.
    let width_m = get("width_m").map(|s| finite("width_m", &s)).transpose()?;
    let axis = match (get("corridor"), line) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "line",
                "give corridor (a feature id) or line (a drawn axis), not both",
            ));
        }
        (Some(id), None) => {
            let index = ds.find(&id).ok_or_else(|| {
                ApiError::not_found(Some("corridor"), format!("no feature with id {id:?}"))
            })?;
            if line_parts(ds.feature(index)).is_empty() {
                return Err(ApiError::invalid(
                    "corridor",
                    format!("feature {id:?} is not a line; a corridor follows a line"),
                ));
            }
            Some(Axis::Feature(index))
        }
        (None, Some(v)) => Some(Axis::Line(drawn_line(&v)?)),
        (None, None) => None,
    };
    let corridor = match (axis, width_m) {
        (Some(a), Some(w)) => Some((a, corridor::check_width(w)?)),
        (Some(_), None) => {
            return Err(ApiError::invalid(
                "width_m",
                "width_m is required with a corridor",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::invalid(
                "width_m",
                "width_m is the half-width of a corridor; give corridor too",
            ));
        }
        (None, None) => None,
    };
    let route = match (get("loop"), plan) {
        (_, Some(plan)) => Some(LoopSource::Unsaved(plan_request(&plan, &[])?)),
        (Some(id), None) => Some(LoopSource::Saved(id.trim().parse::<i64>().map_err(
            |_| {
                ApiError::invalid(
                    "loop",
                    format!("loop must be the id of a saved loop (a whole number), got {id:?}"),
                )
            },
        )?)),
        (None, None) => None,
    };
    let markers = match get("markers") {
        None => Vec::new(),
        Some(s) => {
            let ms: Vec<Coord> = s
                .split(';')
                .filter(|m| !m.trim().is_empty())
                .map(|m| lon_lat("markers", m))
                .collect::<ApiResult<_>>()?;
            if ms.is_empty() || ms.len() > MAX_MARKERS {
                return Err(ApiError::invalid(
                    "markers",
                    format!(
                        "markers must be 1 to {MAX_MARKERS} positions lon,lat;lon,lat, got {}",
                        ms.len()
                    ),
                ));
            }
            ms
        }
    };
    let radius_m = get("radius_m")
        .map(|s| finite("radius_m", &s))
        .transpose()?;
    if let Some(r) = radius_m
        && !(0.0..=MAX_RADIUS_M).contains(&r)
    {
        return Err(ApiError::invalid(
            "radius_m",
            format!("radius_m must be between 0 and {MAX_RADIUS_M} m, got {r}"),
        ));
    }
    let k = match get("k") {
        None => None,
        Some(s) => match s.trim().parse::<usize>() {
            Ok(k) if k <= MAX_K => Some(k),
            _ => {
                return Err(ApiError::invalid(
                    "k",
                    format!("k must be a whole number from 0 to {MAX_K}, got {s:?}"),
                ));
            }
        },
    };
    let near = match get("near") {
        Some(s) => Some((lon_lat("near", &s)?, radius_m, k)),
        None => {
            for (name, given) in [("radius_m", radius_m.is_some()), ("k", k.is_some())] {
                if given {
                    return Err(ApiError::invalid(
                        name,
                        format!("{name} belongs to a nearby overlay; give near=lon,lat too"),
                    ));
                }
            }
            None
        }
    };
    let overlays = corridor.is_some() || route.is_some() || !markers.is_empty() || near.is_some();
    let area = match (get("bbox"), get("center"), get("zoom")) {
        (Some(_), Some(_), _) => {
            return Err(ApiError::invalid(
                "center",
                "give bbox or center and zoom, not both",
            ));
        }
        (Some(b), None, z) => {
            if z.is_some() {
                return Err(ApiError::invalid(
                    "zoom",
                    "zoom goes with center; a bbox is fitted into the picture",
                ));
            }
            Area::Bbox(bbox(&b)?)
        }
        (None, Some(c), z) => {
            let at = lon_lat("center", &c)?;
            let z = z.ok_or_else(|| ApiError::invalid("zoom", "zoom is required with center"))?;
            let zoom = finite("zoom", &z)?;
            if !(0.0..=MAX_ZOOM).contains(&zoom) {
                return Err(ApiError::invalid(
                    "zoom",
                    format!("zoom {zoom} is outside 0..={MAX_ZOOM}"),
                ));
            }
            Area::Centre { at, zoom }
        }
        (None, None, Some(_)) => {
            return Err(ApiError::invalid("center", "zoom needs center=lon,lat"));
        }
        (None, None, None) if overlays => Area::Overlays,
        (None, None, None) => {
            return Err(ApiError::invalid(
                "bbox",
                "give bbox=minLon,minLat,maxLon,maxLat or center=lon,lat&zoom=Z (or an overlay to fit the picture to)",
            ));
        }
    };
    Ok(MapRequest {
        area,
        width,
        height,
        scale,
        layers,
        lang,
        corridor,
        route,
        markers,
        near,
    })
}

fn bbox(s: &str) -> ApiResult<LonLatRect> {
    let b = numbers("bbox", s, 4, "minLon,minLat,maxLon,maxLat (four numbers)")?;
    check_lon_lat(b[0], b[1], "bbox", "bbox")?;
    check_lon_lat(b[2], b[3], "bbox", "bbox")?;
    if b[0] >= b[2] || b[1] >= b[3] {
        return Err(ApiError::invalid(
            "bbox",
            format!(
                "bbox {s:?} is inverted or empty: minLon < maxLon and minLat < maxLat are needed"
            ),
        ));
    }
    if b[1] < -MAX_LAT_DEG || b[3] > MAX_LAT_DEG {
        return Err(ApiError::invalid(
            "bbox",
            format!("bbox {s:?} reaches beyond Web Mercator's ±{MAX_LAT_DEG:.4}°"),
        ));
    }
    Ok(LonLatRect {
        min: Coord { x: b[0], y: b[1] },
        max: Coord { x: b[2], y: b[3] },
    })
}

/// A drawn corridor axis: a GeoJSON LineString of at most [`MAX_LINE_POSITIONS`] positions.
fn drawn_line(v: &Value) -> ApiResult<Vec<LineString<f64>>> {
    match parse_geometry(v).map_err(|e| ApiError::invalid("line", e))? {
        (Geometry::LineString(l), GeometryKind::Line) => {
            if l.0.len() > MAX_LINE_POSITIONS {
                return Err(ApiError::invalid(
                    "line",
                    format!(
                        "line has {} positions; the maximum is {MAX_LINE_POSITIONS}",
                        l.0.len()
                    ),
                ));
            }
            Ok(vec![l])
        }
        _ => Err(ApiError::invalid(
            "line",
            "line must be a GeoJSON LineString",
        )),
    }
}

/// What the web map shows when opened: every layer with features that the style does not
/// switch off by default.
pub fn shown_by_default(ds: &Dataset) -> Vec<usize> {
    let style = crate::style::MapStyle::shipped();
    (0..ds.catalogue.layers.len())
        .filter(|l| {
            ds.stats[*l].feature_count > 0
                && !style.layer(&ds.catalogue.layers[*l].id).off_by_default
        })
        .collect()
}
