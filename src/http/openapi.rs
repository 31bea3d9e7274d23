//! `GET /api/openapi.json`: the OpenAPI 3.0.3 description of this API, so that clients can be
//! generated for it.
//!
//! The document is `openapi/api.json`, written and kept by hand next to the handlers it
//! describes (a person reads and edits it; nothing generates it). It is compiled in, parsed once,
//! and served with `servers` set to the `public_url` setting, never to a request's `Host`. It
//! describes `/api/*`, `/tiles/*`, `/health*`, `/metrics` and `/admin/reload`; the OGC API
//! under `/ogc` has its own document. The unit tests below fail when a route of `mod.rs` is
//! missing from it; `tests/api_openapi.rs` checks real exchanges against it with an OpenAPI
//! validator.

use super::error::{ApiError, ApiResult};
use super::middleware::none_match;
use super::params::Params;
use super::state::AppState;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The document as written in the source tree.
pub const SOURCE: &str = include_str!("openapi/api.json");

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(SOURCE).expect("src/http/openapi/api.json is JSON (a unit test parses it)")
});

/// The document as served by a server whose base URL is `public_url` (which may end in a path
/// prefix; the paths are relative to it).
pub fn document(public_url: &str) -> Value {
    let mut doc = DOCUMENT.clone();
    doc["servers"] = json!([{ "url": public_url.trim_end_matches('/') }]);
    doc
}

/// The document as `application/json`, with a weak ETag of its bytes (it depends on no data)
/// and 304 when `If-None-Match` names it. Built per request: it is small and rarely asked for.
pub async fn get(
    State(s): State<AppState>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    Params::parse(q.as_deref(), &[])?;
    let bytes = serde_json::to_vec(&document(&s.public_url)).map_err(ApiError::internal)?;
    let digest = Sha256::digest(&bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    let tag = HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex is a valid header value");
    if none_match(&headers, &tag) {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        resp.headers_mut().insert(header::ETAG, tag);
        return Ok(resp);
    }
    let mut resp = (StatusCode::OK, Body::from(bytes)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::ETAG, tag);
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// Route prefixes described elsewhere: the OGC API – Features has its own document.
    const DESCRIBED_ELSEWHERE: [&str; 1] = ["/ogc"];

    const METHODS: [&str; 8] = [
        "get", "post", "put", "delete", "patch", "head", "options", "trace",
    ];

    /// The `(path, methods)` of every `.route(...)` call in `mod.rs`, read from its text: the
    /// first string literal of the call is the path, and each `get(`, `post(`, ... that is not
    /// part of a longer name is a method. Routes added with `.nest` or `.merge` are not seen.
    fn routes_of_mod_rs() -> Vec<(String, BTreeSet<String>)> {
        let text = include_str!("mod.rs");
        let mut out = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find(".route(") {
            let call = &rest[at + ".route(".len()..];
            let end = call_end(call);
            let args = &call[..end];
            let path = args
                .split('"')
                .nth(1)
                .expect("a .route( call starts with its path literal")
                .to_string();
            let methods = METHODS
                .iter()
                .filter(|m| called(args, m))
                .map(|m| m.to_string())
                .collect();
            out.push((path, methods));
            rest = &call[end..];
        }
        out
    }

    /// The length of a call's arguments: up to its closing parenthesis.
    fn call_end(call: &str) -> usize {
        let mut depth = 1;
        let mut in_string = false;
        for (i, c) in call.char_indices() {
            match c {
                '"' => in_string = !in_string,
                '(' if !in_string => depth += 1,
                ')' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
        panic!("unbalanced .route( call in mod.rs")
    }

    /// Whether `args` calls `method(` as a routing function (not `x::method(` or `my_method(`).
    fn called(args: &str, method: &str) -> bool {
        let needle = format!("{method}(");
        args.match_indices(&needle).any(|(i, _)| {
            let before = args[..i].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        })
    }

    /// The documented `(path, methods)`.
    fn documented() -> BTreeMap<String, BTreeSet<String>> {
        let doc: Value = serde_json::from_str(SOURCE).unwrap();
        doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(path, item)| {
                let methods = item
                    .as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| METHODS.contains(&k.as_str()))
                    .cloned()
                    .collect();
                (path.clone(), methods)
            })
            .collect()
    }

    /// Whether the router's `route` template answers the documented `path` template: `{name}`
    /// takes any one segment (`{id}.gpx` included), `{*rest}` any non-empty remainder.
    fn route_serves(route: &str, path: &str) -> bool {
        let (r, p): (Vec<&str>, Vec<&str>) =
            (route.split('/').collect(), path.split('/').collect());
        for (i, seg) in r.iter().enumerate() {
            if seg.starts_with("{*") {
                return p.len() > i && p[i..].iter().all(|s| !s.is_empty());
            }
            let Some(other) = p.get(i) else {
                return false;
            };
            let param = seg.starts_with('{') && seg.ends_with('}');
            if (param && other.is_empty()) || (!param && seg != other) {
                return false;
            }
        }
        r.len() == p.len()
    }

    #[test]
    fn the_document_parses_as_openapi_3_0_3_with_only_local_refs_that_resolve() {
        let doc: Value = serde_json::from_str(SOURCE).expect("api.json is JSON");
        assert_eq!(doc["openapi"], "3.0.3");
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(refs.len() > 50, "the document uses its components");
        for r in refs {
            let pointer = r
                .strip_prefix("#/components/")
                .unwrap_or_else(|| panic!("{r} is not a local #/components/ reference"));
            assert!(
                doc["components"].pointer(&format!("/{pointer}")).is_some(),
                "{r} resolves to nothing"
            );
        }
    }

    fn collect_refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("$ref", Value::String(s)) => out.push(s.clone()),
                        _ => collect_refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn every_route_of_mod_rs_is_documented_with_its_methods() {
        let routes = routes_of_mod_rs();
        assert!(
            routes.len() >= 20,
            "the parser found the routes: {routes:?}"
        );
        let documented = documented();
        let mut missing = Vec::new();
        for (route, methods) in &routes {
            if DESCRIBED_ELSEWHERE.iter().any(|p| route.starts_with(p)) {
                continue;
            }
            for method in methods {
                let found = if route.contains("{*") {
                    documented
                        .iter()
                        .any(|(p, ms)| ms.contains(method) && route_serves(route, p))
                } else {
                    documented.get(route).is_some_and(|ms| ms.contains(method))
                };
                if !found {
                    missing.push(format!("{} {route}", method.to_uppercase()));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "routed in src/http/mod.rs but not described in src/http/openapi/api.json: {missing:?}"
        );
    }

    #[test]
    fn every_documented_operation_is_routed() {
        let routes = routes_of_mod_rs();
        let mut unrouted = Vec::new();
        for (path, methods) in documented() {
            for method in methods {
                if !routes
                    .iter()
                    .any(|(r, ms)| ms.contains(&method) && route_serves(r, &path))
                {
                    unrouted.push(format!("{} {path}", method.to_uppercase()));
                }
            }
        }
        assert!(
            unrouted.is_empty(),
            "described in src/http/openapi/api.json but routed nowhere in src/http/mod.rs: {unrouted:?}"
        );
    }

    #[test]
    fn the_route_parser_reads_chained_methods_and_ignores_handler_names() {
        assert!(called("get(loops::read).put(loops::update)", "put"));
        assert!(!called("get(tiles::get)", "post"));
        assert!(!called("get(x).delete(loops::delete)", "put"));
        assert!(!called("widget(x)", "get"));
        assert!(route_serves("/api/loops/{id}", "/api/loops/{id}.gpx"));
        assert!(route_serves(
            "/tiles/{*path}",
            "/tiles/{layers}/{z}/{x}/{y}.mvt"
        ));
        assert!(!route_serves(
            "/api/features/{id}",
            "/api/features/mvt/{id}"
        ));
        assert!(!route_serves("/api/loops", "/api/loops/{id}"));
    }

    #[test]
    fn servers_is_the_public_url_without_a_trailing_slash() {
        let doc = document("https://maps.example.org/yuqian/");
        assert_eq!(
            doc["servers"],
            json!([{ "url": "https://maps.example.org/yuqian" }])
        );
        assert_eq!(doc["paths"], DOCUMENT["paths"]);
    }
}
