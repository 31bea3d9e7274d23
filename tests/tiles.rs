//! Vector tile geometry through the production router: decoded with `mvt-reader` and checked
//! against the source geometry projected independently (`common::tiles::world`).

mod common;

use common::tiles::*;
use geo::{Coord, Geometry, Intersects, MapCoords, Rect};
use mvt_reader::feature::Value as MvtValue;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use yuqian::http::{AppState, app};
use yuqian::index::Dataset;
use yuqian::tiles::TileCoord;

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
/// String id → MVT id of the features of a tile that carry their string id (every feature has
/// an MVT id; below a layer's label zoom the string id stays out of its tiles).
fn ids_in(d: &Decoded) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    for (_, fs) in d.layers.values() {
        for f in fs {
            let id = f.id.expect("every feature has an MVT id");
            assert!(id < 1 << 53);
            if prop(f, "id").is_none() {
                continue;
            }
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
    for z in [8, 10, 12] {
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
    let t = tile_of(Coord { x: 106.7, y: 28.7 }, 9);
    let d = tile(&again, ALL, t).await.unwrap();
    let ids = ids_in(&d);
    assert!(ids.len() > 10);
    for (sid, id) in ids {
        assert_eq!(seen.get(&sid), Some(&id), "{sid}");
    }
    // Below the label zooms tiles carry no string ids: the MVT id finds the same feature,
    // through /api/features/mvt/{id}, with the id the deeper tiles gave it.
    let t = tile_of(Coord { x: 106.7, y: 28.7 }, 5);
    let d = tile(&router, ALL, t).await.unwrap();
    let (_, rails) = &d.layers["railways"];
    assert!(
        rails
            .iter()
            .all(|f| prop(f, "id").is_none() && prop(f, "name_zh").is_none())
    );
    assert!(!rails.is_empty());
    for f in rails {
        let n = f.id.unwrap();
        let (status, _, body) = fetch(&router, &format!("/api/features/mvt/{n}"), &[]).await;
        assert_eq!(status, 200);
        let j: Value = serde_json::from_slice(&body).unwrap();
        let sid = j["properties"]["id"].as_str().unwrap();
        assert_eq!(j["properties"]["layer"], "railways");
        if let Some(deep) = seen.get(sid) {
            assert_eq!(*deep, n, "{sid}");
        }
    }
    let (status, _, body) = fetch(&router, "/api/features/mvt/12x", &[]).await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = fetch(&router, "/api/features/mvt/1", &[]).await;
    assert_eq!(status, 404);
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

/// The string id of the synthetic feature with MVT id `n` (the set is small: no collisions).
fn name_of_mvt_id(n: u64) -> String {
    let mut names = vec!["pt-far".to_string(), "tiny-pond".to_string()];
    names.extend((0..30).map(|i| format!("pt-{i}")));
    names
        .into_iter()
        .find(|s| yuqian::tiles::index::mvt_id(s, 0) == n)
        .unwrap_or_else(|| format!("mvt:{n}"))
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
            // No string ids below the label zoom: the MVT id tells the features apart.
            Some(MvtValue::UInt(n)) => (name_of_mvt_id(f.id.unwrap()), *n),
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
