//! Which representation a client gets: `f=json|html` first, then `Accept` (with q-values).

use crate::http::error::{ApiError, ApiResult};
use axum::http::{HeaderMap, StatusCode, header};

/// The representations of every `/ogc` resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON; GeoJSON (`application/geo+json`) for features.
    Json,
    Html,
}

impl Format {
    pub fn f(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Html => "html",
        }
    }
}

/// The media types a JSON answer may be asked for by, besides wildcards.
const JSON_TYPES: [&str; 4] = [
    "application/json",
    "application/geo+json",
    "application/vnd.oai.openapi+json",
    "application/schema+json",
];

/// The representation asked for by `f` (which wins) or by `Accept`; JSON when neither says.
/// An `Accept` that allows neither JSON nor HTML is answered 406.
pub fn negotiate(f: Option<&str>, headers: &HeaderMap) -> ApiResult<Format> {
    if let Some(f) = f {
        return match f {
            "json" | "geojson" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            other => Err(ApiError::invalid(
                "f",
                format!("unknown format {other:?}; f takes json or html"),
            )),
        };
    }
    let accept: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if accept.is_empty() {
        return Ok(Format::Json);
    }
    let (mut json, mut html) = (0.0f64, 0.0f64);
    for item in accept.iter().flat_map(|v| v.split(',')) {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f64>().ok())
            .unwrap_or(1.0);
        // A wildcard counts for JSON (the default) a little less than naming a type would.
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "*/*" | "application/*" => json = json.max(q * 0.999),
            "text/*" => html = html.max(q * 0.999),
            m if JSON_TYPES.contains(&m) => json = json.max(q),
            _ => {}
        }
    }
    if json <= 0.0 && html <= 0.0 {
        return Err(ApiError {
            status: StatusCode::NOT_ACCEPTABLE,
            error: "not_acceptable",
            parameter: Some("Accept".into()),
            detail: format!(
                "this resource is served as JSON or HTML; Accept: {} allows neither (use f=json or f=html)",
                accept.join(", ")
            ),
        });
    }
    Ok(if html > json {
        Format::Html
    } else {
        Format::Json
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &str) -> ApiResult<Format> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        negotiate(None, &h)
    }

    #[test]
    fn browsers_get_html_and_clients_json() {
        let chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert_eq!(accept(chrome), Ok(Format::Html));
        assert_eq!(accept("*/*"), Ok(Format::Json));
        assert_eq!(
            accept("application/geo+json, application/json;q=0.9"),
            Ok(Format::Json)
        );
        assert_eq!(
            accept("text/html;q=0.5, application/json"),
            Ok(Format::Json)
        );
        assert_eq!(negotiate(None, &HeaderMap::new()), Ok(Format::Json));
        assert_eq!(negotiate(Some("html"), &HeaderMap::new()), Ok(Format::Html));
    }

    #[test]
    fn what_cannot_be_served_is_refused_by_name() {
        let e = accept("application/xml").unwrap_err();
        assert_eq!(e.status, StatusCode::NOT_ACCEPTABLE);
        assert!(e.detail.contains("application/xml"), "{}", e.detail);
        let e = negotiate(Some("xml"), &HeaderMap::new()).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("f"));
    }
}
