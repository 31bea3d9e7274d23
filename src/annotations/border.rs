//! The Chongqing–Guizhou border as a line: the stretches of Chongqing's outline that lie within
//! [`TOLERANCE_M`] of Guizhou's. Outlines from one survey share vertices; the tolerance absorbs
//! their simplification. For drawing only: distances here are in a local plane (a degree of
//! longitude shortened by the cosine of the latitude), good to a few metres at 800 m.

use crate::index::Dataset;
use crate::layers::{Boundary, Province};
use geo::{Coord, Geometry, LineString, MultiLineString};
use rstar::primitives::Line;
use rstar::{AABB, RTree};

/// How close the two outlines must run to count as the shared border.
pub const TOLERANCE_M: f64 = 800.0;
const METRES_PER_DEGREE: f64 = 111_320.0;

/// Every ring of every polygon of the province layers' features of province `p`.
fn rings_of(ds: &Dataset, p: Province) -> Vec<&LineString> {
    let mut out = Vec::new();
    for f in &ds.features {
        if ds.layer_of(f).boundary != Some(Boundary::Province) || f.provinces.only() != Some(p) {
            continue;
        }
        match &f.geometry {
            Geometry::Polygon(poly) => {
                out.push(poly.exterior());
                out.extend(poly.interiors());
            }
            Geometry::MultiPolygon(mp) => {
                for poly in &mp.0 {
                    out.push(poly.exterior());
                    out.extend(poly.interiors());
                }
            }
            _ => {}
        }
    }
    out
}

/// Squared distance in metres from `p` to the segment `a`–`b`, in the local plane at `p`.
fn distance2_m(p: Coord, a: [f64; 2], b: [f64; 2]) -> f64 {
    let kx = p.y.to_radians().cos();
    let (ax, ay) = ((a[0] - p.x) * kx, a[1] - p.y);
    let (bx, by) = ((b[0] - p.x) * kx, b[1] - p.y);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (x, y) = (ax + t * dx, ay + t * dy);
    (x * x + y * y) * METRES_PER_DEGREE * METRES_PER_DEGREE
}

/// The shared border, or `None` when the data lacks either province or they do not meet.
pub fn shared_border(ds: &Dataset) -> Option<MultiLineString> {
    let a = rings_of(ds, Province::Chongqing);
    let b = rings_of(ds, Province::Guizhou);
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let segments: Vec<Line<[f64; 2]>> = b
        .iter()
        .flat_map(|r| {
            r.lines()
                .map(|l| Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]))
        })
        .collect();
    let tree = RTree::bulk_load(segments);
    let tol_lat = TOLERANCE_M / METRES_PER_DEGREE;
    let near = |p: Coord| {
        let tol_lon = tol_lat / p.y.to_radians().cos().max(0.01);
        let env = AABB::from_corners(
            [p.x - tol_lon, p.y - tol_lat],
            [p.x + tol_lon, p.y + tol_lat],
        );
        tree.locate_in_envelope_intersecting(&env)
            .any(|s| distance2_m(p, s.from, s.to) <= TOLERANCE_M * TOLERANCE_M)
    };
    let mut lines = Vec::new();
    for ring in a {
        let pts = &ring.0;
        // A closed ring repeats its first vertex last; walk the n distinct ones.
        let n = pts.len().saturating_sub(1);
        if n < 2 {
            continue;
        }
        let flags: Vec<bool> = pts[..n].iter().map(|p| near(*p)).collect();
        // Start the walk at a vertex off the border so a stretch never wraps around the start.
        let Some(start) = flags.iter().position(|f| !f) else {
            lines.push(ring.clone());
            continue;
        };
        let mut current: Vec<Coord> = Vec::new();
        for step in 0..=n {
            let i = (start + step) % n;
            if flags[i] {
                current.push(pts[i]);
            } else if !current.is_empty() {
                if current.len() >= 2 {
                    lines.push(LineString(std::mem::take(&mut current)));
                }
                current.clear();
            }
        }
        if current.len() >= 2 {
            lines.push(LineString(current));
        }
    }
    (!lines.is_empty()).then_some(MultiLineString(lines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_in_the_local_plane() {
        let p = Coord { x: 106.0, y: 29.0 };
        // A segment 0.01° of latitude north of p: about 1,113 m.
        let d = distance2_m(p, [105.9, 29.01], [106.1, 29.01]).sqrt();
        assert!((d - 1113.2).abs() < 1.0, "{d}");
        // 0.01° of longitude east at 29°N: shorter by cos 29°.
        let d = distance2_m(p, [106.01, 28.9], [106.01, 29.1]).sqrt();
        assert!((d - 1113.2 * 29f64.to_radians().cos()).abs() < 1.0, "{d}");
    }
}
