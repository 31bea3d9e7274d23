//! Helpers shared by the integration tests.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::path::PathBuf;
use tower::ServiceExt;
use yuqian::http::{AppState, app};
use yuqian::index::Dataset;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn small() -> Dataset {
    Dataset::load(&fixture("small")).expect("the small fixture is valid")
}

pub fn router() -> axum::Router {
    app(AppState::new(small()), None)
}

/// Sends one request through the production router, without a socket.
pub async fn send(router: &axum::Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = router
        .clone()
        .oneshot(req)
        .await
        .expect("the router is infallible");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, json)
}

pub async fn get(router: &axum::Router, uri: &str) -> (StatusCode, Value) {
    send(router, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post_json(
    router: &axum::Router,
    uri: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    send(
        router,
        Request::post(uri)
            .header("content-type", "application/json")
            .body(body.into())
            .unwrap(),
    )
    .await
}

pub fn ids(fc: &Value) -> Vec<String> {
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_string())
        .collect()
}
