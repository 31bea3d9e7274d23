//! The corridor band itself: every point within the half-width (geodesic metres on WGS84) of
//! the query line, as a polygon to draw. Computed once, on the server, for both the web page
//! (the `band` of the corridor answer) and the static map renderer, so the two show the same
//! area.
//!
//! The band is the union of a geodesic circle at each vertex and, for each segment, the strip
//! swept by the geodesic normals of length `width_m` on both sides. The strip's sides are sampled
//! every few kilometres along the segment, so the straight pieces drawn between samples stay
//! within metres of the true boundary; the union is geo's boolean operations.
//!
//! The band is for drawing, so its cost is bounded: the line is first thinned by 0.2 % of the
//! width, which no one can see (a vertex is kept only when it lies that far from the last one
//! kept, so every vertex dropped lies within the tolerance of the thinned line), and then, for a
//! line of more than [`MAX_BAND_VERTICES`] vertices (a posted line may have 10,000), by doubling
//! tolerances until it has at most that many. (Not Douglas–Peucker: geo's is recursive, and a
//! zig-zag of 10,000 positions overflows a thread's stack.) The distances and chainages of the corridor answer are
//! always measured on the line as given.

use crate::geodesy::{circle_ring, destination, distance_azimuth};
use geo::{Coord, LineString, MultiPolygon, Polygon};

/// Vertices of the circle at each vertex of the line.
const CIRCLE_STEPS: usize = 72;
/// Most vertices of the line a band is built around (see the module's text).
pub const MAX_BAND_VERTICES: usize = 400;
/// Metres per degree of latitude, to turn a tolerance in metres into degrees (conservative in
/// longitude, where a degree is shorter).
const M_PER_DEGREE: f64 = 111_320.0;

/// `line` without the vertices closer than `epsilon` (degrees) to the last one kept; its ends
/// are kept.
fn thinned(line: &LineString<f64>, epsilon: f64) -> LineString<f64> {
    let mut out: Vec<Coord> = Vec::new();
    let n = line.0.len();
    for (i, c) in line.0.iter().enumerate() {
        match out.last() {
            Some(k) if i + 1 < n && (c.x - k.x).hypot(c.y - k.y) < epsilon => {}
            _ => out.push(*c),
        }
    }
    LineString(out)
}

/// `parts` thinned by 0.2 % of `width_m`, and further until at most [`MAX_BAND_VERTICES`].
fn simplified(parts: &[LineString<f64>], width_m: f64) -> Vec<LineString<f64>> {
    let mut epsilon = width_m * 0.002 / M_PER_DEGREE;
    loop {
        let out: Vec<LineString<f64>> = parts.iter().map(|p| thinned(p, epsilon)).collect();
        let n: usize = out.iter().map(|l| l.0.len()).sum();
        if n <= MAX_BAND_VERTICES || epsilon > 10.0 {
            return out;
        }
        epsilon *= 2.0;
    }
}

/// The band of `width_m` around `parts` (lon/lat, WGS84). Empty for a width of 0.
pub fn band(parts: &[LineString<f64>], width_m: f64) -> MultiPolygon<f64> {
    if width_m <= 0.0 {
        return MultiPolygon(Vec::new());
    }
    let parts = simplified(parts, width_m);
    let step_m = (width_m / 2.0).clamp(500.0, 5000.0);
    let mut pieces: Vec<Polygon<f64>> = Vec::new();
    for line in &parts {
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
    fn a_line_of_many_vertices_is_simplified_first() {
        // 10,000 positions zig-zagging across 6°: the band is built around at most 400.
        let zig: Vec<Coord> = (0..10_000)
            .map(|i| Coord {
                x: 104.0 + 6.0 * (i % 2) as f64,
                y: 23.0 + 9.0 * i as f64 / 9_999.0,
            })
            .collect();
        let s = simplified(&[LineString(zig)], 100_000.0);
        assert!(s[0].0.len() <= MAX_BAND_VERTICES, "{}", s[0].0.len());
        // A line of few vertices keeps them.
        assert_eq!(simplified(&line(), 5_000.0)[0].0.len(), 3);
    }

    #[test]
    fn a_zero_width_has_no_band() {
        assert!(band(&line(), 0.0).0.is_empty());
    }
}
