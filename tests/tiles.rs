//! Vector tiles through the production router, decoded with a decoder we did not write
//! (`mvt-reader`), checked against the source geometry projected here independently.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use geo::{Coord, Geometry, Intersects, MapCoords, Rect};
use http_body_util::BodyExt;
use mvt_reader::Reader;
use mvt_reader::feature::Value as MvtValue;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tower::ServiceExt;
use yuqian::http::{AppState, app};
use yuqian::index::Dataset;
use yuqian::snapshot::{Live, Snapshot};
use yuqian::tiles::{TileCoord, TileIndex, export, parse_layers, render};
use yuqian::work::Deadline;

const ALL: &str = "provinces,counties,railways,railway_stations,highways,reservoirs,industrial_parks,tourist_routes,towns,attractions";
const EXTENT: f64 = 4096.0;
const BUFFER: f64 = 64.0;

async fn fetch(
    router: &axum::Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, bytes)
}

/// Web Mercator, written again here so the truth does not share the code under test:
/// lon/lat degrees to world tile units at zoom `z` (x east, y south).
fn world(c: Coord, z: u8) -> Coord {
    let n = f64::from(1u32 << z);
    let lat = c.y.to_radians();
    Coord {
        x: (c.x + 180.0) / 360.0 * n,
        y: (1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * n,
    }
}

fn tile_of(c: Coord, z: u8) -> TileCoord {
    let w = world(c, z);
    TileCoord::new(z, w.x.floor() as u32, w.y.floor() as u32).unwrap()
}

/// A decoded tile: layer name → features.
struct Decoded {
    layers: BTreeMap<String, (u32, Vec<mvt_reader::feature::Feature>)>,
}

fn decode(bytes: &[u8]) -> Decoded {
    let reader = Reader::new(bytes.to_vec()).expect("a valid MVT");
    let meta = reader.get_layer_metadata().unwrap();
    let mut layers = BTreeMap::new();
    for m in meta {
        let features = reader.get_features(m.layer_index).unwrap();
        assert_eq!(m.version, 2, "MVT 2");
        layers.insert(m.name.clone(), (m.extent, features));
    }
    Decoded { layers }
}

fn prop<'a>(f: &'a mvt_reader::feature::Feature, k: &str) -> Option<&'a MvtValue> {
    f.properties.as_ref().and_then(|p| p.get(k))
}

fn prop_str(f: &mvt_reader::feature::Feature, k: &str) -> String {
    match prop(f, k) {
        Some(MvtValue::String(s)) => s.clone(),
        other => panic!("{k} is {other:?}"),
    }
}

fn coords(g: &geo::Geometry<f32>) -> Vec<Coord<f32>> {
    use geo::CoordsIter;
    g.coords_iter().collect()
}

async fn tile(router: &axum::Router, layers: &str, t: TileCoord) -> Option<Decoded> {
    let (status, _, bytes) = fetch(
        router,
        &format!("/tiles/{layers}/{}/{}/{}.mvt", t.z, t.x, t.y),
        &[],
    )
    .await;
    match status {
        StatusCode::OK => Some(decode(&bytes)),
        StatusCode::NO_CONTENT => None,
        s => panic!("{t}: {s} {}", String::from_utf8_lossy(&bytes)),
    }
}

/// Tiles holding a vertex of some line or point of the small fixture, at `z`.
fn tiles_at(ds: &Dataset, z: u8) -> BTreeSet<TileCoord> {
    use geo::CoordsIter;
    let mut out = BTreeSet::new();
    for f in &ds.features {
        let layer = &ds.layer_of(f).id;
        if layer == "provinces" || layer == "counties" {
            continue;
        }
        for c in f.geometry.coords_iter() {
            out.insert(tile_of(c, z));
        }
    }
    out
}

#[tokio::test]
async fn tile_layers_are_the_requested_layers_with_extent_4096() {
    let router = common::router();
    let t = tile_of(Coord { x: 106.7, y: 28.7 }, 6);
    let d = tile(&router, "railways,provinces,railway_stations", t)
        .await
        .expect("data here");
    let names: Vec<&str> = d.layers.keys().map(String::as_str).collect();
    assert_eq!(names, ["provinces", "railway_stations", "railways"]);
    for (extent, features) in d.layers.values() {
        assert_eq!(*extent, 4096);
        assert!(!features.is_empty());
    }
}

#[tokio::test]
async fn every_coordinate_lies_within_the_tile_plus_its_buffer() {
    let router = common::router();
    let ds = common::small();
    for z in [4, 7, 9, 12, 14] {
        for t in tiles_at(&ds, z) {
            let Some(d) = tile(&router, ALL, t).await else {
                continue;
            };
            for (name, (_, features)) in &d.layers {
                for f in features {
                    for c in coords(&f.geometry) {
                        let (x, y) = (f64::from(c.x), f64::from(c.y));
                        assert!(
                            (-BUFFER..=EXTENT + BUFFER).contains(&x)
                                && (-BUFFER..=EXTENT + BUFFER).contains(&y),
                            "{name} {t}: {c:?}"
                        );
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn every_feature_crossing_a_tile_from_z12_on_is_in_it() {
    let router = common::router();
    let ds = common::small();
    let mut checked = 0;
    for z in [12, 14] {
        for t in tiles_at(&ds, z) {
            let d = tile(&router, ALL, t).await;
            let present: BTreeSet<(String, String)> = d
                .iter()
                .flat_map(|d| d.layers.iter())
                .flat_map(|(name, (_, fs))| {
                    fs.iter().map(move |f| (name.clone(), prop_str(f, "id")))
                })
                .collect();
            let square = Rect::new(
                Coord {
                    x: f64::from(t.x),
                    y: f64::from(t.y),
                },
                Coord {
                    x: f64::from(t.x + 1),
                    y: f64::from(t.y + 1),
                },
            );
            for f in &ds.features {
                let projected: Geometry = f.geometry.map_coords(|c| world(c, z));
                if projected.intersects(&square) {
                    checked += 1;
                    let key = (ds.layer_of(f).id.clone(), f.id().to_string());
                    assert!(
                        present.contains(&key),
                        "{key:?} crosses {t} but is not in it"
                    );
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} checks");
}

/// Where the parts of `lines` cross the line `axis = at` (0 = x, 1 = y): the other coordinate.
fn crossings(lines: &[Vec<Coord<f32>>], axis: usize, at: f64) -> Vec<f64> {
    let get = |c: &Coord<f32>| f64::from(if axis == 0 { c.x } else { c.y });
    let other = |c: &Coord<f32>| f64::from(if axis == 0 { c.y } else { c.x });
    let mut out = Vec::new();
    for line in lines {
        for w in line.windows(2) {
            let (a, b) = (get(&w[0]), get(&w[1]));
            if (a - at) * (b - at) <= 0.0 && a != b {
                let t = (at - a) / (b - a);
                out.push(other(&w[0]) + (other(&w[1]) - other(&w[0])) * t);
            }
        }
    }
    out
}

fn lines_of(d: &Decoded, layer: &str, id: &str) -> Vec<Vec<Coord<f32>>> {
    let Some((_, fs)) = d.layers.get(layer) else {
        return Vec::new();
    };
    fs.iter()
        .filter(|f| prop_str(f, "id") == id)
        .flat_map(|f| match &f.geometry {
            Geometry::LineString(l) => vec![l.0.clone()],
            Geometry::MultiLineString(ml) => ml.0.iter().map(|l| l.0.clone()).collect(),
            g => panic!("not a line: {g:?}"),
        })
        .collect()
}

#[tokio::test]
async fn a_line_crossing_several_tiles_meets_itself_at_every_seam() {
    let router = common::router();
    let ds = common::small();
    let mut seams = 0;
    for id in ["rail-chuanqian", "rail-c11"] {
        let f = ds.feature(ds.find(id).unwrap());
        for z in [8, 10, 12] {
            let tiles: BTreeSet<TileCoord> = {
                use geo::{CoordsIter, Densify, Euclidean};
                let Geometry::LineString(ls) = &f.geometry else {
                    panic!("a line")
                };
                Euclidean
                    .densify(ls, 0.002)
                    .coords_iter()
                    .map(|c| tile_of(c, z))
                    .collect()
            };
            for t in &tiles {
                let right = TileCoord::new(z, t.x + 1, t.y).unwrap();
                let below = TileCoord::new(z, t.x, t.y + 1).unwrap();
                for (next, axis) in [(right, 0), (below, 1)] {
                    if !tiles.contains(&next) {
                        continue;
                    }
                    let a = lines_of(
                        &tile(&router, "railways", *t).await.unwrap(),
                        "railways",
                        id,
                    );
                    let b = lines_of(
                        &tile(&router, "railways", next).await.unwrap(),
                        "railways",
                        id,
                    );
                    let ca = crossings(&a, axis, EXTENT);
                    let cb = crossings(&b, axis, 0.0);
                    assert!(!ca.is_empty() && !cb.is_empty(), "{id} {t} → {next}");
                    for y in &ca {
                        assert!(
                            cb.iter().any(|o| (o - y).abs() <= 4.0),
                            "{id}: {t} leaves at {y}, {next} enters at {cb:?}"
                        );
                    }
                    seams += 1;
                }
            }
        }
    }
    assert!(seams >= 10, "only {seams} seams");
}

fn area2(ring: &geo::LineString<f32>) -> f64 {
    ring.0
        .windows(2)
        .map(|w| f64::from(w[0].x) * f64::from(w[1].y) - f64::from(w[1].x) * f64::from(w[0].y))
        .sum()
}

#[tokio::test]
async fn exterior_rings_are_clockwise_on_screen_and_holes_counter_clockwise() {
    let router = common::router();
    let ds = common::small();
    let mut rings = 0;
    for z in [5, 8, 12] {
        for t in tiles_at(&ds, z) {
            let Some(d) = tile(&router, "provinces,counties,reservoirs,industrial_parks", t).await
            else {
                continue;
            };
            for (_, fs) in d.layers.values() {
                for f in fs {
                    let polygons = match &f.geometry {
                        Geometry::Polygon(p) => vec![p.clone()],
                        Geometry::MultiPolygon(mp) => mp.0.clone(),
                        _ => continue,
                    };
                    for p in polygons {
                        // Surveyor's formula in y-down tile coordinates (MVT 2.1, 4.3.4.4).
                        assert!(area2(p.exterior()) > 0.0, "{t}: {:?}", prop(f, "id"));
                        for hole in p.interiors() {
                            assert!(area2(hole) < 0.0);
                        }
                        rings += 1;
                    }
                }
            }
        }
    }
    assert!(rings > 10, "only {rings} rings");
}

/// The MVT ids in a tile, by string id.
fn ids_in(d: &Decoded) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for (_, fs) in d.layers.values() {
        for f in fs {
            let id = f.id.expect("every feature has an MVT id");
            assert!(id < 1 << 53);
            let prev = out.insert(prop_str(f, "id"), id);
            assert!(prev.is_none() || prev == Some(id));
        }
    }
    out
}

#[tokio::test]
async fn mvt_ids_are_on_every_feature_and_the_same_across_tiles_zooms_and_reloads() {
    let router = common::router();
    let ds = common::small();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut repeats = 0;
    for z in [6, 9, 12] {
        for t in tiles_at(&ds, z) {
            let Some(d) = tile(&router, ALL, t).await else {
                continue;
            };
            for (sid, id) in ids_in(&d) {
                match seen.get(&sid) {
                    Some(old) => {
                        assert_eq!(*old, id, "{sid}");
                        repeats += 1;
                    }
                    None => {
                        seen.insert(sid, id);
                    }
                }
            }
        }
    }
    assert!(repeats > 50);
    // A new snapshot of the same data: the same ids.
    let again = common::router();
    let t = tile_of(Coord { x: 106.7, y: 28.7 }, 7);
    let d = tile(&again, ALL, t).await.unwrap();
    for (sid, id) in ids_in(&d) {
        assert_eq!(seen.get(&sid), Some(&id), "{sid}");
    }
}

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

/// A data folder of synthetic features: a cluster of points, a far point, a line with styling
/// fields and a tiny polygon.
fn synthetic() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let toml = r#"
[[layers]]
id = "dense"
title_zh = "密点"
title_en = "Dense points"
geometry = ["point", "polygon"]
file = "dense.geojson"
source = "synthetic"
licence = "CC0"
attribution = "Yuqian Map tests"

[[layers]]
id = "roads"
title_zh = "道路"
title_en = "Roads"
geometry = ["line"]
file = "roads.geojson"
source = "synthetic"
licence = "CC0"
attribution = "Yuqian Map tests"
"#;
    std::fs::write(dir.path().join("layers.toml"), toml).unwrap();
    let feature = |id: String, geometry: Value, extra: Value| {
        let mut props = serde_json::json!({
            "status": "existing", "provinces": ["chongqing"], "source": "synthetic",
            "accuracy": "real", "name_zh": id.clone(), "name_en": id.clone(),
        });
        for (k, v) in extra.as_object().unwrap() {
            props[k] = v.clone();
        }
        serde_json::json!({"type": "Feature", "id": id, "geometry": geometry, "properties": props})
    };
    let mut dense: Vec<Value> = (0..30)
        .map(|i| {
            feature(
                format!("pt-{i}"),
                serde_json::json!({"type": "Point", "coordinates": [106.0 + f64::from(i) * 1e-6, 28.0]}),
                serde_json::json!({}),
            )
        })
        .collect();
    dense.push(feature(
        "pt-far".into(),
        serde_json::json!({"type": "Point", "coordinates": [106.3, 28.3]}),
        serde_json::json!({}),
    ));
    dense.push(feature(
        "tiny-pond".into(),
        serde_json::json!({"type": "Polygon", "coordinates": [[[106.5, 28.5], [106.5005, 28.5], [106.5005, 28.5005], [106.5, 28.5005], [106.5, 28.5]]]}),
        serde_json::json!({}),
    ));
    let roads = vec![feature(
        "road-g75".into(),
        serde_json::json!({"type": "LineString", "coordinates": [[106.0, 28.0], [106.5, 28.5], [107.0, 28.6]]}),
        serde_json::json!({
            "ref": "G75", "lanes": 4, "electrified": false, "speed_kmh": 120.5,
            "description": "x".repeat(100), "tags": ["a", "b"], "meta": {"k": 1}
        }),
    )];
    for (name, features) in [("dense.geojson", dense), ("roads.geojson", roads)] {
        let fc = serde_json::json!({"type": "FeatureCollection", "features": features});
        std::fs::write(dir.path().join(name), fc.to_string()).unwrap();
    }
    dir
}

#[tokio::test]
async fn points_in_one_pixel_are_thinned_at_low_zoom_with_a_point_count() {
    let dir = synthetic();
    let router = app(AppState::new(Dataset::load(dir.path()).unwrap()), None);
    let at = Coord { x: 106.0, y: 28.0 };
    let low = tile(&router, "dense", tile_of(at, 5)).await.unwrap();
    let (_, fs) = &low.layers["dense"];
    let counts: BTreeMap<String, u64> = fs
        .iter()
        .map(|f| match prop(f, "point_count") {
            Some(MvtValue::UInt(n)) => (prop_str(f, "id"), *n),
            other => panic!("point_count is {other:?}"),
        })
        .collect();
    assert_eq!(counts.values().sum::<u64>(), 31, "{counts:?}");
    assert_eq!(
        counts.len(),
        2,
        "one kept for the cluster, one far point: {counts:?}"
    );
    assert_eq!(counts.get("pt-far"), Some(&1));
    // The tiny pond is under a pixel at z5: dropped.
    assert!(!counts.contains_key("tiny-pond"));
    let high = tile(&router, "dense", tile_of(at, 14)).await.unwrap();
    let (_, fs) = &high.layers["dense"];
    assert_eq!(fs.len(), 30, "no thinning at full detail");
    assert!(fs.iter().all(|f| prop(f, "point_count").is_none()));
    let pond = tile(
        &router,
        "dense",
        tile_of(
            Coord {
                x: 106.5002,
                y: 28.5002,
            },
            14,
        ),
    )
    .await
    .unwrap();
    assert!(
        pond.layers["dense"]
            .1
            .iter()
            .any(|f| prop_str(f, "id") == "tiny-pond")
    );
}

#[tokio::test]
async fn short_scalar_fields_go_into_tiles_and_long_texts_arrays_and_objects_do_not() {
    let dir = synthetic();
    let router = app(AppState::new(Dataset::load(dir.path()).unwrap()), None);
    let d = tile(&router, "roads", tile_of(Coord { x: 106.5, y: 28.5 }, 8))
        .await
        .unwrap();
    let road = &d.layers["roads"].1[0];
    assert_eq!(prop(road, "ref"), Some(&MvtValue::String("G75".into())));
    assert_eq!(prop(road, "lanes"), Some(&MvtValue::SInt(4)));
    assert_eq!(prop(road, "electrified"), Some(&MvtValue::Bool(false)));
    assert_eq!(prop(road, "speed_kmh"), Some(&MvtValue::Double(120.5)));
    for absent in ["description", "tags", "meta", "source"] {
        assert!(prop(road, absent).is_none(), "{absent}");
    }
    let (_, _, body) = fetch(&router, "/tiles/roads.json", &[]).await;
    let j: Value = serde_json::from_slice(&body).unwrap();
    let fields = &j["vector_layers"][0]["fields"];
    assert_eq!(fields["ref"], "String");
    assert_eq!(fields["lanes"], "Number");
    assert_eq!(fields["electrified"], "Boolean");
    assert!(fields.get("description").is_none() && fields.get("tags").is_none());
}

#[tokio::test]
async fn the_pmtiles_export_holds_the_tiles_the_server_serves() {
    let ds = common::small();
    let list = "railways,provinces,railway_stations";
    let layers = parse_layers(&ds, list).unwrap();
    let index = TileIndex::build(&ds);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.pmtiles");
    let summary = export::export_pmtiles(&ds, &index, &layers, list, 8, &path).unwrap();
    assert!(summary.tiles > 8);
    let reader = pmtiles::AsyncPmTilesReader::new_with_path(&path)
        .await
        .unwrap();
    let header = reader.get_header();
    assert_eq!(header.max_zoom, 8);
    let meta: Value = serde_json::from_str(&reader.get_metadata().await.unwrap()).unwrap();
    assert_eq!(meta["vector_layers"].as_array().unwrap().len(), 3);
    assert_eq!(meta["vector_layers"][0]["id"], "railways");
    assert_eq!(meta["vector_layers"][0]["maxzoom"], 8);
    assert_eq!(meta["maxzoom"], 8);
    assert!(meta.get("tiles").is_none(), "an archive has no server URL");
    let router = common::router();
    let mut compared = 0;
    let b = ds
        .stats
        .iter()
        .filter_map(|s| s.bbox)
        .reduce(|a, b| yuqian::geodesy::LonLatRect {
            min: Coord {
                x: a.min.x.min(b.min.x),
                y: a.min.y.min(b.min.y),
            },
            max: Coord {
                x: a.max.x.max(b.max.x),
                y: a.max.y.max(b.max.y),
            },
        })
        .unwrap();
    for z in 0..=8u8 {
        let lo = tile_of(
            Coord {
                x: b.min.x,
                y: b.max.y,
            },
            z,
        );
        let hi = tile_of(
            Coord {
                x: b.max.x,
                y: b.min.y,
            },
            z,
        );
        for x in lo.x.saturating_sub(1)..=hi.x + 1 {
            for y in lo.y.saturating_sub(1)..=hi.y + 1 {
                let Ok(t) = TileCoord::new(z, x, y) else {
                    continue;
                };
                let archived = reader
                    .get_tile_decompressed(pmtiles::TileCoord::new(z, x, y).unwrap())
                    .await
                    .unwrap();
                let (status, _, served) =
                    fetch(&router, &format!("/tiles/{list}/{z}/{x}/{y}.mvt"), &[]).await;
                match archived {
                    Some(bytes) => {
                        assert_eq!(status, StatusCode::OK, "{t}");
                        assert_eq!(&bytes[..], &served[..], "{t}");
                        compared += 1;
                    }
                    None => assert_eq!(
                        status,
                        StatusCode::NO_CONTENT,
                        "{t} is served but not archived"
                    ),
                }
                let direct = render(&ds, &index, &layers, t, &Deadline::NONE).unwrap();
                assert_eq!(direct.is_some(), status == StatusCode::OK);
            }
        }
    }
    assert_eq!(compared, summary.tiles, "every archived tile compared");
}

#[test]
fn the_export_command_writes_an_archive_and_says_how_many_tiles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.pmtiles");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yuqian"))
        .args(["tiles", "export", "--pmtiles"])
        .arg(&path)
        .args(["--layers", "railways,towns", "--maxzoom", "6", "--data"])
        .arg(common::fixture("small"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("tiles of railways,towns, z0 to z6"),
        "{stdout}"
    );
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..7], b"PMTiles");
    assert_eq!(bytes[7], 3, "PMTiles v3");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_yuqian"))
        .args(["tiles", "export", "--pmtiles"])
        .arg(&path)
        .args(["--layers", "canals", "--data"])
        .arg(common::fixture("small"))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("canals"));
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

/// The reference Python readers, or `None` (and a note) when the test venv lacks them outside
/// CI; `make test` installs them from `tools/requirements.txt`.
fn python_with_pmtiles() -> Option<String> {
    let python = std::env::var("YUQIAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = std::process::Command::new(&python)
        .args(["-c", "import pmtiles, mapbox_vector_tile"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok && std::env::var_os("CI").is_none() {
        eprintln!("skipped: {python} has no pmtiles or mapbox_vector_tile (run make setup-python)");
        return None;
    }
    assert!(ok, "{python} needs pmtiles and mapbox_vector_tile");
    Some(python)
}

#[tokio::test]
async fn python_readers_see_the_served_tiles_in_the_exported_archive() {
    let Some(python) = python_with_pmtiles() else {
        return;
    };
    let ds = common::small();
    let list = "provinces,railways,towns";
    let layers = parse_layers(&ds, list).unwrap();
    let index = TileIndex::build(&ds);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("small.pmtiles");
    let summary = export::export_pmtiles(&ds, &index, &layers, list, 7, &path).unwrap();
    let out = std::process::Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/tiles/read_pmtiles.py"
        ))
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Map<String, Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["_header"]["max_zoom"], 7);
    assert_eq!(read.len() as u64 - 1, summary.tiles, "every tile read back");
    let router = common::router();
    for (key, python_layers) in read.iter().filter(|(k, _)| *k != "_header") {
        let (status, _, bytes) = fetch(&router, &format!("/tiles/{list}/{key}.mvt"), &[]).await;
        assert_eq!(status, StatusCode::OK, "{key}");
        let served = decode(&bytes);
        let python_layers = python_layers.as_object().unwrap();
        assert_eq!(
            python_layers.keys().collect::<BTreeSet<_>>(),
            served.layers.keys().collect::<BTreeSet<_>>(),
            "{key}"
        );
        for (name, (extent, features)) in &served.layers {
            assert_eq!(python_layers[name]["extent"], *extent, "{key} {name}");
            let mut ours: Vec<(u64, String)> = features
                .iter()
                .map(|f| (f.id.unwrap(), prop_str(f, "id")))
                .collect();
            ours.sort();
            let theirs: Vec<(u64, String)> = python_layers[name]["features"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_u64().unwrap(), p[1].as_str().unwrap().to_string()))
                .collect();
            assert_eq!(ours, theirs, "{key} {name}");
        }
    }
}
