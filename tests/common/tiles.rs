//! Helpers of the vector tile tests: fetching and decoding tiles (with `mvt-reader`, a decoder
//! we did not write) and Web Mercator written again, so the truth shares no code with the
//! server.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use geo::Coord;
use http_body_util::BodyExt;
use mvt_reader::Reader;
use mvt_reader::feature::Value as MvtValue;
use std::collections::{BTreeMap, BTreeSet};
use tower::ServiceExt;
use yuqian::index::Dataset;
use yuqian::tiles::TileCoord;

pub const ALL: &str = "provinces,counties,railways,railway_stations,highways,reservoirs,industrial_parks,tourist_routes,towns,attractions,district_pairs";
pub const EXTENT: f64 = 4096.0;
pub const BUFFER: f64 = 64.0;

pub async fn fetch(
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
pub fn world(c: Coord, z: u8) -> Coord {
    let n = f64::from(1u32 << z);
    let lat = c.y.to_radians();
    Coord {
        x: (c.x + 180.0) / 360.0 * n,
        y: (1.0 - lat.tan().asinh() / std::f64::consts::PI) / 2.0 * n,
    }
}

pub fn tile_of(c: Coord, z: u8) -> TileCoord {
    let w = world(c, z);
    TileCoord::new(z, w.x.floor() as u32, w.y.floor() as u32).unwrap()
}

/// A decoded tile: layer name → features.
pub struct Decoded {
    pub layers: BTreeMap<String, (u32, Vec<mvt_reader::feature::Feature>)>,
}

pub fn decode(bytes: &[u8]) -> Decoded {
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

pub fn prop<'a>(f: &'a mvt_reader::feature::Feature, k: &str) -> Option<&'a MvtValue> {
    f.properties.as_ref().and_then(|p| p.get(k))
}

pub fn prop_str(f: &mvt_reader::feature::Feature, k: &str) -> String {
    match prop(f, k) {
        Some(MvtValue::String(s)) => s.clone(),
        other => panic!("{k} is {other:?}"),
    }
}

pub fn coords(g: &geo::Geometry<f32>) -> Vec<Coord<f32>> {
    use geo::CoordsIter;
    g.coords_iter().collect()
}

pub async fn tile(router: &axum::Router, layers: &str, t: TileCoord) -> Option<Decoded> {
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
pub fn tiles_at(ds: &Dataset, z: u8) -> BTreeSet<TileCoord> {
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
