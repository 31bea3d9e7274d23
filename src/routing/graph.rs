//! The road network as a graph, built once at load.
//!
//! Nodes are the vertices roads share (identical coordinates) and the points where road
//! segments cross; edges are the pieces of road between them, with their geodesic length and
//! the time to drive them at the speed of their road class. Stops join the network at their
//! nearest point on it (see [`RoadGraph::snap`]).

use crate::geodesy::{LonLatRect, closest_on_path, distance_m, expand_rect_m};
use crate::index::Dataset;
use crate::layers::{Feature, Status};
use crate::work::{Deadline, OverBudget};
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Coord, Geometry, Line};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// Nodes settled between two looks at the clock in a search (each costs a heap pop and a few
/// pushes: tens of nanoseconds).
const NODES_PER_CHECK: usize = 4096;

/// Layers whose lines form the network, when present.
pub const NETWORK_LAYERS: [&str; 2] = ["highways", "osm_highways"];

/// Speeds (km/h) per road class, and how a feature's class is read.
///
/// | class | km/h | a feature is of this class when |
/// |---|---|---|
/// | expressway | 80 | `road_class` = expressway, `osm_highway` = motorway, or its Chinese name has 高速 |
/// | national / trunk | 60 | `road_class` = national or trunk, `osm_highway` = trunk, or its name has 国道 or 快速路 |
/// | primary | 50 | `road_class` = primary or `osm_highway` = primary |
/// | other | 40 | anything else, and every `*_link` |
pub fn speed_kmh(f: &Feature) -> f64 {
    let prop = |k: &str| f.extra().get(k).and_then(|v| v.as_str()).unwrap_or("");
    match (prop("road_class"), prop("osm_highway")) {
        ("expressway", _) | (_, "motorway") => 80.0,
        ("national" | "trunk", _) | (_, "trunk") => 60.0,
        ("primary", _) | (_, "primary") => 50.0,
        ("", "") if f.name_zh().contains("高速") => 80.0,
        ("", "") if f.name_zh().contains("国道") || f.name_zh().contains("快速路") => 60.0,
        _ => 40.0,
    }
}

/// An edge in the snapping index: its two nodes (lower id first) and seconds per metre.
type EdgeEntry = GeomWithData<Rectangle<[f64; 2]>, (u32, u32, f64)>;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub to: u32,
    pub length_m: f64,
    pub duration_s: f64,
}

/// An undirected road graph; coordinates WGS84 lon/lat.
#[derive(Debug, Default)]
pub struct RoadGraph {
    pub nodes: Vec<Coord>,
    pub adjacency: Vec<Vec<Edge>>,
    /// Every edge once (a < b), indexed by envelope, for snapping.
    edges: RTree<EdgeEntry>,
}

/// Where a stop joins the network: a point on the edge between `a` and `b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    pub point: Coord,
    /// Straight distance from the stop to `point`.
    pub connector_m: f64,
    pub a: u32,
    pub b: u32,
    /// Along the edge from `a` to `point`, and from `point` to `b`.
    pub to_a_m: f64,
    pub to_b_m: f64,
    /// Seconds per metre on this edge.
    pub pace_s_per_m: f64,
}

fn key(c: Coord) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
}

fn envelope(a: Coord, b: Coord) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)])
}

impl RoadGraph {
    /// The network of the existing roads among the dataset's [`NETWORK_LAYERS`].
    pub fn from_dataset(ds: &Dataset) -> RoadGraph {
        let roads: Vec<(Vec<Coord>, f64)> = ds
            .features
            .iter()
            .filter(|f| {
                NETWORK_LAYERS.contains(&ds.layer_of(f).id.as_str()) && f.status == Status::Existing
            })
            .flat_map(|f| {
                let speed = speed_kmh(f);
                let parts: Vec<Vec<Coord>> = match &f.geometry {
                    Geometry::LineString(l) => vec![l.0.clone()],
                    Geometry::MultiLineString(ml) => ml.0.iter().map(|l| l.0.clone()).collect(),
                    _ => Vec::new(),
                };
                parts.into_iter().map(move |p| (p, speed))
            })
            .collect();
        RoadGraph::from_lines(&roads)
    }

    /// Builds the graph from lines with their speeds (km/h).
    pub fn from_lines(lines: &[(Vec<Coord>, f64)]) -> RoadGraph {
        // Every segment, with its line.
        let segments: Vec<(usize, Coord, Coord)> = lines
            .iter()
            .enumerate()
            .flat_map(|(i, (coords, _))| {
                coords
                    .windows(2)
                    .filter(|w| w[0] != w[1])
                    .map(move |w| (i, w[0], w[1]))
            })
            .collect();
        let tree = RTree::bulk_load(
            segments
                .iter()
                .enumerate()
                .map(|(s, (_, a, b))| GeomWithData::new(envelope(*a, *b), s))
                .collect(),
        );
        // Points where segments of different lines cross, as split points of both.
        let mut splits: Vec<Vec<Coord>> = vec![Vec::new(); segments.len()];
        for (s, (line, a, b)) in segments.iter().enumerate() {
            for other in tree.locate_in_envelope_intersecting(&AABB::from_corners(
                [a.x.min(b.x), a.y.min(b.y)],
                [a.x.max(b.x), a.y.max(b.y)],
            )) {
                let t = other.data;
                if t <= s || segments[t].0 == *line {
                    continue;
                }
                let (_, c, d) = segments[t];
                if let Some(LineIntersection::SinglePoint { intersection, .. }) =
                    line_intersection(Line::new(*a, *b), Line::new(c, d))
                {
                    splits[s].push(intersection);
                    splits[t].push(intersection);
                }
            }
        }
        let mut g = RoadGraph::default();
        let mut ids: HashMap<(u64, u64), u32> = HashMap::new();
        let mut node = |g: &mut RoadGraph, c: Coord| -> u32 {
            *ids.entry(key(c)).or_insert_with(|| {
                g.nodes.push(c);
                g.adjacency.push(Vec::new());
                u32::try_from(g.nodes.len() - 1).expect("fewer than 2^32 road nodes")
            })
        };
        let mut edges = Vec::new();
        for (s, (line, a, b)) in segments.iter().enumerate() {
            let pace = 3.6 / lines[*line].1;
            let mut points = vec![*a];
            let mut inner = splits[s].clone();
            inner.sort_by(|p, q| distance_m(*a, *p).total_cmp(&distance_m(*a, *q)));
            points.extend(inner);
            points.push(*b);
            points.dedup();
            for w in points.windows(2) {
                let (u, v) = (node(&mut g, w[0]), node(&mut g, w[1]));
                if u == v {
                    continue;
                }
                let length_m = distance_m(w[0], w[1]);
                let duration_s = length_m * pace;
                g.adjacency[u as usize].push(Edge {
                    to: v,
                    length_m,
                    duration_s,
                });
                g.adjacency[v as usize].push(Edge {
                    to: u,
                    length_m,
                    duration_s,
                });
                edges.push(GeomWithData::new(
                    envelope(w[0], w[1]),
                    (u.min(v), u.max(v), pace),
                ));
            }
        }
        g.edges = RTree::bulk_load(edges);
        g
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The nearest point of the network to `p` (exact geodesic distance), searching outwards
    /// in widening boxes; `None` for an empty network.
    pub fn snap(&self, p: Coord) -> Option<Snap> {
        if self.is_empty() {
            return None;
        }
        let mut radius_m = 2_000.0;
        loop {
            let r = expand_rect_m(LonLatRect { min: p, max: p }, radius_m);
            let aabb = AABB::from_corners([r.min.x, r.min.y], [r.max.x, r.max.y]);
            let best = self
                .edges
                .locate_in_envelope_intersecting(&aabb)
                .filter_map(|e| {
                    let (a, b, pace) = e.data;
                    let (ca, cb) = (self.nodes[a as usize], self.nodes[b as usize]);
                    let c = closest_on_path(p, &[ca, cb])?;
                    let edge_m = distance_m(ca, cb);
                    Some(Snap {
                        point: c.nearest,
                        connector_m: c.distance_m,
                        a,
                        b,
                        to_a_m: c.along_m,
                        to_b_m: (edge_m - c.along_m).max(0.0),
                        pace_s_per_m: pace,
                    })
                })
                .min_by(|x, y| {
                    x.connector_m
                        .total_cmp(&y.connector_m)
                        .then((x.a, x.b).cmp(&(y.a, y.b)))
                });
            // Only a hit within the searched radius is surely the nearest.
            if let Some(s) = best
                && s.connector_m <= radius_m
            {
                return Some(s);
            }
            if radius_m > 40_000_000.0 {
                return best;
            }
            radius_m *= 4.0;
        }
    }

    /// Shortest distances (by length) from a snapped stop to every node, with predecessors;
    /// [`OverBudget`] once `deadline` has passed.
    pub fn dijkstra(&self, from: &Snap, deadline: &Deadline) -> Result<ShortestPaths, OverBudget> {
        let n = self.nodes.len();
        let mut dist = vec![f64::INFINITY; n];
        let mut prev = vec![u32::MAX; n];
        let mut heap = BinaryHeap::new();
        for (node, d) in [(from.a, from.to_a_m), (from.b, from.to_b_m)] {
            if d < dist[node as usize] {
                dist[node as usize] = d;
                heap.push(Visit { dist_m: d, node });
            }
        }
        let mut settled = 0usize;
        while let Some(Visit { dist_m, node }) = heap.pop() {
            if dist_m > dist[node as usize] {
                continue;
            }
            if settled.is_multiple_of(NODES_PER_CHECK) {
                deadline.check()?;
            }
            settled += 1;
            for e in &self.adjacency[node as usize] {
                let d = dist_m + e.length_m;
                if d < dist[e.to as usize] {
                    dist[e.to as usize] = d;
                    prev[e.to as usize] = node;
                    heap.push(Visit {
                        dist_m: d,
                        node: e.to,
                    });
                }
            }
        }
        Ok(ShortestPaths { dist, prev })
    }

    /// Seconds to drive from `a` to `b` along their edge (the fastest if several join them).
    pub fn edge_duration_s(&self, a: u32, b: u32) -> f64 {
        self.adjacency[a as usize]
            .iter()
            .filter(|e| e.to == b)
            .map(|e| e.duration_s)
            .min_by(f64::total_cmp)
            .unwrap_or(0.0)
    }
}

/// Result of one search from a stop.
#[derive(Debug, Clone)]
pub struct ShortestPaths {
    pub dist: Vec<f64>,
    /// Predecessor of each node on its shortest path; `u32::MAX` at the start.
    pub prev: Vec<u32>,
}

impl ShortestPaths {
    /// Nodes from the search's start to `to`, in order.
    pub fn path_to(&self, to: u32) -> Vec<u32> {
        let mut path = vec![to];
        let mut at = to;
        while self.prev[at as usize] != u32::MAX {
            at = self.prev[at as usize];
            path.push(at);
        }
        path.reverse();
        path
    }
}

#[derive(Debug, PartialEq)]
struct Visit {
    dist_m: f64,
    node: u32,
}
impl Eq for Visit {}
impl PartialOrd for Visit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Visit {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .dist_m
            .total_cmp(&self.dist_m)
            .then_with(|| other.node.cmp(&self.node))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn crossing_roads_meet_at_their_intersection() {
        let g = RoadGraph::from_lines(&[
            (vec![c(106.0, 28.0), c(107.0, 28.0)], 80.0),
            (vec![c(106.5, 27.5), c(106.5, 28.5)], 60.0),
        ]);
        assert_eq!(g.nodes.len(), 5, "4 ends and the crossing");
        let crossing = g
            .nodes
            .iter()
            .position(|n| (n.x - 106.5).abs() < 1e-12 && (n.y - 28.0).abs() < 1e-12)
            .unwrap();
        assert_eq!(g.adjacency[crossing].len(), 4);
    }

    #[test]
    fn shared_vertices_join_roads_and_the_shortest_path_follows_them() {
        let g = RoadGraph::from_lines(&[
            (vec![c(106.0, 28.0), c(106.5, 28.2)], 80.0),
            (vec![c(106.5, 28.2), c(107.0, 28.0)], 80.0),
        ]);
        assert_eq!(g.nodes.len(), 3);
        let s = g.snap(c(106.0, 27.99)).unwrap();
        assert!((s.connector_m - 1_108.0).abs() < 5.0, "{s:?}");
        let paths = g.dijkstra(&s, &Deadline::NONE).unwrap();
        let end = g.nodes.iter().position(|n| *n == c(107.0, 28.0)).unwrap() as u32;
        let expect =
            distance_m(c(106.0, 28.0), c(106.5, 28.2)) + distance_m(c(106.5, 28.2), c(107.0, 28.0));
        assert!((paths.dist[end as usize] - expect).abs() < 1.0);
        // The search starts from both ends of the stop's edge: the far end of it is the first node.
        let path = paths.path_to(end);
        assert_eq!(path.len(), 2);
        assert_eq!(g.nodes[path[0] as usize], c(106.5, 28.2));
    }
}
