//! What the three fuzz targets share: the production router over the small test fixture, and
//! one request sent through it on a current-thread runtime built once.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use std::path::Path;
use tower::ServiceExt;

/// The fixture data set of the tests (`tests/fixtures/small`), loaded once per process.
pub fn small_dataset() -> yuqian::index::Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/small");
    yuqian::index::Dataset::load(&dir).expect("the small fixture loads")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Sends one request through `app` and returns its status, after reading the whole body (so
/// serialisation runs too).
pub fn send(
    rt: &tokio::runtime::Runtime,
    app: &Router,
    method: Method,
    uri: &str,
    body: Vec<u8>,
) -> Option<StatusCode> {
    let mut builder = Request::builder().method(method).uri(uri);
    if !body.is_empty() {
        builder = builder.header("content-type", "application/json");
    }
    // A string that is not a valid URI is refused by the client before any server code runs.
    let req = builder.body(Body::from(body)).ok()?;
    rt.block_on(async {
        let resp = app.clone().oneshot(req).await.expect("the router is infallible");
        let status = resp.status();
        let _ = resp.into_body().collect().await;
        Some(status)
    })
}

/// The bytes as the query string (or path segment) of a URI: bytes a URI may hold pass as they
/// are (`%`, `&`, `=` and `+` included, so the fuzzer can write its own escapes, valid or
/// not); every other byte is percent-encoded.
pub fn uri_part(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A server error other than 503 (busy, over budget) is a bug: the request was the client's.
pub fn assert_no_server_error(status: StatusCode, what: &str) {
    assert!(
        !status.is_server_error() || status == StatusCode::SERVICE_UNAVAILABLE,
        "{status} for {what}"
    );
}
