//! `GET /tiles/{layers}/{z}/{x}/{y}.mvt` and `GET /tiles/{layers}.json`: vector tiles of the
//! snapshot a request started with, and their TileJSON.
//!
//! The path is parsed here by hand, so that every malformed path gets a JSON error naming its
//! part (`layers`, `z`, `x`, `y`) instead of a router rejection, and no path can panic. A cached
//! tile is answered at once; an uncached one is cut on the heavy pool under its deadline. Tile
//! requests do not count against the rate limit of heavy requests: a map view asks for dozens
//! at once. Answers carry the data ETag and `Cache-Control: no-cache` from
//! [`super::middleware`] (so a client revalidates, and a reload is seen at once, at the cost of a
//! 304). Tiles are cached gzipped and sent so to clients that take gzip, unpacked to others.

use super::error::{ApiError, ApiResult};
use super::heavy;
use super::state::{AppState, Snap};
use crate::tiles::{LayersError, TileCoord, TileError, parse_layers, tilejson};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
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
pub async fn get(
    State(s): State<AppState>,
    Snap(snap): Snap,
    uri: Uri,
    headers: HeaderMap,
) -> ApiResult<Response> {
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
    // The cache holds tiles gzipped: sent as they are to a client that takes gzip (the
    // compression layer leaves an answer with a Content-Encoding alone), unpacked otherwise.
    let gzip = accepts_gzip(&headers);
    let body = match snap.tiles.cached_as(&layers, t, gzip) {
        Some(b) => b,
        None => {
            heavy::value(&s, snap, move |snap, deadline| {
                snap.tiles
                    .tile_as(&snap.dataset, &layers, t, &deadline, gzip)
                    .map_err(tile_error)
            })
            .await?
        }
    };
    if body.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let mut resp = (StatusCode::OK, Body::from(body)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(MVT_CONTENT_TYPE),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Ok(resp)
}

/// Whether `Accept-Encoding` takes gzip (`gzip` or `*`, not with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding == "gzip" || coding == "*") && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_accepted_unless_refused() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(accepts_gzip(&h("gzip, deflate, br, zstd")));
        assert!(accepts_gzip(&h("br;q=1.0, GZIP;q=0.5")));
        assert!(accepts_gzip(&h("*")));
        assert!(!accepts_gzip(&h("br")));
        assert!(!accepts_gzip(&h("gzip;q=0, br")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
