//! The features nearest to a point, ranked by exact geodesic distance.
//!
//! The R-tree is walked best-first by a lower bound of the distance to each envelope (see
//! [`Dataset::by_lower_bound`]); a feature's exact distance is computed only when its bound
//! comes up, and a feature is reported only once no bound still pending could beat it. So the
//! order is the exact geodesic order (ties broken by id), not the order of a lon/lat tree.

use super::{Filter, measure};
use crate::geodesy::Closest;
use crate::index::Dataset;
use crate::work::{Deadline, OverBudget};
use geo::Coord;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Upper limit of `k`.
pub const MAX_K: usize = 1000;
/// Upper limit of `radius_m` (1000 km).
pub const MAX_RADIUS_M: f64 = 1_000_000.0;
/// Most features a radius-only query returns; `matched` still counts them all.
pub const MAX_RESULTS: usize = 10_000;
/// `k` when neither `k` nor `radius_m` is given.
pub const DEFAULT_K: usize = 10;

/// Candidates measured between two looks at the clock: each costs microseconds (an exact
/// distance), so the deadline is seen within a fraction of a millisecond.
const CANDIDATES_PER_CHECK: usize = 64;

/// A ranked result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub feature: u32,
    pub closest: Closest,
}

/// The answer: hits in order, and how many features matched in all (more than returned only when
/// a radius-only query hit [`MAX_RESULTS`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Nearby {
    pub hits: Vec<Hit>,
    pub matched: usize,
}

/// The `k` nearest features, or all within `radius_m`, or the `k` nearest within `radius_m`.
/// With neither, `k` = [`DEFAULT_K`]. Callers validate `k` ≤ [`MAX_K`] and the radius.
/// Stops with [`OverBudget`] once `deadline` has passed.
pub fn nearby(
    ds: &Dataset,
    p: Coord,
    k: Option<usize>,
    radius_m: Option<f64>,
    filter: &Filter,
    deadline: &Deadline,
) -> Result<Nearby, OverBudget> {
    let max_m = radius_m.unwrap_or(f64::INFINITY);
    let k = match (k, radius_m) {
        (Some(k), _) => k,
        (None, Some(_)) => usize::MAX,
        (None, None) => DEFAULT_K,
    };
    let mut hits = Vec::new();
    let mut matched = 0;
    if k == 0 {
        return Ok(Nearby { hits, matched });
    }
    // Exact distances waiting until no lower bound can undercut them.
    // The k smallest exact distances seen so far (largest on top).
    let mut best_k: BinaryHeap<Metres> = BinaryHeap::new();
    let mut ready: BinaryHeap<Ready<'_>> = BinaryHeap::new();
    let emit = |r: Ready<'_>, hits: &mut Vec<Hit>, matched: &mut usize| {
        *matched += 1;
        if hits.len() < MAX_RESULTS {
            hits.push(Hit {
                feature: r.feature,
                closest: r.closest,
            });
        }
    };
    for (step, (i, bound_m)) in ds.by_lower_bound(p, max_m).enumerate() {
        if step.is_multiple_of(CANDIDATES_PER_CHECK) {
            deadline.check()?;
        }
        while ready.peek().is_some_and(|r| r.closest.distance_m < bound_m) {
            let r = ready.pop().expect("peeked");
            emit(r, &mut hits, &mut matched);
            if matched == k {
                return Ok(Nearby { hits, matched });
            }
        }
        let f = ds.feature(i);
        if !filter.matches(f) {
            continue;
        }
        // Nothing farther than the k-th nearest found so far can be among the k nearest.
        let cutoff_m = match best_k.peek() {
            Some(kth) if best_k.len() == k => kth.0.min(max_m),
            _ => max_m,
        };
        if let Some(closest) = measure::closest_within(p, &f.geometry, cutoff_m) {
            if k != usize::MAX {
                best_k.push(Metres(closest.distance_m));
                if best_k.len() > k {
                    best_k.pop();
                }
            }
            ready.push(Ready {
                feature: i,
                id: f.id(),
                closest,
            });
        }
    }
    while let Some(r) = ready.pop() {
        emit(r, &mut hits, &mut matched);
        if matched == k {
            break;
        }
    }
    Ok(Nearby { hits, matched })
}

/// Metres ordered by `total_cmp`, for a max-heap.
#[derive(Debug, PartialEq)]
struct Metres(f64);
impl Eq for Metres {}
impl PartialOrd for Metres {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Metres {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

struct Ready<'a> {
    feature: u32,
    id: &'a str,
    closest: Closest,
}

impl PartialEq for Ready<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Ready<'_> {}
impl PartialOrd for Ready<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ready<'_> {
    /// Reversed: the heap pops the nearest first, ties by id.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .closest
            .distance_m
            .total_cmp(&self.closest.distance_m)
            .then_with(|| other.id.cmp(self.id))
    }
}
