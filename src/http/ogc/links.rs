//! Links of the `/ogc` resources: absolute, from the `public_url` setting (never from `Host`),
//! each with its relation and media type.

use super::format::Format;
use serde_json::{Value, json};

pub const GEOJSON: &str = "application/geo+json";
pub const JSON: &str = "application/json";
pub const HTML: &str = "text/html";
pub const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";
pub const SCHEMA: &str = "application/schema+json";

/// Where `/ogc` is, for building links.
#[derive(Debug, Clone)]
pub struct Base(pub String);

impl Base {
    pub fn new(public_url: &str) -> Base {
        Base(format!("{}/ogc", public_url.trim_end_matches('/')))
    }

    /// The absolute URL of `path` (which starts with `/`, or is empty for the landing page)
    /// with `query` pairs.
    pub fn url(&self, path: &str, query: &[(String, String)]) -> String {
        let mut url = format!("{}{path}", self.0);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&serde_urlencoded::to_string(query).expect("string pairs encode"));
        }
        url
    }
}

pub fn link(href: String, rel: &str, media: &str, title: &str) -> Value {
    json!({ "href": href, "rel": rel, "type": media, "title": title })
}

/// The media type of a resource's JSON representation.
pub fn json_type(features: bool) -> &'static str {
    if features { GEOJSON } else { JSON }
}

/// `self` and `alternate` links of a resource at `path` answered as `format`, keeping the
/// request's other parameters (`query`, without `f`).
pub fn self_and_alternate(
    base: &Base,
    path: &str,
    query: &[(String, String)],
    format: Format,
    features: bool,
) -> Vec<Value> {
    let with_f = |f: Format| {
        let mut q: Vec<(String, String)> =
            query.iter().filter(|(k, _)| k != "f").cloned().collect();
        q.push(("f".into(), f.f().into()));
        base.url(path, &q)
    };
    let (this, other) = match format {
        Format::Json => (Format::Json, Format::Html),
        Format::Html => (Format::Html, Format::Json),
    };
    let media = |f: Format| match f {
        Format::Json => json_type(features),
        Format::Html => HTML,
    };
    vec![
        link(with_f(this), "self", media(this), "this document"),
        link(
            with_f(other),
            "alternate",
            media(other),
            match other {
                Format::Json => "this document as JSON",
                Format::Html => "this document as HTML",
            },
        ),
    ]
}
