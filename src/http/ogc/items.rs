//! `/ogc/collections/{collectionId}/items` and `/items/{featureId}`.
//!
//! The parameters are parsed by OGC rules ([`super::params`]), compiled into one
//! [`Selection`] (the collection's layer, the boxes, the queryables given as parameters and the
//! CQL2 `filter`, whose spatial predicates narrow the R-tree candidates), and the page is taken
//! by [`select::page`], the function behind `/api/features`.

use super::format::{Format, negotiate};
use super::links::{self, Base, link, self_and_alternate};
use super::resources::layer;
use super::{params, respond};
use crate::http::error::{ApiError, ApiResult};
use crate::http::heavy;
use crate::http::output;
use crate::http::state::{AppState, Snap};
use crate::index::Dataset;
use crate::layers::Feature;
use crate::ogc::cql::{self, Expression, Lang};
use crate::ogc::crs::{self, Crs};
use crate::ogc::queryables::Kind;
use crate::query::Filter;
use crate::query::select::{self, Selection};
use crate::snapshot::Snapshot;
use crate::work::Deadline;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

pub async fn items(
    State(s): State<AppState>,
    Snap(snap): Snap,
    Path(collection): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let base = Base::new(&s.public_url);
    heavy::value(&s, snap, move |snap, deadline| {
        items_page(snap, &base, &collection, q.as_deref(), &headers, deadline)
    })
    .await
}

/// A feature id as a path segment.
fn segment(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}

fn content_crs(resp: &mut Response, crs: Crs) {
    let v = HeaderValue::from_str(&format!("<{}>", crs.uri())).expect("a CRS URI is ASCII");
    resp.headers_mut().insert("Content-Crs", v);
}

fn items_page(
    snap: &Snapshot,
    base: &Base,
    collection: &str,
    q: Option<&str>,
    headers: &HeaderMap,
    deadline: Deadline,
) -> ApiResult<Response> {
    let ds = &snap.dataset;
    let l = layer(ds, collection)?;
    let spec = &ds.catalogue.layers[l];
    let queryables = &snap.ogc.queryables(ds)[l];
    let pairs = params::pairs(q)?;
    // The queryables a parameter may name: all but those named like a reserved parameter.
    let as_parameters: Vec<&str> = queryables
        .iter()
        .filter(|q| !matches!(q.kind, Kind::Geometry(_)))
        .map(|q| q.name.as_str())
        .filter(|n| !params::RESERVED.contains(n))
        .collect();
    let allowed: Vec<&str> = params::RESERVED
        .iter()
        .copied()
        .chain(as_parameters.iter().copied())
        .collect();
    params::only(&pairs, &allowed)?;
    let get = |name: &str| params::get(&pairs, name);
    let format = negotiate(get("f"), headers)?;
    let limit = params::limit(get("limit"))?;
    let offset = params::offset(get("offset"))?;
    let out_crs = params::crs("crs", get("crs"))?;
    let bbox_crs = params::crs("bbox-crs", get("bbox-crs"))?;
    let boxes = get("bbox").map(|b| params::bbox(b, bbox_crs)).transpose()?;
    if let Some(d) = get("datetime") {
        params::datetime(d)?;
    }
    let filter_crs = params::crs("filter-crs", get("filter-crs"))?;
    let lang = match get("filter-lang") {
        None | Some("cql2-text") => Lang::Text,
        Some("cql2-json") => Lang::Json,
        Some(other) => {
            return Err(ApiError::invalid(
                "filter-lang",
                format!(
                    "unknown filter language {other:?}; filter-lang takes cql2-text or cql2-json"
                ),
            ));
        }
    };
    let to_crs84 =
        |g: geo::Geometry<f64>| crs::geometry_to_crs84(filter_crs, &g).map_err(|e| e.to_string());
    let mut tests: Vec<Expression> = Vec::new();
    for (name, value) in &pairs {
        if as_parameters.contains(&name.as_str()) {
            tests.push(queryables.equality(name, value)?);
        }
    }
    if let Some(text) = get("filter") {
        tests.push(cql::compile(text, lang, queryables, &to_crs84)?);
    }
    let narrow = tests.iter().find_map(Expression::envelopes);
    let layer_id = spec.id.as_str();
    let test = |f: &Feature| tests.iter().all(|t| t.matches(f, layer_id));
    let filter = Filter {
        layers: vec![l],
        ..Filter::default()
    };
    let sel = Selection {
        boxes: boxes.as_deref(),
        filter: &filter,
        test: (!tests.is_empty()).then_some(&test as select::Test<'_>),
        narrow: narrow.as_deref(),
    };
    let page = select::page(ds, &sel, limit, offset, &deadline)?;

    let features: Vec<Value> = page
        .features
        .iter()
        .map(|i| feature_json(ds, *i, out_crs, base, format))
        .collect::<ApiResult<_>>()?;
    let path = format!("/collections/{}/items", spec.id);
    let kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "limit" && k != "offset")
        .cloned()
        .chain([("limit".to_string(), limit.to_string())])
        .collect();
    let with_offset = |o: usize| {
        let mut q = kept.clone();
        if o > 0 {
            q.push(("offset".into(), o.to_string()));
        }
        q
    };
    let mut links = self_and_alternate(base, &path, &with_offset(offset), format, true);
    let media = match format {
        Format::Json => links::GEOJSON,
        Format::Html => links::HTML,
    };
    let returned = features.len();
    if offset + returned < page.matched {
        links.push(link(
            base.url(&path, &with_offset(offset + returned)),
            "next",
            media,
            "the next page",
        ));
    }
    if offset > 0 {
        links.push(link(
            base.url(&path, &with_offset(offset.saturating_sub(limit))),
            "prev",
            media,
            "the previous page",
        ));
    }
    links.push(link(
        base.url(&format!("/collections/{}", spec.id), &[]),
        "collection",
        links::JSON,
        "the collection",
    ));
    let body = json!({
        "type": "FeatureCollection",
        "features": features,
        "numberMatched": page.matched,
        "numberReturned": returned,
        "timeStamp": crate::snapshot::reload::rfc3339(std::time::SystemTime::now()),
        "links": links,
    });
    let mut resp = respond(format, links::GEOJSON, &spec.title_en, &body);
    content_crs(&mut resp, out_crs);
    Ok(resp)
}

/// A feature as GeoJSON with its geometry in `crs` (coordinates in that CRS's axis order).
fn feature_json(ds: &Dataset, i: u32, crs: Crs, base: &Base, format: Format) -> ApiResult<Value> {
    let mut v = output::feature(ds, i, Map::new());
    let f = ds.feature(i);
    if crs != Crs::Crs84 {
        let g = crs::geometry_from_crs84(crs, &f.geometry).map_err(|e| {
            ApiError::invalid(
                "crs",
                format!("feature {:?} cannot be given in {}: {e}", f.id(), crs.uri()),
            )
        })?;
        v["geometry"] =
            serde_json::to_value(geojson::Geometry::from(&g)).map_err(ApiError::internal)?;
    }
    if format == Format::Html {
        let layer = &ds.layer_of(f).id;
        v["links"] = json!([link(
            base.url(
                &format!("/collections/{layer}/items/{}", segment(f.id())),
                &[("f".into(), "html".into())]
            ),
            "self",
            links::HTML,
            f.id(),
        )]);
    }
    Ok(v)
}

pub async fn item(
    State(s): State<AppState>,
    Snap(snap): Snap,
    Path((collection, id)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let ds = &snap.dataset;
    let l = layer(ds, &collection)?;
    let pairs = params::pairs(q.as_deref())?;
    params::only(&pairs, &["f", "crs"])?;
    let format = negotiate(params::get(&pairs, "f"), &headers)?;
    let out_crs = params::crs("crs", params::get(&pairs, "crs"))?;
    let spec = &ds.catalogue.layers[l];
    let i = ds
        .find(&id)
        .filter(|i| usize::from(ds.feature(*i).layer) == l)
        .ok_or_else(|| {
            ApiError::not_found(
                Some("featureId"),
                format!("no feature {id:?} in collection {:?}", spec.id),
            )
        })?;
    let base = Base::new(&s.public_url);
    let mut v = feature_json(ds, i, out_crs, &base, Format::Json)?;
    let path = format!("/collections/{}/items/{}", spec.id, segment(&id));
    let mut links = self_and_alternate(&base, &path, &pairs, format, true);
    links.push(link(
        base.url(&format!("/collections/{}", spec.id), &[]),
        "collection",
        links::JSON,
        "the collection",
    ));
    v["links"] = Value::from(links);
    let mut resp = respond(format, links::GEOJSON, &id, &v);
    content_crs(&mut resp, out_crs);
    Ok(resp)
}
