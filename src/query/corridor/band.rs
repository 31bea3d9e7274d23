//! The corridor band itself: every point within the half-width (geodesic metres on WGS84) of
//! the query line, as a polygon to draw. Computed once, on the server, for both the web page
//! (the `band` of the corridor answer) and the static map renderer, so the two show the same
//! area.
//!
//! The band is the union of a geodesic circle at each vertex and, for each segment, the strip
//! swept by the geodesic normals of length `width_m` on both sides. The strip's sides are sampled
//! every few kilometres along the segment, so the straight pieces drawn between samples stay
//! within metres of the true boundary; the union is geo's boolean operations.

use crate::geodesy::{circle_ring, destination, distance_azimuth};
use geo::{Coord, LineString, MultiPolygon, Polygon};

/// Vertices of the circle at each vertex of the line.
const CIRCLE_STEPS: usize = 72;

/// The band of `width_m` around `parts` (lon/lat, WGS84). Empty for a width of 0.
pub fn band(parts: &[LineString<f64>], width_m: f64) -> MultiPolygon<f64> {
    if width_m <= 0.0 {
        return MultiPolygon(Vec::new());
    }
    let step_m = (width_m / 2.0).clamp(500.0, 5000.0);
    let mut pieces: Vec<Polygon<f64>> = Vec::new();
    for line in parts {
        for v in &line.0 {
            pieces.push(Polygon::new(
                LineString(circle_ring(*v, width_m, CIRCLE_STEPS)),
                vec![],
            ));
        }
        for w in line.0.windows(2) {
            let (a, b) = (w[0], w[1]);
            let (length_m, azimuth) = distance_azimuth(a, b);
            if length_m == 0.0 {
                continue;
            }
            let n = ((length_m / step_m).ceil() as usize).max(1);
            let mut left: Vec<Coord> = Vec::with_capacity(n + 1);
            let mut right: Vec<Coord> = Vec::with_capacity(n + 1);
            for j in 0..=n {
                let (along, az) = destination(a, azimuth, length_m * j as f64 / n as f64);
                let p = if j == 0 {
                    a
                } else if j == n {
                    b
                } else {
                    along
                };
                left.push(destination(p, az - 90.0, width_m).0);
                right.push(destination(p, az + 90.0, width_m).0);
            }
            right.reverse();
            left.extend(right);
            left.push(left[0]);
            pieces.push(Polygon::new(LineString(left), vec![]));
        }
    }
    geo::unary_union(&pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::distance_m;
    use geo::{Contains, Point};

    fn line() -> Vec<LineString<f64>> {
        vec![LineString::from(vec![
            (106.5, 29.5),
            (106.7, 29.0),
            (106.9, 28.6),
        ])]
    }

    #[test]
    fn the_band_holds_the_line_and_ends_at_its_width() {
        let b = band(&line(), 5_000.0);
        assert_eq!(b.0.len(), 1, "one piece for one line");
        let mid = Coord { x: 106.6, y: 29.25 };
        assert!(b.contains(&Point(mid)));
        // Beyond the last vertex, straight on: 4.9 km is inside, 5.2 km is not.
        let end = Coord { x: 106.9, y: 28.6 };
        let (_, az) = distance_azimuth(Coord { x: 106.7, y: 29.0 }, end);
        let (_, az_end) = destination(
            Coord { x: 106.7, y: 29.0 },
            az,
            distance_m(Coord { x: 106.7, y: 29.0 }, end),
        );
        let inside = destination(end, az_end, 4_900.0).0;
        let outside = destination(end, az_end, 5_200.0).0;
        assert!(b.contains(&Point(inside)));
        assert!(!b.contains(&Point(outside)));
    }

    #[test]
    fn a_zero_width_has_no_band() {
        assert!(band(&line(), 0.0).0.is_empty());
    }
}
