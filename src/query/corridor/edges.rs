//! Edges indexed for exact nearest-edge searches from many points: edges are refined on the
//! ellipsoid nearest spherical bound first, and the search stops as soon as the bounds exceed
//! what the caller still needs (the width, or the best exact distance found so far).

use crate::geodesy::{Closest, LonLatRect, PreparedEdge, QueryPoint, distance_m};
use crate::index::{Boxed, by_lower_bound};
use rstar::primitives::GeomWithData;
use rstar::{AABB, RTree};

/// Below this many edges, sorting all their spherical bounds is cheaper than a tree.
const TREE_FROM_EDGES: usize = 16;
/// Slack (metres) for the rounding of two geodesic distances in the triangle bound.
const TRIANGLE_SLACK_M: f64 = 1e-3;

/// Edges with, from [`TREE_FROM_EDGES`] on, an R-tree of the boxes holding their whole
/// geodesics (not only their ends: the walk's bounds must hold for every point of an edge).
#[derive(Debug)]
pub struct EdgeIndex {
    pub edges: Vec<PreparedEdge>,
    tree: Option<RTree<Boxed<u32>>>,
    /// Geodesic length of each edge, when known: for short edges one inverse to the start then
    /// bounds the distance much more tightly than the sphere (see [`EdgeIndex::visit_within`]).
    lengths_m: Option<Vec<f64>>,
}

impl EdgeIndex {
    /// # Panics
    /// With 2³² edges or more; posted lines are capped far below and features hold fewer.
    pub fn new(edges: Vec<PreparedEdge>) -> EdgeIndex {
        let tree = (edges.len() >= TREE_FROM_EDGES).then(|| {
            RTree::bulk_load(
                edges
                    .iter()
                    .enumerate()
                    .map(|(i, e)| {
                        GeomWithData::new(
                            e.geodesic_envelope(),
                            u32::try_from(i).expect("fewer than 2^32 edges"),
                        )
                    })
                    .collect(),
            )
        });
        EdgeIndex {
            edges,
            tree,
            lengths_m: None,
        }
    }

    /// Like [`EdgeIndex::new`], with each edge's geodesic length (same order).
    pub fn with_lengths(edges: Vec<PreparedEdge>, lengths_m: Vec<f64>) -> EdgeIndex {
        debug_assert_eq!(edges.len(), lengths_m.len());
        EdgeIndex {
            lengths_m: Some(lengths_m),
            ..EdgeIndex::new(edges)
        }
    }

    /// Whether the edge is surely farther than `limit_m` by the triangle inequality: every
    /// point X of an edge of length L from `a` has d(q, X) ≥ d(q, a) − L. The spherical bound
    /// is only within 0.6 % of the exact distance, so among many short edges at similar
    /// distances (a dense line ~100 km away) it leaves hundreds to refine; one inverse (a third
    /// of a refinement) settles most of them.
    fn surely_beyond(&self, i: usize, q: &QueryPoint, limit_m: f64) -> bool {
        match &self.lengths_m {
            Some(lengths) if lengths[i] * 8.0 < limit_m => {
                distance_m(q.coord, self.edges[i].a) - lengths[i] - TRIANGLE_SLACK_M > limit_m
            }
            _ => false,
        }
    }

    /// Edges whose ends' box meets `rect` (and maybe a few more), in no particular order.
    pub fn locate_in(&self, rect: LonLatRect) -> Box<dyn Iterator<Item = usize> + '_> {
        match &self.tree {
            Some(tree) => {
                let aabb = AABB::from_corners([rect.min.x, rect.min.y], [rect.max.x, rect.max.y]);
                Box::new(
                    tree.locate_in_envelope_intersecting(&aabb)
                        .map(|e| e.data as usize),
                )
            }
            None => Box::new(self.edges.iter().enumerate().filter_map(move |(i, e)| {
                let envelope = e.ends_envelope();
                let (lo, hi) = (envelope.lower(), envelope.upper());
                let meets = lo[0] <= rect.max.x
                    && hi[0] >= rect.min.x
                    && lo[1] <= rect.max.y
                    && hi[1] >= rect.min.y;
                meets.then_some(i)
            })),
        }
    }

    /// Calls `visit(edge, exact closest point, limit)` for the edges whose spherical lower
    /// bound from `q` does not exceed `*limit_m`, smallest bound first; `visit` may lower
    /// `*limit_m` (to the best distance found so far), which prunes the edges still waiting.
    /// An edge never visited is surely farther from `q` than the final `*limit_m`; one whose
    /// exact distance equals it is visited, so callers can break ties.
    pub fn visit_within(
        &self,
        q: &QueryPoint,
        limit_m: &mut f64,
        mut visit: impl FnMut(usize, &Closest, &mut f64),
    ) {
        match &self.tree {
            Some(tree) => {
                for (i, envelope_bound_m) in by_lower_bound(tree, *q, *limit_m) {
                    if envelope_bound_m > *limit_m {
                        break;
                    }
                    let e = &self.edges[i as usize];
                    if e.lower_bound_m(q) <= *limit_m
                        && !self.surely_beyond(i as usize, q, *limit_m)
                    {
                        visit(i as usize, &e.closest(q), limit_m);
                    }
                }
            }
            None => {
                let mut bounds = [(0.0, 0usize); TREE_FROM_EDGES];
                let mut n = 0;
                for (i, e) in self.edges.iter().enumerate() {
                    let b = e.lower_bound_m(q);
                    if b <= *limit_m {
                        bounds[n] = (b, i);
                        n += 1;
                    }
                }
                let bounds = &mut bounds[..n];
                bounds.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
                for &(b, i) in bounds.iter() {
                    if b > *limit_m {
                        break;
                    }
                    if !self.surely_beyond(i, q, *limit_m) {
                        visit(i, &self.edges[i].closest(q), limit_m);
                    }
                }
            }
        }
    }
}
