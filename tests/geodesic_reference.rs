//! Distances checked to 1 m against an independent reference: values computed once with
//! GeographicLib (Python) by dense sampling and golden-section search, written to
//! `tests/fixtures/geodesic_reference.json` by `tools/geodesic_reference.py` (see its "source").

use geo::{Coord, Geometry, LineString, Polygon};
use serde_json::Value;
use yuqian::geodesy::{closest_on_path, distance_m};
use yuqian::query::measure::closest;

fn reference() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/geodesic_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("reference file"))
        .expect("reference JSON")
}

fn coord(v: &Value) -> Coord {
    Coord {
        x: v[0].as_f64().unwrap(),
        y: v[1].as_f64().unwrap(),
    }
}

fn coords(v: &Value) -> Vec<Coord> {
    v.as_array().unwrap().iter().map(coord).collect()
}

#[test]
fn point_to_point_matches_geographiclib_to_a_metre() {
    let r = reference();
    let cases = r["point_to_point"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let got = distance_m(coord(&c["a"]), coord(&c["b"]));
        let want = c["distance_m"].as_f64().unwrap();
        assert!((got - want).abs() < 1.0, "{c}: got {got}");
    }
}

#[test]
fn point_to_line_matches_geographiclib_to_a_metre_with_nearest_point_and_chainage() {
    let r = reference();
    let cases = r["point_to_line"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let line = coords(&c["line"]);
        let p = coord(&c["point"]);
        let got = closest_on_path(p, &line).unwrap();
        let want = c["distance_m"].as_f64().unwrap();
        assert!(
            (got.distance_m - want).abs() < 1.0,
            "{}: distance {} vs {want}",
            c["label"],
            got.distance_m
        );
        // The nearest point is only defined to the reference's sampling where the distance is
        // flat; 5 m along-track still pins it down.
        let nearest_gap = distance_m(got.nearest, coord(&c["nearest"]));
        assert!(
            nearest_gap < 5.0,
            "{}: nearest point {nearest_gap} m off",
            c["label"]
        );
        let chainage = c["chainage_m"].as_f64().unwrap();
        assert!(
            (got.chainage_m(&line) - chainage).abs() < 5.0,
            "{}: chainage {} vs {chainage}",
            c["label"],
            got.chainage_m(&line)
        );
        // Also through the geometry dispatcher.
        let via = closest(p, &Geometry::LineString(LineString(line.clone()))).unwrap();
        assert_eq!(via.distance_m, got.distance_m);
    }
}

#[test]
fn point_to_polygon_matches_geographiclib_to_a_metre() {
    let r = reference();
    let cases = r["point_to_polygon"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for c in cases {
        let rings: Vec<LineString<f64>> = c["polygon"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| LineString(coords(r)))
            .collect();
        let poly = Polygon::new(rings[0].clone(), rings[1..].to_vec());
        let got = closest(coord(&c["point"]), &Geometry::Polygon(poly)).unwrap();
        let want = c["distance_m"].as_f64().unwrap();
        assert!(
            (got.distance_m - want).abs() < 1.0,
            "{}: got {} want {want}",
            c["label"],
            got.distance_m
        );
    }
}
