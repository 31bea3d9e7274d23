//! Planning a loop: resolve stops, price every pair (one shortest-path search per stop, not per
//! pair), order them, then describe the legs, the provinces and counties passed and the
//! attractions nearby.

// Cost matrices read best indexed by stop number.
#![allow(clippy::needless_range_loop)]

use super::graph::{RoadGraph, ShortestPaths, Snap};
use super::order::{Constraints, best_order};
use crate::geodesy::{distance_m, path_length_m};
use crate::index::Dataset;
use crate::layers::Boundary;
use crate::query::corridor::{QueryLine, corridor};
use crate::query::crossings::Border;
use crate::query::region::Areas;
use crate::query::{Filter, InvalidParameter};
use crate::work::{Deadline, OverBudget};
use geo::{Coord, LineString};

/// Most stops a plan may have.
pub const MAX_STOPS: usize = 200;
/// Largest `suggest_within_m`.
pub const MAX_SUGGEST_WITHIN_M: f64 = 50_000.0;
/// Speed (km/h) on straight legs and on the straight connectors from a stop to the network.
pub const STRAIGHT_KMH: f64 = 30.0;
/// Layers whose features may be suggested.
pub const SUGGESTION_LAYERS: [&str; 1] = ["attractions"];

/// Why a plan was not made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// A stop names no feature, or one with nothing to visit: the client's mistake.
    #[error(transparent)]
    Invalid(#[from] InvalidParameter),
    /// Planning ran past its deadline and stopped.
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
}

/// How legs follow the ground.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paths {
    /// Along the road network.
    Network,
    /// Geodesics between stops.
    Straight,
}

/// Why a leg is drawn straight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Straight {
    /// `paths: "straight"` was asked for (or there is no road network in the data).
    Requested,
    /// The network has no path between the stops' roads.
    NoNetworkPath,
    /// Going to the road and back is longer than going straight (e.g. stops side by side).
    ShorterThanTheRoad,
}

impl Straight {
    pub fn as_str(self) -> &'static str {
        match self {
            Straight::Requested => "requested",
            Straight::NoNetworkPath => "no_network_path",
            Straight::ShorterThanTheRoad => "shorter_than_the_road",
        }
    }
}

/// A stop as requested.
#[derive(Debug, Clone, PartialEq)]
pub enum StopSpec {
    Feature(String),
    Position(Coord),
}

/// A validated planning request.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRequest {
    pub stops: Vec<StopSpec>,
    pub roundtrip: bool,
    pub fixed_first: bool,
    pub fixed_last: bool,
    pub paths: Paths,
    pub suggest_within_m: f64,
    /// Reorder the stops (true) or keep the given order (false).
    pub optimise: bool,
}

/// A stop resolved to a place.
#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    /// Index in the request.
    pub index: usize,
    pub feature: Option<u32>,
    pub position: Coord,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Leg {
    /// Indices into the request's stops.
    pub from: usize,
    pub to: usize,
    pub distance_m: f64,
    pub duration_s: f64,
    /// Follows the network; when false, `straight` says why it is drawn straight.
    pub network: bool,
    pub straight: Option<Straight>,
    /// Of `distance_m`, the straight stretches joining stops to the network.
    pub connector_m: f64,
    pub geometry: Vec<Coord>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Stops in visiting order.
    pub order: Vec<Stop>,
    pub legs: Vec<Leg>,
    pub distance_m: f64,
    pub duration_s: f64,
    pub geometry: Vec<Coord>,
    /// Metres in Chongqing, Guizhou and outside both.
    pub chongqing_m: f64,
    pub guizhou_m: f64,
    pub other_province_m: f64,
    /// (county feature, metres), in order of first entry; `outside_counties_m` for the rest.
    pub counties: Vec<(u32, f64)>,
    pub outside_counties_m: f64,
    pub border_crossings: usize,
    /// (feature, distance in metres), nearest first.
    pub suggestions: Vec<(u32, f64)>,
}

/// What planning needs beside the data set, built once at load.
#[derive(Debug)]
pub struct Planner {
    pub graph: RoadGraph,
    counties: Areas,
    county_features: Vec<u32>,
}

impl Planner {
    pub fn new(ds: &Dataset) -> Planner {
        let county_features: Vec<u32> = (0..ds.features.len() as u32)
            .filter(|i| ds.layer_of(ds.feature(*i)).boundary == Some(Boundary::County))
            .collect();
        let counties = Areas::new(
            county_features
                .iter()
                .map(|i| ds.feature(*i).geometry.clone())
                .collect(),
        );
        Planner {
            graph: RoadGraph::from_dataset(ds),
            counties,
            county_features,
        }
    }

    /// Resolves the request's stops: feature ids to a point on their geometry.
    pub fn resolve(&self, ds: &Dataset, specs: &[StopSpec]) -> Result<Vec<Stop>, InvalidParameter> {
        specs
            .iter()
            .enumerate()
            .map(|(index, spec)| match spec {
                StopSpec::Position(c) => Ok(Stop {
                    index,
                    feature: None,
                    position: *c,
                }),
                StopSpec::Feature(id) => {
                    let i = ds.find(id).ok_or_else(|| {
                        InvalidParameter::new(
                            format!("stops[{index}]"),
                            format!("no feature with id {id:?}"),
                        )
                    })?;
                    let point = ds.feature(i).geometry_point().ok_or_else(|| {
                        InvalidParameter::new(
                            format!("stops[{index}]"),
                            format!("feature {id:?} has no geometry to visit"),
                        )
                    })?;
                    Ok(Stop {
                        index,
                        feature: Some(i),
                        position: point,
                    })
                }
            })
            .collect()
    }

    /// Plans `req`, looking at `deadline` in every long step (each shortest-path search, each
    /// row of the cost matrix, the ordering, each leg, the suggestions' corridor).
    pub fn plan(
        &self,
        ds: &Dataset,
        border: Option<&Border>,
        req: &PlanRequest,
        deadline: &Deadline,
    ) -> Result<Plan, PlanError> {
        let stops = self.resolve(ds, &req.stops)?;
        let n = stops.len();
        let network = req.paths == Paths::Network && !self.graph.is_empty();
        let snaps: Vec<Option<Snap>> = stops
            .iter()
            .map(|s| {
                if network {
                    self.graph.snap(s.position)
                } else {
                    None
                }
            })
            .collect();
        // One search per stop.
        let searches: Vec<Option<ShortestPaths>> = snaps
            .iter()
            .map(|s| {
                s.as_ref()
                    .map(|s| self.graph.dijkstra(s, deadline))
                    .transpose()
            })
            .collect::<Result<_, _>>()?;
        // Legs are symmetric (geodesics; shortest paths on an undirected network): price each
        // pair once.
        let mut cost = vec![vec![0.0; n]; n];
        for i in 0..n {
            deadline.check()?;
            for j in i + 1..n {
                let d = self.leg(&stops, &snaps, &searches, i, j, false).distance_m;
                cost[i][j] = d;
                cost[j][i] = d;
            }
        }
        let sequence: Vec<usize> = if req.optimise {
            best_order(
                &cost,
                Constraints {
                    roundtrip: req.roundtrip,
                    fixed_first: req.fixed_first,
                    fixed_last: req.fixed_last,
                },
                deadline,
            )?
        } else {
            (0..n).collect()
        };
        let mut pairs: Vec<(usize, usize)> = sequence.windows(2).map(|w| (w[0], w[1])).collect();
        if req.roundtrip && n > 1 {
            pairs.push((sequence[n - 1], sequence[0]));
        }
        let legs: Vec<Leg> = pairs
            .iter()
            .map(|&(i, j)| {
                deadline.check()?;
                Ok(self.leg(&stops, &snaps, &searches, i, j, true))
            })
            .collect::<Result<_, OverBudget>>()?;
        let mut geometry: Vec<Coord> = Vec::new();
        for leg in &legs {
            for c in &leg.geometry {
                if geometry.last() != Some(c) {
                    geometry.push(*c);
                }
            }
        }
        if geometry.is_empty() {
            geometry.push(stops[sequence[0]].position);
        }
        let distance_m = legs.iter().map(|l| l.distance_m).sum();
        let duration_s = legs.iter().map(|l| l.duration_s).sum();

        let (mut chongqing_m, mut guizhou_m, mut other_province_m, mut border_crossings) =
            (0.0, 0.0, path_length_m(&geometry), 0);
        deadline.check()?;
        if let Some(b) = border {
            let d = b.divide(std::slice::from_ref(&geometry));
            (chongqing_m, guizhou_m, other_province_m, border_crossings) =
                (d.chongqing_m, d.guizhou_m, d.other_m, d.crossings.len());
        }
        deadline.check()?;
        let mut counties: Vec<(u32, f64)> = Vec::new();
        let mut outside_counties_m = 0.0;
        for piece in self.counties.split(&geometry) {
            match piece.area {
                Some(a) => {
                    let f = self.county_features[a];
                    match counties.iter_mut().find(|c| c.0 == f) {
                        Some(c) => c.1 += piece.length_m,
                        None => counties.push((f, piece.length_m)),
                    }
                }
                None => outside_counties_m += piece.length_m,
            }
        }
        let order = sequence.iter().map(|i| stops[*i].clone()).collect();
        let suggestions =
            self.suggestions(ds, &geometry, &stops, req.suggest_within_m, deadline)?;
        Ok(Plan {
            order,
            legs,
            distance_m,
            duration_s,
            geometry,
            chongqing_m,
            guizhou_m,
            other_province_m,
            counties,
            outside_counties_m,
            border_crossings,
            suggestions,
        })
    }

    /// The leg from stop i to stop j; its geometry only when `with_geometry`.
    fn leg(
        &self,
        stops: &[Stop],
        snaps: &[Option<Snap>],
        searches: &[Option<ShortestPaths>],
        i: usize,
        j: usize,
        with_geometry: bool,
    ) -> Leg {
        let (a, b) = (stops[i].position, stops[j].position);
        let direct_m = distance_m(a, b);
        let straight = |why: Straight| {
            let d = direct_m;
            Leg {
                from: stops[i].index,
                to: stops[j].index,
                distance_m: d,
                duration_s: d * 3.6 / STRAIGHT_KMH,
                network: false,
                straight: Some(why),
                connector_m: 0.0,
                geometry: if with_geometry {
                    vec![a, b]
                } else {
                    Vec::new()
                },
            }
        };
        let (Some(si), Some(sj), Some(paths)) = (&snaps[i], &snaps[j], &searches[i]) else {
            return straight(Straight::Requested);
        };
        if direct_m <= si.connector_m + sj.connector_m {
            return straight(Straight::ShorterThanTheRoad);
        }
        // Through the nodes: arrive at j's edge by either end.
        let via = [(sj.a, sj.to_a_m), (sj.b, sj.to_b_m)]
            .into_iter()
            .map(|(node, tail_m)| (paths.dist[node as usize] + tail_m, Some(node), tail_m))
            .min_by(|x, y| x.0.total_cmp(&y.0));
        // Or along one shared edge, without leaving it.
        let same_edge =
            (si.a == sj.a && si.b == sj.b).then(|| ((si.to_a_m - sj.to_a_m).abs(), None, 0.0));
        let best = [via, same_edge]
            .into_iter()
            .flatten()
            .filter(|x| x.0.is_finite())
            .min_by(|x, y| x.0.total_cmp(&y.0));
        let Some((network_m, end_node, tail_m)) = best else {
            // No network path between them: drawn straight, and said so.
            return straight(Straight::NoNetworkPath);
        };
        let connector_m = si.connector_m + sj.connector_m;
        let mut duration_s = connector_m * 3.6 / STRAIGHT_KMH;
        let mut geometry = Vec::new();
        match end_node {
            None => {
                duration_s += network_m * si.pace_s_per_m;
                if with_geometry {
                    geometry = vec![a, si.point, sj.point, b];
                }
            }
            Some(end) => {
                let nodes = paths.path_to(end);
                let start = nodes[0];
                let head_m = if start == si.a { si.to_a_m } else { si.to_b_m };
                duration_s += head_m * si.pace_s_per_m + tail_m * sj.pace_s_per_m;
                duration_s += nodes
                    .windows(2)
                    .map(|w| self.graph.edge_duration_s(w[0], w[1]))
                    .sum::<f64>();
                if with_geometry {
                    geometry.push(a);
                    geometry.push(si.point);
                    geometry.extend(nodes.iter().map(|n| self.graph.nodes[*n as usize]));
                    geometry.push(sj.point);
                    geometry.push(b);
                }
            }
        }
        geometry.dedup();
        Leg {
            from: stops[i].index,
            to: stops[j].index,
            distance_m: connector_m + network_m,
            duration_s,
            network: true,
            straight: None,
            connector_m,
            geometry,
        }
    }

    fn suggestions(
        &self,
        ds: &Dataset,
        geometry: &[Coord],
        stops: &[Stop],
        within_m: f64,
        deadline: &Deadline,
    ) -> Result<Vec<(u32, f64)>, OverBudget> {
        let layers: Vec<usize> = SUGGESTION_LAYERS
            .iter()
            .filter_map(|l| ds.layer_index(l))
            .collect();
        if layers.is_empty() || geometry.len() < 2 || within_m <= 0.0 {
            return Ok(Vec::new());
        }
        let Ok(line) = QueryLine::new(&[LineString(geometry.to_vec())]) else {
            return Ok(Vec::new());
        };
        let filter = Filter {
            layers,
            ..Filter::default()
        };
        let mut found: Vec<(u32, f64)> = corridor(ds, &line, within_m, &filter, None, deadline)?
            .into_iter()
            .filter(|a| !stops.iter().any(|s| s.feature == Some(a.feature)))
            .map(|a| (a.feature, a.distance_m))
            .collect();
        found.sort_by(|x, y| {
            x.1.total_cmp(&y.1)
                .then_with(|| ds.feature(x.0).id().cmp(ds.feature(y.0).id()))
        });
        Ok(found)
    }
}
