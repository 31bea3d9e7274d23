//! Simplifying clipped geometry with a tolerance in tile units, then snapping it to the
//! integer grid of the tile and keeping what is left valid.
//!
//! Simplification is Douglas–Peucker, geo's [`Simplify`], run in tile coordinates, so the
//! tolerance is the same fraction of a tile (and so of the screen) at every zoom. Snapping
//! rounds to the nearest grid position and drops repeated positions; a ring left with fewer than
//! three distinct positions or no area is dropped, and each ring is turned to the winding
//! MVT 2.1 asks for: exterior rings with a positive surveyor's-formula area in tile coordinates
//! (y down, so they look clockwise on screen), interior rings negative.

use geo::{Coord, LineString, Simplify};

/// A position on the tile's integer grid (0..4096 inside the tile, y down).
pub type GridXY = (i32, i32);

/// `line` simplified with `tolerance` tile units; the ends are always kept.
pub fn simplify_line(line: Vec<Coord>, tolerance: f64) -> Vec<Coord> {
    if line.len() <= 2 || tolerance <= 0.0 {
        return line;
    }
    LineString::new(line).simplify(tolerance).0
}

/// The open ring `ring` simplified with `tolerance` tile units, still open.
pub fn simplify_ring(mut ring: Vec<Coord>, tolerance: f64) -> Vec<Coord> {
    if ring.len() <= 3 || tolerance <= 0.0 {
        return ring;
    }
    let first = ring[0];
    ring.push(first);
    let mut closed = LineString::new(ring).simplify(tolerance).0;
    closed.pop();
    closed
}

/// Rounds to the grid and drops consecutive repeated positions.
pub fn snap(coords: &[Coord]) -> Vec<GridXY> {
    let mut out: Vec<GridXY> = Vec::with_capacity(coords.len());
    for c in coords {
        // Clipped coordinates lie within a few tile widths, far inside i32.
        let p = (c.x.round() as i32, c.y.round() as i32);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

/// Twice the signed area of an open ring by the surveyor's formula, in grid units²: positive
/// for a ring that looks clockwise with y down.
pub fn ring_area2(ring: &[GridXY]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (x1, y1) = ring[i];
            let (x2, y2) = ring[(i + 1) % n];
            i64::from(x1) * i64::from(y2) - i64::from(x2) * i64::from(y1)
        })
        .sum()
}

/// Snaps an open ring; `None` if it does not stay a ring with an area. Exterior rings come back
/// with a positive area, interior ones with a negative area.
pub fn snap_ring(ring: &[Coord], exterior: bool) -> Option<Vec<GridXY>> {
    let mut r = snap(ring);
    while r.len() > 1 && r.first() == r.last() {
        r.pop();
    }
    if r.len() < 3 {
        return None;
    }
    let area2 = ring_area2(&r);
    if area2 == 0 {
        return None;
    }
    if (area2 > 0) != exterior {
        r.reverse();
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn simplifying_keeps_the_ends_and_stays_within_the_tolerance() {
        let line: Vec<Coord> = (0..=100)
            .map(|i| c(f64::from(i) * 10.0, (f64::from(i) * 0.7).sin() * 1.5))
            .collect();
        let simple = simplify_line(line.clone(), 2.0);
        assert!(simple.len() < line.len());
        assert_eq!(simple.first(), line.first());
        assert_eq!(simple.last(), line.last());
        // Every original position lies within the tolerance of the simplified line.
        let simple_ls = LineString::new(simple);
        for p in &line {
            use geo::{Distance, Euclidean};
            let d = Euclidean.distance(&geo::Point(*p), &simple_ls);
            assert!(d <= 2.0 + 1e-9, "{p:?} is {d} away");
        }
    }

    #[test]
    fn exterior_rings_have_positive_area_in_y_down_tile_coordinates() {
        // Counter-clockwise on screen (y down): negative area, so it is reversed.
        let ccw_on_screen = [c(0.0, 0.0), c(0.0, 10.0), c(10.0, 10.0), c(10.0, 0.0)];
        let r = snap_ring(&ccw_on_screen, true).unwrap();
        assert!(ring_area2(&r) > 0);
        let hole = snap_ring(&ccw_on_screen, false).unwrap();
        assert!(ring_area2(&hole) < 0);
    }

    #[test]
    fn rings_that_collapse_when_snapped_are_dropped() {
        let tiny = [c(0.1, 0.1), c(0.2, 0.1), c(0.2, 0.3)];
        assert_eq!(snap_ring(&tiny, true), None);
        let flat = [c(0.0, 0.0), c(5.0, 0.0), c(10.0, 0.0)];
        assert_eq!(snap_ring(&flat, true), None);
    }
}
