//! A geodesic edge prepared for distance queries from many points: its ends' unit vectors are
//! computed once, so the spherical bound costs no trigonometry of the edge per query.

use super::{
    Closest, LonLatRect, QueryPoint, UnitVector, WGS84, edge_lower_bound_m, refine_on_edge,
    sphere_angle_to_arc, sphere_closest_on_arc,
};
use geo::Coord;
use geographiclib_rs::InverseGeodesic;
use rstar::primitives::Rectangle;

/// WGS84 flattening.
const FLATTENING: f64 = 1.0 / 298.257_223_563;
/// Added to a geodesic's extreme latitude for the rounding of `acos` near 1 (1e-6° ≈ 0.1 m).
const VERTEX_MARGIN_DEG: f64 = 1e-6;

/// The lon/lat box holding the whole geodesic from `a` to `b`, not only its ends: a long
/// geodesic bows poleward of both ends (660 km along a parallel at 27° N bows 4 km north), and
/// a bound that assumed the ends' box would prune edges that are in fact nearest.
///
/// Longitude runs monotonically along a geodesic; latitude has at most one extreme, the
/// geodesic's vertex, which lies inside the edge exactly when the azimuth turns from poleward
/// to equatorward. Its reduced latitude β₀ follows from Clairaut's relation
/// cos β₀ = |sin α₁|·cos β₁. Not for edges across the antimeridian (none in this service's
/// data).
pub fn geodesic_envelope(a: Coord, b: Coord) -> LonLatRect {
    let mut rect = LonLatRect {
        min: Coord {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
        },
        max: Coord {
            x: a.x.max(b.x),
            y: a.y.max(b.y),
        },
    };
    if a == b {
        return rect;
    }
    let (_s12, azi1, azi2, _a12): (f64, f64, f64, f64) = WGS84.inverse(a.y, a.x, b.y, b.x);
    let (north1, north2) = (azi1.to_radians().cos(), azi2.to_radians().cos());
    if (north1 >= 0.0) != (north2 >= 0.0) || north1 == 0.0 || north2 == 0.0 {
        let beta1 = ((1.0 - FLATTENING) * a.y.to_radians().tan()).atan();
        let cos_beta0 = (azi1.to_radians().sin().abs() * beta1.cos()).min(1.0);
        let phi0 = (cos_beta0.acos().tan() / (1.0 - FLATTENING))
            .atan()
            .to_degrees();
        if north1 >= 0.0 {
            rect.max.y = rect.max.y.max(phi0 + VERTEX_MARGIN_DEG).min(90.0);
        } else {
            rect.min.y = rect.min.y.min(-phi0 - VERTEX_MARGIN_DEG).max(-90.0);
        }
    }
    rect
}

/// The geodesic from `a` to `b` (lon/lat, WGS84).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PreparedEdge {
    pub a: Coord,
    pub b: Coord,
    ua: UnitVector,
    ub: UnitVector,
}

impl PreparedEdge {
    pub fn new(a: Coord, b: Coord) -> PreparedEdge {
        PreparedEdge {
            a,
            b,
            ua: UnitVector::from(a),
            ub: UnitVector::from(b),
        }
    }

    /// A lower bound, in metres, of the geodesic distance from `q` to the edge: the spherical
    /// pass of [`super::closest_on_path`], for pruning only.
    pub fn lower_bound_m(&self, q: &QueryPoint) -> f64 {
        let (angle, arc) = sphere_angle_to_arc(q.unit, self.ua, self.ub);
        edge_lower_bound_m(angle, arc)
    }

    /// The exact closest point of the edge to `q` (`edge` = 0): the very computation
    /// [`super::closest_on_path`] makes for this edge, so both give the same metres.
    pub fn closest(&self, q: &QueryPoint) -> Closest {
        let (_, fraction, _) = sphere_closest_on_arc(q.unit, self.ua, self.ub);
        let (distance_m, nearest, along_m) = refine_on_edge(q.coord, self.a, self.b, fraction);
        Closest {
            distance_m,
            nearest,
            edge: 0,
            along_m,
        }
    }

    /// The lon/lat box of the two ends: what a straight lon/lat segment between them (as
    /// RFC 7946 draws edges for intersections) can touch.
    pub fn ends_envelope(&self) -> Rectangle<[f64; 2]> {
        Rectangle::from_corners(
            [self.a.x.min(self.b.x), self.a.y.min(self.b.y)],
            [self.a.x.max(self.b.x), self.a.y.max(self.b.y)],
        )
    }

    /// The lon/lat box of the whole geodesic (see [`geodesic_envelope`]; costs one inverse).
    pub fn geodesic_envelope(&self) -> Rectangle<[f64; 2]> {
        let r = geodesic_envelope(self.a, self.b);
        Rectangle::from_corners([r.min.x, r.min.y], [r.max.x, r.max.y])
    }
}

#[cfg(test)]
mod tests {
    use super::super::closest_on_path;
    use super::*;

    #[test]
    fn a_prepared_edge_measures_exactly_as_a_two_position_path() {
        let (a, b) = (Coord { x: 106.0, y: 28.0 }, Coord { x: 107.5, y: 29.5 });
        let e = PreparedEdge::new(a, b);
        for p in [
            Coord { x: 107.2, y: 28.3 },
            Coord { x: 105.0, y: 27.0 },
            Coord { x: 108.0, y: 30.0 },
        ] {
            let q = QueryPoint::new(p);
            let want = closest_on_path(p, &[a, b]).unwrap();
            assert_eq!(e.closest(&q), want);
            assert!(e.lower_bound_m(&q) <= want.distance_m);
        }
    }

    #[test]
    fn the_geodesic_envelope_holds_every_point_of_the_edge() {
        use super::super::interpolate;
        for (a, b) in [
            // Along a parallel: bows north.
            ((103.6, 27.0), (110.2, 27.0)),
            // South of the equator: bows south.
            ((103.6, -27.0), (110.2, -27.1)),
            // Mostly north-south: no vertex inside, the ends' box.
            ((106.0, 26.0), (106.5, 31.0)),
            ((110.2, 30.0), (103.6, 29.9)),
        ] {
            let (a, b) = (Coord { x: a.0, y: a.1 }, Coord { x: b.0, y: b.1 });
            let r = geodesic_envelope(a, b);
            let mut top = f64::NEG_INFINITY;
            for i in 0..=200 {
                let p = interpolate(a, b, i as f64 / 200.0);
                assert!(
                    p.x >= r.min.x - 1e-9
                        && p.x <= r.max.x + 1e-9
                        && p.y >= r.min.y - 1e-9
                        && p.y <= r.max.y + 1e-9,
                    "{p:?} outside {r:?}"
                );
                top = top.max(p.y.abs());
            }
            // Tight: within 1 m of the highest point sampled.
            assert!(r.max.y.abs().max(r.min.y.abs()) - top < 1e-5 + 5e-4 * (a.y - b.y).abs());
        }
    }
}
