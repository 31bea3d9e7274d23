//! Route loops: planning, ready-made loops from the data, and saved loops (SQLite) with
//! ETag / If-Match, bearer-token writes, and GPX / GeoJSON export.

mod export;
mod request;

pub use export::{export_geojson, gpx, plan_json};
pub use request::plan_request;

use super::admin::token_matches;
use super::error::{ApiError, ApiResult};
use super::heavy;
use super::params::Params;
use super::state::{AppState, Snap};
use crate::routing::plan::{PlanError, PlanRequest};
use crate::snapshot::Snapshot;
use crate::store::{Change, SavedLoop};
use crate::work::Deadline;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use export::saved_json;
use request::{SaveBody, body_json, save_body};
use serde_json::{Value, json};

fn compute(snap: &Snapshot, req: &PlanRequest, deadline: Deadline) -> ApiResult<Value> {
    let ds = &snap.dataset;
    let plan = snap
        .planner
        .plan(ds, snap.border.as_ref(), req, &deadline)
        .map_err(|e| match e {
            PlanError::Invalid(e) => ApiError::from(e),
            PlanError::OverBudget(e) => ApiError::from(e),
        })?;
    Ok(plan_json(ds, req, &plan))
}

pub async fn plan(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let obj = body_json(body)?;
    let req = plan_request(&obj, &[])?;
    heavy::run(&s, snap, move |snap, deadline| {
        compute(snap, &req, deadline)
    })
    .await
}

/// The routes of the data (专栏4-2 and others) as ready-made planning requests.
pub async fn presets(Snap(snap): Snap, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let ds = &snap.dataset;
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

fn store_error(e: crate::store::StoreError) -> ApiError {
    ApiError::internal(e)
}

/// Checks `Authorization: Bearer <token>` when a write token is configured.
fn authorise(s: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let Some(token) = &s.write_token else {
        return Ok(());
    };
    if token_matches(headers, token) {
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
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

/// A save body, validated and planned on the heavy pool.
struct Planned {
    name: String,
    notes: String,
    request: Value,
    plan: Value,
}

async fn planned(
    s: &AppState,
    snap: std::sync::Arc<Snapshot>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Planned> {
    let SaveBody {
        req,
        name,
        notes,
        request,
    } = save_body(body)?;
    let plan = heavy::value(s, snap, move |snap, deadline| compute(snap, &req, deadline)).await?;
    Ok(Planned {
        name,
        notes,
        request,
        plan,
    })
}

pub async fn create(
    State(s): State<AppState>,
    Snap(snap): Snap,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    authorise(&s, &headers)?;
    store(&s)?;
    let Planned {
        name,
        notes,
        request,
        plan,
    } = planned(&s, snap, body).await?;
    let saved = blocking(move || {
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
    Snap(snap): Snap,
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
    let Planned {
        name,
        notes,
        request,
        plan,
    } = planned(&s, snap, body).await?;
    let outcome = blocking(move || {
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
