//! Route loops: planning, ready-made loops from the data, and saved loops (SQLite) with
//! ETag / If-Match, bearer-token writes, and GPX / GeoJSON export.

use super::error::{ApiError, ApiResult};
use super::output::{lon_lat, metres};
use super::params::Params;
use super::{AppState, MAX_BODY_BYTES};
use crate::geodesy::LonLatRect;
use crate::index::Dataset;
use crate::routing::order::EXACT_MAX_STOPS;
use crate::routing::plan::{
    MAX_STOPS, MAX_SUGGEST_WITHIN_M, Paths, Plan, PlanError, PlanRequest, StopSpec,
};
use crate::store::{Change, SavedLoop};
use crate::work::Deadline;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// Longest loop name and notes, in characters.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 10_000;
/// Default `suggest_within_m`.
pub const DEFAULT_SUGGEST_WITHIN_M: f64 = 10_000.0;

const PLAN_FIELDS: [&str; 7] = [
    "stops",
    "roundtrip",
    "fixed_first",
    "fixed_last",
    "paths",
    "suggest_within_m",
    "optimise",
];

fn body_json(body: Result<Bytes, BytesRejection>) -> ApiResult<Map<String, Value>> {
    let body = body.map_err(|e| ApiError {
        status: e.status(),
        error: if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            "payload_too_large"
        } else {
            "invalid_body"
        },
        parameter: Some("body".into()),
        detail: format!("{} (the limit is {MAX_BODY_BYTES} bytes)", e.body_text()),
    })?;
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(_) => Err(ApiError::invalid("body", "the body must be a JSON object")),
        Err(e) => Err(ApiError::invalid(
            "body",
            format!("the body is not valid JSON: {e}"),
        )),
    }
}

fn boolean(obj: &Map<String, Value>, field: &str, default: bool) -> ApiResult<bool> {
    match obj.get(field) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(ApiError::invalid(
            field,
            format!("{field} must be true or false, got {other}"),
        )),
    }
}

/// Validates the planning fields of a body; `extra` names the other fields the endpoint takes.
fn plan_request(obj: &Map<String, Value>, extra: &[&str]) -> ApiResult<PlanRequest> {
    if let Some(unknown) = obj
        .keys()
        .find(|k| !PLAN_FIELDS.contains(&k.as_str()) && !extra.contains(&k.as_str()))
    {
        let mut all: Vec<&str> = PLAN_FIELDS.to_vec();
        all.extend(extra);
        return Err(ApiError::invalid(
            unknown.clone(),
            format!(
                "unknown field {unknown:?}; the body takes {}",
                all.join(", ")
            ),
        ));
    }
    let items = match obj.get("stops") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ApiError::invalid(
                "stops",
                format!(
                    "stops must be an array of feature ids or [lon, lat] positions, got {other}"
                ),
            ));
        }
        None => {
            return Err(ApiError::invalid(
                "stops",
                "stops is required: an array of feature ids or [lon, lat] positions",
            ));
        }
    };
    if items.len() < 2 {
        return Err(ApiError::invalid(
            "stops",
            format!("a loop needs at least 2 stops, got {}", items.len()),
        ));
    }
    if items.len() > MAX_STOPS {
        return Err(ApiError::invalid(
            "stops",
            format!("{} stops exceed the maximum of {MAX_STOPS}", items.len()),
        ));
    }
    let stops = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = format!("stops[{i}]");
            match item {
                Value::String(id) => Ok(StopSpec::Feature(id.clone())),
                Value::Array(pair) if pair.len() == 2 => {
                    let lon = pair[0].as_f64().ok_or_else(|| ApiError::invalid(&field, format!("{field}: lon must be a number, got {}", pair[0])))?;
                    let lat = pair[1].as_f64().ok_or_else(|| ApiError::invalid(&field, format!("{field}: lat must be a number, got {}", pair[1])))?;
                    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                        return Err(ApiError::invalid(&field, format!("{field}: [{lon}, {lat}] is out of range (lon in [-180, 180], lat in [-90, 90])")));
                    }
                    Ok(StopSpec::Position(geo::Coord { x: lon, y: lat }))
                }
                other => Err(ApiError::invalid(&field, format!("{field} must be a feature id or [lon, lat], got {other}"))),
            }
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let paths = match obj.get("paths") {
        None => Paths::Network,
        Some(Value::String(s)) if s == "network" => Paths::Network,
        Some(Value::String(s)) if s == "straight" => Paths::Straight,
        Some(other) => {
            return Err(ApiError::invalid(
                "paths",
                format!("paths must be \"network\" or \"straight\", got {other}"),
            ));
        }
    };
    let suggest_within_m = match obj.get("suggest_within_m") {
        None => DEFAULT_SUGGEST_WITHIN_M,
        Some(v) => match v.as_f64() {
            Some(m) if (0.0..=MAX_SUGGEST_WITHIN_M).contains(&m) => m,
            _ => {
                return Err(ApiError::invalid(
                    "suggest_within_m",
                    format!(
                        "suggest_within_m must be a number from 0 to {MAX_SUGGEST_WITHIN_M}, got {v}"
                    ),
                ));
            }
        },
    };
    Ok(PlanRequest {
        stops,
        roundtrip: boolean(obj, "roundtrip", true)?,
        fixed_first: boolean(obj, "fixed_first", true)?,
        fixed_last: boolean(obj, "fixed_last", false)?,
        paths,
        suggest_within_m,
        optimise: boolean(obj, "optimise", true)?,
    })
}

/// The plan as a GeoJSON Feature.
pub fn plan_json(ds: &Dataset, req: &PlanRequest, plan: &Plan) -> Value {
    let name = |i: Option<u32>, index: usize| match i {
        Some(i) => {
            let f = ds.feature(i);
            (json!(f.id()), json!(f.name_zh()), json!(f.name_en()))
        }
        None => (
            Value::Null,
            json!(format!("地点 {}", index + 1)),
            json!(format!("Point {}", index + 1)),
        ),
    };
    let order: Vec<Value> = plan
        .order
        .iter()
        .map(|s| {
            let (id, zh, en) = name(s.feature, s.index);
            json!({"index": s.index, "id": id, "position": lon_lat(s.position), "name_zh": zh, "name_en": en})
        })
        .collect();
    let legs: Vec<Value> = plan
        .legs
        .iter()
        .map(|l| {
            json!({"from": l.from, "to": l.to, "distance_m": metres(l.distance_m), "duration_s": (l.duration_s * 10.0).round() / 10.0,
                   "network": l.network, "straight": l.straight.map(|s| s.as_str()), "connector_m": metres(l.connector_m)})
        })
        .collect();
    let counties: Vec<Value> = plan
        .counties
        .iter()
        .map(|(i, m)| {
            let f = ds.feature(*i);
            json!({"id": f.id(), "name_zh": f.name_zh(), "name_en": f.name_en(), "adcode": f.extra().get("adcode"), "length_m": metres(*m)})
        })
        .collect();
    let suggestions: Vec<Value> = plan
        .suggestions
        .iter()
        .map(|(i, d)| {
            let f = ds.feature(*i);
            json!({"id": f.id(), "name_zh": f.name_zh(), "name_en": f.name_en(), "layer": ds.layer_of(f).id, "status": f.status, "distance_m": metres(*d), "position": f.geometry_point().map(lon_lat)})
        })
        .collect();
    let mut coords: Vec<Value> = plan.geometry.iter().map(|c| lon_lat(*c)).collect();
    if coords.len() == 1 {
        coords.push(coords[0].clone());
    }
    json!({
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coords},
        "properties": {
            "order": order,
            "legs": legs,
            "distance_m": metres(plan.distance_m),
            "duration_s": (plan.duration_s * 10.0).round() / 10.0,
            "provinces": [
                {"province": "chongqing", "length_m": metres(plan.chongqing_m)},
                {"province": "guizhou", "length_m": metres(plan.guizhou_m)},
                {"province": null, "length_m": metres(plan.other_province_m)},
            ],
            "counties": counties,
            "outside_counties_m": metres(plan.outside_counties_m),
            "border_crossings": plan.border_crossings,
            "suggestions": suggestions,
            "roundtrip": req.roundtrip,
            "paths": match req.paths { Paths::Network => "network", Paths::Straight => "straight" },
            "exact": req.optimise && req.stops.len() <= EXACT_MAX_STOPS,
        }
    })
}

fn compute(s: &AppState, req: &PlanRequest) -> ApiResult<Value> {
    let plan = match s
        .planner
        .plan(&s.dataset, s.border.as_ref(), req, &Deadline::NONE)
    {
        Ok(plan) => plan,
        Err(PlanError::Invalid(e)) => return Err(e.into()),
        // Placeholder until the real deadline and its 503 are wired: NONE never expires.
        Err(PlanError::OverBudget(e)) => return Err(internal(e)),
    };
    Ok(plan_json(&s.dataset, req, &plan))
}

pub async fn plan(
    State(s): State<AppState>,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let obj = body_json(body)?;
    let req = plan_request(&obj, &[])?;
    let s2 = s.clone();
    let out = tokio::task::spawn_blocking(move || compute(&s2, &req))
        .await
        .map_err(internal)??;
    Ok(Json(out))
}

/// The routes of the data (专栏4-2 and others) as ready-made planning requests.
pub async fn presets(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let ds = &s.dataset;
    let Some(layer) = ds.layer_index("tourist_routes") else {
        return Ok(Json(json!({"presets": []})));
    };
    let presets: Vec<Value> = ds
        .features
        .iter()
        .filter(|f| usize::from(f.layer) == layer)
        .filter_map(|f| {
            let stops = f.extra().get("stops")?.as_array()?;
            let roundtrip = f.extra().get("roundtrip").and_then(Value::as_bool).unwrap_or(false);
            Some(json!({
                "id": f.id(), "name_zh": f.name_zh(), "name_en": f.name_en(), "source": f.source(),
                "request": {"stops": stops, "roundtrip": roundtrip, "fixed_first": true, "fixed_last": !roundtrip, "optimise": false, "paths": "network"},
            }))
        })
        .collect();
    Ok(Json(json!({"presets": presets})))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        error: "internal",
        parameter: None,
        detail: e.to_string(),
    }
}

fn store_error(e: crate::store::StoreError) -> ApiError {
    internal(e)
}

/// Checks `Authorization: Bearer <token>` when a write token is configured.
fn authorise(s: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let Some(token) = &s.write_token else {
        return Ok(());
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let ok = given.is_some_and(|g| {
        g.len() == token.len()
            && g.bytes()
                .zip(token.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            error: "unauthorized",
            parameter: Some("Authorization".into()),
            detail: "writing loops needs the header Authorization: Bearer <write token>".into(),
        })
    }
}

fn text_field(
    obj: &Map<String, Value>,
    field: &str,
    max: usize,
    required: bool,
) -> ApiResult<String> {
    match obj.get(field) {
        None if required => Err(ApiError::invalid(field, format!("{field} is required"))),
        None => Ok(String::new()),
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n > max {
                Err(ApiError::invalid(
                    field,
                    format!("{field} is {n} characters; the maximum is {max}"),
                ))
            } else if required && s.trim().is_empty() {
                Err(ApiError::invalid(
                    field,
                    format!("{field} must not be empty"),
                ))
            } else {
                Ok(s.clone())
            }
        }
        Some(other) => Err(ApiError::invalid(
            field,
            format!("{field} must be a string, got {other}"),
        )),
    }
}

fn saved_json(l: &SavedLoop) -> Value {
    json!({"id": l.id, "name": l.name, "notes": l.notes, "request": l.request, "plan": l.plan, "version": l.version,
           "created_at": l.created_at, "updated_at": l.updated_at})
}

fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"v{version}\"")).expect("an ASCII tag")
}

fn with_etag(status: StatusCode, l: &SavedLoop) -> Response {
    let mut resp = (status, Json(saved_json(l))).into_response();
    resp.headers_mut().insert(header::ETAG, etag(l.version));
    resp
}

/// The version named by `If-Match` (required on changes).
fn if_match(headers: &HeaderMap) -> ApiResult<i64> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError {
            status: StatusCode::PRECONDITION_REQUIRED,
            error: "precondition_required",
            parameter: Some("If-Match".into()),
            detail: "send the ETag of the loop you read in If-Match, so that no one else's change is overwritten".into(),
        });
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.strip_prefix('v'))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            ApiError::invalid(
                "If-Match",
                "If-Match must be an ETag this server gave, like \"v3\"",
            )
        })
}

fn loop_id(raw: &str) -> ApiResult<(i64, Option<&'static str>)> {
    let (id, format) = if let Some(id) = raw.strip_suffix(".gpx") {
        (id, Some("gpx"))
    } else if let Some(id) = raw.strip_suffix(".geojson") {
        (id, Some("geojson"))
    } else {
        (raw, None)
    };
    let id = id
        .parse::<i64>()
        .map_err(|_| ApiError::not_found(Some("id"), format!("no saved loop {raw:?}")))?;
    Ok((id, format))
}

fn not_found(id: i64) -> ApiError {
    ApiError::not_found(Some("id"), format!("no saved loop {id}"))
}

fn stale(current: i64) -> ApiError {
    ApiError {
        status: StatusCode::PRECONDITION_FAILED,
        error: "precondition_failed",
        parameter: Some("If-Match".into()),
        detail: format!(
            "the loop has changed since you read it (now \"v{current}\"): read it again and reapply your change"
        ),
    }
}

fn store(s: &AppState) -> ApiResult<&crate::store::LoopStore> {
    s.store.as_ref().ok_or_else(|| ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        error: "no_database",
        parameter: None,
        detail: "this server was started without a loop database".into(),
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(internal)?
}

/// The body of POST and PUT /api/loops: the planning fields plus `name` and `notes`.
struct SaveBody {
    req: PlanRequest,
    name: String,
    notes: String,
    /// The planning fields as given, to store beside the plan.
    request: Value,
}

fn save_body(body: Result<Bytes, BytesRejection>) -> ApiResult<SaveBody> {
    let obj = body_json(body)?;
    let req = plan_request(&obj, &["name", "notes"])?;
    let name = text_field(&obj, "name", MAX_NAME_CHARS, true)?;
    let notes = text_field(&obj, "notes", MAX_NOTES_CHARS, false)?;
    let request = Value::Object(
        obj.into_iter()
            .filter(|(k, _)| PLAN_FIELDS.contains(&k.as_str()))
            .collect(),
    );
    Ok(SaveBody {
        req,
        name,
        notes,
        request,
    })
}

pub async fn create(
    State(s): State<AppState>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    authorise(&s, &headers)?;
    store(&s)?;
    let SaveBody {
        req,
        name,
        notes,
        request,
    } = save_body(body)?;
    let saved = blocking(move || {
        let plan = compute(&s, &req)?;
        store(&s)?
            .insert(&name, &notes, &request, &plan)
            .map_err(store_error)
    })
    .await?;
    let mut resp = with_etag(StatusCode::CREATED, &saved);
    resp.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/api/loops/{}", saved.id)).expect("ASCII path"),
    );
    Ok(resp)
}

pub async fn list(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    store(&s)?;
    let loops = blocking(move || store(&s)?.list().map_err(store_error)).await?;
    let out: Vec<Value> = loops
        .iter()
        .map(|l| {
            json!({"id": l.id, "name": l.name, "notes": l.notes, "version": l.version, "updated_at": l.updated_at,
                   "distance_m": l.plan["properties"]["distance_m"], "stops": l.request["stops"].as_array().map_or(0, Vec::len),
                   "geometry": l.plan["geometry"]})
        })
        .collect();
    Ok(Json(json!({"loops": out})))
}

pub async fn read(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let (id, format) = loop_id(&raw)?;
    store(&s)?;
    let saved = blocking(move || store(&s)?.get(id).map_err(store_error))
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(match format {
        None => with_etag(StatusCode::OK, &saved),
        Some("gpx") => {
            let mut r = (StatusCode::OK, gpx(&saved)).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/gpx+xml; charset=utf-8"),
            );
            r.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"loop-{id}.gpx\""))
                    .expect("ASCII"),
            );
            r
        }
        Some(_) => {
            let mut r = (StatusCode::OK, Json(export_geojson(&saved))).into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/geo+json"),
            );
            r.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"loop-{id}.geojson\""))
                    .expect("ASCII"),
            );
            r
        }
    })
}

pub async fn update(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    authorise(&s, &headers)?;
    let (id, None) = loop_id(&raw)? else {
        return Err(not_found_path(&raw));
    };
    store(&s)?;
    let expected = if_match(&headers)?;
    let SaveBody {
        req,
        name,
        notes,
        request,
    } = save_body(body)?;
    let outcome = blocking(move || {
        let plan = compute(&s, &req)?;
        store(&s)?
            .update(id, expected, &name, &notes, &request, &plan)
            .map_err(store_error)
    })
    .await?;
    match outcome {
        Change::Done(saved) => Ok(with_etag(StatusCode::OK, &saved)),
        Change::NotFound => Err(not_found(id)),
        Change::Stale(v) => Err(stale(v)),
    }
}

fn not_found_path(raw: &str) -> ApiError {
    ApiError::not_found(
        Some("id"),
        format!("{raw:?} is an export; change the loop at its own address"),
    )
}

pub async fn delete(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<StatusCode> {
    Params::parse(q.as_deref(), &[])?;
    authorise(&s, &headers)?;
    let (id, None) = loop_id(&raw)? else {
        return Err(not_found_path(&raw));
    };
    store(&s)?;
    let expected = if_match(&headers)?;
    match blocking(move || store(&s)?.delete(id, expected).map_err(store_error)).await? {
        Change::Done(()) => Ok(StatusCode::NO_CONTENT),
        Change::NotFound => Err(not_found(id)),
        Change::Stale(v) => Err(stale(v)),
    }
}

fn xml(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// GPX 1.1: the stops as waypoints and as a route, and the path as a track.
pub fn gpx(l: &SavedLoop) -> String {
    let props = &l.plan["properties"];
    let stops: Vec<(f64, f64, String)> = props["order"]
        .as_array()
        .map(|o| {
            o.iter()
                .enumerate()
                .map(|(i, s)| {
                    let p = &s["position"];
                    let name = format!("{}. {}", i + 1, s["name_zh"].as_str().unwrap_or(""));
                    (
                        p[0].as_f64().unwrap_or(0.0),
                        p[1].as_f64().unwrap_or(0.0),
                        name,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<gpx version=\"1.1\" creator=\"Yuqian Map\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n");
    out.push_str(&format!(
        "  <metadata><name>{}</name><desc>{}</desc></metadata>\n",
        xml(&l.name),
        xml(&l.notes)
    ));
    for (lon, lat, name) in &stops {
        out.push_str(&format!(
            "  <wpt lat=\"{lat}\" lon=\"{lon}\"><name>{}</name></wpt>\n",
            xml(name)
        ));
    }
    out.push_str(&format!("  <rte><name>{}</name>\n", xml(&l.name)));
    for (lon, lat, name) in &stops {
        out.push_str(&format!(
            "    <rtept lat=\"{lat}\" lon=\"{lon}\"><name>{}</name></rtept>\n",
            xml(name)
        ));
    }
    out.push_str("  </rte>\n");
    out.push_str(&format!("  <trk><name>{}</name><trkseg>\n", xml(&l.name)));
    for c in l.plan["geometry"]["coordinates"]
        .as_array()
        .into_iter()
        .flatten()
    {
        out.push_str(&format!("    <trkpt lat=\"{}\" lon=\"{}\"/>\n", c[1], c[0]));
    }
    out.push_str("  </trkseg></trk>\n</gpx>\n");
    out
}

/// An RFC 7946 FeatureCollection: the loop line and its numbered stops.
pub fn export_geojson(l: &SavedLoop) -> Value {
    let mut loop_feature = l.plan.clone();
    loop_feature["id"] = json!(format!("loop-{}", l.id));
    loop_feature["properties"]["name"] = json!(l.name);
    loop_feature["properties"]["notes"] = json!(l.notes);
    let mut features = vec![loop_feature];
    for (i, s) in l.plan["properties"]["order"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        features.push(json!({
            "type": "Feature",
            "id": format!("loop-{}-stop-{}", l.id, i + 1),
            "geometry": {"type": "Point", "coordinates": s["position"]},
            "properties": {"number": i + 1, "stop_id": s["id"], "name_zh": s["name_zh"], "name_en": s["name_en"]},
        }));
    }
    let bbox = bbox_of(&l.plan["geometry"]["coordinates"]);
    let mut fc = json!({"type": "FeatureCollection", "features": features});
    if let Some(b) = bbox {
        fc["bbox"] = json!([b.min.x, b.min.y, b.max.x, b.max.y]);
    }
    fc
}

fn bbox_of(coords: &Value) -> Option<LonLatRect> {
    let mut it = coords.as_array()?.iter().filter_map(|c| {
        Some(geo::Coord {
            x: c[0].as_f64()?,
            y: c[1].as_f64()?,
        })
    });
    let first = it.next()?;
    Some(it.fold(
        LonLatRect {
            min: first,
            max: first,
        },
        |r, c| LonLatRect {
            min: geo::Coord {
                x: r.min.x.min(c.x),
                y: r.min.y.min(c.y),
            },
            max: geo::Coord {
                x: r.max.x.max(c.x),
                y: r.max.y.max(c.y),
            },
        },
    ))
}
