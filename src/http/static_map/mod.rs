//! `GET` and `POST /api/static.png` and `/api/static.svg`: server-drawn static maps (the
//! drawing is [`crate::render`]'s).
//!
//! 1. The parameters are validated into a [`MapRequest`] (`request.rs`); a saved loop is read
//!    from the store, so that its version is known.
//! 2. The cache key is the format, the normalised request and that version; the ETag is a hash
//!    of the key and the data version. A client holding the ETag gets a 304, a cached picture
//!    is answered at once.
//! 3. Otherwise the overlays are computed (corridor band and features, nearby, a planned loop),
//!    the SVG built and, for PNG, rasterised: all on the heavy pool under its time budget.

mod request;

use super::error::{ApiError, ApiResult};
use super::heavy;
use super::loops::plan_json;
use super::middleware::none_match;
use super::state::{AppState, Snap};
use crate::geodesy::LonLatRect;
use crate::query::corridor::{self, QueryLine};
use crate::query::crossings::line_parts;
use crate::query::{Filter, nearby};
use crate::render::{
    self, CorridorOverlay, MapSpec, NearOverlay, Overlays, RenderError, RouteOverlay, View,
};
use crate::routing::plan::PlanError;
use crate::snapshot::Snapshot;
use crate::store::SavedLoop;
use crate::work::Deadline;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use geo::{Coord, LineString};
use request::{Area, Axis, LoopSource, MapRequest};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    fn as_str(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Svg => "image/svg+xml",
        }
    }
}

/// Zoom of a picture fitted to a single point (one marker, a nearby point without a radius).
const POINT_ZOOM: f64 = 12.0;

pub async fn png_get(
    State(s): State<AppState>,
    Snap(snap): Snap,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let req = request::from_query(&snap.dataset, q.as_deref())?;
    answer(&s, snap, &headers, req, Format::Png).await
}

pub async fn svg_get(
    State(s): State<AppState>,
    Snap(snap): Snap,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let req = request::from_query(&snap.dataset, q.as_deref())?;
    answer(&s, snap, &headers, req, Format::Svg).await
}

pub async fn png_post(
    State(s): State<AppState>,
    Snap(snap): Snap,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let req = from_post(&snap, q.as_deref(), body)?;
    answer(&s, snap, &headers, req, Format::Png).await
}

pub async fn svg_post(
    State(s): State<AppState>,
    Snap(snap): Snap,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let req = from_post(&snap, q.as_deref(), body)?;
    answer(&s, snap, &headers, req, Format::Svg).await
}

fn from_post(
    snap: &Snapshot,
    q: Option<&str>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<MapRequest> {
    super::params::Params::parse(q, &[])?;
    let body = body.map_err(|e| ApiError::body(e, super::MAX_BODY_BYTES))?;
    let obj = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(obj)) => obj,
        Ok(_) => return Err(ApiError::invalid("body", "the body must be a JSON object")),
        Err(e) => {
            return Err(ApiError::invalid(
                "body",
                format!("the body is not valid JSON: {e}"),
            ));
        }
    };
    request::from_body(&snap.dataset, obj)
}

async fn answer(
    s: &AppState,
    snap: Arc<Snapshot>,
    headers: &HeaderMap,
    req: MapRequest,
    format: Format,
) -> ApiResult<Response> {
    let saved = match &req.route {
        Some(LoopSource::Saved(id)) => Some(saved_loop(s, *id).await?),
        _ => None,
    };
    let key = render::cache::key(
        format.as_str(),
        &req.normalised(),
        saved.as_ref().map(|l| l.version),
    );
    let tag = etag(snap.data_version(), &key);
    if none_match(headers, &tag) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert(header::ETAG, tag);
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        return Ok(resp);
    }
    let bytes = match snap.images.get(&key) {
        Some(b) => b,
        None => {
            let b: Bytes = heavy::value(s, snap.clone(), move |snap, deadline| {
                draw(snap, &req, saved.as_ref(), format, deadline)
            })
            .await?
            .into();
            snap.images.insert(key, b.clone());
            b
        }
    };
    let mut resp = (StatusCode::OK, Body::from(bytes)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    h.insert(header::ETAG, tag);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(resp)
}

/// A weak ETag of a picture: the data version and the cache key (which holds the loop's
/// version).
fn etag(data_version: &str, key: &str) -> HeaderValue {
    let mut h = Sha256::new();
    h.update(data_version.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    let hex: String = h.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex is a valid header value")
}

async fn saved_loop(s: &AppState, id: i64) -> ApiResult<SavedLoop> {
    let store = s.store.as_ref().ok_or_else(|| {
        ApiError::not_found(
            Some("loop"),
            "this server was started without a loop database, so it has no saved loops",
        )
    })?;
    store
        .get(id)
        .await
        .map_err(super::loops::store_error)?
        .ok_or_else(|| ApiError::not_found(Some("loop"), format!("no saved loop {id}")))
}

/// Computes the overlays and draws the picture.
fn draw(
    snap: &Snapshot,
    req: &MapRequest,
    saved: Option<&SavedLoop>,
    format: Format,
    deadline: Deadline,
) -> ApiResult<Vec<u8>> {
    let overlays = overlays(snap, req, saved, &deadline)?;
    let view = match &req.area {
        Area::Bbox(rect) => View::fit(*rect, req.width, req.height),
        Area::Centre { at, zoom } => View::at(*at, *zoom, req.width, req.height),
        Area::Overlays => fit_overlays(&overlays, req.width, req.height),
    };
    let spec = MapSpec {
        view,
        scale: req.scale,
        layers: req.layers.clone(),
        lang: req.lang,
        overlays,
    };
    let svg = render::svg(snap, &spec, &deadline).map_err(|e| match e {
        RenderError::OverBudget(e) => ApiError::from(e),
        e @ RenderError::TooManyFeatures(_) => ApiError::invalid("layers", e.to_string()),
    })?;
    match format {
        Format::Svg => Ok(svg.into_bytes()),
        Format::Png => {
            deadline.check()?;
            render::raster::png(&svg, req.width, req.height, req.scale).map_err(ApiError::internal)
        }
    }
}

fn fit_overlays(o: &Overlays, width: u32, height: u32) -> View {
    match o.extent() {
        // Nobody asked for the overlays to be centred: they go beside the legend (at most a
        // third of the width), where nothing hides them.
        Some(r) if r.max.x - r.min.x > 1e-9 || r.max.y - r.min.y > 1e-9 => {
            View::fit_beside(r, width, height, f64::from(width) / 3.0)
        }
        Some(r) => View::at(r.min, POINT_ZOOM, width, height),
        None => View::fit(
            LonLatRect {
                min: Coord {
                    x: -180.0,
                    y: -80.0,
                },
                max: Coord { x: 180.0, y: 80.0 },
            },
            width,
            height,
        ),
    }
}

/// The layers a corridor or nearby overlay looks at: those of the picture that are queried by
/// default (as the page asks for the thematic layers shown).
fn overlay_filter(snap: &Snapshot, req: &MapRequest) -> Filter {
    let ds = &snap.dataset;
    Filter {
        layers: req
            .layers
            .iter()
            .copied()
            .filter(|l| ds.catalogue.layers[*l].queried_by_default())
            .collect(),
        statuses: Vec::new(),
        provinces: Vec::new(),
    }
}

fn overlays(
    snap: &Snapshot,
    req: &MapRequest,
    saved: Option<&SavedLoop>,
    deadline: &Deadline,
) -> ApiResult<Overlays> {
    let ds = &snap.dataset;
    let filter = overlay_filter(snap, req);
    let mut o = Overlays {
        markers: req.markers.clone(),
        ..Overlays::default()
    };
    if let Some((axis, width_m)) = &req.corridor {
        let (parts, exclude, name_zh, name_en) = match axis {
            Axis::Feature(i) => {
                let f = ds.feature(*i);
                let parts: Vec<LineString<f64>> =
                    line_parts(f).into_iter().map(LineString).collect();
                (
                    parts,
                    Some(*i),
                    f.name_zh().to_string(),
                    f.name_en().to_string(),
                )
            }
            Axis::Line(parts) => (
                parts.clone(),
                None,
                "绘制的线".to_string(),
                "Drawn line".to_string(),
            ),
        };
        let features = if filter.layers.is_empty() {
            Vec::new()
        } else {
            let line = QueryLine::new(&parts)?;
            corridor::corridor(ds, &line, *width_m, &filter, exclude, deadline)?
                .into_iter()
                .map(|a| a.feature)
                .collect()
        };
        o.corridor = Some(CorridorOverlay {
            name_zh,
            name_en,
            band: corridor::band(&parts, *width_m),
            axis: parts,
            width_m: *width_m,
            features,
        });
    }
    if let Some((at, radius_m, k)) = req.near {
        let features = if filter.layers.is_empty() {
            Vec::new()
        } else {
            nearby::nearby(ds, at, k, radius_m, &filter, deadline)?
                .hits
                .into_iter()
                .map(|h| h.feature)
                .collect()
        };
        o.near = Some(NearOverlay {
            at,
            radius_m,
            features,
        });
    }
    o.route = match (&req.route, saved) {
        (Some(LoopSource::Saved(_)), Some(l)) => Some(route_of_plan(&l.plan, l.name.clone(), req)),
        (Some(LoopSource::Unsaved(plan_req)), _) => {
            let plan = snap
                .planner
                .plan(ds, snap.border.as_ref(), plan_req, deadline)
                .map_err(|e| match e {
                    PlanError::Invalid(e) => ApiError::from(e),
                    PlanError::OverBudget(e) => ApiError::from(e),
                })?;
            let name = req.lang.pick("路线", "Loop").to_string();
            Some(route_of_plan(&plan_json(ds, plan_req, &plan), name, req))
        }
        _ => None,
    };
    Ok(o)
}

/// A loop overlay from a plan as the loop endpoints answer it (a GeoJSON Feature whose
/// `properties.order` lists the stops).
fn route_of_plan(plan: &Value, name: String, req: &MapRequest) -> RouteOverlay {
    let coord = |v: &Value| -> Option<Coord> {
        let a = v.as_array()?;
        Some(Coord {
            x: a.first()?.as_f64()?,
            y: a.get(1)?.as_f64()?,
        })
    };
    let path: Vec<Coord> = plan["geometry"]["coordinates"]
        .as_array()
        .map(|cs| cs.iter().filter_map(coord).collect())
        .unwrap_or_default();
    let stops: Vec<(Coord, String)> = plan["properties"]["order"]
        .as_array()
        .map(|os| {
            os.iter()
                .filter_map(|s| {
                    let at = coord(&s["position"])?;
                    let zh = s["name_zh"].as_str().unwrap_or("");
                    let en = s["name_en"].as_str().unwrap_or("");
                    Some((at, req.lang.pick(zh, en).to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    RouteOverlay { name, path, stops }
}
