//! `GET /api/openapi.json`: the document as the router serves it, and real exchanges with every
//! endpoint of running servers validated against it by openapi-core
//! (`tests/openapi/validate_api.py`, in the venv that `make test` sets as `YUQIAN_PYTHON`).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::Server;
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;
use yuqian::http::{AppState, app};
use yuqian::snapshot::Live;

const PUBLIC_URL: &str = "http://maps.example/yuqian";
const WRITE_TOKEN: &str = "write-secret";
const ADMIN_TOKEN: &str = "admin-secret";

async fn fetch(
    router: &axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes().to_vec();
    (parts.status, parts.headers, bytes)
}

#[tokio::test]
async fn the_document_names_the_public_url_as_its_server_never_the_host() {
    let mut b = AppState::builder(Arc::new(Live::of(common::small())));
    b.public_url = "https://maps.example.org/yuqian/".into();
    let router = app(b.build(), None);
    let (status, headers, body) =
        fetch(&router, "/api/openapi.json", &[("host", "evil.example")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json");
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(
        doc["servers"],
        serde_json::json!([{ "url": "https://maps.example.org/yuqian" }])
    );
    assert!(!body.windows(4).any(|w| w == b"evil"));

    let tag = headers["etag"].to_str().unwrap();
    let (status, again, body) =
        fetch(&router, "/api/openapi.json", &[("if-none-match", tag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(again["etag"], tag);
    assert!(body.is_empty());

    let (status, _, body) = fetch(&router, "/api/openapi.json?format=yaml", &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let err: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(err["parameter"], "format");
}

/// The Python with openapi-core, or `None` (and a note) when the test venv lacks it outside CI;
/// `make test` installs it from `tools/requirements.txt`.
fn python_with_openapi_core() -> Option<String> {
    let python = std::env::var("YUQIAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = std::process::Command::new(&python)
        .args([
            "-c",
            "import openapi_core, openapi_spec_validator, mapbox_vector_tile",
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !ok && std::env::var_os("CI").is_none() {
        eprintln!("skipped: {python} has no openapi_core (run make setup-python)");
        return None;
    }
    assert!(ok, "{python} needs openapi-core and mapbox-vector-tile");
    Some(python)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// The small fixture without its province layer (so no border: `/api/crossings` answers 404),
/// plus a layer of 20 000 points, enough work that queries over it outlast a 1 ms budget.
fn heavy_data_without_provinces(to: &Path) {
    copy_dir(&common::fixture("small"), to);
    let catalogue = std::fs::read_to_string(to.join("layers.toml")).unwrap();
    let mut kept: Vec<&str> = catalogue
        .split("[[layers]]")
        .filter(|entry| !entry.contains("id = \"provinces\""))
        .collect();
    let bulk = "\nid = \"bulk\"\ntitle_zh = \"点\"\ntitle_en = \"Bulk\"\ngeometry = [\"point\"]\nfile = \"bulk.geojson\"\nsource = \"test\"\nlicence = \"CC0\"\nattribution = \"tests\"\n";
    kept.push(bulk);
    std::fs::write(to.join("layers.toml"), kept.join("[[layers]]")).unwrap();
    std::fs::remove_file(to.join("provinces.geojson")).unwrap();
    let features: Vec<Value> = (0..20_000)
        .map(|i| {
            serde_json::json!({
                "type": "Feature",
                "id": format!("bulk-{i}"),
                "geometry": {"type": "Point", "coordinates": [106.0 + f64::from(i % 200) * 0.005, 28.0 + f64::from(i / 200) * 0.01]},
                "properties": {"name_zh": format!("点{i}"), "name_en": format!("Bulk {i}"), "status": "planned",
                               "provinces": ["chongqing"], "source": "test", "accuracy": "approximate"},
            })
        })
        .collect();
    let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
    std::fs::write(to.join("bulk.geojson"), serde_json::to_vec(&fc).unwrap()).unwrap();
}

#[test]
fn real_exchanges_with_every_endpoint_match_the_openapi_document() {
    let Some(python) = python_with_openapi_core() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    copy_dir(&common::fixture("small"), &data);
    let heavy = dir.path().join("heavy");
    heavy_data_without_provinces(&heavy);

    let main = Server::start_with_data(
        &data,
        &dir.path().join("main.sqlite"),
        &[
            "--write-token",
            WRITE_TOKEN,
            "--admin-token",
            ADMIN_TOKEN,
            "--public-url",
            PUBLIC_URL,
        ],
    );
    // A budget of 1 ms, on data without provinces and with 20 000 more points.
    let budget = Server::start_with_data(
        &heavy,
        &dir.path().join("budget.sqlite"),
        &["--heavy-budget-ms", "1"],
    );
    // One heavy request a minute, loopback included.
    let limited = Server::start(
        &dir.path().join("limited.sqlite"),
        &[
            "--rate-limit-per-minute",
            "1",
            "--rate-limit-burst",
            "1",
            "--rate-limit-loopback",
        ],
    );

    let out = std::process::Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/openapi/validate_api.py"
        ))
        .args([
            "--doc",
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/openapi/api.json"),
        ])
        .args(["--main", &format!("http://{}", main.addr)])
        .args(["--public-url", PUBLIC_URL])
        .args(["--write-token", WRITE_TOKEN, "--admin-token", ADMIN_TOKEN])
        .arg("--data-dir")
        .arg(&data)
        .args(["--budget", &format!("http://{}", budget.addr)])
        .args(["--limited", &format!("http://{}", limited.addr)])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    println!("{summary:#}");
    assert!(summary["exchanges"].as_u64().unwrap() > 150, "{summary}");
}
