//! Layers, features by box or id, and name search.

use super::error::{ApiError, ApiResult};
use super::heavy;
use super::output::{collection, feature};
use super::params::Params;
use super::state::{AppState, Snap};
use crate::query::bbox::{self, Bbox};
use crate::query::search as text;
use crate::work::Deadline;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

pub async fn layers(Snap(snap): Snap, RawQuery(q): RawQuery) -> ApiResult<Json<Value>> {
    Params::parse(q.as_deref(), &[])?;
    let ds = &snap.dataset;
    let layers: Vec<Value> = ds
        .catalogue
        .layers
        .iter()
        .zip(&ds.stats)
        .map(|(l, st)| {
            json!({
                "id": l.id,
                "title_zh": l.title_zh,
                "title_en": l.title_en,
                "geometry": l.geometry,
                "boundary": l.boundary,
                "role": l.role,
                "feature_count": st.feature_count,
                "bbox": st.bbox.map(|b| [b.min.x, b.min.y, b.max.x, b.max.y]),
                "source": l.source,
                "licence": l.licence,
                "attribution": l.attribution,
            })
        })
        .collect();
    Ok(Json(json!({ "layers": layers })))
}

pub async fn features(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    heavy::run(&s, snap, move |snap, deadline| {
        features_page(snap, q.as_deref(), deadline)
    })
    .await
}

fn features_page(
    snap: &crate::snapshot::Snapshot,
    q: Option<&str>,
    deadline: Deadline,
) -> ApiResult<Value> {
    let p = Params::parse(
        q,
        &["bbox", "layers", "status", "province", "limit", "offset"],
    )?;
    let ds = &snap.dataset;
    let bbox = p
        .str("bbox")
        .map(|b| Bbox::parse("bbox", b))
        .transpose()?
        .unwrap_or(Bbox::WORLD);
    let filter = p.filter(ds)?;
    let limit = p
        .usize("limit", bbox::MAX_LIMIT)?
        .unwrap_or(bbox::DEFAULT_LIMIT);
    let offset = p.usize("offset", usize::MAX)?.unwrap_or(0);
    let page = bbox::features_in(ds, bbox, &filter, limit, offset, &deadline)?;
    let out = page
        .features
        .iter()
        .map(|i| feature(ds, *i, Map::new()))
        .collect();
    Ok(collection(out, page.matched))
}

pub async fn feature_by_id(Snap(snap): Snap, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let ds = &snap.dataset;
    let i = ds
        .find(&id)
        .ok_or_else(|| ApiError::not_found(Some("id"), format!("no feature with id {id:?}")))?;
    Ok(Json(feature(ds, i, Map::new())))
}

/// `GET /api/features/mvt/{id}`: the feature of a tile feature's MVT id (low-zoom tiles carry
/// no string ids; see [`crate::tiles::index::names_from_zoom`]).
pub async fn feature_by_mvt_id(Snap(snap): Snap, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let n: u64 = id.parse().map_err(|_| {
        ApiError::invalid(
            "id",
            format!("an MVT id is a whole number below 2^53, not {id:?}"),
        )
    })?;
    let ds = &snap.dataset;
    let i = snap.tiles.index.feature_of_id(n).ok_or_else(|| {
        ApiError::not_found(
            Some("id"),
            format!("no feature with MVT id {n} in this data version"),
        )
    })?;
    Ok(Json(feature(ds, i, Map::new())))
}

pub async fn search(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    heavy::run(&s, snap, move |snap, deadline| {
        search_names(snap, q.as_deref(), deadline)
    })
    .await
}

fn search_names(
    snap: &crate::snapshot::Snapshot,
    q: Option<&str>,
    deadline: Deadline,
) -> ApiResult<Value> {
    let p = Params::parse(q, &["q", "limit", "layers", "status", "province"])?;
    let ds = &snap.dataset;
    let query = p.required("q")?;
    let chars = query.trim().chars().count();
    if chars == 0 {
        return Err(ApiError::invalid("q", "q must not be empty"));
    }
    if chars > text::MAX_QUERY_CHARS {
        return Err(ApiError::invalid(
            "q",
            format!(
                "q is {chars} characters; the maximum is {}",
                text::MAX_QUERY_CHARS
            ),
        ));
    }
    let limit = p
        .usize("limit", text::MAX_LIMIT)?
        .unwrap_or(text::DEFAULT_LIMIT);
    let filter = p.filter(ds)?;
    let (matched, hits) = text::search(ds, query, &filter, limit, &deadline)?;
    let out = hits.iter().map(|i| feature(ds, *i, Map::new())).collect();
    Ok(collection(out, matched))
}
