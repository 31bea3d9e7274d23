//! Exact geodesic distance from a point to any geometry (WGS84 metres).
//!
//! Points: the nearest of them. Lines: the nearest point on any edge. Polygons: 0 inside
//! (containment is tested on lon/lat, as RFC 7946 draws edges), else the nearest point of any
//! ring.

use crate::geodesy::{Closest, closest_on_path_within};
use geo::{Contains, Coord, Geometry, LineString, Point, Polygon};

/// The closest point of `geometry` to `p`. `None` only for an empty geometry.
pub fn closest(p: Coord, geometry: &Geometry<f64>) -> Option<Closest> {
    closest_within(p, geometry, f64::INFINITY)
}

/// The closest point of `geometry` to `p` if it is within `max_m`; parts that are surely
/// farther are skipped without exact work.
pub fn closest_within(p: Coord, geometry: &Geometry<f64>, max_m: f64) -> Option<Closest> {
    let on = |path: &[Coord]| closest_on_path_within(p, path, max_m);
    match geometry {
        Geometry::Point(q) => on(&[q.0]),
        Geometry::MultiPoint(mp) => mp.0.iter().filter_map(|q| on(&[q.0])).min_by(by_distance),
        Geometry::LineString(l) => on(&l.0),
        Geometry::MultiLineString(ml) => closest_on_lines(p, &ml.0, max_m),
        Geometry::Polygon(poly) => closest_on_polygon(p, poly, max_m),
        Geometry::MultiPolygon(mp) => {
            mp.0.iter()
                .filter_map(|poly| closest_on_polygon(p, poly, max_m))
                .min_by(by_distance)
        }
        Geometry::GeometryCollection(gc) => {
            gc.0.iter()
                .filter_map(|g| closest_within(p, g, max_m))
                .min_by(by_distance)
        }
        // The loader never produces these kinds.
        Geometry::Line(l) => on(&[l.start, l.end]),
        Geometry::Rect(r) => closest_on_polygon(p, &r.to_polygon(), max_m),
        Geometry::Triangle(t) => closest_on_polygon(p, &t.to_polygon(), max_m),
    }
}

fn by_distance(a: &Closest, b: &Closest) -> std::cmp::Ordering {
    a.distance_m.total_cmp(&b.distance_m)
}

/// The nearest of several lines (`edge` then counts within the line that holds `nearest`).
pub fn closest_on_lines(p: Coord, lines: &[LineString<f64>], max_m: f64) -> Option<Closest> {
    lines
        .iter()
        .filter_map(|line| closest_on_path_within(p, &line.0, max_m))
        .min_by(by_distance)
}

pub fn closest_on_polygon(p: Coord, poly: &Polygon<f64>, max_m: f64) -> Option<Closest> {
    if poly.contains(&Point(p)) {
        return Some(Closest {
            distance_m: 0.0,
            nearest: p,
            edge: 0,
            along_m: 0.0,
        });
    }
    std::iter::once(poly.exterior())
        .chain(poly.interiors())
        .filter_map(|ring| closest_on_path_within(p, &ring.0, max_m))
        .min_by(by_distance)
}
