//! A geodesic edge prepared for distance queries from many points: its ends' unit vectors are
//! computed once, so the spherical bound costs no trigonometry of the edge per query.

use super::{
    Closest, QueryPoint, UnitVector, edge_lower_bound_m, refine_on_edge, sphere_angle_to_arc,
    sphere_closest_on_arc,
};
use geo::Coord;
use rstar::primitives::Rectangle;

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

    /// The lon/lat envelope of the two ends, as the R-trees store it.
    pub fn envelope(&self) -> Rectangle<[f64; 2]> {
        Rectangle::from_corners(
            [self.a.x.min(self.b.x), self.a.y.min(self.b.y)],
            [self.a.x.max(self.b.x), self.a.y.max(self.b.y)],
        )
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
}
