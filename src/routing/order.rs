//! The order to visit stops in: exact by Held–Karp dynamic programming up to
//! [`EXACT_MAX_STOPS`], a deterministic heuristic beyond (farthest insertion, then 2-opt and
//! or-opt, then iterated local search with seeded double-bridge kicks).
//!
//! Costs are a matrix `cost[i][j]` (metres from stop i to stop j). A route is a sequence of stop
//! indices; a round trip also returns from the last to the first.

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

/// The best order under `c`: exact for ≤ [`EXACT_MAX_STOPS`] stops, heuristic beyond.
pub fn best_order(cost: &[Vec<f64>], c: Constraints) -> Vec<usize> {
    let n = cost.len();
    if n <= 2 {
        return (0..n).collect();
    }
    // A round trip is the same loop from wherever it starts: start at stop 0.
    let c = Constraints { fixed_first: c.fixed_first || c.roundtrip, ..c };
    if n <= EXACT_MAX_STOPS { held_karp(cost, c) } else { heuristic(cost, c) }
}

/// Held–Karp: `best[mask][j]` is the cheapest path that starts at an allowed first stop, visits
/// exactly the stops in `mask` and ends at `j`. O(2ⁿ·n²).
pub fn held_karp(cost: &[Vec<f64>], c: Constraints) -> Vec<usize> {
    let n = cost.len();
    let last = n - 1;
    let full = (1usize << n) - 1;
    let mut best = vec![f64::INFINITY; (1 << n) * n];
    let mut parent = vec![usize::MAX; (1 << n) * n];
    let at = |mask: usize, j: usize| mask * n + j;
    for j in 0..n {
        let allowed = if c.fixed_first { j == 0 } else { !(c.fixed_last && j == last && n > 1) };
        if allowed {
            best[at(1 << j, j)] = 0.0;
        }
    }
    for mask in 1..=full {
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
    route
}

/// Farthest insertion, then local search (2-opt, or-opt), then iterated local search with
/// double-bridge kicks from a fixed seed: the same input always gives the same answer.
pub fn heuristic(cost: &[Vec<f64>], c: Constraints) -> Vec<usize> {
    let n = cost.len();
    let mut route = farthest_insertion(cost, c);
    let (lo, hi) = movable_range(n, c);
    local_search(cost, &mut route, c.roundtrip, lo, hi);
    let mut best_cost = route_cost(cost, &route, c.roundtrip);
    let mut best = route.clone();
    if hi - lo >= 8 {
        let mut rng = SplitMix(0x5EED_1234_ABCD_0001);
        let kicks = (20_000 / n).clamp(50, 400);
        for _ in 0..kicks {
            let mut trial = best.clone();
            double_bridge(&mut trial[lo..hi], &mut rng);
            local_search(cost, &mut trial, c.roundtrip, lo, hi);
            let d = route_cost(cost, &trial, c.roundtrip);
            if d < best_cost - 1e-9 {
                best_cost = d;
                best = trial;
            }
        }
    }
    best
}

/// Positions `lo..hi` of the route may be rearranged; the others are fixed.
fn movable_range(n: usize, c: Constraints) -> (usize, usize) {
    (usize::from(c.fixed_first), n - usize::from(c.fixed_last))
}

fn farthest_insertion(cost: &[Vec<f64>], c: Constraints) -> Vec<usize> {
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
    let mut nearest: Vec<f64> = (0..n).map(|k| route.iter().map(|&r| sym(k, r)).fold(f64::INFINITY, f64::min)).collect();
    while route.len() < n {
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
            let before = if pos > 0 { Some(route[pos - 1]) } else if c.roundtrip { route.last().copied() } else { None };
            let after = if pos < route.len() { Some(route[pos]) } else if c.roundtrip { route.first().copied() } else { None };
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
    route
}

/// 2-opt and or-opt moves inside `lo..hi` until none improves (first improvement, in a fixed
/// scan order). Moves are priced in O(1) from the edges they change, which assumes symmetric
/// costs (true of geodesics and of shortest paths on an undirected network).
pub fn local_search(cost: &[Vec<f64>], route: &mut Vec<usize>, roundtrip: bool, lo: usize, hi: usize) {
    const EPS: f64 = 1e-9;
    let n = route.len();
    let c = |a: Option<usize>, b: Option<usize>| match (a, b) {
        (Some(a), Some(b)) => cost[a][b],
        _ => 0.0,
    };
    loop {
        let mut improved = false;
        // 2-opt: reverse route[i..=j].
        for i in lo..hi {
            for j in i + 1..hi {
                let p = neighbour_before(route, i, roundtrip);
                let q = neighbour_after(route, j, roundtrip);
                let (ri, rj) = (Some(route[i]), Some(route[j]));
                let delta = c(p, rj) + c(ri, q) - c(p, ri) - c(rj, q);
                if delta < -EPS {
                    route[i..=j].reverse();
                    improved = true;
                }
            }
        }
        // or-opt: move a run of 1–3 stops elsewhere, either way round.
        for len in 1..=3usize {
            let mut i = lo;
            while i + len <= hi {
                let (first, last) = (route[i], route[i + len - 1]);
                let p = neighbour_before(route, i, roundtrip);
                let q = neighbour_after(route, i + len - 1, roundtrip);
                let gain = c(p, Some(first)) + c(Some(last), q) - c(p, q);
                // The route without the run: rest[k].
                let rest = |k: usize| if k < i { route[k] } else { route[k + len] };
                let m = n - len;
                let mut best: Option<(f64, usize, bool)> = None;
                for pos in lo..=(hi - len) {
                    if pos == i {
                        continue;
                    }
                    let u = if pos > 0 { Some(rest(pos - 1)) } else if roundtrip { Some(rest(m - 1)) } else { None };
                    let v = if pos < m { Some(rest(pos)) } else if roundtrip { Some(rest(0)) } else { None };
                    for reversed in [false, true] {
                        let (s1, s2) = if reversed { (last, first) } else { (first, last) };
                        let delta = c(u, Some(s1)) + c(Some(s2), v) - c(u, v) - gain;
                        if delta < -EPS && best.is_none_or(|b| delta < b.0) {
                            best = Some((delta, pos, reversed));
                        }
                    }
                }
                if let Some((_, pos, reversed)) = best {
                    let mut run: Vec<usize> = route.drain(i..i + len).collect();
                    if reversed {
                        run.reverse();
                    }
                    route.splice(pos..pos, run);
                    improved = true;
                }
                i += 1;
            }
        }
        if !improved {
            return;
        }
    }
}

fn neighbour_before(route: &[usize], i: usize, roundtrip: bool) -> Option<usize> {
    if i > 0 {
        Some(route[i - 1])
    } else if roundtrip {
        route.last().copied()
    } else {
        None
    }
}

fn neighbour_after(route: &[usize], j: usize, roundtrip: bool) -> Option<usize> {
    if j + 1 < route.len() {
        Some(route[j + 1])
    } else if roundtrip {
        route.first().copied()
    } else {
        None
    }
}

/// Cuts the slice into four pieces A B C D and rejoins them as A C B D.
fn double_bridge(s: &mut [usize], rng: &mut SplitMix) {
    let n = s.len();
    let mut cuts = [1 + rng.below(n - 3), 1 + rng.below(n - 3), 1 + rng.below(n - 3)];
    cuts.sort_unstable();
    let (a, b, c) = (cuts[0], cuts[1].max(cuts[0] + 1), cuts[2].max(cuts[1].max(cuts[0] + 1) + 1).min(n - 1));
    if !(a < b && b < c && c < n) {
        return;
    }
    let joined: Vec<usize> = s[..a].iter().chain(&s[b..c]).chain(&s[a..b]).chain(&s[c..]).copied().collect();
    s.copy_from_slice(&joined);
}

/// A small, seeded random number generator (SplitMix64), so the heuristic is deterministic.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_costs(xs: &[f64]) -> Vec<Vec<f64>> {
        xs.iter().map(|a| xs.iter().map(|b| (a - b).abs()).collect()).collect()
    }

    #[test]
    fn held_karp_orders_points_on_a_line() {
        let cost = line_costs(&[0.0, 5.0, 1.0, 4.0, 2.0, 3.0]);
        let c = Constraints { roundtrip: false, fixed_first: true, fixed_last: false };
        let r = held_karp(&cost, c);
        assert_eq!(r, vec![0, 2, 4, 5, 3, 1]);
        assert_eq!(route_cost(&cost, &r, false), 5.0);
    }

    #[test]
    fn fixed_last_stays_last() {
        let cost = line_costs(&[0.0, 5.0, 1.0, 4.0, 2.0, 3.0]);
        let c = Constraints { roundtrip: false, fixed_first: true, fixed_last: true };
        let r = held_karp(&cost, c);
        assert_eq!((r[0], r[5]), (0, 5));
        let h = heuristic(&cost, c);
        assert_eq!((h[0], h[5]), (0, 5));
        assert_eq!(route_cost(&cost, &h, false), route_cost(&cost, &r, false));
    }
}
