//! The exact distance and chainage of one feature from the query line (step 3 of
//! [`super`]), pruned: every bound only skips work whose result could not change the answer.

use super::QueryLine;
use super::edges::EdgeIndex;
use crate::geodesy::{
    Closest, LonLatRect, PreparedEdge, QueryPoint, distance_m, expand_rect_m, rect_lower_bound_m,
};
use crate::work::{Deadline, OverBudget};
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{BoundingRect, Contains, Coord, Geometry, Line, Point, Polygon};

/// Vertices (or edges) handled between two looks at the clock: each costs an R-tree walk and
/// usually one exact refinement, a few microseconds.
const STEPS_PER_CHECK: usize = 256;

/// Counts steps and looks at the deadline every [`STEPS_PER_CHECK`].
struct Pace<'a> {
    deadline: &'a Deadline,
    steps: usize,
}

impl Pace<'_> {
    fn step(&mut self) -> Result<(), OverBudget> {
        self.steps += 1;
        if self.steps.is_multiple_of(STEPS_PER_CHECK) {
            self.deadline.check()?;
        }
        Ok(())
    }
}

/// The nearer of two (distance, chainage) pairs; on equal distances the smaller chainage.
fn better(x: Option<(f64, f64)>, y: (f64, f64)) -> (f64, f64) {
    match x {
        Some(x) if !(y.0 < x.0 || (y.0 == x.0 && y.1 < x.1)) => x,
        _ => y,
    }
}

/// (distance, chainage) of a geometry from the line, if within `width_m`.
pub fn measure_feature(
    line: &QueryLine,
    geometry: &Geometry<f64>,
    width_m: f64,
    deadline: &Deadline,
) -> Result<Option<(f64, f64)>, OverBudget> {
    let mut pace = Pace { deadline, steps: 0 };
    let paths = paths_of(geometry);
    let edges: Vec<Line<f64>> = paths
        .iter()
        .flat_map(|p| p.windows(2).map(|w| Line::new(w[0], w[1])))
        .collect();
    if let Some(chainage_m) = first_contact(line, geometry, &edges, &mut pace)? {
        return Ok(Some((0.0, chainage_m)));
    }
    let mut best: Option<(f64, f64)> = None;
    // What a distance must not exceed to matter: the width, then the best found so far (equal
    // still matters: it may come with a smaller chainage).
    let mut limit_m = width_m;
    // (a) the feature's vertices to the line's segments
    for v in paths.iter().flat_map(|p| p.iter()) {
        pace.step()?;
        let q = QueryPoint::new(*v);
        line.segments
            .visit_within(&q, &mut limit_m, |i, c: &Closest, limit_m| {
                if c.distance_m <= width_m {
                    let hit = better(best, (c.distance_m, line.starts_m[i] + c.along_m));
                    best = Some(hit);
                    *limit_m = hit.0;
                }
            });
    }
    // (b) the line's vertices to the feature's edges
    let Some(rect) = geometry.bounding_rect() else {
        return Ok(best);
    };
    let rect = LonLatRect {
        min: rect.min(),
        max: rect.max(),
    };
    let feature_edges = EdgeIndex::new(
        paths
            .iter()
            .flat_map(|p| p.windows(2).map(|w| PreparedEdge::new(w[0], w[1])))
            .collect(),
    );
    if feature_edges.edges.is_empty() {
        return Ok(best);
    }
    for (v, chainage_m) in line.vertices_in(expand_rect_m(rect, limit_m)) {
        pace.step()?;
        let q = QueryPoint::new(v);
        if rect_lower_bound_m(&q, rect) > limit_m {
            continue;
        }
        feature_edges.visit_within(&q, &mut limit_m, |_, c: &Closest, limit_m| {
            if c.distance_m <= width_m {
                let hit = better(best, (c.distance_m, chainage_m));
                best = Some(hit);
                *limit_m = hit.0;
            }
        });
    }
    Ok(best)
}

/// Chainage of the first point of the line that lies on or inside `geometry`.
fn first_contact(
    line: &QueryLine,
    geometry: &Geometry<f64>,
    edges: &[Line<f64>],
    pace: &mut Pace<'_>,
) -> Result<Option<f64>, OverBudget> {
    let mut first: Option<f64> = None;
    let consider = |first: &mut Option<f64>, chainage_m: f64| {
        if first.is_none_or(|f| chainage_m < f) {
            *first = Some(chainage_m);
        }
    };
    for edge in edges {
        pace.step()?;
        let r = edge.bounding_rect();
        for i in line.segments.locate_in(LonLatRect {
            min: r.min(),
            max: r.max(),
        }) {
            let start_m = line.starts_m[i];
            // A contact on this segment lies at or past its start: no earlier than one found.
            if first.is_some_and(|f| start_m >= f) {
                continue;
            }
            let s = &line.segments.edges[i];
            let hit = match line_intersection(Line::new(s.a, s.b), *edge) {
                Some(LineIntersection::SinglePoint { intersection, .. }) => Some(intersection),
                Some(LineIntersection::Collinear { intersection }) => Some(
                    if distance_m(s.a, intersection.start) <= distance_m(s.a, intersection.end) {
                        intersection.start
                    } else {
                        intersection.end
                    },
                ),
                None => None,
            };
            if let Some(x) = hit {
                consider(&mut first, start_m + distance_m(s.a, x));
            }
        }
    }
    let polygons: Vec<&Polygon<f64>> = match geometry {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        _ => Vec::new(),
    };
    if !polygons.is_empty() {
        // Only where each part starts: a part that starts outside every polygon reaches the
        // inside only by crossing a ring edge, which the loop above has found, earlier than
        // any of its vertices inside.
        for &(start, chainage_m) in &line.part_starts {
            if first.is_some_and(|f| chainage_m >= f) {
                break; // part starts are in chainage order
            }
            pace.step()?;
            if polygons.iter().any(|p| p.contains(&Point(start))) {
                consider(&mut first, chainage_m);
                break;
            }
        }
    }
    Ok(first)
}

/// The vertex sequences of a geometry: points alone, line parts, polygon rings.
fn paths_of(geometry: &Geometry<f64>) -> Vec<&[Coord]> {
    match geometry {
        Geometry::Point(p) => vec![std::slice::from_ref(&p.0)],
        Geometry::MultiPoint(mp) => mp.0.iter().map(|p| std::slice::from_ref(&p.0)).collect(),
        Geometry::LineString(l) => vec![&l.0[..]],
        Geometry::MultiLineString(ml) => ml.0.iter().map(|l| &l.0[..]).collect(),
        Geometry::Polygon(p) => rings(p),
        Geometry::MultiPolygon(mp) => mp.0.iter().flat_map(rings).collect(),
        _ => Vec::new(),
    }
}

fn rings(p: &Polygon<f64>) -> Vec<&[Coord]> {
    std::iter::once(p.exterior())
        .chain(p.interiors())
        .map(|r| &r.0[..])
        .collect()
}
