//! Everything within a given width of a line, located along it.
//!
//! 1. The query line's segments go into a small R-tree, each with the chainage (geodesic metres
//!    along the line) at its start; so do its vertices.
//! 2. Candidate features are those whose envelope meets the line's envelope widened by the width
//!    (degrees per metre taken at their largest, so nothing near is missed).
//! 3. For each candidate the distance is exact: 0 where the feature crosses or (a polygon)
//!    contains the line, else the smaller of (a) its vertices to the line and (b) the line's
//!    vertices to it — the nearest approach of two non-crossing polylines is at a vertex of one
//!    of them. The chainage is that of the line's point nearest the feature (the first point, if
//!    they cross). Both passes visit edges nearest spherical lower bound first and skip every
//!    edge whose bound exceeds the width or the best exact distance found so far
//!    (see [`measure`]); the bounds only prune, every distance reported is exact.
//! 4. Results are sorted by chainage, then distance, then id.

mod band;
mod edges;
mod measure;

pub use band::band;

use super::{Filter, InvalidParameter};
use crate::geodesy::{LonLatRect, PreparedEdge, distance_m, expand_rect_m};
use crate::index::Dataset;
use crate::work::{Deadline, OverBudget};
use edges::EdgeIndex;
use geo::{BoundingRect, Coord, LineString};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

/// Largest corridor half-width: 100 km.
pub const MAX_WIDTH_M: f64 = 100_000.0;
/// Most positions a posted line may have. 10,000, not the 20,000 it was: a line of 20,000
/// positions circling features at ~95 km (the worst line found) took 2.6–4.4 s on the
/// project's 2-core machine, too close to the 5 s budget (BENCHMARKS.md, "Worst cases inside
/// the caps"); the work grows with the number of segments near each feature.
pub const MAX_LINE_POSITIONS: usize = 10_000;

/// A line to measure along: one or more parts, chainage running on from part to part.
#[derive(Debug)]
pub struct QueryLine {
    /// Every segment, indexed.
    segments: EdgeIndex,
    /// Chainage at the start of each segment.
    starts_m: Vec<f64>,
    /// Every vertex with its chainage...
    vertices: Vec<(Coord, f64)>,
    /// ...indexed by position.
    vertex_tree: RTree<GeomWithData<[f64; 2], u32>>,
    /// The first vertex of each part, with its chainage.
    part_starts: Vec<(Coord, f64)>,
    envelope: LonLatRect,
    length_m: f64,
}

impl QueryLine {
    /// Builds from line parts (each with ≥ 2 distinct positions, as the loader and the HTTP
    /// layer check).
    pub fn new(parts: &[LineString<f64>]) -> Result<QueryLine, InvalidParameter> {
        let mut segments = Vec::new();
        let mut lengths_m = Vec::new();
        let mut starts_m = Vec::new();
        let mut vertices = Vec::new();
        let mut part_starts = Vec::new();
        let mut offset_m = 0.0;
        for part in parts {
            if let Some(first) = part.0.first()
                && part.0.len() >= 2
            {
                part_starts.push((*first, offset_m));
            }
            for w in part.0.windows(2) {
                segments.push(PreparedEdge::new(w[0], w[1]));
                starts_m.push(offset_m);
                vertices.push((w[0], offset_m));
                let length_m = distance_m(w[0], w[1]);
                lengths_m.push(length_m);
                offset_m += length_m;
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
        let index = |i: usize| {
            u32::try_from(i)
                .map_err(|_| InvalidParameter::new("line", "the line has too many positions"))
        };
        let vertex_tree = RTree::bulk_load(
            vertices
                .iter()
                .enumerate()
                .map(|(i, (c, _))| Ok(GeomWithData::new([c.x, c.y], index(i)?)))
                .collect::<Result<_, InvalidParameter>>()?,
        );
        Ok(QueryLine {
            segments: EdgeIndex::with_lengths(segments, lengths_m),
            starts_m,
            vertices,
            vertex_tree,
            part_starts,
            envelope: LonLatRect {
                min: rect.min(),
                max: rect.max(),
            },
            length_m: offset_m,
        })
    }

    /// Total geodesic length in metres.
    pub fn length_m(&self) -> f64 {
        self.length_m
    }

    /// Vertices (with their chainage) inside `rect`, in no particular order.
    fn vertices_in(&self, rect: LonLatRect) -> impl Iterator<Item = (Coord, f64)> + '_ {
        let aabb = AABB::from_corners([rect.min.x, rect.min.y], [rect.max.x, rect.max.y]);
        self.vertex_tree
            .locate_in_envelope(&aabb)
            .map(|e| self.vertices[e.data as usize])
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

/// Every feature passing `filter` within `width_m` of `line`, except `exclude`; stops with
/// [`OverBudget`] once `deadline` has passed.
pub fn corridor(
    ds: &Dataset,
    line: &QueryLine,
    width_m: f64,
    filter: &Filter,
    exclude: Option<u32>,
    deadline: &Deadline,
) -> Result<Vec<Along>, OverBudget> {
    let mut candidates: Vec<u32> = ds
        .envelope_candidates(expand_rect_m(line.envelope, width_m))
        .filter(|i| Some(*i) != exclude && filter.matches(ds.feature(*i)))
        .collect();
    candidates.sort_unstable();
    let mut found: Vec<Along> = Vec::new();
    for i in candidates {
        deadline.check()?;
        if let Some((distance_m, chainage_m)) =
            measure::measure_feature(line, &ds.feature(i).geometry, width_m, deadline)?
        {
            found.push(Along {
                feature: i,
                distance_m,
                chainage_m,
            });
        }
    }
    found.sort_by(|a, b| {
        a.chainage_m
            .total_cmp(&b.chainage_m)
            .then(a.distance_m.total_cmp(&b.distance_m))
            .then_with(|| ds.feature(a.feature).id().cmp(ds.feature(b.feature).id()))
    });
    Ok(found)
}
