//! Route loops: planning, ready-made loops from the data, and saved loops (SQLite or
//! PostgreSQL, see [`crate::store`]) with ETag / If-Match, `Idempotency-Key` on saves,
//! bearer-token writes, and GPX / GeoJSON export.

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
use crate::store::{Change, Idempotency, NewLoop, Saved, SavedLoop, StoreError};
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

/// An unreachable database is a 503 the client may retry (the pool reconnects by itself);
/// anything else is a fault of ours.
pub(crate) fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::Unavailable(detail) => {
            tracing::warn!("loop database: {detail}");
            ApiError::unavailable(
                "database_unavailable",
                "the loop database cannot be reached right now; nothing was changed, try again in a moment",
            )
        }
        e => ApiError::internal(e),
    }
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

/// A save body, validated and planned on the heavy pool.
async fn planned(
    s: &AppState,
    snap: std::sync::Arc<Snapshot>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<NewLoop> {
    let SaveBody {
        req,
        name,
        notes,
        request,
    } = save_body(body)?;
    let plan = heavy::value(s, snap, move |snap, deadline| compute(snap, &req, deadline)).await?;
    Ok(NewLoop {
        name,
        notes,
        request,
        plan,
    })
}

/// The longest `Idempotency-Key` taken, in bytes.
const MAX_KEY_BYTES: usize = 255;

/// The `Idempotency-Key` of a save, if sent: 1 to 255 visible ASCII characters, with the
/// SHA-256 of the body as the fingerprint a retry must match.
fn idempotency(headers: &HeaderMap, body: &[u8]) -> ApiResult<Option<Idempotency>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= MAX_KEY_BYTES && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::invalid(
                "Idempotency-Key",
                format!("Idempotency-Key must be 1 to {MAX_KEY_BYTES} visible ASCII characters, such as a UUID"),
            )
        })?;
    use sha2::Digest;
    let fingerprint = sha2::Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Some(Idempotency {
        key: key.to_string(),
        fingerprint,
    }))
}

/// The answer to a save: 201 with the loop, its ETag and its address; a retry under the same
/// key gets the same answer as the first save.
fn created(saved: &SavedLoop) -> Response {
    let mut resp = with_etag(StatusCode::CREATED, saved);
    resp.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("/api/loops/{}", saved.id)).expect("ASCII path"),
    );
    resp
}

/// The first save under `key`, if `earlier` is one with the same body; 422 if the body differs.
fn replay(key: &Idempotency, earlier: &crate::store::KeyedSave) -> ApiResult<Response> {
    if earlier.fingerprint != key.fingerprint {
        return Err(ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: "idempotency_key_reused",
            parameter: Some("Idempotency-Key".into()),
            detail: format!(
                "the Idempotency-Key {:?} was used for a save with another body (loop {}); use a new key for a new save",
                key.key, earlier.first.id
            ),
        });
    }
    let mut resp = created(&earlier.first);
    resp.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(resp)
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
    let key = match &body {
        Ok(bytes) => idempotency(&headers, bytes)?,
        Err(_) => None,
    };
    // A retry is answered before planning again.
    if let Some(k) = &key
        && let Some(earlier) = store(&s)?.keyed(&k.key).await.map_err(store_error)?
    {
        return replay(k, &earlier);
    }
    let new = planned(&s, snap, body).await?;
    match store(&s)?
        .insert(new, key.clone())
        .await
        .map_err(store_error)?
    {
        Saved::Created(saved) => Ok(created(&saved)),
        Saved::Earlier(earlier) => replay(
            key.as_ref().expect("only a keyed save has an earlier one"),
            &earlier,
        ),
    }
}

pub async fn list(State(s): State<AppState>, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let loops = store(&s)?.list().await.map_err(store_error)?;
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
    let saved = store(&s)?
        .get(id)
        .await
        .map_err(store_error)?
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
    let new = planned(&s, snap, body).await?;
    let outcome = store(&s)?
        .update(id, expected, new)
        .await
        .map_err(store_error)?;
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
    match store(&s)?.delete(id, expected).await.map_err(store_error)? {
        Change::Done(()) => Ok(StatusCode::NO_CONTENT),
        Change::NotFound => Err(not_found(id)),
        Change::Stale(v) => Err(stale(v)),
    }
}
