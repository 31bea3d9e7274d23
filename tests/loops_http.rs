//! Route loops through the production router over the small fixture: planning, bad input,
//! ready-made loops, saved loops with ETags and tokens, and GPX / GeoJSON export read back by
//! two independent GPX readers (Debian's gpsbabel, PyPI's gpxpy).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{fixture, get, post_json};
use serde_json::{Value, json};
use std::process::Command;
use yuqian::geodesy::distance_m;
use yuqian::http::{AppState, app};
use yuqian::index::Dataset;
use yuqian::store::LoopStore;

fn router_with_store(token: Option<&str>) -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = LoopStore::open(&dir.path().join("loops.sqlite")).unwrap();
    let ds = Dataset::load(&fixture("small")).unwrap();
    (
        app(
            AppState::with_store(ds, Some(store), token.map(str::to_string)),
            None,
        ),
        dir,
    )
}

fn c(v: &Value) -> geo::Coord {
    geo::Coord {
        x: v[0].as_f64().unwrap(),
        y: v[1].as_f64().unwrap(),
    }
}

async fn plan(router: &axum::Router, body: Value) -> Value {
    let (status, out) = post_json(router, "/api/loops/plan", body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    out
}

#[tokio::test]
async fn a_roundtrip_closes_its_legs_sum_to_the_total_and_provinces_sum_to_the_length() {
    let (r, _dir) = router_with_store(None);
    let stops = json!([
        "town-ganshui",
        "town-tongzi",
        [106.60, 29.00],
        "res-zaodu",
        "ta-loushanguan"
    ]);
    let out = plan(&r, json!({"stops": stops})).await;
    let p = &out["properties"];
    assert_eq!(out["type"], "Feature");
    let legs = p["legs"].as_array().unwrap();
    assert_eq!(legs.len(), 5, "a round trip of 5 stops has 5 legs");
    let sum: f64 = legs.iter().map(|l| l["distance_m"].as_f64().unwrap()).sum();
    assert!(
        (sum - p["distance_m"].as_f64().unwrap()).abs() < 0.01,
        "{sum} vs {}",
        p["distance_m"]
    );
    let time: f64 = legs.iter().map(|l| l["duration_s"].as_f64().unwrap()).sum();
    assert!((time - p["duration_s"].as_f64().unwrap()).abs() < 1.0);
    let coords = out["geometry"]["coordinates"].as_array().unwrap();
    assert_eq!(coords.first(), coords.last(), "the loop closes");
    let order = p["order"].as_array().unwrap();
    assert_eq!(order[0]["index"], 0, "the first stop stays first");
    assert_eq!(order[0]["id"], "town-ganshui");
    assert_eq!(order.iter().filter(|s| s["id"].is_null()).count(), 1);
    // The loop runs between the provinces and back: an even number of crossings.
    let crossings = p["border_crossings"].as_u64().unwrap();
    assert!(crossings >= 2 && crossings % 2 == 0, "{crossings}");
    let provinces: f64 = p["provinces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["length_m"].as_f64().unwrap())
        .sum();
    let total = p["distance_m"].as_f64().unwrap();
    assert!(
        (provinces - total).abs() <= total * 0.001,
        "{provinces} vs {total}"
    );
    let counties: f64 = p["counties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["length_m"].as_f64().unwrap())
        .sum::<f64>()
        + p["outside_counties_m"].as_f64().unwrap();
    assert!((counties - total).abs() <= total * 0.001);
    assert_eq!(p["exact"], true);
    // The stops on the G75 use it: the leg between the two towns follows the network.
    assert!(
        legs.iter()
            .any(|l| l["network"] == true && l["connector_m"].as_f64().unwrap() > 0.0)
    );
}

#[tokio::test]
async fn an_open_route_keeps_fixed_ends_and_straight_legs_are_geodesics() {
    let (r, _dir) = router_with_store(None);
    let stops = json!([
        [106.5, 29.3],
        "town-tongzi",
        "town-songkan",
        "res-zaodu",
        [106.9, 27.9]
    ]);
    let out = plan(
        &r,
        json!({"stops": stops, "roundtrip": false, "fixed_last": true, "paths": "straight"}),
    )
    .await;
    let p = &out["properties"];
    let order = p["order"].as_array().unwrap();
    assert_eq!(order[0]["index"], 0);
    assert_eq!(order[4]["index"], 4);
    let legs = p["legs"].as_array().unwrap();
    assert_eq!(legs.len(), 4);
    for (leg, pair) in legs.iter().zip(order.windows(2)) {
        assert_eq!(leg["network"], false);
        assert_eq!(leg["straight"], "requested");
        let d = distance_m(c(&pair[0]["position"]), c(&pair[1]["position"]));
        assert!((leg["distance_m"].as_f64().unwrap() - d).abs() < 0.01);
    }
    let coords = out["geometry"]["coordinates"].as_array().unwrap();
    assert_eq!(coords.first().unwrap(), &json!([106.5, 29.3]));
    assert_eq!(coords.last().unwrap(), &json!([106.9, 27.9]));
}

#[tokio::test]
async fn keeping_the_order_and_suggesting_nearby_attractions() {
    let (r, _dir) = router_with_store(None);
    let out = plan(&r, json!({"stops": ["town-ganshui", "town-tongzi", [106.6, 29.1]], "optimise": false, "suggest_within_m": 20000})).await;
    let order: Vec<u64> = out["properties"]["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["index"].as_u64().unwrap())
        .collect();
    assert_eq!(order, [0, 1, 2]);
    let suggestions = out["properties"]["suggestions"].as_array().unwrap();
    assert!(
        suggestions.iter().any(|s| s["id"] == "ta-dingshan-lake"),
        "{suggestions:?}"
    );
    assert!(
        suggestions
            .iter()
            .all(|s| s["distance_m"].as_f64().unwrap() <= 20000.0)
    );
    // A stop is never suggested.
    let with_stop = plan(
        &r,
        json!({"stops": ["town-ganshui", "ta-dingshan-lake"], "suggest_within_m": 20000}),
    )
    .await;
    assert!(
        with_stop["properties"]["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != "ta-dingshan-lake")
    );
}

#[tokio::test]
async fn planning_is_deterministic() {
    let (r, _dir) = router_with_store(None);
    let stops: Vec<Value> = (0..30)
        .map(|i| {
            json!([
                106.0 + (i as f64 * 0.37) % 1.5,
                28.0 + (i as f64 * 0.61) % 1.2
            ])
        })
        .collect();
    let a = plan(&r, json!({"stops": stops})).await;
    let b = plan(&r, json!({"stops": stops})).await;
    assert_eq!(a, b);
    assert_eq!(a["properties"]["exact"], false);
}

#[tokio::test]
async fn bad_plans_name_the_field() {
    let (r, _dir) = router_with_store(None);
    let many: Vec<Value> = (0..201)
        .map(|i| json!([106.0 + i as f64 * 0.001, 28.0]))
        .collect();
    let cases: Vec<(Value, &str)> = vec![
        (json!({}), "stops"),
        (json!({"stops": "town-ganshui"}), "stops"),
        (json!({"stops": ["town-ganshui"]}), "stops"),
        (json!({"stops": many}), "stops"),
        (
            json!({"stops": ["town-ganshui", "no-such-place"]}),
            "stops[1]",
        ),
        (json!({"stops": ["town-ganshui", [200, 28]]}), "stops[1]"),
        (json!({"stops": ["town-ganshui", [106, "x"]]}), "stops[1]"),
        (json!({"stops": ["town-ganshui", [106, 28, 5]]}), "stops[1]"),
        (json!({"stops": ["town-ganshui", 7]}), "stops[1]"),
        (
            json!({"stops": ["town-ganshui", "town-tongzi"], "roundtrip": "yes"}),
            "roundtrip",
        ),
        (
            json!({"stops": ["town-ganshui", "town-tongzi"], "fixed_last": 1}),
            "fixed_last",
        ),
        (
            json!({"stops": ["town-ganshui", "town-tongzi"], "paths": "air"}),
            "paths",
        ),
        (
            json!({"stops": ["town-ganshui", "town-tongzi"], "suggest_within_m": -1}),
            "suggest_within_m",
        ),
        (
            json!({"stops": ["town-ganshui", "town-tongzi"], "suggest_within_m": 1e9}),
            "suggest_within_m",
        ),
        (
            json!({"stops": ["town-ganshui", "town-tongzi"], "colour": "red"}),
            "colour",
        ),
        (json!([1, 2]), "body"),
    ];
    for (body, field) in cases {
        let (status, out) = post_json(&r, "/api/loops/plan", body.to_string()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {out}");
        assert_eq!(out["parameter"], field, "{body}: {out}");
    }
    let (status, out) = post_json(&r, "/api/loops/plan", "{oops").await;
    assert_eq!(
        (status, out["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body"))
    );
}

#[tokio::test]
async fn the_routes_of_the_data_are_ready_made_loops() {
    let (r, _dir) = router_with_store(None);
    let (status, out) = get(&r, "/api/loops/presets").await;
    assert_eq!(status, StatusCode::OK);
    let presets = out["presets"].as_array().unwrap();
    assert_eq!(presets.len(), 1);
    assert_eq!(presets[0]["id"], "route-red");
    let request = &presets[0]["request"];
    assert_eq!(request["stops"], json!(["town-ganshui", "town-tongzi"]));
    assert_eq!(request["roundtrip"], true);
    // A preset plans as it is.
    let planned = plan(&r, request.clone()).await;
    assert_eq!(planned["properties"]["order"][1]["id"], "town-tongzi");
}

fn with_headers(
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(body.into()).unwrap()
}

async fn send_raw(
    r: &axum::Router,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let resp = r.clone().oneshot(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes().to_vec(),
    )
}

#[tokio::test]
async fn saved_loops_are_created_read_updated_and_deleted_with_etags() {
    let (r, _dir) = router_with_store(None);
    let body = json!({"name": "<b>红色</b> loop", "notes": "a & b", "stops": ["town-ganshui", "town-tongzi", "res-zaodu"]});
    let (status, headers, bytes) = send_raw(
        &r,
        with_headers("POST", "/api/loops", &[], body.to_string()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let saved: Value = serde_json::from_slice(&bytes).unwrap();
    let id = saved["id"].as_i64().unwrap();
    assert_eq!(headers["location"], format!("/api/loops/{id}"));
    assert_eq!(headers["etag"], "\"v1\"");
    assert_eq!(saved["name"], "<b>红色</b> loop", "text is stored as given");
    assert_eq!(saved["plan"]["type"], "Feature");

    let (status, headers, _) = send_raw(
        &r,
        with_headers("GET", &format!("/api/loops/{id}"), &[], Body::empty()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["etag"], "\"v1\"");
    let (_, list) = get(&r, "/api/loops").await;
    assert_eq!(list["loops"][0]["id"], id);

    let renamed = json!({"name": "renamed", "stops": ["town-ganshui", "town-tongzi"]});
    let uri = format!("/api/loops/{id}");
    let (status, _, _) = send_raw(&r, with_headers("PUT", &uri, &[], renamed.to_string())).await;
    assert_eq!(
        status,
        StatusCode::PRECONDITION_REQUIRED,
        "a change needs If-Match"
    );
    let (status, headers, _) = send_raw(
        &r,
        with_headers("PUT", &uri, &[("if-match", "\"v1\"")], renamed.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["etag"], "\"v2\"");
    let (status, _, bytes) = send_raw(
        &r,
        with_headers("PUT", &uri, &[("if-match", "\"v1\"")], renamed.to_string()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::PRECONDITION_FAILED,
        "a stale ETag is refused"
    );
    let err: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(err["parameter"], "If-Match");
    let (status, _, _) = send_raw(
        &r,
        with_headers("DELETE", &uri, &[("if-match", "\"v1\"")], Body::empty()),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _, _) = send_raw(
        &r,
        with_headers("DELETE", &uri, &[("if-match", "\"v2\"")], Body::empty()),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&r, &uri).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let long = "x".repeat(201);
    let (status, out) = post_json(
        &r,
        "/api/loops",
        json!({"name": long, "stops": ["town-ganshui", "town-tongzi"]}).to_string(),
    )
    .await;
    assert_eq!(
        (status, out["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("name"))
    );
    let (status, out) = post_json(
        &r,
        "/api/loops",
        json!({"stops": ["town-ganshui", "town-tongzi"]}).to_string(),
    )
    .await;
    assert_eq!(
        (status, out["parameter"].as_str()),
        (StatusCode::BAD_REQUEST, Some("name"))
    );
    let (status, _) = get(&r, "/api/loops/abc").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn with_a_token_writes_need_it_and_reads_do_not() {
    let (r, _dir) = router_with_store(Some("s3cret"));
    let body = json!({"name": "n", "stops": ["town-ganshui", "town-tongzi"]}).to_string();
    let (status, _, _) = send_raw(&r, with_headers("POST", "/api/loops", &[], body.clone())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send_raw(
        &r,
        with_headers(
            "POST",
            "/api/loops",
            &[("authorization", "Bearer wrong")],
            body.clone(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, bytes) = send_raw(
        &r,
        with_headers(
            "POST",
            "/api/loops",
            &[("authorization", "Bearer s3cret")],
            body.clone(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = serde_json::from_slice::<Value>(&bytes).unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, _) = get(&r, &format!("/api/loops/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send_raw(
        &r,
        with_headers(
            "DELETE",
            &format!("/api/loops/{id}"),
            &[("if-match", "\"v1\"")],
            Body::empty(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Planning writes nothing and needs no token.
    let (status, _) = post_json(
        &r,
        "/api/loops/plan",
        json!({"stops": ["town-ganshui", "town-tongzi"]}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn exports_read_back_in_gpsbabel_and_gpxpy_with_the_same_points() {
    let (r, dir) = router_with_store(None);
    let body = json!({"name": "红色 & <loop>", "notes": "notes", "stops": ["town-ganshui", "town-tongzi", "res-zaodu", [106.6, 29.0]]});
    let (status, saved) = post_json(&r, "/api/loops", body.to_string()).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = saved["id"].as_i64().unwrap();
    let (status, headers, gpx) = send_raw(
        &r,
        with_headers("GET", &format!("/api/loops/{id}.gpx"), &[], Body::empty()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/gpx+xml")
    );
    let path = dir.path().join("loop.gpx");
    std::fs::write(&path, &gpx).unwrap();
    let track: Vec<(f64, f64)> = saved["plan"]["geometry"]["coordinates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[1].as_f64().unwrap(), p[0].as_f64().unwrap()))
        .collect();
    let stops: Vec<(f64, f64)> = saved["plan"]["properties"]["order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["position"][1].as_f64().unwrap(),
                s["position"][0].as_f64().unwrap(),
            )
        })
        .collect();

    // gpsbabel: the track's points as CSV.
    let out = Command::new("gpsbabel")
        .args(["-t", "-i", "gpx", "-f"])
        .arg(&path)
        .args(["-o", "unicsv,utf8", "-F", "-"])
        .output()
        .expect("gpsbabel (Debian's gpsbabel) must be installed: `make test` installs it");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (lat_col, lon_col) = (
        header.iter().position(|h| *h == "Latitude").unwrap(),
        header.iter().position(|h| *h == "Longitude").unwrap(),
    );
    let read: Vec<(f64, f64)> = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (
                cells[lat_col].parse().unwrap(),
                cells[lon_col].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(read.len(), track.len());
    for (a, b) in read.iter().zip(&track) {
        assert!(
            (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6,
            "{a:?} vs {b:?}"
        );
    }

    // gpxpy: waypoints, route points and track points.
    let python = std::env::var("YUQIAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "import gpxpy, json, sys\ng = gpxpy.parse(open(sys.argv[1], encoding='utf-8'))\nprint(json.dumps({'name': g.name, 'wpt': [[p.latitude, p.longitude] for p in g.waypoints], 'rte': [[p.latitude, p.longitude] for p in g.routes[0].points], 'trk': [[p.latitude, p.longitude] for p in g.tracks[0].segments[0].points]}))";
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(&path)
        .output()
        .expect("python with gpxpy (make test sets YUQIAN_PYTHON)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed["name"], "红色 & <loop>");
    let pairs = |v: &Value| -> Vec<(f64, f64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
            .collect()
    };
    assert_eq!(pairs(&parsed["wpt"]), stops);
    assert_eq!(pairs(&parsed["rte"]), stops);
    assert_eq!(pairs(&parsed["trk"]), track);

    // GeoJSON export: an RFC 7946 FeatureCollection of the loop and its numbered stops.
    let (status, headers, bytes) = send_raw(
        &r,
        with_headers(
            "GET",
            &format!("/api/loops/{id}.geojson"),
            &[],
            Body::empty(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/geo+json");
    let fc: Value = serde_json::from_slice(&bytes).unwrap();
    let parsed: geojson::GeoJson = serde_json::from_value(fc.clone()).expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(fc_typed) = parsed else {
        panic!("a FeatureCollection")
    };
    assert_eq!(fc_typed.features.len(), 1 + stops.len());
    assert_eq!(fc["features"][1]["properties"]["number"], 1);
    let bbox = fc["bbox"].as_array().unwrap();
    assert!(bbox[0].as_f64().unwrap() <= bbox[2].as_f64().unwrap());
}

#[tokio::test]
async fn a_retried_save_with_its_idempotency_key_answers_the_first_and_saves_once() {
    let (r, _dir) = router_with_store(None);
    let body = json!({"name": "重试", "stops": ["town-ganshui", "town-tongzi", "res-zaodu"]});
    let key = [("idempotency-key", "0b5e-retry")];
    let (status, headers, first) = send_raw(
        &r,
        with_headers("POST", "/api/loops", &key, body.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(headers.get("idempotent-replayed").is_none());
    let (status, again_headers, again) = send_raw(
        &r,
        with_headers("POST", "/api/loops", &key, body.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again, first, "the first save's answer, byte for byte");
    assert_eq!(again_headers["location"], headers["location"]);
    assert_eq!(again_headers["etag"], headers["etag"]);
    assert_eq!(again_headers["idempotent-replayed"], "true");
    let (_, list) = get(&r, "/api/loops").await;
    assert_eq!(list["loops"].as_array().unwrap().len(), 1, "no second loop");

    let other = json!({"name": "另一个", "stops": ["town-ganshui", "town-tongzi"]});
    let (status, _, err) = send_raw(
        &r,
        with_headers("POST", "/api/loops", &key, other.to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let err: Value = serde_json::from_slice(&err).unwrap();
    assert_eq!(err["error"], "idempotency_key_reused");
    assert_eq!(err["parameter"], "Idempotency-Key");
    let long = "k".repeat(256);
    let (status, _, _) = send_raw(
        &r,
        with_headers(
            "POST",
            "/api/loops",
            &[("idempotency-key", &long)],
            body.to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
