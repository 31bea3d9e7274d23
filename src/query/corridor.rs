//! Everything within a given width of a line, located along it.
//!
//! 1. The query line's segments go into a small R-tree, each with the chainage (geodesic metres
//!    along the line) at its start.
//! 2. Candidate features are those whose envelope meets the line's envelope widened by the width
//!    (degrees per metre taken at their largest, so nothing near is missed).
//! 3. For each candidate the distance is exact: 0 where the feature crosses or (a polygon)
//!    contains the line, else the smaller of (a) its vertices to the line and (b) the line's
//!    vertices to it — the nearest approach of two non-crossing polylines is at a vertex of one
//!    of them. The chainage is that of the line's point nearest the feature (the first point, if
//!    they cross).
//! 4. Results are sorted by chainage, then distance, then id.

use super::{Filter, InvalidParameter};
use crate::geodesy::{LonLatRect, closest_on_path_within, distance_m, expand_rect_m};
use crate::index::Dataset;
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{BoundingRect, Contains, Coord, Geometry, Line, LineString, Point, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// Largest corridor half-width: 100 km.
pub const MAX_WIDTH_M: f64 = 100_000.0;
/// Most positions a posted line may have.
pub const MAX_LINE_POSITIONS: usize = 20_000;

/// A line to measure along: one or more parts, chainage running on from part to part.
#[derive(Debug)]
pub struct QueryLine {
    segments: Vec<Segment>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    /// Every vertex with its chainage.
    vertices: Vec<(Coord, f64)>,
    envelope: LonLatRect,
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    a: Coord,
    b: Coord,
    start_m: f64,
}

impl QueryLine {
    /// Builds from line parts (each with ≥ 2 distinct positions, as the loader and the HTTP
    /// layer check).
    pub fn new(parts: &[LineString<f64>]) -> Result<QueryLine, InvalidParameter> {
        let mut segments = Vec::new();
        let mut vertices = Vec::new();
        let mut offset_m = 0.0;
        for part in parts {
            for w in part.0.windows(2) {
                segments.push(Segment {
                    a: w[0],
                    b: w[1],
                    start_m: offset_m,
                });
                vertices.push((w[0], offset_m));
                offset_m += distance_m(w[0], w[1]);
            }
            if let Some(last) = part.0.last() {
                vertices.push((*last, offset_m));
            }
        }
        let all = LineString(vertices.iter().map(|v| v.0).collect::<Vec<_>>());
        let rect = all
            .bounding_rect()
            .ok_or_else(|| InvalidParameter::new("line", "the line has no positions"))?;
        if segments.is_empty() {
            return Err(InvalidParameter::new(
                "line",
                "the line needs at least 2 positions",
            ));
        }
        let tree = RTree::bulk_load(
            segments
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    GeomWithData::new(
                        Rectangle::from_corners(
                            [s.a.x.min(s.b.x), s.a.y.min(s.b.y)],
                            [s.a.x.max(s.b.x), s.a.y.max(s.b.y)],
                        ),
                        i,
                    )
                })
                .collect(),
        );
        Ok(QueryLine {
            segments,
            tree,
            vertices,
            envelope: LonLatRect {
                min: rect.min(),
                max: rect.max(),
            },
        })
    }

    /// Total geodesic length in metres.
    pub fn length_m(&self) -> f64 {
        self.segments
            .last()
            .map_or(0.0, |s| s.start_m + distance_m(s.a, s.b))
    }

    fn segments_near(&self, rect: LonLatRect) -> impl Iterator<Item = &Segment> {
        let aabb = AABB::from_corners([rect.min.x, rect.min.y], [rect.max.x, rect.max.y]);
        self.tree
            .locate_in_envelope_intersecting(&aabb)
            .map(|e| &self.segments[e.data])
    }

    /// (distance, chainage) from `p` to the line, if within `width_m`.
    fn closest_within(&self, p: Coord, width_m: f64) -> Option<(f64, f64)> {
        let near = expand_rect_m(LonLatRect { min: p, max: p }, width_m);
        self.segments_near(near)
            .filter_map(|s| {
                closest_on_path_within(p, &[s.a, s.b], width_m)
                    .map(|c| (c.distance_m, s.start_m + c.along_m))
            })
            .filter(|(d, _)| *d <= width_m)
            .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)))
    }

    /// Chainage of the first point of the line that lies on or inside `geometry`.
    fn first_contact(&self, geometry: &Geometry<f64>, edges: &[Line<f64>]) -> Option<f64> {
        let polygons: Vec<&Polygon<f64>> = match geometry {
            Geometry::Polygon(p) => vec![p],
            Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
            _ => Vec::new(),
        };
        let mut first: Option<f64> = None;
        let mut consider = |chainage_m: f64| {
            if first.is_none_or(|f| chainage_m < f) {
                first = Some(chainage_m);
            }
        };
        for (v, chainage_m) in &self.vertices {
            if polygons.iter().any(|p| p.contains(&Point(*v))) {
                consider(*chainage_m);
                break; // vertices are in chainage order
            }
        }
        for edge in edges {
            let r = edge.bounding_rect();
            for s in self.segments_near(LonLatRect {
                min: r.min(),
                max: r.max(),
            }) {
                let hit = match line_intersection(Line::new(s.a, s.b), *edge) {
                    Some(LineIntersection::SinglePoint { intersection, .. }) => Some(intersection),
                    Some(LineIntersection::Collinear { intersection }) => Some(
                        if distance_m(s.a, intersection.start) <= distance_m(s.a, intersection.end)
                        {
                            intersection.start
                        } else {
                            intersection.end
                        },
                    ),
                    None => None,
                };
                if let Some(x) = hit {
                    consider(s.start_m + distance_m(s.a, x));
                }
            }
        }
        first
    }
}

/// A feature found along the line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Along {
    pub feature: u32,
    pub distance_m: f64,
    pub chainage_m: f64,
}

/// Validates a corridor half-width.
pub fn check_width(width_m: f64) -> Result<f64, InvalidParameter> {
    if !width_m.is_finite() || width_m < 0.0 {
        return Err(InvalidParameter::new(
            "width_m",
            format!("must be a finite number ≥ 0, got {width_m}"),
        ));
    }
    if width_m > MAX_WIDTH_M {
        return Err(InvalidParameter::new(
            "width_m",
            format!("{width_m} exceeds the maximum of {MAX_WIDTH_M} m"),
        ));
    }
    Ok(width_m)
}

/// Every feature passing `filter` within `width_m` of `line`, except `exclude`.
pub fn corridor(
    ds: &Dataset,
    line: &QueryLine,
    width_m: f64,
    filter: &Filter,
    exclude: Option<u32>,
) -> Vec<Along> {
    let mut candidates: Vec<u32> = ds
        .envelope_candidates(expand_rect_m(line.envelope, width_m))
        .filter(|i| Some(*i) != exclude && filter.matches(ds.feature(*i)))
        .collect();
    candidates.sort_unstable();
    let mut found: Vec<Along> = candidates
        .into_iter()
        .filter_map(|i| {
            let (distance_m, chainage_m) = measure_feature(line, &ds.feature(i).geometry, width_m)?;
            Some(Along {
                feature: i,
                distance_m,
                chainage_m,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        a.chainage_m
            .total_cmp(&b.chainage_m)
            .then(a.distance_m.total_cmp(&b.distance_m))
            .then_with(|| ds.feature(a.feature).id().cmp(ds.feature(b.feature).id()))
    });
    found
}

/// (distance, chainage) of a geometry from the line, if within `width_m`.
pub fn measure_feature(
    line: &QueryLine,
    geometry: &Geometry<f64>,
    width_m: f64,
) -> Option<(f64, f64)> {
    let paths = paths_of(geometry);
    let edges: Vec<Line<f64>> = paths
        .iter()
        .flat_map(|p| p.windows(2).map(|w| Line::new(w[0], w[1])))
        .collect();
    if let Some(chainage_m) = line.first_contact(geometry, &edges) {
        return Some((0.0, chainage_m));
    }
    let better = |x: (f64, f64), y: (f64, f64)| {
        if y.0 < x.0 || (y.0 == x.0 && y.1 < x.1) {
            y
        } else {
            x
        }
    };
    let mut best: Option<(f64, f64)> = None;
    // (a) the feature's vertices to the line
    for v in paths.iter().flat_map(|p| p.iter()) {
        if let Some(hit) = line.closest_within(*v, width_m) {
            best = Some(best.map_or(hit, |b| better(b, hit)));
        }
    }
    // (b) the line's vertices to the feature's edges
    if !edges.is_empty()
        && let Some(rect) = geometry.bounding_rect()
    {
        let near = expand_rect_m(
            LonLatRect {
                min: rect.min(),
                max: rect.max(),
            },
            width_m,
        );
        for (v, chainage_m) in &line.vertices {
            if v.x < near.min.x || v.x > near.max.x || v.y < near.min.y || v.y > near.max.y {
                continue;
            }
            for path in paths.iter().filter(|p| p.len() >= 2) {
                if let Some(c) = closest_on_path_within(*v, path, width_m) {
                    let hit = (c.distance_m, *chainage_m);
                    best = Some(best.map_or(hit, |b| better(b, hit)));
                }
            }
        }
    }
    best
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
