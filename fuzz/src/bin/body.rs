//! Every JSON body: the first byte picks `POST /api/corridor`, `POST /api/loops/plan` or
//! `POST /api/loops` (saved in SQLite in a temporary folder), the rest is the body, sent
//! through the production router over the small fixture. A panic or a server error other than
//! 503 is a crash.

use axum::http::Method;
use std::panic::AssertUnwindSafe;
use yuqian::http::{AppState, app};
use yuqian::store::LoopStore;
use yuqian_fuzz::{assert_no_server_error, runtime, send, small_dataset};

const ENDPOINTS: [&str; 3] = ["/api/corridor", "/api/loops/plan", "/api/loops"];

fn main() {
    let rt = runtime();
    let db = tempfile::tempdir().expect("a temporary folder");
    let router = {
        let _entered = rt.enter();
        let store = LoopStore::open(&db.path().join("loops.sqlite")).expect("open the store");
        app(AppState::with_store(small_dataset(), Some(store), None), None)
    };
    // A panic aborts the process (panic = "abort"), so nothing is observed half-unwound.
    let (rt, router) = (AssertUnwindSafe(rt), AssertUnwindSafe(router));
    afl::fuzz!(|data: &[u8]| {
        let Some((&choice, rest)) = data.split_first() else {
            return;
        };
        let endpoint = ENDPOINTS[usize::from(choice) % ENDPOINTS.len()];
        if let Some(status) = send(&rt, &router, Method::POST, endpoint, rest.to_vec()) {
            assert_no_server_error(status, endpoint);
        }
    });
}
