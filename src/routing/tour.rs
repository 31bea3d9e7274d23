//! Iterated local search for a closed tour under symmetric costs: 2-opt and or-opt moves
//! restricted to each city's nearest neighbours, with don't-look bits, and seeded double-bridge
//! kicks. Deterministic: the same matrix always gives the same tour.

// Cost matrices read best indexed by stop number.
#![allow(clippy::needless_range_loop)]

use crate::work::{Deadline, OverBudget};
use std::collections::VecDeque;

/// Neighbours considered per city.
const NEIGHBOURS: usize = 10;
const EPS: f64 = 1e-7;

struct Tour<'a> {
    cost: &'a [Vec<f64>],
    order: Vec<usize>,
    pos: Vec<usize>,
}

impl Tour<'_> {
    fn n(&self) -> usize {
        self.order.len()
    }
    fn succ(&self, c: usize) -> usize {
        self.order[(self.pos[c] + 1) % self.n()]
    }
    fn pred(&self, c: usize) -> usize {
        self.order[(self.pos[c] + self.n() - 1) % self.n()]
    }
    fn d(&self, a: usize, b: usize) -> f64 {
        self.cost[a][b]
    }
    fn length(&self) -> f64 {
        (0..self.n())
            .map(|i| self.d(self.order[i], self.order[(i + 1) % self.n()]))
            .sum()
    }
    /// Reverses the stretch from city `from` forward to city `to` (or, equivalently for a
    /// symmetric tour, the rest of the tour when that is shorter).
    fn reverse(&mut self, from: usize, to: usize) {
        let n = self.n();
        let (mut i, mut j) = (self.pos[from], self.pos[to]);
        let len = (j + n - i) % n + 1;
        if 2 * len > n {
            (i, j) = ((j + 1) % n, (i + n - 1) % n);
        }
        // Swap pairs from both ends of the stretch towards its middle.
        let stretch = (j + n - i) % n + 1;
        let steps = stretch / 2;
        for _ in 0..steps {
            self.order.swap(i, j);
            self.pos[self.order[i]] = i;
            self.pos[self.order[j]] = j;
            i = (i + 1) % n;
            j = (j + n - 1) % n;
        }
    }
    /// Moves the stretch `first..=last` (forward) to between `c` and `e` (adjacent, outside it),
    /// with `first` next to `c` unless `reversed`.
    fn move_segment(&mut self, first: usize, last: usize, c: usize, e: usize, reversed: bool) {
        let n = self.n();
        let mut seg = Vec::new();
        let mut x = first;
        loop {
            seg.push(x);
            if x == last {
                break;
            }
            x = self.succ(x);
        }
        let rest: Vec<usize> = (0..n)
            .map(|k| self.order[(self.pos[last] + 1 + k) % n])
            .take(n - seg.len())
            .collect();
        if reversed {
            seg.reverse();
        }
        let mut order = Vec::with_capacity(n);
        for &r in &rest {
            order.push(r);
            if (r == c && self.succ_in(&rest, r) == e) || (r == e && self.succ_in(&rest, r) == c) {
                // Insert so that the segment's start touches c.
                if r == c {
                    order.extend(&seg);
                } else {
                    order.extend(seg.iter().rev());
                }
            }
        }
        self.order = order;
        for (k, &city) in self.order.iter().enumerate() {
            self.pos[city] = k;
        }
    }
    fn succ_in(&self, rest: &[usize], r: usize) -> usize {
        let k = rest.iter().position(|x| *x == r).expect("r is in rest");
        rest[(k + 1) % rest.len()]
    }

    /// Local search from the cities in `queue` until no move improves.
    fn optimise(
        &mut self,
        neighbours: &[Vec<usize>],
        queue: &mut VecDeque<usize>,
        queued: &mut [bool],
    ) {
        while let Some(a) = queue.pop_front() {
            queued[a] = false;
            if let Some(touched) = self.improve_city(a, neighbours) {
                for t in touched {
                    if !queued[t] {
                        queued[t] = true;
                        queue.push_back(t);
                    }
                }
            }
        }
    }

    /// Tries 2-opt then or-opt moves around `a`; applies the first that improves and returns the
    /// cities whose neighbourhood changed.
    fn improve_city(&mut self, a: usize, neighbours: &[Vec<usize>]) -> Option<Vec<usize>> {
        // 2-opt, successor side: remove (a, b), (c, d); add (a, c), (b, d).
        for succ_side in [true, false] {
            let b = if succ_side {
                self.succ(a)
            } else {
                self.pred(a)
            };
            let ab = self.d(a, b);
            for &c in &neighbours[a] {
                let ac = self.d(a, c);
                if ac >= ab {
                    break;
                }
                let dd = if succ_side {
                    self.succ(c)
                } else {
                    self.pred(c)
                };
                if c == b || dd == a {
                    continue;
                }
                let delta = ac + self.d(b, dd) - ab - self.d(c, dd);
                if delta < -EPS {
                    #[cfg(debug_assertions)]
                    let before = self.length();
                    if succ_side {
                        self.reverse(b, c);
                    } else {
                        self.reverse(c, b);
                    }
                    #[cfg(debug_assertions)]
                    debug_assert!(
                        (self.length() - (before + delta)).abs() < 1e-3,
                        "2-opt delta {delta} but {} -> {}",
                        before,
                        self.length()
                    );
                    return Some(vec![a, b, c, dd]);
                }
            }
        }
        // or-opt: the run of 1–3 cities starting at a, next to a neighbour of either end.
        let n = self.n();
        for len in 1..=3usize.min(n.saturating_sub(3)) {
            let first = a;
            let mut last = a;
            for _ in 1..len {
                last = self.succ(last);
            }
            let (p, q) = (self.pred(first), self.succ(last));
            if p == last || q == first {
                continue;
            }
            let gain = self.d(p, first) + self.d(last, q) - self.d(p, q);
            let in_run = |t: &Tour<'_>, x: usize| (t.pos[x] + n - t.pos[first]) % n < len;
            for &end in &[first, last] {
                for &c in &neighbours[end] {
                    if in_run(self, c) {
                        continue;
                    }
                    for e in [self.succ(c), self.pred(c)] {
                        if in_run(self, e) {
                            continue;
                        }
                        // Inserting between c and e with `end` next to c.
                        let other = if end == first { last } else { first };
                        let delta = self.d(c, end) + self.d(other, e) - self.d(c, e) - gain;
                        if delta < -EPS {
                            let reversed = end != first;
                            #[cfg(debug_assertions)]
                            let before = self.length();
                            // move_segment puts `first` next to c unless reversed.
                            self.move_segment(first, last, c, e, reversed);
                            #[cfg(debug_assertions)]
                            debug_assert!(
                                (self.length() - (before + delta)).abs() < 1e-3,
                                "or-opt delta {delta} but {} -> {}",
                                before,
                                self.length()
                            );
                            return Some(vec![p, q, c, e, first, last]);
                        }
                    }
                }
            }
        }
        None
    }
}

/// A seeded SplitMix64.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

fn nearest_neighbours(cost: &[Vec<f64>]) -> Vec<Vec<usize>> {
    let n = cost.len();
    (0..n)
        .map(|i| {
            let mut others: Vec<usize> = (0..n).filter(|j| *j != i).collect();
            others.sort_by(|a, b| cost[i][*a].total_cmp(&cost[i][*b]).then(a.cmp(b)));
            others.truncate(NEIGHBOURS);
            others
        })
        .collect()
}

/// Improves a closed tour (a cyclic order of all cities) by iterated local search with `kicks`
/// double-bridge perturbations; returns the best tour found, or [`OverBudget`] once `deadline`
/// has passed (looked at after each local search: one costs tens of microseconds).
pub fn improve(
    cost: &[Vec<f64>],
    start: Vec<usize>,
    kicks: usize,
    seed: u64,
    deadline: &Deadline,
) -> Result<Vec<usize>, OverBudget> {
    let n = start.len();
    if n < 5 {
        return Ok(start);
    }
    let neighbours = nearest_neighbours(cost);
    let mut pos = vec![0; n];
    for (k, &c) in start.iter().enumerate() {
        pos[c] = k;
    }
    let mut tour = Tour {
        cost,
        order: start,
        pos,
    };
    let mut queue: VecDeque<usize> = (0..n).collect();
    let mut queued = vec![true; n];
    tour.optimise(&neighbours, &mut queue, &mut queued);
    let mut best = tour.order.clone();
    let mut best_len = tour.length();
    let mut rng = SplitMix(seed);
    if n < 8 {
        return Ok(best);
    }
    for _ in 0..kicks {
        deadline.check()?;
        // Double bridge on a stretch of the current best: A B C D -> A C B D.
        let mut order = best.clone();
        let offset = rng.below(n);
        order.rotate_left(offset);
        let window = n.min(50);
        let mut cuts = [
            1 + rng.below(window - 1),
            1 + rng.below(window - 1),
            1 + rng.below(window - 1),
        ];
        cuts.sort_unstable();
        let [i, j, k] = cuts;
        if !(i < j && j < k) {
            continue;
        }
        let kicked: Vec<usize> = order[..i]
            .iter()
            .chain(&order[j..k])
            .chain(&order[i..j])
            .chain(&order[k..])
            .copied()
            .collect();
        for (p, &c) in kicked.iter().enumerate() {
            tour.pos[c] = p;
        }
        tour.order = kicked;
        for &p in &[0, i - 1, i, j - 1, j, k - 1, k % n, n - 1] {
            let c = tour.order[p];
            if !queued[c] {
                queued[c] = true;
                queue.push_back(c);
            }
        }
        tour.optimise(&neighbours, &mut queue, &mut queued);
        let len = tour.length();
        if len < best_len - EPS {
            best_len = len;
            best = tour.order.clone();
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn improvement_never_makes_a_tour_longer_and_keeps_every_city() {
        let mut rng = SplitMix(3);
        let pts: Vec<(f64, f64)> = (0..60)
            .map(|_| (rng.below(1000) as f64, rng.below(1000) as f64))
            .collect();
        let cost: Vec<Vec<f64>> = pts
            .iter()
            .map(|a| {
                pts.iter()
                    .map(|b| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt())
                    .collect()
            })
            .collect();
        let start: Vec<usize> = (0..60).collect();
        let len = |t: &[usize]| {
            (0..t.len())
                .map(|i| cost[t[i]][t[(i + 1) % t.len()]])
                .sum::<f64>()
        };
        let better = improve(&cost, start.clone(), 200, 1, &Deadline::NONE).unwrap();
        assert!(len(&better) < len(&start));
        let mut sorted = better.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, start);
        assert_eq!(
            improve(&cost, start, 200, 1, &Deadline::NONE).unwrap(),
            better,
            "deterministic"
        );
    }
}
