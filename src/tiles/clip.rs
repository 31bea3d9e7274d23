//! Clipping lines and rings to a tile's buffered box, in tile coordinates (f64, before
//! snapping).
//!
//! Written by hand, as geojson-vt and martin do, rather than with `geo`'s boolean operations:
//! those compute exact, topologically valid overlays of arbitrary polygons, which costs far
//! more than a tile needs, while clipping against an axis-aligned box is a few comparisons per
//! vertex. Lines are cut segment by segment (Liang–Barsky, the parametric form of
//! Cohen–Sutherland), so a line leaving and re-entering the box becomes several parts; rings
//! are clipped against the four sides in turn (Sutherland–Hodgman), which keeps a ring a ring
//! (it may run along the box's sides, which the buffer keeps out of sight).

use geo::Coord;

/// An axis-aligned square `[min, max]²` in tile coordinates, e.g. `[-64, 4160]²`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipBox {
    pub min: f64,
    pub max: f64,
}

impl ClipBox {
    pub fn contains(&self, p: Coord) -> bool {
        (self.min..=self.max).contains(&p.x) && (self.min..=self.max).contains(&p.y)
    }
}

/// The part of segment `a`–`b` inside `bx`, if any (Liang–Barsky). An end inside the box comes
/// back bit for bit, so consecutive clipped segments still meet exactly.
fn clip_segment(a: Coord, b: Coord, bx: ClipBox) -> Option<(Coord, Coord)> {
    let d = b - a;
    let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
    for (p, q) in [
        (-d.x, a.x - bx.min),
        (d.x, bx.max - a.x),
        (-d.y, a.y - bx.min),
        (d.y, bx.max - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                if r > t1 {
                    return None;
                }
                t0 = t0.max(r);
            } else {
                if r < t0 {
                    return None;
                }
                t1 = t1.min(r);
            }
        }
    }
    let at = |t: f64| {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            a + d * t
        }
    };
    Some((at(t0), at(t1)))
}

/// Appends to `out` the parts of `line` inside `bx`, each with at least two positions.
pub fn clip_line(line: &[Coord], bx: ClipBox, out: &mut Vec<Vec<Coord>>) {
    if line.len() == 1 {
        return;
    }
    let mut part: Vec<Coord> = Vec::new();
    for w in line.windows(2) {
        let Some((p, q)) = clip_segment(w[0], w[1], bx) else {
            continue;
        };
        if part.last() != Some(&p) {
            if part.len() >= 2 {
                out.push(std::mem::take(&mut part));
            }
            part.clear();
            part.push(p);
        }
        part.push(q);
    }
    if part.len() >= 2 {
        out.push(part);
    }
}

/// The part of the open ring `ring` (no repeated closing position) inside `bx`, as an open
/// ring; fewer than 3 positions when nothing of it is left (Sutherland–Hodgman).
pub fn clip_ring(ring: &[Coord], bx: ClipBox) -> Vec<Coord> {
    let mut out: Vec<Coord> = ring.to_vec();
    // (axis 0 = x, 1 = y; the bound; whether inside is at or above it)
    for (axis, bound, above) in [
        (0, bx.min, true),
        (0, bx.max, false),
        (1, bx.min, true),
        (1, bx.max, false),
    ] {
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else {
            break;
        };
        let get = |p: Coord| if axis == 0 { p.x } else { p.y };
        let inside = |p: Coord| {
            if above {
                get(p) >= bound
            } else {
                get(p) <= bound
            }
        };
        let cross = |a: Coord, b: Coord| {
            let t = (bound - get(a)) / (get(b) - get(a));
            let mut c = a + (b - a) * t;
            // Exactly on the side, whatever the rounding.
            if axis == 0 {
                c.x = bound;
            } else {
                c.y = bound;
            }
            c
        };
        let mut prev = last;
        for &cur in &input {
            match (inside(prev), inside(cur)) {
                (true, true) => out.push(cur),
                (true, false) => out.push(cross(prev, cur)),
                (false, true) => {
                    out.push(cross(prev, cur));
                    out.push(cur);
                }
                (false, false) => {}
            }
            prev = cur;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BX: ClipBox = ClipBox {
        min: -64.0,
        max: 4160.0,
    };

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn clipping_keeps_coords_within_tile_plus_buffer() {
        let line = [c(-5000.0, 100.0), c(9000.0, 3000.0), c(2000.0, -7000.0)];
        let mut parts = Vec::new();
        clip_line(&line, BX, &mut parts);
        assert!(!parts.is_empty());
        for p in parts.iter().flatten() {
            assert!(BX.contains(*p), "{p:?}");
        }
        let ring = [c(-9000.0, -9000.0), c(9000.0, -100.0), c(100.0, 9000.0)];
        let clipped = clip_ring(&ring, BX);
        assert!(clipped.len() >= 3);
        for p in &clipped {
            assert!(BX.contains(*p), "{p:?}");
        }
    }

    #[test]
    fn a_line_inside_comes_back_unchanged_and_one_leaving_and_returning_splits() {
        let inside = [c(0.0, 0.0), c(10.0, 10.0), c(20.0, 0.0)];
        let mut parts = Vec::new();
        clip_line(&inside, BX, &mut parts);
        assert_eq!(parts, vec![inside.to_vec()]);
        let out_and_back = [c(0.0, 0.0), c(0.0, 9000.0), c(100.0, 9000.0), c(100.0, 0.0)];
        let mut parts = Vec::new();
        clip_line(&out_and_back, BX, &mut parts);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], vec![c(0.0, 0.0), c(0.0, 4160.0)]);
        assert_eq!(parts[1], vec![c(100.0, 4160.0), c(100.0, 0.0)]);
    }

    #[test]
    fn a_ring_around_the_box_becomes_the_box_and_one_outside_vanishes() {
        let around = [c(-1e6, -1e6), c(1e6, -1e6), c(1e6, 1e6), c(-1e6, 1e6)];
        let clipped = clip_ring(&around, BX);
        assert_eq!(clipped.len(), 4);
        for p in &clipped {
            assert!(p.x == BX.min || p.x == BX.max);
            assert!(p.y == BX.min || p.y == BX.max);
        }
        let outside = [c(5000.0, 0.0), c(6000.0, 0.0), c(6000.0, 100.0)];
        assert!(clip_ring(&outside, BX).len() < 3);
    }
}
