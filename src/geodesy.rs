//! Geodesic measurement on the WGS84 ellipsoid.
//!
//! Every distance a user sees is a geodesic length in metres on WGS84, computed with Karney's
//! algorithms (`geographiclib-rs`, the library behind geo's `Geodesic`). Coordinates are
//! `geo::Coord` with `x` = longitude and `y` = latitude in degrees (WGS84, RFC 7946 order).
//!
//! An edge between two positions is the geodesic between them. The distance from a point to an
//! edge is found in two passes:
//!
//! 1. a spherical pass (unit vectors, cross-track) finds, cheaply, which edges can be nearest and
//!    roughly where on them;
//! 2. an ellipsoidal pass refines each edge that can still win: walk along the edge's geodesic to
//!    the foot of the perpendicular from the point (a Newton-like step using the azimuths at the
//!    current foot), then measure the geodesic to it.
//!
//! The spherical pass is only ever used to *prune*; what is reported comes from pass 2.

use geo::Coord;
use geographiclib_rs::{DirectGeodesic, Geodesic, InverseGeodesic};
use std::sync::LazyLock;

mod edge;

pub use edge::{PreparedEdge, geodesic_envelope};

/// The WGS84 ellipsoid.
static WGS84: LazyLock<Geodesic> = LazyLock::new(Geodesic::wgs84);

/// Mean Earth radius (IUGG), metres: the radius of the sphere used for pruning.
pub const MEAN_RADIUS_M: f64 = 6_371_008.8;

/// Smallest ratio of an ellipsoidal geodesic length to the length of the same path drawn on the
/// sphere of [`MEAN_RADIUS_M`] with geodetic latitude taken as spherical latitude. The meridional
/// radius of curvature of WGS84 is never below 6 335 439 m and the prime-vertical one never below
/// 6 378 137 m, so every path's ellipsoidal length is at least 6 335 439 / 6 371 008.8 = 0.99441 of
/// its spherical image; 0.994 keeps a margin.
const SPHERE_TO_ELLIPSOID_MIN: f64 = 0.994;

/// Geodesic distance in metres between two lon/lat positions on WGS84.
pub fn distance_m(a: Coord, b: Coord) -> f64 {
    WGS84.inverse(a.y, a.x, b.y, b.x)
}

/// Geodesic length in metres of a path through `coords`.
pub fn path_length_m(coords: &[Coord]) -> f64 {
    coords.windows(2).map(|w| distance_m(w[0], w[1])).sum()
}

/// The point `fraction` of the way along the geodesic from `a` to `b`.
pub fn interpolate(a: Coord, b: Coord, fraction: f64) -> Coord {
    let (s12, azi1, _azi2, _a12): (f64, f64, f64, f64) = WGS84.inverse(a.y, a.x, b.y, b.x);
    let (lat, lon) = WGS84.direct(a.y, a.x, azi1, s12 * fraction);
    Coord { x: lon, y: lat }
}

/// The point `distance_m` from `start` along the geodesic leaving it at `azimuth_deg`
/// (clockwise from north), with the geodesic's azimuth there.
pub fn destination(start: Coord, azimuth_deg: f64, distance_m: f64) -> (Coord, f64) {
    let (lat, lon, azi2): (f64, f64, f64) = WGS84.direct(start.y, start.x, azimuth_deg, distance_m);
    (Coord { x: lon, y: lat }, azi2)
}

/// Geodesic distance in metres from `a` to `b` and the azimuth (degrees clockwise from north)
/// at which the geodesic leaves `a`.
pub fn distance_azimuth(a: Coord, b: Coord) -> (f64, f64) {
    let (s12, azi1, _azi2, _a12): (f64, f64, f64, f64) = WGS84.inverse(a.y, a.x, b.y, b.x);
    (s12, azi1)
}

/// A geodesic circle of `radius_m` around `centre` as a closed ring of `steps` + 1 positions.
pub fn circle_ring(centre: Coord, radius_m: f64, steps: usize) -> Vec<Coord> {
    let mut ring: Vec<Coord> = (0..steps)
        .map(|i| destination(centre, 360.0 * i as f64 / steps as f64, radius_m).0)
        .collect();
    ring.push(ring[0]);
    ring
}

/// The point of a geometry nearest to a query point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Closest {
    /// Geodesic distance in metres from the query point.
    pub distance_m: f64,
    /// The nearest point (lon/lat, WGS84).
    pub nearest: Coord,
    /// The edge of the path holding `nearest` (0 for a single point)...
    pub edge: usize,
    /// ...and the geodesic metres along that edge from its start to `nearest`.
    pub along_m: f64,
}

impl Closest {
    /// Geodesic metres along `path` (the one measured) from its first position to `nearest`.
    /// Computed on demand: most queries never show it.
    pub fn chainage_m(&self, path: &[Coord]) -> f64 {
        path_length_m(&path[..=self.edge.min(path.len().saturating_sub(1))]) + self.along_m
    }
}

/// The closest point of a path (a sequence of geodesic edges) to `p`, exactly on WGS84.
///
/// A path of one position is a point. Returns `None` only for an empty path.
pub fn closest_on_path(p: Coord, path: &[Coord]) -> Option<Closest> {
    match path {
        [] => None,
        [only] => Some(Closest {
            distance_m: distance_m(p, *only),
            nearest: *only,
            edge: 0,
            along_m: 0.0,
        }),
        _ => closest_on_edges(p, path, f64::INFINITY),
    }
}

/// Like [`closest_on_path`], but `None` without exact work when the path is surely farther
/// than `max_m` (the spherical lower bound says so), or exactly farther.
pub fn closest_on_path_within(p: Coord, path: &[Coord], max_m: f64) -> Option<Closest> {
    let c = match path {
        [] => None,
        [only] => closest_on_path(p, &[*only]),
        _ => closest_on_edges(p, path, max_m),
    }?;
    (c.distance_m <= max_m).then_some(c)
}

fn closest_on_edges(p: Coord, path: &[Coord], max_m: f64) -> Option<Closest> {
    let pv = UnitVector::from(p);
    // Each vertex's unit vector once, then a spherical lower bound and a rough foot per edge.
    let units: Vec<UnitVector> = path.iter().map(|c| UnitVector::from(*c)).collect();
    let mut edges: Vec<(f64, usize)> = units
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let (angle, arc) = sphere_angle_to_arc(pv, w[0], w[1]);
            (edge_lower_bound_m(angle, arc), i)
        })
        .collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0));

    // Refine on the ellipsoid every edge whose lower bound can still beat the best (and `max_m`).
    let mut best: Option<Closest> = None;
    for &(lower_bound_m, i) in &edges {
        if lower_bound_m > max_m || best.is_some_and(|b| lower_bound_m > b.distance_m) {
            break;
        }
        // Where on the edge to start walking: the spherical foot (computed only for the edges
        // refined, as it needs more trigonometry than the bound).
        let (_, fraction, _) = sphere_closest_on_arc(pv, units[i], units[i + 1]);
        let (d, nearest, along_m) = refine_on_edge(p, path[i], path[i + 1], fraction);
        if best.is_none_or(|b| d < b.distance_m) {
            best = Some(Closest {
                distance_m: d,
                nearest,
                edge: i,
                along_m,
            });
        }
    }
    best
}

/// Lower bound (metres) of the ellipsoidal distance from the query point to a geodesic edge,
/// given the spherical angle to the great-circle arc through the same ends. The geodesic's image
/// on the sphere departs from the great circle by at most about f·L²/R (f the flattening, L the
/// edge length); 0.01·L²/R bounds that with a wide margin.
fn edge_lower_bound_m(sphere_angle: f64, arc: f64) -> f64 {
    let edge_m = arc * MEAN_RADIUS_M;
    let departure_m = 0.01 * edge_m * edge_m / MEAN_RADIUS_M;
    (sphere_angle * MEAN_RADIUS_M * SPHERE_TO_ELLIPSOID_MIN - departure_m).max(0.0)
}

/// Walks along the geodesic from `a` to `b` to the foot of the perpendicular from `p`, starting
/// at `fraction` of its length. Returns (distance, foot, distance of the foot from `a`).
///
/// At a trial foot X the geodesic X→P makes angle θ with the edge; on a sphere of radius R the
/// foot lies `R·atan(tan(s/R)·cos θ)` further along. On the ellipsoid that step is not exact, but
/// the error of each step shrinks by the ratio of the ellipsoid's departure from the sphere, so a
/// few steps reach a millimetre.
fn refine_on_edge(p: Coord, a: Coord, b: Coord, fraction: f64) -> (f64, Coord, f64) {
    use geographiclib_rs::{GeodesicLine, capability as caps};
    let (edge_m, azi_a, azi_b, _a12): (f64, f64, f64, f64) = WGS84.inverse(a.y, a.x, b.y, b.x);
    if edge_m == 0.0 {
        return (distance_m(p, a), a, 0.0);
    }
    let out = caps::LATITUDE | caps::LONGITUDE | caps::AZIMUTH;
    let line = GeodesicLine::new(
        &WGS84,
        a.y,
        a.x,
        azi_a,
        Some(out | caps::DISTANCE_IN),
        None,
        None,
    );
    let mut along_m = (fraction * edge_m).clamp(0.0, edge_m);
    let mut result = (f64::INFINITY, a, 0.0);
    for _ in 0..30 {
        // At either end, the vertex itself (not a recomputed copy of it).
        let (foot, azi_edge) = if along_m == 0.0 {
            (a, azi_a)
        } else if along_m == edge_m {
            (b, azi_b)
        } else {
            let (_a12, lat, lon, azi, ..) = line._gen_position(false, along_m, out);
            (Coord { x: lon, y: lat }, azi)
        };
        let (s, azi_to_p, _azi2, _a12): (f64, f64, f64, f64) =
            WGS84.inverse(foot.y, foot.x, p.y, p.x);
        result = (s, foot, along_m);
        if s == 0.0 {
            break;
        }
        let theta = (azi_to_p - azi_edge).to_radians();
        let sigma = s / MEAN_RADIUS_M;
        let step_m = MEAN_RADIUS_M * (sigma.tan() * theta.cos()).atan();
        let next_m = (along_m + step_m).clamp(0.0, edge_m);
        // A millimetre along the edge changes the distance by far less than a millimetre.
        if (next_m - along_m).abs() < 1e-3 {
            break;
        }
        along_m = next_m;
    }
    result
}

/// A point on the unit sphere (geodetic latitude taken as spherical latitude).
#[derive(Debug, Clone, Copy, PartialEq)]
struct UnitVector([f64; 3]);

impl From<Coord> for UnitVector {
    fn from(c: Coord) -> Self {
        let (lon, lat) = (c.x.to_radians(), c.y.to_radians());
        UnitVector([lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()])
    }
}

impl UnitVector {
    fn dot(self, o: Self) -> f64 {
        self.0[0] * o.0[0] + self.0[1] * o.0[1] + self.0[2] * o.0[2]
    }
    fn cross(self, o: Self) -> [f64; 3] {
        let (a, b) = (self.0, o.0);
        [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ]
    }
    /// Central angle in radians, accurate for small and large angles alike.
    fn angle_to(self, o: Self) -> f64 {
        let c = self.cross(o);
        (c[0] * c[0] + c[1] * c[1] + c[2] * c[2])
            .sqrt()
            .atan2(self.dot(o))
    }
}

/// A lower bound of the spherical angle from `p` to the great-circle arc from `av` to `bv`, and
/// an upper bound of the arc's angle: cheap (one `asin` and a square root), for pruning.
///
/// The foot of the perpendicular from `p` onto the great circle lies within the arc exactly when
/// the triple products (a×p)·n and (p×b)·n are both ≥ 0 (n = a×b); then the angle is the
/// cross-track angle asin(|p·n̂|), else the angle to the nearer end, 2·asin(chord/2).
fn sphere_angle_to_arc(p: UnitVector, av: UnitVector, bv: UnitVector) -> (f64, f64) {
    let chord = |u: UnitVector, v: UnitVector| {
        let d = [u.0[0] - v.0[0], u.0[1] - v.0[1], u.0[2] - v.0[2]];
        (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
    };
    let c_ab = chord(av, bv);
    // 2·asin(c/2) ≤ c·(1 + c²/20) for c ≤ 1 (arcs up to 60°); beyond, take the half circle.
    let arc_upper = if c_ab <= 1.0 {
        c_ab * (1.0 + c_ab * c_ab / 20.0)
    } else {
        std::f64::consts::PI
    };
    let n = av.cross(bv);
    let n_len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
    let dot = |x: [f64; 3], y: [f64; 3]| x[0] * y[0] + x[1] * y[1] + x[2] * y[2];
    if n_len > 1e-15 && dot(av.cross(p), n) >= 0.0 && dot(p.cross(bv), n) >= 0.0 {
        let sin_xt = (dot(p.0, n) / n_len).abs().min(1.0);
        return (sin_xt.asin(), arc_upper);
    }
    let nearer = chord(p, av).min(chord(p, bv));
    (2.0 * (nearer / 2.0).min(1.0).asin(), arc_upper)
}

/// Spherical angle from `p` to the great-circle arc from `av` to `bv`, the fraction of the arc
/// at which the nearest point lies, and the arc's own angle.
fn sphere_closest_on_arc(p: UnitVector, av: UnitVector, bv: UnitVector) -> (f64, f64, f64) {
    let arc = av.angle_to(bv);
    let n = av.cross(bv);
    let n_len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
    if arc < 1e-12 || n_len < 1e-15 {
        return (p.angle_to(av), 0.0, arc);
    }
    let n = [n[0] / n_len, n[1] / n_len, n[2] / n_len];
    let pn = p.0[0] * n[0] + p.0[1] * n[1] + p.0[2] * n[2];
    let proj = [p.0[0] - pn * n[0], p.0[1] - pn * n[1], p.0[2] - pn * n[2]];
    let proj_len = (proj[0] * proj[0] + proj[1] * proj[1] + proj[2] * proj[2]).sqrt();
    if proj_len > 1e-15 {
        let foot = UnitVector([proj[0] / proj_len, proj[1] / proj_len, proj[2] / proj_len]);
        let from_a = av.angle_to(foot);
        let to_b = foot.angle_to(bv);
        if (from_a + to_b - arc).abs() < 1e-9 {
            return (p.angle_to(foot), from_a / arc, arc);
        }
    }
    let (da, db) = (p.angle_to(av), p.angle_to(bv));
    if da <= db {
        (da, 0.0, arc)
    } else {
        (db, 1.0, arc)
    }
}

/// A lon/lat rectangle (degrees, WGS84), as stored in the R-tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LonLatRect {
    pub min: Coord,
    pub max: Coord,
}

/// A query point with the trigonometry that box bounds need, computed once per query.
#[derive(Debug, Clone, Copy)]
pub struct QueryPoint {
    pub coord: Coord,
    unit: UnitVector,
    tan_lat: f64,
    cos_lat: f64,
}

impl QueryPoint {
    pub fn new(coord: Coord) -> QueryPoint {
        let lat = coord.y.to_radians();
        QueryPoint {
            coord,
            unit: UnitVector::from(coord),
            tan_lat: lat.tan(),
            cos_lat: lat.cos(),
        }
    }
}

/// A lower bound, in metres, of the geodesic distance from `q` to any point of `rect`
/// (0 inside). Exact on the sphere, scaled by the smallest ellipsoid/sphere ratio.
pub fn rect_lower_bound_m(q: &QueryPoint, rect: LonLatRect) -> f64 {
    let (lon, lat) = (q.coord.x, q.coord.y);
    let angle = if lon >= rect.min.x && lon <= rect.max.x {
        if lat < rect.min.y {
            (rect.min.y - lat).to_radians()
        } else if lat > rect.max.y {
            (lat - rect.max.y).to_radians()
        } else {
            0.0
        }
    } else {
        let edge_lon = if (rect.min.x - lon).abs() <= (lon - rect.max.x).abs() {
            rect.min.x
        } else {
            rect.max.x
        };
        let dlon = (edge_lon - lon).abs().to_radians();
        if dlon >= std::f64::consts::FRAC_PI_2 {
            // Far beyond any use here; 0 is always a valid lower bound.
            0.0
        } else {
            let (sin_dlon, cos_dlon) = dlon.sin_cos();
            // Foot of the perpendicular from q onto the meridian of edge_lon.
            let foot_lat = q.tan_lat.atan2(cos_dlon);
            let (lo, hi) = (rect.min.y.to_radians(), rect.max.y.to_radians());
            if foot_lat >= lo && foot_lat <= hi {
                (q.cos_lat * sin_dlon).clamp(-1.0, 1.0).asin()
            } else {
                let corner = Coord {
                    x: edge_lon,
                    y: foot_lat.clamp(lo, hi).to_degrees(),
                };
                q.unit.angle_to(UnitVector::from(corner))
            }
        }
    };
    angle * MEAN_RADIUS_M * SPHERE_TO_ELLIPSOID_MIN
}

/// The lon/lat rectangle holding every point within `radius_m` of `rect` (conservative: it may
/// hold more). Uses the smallest radii of curvature of WGS84, so degrees per metre are never
/// underestimated. Near a pole the rectangle spans all longitudes.
pub fn expand_rect_m(rect: LonLatRect, radius_m: f64) -> LonLatRect {
    const MIN_MERIDIONAL_RADIUS_M: f64 = 6_335_439.0;
    const EQUATORIAL_RADIUS_M: f64 = 6_378_137.0;
    let dlat = (radius_m / MIN_MERIDIONAL_RADIUS_M).to_degrees() * 1.001;
    let min_lat = (rect.min.y - dlat).max(-90.0);
    let max_lat = (rect.max.y + dlat).min(90.0);
    let widest = min_lat.abs().max(max_lat.abs());
    let (min_lon, max_lon) = if widest >= 89.0 {
        (-180.0, 180.0)
    } else {
        // A small circle of radius r reaches at most asin(sin(r)/cos(lat)) in longitude.
        let ratio = (radius_m / EQUATORIAL_RADIUS_M / widest.to_radians().cos()).min(1.0);
        let dlon = ratio.asin().to_degrees() * 1.01 + 1e-9;
        (
            (rect.min.x - dlon).max(-180.0),
            (rect.max.x + dlon).min(180.0),
        )
    };
    LonLatRect {
        min: Coord {
            x: min_lon,
            y: min_lat,
        },
        max: Coord {
            x: max_lon,
            y: max_lat,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn distance_between_qijiang_and_zunyi_is_about_145_km() {
        let d = distance_m(c(106.65, 29.03), c(106.93, 27.73));
        assert!((d - 146_600.0).abs() < 2_000.0, "{d}");
    }

    #[test]
    fn closest_point_lies_on_the_edge_and_is_perpendicular() {
        let line = [c(106.0, 28.0), c(107.5, 29.5)];
        let p = c(107.2, 28.3);
        let got = closest_on_path(p, &line).unwrap();
        // Any point slightly to either side along the edge is farther.
        for f in [0.3, 0.45, 0.55, 0.7] {
            let q = interpolate(line[0], line[1], f);
            assert!(distance_m(p, q) >= got.distance_m - 1e-6);
        }
        assert!((got.chainage_m(&line) - distance_m(line[0], got.nearest)).abs() < 1e-3);
    }

    #[test]
    fn point_beyond_the_end_clamps_to_the_end() {
        let line = [c(106.0, 28.0), c(106.5, 28.0)];
        let p = c(107.0, 28.1);
        let got = closest_on_path(p, &line).unwrap();
        assert_eq!(got.nearest, line[1]);
        assert!((got.distance_m - distance_m(p, line[1])).abs() < 1e-6);
    }

    #[test]
    fn the_cheap_arc_bound_equals_the_full_spherical_angle() {
        let mut seed = 9u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..2000 {
            let mut pick = || UnitVector::from(c(100.0 + 15.0 * next(), 20.0 + 15.0 * next()));
            let (p, a, b) = (pick(), pick(), pick());
            let (full, _, arc) = sphere_closest_on_arc(p, a, b);
            let (cheap, arc_upper) = sphere_angle_to_arc(p, a, b);
            assert!((full - cheap).abs() < 1e-9, "{full} vs {cheap}");
            assert!(arc_upper >= arc);
        }
    }

    #[test]
    fn rect_lower_bound_never_exceeds_the_true_distance() {
        let rect = LonLatRect {
            min: c(106.0, 28.0),
            max: c(107.0, 29.0),
        };
        for (x, y) in [
            (105.0, 28.5),
            (108.0, 30.0),
            (106.5, 27.0),
            (104.0, 31.0),
            (106.5, 28.5),
        ] {
            let p = c(x, y);
            let lb = rect_lower_bound_m(&QueryPoint::new(p), rect);
            // Sample the rectangle's boundary and interior densely.
            let mut best = f64::INFINITY;
            for i in 0..=50 {
                for j in 0..=50 {
                    let q = c(106.0 + i as f64 / 50.0, 28.0 + j as f64 / 50.0);
                    best = best.min(distance_m(p, q));
                }
            }
            assert!(lb <= best + 1e-6, "lb {lb} > {best} for {p:?}");
            assert!(
                lb >= best * 0.98 - 3_000.0,
                "lb {lb} too loose for {best} at {p:?}"
            );
        }
    }

    #[test]
    fn expanded_rect_holds_every_point_within_the_radius() {
        let rect = LonLatRect {
            min: c(106.6, 29.0),
            max: c(106.6, 29.0),
        };
        let big = expand_rect_m(rect, 50_000.0);
        for az in (0..360).step_by(5) {
            let (lat, lon): (f64, f64) = WGS84.direct(29.0, 106.6, az as f64, 50_000.0);
            assert!(lon >= big.min.x && lon <= big.max.x && lat >= big.min.y && lat <= big.max.y);
        }
    }
}
