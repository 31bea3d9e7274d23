//! Step 5b of the pipeline (below [`FULL_DETAIL_ZOOM`](super::FULL_DETAIL_ZOOM)): a line or
//! polygon all of whose pixels are already drawn by the features of its layer kept before it
//! (in MVT id order) is left out, as a point in an occupied pixel cell is. A line or polygon
//! whose whole box lies on drawn pixels is left out before it is cut. One smaller than a pixel
//! is kept when its pixel is not drawn yet: dropping it would leave a hole in a rendering.
//!
//! Cells are squares of two pixels ([`CELL_UNITS`]) of the tile grid over the buffered tile,
//! aligned with the tile's origin. Two, not one: every pixel of a 2×2 cell is within one pixel
//! (in x and in y) of every other, so a line left out because its cells are drawn lies within
//! one pixel of drawn pixels, which is what a person can tell apart; and lines are drawn two to
//! three pixels wide with their casing at these zooms. One-pixel cells kept a tenth more of a
//! dense layer (200,000 roads) for nothing visible. A line's pixels are the cells its snapped
//! segments pass through; a polygon is left out only when every cell of its bounding box is
//! drawn already (its fill lies inside it), and a kept polygon marks only its outline's cells.
//! So what is left out could only have redrawn drawn pixels: a rendering of the tile at 256
//! pixels differs from one of all the features by at most the width of a pixel (checked by
//! `tools/tiles_bench`; BENCHMARKS.md, "Vector tiles (issue 11)").

use super::simplify::GridXY;
use super::{BUFFER_UNITS, EXTENT, PIXEL_UNITS};

/// The side of a coverage cell in grid units: two pixels.
pub const CELL_UNITS: f64 = 2.0 * PIXEL_UNITS;
/// Cells across the buffered tile.
const SIDE: i32 = ((EXTENT + 2.0 * BUFFER_UNITS) / CELL_UNITS) as i32;
/// A segment is walked in steps of at most this many grid units (a quarter of a cell).
const STEP_UNITS: f64 = CELL_UNITS / 4.0;

/// The drawn pixels of one tile layer.
pub struct Coverage {
    bits: Vec<u64>,
    /// Scratch: the cells of the feature being looked at.
    cells: Vec<u32>,
}

impl Default for Coverage {
    fn default() -> Self {
        Coverage {
            bits: vec![0; (SIDE * SIDE) as usize / 64 + 1],
            cells: Vec::new(),
        }
    }
}

/// The cell of a grid position, clamped to the buffered tile.
fn cell(x: f64, y: f64) -> u32 {
    // `as` rounds toward zero, which is the floor for the positions the clamp keeps (>= 0);
    // `f64::floor` is a libm call without SSE4.1.
    let c = |v: f64| (((v + BUFFER_UNITS) / CELL_UNITS) as i32).clamp(0, SIDE - 1);
    (c(y) * SIDE + c(x)) as u32
}

impl Coverage {
    /// Runs `f` with this thread's coverage, cleared: a tile layer below full detail needs one,
    /// and allocating 9 kB per tile made small tiles pay for the allocator's state (a large
    /// heap after loading 1M features made them 2x slower).
    pub fn with<R>(f: impl FnOnce(&mut Coverage) -> R) -> R {
        thread_local! {
            static COVERAGE: std::cell::RefCell<Coverage> = std::cell::RefCell::new(Coverage::default());
        }
        COVERAGE.with(|c| {
            let mut c = c.borrow_mut();
            c.bits.fill(0);
            f(&mut c)
        })
    }

    fn drawn(&self, c: u32) -> bool {
        self.bits[c as usize / 64] & (1 << (c % 64)) != 0
    }

    fn collect_path(&mut self, path: &[GridXY], closed: bool) {
        let n = path.len();
        let segments = if closed { n } else { n.saturating_sub(1) };
        if n == 1 {
            self.cells
                .push(cell(f64::from(path[0].0), f64::from(path[0].1)));
        }
        for i in 0..segments {
            let (a, b) = (path[i], path[(i + 1) % n]);
            let (ax, ay, bx, by) = (
                f64::from(a.0),
                f64::from(a.1),
                f64::from(b.0),
                f64::from(b.1),
            );
            let steps = ((bx - ax).abs().max((by - ay).abs()) / STEP_UNITS)
                .ceil()
                .max(1.0);
            for k in 0..=steps as u32 {
                let f = f64::from(k) / steps;
                self.cells
                    .push(cell(ax + (bx - ax) * f, ay + (by - ay) * f));
            }
        }
    }

    fn mark_cells(&mut self) {
        for &c in &self.cells {
            self.bits[c as usize / 64] |= 1 << (c % 64);
        }
    }

    /// Whether the lines add a pixel; if they do, their pixels are marked drawn.
    pub fn keep_lines(&mut self, lines: &[Vec<GridXY>]) -> bool {
        self.cells.clear();
        for line in lines {
            self.collect_path(line, false);
        }
        let new = self.cells.iter().any(|c| !self.drawn(*c));
        if new {
            self.mark_cells();
        }
        new
    }

    /// Whether every pixel of the box (corners in grid units, clamped to the buffered tile) is
    /// drawn: then nothing inside it can add one.
    pub fn box_drawn(&self, lo: [f64; 2], hi: [f64; 2]) -> bool {
        let (c0, c1) = (cell(lo[0], lo[1]), cell(hi[0], hi[1]));
        let side = SIDE as u32;
        let (x0, y0, x1, y1) = (c0 % side, c0 / side, c1 % side, c1 / side);
        (y0.min(y1)..=y0.max(y1))
            .all(|y| (x0.min(x1)..=x0.max(x1)).all(|x| self.drawn(y * side + x)))
    }

    /// Whether the polygons' rings (exteriors and holes) may add a pixel: some cell of their
    /// bounding box is not drawn yet. If so, the rings' cells are marked drawn.
    pub fn keep_polygons(&mut self, rings: &[Vec<GridXY>]) -> bool {
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for &(x, y) in rings.iter().flatten() {
            let (x, y) = (f64::from(x), f64::from(y));
            lo = [lo[0].min(x), lo[1].min(y)];
            hi = [hi[0].max(x), hi[1].max(y)];
        }
        if lo[0] > hi[0] || self.box_drawn(lo, hi) {
            return false;
        }
        self.cells.clear();
        for ring in rings {
            self.collect_path(ring, true);
        }
        self.mark_cells();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_over_drawn_pixels_adds_nothing_and_one_beside_them_does() {
        let mut c = Coverage::default();
        assert!(c.keep_lines(&[vec![(0, 0), (400, 0)]]));
        // The same pixels, drawn by a line of other vertices.
        assert!(!c.keep_lines(&[vec![(3, 2), (200, 5), (390, 1)]]));
        // One pixel lower.
        assert!(c.keep_lines(&[vec![(0, 20), (400, 20)]]));
    }

    #[test]
    fn a_polygon_is_left_out_only_when_its_whole_box_is_drawn() {
        let mut c = Coverage::default();
        let square = vec![(0, 0), (0, 40), (40, 40), (40, 0)];
        assert!(c.keep_polygons(std::slice::from_ref(&square)));
        // The outline of a 3 × 3 pixel square marks its 8 outer cells, not the middle one.
        assert!(c.keep_polygons(&[vec![(17, 17), (17, 30), (30, 30), (30, 17)]]));
        assert!(!c.keep_polygons(&[vec![(1, 1), (1, 38), (38, 38), (38, 1)]]));
    }
}
