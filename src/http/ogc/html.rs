//! The HTML representation of every `/ogc` resource, for a browser: the JSON answer rendered
//! whole (every member, every link as an `<a>`), so that nothing the JSON says is missing, as
//! the HTML requirements class of OGC API – Features Part 1 asks. A feature collection is a
//! table, one feature per row.

use serde_json::Value;
use std::fmt::Write;

/// The page's own style; the page has no script.
const STYLE: &str = "body{font:15px/1.45 system-ui,'Noto Sans CJK SC',sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#1d2430}\
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d3d8e0;padding:.2rem .45rem;vertical-align:top;text-align:left}\
th{background:#eef1f5}dl{margin:.2rem 0 .2rem 1rem}dt{font-weight:600}dd{margin:0 0 .3rem 1rem}code{font-size:12px;word-break:break-all}";

/// The Content-Security-Policy of these pages: no script, the inline style only.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page titled `title` showing `value`.
pub fn page(title: &str, value: &Value) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{t} · Yuqian Map OGC API</title><style>{STYLE}</style></head><body><h1>{t}</h1>",
        t = escape(title)
    );
    if let Some(links) = value.get("links").and_then(Value::as_array) {
        out.push_str("<h2>Links</h2>");
        links_list(&mut out, links);
    }
    let Value::Object(map) = value else {
        render(&mut out, value);
        out.push_str("</body></html>");
        return out;
    };
    let rest: serde_json::Map<String, Value> = map
        .iter()
        .filter(|(k, _)| k.as_str() != "links" && k.as_str() != "features")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    render(&mut out, &Value::Object(rest));
    if let Some(features) = map.get("features").and_then(Value::as_array) {
        out.push_str("<h2>Features</h2>");
        feature_table(&mut out, features);
    }
    out.push_str("</body></html>");
    out
}

fn links_list(out: &mut String, links: &[Value]) {
    out.push_str("<ul>");
    for l in links {
        let s = |k: &str| l.get(k).and_then(Value::as_str).unwrap_or("");
        let _ = write!(
            out,
            "<li><a href=\"{}\" rel=\"{}\" type=\"{}\">{}</a> ({}, {})</li>",
            escape(s("href")),
            escape(s("rel")),
            escape(s("type")),
            escape(if s("title").is_empty() {
                s("href")
            } else {
                s("title")
            }),
            escape(s("rel")),
            escape(s("type"))
        );
    }
    out.push_str("</ul>");
}

fn render(out: &mut String, v: &Value) {
    match v {
        Value::Object(map) => {
            out.push_str("<dl>");
            for (k, v) in map {
                let _ = write!(out, "<dt>{}</dt><dd>", escape(k));
                if k == "links"
                    && let Some(links) = v.as_array()
                {
                    links_list(out, links);
                } else {
                    render(out, v);
                }
                out.push_str("</dd>");
            }
            out.push_str("</dl>");
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let texts: Vec<String> = items.iter().map(scalar).collect();
            out.push_str(&escape(&texts.join(", ")));
        }
        Value::Array(items) => {
            out.push_str("<ol>");
            for i in items {
                out.push_str("<li>");
                render(out, i);
                out.push_str("</li>");
            }
            out.push_str("</ol>");
        }
        Value::String(s) if s.starts_with("http://") || s.starts_with("https://") => {
            let _ = write!(out, "<a href=\"{0}\">{0}</a>", escape(s));
        }
        other => out.push_str(&escape(&scalar(other))),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One row per feature: its id (a link to it when it has one), every property, its geometry
/// as GeoJSON text.
fn feature_table(out: &mut String, features: &[Value]) {
    let mut columns: Vec<String> = Vec::new();
    for f in features {
        if let Some(p) = f.get("properties").and_then(Value::as_object) {
            for k in p.keys() {
                if !columns.contains(k) {
                    columns.push(k.clone());
                }
            }
        }
    }
    out.push_str("<table><thead><tr><th>id</th>");
    for c in &columns {
        let _ = write!(out, "<th>{}</th>", escape(c));
    }
    out.push_str("<th>geometry</th></tr></thead><tbody>");
    for f in features {
        let id = f.get("id").map(scalar).unwrap_or_default();
        let href = f
            .get("links")
            .and_then(Value::as_array)
            .and_then(|ls| {
                ls.iter()
                    .find(|l| l.get("rel").and_then(Value::as_str) == Some("self"))
            })
            .and_then(|l| l.get("href"))
            .and_then(Value::as_str);
        match href {
            Some(h) => {
                let _ = write!(
                    out,
                    "<tr><td><a href=\"{}\">{}</a></td>",
                    escape(h),
                    escape(&id)
                );
            }
            None => {
                let _ = write!(out, "<tr><td>{}</td>", escape(&id));
            }
        }
        let props = f.get("properties").and_then(Value::as_object);
        for c in &columns {
            out.push_str("<td>");
            if let Some(v) = props.and_then(|p| p.get(c)) {
                render(out, v);
            }
            out.push_str("</td>");
        }
        let geometry = f.get("geometry").map(Value::to_string).unwrap_or_default();
        let _ = write!(out, "<td><code>{}</code></td></tr>", escape(&geometry));
    }
    out.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_member_and_link_is_on_the_page_escaped() {
        let v = json!({
            "title": "<b>渝黔</b>",
            "links": [{"href": "http://h/ogc?a=1&b=2", "rel": "self", "type": "text/html", "title": "t"}],
            "features": [{"id": "x", "properties": {"name_zh": "綦江"}, "geometry": {"type": "Point", "coordinates": [1, 2]}}],
        });
        let html = page("T", &v);
        assert!(html.contains("&lt;b&gt;渝黔&lt;/b&gt;"));
        assert!(html.contains("href=\"http://h/ogc?a=1&amp;b=2\""));
        assert!(html.contains("<td>綦江</td>"));
        assert!(html.contains("&quot;coordinates&quot;:[1,2]"));
        assert!(!html.contains("<b>"));
    }
}
