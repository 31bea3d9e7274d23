//! HTTP hygiene through the production router, no socket: compression, ETags and 304, CORS,
//! security headers, the static allow-list and the page's CSP, request ids, a 500 that shows
//! no internals, the admin guard, readiness before the first snapshot, Prometheus metrics.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode, header};
use common::{fixture, small};
use http_body_util::BodyExt;
use serde_json::Value;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;
use yuqian::http::{AppState, RateLimitSettings, app};
use yuqian::snapshot::Live;
use yuqian::store::LoopStore;

const LOOPBACK: &str = "127.0.0.1:50000";
/// A documentation address (RFC 5737): only a label on in-process requests, never contacted.
const REMOTE: &str = "192.0.2.7:50000";

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn send(router: &axum::Router, mut req: Request<Body>, peer: &str) -> Answer {
    let peer: SocketAddr = peer.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

fn get_plain(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn get_with(uri: &str, headers: &[(axum::http::HeaderName, &str)]) -> Request<Body> {
    let mut r = Request::get(uri);
    for (name, value) in headers {
        r = r.header(name, *value);
    }
    r.body(Body::empty()).unwrap()
}

fn web_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("web")
}

fn router() -> axum::Router {
    app(AppState::new(small()), Some(web_dir()))
}

#[tokio::test]
async fn json_is_compressed_with_gzip_or_br_when_accepted_and_decodes_to_the_same_answer() {
    let r = router();
    let plain = send(&r, get_plain("/api/features?limit=50"), LOOPBACK).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.header("content-encoding"), None);

    let gz = send(
        &r,
        get_with(
            "/api/features?limit=50",
            &[(header::ACCEPT_ENCODING, "gzip")],
        ),
        LOOPBACK,
    )
    .await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(gz.body.len() < plain.body.len());
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.body);

    let br = send(
        &r,
        get_with("/api/features?limit=50", &[(header::ACCEPT_ENCODING, "br")]),
        LOOPBACK,
    )
    .await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&br.body[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.body);
    let vary: Vec<String> = br
        .headers
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_lowercase())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("accept-encoding")),
        "{vary:?}"
    );
}

#[tokio::test]
async fn data_answers_carry_an_etag_and_answer_304_when_it_matches() {
    let r = router();
    let first = send(
        &r,
        get_plain("/api/nearby?lon=106.7&lat=28.7&k=3"),
        LOOPBACK,
    )
    .await;
    assert_eq!(first.status, StatusCode::OK);
    let tag = first.header("etag").expect("an ETag").to_string();
    assert!(tag.starts_with("W/\""), "{tag}");
    assert_eq!(first.header("cache-control"), Some("no-cache"));

    let again = send(
        &r,
        get_with(
            "/api/nearby?lon=106.7&lat=28.7&k=3",
            &[(header::IF_NONE_MATCH, &tag)],
        ),
        LOOPBACK,
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(tag.as_str()));

    // Another query is another answer.
    let other = send(
        &r,
        get_with(
            "/api/nearby?lon=106.7&lat=28.7&k=4",
            &[(header::IF_NONE_MATCH, &tag)],
        ),
        LOOPBACK,
    )
    .await;
    assert_eq!(other.status, StatusCode::OK);
    assert_ne!(other.header("etag"), Some(tag.as_str()));
}

#[tokio::test]
async fn static_files_have_content_etags_and_304() {
    let r = router();
    let css = send(&r, get_plain("/style.css"), LOOPBACK).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let tag = css.header("etag").unwrap().to_string();
    let again = send(
        &r,
        get_with("/style.css", &[(header::IF_NONE_MATCH, &tag)]),
        LOOPBACK,
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn the_web_folder_serves_only_the_pages_own_files() {
    let r = router();
    for refused in [
        "/README.md",
        "/package.json",
        "/package-lock.json",
        "/setup.sh",
        "/node_modules/maplibre-gl/package.json",
        "/js/../setup.sh",
        "/%2e%2e/Cargo.toml",
    ] {
        let a = send(&r, get_plain(refused), LOOPBACK).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{refused}");
        assert_eq!(a.json()["error"], "not_found", "{refused}");
    }
    let page = send(&r, get_plain("/"), LOOPBACK).await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.starts_with("default-src 'self'; script-src 'self' 'sha256-"),
        "{csp}"
    );
    assert!(csp.contains("worker-src 'self' blob:"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    let js = send(&r, get_plain("/js/api.js"), LOOPBACK).await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
}

#[tokio::test]
async fn every_answer_has_nosniff_a_referrer_policy_and_a_request_id() {
    let r = router();
    for uri in [
        "/health",
        "/api/layers",
        "/api/nope",
        "/",
        "/api/nearby?lon=999&lat=0",
    ] {
        let a = send(&r, get_plain(uri), LOOPBACK).await;
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"), "{uri}");
        assert_eq!(a.header("referrer-policy"), Some("no-referrer"), "{uri}");
        assert!(
            a.header("x-request-id").is_some_and(|id| id.len() >= 32),
            "{uri}"
        );
        assert!(a.header("content-security-policy").is_some(), "{uri}");
    }
    // An error names its request id, the same as the header's.
    let a = send(&r, get_plain("/api/nearby?lon=999&lat=0"), LOOPBACK).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert_eq!(a.json()["parameter"], "lon");
    assert_eq!(a.json()["request_id"].as_str(), a.header("x-request-id"));
    // A load balancer's id is kept.
    let a = send(
        &r,
        get_with(
            "/health",
            &[(
                axum::http::HeaderName::from_static("x-request-id"),
                "lb-1234",
            )],
        ),
        LOOPBACK,
    )
    .await;
    assert_eq!(a.header("x-request-id"), Some("lb-1234"));
}

#[tokio::test]
async fn any_origin_may_read_but_no_origin_may_write() {
    let r = router();
    let a = send(
        &r,
        get_with(
            "/api/layers",
            &[(header::ORIGIN, "https://planning.example")],
        ),
        REMOTE,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(
        a.header("access-control-allow-origin"),
        Some("https://planning.example")
    );
    let expose = a
        .header("access-control-expose-headers")
        .unwrap_or("")
        .to_lowercase();
    assert!(expose.contains("etag"), "{expose}");

    // The preflight of a GET is allowed, that of a write is not.
    let pre = send(
        &r,
        Request::options("/api/nearby")
            .header(header::ORIGIN, "https://planning.example")
            .header("access-control-request-method", "GET")
            .body(Body::empty())
            .unwrap(),
        REMOTE,
    )
    .await;
    assert!(pre.status.is_success(), "{:?}", pre.status);
    assert!(
        pre.header("access-control-allow-methods")
            .unwrap_or("")
            .contains("GET")
    );
    let pre = send(
        &r,
        Request::options("/api/loops")
            .header(header::ORIGIN, "https://planning.example")
            .header("access-control-request-method", "POST")
            .body(Body::empty())
            .unwrap(),
        REMOTE,
    )
    .await;
    assert!(
        !pre.header("access-control-allow-methods")
            .unwrap_or("")
            .contains("POST")
    );

    // A simple cross-origin POST (no preflight) is refused before it does anything.
    let post = send(
        &r,
        Request::post("/api/loops/plan")
            .header(header::ORIGIN, "https://evil.example")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(r#"{"stops": [[106.6, 28.7], [106.7, 28.8]]}"#))
            .unwrap(),
        LOOPBACK,
    )
    .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert_eq!(post.json()["error"], "cross_origin_write");
    // The page's own origin may.
    let own = send(
        &r,
        Request::post("/api/loops/plan")
            .header(header::ORIGIN, "http://127.0.0.1:8080")
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"stops": [[106.6, 28.7], [106.7, 28.8]]}"#))
            .unwrap(),
        LOOPBACK,
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);
    // Admin answers are never shared with another origin.
    let m = send(
        &r,
        get_with("/metrics", &[(header::ORIGIN, "https://planning.example")]),
        LOOPBACK,
    )
    .await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(m.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn a_500_says_only_internal_error_and_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("loops.sqlite");
    let store = LoopStore::open(&db).unwrap();
    let r = app(AppState::with_store(small(), Some(store), None), None);
    // Break the database under the server: its table goes away.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("DROP TABLE loops;")
        .unwrap();
    let a = send(&r, get_plain("/api/loops"), LOOPBACK).await;
    assert_eq!(a.status, StatusCode::INTERNAL_SERVER_ERROR);
    let body = a.json();
    assert_eq!(body["error"], "internal");
    assert_eq!(body["detail"], "internal error");
    assert_eq!(body["request_id"].as_str(), a.header("x-request-id"));
    let text = String::from_utf8_lossy(&a.body);
    assert!(!text.contains("loops") || !text.contains("table"), "{text}");
    assert!(!text.to_lowercase().contains("sqlite"), "{text}");
}

#[tokio::test]
async fn admin_endpoints_answer_loopback_only_without_a_token() {
    let r = router();
    let a = send(&r, get_plain("/metrics"), REMOTE).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(
        &r,
        Request::post("/admin/reload").body(Body::empty()).unwrap(),
        REMOTE,
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = send(&r, get_plain("/metrics"), LOOPBACK).await;
    assert_eq!(a.status, StatusCode::OK);
    // A router given its data directly has nothing to reload from.
    let a = send(
        &r,
        Request::post("/admin/reload").body(Body::empty()).unwrap(),
        LOOPBACK,
    )
    .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn with_an_admin_token_admin_endpoints_need_it_from_everyone() {
    let mut b = AppState::builder(Arc::new(Live::of(small())));
    b.admin_token = Some("adm1n".into());
    let r = app(b.build(), None);
    for peer in [LOOPBACK, REMOTE] {
        let a = send(&r, get_plain("/metrics"), peer).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert_eq!(a.header("www-authenticate"), Some("Bearer"));
        assert_eq!(a.json()["parameter"], "Authorization");
        let a = send(
            &r,
            get_with("/metrics", &[(header::AUTHORIZATION, "Bearer wrong")]),
            peer,
        )
        .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        let a = send(
            &r,
            get_with("/metrics", &[(header::AUTHORIZATION, "Bearer adm1n")]),
            peer,
        )
        .await;
        assert_eq!(a.status, StatusCode::OK);
    }
    // Reads need no token.
    let a = send(&r, get_plain("/api/layers"), REMOTE).await;
    assert_eq!(a.status, StatusCode::OK);
}

#[tokio::test]
async fn before_the_first_snapshot_ready_is_503_and_data_reads_say_so() {
    let live = Arc::new(Live::new(Some(yuqian::snapshot::reload::DataSource::Dir(
        fixture("small"),
    ))));
    let r = app(AppState::builder(live.clone()).build(), None);
    let a = send(&r, get_plain("/health/ready"), LOOPBACK).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.json()["status"], "starting");
    let a = send(&r, get_plain("/health/live"), LOOPBACK).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = send(&r, get_plain("/health"), LOOPBACK).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json()["status"], "degraded");
    let a = send(&r, get_plain("/api/nearby?lon=106.7&lat=28.7"), LOOPBACK).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.json()["error"], "not_ready");
    assert_eq!(a.header("retry-after"), Some("1"));

    live.load().expect("the small fixture is valid");
    let a = send(&r, get_plain("/health/ready"), LOOPBACK).await;
    assert_eq!(a.status, StatusCode::OK);
    let version = a.json()["data_version"].as_str().unwrap().to_string();
    let a = send(&r, get_plain("/health"), LOOPBACK).await;
    assert_eq!(a.json()["status"], "ok");
    assert_eq!(a.json()["data_version"], version.as_str());
    assert_eq!(a.json()["features"], 22);

    live.begin_shutdown();
    let a = send(&r, get_plain("/health/ready"), LOOPBACK).await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.json()["status"], "shutting_down");
}

#[tokio::test]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after() {
    let mut b = AppState::builder(Arc::new(Live::of(small())));
    b.rate_limit = RateLimitSettings {
        per_minute: 1,
        burst: 2,
        loopback: false,
    };
    let r = app(b.build(), None);
    let nearby = || get_plain("/api/nearby?lon=106.7&lat=28.7&k=1");
    assert_eq!(send(&r, nearby(), REMOTE).await.status, StatusCode::OK);
    assert_eq!(send(&r, nearby(), REMOTE).await.status, StatusCode::OK);
    let limited = send(&r, nearby(), REMOTE).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.json()["error"], "rate_limited");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    // Cheap endpoints are not limited, nor is loopback by default.
    assert_eq!(
        send(&r, get_plain("/api/layers"), REMOTE).await.status,
        StatusCode::OK
    );
    assert_eq!(send(&r, nearby(), LOOPBACK).await.status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_count_the_requests_made() {
    let r = router();
    for _ in 0..3 {
        send(&r, get_plain("/api/layers"), LOOPBACK).await;
    }
    for id in ["rail-chuanqian", "res-zaodu"] {
        send(&r, get_plain(&format!("/api/features/{id}")), LOOPBACK).await;
    }
    send(&r, get_plain("/api/features/nope"), LOOPBACK).await;
    let m = send(&r, get_plain("/metrics"), LOOPBACK).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(
        m.header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = String::from_utf8(m.body).unwrap();
    let scrape = common::parse_prometheus(&text);
    let value = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
        scrape
            .iter()
            .find(|s| {
                s["name"] == name
                    && labels
                        .iter()
                        .all(|(k, v)| s["labels"][*k].as_str() == Some(*v))
            })
            .and_then(|s| s["value"].as_f64())
    };
    let route = |r: &str, status: &str| {
        value(
            "yuqian_http_requests_total",
            &[("route", r), ("method", "GET"), ("status", status)],
        )
    };
    assert_eq!(route("/api/layers", "200"), Some(3.0), "{text}");
    // By route template, not by raw path.
    assert_eq!(route("/api/features/{id}", "200"), Some(2.0), "{text}");
    assert_eq!(route("/api/features/{id}", "404"), Some(1.0), "{text}");
    assert_eq!(
        value("yuqian_layer_features", &[("layer", "railways")]),
        Some(3.0)
    );
    assert_eq!(value("yuqian_features", &[]), Some(22.0));
    assert!(value("yuqian_heavy_queued", &[]).is_some());
    assert!(value("yuqian_heavy_concurrency", &[]).is_some_and(|c| c >= 1.0));
    // A latency histogram by route: its +Inf bucket counts every request.
    assert_eq!(
        value(
            "yuqian_http_request_duration_seconds_bucket",
            &[("route", "/api/layers"), ("le", "+Inf")]
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        value(
            "yuqian_http_request_duration_seconds_count",
            &[("route", "/api/layers")]
        ),
        Some(3.0)
    );
}

#[tokio::test]
async fn a_compressed_error_decodes_to_its_body_with_the_request_id() {
    let r = router();
    let a = send(
        &r,
        get_with(
            "/api/nearby?lon=999&lat=0&k=3",
            &[(header::ACCEPT_ENCODING, "gzip")],
        ),
        LOOPBACK,
    )
    .await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let mut decoded = Vec::new();
    if a.header("content-encoding") == Some("gzip") {
        flate2::read::GzDecoder::new(&a.body[..])
            .read_to_end(&mut decoded)
            .expect("a valid gzip stream");
    } else {
        decoded = a.body.clone();
    }
    let body: Value = serde_json::from_slice(&decoded).expect("JSON");
    assert_eq!(body["parameter"], "lon");
    assert_eq!(body["request_id"].as_str(), a.header("x-request-id"));
}
