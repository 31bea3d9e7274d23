//! Selecting features by area, layer, status, province and any further test, one page at a
//! time in a stable order (catalogue, then file). `/api/features` and the OGC API items both
//! come here: one query path, two representations.
//!
//! The cost of a page does not grow with its offset. Without a spatial constraint the layers'
//! contiguous index ranges are scanned in order and the page is taken as the scan passes it (a
//! selection that tests nothing beyond the layer is pure arithmetic); with one, the R-tree
//! gives the candidates and only the matches are sorted.

use super::Filter;
use crate::geodesy::LonLatRect;
use crate::index::Dataset;
use crate::layers::Feature;
use crate::work::{Deadline, OverBudget};
use geo::{Intersects, Rect};

/// Features looked at between two looks at the clock.
const FEATURES_PER_CHECK: usize = 1024;

/// A further test of a feature (e.g. a compiled CQL2 filter).
pub type Test<'a> = &'a (dyn Fn(&Feature) -> bool + Sync);

/// What a page is selected from.
#[derive(Clone, Copy)]
pub struct Selection<'a> {
    /// Lon/lat boxes a feature's geometry must intersect one of (boundary included); `None`
    /// for anywhere.
    pub boxes: Option<&'a [LonLatRect]>,
    pub filter: &'a Filter,
    /// A test every selected feature passes.
    pub test: Option<Test<'a>>,
    /// Envelopes one of which the envelope of every feature that passes `test` intersects
    /// (what the test's own spatial predicates imply): candidates are taken from the R-tree
    /// with them. The test itself stays the judge.
    pub narrow: Option<&'a [LonLatRect]>,
}

impl<'a> Selection<'a> {
    /// Every feature that passes `filter`.
    pub fn filtered(filter: &'a Filter) -> Selection<'a> {
        Selection {
            boxes: None,
            filter,
            test: None,
            narrow: None,
        }
    }
}

/// One page of features, in catalogue order then file order, and how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub features: Vec<u32>,
    pub matched: usize,
}

/// The features of `sel`, `limit` of them from `offset` on; stops with [`OverBudget`] once
/// `deadline` has passed.
pub fn page(
    ds: &Dataset,
    sel: &Selection<'_>,
    limit: usize,
    offset: usize,
    deadline: &Deadline,
) -> Result<Page, OverBudget> {
    deadline.check()?;
    let layers = layers_of(ds, sel.filter);
    // A box that holds the whole extent of every layer asked for constrains nothing.
    let boxes = sel
        .boxes
        .filter(|bs| !bs.iter().any(|b| layers.iter().all(|l| covers(ds, *l, b))));
    let spatial = match (boxes, sel.narrow) {
        (Some(b), Some(n)) if total_area(n) < total_area(b) => Some(Candidates::Narrow(n)),
        (Some(b), _) => Some(Candidates::Boxes(b)),
        (None, Some(n)) => Some(Candidates::Narrow(n)),
        (None, None) => None,
    };
    let selects = |f: &Feature, inside_a_box: bool| {
        sel.filter.matches(f)
            && (inside_a_box
                || boxes.is_none_or(|bs| bs.iter().any(|b| f.geometry.intersects(&rect(b)))))
            && sel.test.is_none_or(|t| t(f))
    };
    match spatial {
        None => scan(ds, &layers, sel, limit, offset, deadline, |f| {
            selects(f, false)
        }),
        Some(c) => {
            let mut all = Vec::new();
            let mut step = 0usize;
            for (r, are_boxes) in c.rects() {
                for (i, inside) in ds.envelope_candidates_contained(*r) {
                    if step.is_multiple_of(FEATURES_PER_CHECK) {
                        deadline.check()?;
                    }
                    step += 1;
                    // A feature whose envelope lies inside a box intersects it.
                    if selects(ds.feature(i), are_boxes && inside) {
                        all.push(i);
                    }
                }
            }
            all.sort_unstable();
            all.dedup();
            let matched = all.len();
            let features = all.into_iter().skip(offset).take(limit).collect();
            Ok(Page { features, matched })
        }
    }
}

enum Candidates<'a> {
    Boxes(&'a [LonLatRect]),
    Narrow(&'a [LonLatRect]),
}

impl<'a> Candidates<'a> {
    /// The rectangles to ask the R-tree for, each with whether it is one of the boxes.
    fn rects(&self) -> impl Iterator<Item = (&'a LonLatRect, bool)> {
        let (rects, are_boxes) = match self {
            Candidates::Boxes(b) => (*b, true),
            Candidates::Narrow(n) => (*n, false),
        };
        rects.iter().map(move |r| (r, are_boxes))
    }
}

/// The layers a filter allows, in catalogue order.
fn layers_of(ds: &Dataset, filter: &Filter) -> Vec<usize> {
    if filter.layers.is_empty() {
        (0..ds.catalogue.layers.len()).collect()
    } else {
        let mut l = filter.layers.clone();
        l.sort_unstable();
        l
    }
}

fn covers(ds: &Dataset, layer: usize, b: &LonLatRect) -> bool {
    ds.stats[layer].bbox.is_none_or(|e| {
        b.min.x <= e.min.x && b.min.y <= e.min.y && b.max.x >= e.max.x && b.max.y >= e.max.y
    })
}

fn total_area(rects: &[LonLatRect]) -> f64 {
    rects
        .iter()
        .map(|r| (r.max.x - r.min.x) * (r.max.y - r.min.y))
        .sum()
}

fn rect(r: &LonLatRect) -> Rect {
    Rect::new(r.min, r.max)
}

/// The layers' features in order, tested one by one; or, when nothing but the layer is
/// tested, the page by arithmetic on the layers' ranges.
fn scan(
    ds: &Dataset,
    layers: &[usize],
    sel: &Selection<'_>,
    limit: usize,
    offset: usize,
    deadline: &Deadline,
    selects: impl Fn(&Feature) -> bool,
) -> Result<Page, OverBudget> {
    let ranges = layers.iter().map(|l| ds.layer_range(*l));
    // Only called without boxes (or with boxes that constrain nothing).
    let untested =
        sel.test.is_none() && sel.filter.statuses.is_empty() && sel.filter.provinces.is_empty();
    let mut features = Vec::with_capacity(limit.min(4096));
    let mut matched = 0usize;
    if untested {
        for r in ranges {
            let len = r.len();
            // The part of this range that falls inside [offset, offset + limit).
            let from = offset.saturating_sub(matched).min(len);
            let want = limit.saturating_sub(features.len());
            features.extend(
                (r.start as usize + from..r.start as usize + len)
                    .take(want)
                    .map(|i| {
                        u32::try_from(i)
                            .expect("a feature index fits in u32, as Dataset::new checks")
                    }),
            );
            matched += len;
        }
        return Ok(Page { features, matched });
    }
    let mut step = 0usize;
    for r in ranges {
        for i in r {
            if step.is_multiple_of(FEATURES_PER_CHECK) {
                deadline.check()?;
            }
            step += 1;
            if selects(ds.feature(i)) {
                if matched >= offset && features.len() < limit {
                    features.push(i);
                }
                matched += 1;
            }
        }
    }
    Ok(Page { features, matched })
}
