//! `/ogc`: every layer as an OGC API – Features collection (Part 1 Core with GeoJSON, HTML and
//! OpenAPI 3.0; Part 2 CRS by reference; Part 3 filtering with CQL2).
//!
//! | file | what |
//! |---|---|
//! | `resources.rs` | landing page, conformance, collections, one collection, queryables, the API document |
//! | `items.rs` | `/items` and `/items/{featureId}`: parameters, the shared selection, GeoJSON |
//! | `params.rs` | the OGC parameters: `bbox` (antimeridian), `limit` (clamped), `datetime`, CRSs |
//! | `openapi.rs` | the OpenAPI 3.0 document of `/ogc`, built from the catalogue |
//! | `format.rs`, `links.rs`, `html.rs` | `f` and `Accept`; absolute links; the HTML view |
//!
//! The features come from [`crate::query::select`], as `/api/features`'s do; only the
//! parameters and the representation are this module's.

mod format;
mod html;
mod items;
mod links;
mod openapi;
mod params;
mod resources;

use super::state::AppState;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use format::Format;
use serde_json::Value;

/// The `/ogc` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ogc", get(resources::landing))
        .route("/ogc/", get(resources::landing))
        .route("/ogc/conformance", get(resources::conformance))
        .route("/ogc/api", get(resources::api))
        .route("/ogc/collections", get(resources::collections))
        .route("/ogc/collections/{collection}", get(resources::collection))
        .route(
            "/ogc/collections/{collection}/queryables",
            get(resources::queryables),
        )
        .route("/ogc/collections/{collection}/items", get(items::items))
        .route(
            "/ogc/collections/{collection}/items/{feature}",
            get(items::item),
        )
}

/// An answer in `format`: `value` as `json_media`, or rendered as an HTML page titled `title`.
fn respond(format: Format, json_media: &'static str, title: &str, value: &Value) -> Response {
    let (body, media) = match format {
        Format::Json => (
            serde_json::to_vec(value).expect("a JSON value serialises"),
            json_media,
        ),
        Format::Html => (
            html::page(title, value).into_bytes(),
            "text/html; charset=utf-8",
        ),
    };
    let mut resp = Body::from(body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    if format == Format::Html {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(html::CSP),
        );
    }
    resp
}
