//! Labels that never overlap: every candidate is queued with a priority, then placed greedily,
//! most important first, at the first of its candidate positions whose box meets no box placed
//! before it (nor the furniture's).
//!
//! Written here rather than taken from a crate: the label placers on crates.io are either
//! MapLibre's whole symbol engine (glyph atlases, collision grids for tiles, tied to its
//! renderer) or text layout crates that do not know about maps. What a static picture needs is a
//! box test against at most a few thousand boxes, a screenful of code.
//!
//! Box sizes are estimated from the text: a CJK character is one em wide, any other character
//! 0.6 em (Noto Sans's average Latin advance is about 0.55 em), so a box is never narrower than
//! the text drawn.

use super::Ctx;
use super::svg::{self, TextStyle};
use crate::style::Rgba;
use crate::work::{Deadline, OverBudget};

/// Most labels a picture tries to place (past that, the least important are dropped).
const MAX_CANDIDATES: usize = 5000;
/// Space kept free around each label, in pixels.
const PADDING_PX: f64 = 2.0;

/// What comes first when labels compete for room; lower is placed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Overlays: loop stops, markers, the features of a corridor or nearby answer.
    Overlay,
    Province,
    Seat,
    Point,
    Line,
    County,
    Town,
}

/// Where a label may go around its anchor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// Centred on it.
    Centre,
    /// Right, left, above or below a symbol of this radius, whichever is free first.
    Around { radius: f64 },
}

#[derive(Debug, Clone)]
pub struct Label {
    pub text: String,
    pub at: [f64; 2],
    pub placement: Placement,
    pub size: f64,
    pub colour: Rgba,
    pub bold: bool,
    pub priority: Priority,
}

/// An axis-aligned box in pixels: min x, min y, max x, max y.
pub type Box2 = [f64; 4];

fn overlaps(a: &Box2, b: &Box2) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// The estimated width of `text` at `size` px.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if is_wide(c) { 1.0 } else { 0.6 })
        .sum::<f64>()
        * size
}

/// CJK ideographs, kana, Hangul and full-width forms take a whole em.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

pub struct Labels {
    queued: Vec<Label>,
    placed: Vec<Box2>,
    width: f64,
    height: f64,
}

impl Labels {
    pub fn new(width: u32, height: u32) -> Labels {
        Labels {
            queued: Vec::new(),
            placed: Vec::new(),
            width: f64::from(width),
            height: f64::from(height),
        }
    }

    pub fn add(&mut self, label: Label) {
        if !label.text.trim().is_empty() {
            self.queued.push(label);
        }
    }

    /// Keeps `b` free of labels.
    pub fn reserve(&mut self, b: Box2) {
        self.placed.push(b);
    }

    /// The candidate boxes of a label and the text's anchor point in each, in order of
    /// preference (the page's `text-variable-anchor`).
    fn candidates(l: &Label) -> Vec<(Box2, [f64; 2], &'static str)> {
        let w = text_width(&l.text, l.size);
        let h = l.size * 1.2;
        // The baseline sits about 0.35 em below the middle of the box.
        let base = l.size * 0.35;
        let [x, y] = l.at;
        match l.placement {
            Placement::Centre => vec![(
                [x - w / 2.0, y - h / 2.0, x + w / 2.0, y + h / 2.0],
                [x, y + base],
                "middle",
            )],
            Placement::Around { radius: r } => vec![
                (
                    [x + r, y - h / 2.0, x + r + w, y + h / 2.0],
                    [x + r, y + base],
                    "start",
                ),
                (
                    [x - r - w, y - h / 2.0, x - r, y + h / 2.0],
                    [x - r, y + base],
                    "end",
                ),
                (
                    [x - w / 2.0, y - r - h, x + w / 2.0, y - r],
                    [x, y - r - h / 2.0 + base],
                    "middle",
                ),
                (
                    [x - w / 2.0, y + r, x + w / 2.0, y + r + h],
                    [x, y + r + h / 2.0 + base],
                    "middle",
                ),
            ],
        }
    }

    /// Places the queued labels by priority (then in the order queued) and writes those that
    /// found room.
    pub fn place_and_write(
        mut self,
        ctx: &Ctx<'_>,
        out: &mut String,
        deadline: &Deadline,
    ) -> Result<usize, OverBudget> {
        // A stable sort: within a priority, the data's order.
        self.queued.sort_by_key(|l| l.priority);
        self.queued.truncate(MAX_CANDIDATES);
        let mut written = 0;
        for (n, l) in self.queued.iter().enumerate() {
            if n % 256 == 0 {
                deadline.check()?;
            }
            let found = Self::candidates(l).into_iter().find(|(b, _, _)| {
                let padded = [
                    b[0] - PADDING_PX,
                    b[1] - PADDING_PX,
                    b[2] + PADDING_PX,
                    b[3] + PADDING_PX,
                ];
                b[0] >= 0.0
                    && b[1] >= 0.0
                    && b[2] <= self.width
                    && b[3] <= self.height
                    && !self.placed.iter().any(|p| overlaps(p, &padded))
            });
            if let Some((b, anchor_at, anchor)) = found {
                self.placed.push(b);
                svg::text(
                    out,
                    anchor_at,
                    &l.text,
                    &TextStyle {
                        size: l.size,
                        colour: l.colour,
                        bold: l.bold,
                        halo: 1.4,
                        anchor,
                        family: &ctx.family,
                    },
                );
                written += 1;
            }
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(text: &str, x: f64, priority: Priority) -> Label {
        Label {
            text: text.into(),
            at: [x, 50.0],
            placement: Placement::Centre,
            size: 12.0,
            colour: svg::rgb(0),
            bold: false,
            priority,
        }
    }

    #[test]
    fn chinese_is_wider_than_latin_of_the_same_length() {
        assert_eq!(text_width("重庆", 10.0), 20.0);
        assert!((text_width("ab", 10.0) - 12.0).abs() < 1e-9);
    }

    #[test]
    fn boxes_that_touch_do_not_overlap() {
        assert!(!overlaps(&[0.0, 0.0, 1.0, 1.0], &[1.0, 0.0, 2.0, 1.0]));
        assert!(overlaps(&[0.0, 0.0, 1.0, 1.0], &[0.5, 0.5, 2.0, 2.0]));
    }

    #[test]
    fn the_more_important_of_two_overlapping_labels_wins() {
        let mut ls = Labels::new(200, 100);
        ls.add(label("Town", 100.0, Priority::Town));
        ls.add(label("Province", 102.0, Priority::Province));
        ls.queued.sort_by_key(|l| l.priority);
        let first = Labels::candidates(&ls.queued[0]);
        assert_eq!(ls.queued[0].text, "Province");
        let second = Labels::candidates(&ls.queued[1]);
        assert!(overlaps(&first[0].0, &second[0].0));
    }
}
