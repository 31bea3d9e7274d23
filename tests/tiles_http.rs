//! Vector tiles over HTTP: properties, status codes, TileJSON, compression, ETags, the cache
//! and the heavy pool, through the production router.

mod common;

use axum::http::StatusCode;
use common::tiles::*;
use geo::Coord;
use serde_json::Value;
use std::sync::Arc;
use yuqian::http::{AppState, app};
use yuqian::snapshot::{Live, Snapshot};
use yuqian::tiles::parse_layers;
use yuqian::work::Deadline;

#[tokio::test]
async fn tile_features_carry_the_model_properties() {
    let router = common::router();
    let t = tile_of(
        Coord {
            x: 106.71,
            y: 28.75,
        },
        12,
    );
    let d = tile(&router, "railway_stations,railways", t).await.unwrap();
    let (_, stations) = &d.layers["railway_stations"];
    let s = stations
        .iter()
        .find(|f| prop_str(f, "id") == "stn-ganshui")
        .expect("the station is in its tile");
    assert_eq!(prop_str(s, "name_zh"), "赶水站");
    assert_eq!(prop_str(s, "name_en"), "Ganshui station");
    assert_eq!(prop_str(s, "status"), "existing");
    assert_eq!(prop_str(s, "accuracy"), "approximate");
    assert_eq!(prop_str(s, "provinces"), "chongqing");
    assert!(prop(s, "source").is_none(), "source stays out of tiles");
    let (_, rails) = &d.layers["railways"];
    let r = rails
        .iter()
        .find(|f| prop_str(f, "id") == "rail-chuanqian")
        .unwrap();
    assert_eq!(prop_str(r, "provinces"), "chongqing,guizhou");
}

#[tokio::test]
async fn a_tile_far_from_the_data_is_204() {
    let router = common::router();
    let t = tile_of(Coord { x: -70.0, y: -30.0 }, 8);
    let (status, _, body) =
        fetch(&router, &format!("/tiles/{ALL}/8/{}/{}.mvt", t.x, t.y), &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(body.is_empty());
}

#[tokio::test]
async fn bad_z_x_or_y_is_400_naming_it_and_no_path_panics() {
    let router = common::router();
    for (path, part) in [
        ("/tiles/railways/31/0/0.mvt", "z"),
        ("/tiles/railways/23/0/0.mvt", "z"),
        ("/tiles/railways/99999999999999999999/0/0.mvt", "z"),
        ("/tiles/railways/-1/0/0.mvt", "z"),
        ("/tiles/railways/a/0/0.mvt", "z"),
        ("/tiles/railways/1.5/0/0.mvt", "z"),
        ("/tiles/railways/1/2/0.mvt", "x"),
        ("/tiles/railways/1/-1/0.mvt", "x"),
        ("/tiles/railways/0/99999999999999999999/0.mvt", "x"),
        ("/tiles/railways/3/0/8.mvt", "y"),
        ("/tiles/railways/3/0/y.mvt", "y"),
        ("/tiles/railways/3/0/.mvt", "y"),
        ("/tiles//1/0/0.mvt", "layers"),
        ("/tiles/railways,,towns/1/0/0.mvt", "layers"),
    ] {
        let (status, _, body) = fetch(&router, path, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        let json: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["parameter"], part, "{path}: {json}");
    }
    for path in [
        "/tiles/",
        "/tiles/railways",
        "/tiles/railways/1/0/0",
        "/tiles/railways/1/0/0.png",
        "/tiles/railways/1/0/0/0.mvt",
        "/tiles/.json",
        "/tiles/%FF/1/0/0.mvt",
        "/tiles/railways/%00/0/0.mvt",
    ] {
        let (status, _, _) = fetch(&router, path, &[]).await;
        assert!(status.is_client_error(), "{path}: {status}");
    }
}

#[tokio::test]
async fn an_unknown_layer_is_404_naming_it() {
    let router = common::router();
    for path in ["/tiles/railways,canals/3/6/3.mvt", "/tiles/canals.json"] {
        let (status, _, body) = fetch(&router, path, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let json: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["parameter"], "layers");
        assert!(
            json["detail"].as_str().unwrap().contains("canals"),
            "{json}"
        );
    }
}

#[tokio::test]
async fn tilejson_links_tiles_by_public_url_never_by_host() {
    let mut b = AppState::builder(Arc::new(Live::of(common::small())));
    b.public_url = "https://maps.example.org/yuqian".into();
    let router = app(b.build(), None);
    let (status, headers, body) = fetch(
        &router,
        "/tiles/railways,railway_stations.json",
        &[
            ("host", "evil.example"),
            ("origin", "https://elsewhere.example"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://elsewhere.example"
    );
    let j: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(j["tilejson"], "3.0.0");
    assert_eq!(
        j["tiles"][0],
        "https://maps.example.org/yuqian/tiles/railways,railway_stations/{z}/{x}/{y}.mvt"
    );
    assert!(!body.windows(4).any(|w| w == b"evil"));
    assert_eq!(j["minzoom"], 0);
    assert_eq!(j["maxzoom"], 16);
    let bounds: Vec<f64> = j["bounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(bounds.len(), 4);
    assert!(bounds[0] < 106.0 && bounds[2] > 106.9 && bounds[1] < 27.8 && bounds[3] > 29.5);
    let center = j["center"].as_array().unwrap();
    assert_eq!(center.len(), 3);
    assert_eq!(j["attribution"], "Yuqian Map tests");
    let layers = j["vector_layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0]["id"], "railways");
    assert_eq!(layers[1]["id"], "railway_stations");
    for l in layers {
        assert_eq!(l["fields"]["id"], "String");
        assert_eq!(l["fields"]["provinces"], "String");
        assert_eq!(l["minzoom"], 0);
        assert_eq!(l["maxzoom"], 16);
    }
    assert_eq!(layers[1]["fields"]["point_count"], "Number");
    // The default is the listen address, from the settings.
    let (_, _, body) = fetch(
        &common::router(),
        "/tiles/railways.json",
        &[("host", "evil.example")],
    )
    .await;
    let j: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        j["tiles"][0]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:8080/tiles/railways/")
    );
}

#[tokio::test]
async fn tiles_are_gzipped_when_accepted_and_revalidate_with_etags() {
    let router = common::router();
    let t = tile_of(Coord { x: 106.7, y: 28.7 }, 6);
    let uri = format!("/tiles/{ALL}/6/{}/{}.mvt", t.x, t.y);
    let (status, h, plain) = fetch(&router, &uri, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-type"], "application/vnd.mapbox-vector-tile");
    assert_eq!(h["cache-control"], "no-cache");
    let etag = h["etag"].to_str().unwrap().to_string();
    let (status, h, gz) = fetch(&router, &uri, &[("accept-encoding", "gzip")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["content-encoding"], "gzip");
    let vary: Vec<String> = h
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("accept-encoding")),
        "{vary:?}"
    );
    let mut unzipped = Vec::new();
    use std::io::Read;
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);
    let (status, h, body) = fetch(&router, &uri, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(h["etag"].to_str().unwrap(), etag);
    assert!(body.is_empty());
    let other = format!("/tiles/railways/6/{}/{}.mvt", t.x, t.y);
    let (_, h, _) = fetch(&router, &other, &[]).await;
    assert_ne!(
        h["etag"].to_str().unwrap(),
        etag,
        "the ETag depends on the URI"
    );
}

#[tokio::test]
async fn the_cache_serves_the_same_bytes_and_a_new_snapshot_starts_empty() {
    let router = common::router();
    let t = tile_of(Coord { x: 106.7, y: 28.7 }, 9);
    let uri = format!("/tiles/{ALL}/9/{}/{}.mvt", t.x, t.y);
    let (_, _, first) = fetch(&router, &uri, &[]).await;
    let (_, _, second) = fetch(&router, &uri, &[]).await;
    assert!(!first.is_empty());
    assert_eq!(first, second);

    let snap = Snapshot::build(common::small());
    let layers = parse_layers(&snap.dataset, ALL).unwrap();
    assert_eq!(snap.tiles.cache.entry_count(), 0);
    let made = snap
        .tiles
        .tile(&snap.dataset, &layers, t, &Deadline::NONE)
        .unwrap();
    assert_eq!(
        &made[..],
        &first[..],
        "the same tile from the cache or cut anew"
    );
    assert_eq!(snap.tiles.cached(&layers, t).as_deref(), Some(&made[..]));
    assert_eq!(snap.tiles.cache.entry_count(), 1);
    let reloaded = Snapshot::build(common::small());
    assert_eq!(reloaded.tiles.cache.entry_count(), 0);
    assert!(reloaded.tiles.cached(&layers, t).is_none());
    // A zero budget caches nothing.
    let uncached = Snapshot::build_with_tile_cache(common::small(), 0);
    uncached
        .tiles
        .tile(&uncached.dataset, &layers, t, &Deadline::NONE)
        .unwrap();
    assert!(uncached.tiles.cached(&layers, t).is_none());
}

#[tokio::test]
async fn an_expired_deadline_stops_a_tile() {
    let snap = Snapshot::build(common::small());
    let layers = parse_layers(&snap.dataset, ALL).unwrap();
    let t = tile_of(Coord { x: 106.7, y: 28.7 }, 9);
    let expired = Deadline::after(std::time::Duration::ZERO);
    assert!(
        snap.tiles
            .tile(&snap.dataset, &layers, t, &expired)
            .is_err()
    );
    assert!(snap.tiles.cached(&layers, t).is_none());
}

#[tokio::test]
async fn uncached_tiles_are_cut_on_the_heavy_pool_under_its_budget_and_cached_ones_are_not() {
    let live = Arc::new(Live::of(common::small()));
    let mut b = AppState::builder(live.clone());
    b.pool = yuqian::work::PoolLimits {
        budget: std::time::Duration::ZERO,
        ..yuqian::work::PoolLimits::default_for_machine()
    };
    let router = app(b.build(), None);
    let t = tile_of(Coord { x: 106.7, y: 28.7 }, 9);
    let uri = format!("/tiles/railways/9/{}/{}.mvt", t.x, t.y);
    let (status, h, _) = fetch(&router, &uri, &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "over its budget");
    assert!(h.contains_key("retry-after"));
    let snap = live.current().unwrap();
    let layers = parse_layers(&snap.dataset, "railways").unwrap();
    let made = snap
        .tiles
        .tile(&snap.dataset, &layers, t, &Deadline::NONE)
        .unwrap();
    let (status, _, body) = fetch(&router, &uri, &[]).await;
    assert_eq!(status, StatusCode::OK, "a cached tile needs no budget");
    assert_eq!(&body[..], &made[..]);
}
