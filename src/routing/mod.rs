//! Route loops for tourism staff: the order to visit stops in and the paths between them.
//!
//! | module | what |
//! |---|---|
//! | [`graph`] | the road network: nodes at shared vertices and crossings, snapping, Dijkstra |
//! | [`order`] | stop order: Held–Karp up to 12 stops, a deterministic heuristic beyond |
//! | [`plan`] | a whole plan: stops, cost matrix, legs, provinces, counties, suggestions |

pub mod graph;
pub mod order;
pub mod plan;
mod tour;
