//! The OpenAPI 3.0 document of `/ogc` (served at `/ogc/api`): every path, parameter and
//! response, self-contained (only `#/components` references). The collections are listed one
//! by one, each items path with its own queryables as parameters, from the snapshot's
//! catalogue; the server URL comes from the `public_url` setting.

use super::params::{DEFAULT_LIMIT, MAX_LIMIT, RESERVED};
use crate::index::Dataset;
use crate::ogc::crs::Crs;
use crate::ogc::queryables::Queryables;
use serde_json::{Map, Value, json};

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/{name}") })
}

/// A response with a JSON (`media`) and an HTML representation.
fn ok(description: &str, media: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": {
            media: { "schema": r(&format!("schemas/{schema}")) },
            "text/html": { "schema": { "type": "string" } },
        },
    })
}

fn errors(mut responses: Map<String, Value>, with_404: bool) -> Value {
    responses.insert("400".into(), r("responses/InvalidParameter"));
    if with_404 {
        responses.insert("404".into(), r("responses/NotFound"));
    }
    responses.insert("406".into(), r("responses/NotAcceptable"));
    responses.insert("500".into(), r("responses/ServerError"));
    responses.insert("503".into(), r("responses/Unavailable"));
    Value::Object(responses)
}

fn op(id: &str, summary: &str, params: Vec<Value>, ok: Value, with_404: bool) -> Value {
    let mut responses = Map::new();
    responses.insert("200".into(), ok);
    responses.insert(
        "304".into(),
        json!({ "description": "the copy named by If-None-Match is current (data ETag)" }),
    );
    json!({ "get": {
        "operationId": id,
        "summary": summary,
        "parameters": params,
        "responses": errors(responses, with_404),
    }})
}

/// The schema of a queryable given as a parameter: one value of it (an item, for a list).
fn parameter_schema(property: &Value) -> Value {
    if property.get("type").and_then(Value::as_str) == Some("array") {
        return property.get("items").map_or(json!({}), parameter_schema);
    }
    let mut out = Map::new();
    if let Some(t) = property.get("type").and_then(Value::as_str)
        && ["string", "number", "integer", "boolean"].contains(&t)
    {
        out.insert("type".into(), json!(t));
    }
    if let Some(e) = property.get("enum") {
        out.insert("enum".into(), e.clone());
    }
    Value::Object(out)
}

/// The whole document for the data set `ds`.
pub fn document(ds: &Dataset, queryables: &[Queryables], public_url: &str) -> Value {
    let crs_uris: Vec<&str> = Crs::ALL.iter().map(|c| c.uri()).collect();
    let mut paths = Map::new();
    let p = |name: &str| r(&format!("parameters/{name}"));
    paths.insert(
        "/".into(),
        op(
            "getLandingPage",
            "the landing page",
            vec![p("f")],
            ok(
                "links to the API definition, the conformance classes and the collections",
                "application/json",
                "landingPage",
            ),
            false,
        ),
    );
    paths.insert(
        "/conformance".into(),
        op(
            "getConformance",
            "the conformance classes implemented",
            vec![p("f")],
            ok("the conformance classes", "application/json", "confClasses"),
            false,
        ),
    );
    paths.insert(
        "/api".into(),
        op("getApi", "this API definition", vec![p("f")], json!({
            "description": "the OpenAPI 3.0 document",
            "content": {
                "application/vnd.oai.openapi+json;version=3.0": { "schema": { "type": "object" } },
                "text/html": { "schema": { "type": "string" } },
            },
        }), false),
    );
    paths.insert(
        "/collections".into(),
        op(
            "getCollections",
            "the collections: one per layer",
            vec![p("f")],
            ok("the collections", "application/json", "collections"),
            false,
        ),
    );
    for (l, spec) in ds.catalogue.layers.iter().enumerate() {
        let id = &spec.id;
        let title = &spec.title_en;
        paths.insert(
            format!("/collections/{id}"),
            op(
                &format!("describe_{id}"),
                &format!("the collection {id} ({title})"),
                vec![p("f")],
                ok("the collection", "application/json", "collection"),
                true,
            ),
        );
        paths.insert(
            format!("/collections/{id}/queryables"),
            op(
                &format!("queryables_{id}"),
                &format!("the properties a filter on {id} may use"),
                vec![p("f")],
                ok(
                    "a JSON Schema of the queryables",
                    "application/schema+json",
                    "queryables",
                ),
                true,
            ),
        );
        let schema = queryables[l].json_schema("", title);
        let mut params: Vec<Value> = [
            "f",
            "limit",
            "offset",
            "bbox",
            "bbox-crs",
            "datetime",
            "crs",
            "filter",
            "filter-lang",
            "filter-crs",
        ]
        .iter()
        .map(|n| p(n))
        .collect();
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                if RESERVED.contains(&name.as_str()) || name == "geometry" {
                    continue;
                }
                params.push(json!({
                    "name": name,
                    "in": "query",
                    "required": false,
                    "description": format!("features whose {name} equals this value (for a list, contains it)"),
                    "schema": parameter_schema(prop),
                    "style": "form",
                    "explode": false,
                }));
            }
        }
        let mut items = op(
            &format!("items_{id}"),
            &format!("the features of {id} ({title})"),
            params,
            json!({
                "description": "a page of features",
                "headers": { "Content-Crs": r("headers/Content-Crs") },
                "content": {
                    "application/geo+json": { "schema": r("schemas/featureCollectionGeoJSON") },
                    "text/html": { "schema": { "type": "string" } },
                },
            }),
            true,
        );
        items["get"]["description"] = json!(
            "Features in the order of the layer file. `datetime` is checked but does not narrow: no layer carries time, so every feature holds at every time."
        );
        paths.insert(format!("/collections/{id}/items"), items);
        paths.insert(
            format!("/collections/{id}/items/{{featureId}}"),
            op(
                &format!("item_{id}"),
                &format!("one feature of {id}"),
                vec![p("featureId"), p("f"), p("crs")],
                json!({
                    "description": "the feature",
                    "headers": { "Content-Crs": r("headers/Content-Crs") },
                    "content": {
                        "application/geo+json": { "schema": r("schemas/featureGeoJSON") },
                        "text/html": { "schema": { "type": "string" } },
                    },
                }),
                true,
            ),
        );
    }
    let error = |description: &str| {
        json!({
            "description": description,
            "content": { "application/json": { "schema": r("schemas/exception") } },
        })
    };
    let crs_param = |name: &str, what: &str| {
        json!({
            "name": name, "in": "query", "required": false,
            "description": what,
            "schema": { "type": "string", "format": "uri", "enum": crs_uris, "default": Crs::Crs84.uri() },
            "style": "form", "explode": false,
        })
    };
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Yuqian Map (渝黔) — OGC API – Features",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every layer of the Yuqian map as an OGC API – Features collection: Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0), Part 2 (CRS by reference) and Part 3 (filtering with CQL2 text and JSON). EPSG:4490 (CGCS2000) is identical to WGS84 at this map's accuracy: only its axis order (latitude first) differs from CRS84.",
            "license": { "name": "the data of each layer carries its own licence; see its collection" },
        },
        "servers": [{ "url": format!("{}/ogc", public_url.trim_end_matches('/')) }],
        "paths": paths,
        "components": {
            "parameters": {
                "f": { "name": "f", "in": "query", "required": false, "description": "the representation; without it, the Accept header decides (JSON by default)", "schema": { "type": "string", "enum": ["json", "html"] }, "style": "form", "explode": false },
                "limit": { "name": "limit", "in": "query", "required": false, "description": format!("the page size; a larger value is clamped to {MAX_LIMIT}, and the links give the limit used"), "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT }, "style": "form", "explode": false },
                "offset": { "name": "offset", "in": "query", "required": false, "description": "how many matching features to skip (the next link gives it)", "schema": { "type": "integer", "minimum": 0, "default": 0 }, "style": "form", "explode": false },
                "bbox": { "name": "bbox", "in": "query", "required": false, "description": "lower and upper corner in the axis order of bbox-crs (4 numbers, or 6 with heights, which are not used); a geographic box whose west edge is east of its east edge crosses the antimeridian", "schema": { "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } }, "style": "form", "explode": false },
                "bbox-crs": crs_param("bbox-crs", "the CRS of bbox"),
                "crs": crs_param("crs", "the CRS of the geometries answered (coordinates in its axis order)"),
                "filter-crs": crs_param("filter-crs", "the CRS of the geometry literals of filter"),
                "datetime": { "name": "datetime", "in": "query", "required": false, "description": "an RFC 3339 instant or interval (open ends as ..); checked, and every feature matches: no layer carries time", "schema": { "type": "string" }, "style": "form", "explode": false },
                "filter": { "name": "filter", "in": "query", "required": false, "description": "a CQL2 expression over the collection's queryables", "schema": { "type": "string" }, "style": "form", "explode": false },
                "filter-lang": { "name": "filter-lang", "in": "query", "required": false, "description": "the language of filter", "schema": { "type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text" }, "style": "form", "explode": false },
                "featureId": { "name": "featureId", "in": "path", "required": true, "description": "the feature's id", "schema": { "type": "string" } },
            },
            "headers": {
                "Content-Crs": { "description": "the CRS of the coordinates, as <URI>", "schema": { "type": "string" } },
            },
            "responses": {
                "InvalidParameter": error("a parameter is invalid or unknown: `parameter` names it, `detail` says why"),
                "NotFound": error("no such collection or feature"),
                "NotAcceptable": error("Accept allows neither JSON nor HTML"),
                "ServerError": error("a fault of the server; the detail is in its log, under the request id"),
                "Unavailable": error("busy, still loading, or over the time budget; try again after Retry-After seconds"),
            },
            "schemas": schemas(),
        },
    })
}

fn schemas() -> Value {
    let link_list = json!({ "type": "array", "items": r("schemas/link") });
    let position = json!({ "type": "array", "minItems": 2, "items": { "type": "number" } });
    let ring = json!({ "type": "array", "minItems": 4, "items": position });
    let geometry = |kind: &str, coordinates: Value| {
        json!({
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {
                "type": { "type": "string", "enum": [kind] },
                "coordinates": coordinates,
                "bbox": { "type": "array", "minItems": 4, "items": { "type": "number" } },
            },
        })
    };
    let array =
        |items: Value, min: u32| json!({ "type": "array", "minItems": min, "items": items });
    json!({
        "link": {
            "type": "object",
            "required": ["href", "rel"],
            "properties": {
                "href": { "type": "string" },
                "rel": { "type": "string" },
                "type": { "type": "string" },
                "hreflang": { "type": "string" },
                "title": { "type": "string" },
                "length": { "type": "integer" },
            },
        },
        "landingPage": {
            "type": "object",
            "required": ["links"],
            "properties": { "title": { "type": "string" }, "description": { "type": "string" }, "links": link_list },
        },
        "confClasses": {
            "type": "object",
            "required": ["conformsTo"],
            "properties": { "conformsTo": { "type": "array", "items": { "type": "string" } }, "links": link_list },
        },
        "extent": {
            "type": "object",
            "properties": {
                "spatial": {
                    "type": "object",
                    "properties": {
                        "bbox": { "type": "array", "minItems": 1, "items": { "type": "array", "minItems": 4, "maxItems": 6, "items": { "type": "number" } } },
                        "crs": { "type": "string" },
                    },
                },
            },
        },
        "collection": {
            "type": "object",
            "required": ["id", "links"],
            "properties": {
                "id": { "type": "string" },
                "title": { "type": "string" },
                "description": { "type": "string" },
                "links": link_list,
                "extent": r("schemas/extent"),
                "itemType": { "type": "string" },
                "crs": { "type": "array", "items": { "type": "string" } },
                "storageCrs": { "type": "string" },
            },
        },
        "collections": {
            "type": "object",
            "required": ["links", "collections"],
            "properties": { "links": link_list, "collections": { "type": "array", "items": r("schemas/collection") } },
        },
        "queryables": {
            "type": "object",
            "required": ["type", "properties"],
            "properties": {
                "$schema": { "type": "string" },
                "$id": { "type": "string" },
                "type": { "type": "string", "enum": ["object"] },
                "title": { "type": "string" },
                "properties": { "type": "object" },
                "additionalProperties": { "type": "boolean" },
            },
        },
        "pointGeoJSON": geometry("Point", position.clone()),
        "multipointGeoJSON": geometry("MultiPoint", array(position.clone(), 0)),
        "linestringGeoJSON": geometry("LineString", array(position.clone(), 2)),
        "multilinestringGeoJSON": geometry("MultiLineString", array(array(position.clone(), 2), 0)),
        "polygonGeoJSON": geometry("Polygon", array(ring.clone(), 0)),
        "multipolygonGeoJSON": geometry("MultiPolygon", array(array(ring, 0), 0)),
        "geometrycollectionGeoJSON": {
            "type": "object",
            "required": ["type", "geometries"],
            "properties": {
                "type": { "type": "string", "enum": ["GeometryCollection"] },
                "geometries": { "type": "array", "items": r("schemas/geometryGeoJSON") },
            },
        },
        "geometryGeoJSON": {
            "oneOf": [
                r("schemas/pointGeoJSON"), r("schemas/multipointGeoJSON"), r("schemas/linestringGeoJSON"),
                r("schemas/multilinestringGeoJSON"), r("schemas/polygonGeoJSON"), r("schemas/multipolygonGeoJSON"),
                r("schemas/geometrycollectionGeoJSON"),
            ],
        },
        "featureGeoJSON": {
            "type": "object",
            "required": ["type", "geometry", "properties"],
            "properties": {
                "type": { "type": "string", "enum": ["Feature"] },
                "geometry": r("schemas/geometryGeoJSON"),
                "properties": { "type": "object", "nullable": true },
                "id": { "oneOf": [{ "type": "string" }, { "type": "integer" }] },
                "links": link_list,
            },
        },
        "featureCollectionGeoJSON": {
            "type": "object",
            "required": ["type", "features"],
            "properties": {
                "type": { "type": "string", "enum": ["FeatureCollection"] },
                "features": { "type": "array", "items": r("schemas/featureGeoJSON") },
                "links": link_list,
                "timeStamp": { "type": "string", "format": "date-time" },
                "numberMatched": { "type": "integer", "minimum": 0 },
                "numberReturned": { "type": "integer", "minimum": 0 },
            },
        },
        "exception": {
            "type": "object",
            "required": ["error", "detail"],
            "properties": {
                "error": { "type": "string", "description": "a stable code, e.g. invalid_parameter, not_found" },
                "parameter": { "type": "string", "nullable": true, "description": "the parameter at fault" },
                "detail": { "type": "string", "description": "what is wrong" },
                "request_id": { "type": "string" },
            },
        },
    })
}
