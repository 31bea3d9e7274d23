//! The query-string parsing of every GET endpoint: the first byte picks the endpoint, the rest
//! is its query string (for `/api/features/{id}`, the id), sent through the production router
//! over the small fixture. A panic or a server error other than 503 is a crash.

use axum::http::Method;
use std::panic::AssertUnwindSafe;
use yuqian::http::{AppState, app};
use yuqian_fuzz::{assert_no_server_error, runtime, send, small_dataset, uri_part};

const ENDPOINTS: [&str; 10] = [
    "/health",
    "/api/layers",
    "/api/features",
    "/api/features/",
    "/api/search",
    "/api/nearby",
    "/api/corridor",
    "/api/region",
    "/api/crossings",
    "/api/loops/presets",
];

fn main() {
    let rt = runtime();
    let router = {
        let _entered = rt.enter();
        app(AppState::new(small_dataset()), None)
    };
    // A panic aborts the process (panic = "abort"), so nothing is observed half-unwound.
    let (rt, router) = (AssertUnwindSafe(rt), AssertUnwindSafe(router));
    afl::fuzz!(|data: &[u8]| {
        let Some((&choice, rest)) = data.split_first() else {
            return;
        };
        let endpoint = ENDPOINTS[usize::from(choice) % ENDPOINTS.len()];
        let uri = if endpoint.ends_with('/') {
            format!("{endpoint}{}", uri_part(rest).replace(['/', '?'], "%2F"))
        } else {
            format!("{endpoint}?{}", uri_part(rest))
        };
        if let Some(status) = send(&rt, &router, Method::GET, &uri, Vec::new()) {
            assert_no_server_error(status, &uri);
        }
    });
}
