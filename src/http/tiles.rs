//! `GET /tiles/{layers}/{z}/{x}/{y}.mvt` and `GET /tiles/{layers}.json`: vector tiles of the
//! snapshot a request started with, and their TileJSON.
//!
//! The path is parsed here by hand, so that every malformed path gets a JSON error naming its
//! part (`layers`, `z`, `x`, `y`) instead of a router rejection, and no path can panic. A cached
//! tile is answered at once; an uncached one is cut on the heavy pool under its deadline. Tile
//! requests do not count against the rate limit of heavy requests: a map view asks for dozens
//! at once. Answers carry the data ETag and `Cache-Control: no-cache` from
//! [`super::middleware`] (so a client revalidates, and a reload is seen at once, at the cost of a
//! 304), and are gzip- or br-compressed there when the client accepts it.

use super::error::{ApiError, ApiResult};
use super::heavy;
use super::state::{AppState, Snap};
use crate::tiles::{LayersError, TileCoord, TileError, parse_layers, tilejson};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// The media type of a Mapbox Vector Tile.
pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";

fn layers_error(e: LayersError) -> ApiError {
    match e {
        LayersError::Empty => ApiError::invalid("layers", e.to_string()),
        LayersError::Unknown(_) => ApiError::not_found(Some("layers"), e.to_string()),
    }
}

fn tile_error(e: TileError) -> ApiError {
    match e {
        TileError::OverBudget(o) => o.into(),
        TileError::Encode(e) => ApiError::internal(e),
    }
}

fn no_such_path(uri: &Uri) -> ApiError {
    ApiError::not_found(
        None,
        format!(
            "no such tile path: {} (expected /tiles/{{layers}}/{{z}}/{{x}}/{{y}}.mvt or /tiles/{{layers}}.json)",
            uri.path()
        ),
    )
}

/// Both tile endpoints, told apart by the path's shape.
pub async fn get(State(s): State<AppState>, Snap(snap): Snap, uri: Uri) -> ApiResult<Response> {
    let rest = uri.path().strip_prefix("/tiles/").unwrap_or_default();
    // Layer ids are a-z, 0-9 and _, so the only escape a client may send is the comma's.
    let rest = rest.replace("%2C", ",").replace("%2c", ",");
    if let Some(list) = rest.strip_suffix(".json")
        && !list.contains('/')
    {
        let layers = parse_layers(&snap.dataset, list).map_err(layers_error)?;
        let doc = tilejson::tilejson(
            &snap.dataset,
            &snap.tiles.index,
            &layers,
            list,
            &s.public_url,
        );
        let bytes = serde_json::to_vec(&doc).map_err(ApiError::internal)?;
        return Ok(heavy::json_bytes(StatusCode::OK, bytes));
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let [list, z, x, y_mvt] = parts[..] else {
        return Err(no_such_path(&uri));
    };
    let Some(y) = y_mvt.strip_suffix(".mvt") else {
        return Err(no_such_path(&uri));
    };
    let t =
        TileCoord::parse(z, x, y).map_err(|e| ApiError::invalid(e.parameter(), e.to_string()))?;
    let layers = parse_layers(&snap.dataset, list).map_err(layers_error)?;
    let bytes = match snap.tiles.cached(&layers, t) {
        Some(b) => b,
        None => {
            heavy::value(&s, snap, move |snap, deadline| {
                snap.tiles
                    .tile(&snap.dataset, &layers, t, &deadline)
                    .map_err(tile_error)
            })
            .await?
        }
    };
    if bytes.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let mut resp = (StatusCode::OK, Body::from(bytes)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(MVT_CONTENT_TYPE),
    );
    Ok(resp)
}
