//! The web map's own files, by an allow-list: its HTML, scripts, styles and icons, and the
//! files of MapLibre GL JS and pmtiles that it imports. Nothing else of `web/` is
//! served (not its README, package files, setup script or the rest of `node_modules`).
//!
//! Each answer has a weak ETag from the file's content (304 on `If-None-Match`); the page gets
//! a Content-Security-Policy that allows only its own origin, `blob:` for MapLibre's worker,
//! and its one inline script (the import map) by its hash.

use super::error::ApiError;
use super::middleware::none_match;
use axum::Extension;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Files under `node_modules/` the page imports (MapLibre's worker and shared chunk are loaded
/// by its module next to it).
const PACKAGE_FILES: [&str; 6] = [
    "node_modules/maplibre-gl/dist/maplibre-gl.mjs",
    "node_modules/maplibre-gl/dist/maplibre-gl-shared.mjs",
    "node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs",
    "node_modules/maplibre-gl/dist/maplibre-gl.css",
    "node_modules/pmtiles/dist/esm/index.js",
    "node_modules/fflate/esm/browser.js",
];

const PAGE_FILES: [&str; 5] = [
    "index.html",
    "app.js",
    "style.css",
    "favicon.svg",
    "favicon.ico",
];

/// The policy of MapLibre's worker: it loads its shared chunk and fetches tiles (and PMTiles
/// ranges) from this origin, and nothing else.
const WORKER_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self' data: blob:; \
     img-src 'self' data: blob:";

/// The file a request path names, if it is on the allow-list.
fn allowed(path: &str) -> Option<&str> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = if path.is_empty() { "index.html" } else { path };
    let script_of_page = path.strip_prefix("js/").is_some_and(|name| {
        name.strip_suffix(".js").is_some_and(|stem| {
            !stem.is_empty()
                && stem
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
    });
    (PAGE_FILES.contains(&path) || PACKAGE_FILES.contains(&path) || script_of_page).then_some(path)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

struct Cached {
    modified: Option<SystemTime>,
    len: u64,
    bytes: axum::body::Bytes,
    etag: HeaderValue,
    /// For the page only: its Content-Security-Policy.
    csp: Option<HeaderValue>,
}

/// The web folder, with each served file kept in memory until it changes on disk.
pub struct WebFiles {
    root: PathBuf,
    cache: Mutex<HashMap<String, Arc<Cached>>>,
}

impl WebFiles {
    pub fn new(root: PathBuf) -> WebFiles {
        WebFiles {
            root,
            cache: Mutex::new(HashMap::new()),
        }
    }

    async fn get(&self, path: &str) -> std::io::Result<Arc<Cached>> {
        let file = self.root.join(path);
        let meta = tokio::fs::metadata(&file).await?;
        let modified = meta.modified().ok();
        if let Some(c) = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(path)
            && c.modified == modified
            && c.len == meta.len()
        {
            return Ok(c.clone());
        }
        let bytes = tokio::fs::read(&file).await?;
        let digest = Sha256::digest(&bytes);
        let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        let csp = if path.ends_with(".html") {
            Some(page_csp(&String::from_utf8_lossy(&bytes)))
        } else if path.ends_with("-worker.mjs") {
            // A worker runs under its own script's policy: MapLibre's worker fetches the tiles.
            Some(HeaderValue::from_static(WORKER_CSP))
        } else {
            None
        };
        let cached = Arc::new(Cached {
            modified,
            len: meta.len(),
            bytes: bytes.into(),
            etag: HeaderValue::from_str(&format!("W/\"{hex}\"")).expect("hex"),
            csp,
        });
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(path.to_string(), cached.clone());
        Ok(cached)
    }
}

/// The page's policy: its own origin only, `blob:` for MapLibre's worker and images, and each
/// inline `<script>` of the page by its SHA-256.
pub fn page_csp(html: &str) -> HeaderValue {
    let mut hashes = String::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        let body = &after[body_start..body_start + close];
        if !tag.contains("src=") {
            let digest = Sha256::digest(body.as_bytes());
            let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push_str(&format!(" 'sha256-{b64}'"));
        }
        rest = &after[body_start + close..];
    }
    let policy = format!(
        "default-src 'self'; script-src 'self'{hashes}; worker-src 'self' blob:; \
         child-src 'self' blob:; img-src 'self' data: blob:; connect-src 'self' data: blob:; \
         style-src 'self' 'unsafe-inline'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).expect("the policy is ASCII")
}

/// The fallback of the router when a web folder is served.
pub async fn serve(Extension(files): Extension<Arc<WebFiles>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let not_found =
        || ApiError::not_found(None, format!("no such endpoint or file: {path}")).into_response();
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return ApiError {
            status: StatusCode::METHOD_NOT_ALLOWED,
            error: "method_not_allowed",
            parameter: None,
            detail: format!("{} is not allowed on {path}", req.method()),
        }
        .into_response();
    }
    let Some(file) = allowed(&path) else {
        return not_found();
    };
    let cached = match files.get(file).await {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return not_found(),
        Err(e) => return ApiError::internal(format!("reading {file}: {e}")).into_response(),
    };
    let cache_control = if file.starts_with("node_modules/") {
        // Pinned by the lock file: changes only when the page's packages are upgraded.
        HeaderValue::from_static("public, max-age=86400")
    } else {
        HeaderValue::from_static("no-cache")
    };
    let mut resp = if none_match(req.headers(), &cached.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Body::from(cached.bytes.clone()).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(file)),
        );
        r
    };
    let h = resp.headers_mut();
    h.insert(header::ETAG, cached.etag.clone());
    h.insert(header::CACHE_CONTROL, cache_control);
    if let Some(csp) = &cached.csp {
        h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_serves_the_page_and_refuses_the_rest() {
        for ok in [
            "/",
            "/index.html",
            "/app.js",
            "/js/loops.js",
            "/style.css",
            "/favicon.ico",
        ] {
            assert!(allowed(ok).is_some(), "{ok}");
        }
        for refused in [
            "/README.md",
            "/package.json",
            "/package-lock.json",
            "/setup.sh",
            "/js/../setup.sh",
            "/js/.hidden.js",
            "/js/sub/x.js",
            "/node_modules/maplibre-gl/package.json",
            "/node_modules/.package-lock.json",
        ] {
            assert!(allowed(refused).is_none(), "{refused}");
        }
    }

    #[test]
    fn the_page_policy_allows_its_inline_script_by_hash() {
        let html = "<head><script type=\"importmap\">{\"imports\":{}}</script><script type=\"module\" src=\"app.js\"></script></head>";
        let csp = page_csp(html);
        let csp = csp.to_str().unwrap();
        let digest = Sha256::digest(b"{\"imports\":{}}");
        let b64 = base64::engine::general_purpose::STANDARD.encode(digest);
        assert!(
            csp.contains(&format!("script-src 'self' 'sha256-{b64}';")),
            "{csp}"
        );
        assert!(csp.contains("worker-src 'self' blob:"), "{csp}");
    }
}
