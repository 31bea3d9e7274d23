//! The landing page, conformance, the collections and their queryables, the API document.

use super::format::{Format, negotiate};
use super::links::{self, Base, link, self_and_alternate};
use super::{openapi, params, respond};
use crate::http::error::{ApiError, ApiResult};
use crate::http::state::{AppState, Snap};
use crate::index::Dataset;
use crate::ogc::{cql, crs::Crs};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

/// The conformance classes of Part 1 and Part 2; Part 3's and CQL2's come from
/// [`cql::CONFORMANCE`]. Only what is implemented in full is declared: clients decide what to
/// send from this list.
const CONFORMANCE: [&str; 5] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
];

pub const REL_CONFORMANCE: &str = "http://www.opengis.net/def/rel/ogc/1.0/conformance";
pub const REL_DATA: &str = "http://www.opengis.net/def/rel/ogc/1.0/data";
pub const REL_QUERYABLES: &str = "http://www.opengis.net/def/rel/ogc/1.0/queryables";

/// Every conformance class declared.
pub fn conformance_classes() -> Vec<&'static str> {
    CONFORMANCE
        .iter()
        .chain(cql::CONFORMANCE.iter())
        .copied()
        .collect()
}

/// The `f` parameter alone, and the representation asked for.
fn plain(q: Option<&str>, headers: &HeaderMap) -> ApiResult<(Vec<(String, String)>, Format)> {
    let pairs = params::pairs(q)?;
    params::only(&pairs, &["f"])?;
    let format = negotiate(params::get(&pairs, "f"), headers)?;
    Ok((pairs, format))
}

pub async fn landing(
    State(s): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (pairs, format) = plain(q.as_deref(), &headers)?;
    let base = Base::new(&s.public_url);
    let mut links = self_and_alternate(&base, "", &pairs, format, false);
    links.extend([
        link(
            base.url("/api", &[]),
            "service-desc",
            links::OPENAPI,
            "the API definition (OpenAPI 3.0)",
        ),
        link(
            base.url("/api", &[("f".into(), "html".into())]),
            "service-doc",
            links::HTML,
            "the API definition as HTML",
        ),
        link(
            base.url("/conformance", &[]),
            "conformance",
            links::JSON,
            "conformance classes",
        ),
        link(
            base.url("/conformance", &[]),
            REL_CONFORMANCE,
            links::JSON,
            "conformance classes",
        ),
        link(
            base.url("/collections", &[]),
            "data",
            links::JSON,
            "the collections: one per layer",
        ),
        link(
            base.url("/collections", &[]),
            REL_DATA,
            links::JSON,
            "the collections: one per layer",
        ),
    ]);
    let body = json!({
        "title": "Yuqian Map (渝黔) — OGC API – Features",
        "description": "The cross-border infrastructure of the Chongqing–Guizhou border around Qijiang and Chongqing's paired-district cooperation: every layer of the map as a feature collection.",
        "links": links,
    });
    Ok(respond(format, links::JSON, "Yuqian Map", &body))
}

pub async fn conformance(
    State(s): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (pairs, format) = plain(q.as_deref(), &headers)?;
    let base = Base::new(&s.public_url);
    let body = json!({
        "links": self_and_alternate(&base, "/conformance", &pairs, format, false),
        "conformsTo": conformance_classes(),
    });
    Ok(respond(format, links::JSON, "Conformance", &body))
}

pub async fn api(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (_, format) = plain(q.as_deref(), &headers)?;
    let ds = &snap.dataset;
    let doc = openapi::document(ds, snap.ogc.queryables(), &s.public_url);
    Ok(respond(format, links::OPENAPI, "API definition", &doc))
}

pub async fn collections(
    State(s): State<AppState>,
    Snap(snap): Snap,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (pairs, format) = plain(q.as_deref(), &headers)?;
    let base = Base::new(&s.public_url);
    let ds = &snap.dataset;
    let list: Vec<Value> = (0..ds.catalogue.layers.len())
        .map(|l| collection_json(ds, l, &base, format))
        .collect();
    let body = json!({
        "links": self_and_alternate(&base, "/collections", &pairs, format, false),
        "collections": list,
    });
    Ok(respond(format, links::JSON, "Collections", &body))
}

pub async fn collection(
    State(s): State<AppState>,
    Snap(snap): Snap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (format, l, base) = of_collection(&s, &snap, &id, q.as_deref(), &headers)?;
    let ds = &snap.dataset;
    let body = collection_json(ds, l, &base, format);
    let title = ds.catalogue.layers[l].title_en.clone();
    Ok(respond(format, links::JSON, &title, &body))
}

pub async fn queryables(
    State(s): State<AppState>,
    Snap(snap): Snap,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (format, l, base) = of_collection(&s, &snap, &id, q.as_deref(), &headers)?;
    let ds = &snap.dataset;
    let spec = &ds.catalogue.layers[l];
    let schema = snap.ogc.queryables()[l].json_schema(
        &base.url(&format!("/collections/{}/queryables", spec.id), &[]),
        &format!("{} — queryables", spec.title_en),
    );
    Ok(respond(format, links::SCHEMA, "Queryables", &schema))
}

/// A request about collection `id` that takes `f` alone: its representation, the layer's
/// catalogue position (or 404) and the base of its links.
fn of_collection(
    s: &AppState,
    snap: &crate::snapshot::Snapshot,
    id: &str,
    q: Option<&str>,
    headers: &HeaderMap,
) -> ApiResult<(Format, usize, Base)> {
    let (_, format) = plain(q, headers)?;
    let l = layer(&snap.dataset, id)?;
    Ok((format, l, Base::new(&s.public_url)))
}

/// The catalogue position of collection `id`, or 404.
pub fn layer(ds: &Dataset, id: &str) -> ApiResult<usize> {
    ds.layer_index(id).ok_or_else(|| {
        let known: Vec<&str> = ds.catalogue.layers.iter().map(|l| l.id.as_str()).collect();
        ApiError::not_found(
            Some("collectionId"),
            format!(
                "no collection {id:?}; the collections are {}",
                known.join(", ")
            ),
        )
    })
}

/// One collection's description, its links in `format` first.
pub fn collection_json(ds: &Dataset, l: usize, base: &Base, format: Format) -> Value {
    let spec = &ds.catalogue.layers[l];
    let path = format!("/collections/{}", spec.id);
    let mut links = self_and_alternate(base, &path, &[], format, false);
    let items = format!("{path}/items");
    links.extend([
        link(
            base.url(&items, &[]),
            "items",
            links::GEOJSON,
            "the features",
        ),
        link(
            base.url(&items, &[("f".into(), "html".into())]),
            "items",
            links::HTML,
            "the features as HTML",
        ),
        link(
            base.url(&format!("{path}/queryables"), &[]),
            REL_QUERYABLES,
            links::SCHEMA,
            "the properties a filter may use",
        ),
    ]);
    let mut body = json!({
        "id": spec.id,
        "title": spec.title_en,
        "description": format!(
            "{} ({}). Source: {}. Licence: {}. {}",
            spec.title_zh, spec.title_en, spec.source, spec.licence, spec.attribution
        ),
        "itemType": "feature",
        "links": links,
        "crs": Crs::ALL.iter().map(|c| c.uri()).collect::<Vec<_>>(),
        "storageCrs": Crs::Crs84.uri(),
    });
    if let Some(b) = ds.stats[l].bbox {
        body["extent"] = json!({
            "spatial": {
                "bbox": [[b.min.x, b.min.y, b.max.x, b.max.y]],
                "crs": Crs::Crs84.uri(),
            }
        });
    }
    body
}
