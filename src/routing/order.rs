//! The order to visit stops in: exact by Held–Karp dynamic programming up to
//! [`EXACT_MAX_STOPS`], a deterministic heuristic beyond (farthest insertion, then iterated
//! local search: 2-opt and or-opt on nearest neighbours with seeded double-bridge kicks).
//!
//! Costs are a matrix `cost[i][j]` (metres from stop i to stop j). A route is a sequence of stop
//! indices; a round trip also returns from the last to the first.

// Cost matrices read best indexed by stop number.
#![allow(clippy::needless_range_loop)]

use crate::work::{Deadline, OverBudget};

/// Largest number of stops ordered exactly.
pub const EXACT_MAX_STOPS: usize = 12;

/// What may move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constraints {
    pub roundtrip: bool,
    /// Stop 0 comes first.
    pub fixed_first: bool,
    /// The last stop of the request comes last (in a round trip: last before returning).
    pub fixed_last: bool,
}

/// Total cost of a route.
pub fn route_cost(cost: &[Vec<f64>], route: &[usize], roundtrip: bool) -> f64 {
    let mut total: f64 = route.windows(2).map(|w| cost[w[0]][w[1]]).sum();
    if roundtrip && route.len() > 1 {
        total += cost[route[route.len() - 1]][route[0]];
    }
    total
}

/// Subsets of Held–Karp extended between two looks at the clock (each costs n² additions: a
/// few hundred nanoseconds at 12 stops).
const MASKS_PER_CHECK: usize = 256;

/// The best order under `c`: exact for ≤ [`EXACT_MAX_STOPS`] stops, heuristic beyond;
/// [`OverBudget`] once `deadline` has passed.
pub fn best_order(
    cost: &[Vec<f64>],
    c: Constraints,
    deadline: &Deadline,
) -> Result<Vec<usize>, OverBudget> {
    let n = cost.len();
    if n <= 2 {
        return Ok((0..n).collect());
    }
    // A round trip is the same loop from wherever it starts: start at stop 0.
    let c = Constraints {
        fixed_first: c.fixed_first || c.roundtrip,
        ..c
    };
    if n <= EXACT_MAX_STOPS {
        held_karp(cost, c, deadline)
    } else {
        heuristic(cost, c, deadline)
    }
}

/// Held–Karp: `best[mask][j]` is the cheapest path that starts at an allowed first stop, visits
/// exactly the stops in `mask` and ends at `j`. O(2ⁿ·n²).
pub fn held_karp(
    cost: &[Vec<f64>],
    c: Constraints,
    deadline: &Deadline,
) -> Result<Vec<usize>, OverBudget> {
    let n = cost.len();
    let last = n - 1;
    let full = (1usize << n) - 1;
    let mut best = vec![f64::INFINITY; (1 << n) * n];
    let mut parent = vec![usize::MAX; (1 << n) * n];
    let at = |mask: usize, j: usize| mask * n + j;
    for j in 0..n {
        let allowed = if c.fixed_first {
            j == 0
        } else {
            !(c.fixed_last && j == last && n > 1)
        };
        if allowed {
            best[at(1 << j, j)] = 0.0;
        }
    }
    for mask in 1..=full {
        if mask.is_multiple_of(MASKS_PER_CHECK) {
            deadline.check()?;
        }
        for j in 0..n {
            let here = best[at(mask, j)];
            if mask & (1 << j) == 0 || here == f64::INFINITY {
                continue;
            }
            for k in 0..n {
                if mask & (1 << k) != 0 {
                    continue;
                }
                let next = mask | (1 << k);
                // The fixed last stop may only be added last.
                if c.fixed_last && k == last && next != full {
                    continue;
                }
                let d = here + cost[j][k];
                if d < best[at(next, k)] {
                    best[at(next, k)] = d;
                    parent[at(next, k)] = j;
                }
            }
        }
    }
    let mut end = usize::MAX;
    let mut end_cost = f64::INFINITY;
    for j in 0..n {
        if c.fixed_last && j != last {
            continue;
        }
        let d = best[at(full, j)] + if c.roundtrip { cost[j][0] } else { 0.0 };
        if d < end_cost {
            end_cost = d;
            end = j;
        }
    }
    let mut route = Vec::with_capacity(n);
    let (mut mask, mut j) = (full, end);
    while j != usize::MAX {
        route.push(j);
        let p = parent[at(mask, j)];
        mask &= !(1 << j);
        j = p;
    }
    route.reverse();
    Ok(route)
}

/// Farthest insertion, then iterated local search ([`tour::improve`]: 2-opt and or-opt on
/// nearest neighbours, double-bridge kicks from a fixed seed): the same input always gives the
/// same answer. Open routes and fixed ends become a closed tour through one extra "dummy" stop
/// whose costs make every valid route cost the same constant and every invalid one more.
pub fn heuristic(
    cost: &[Vec<f64>],
    c: Constraints,
    deadline: &Deadline,
) -> Result<Vec<usize>, OverBudget> {
    let n = cost.len();
    let sym: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| (cost[i][j] + cost[j][i]) / 2.0).collect())
        .collect();
    let last = n - 1;
    let needs_dummy = !c.roundtrip || c.fixed_last;
    let ext = if needs_dummy {
        let big = 1.0 + 10.0 * sym.iter().flatten().fold(0.0f64, |m, x| m.max(*x)) * n as f64;
        let mut ext: Vec<Vec<f64>> = sym
            .iter()
            .map(|row| row.iter().copied().chain([0.0]).collect())
            .collect();
        ext.push(vec![0.0; n + 1]);
        for x in 0..n {
            let d = if c.roundtrip {
                // Between the fixed last stop and the first: the closing leg's cost, else barred.
                match x {
                    0 => 0.0,
                    _ if x == last => sym[last][0],
                    _ => big,
                }
            } else {
                let wanted = (c.fixed_first && x == 0) || (c.fixed_last && x == last);
                let any_end = !c.fixed_first && !c.fixed_last;
                if wanted || any_end { 0.0 } else { big }
            };
            ext[x][n] = d;
            ext[n][x] = d;
        }
        ext
    } else {
        sym
    };
    let closed = Constraints {
        roundtrip: true,
        fixed_first: false,
        fixed_last: false,
    };
    let start = farthest_insertion(&ext, closed, deadline)?;
    // About 20 ms on this project's 2-core machine at any size up to the cap.
    let kicks = (40_000 / n).clamp(300, 1_000);
    let mut tour = super::tour::improve(&ext, start, kicks, 0x5EED_1234_ABCD_0001, deadline)?;
    let anchor = if needs_dummy { n } else { 0 };
    let at = tour
        .iter()
        .position(|x| *x == anchor)
        .expect("every stop is in the tour");
    tour.rotate_left(at);
    if needs_dummy {
        tour.remove(0);
    }
    if (c.fixed_first || c.roundtrip) && tour[0] != 0 {
        tour.reverse();
    }
    if c.fixed_last && !c.roundtrip && tour[last] != last {
        tour.reverse();
    }
    let valid =
        (!(c.fixed_first || c.roundtrip) || tour[0] == 0) && (!c.fixed_last || tour[last] == last);
    if valid {
        Ok(tour)
    } else {
        farthest_insertion(cost, c, deadline)
    }
}

/// Looks at the clock once per stop inserted (each costs O(n) insertion tries).
fn farthest_insertion(
    cost: &[Vec<f64>],
    c: Constraints,
    deadline: &Deadline,
) -> Result<Vec<usize>, OverBudget> {
    let n = cost.len();
    let sym = |a: usize, b: usize| cost[a][b].min(cost[b][a]);
    let mut route: Vec<usize> = Vec::new();
    if c.fixed_first {
        route.push(0);
    }
    if c.fixed_last {
        route.push(n - 1);
    }
    let mut in_route = vec![false; n];
    for &s in &route {
        in_route[s] = true;
    }
    if route.is_empty() {
        route.push(0);
        in_route[0] = true;
    }
    let mut nearest: Vec<f64> = (0..n)
        .map(|k| {
            route
                .iter()
                .map(|&r| sym(k, r))
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    while route.len() < n {
        deadline.check()?;
        // The stop farthest from the route (lowest index on ties).
        let k = (0..n)
            .filter(|k| !in_route[*k])
            .max_by(|a, b| nearest[*a].total_cmp(&nearest[*b]).then(b.cmp(a)))
            .expect("some stop is not yet in the route");
        // Cheapest place for it that keeps fixed ends in place.
        let first_slot = usize::from(c.fixed_first);
        let last_slot = route.len() - usize::from(c.fixed_last);
        let mut best = (f64::INFINITY, first_slot);
        for pos in first_slot..=last_slot {
            let before = if pos > 0 {
                Some(route[pos - 1])
            } else if c.roundtrip {
                route.last().copied()
            } else {
                None
            };
            let after = if pos < route.len() {
                Some(route[pos])
            } else if c.roundtrip {
                route.first().copied()
            } else {
                None
            };
            let added = before.map_or(0.0, |b| cost[b][k]) + after.map_or(0.0, |a| cost[k][a])
                - match (before, after) {
                    (Some(b), Some(a)) => cost[b][a],
                    _ => 0.0,
                };
            if added < best.0 {
                best = (added, pos);
            }
        }
        route.insert(best.1, k);
        in_route[k] = true;
        for j in 0..n {
            nearest[j] = nearest[j].min(sym(j, k));
        }
    }
    Ok(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_costs(xs: &[f64]) -> Vec<Vec<f64>> {
        xs.iter()
            .map(|a| xs.iter().map(|b| (a - b).abs()).collect())
            .collect()
    }

    #[test]
    fn held_karp_orders_points_on_a_line() {
        let cost = line_costs(&[0.0, 5.0, 1.0, 4.0, 2.0, 3.0]);
        let c = Constraints {
            roundtrip: false,
            fixed_first: true,
            fixed_last: false,
        };
        let r = held_karp(&cost, c, &Deadline::NONE).unwrap();
        assert_eq!(r, vec![0, 2, 4, 5, 3, 1]);
        assert_eq!(route_cost(&cost, &r, false), 5.0);
    }

    #[test]
    fn fixed_last_stays_last() {
        let cost = line_costs(&[0.0, 5.0, 1.0, 4.0, 2.0, 3.0]);
        let c = Constraints {
            roundtrip: false,
            fixed_first: true,
            fixed_last: true,
        };
        let r = held_karp(&cost, c, &Deadline::NONE).unwrap();
        assert_eq!((r[0], r[5]), (0, 5));
        let h = heuristic(&cost, c, &Deadline::NONE).unwrap();
        assert_eq!((h[0], h[5]), (0, 5));
        assert_eq!(route_cost(&cost, &h, false), route_cost(&cost, &r, false));
    }
}
