//! The in-memory data set: every feature of every layer, an R-tree over their lon/lat envelopes
//! and an id look-up. Built once at start-up (bulk load), immutable afterwards, shared by `Arc`.

use crate::geodesy::{LonLatRect, QueryPoint, rect_lower_bound_m};
use crate::layers::{Catalogue, Feature, LayerSpec, LoadError, data_version, load_dir};
use geo::{BoundingRect, Coord};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, Envelope, ParentNode, RTree, RTreeNode, RTreeObject};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::path::Path;

/// An R-tree entry of lon/lat envelopes, each with what it bounds.
pub type Boxed<T> = GeomWithData<Rectangle<[f64; 2]>, T>;

/// An R-tree entry: a feature's lon/lat envelope and its index in [`Dataset::features`].
pub type Entry = Boxed<u32>;

/// Per-layer summary, computed once.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerStats {
    pub feature_count: usize,
    /// Envelope of all the layer's features; `None` for an empty layer.
    pub bbox: Option<LonLatRect>,
}

/// All loaded features with their spatial index. Coordinates are WGS84 lon/lat.
#[derive(Debug)]
pub struct Dataset {
    pub catalogue: Catalogue,
    pub features: Vec<Feature>,
    pub stats: Vec<LayerStats>,
    /// Content hash of the catalogue and features, `sha256:` and 64 hex digits; the same data
    /// gives the same version whatever store it came from (see [`crate::layers::version`]).
    pub data_version: String,
    tree: RTree<Entry>,
    /// Feature indices sorted by id, for binary search.
    by_id: Vec<u32>,
    /// Each layer's features, which are contiguous: `features[layer_ranges[l]]`.
    layer_ranges: Vec<std::ops::Range<u32>>,
}

impl Dataset {
    /// Loads and validates `dir`, then indexes it.
    pub fn load(dir: &Path) -> Result<Dataset, LoadError> {
        let (catalogue, features) = load_dir(dir)?;
        Ok(Dataset::new(catalogue, features))
    }

    /// Indexes already validated features. Features not already grouped by layer in catalogue
    /// order are put so (a stable sort: within a layer, the order given is kept).
    ///
    /// # Panics
    /// If there are more than `u32::MAX` features or a feature's layer is not in the catalogue;
    /// the loader guarantees neither happens.
    pub fn new(catalogue: Catalogue, mut features: Vec<Feature>) -> Dataset {
        let index = |i: usize| u32::try_from(i).expect("fewer than 2^32 features");
        if !features.is_sorted_by_key(|f| f.layer) {
            features.sort_by_key(|f| f.layer);
        }
        let mut layer_ranges = vec![0..0; catalogue.layers.len()];
        let mut start = 0;
        for chunk in features.chunk_by(|a, b| a.layer == b.layer) {
            let end = start + chunk.len();
            layer_ranges[usize::from(chunk[0].layer)] = index(start)..index(end);
            start = end;
        }
        let mut stats = vec![
            LayerStats {
                feature_count: 0,
                bbox: None
            };
            catalogue.layers.len()
        ];
        // One sequential pass: envelopes are cheap, and a parallel pass would need a transient
        // vector of them as large as the entries.
        let mut entries: Vec<Entry> = Vec::with_capacity(features.len());
        for (i, f) in features.iter().enumerate() {
            let Some(rect) = f.geometry.bounding_rect() else {
                continue;
            };
            let s = &mut stats[usize::from(f.layer)];
            s.feature_count += 1;
            let r = LonLatRect {
                min: rect.min(),
                max: rect.max(),
            };
            s.bbox = Some(match s.bbox {
                None => r,
                Some(b) => LonLatRect {
                    min: Coord {
                        x: b.min.x.min(r.min.x),
                        y: b.min.y.min(r.min.y),
                    },
                    max: Coord {
                        x: b.max.x.max(r.max.x),
                        y: b.max.y.max(r.max.y),
                    },
                },
            });
            entries.push(GeomWithData::new(
                Rectangle::from_corners([r.min.x, r.min.y], [r.max.x, r.max.y]),
                index(i),
            ));
        }
        // The bulk load is sequential; the id sort and the data version run beside it.
        let (tree, (by_id, data_version)) = rayon::join(
            || RTree::bulk_load(entries),
            || {
                rayon::join(
                    || {
                        let mut by_id: Vec<u32> = (0..features.len()).map(index).collect();
                        by_id.par_sort_unstable_by(|a, b| {
                            features[*a as usize].id().cmp(features[*b as usize].id())
                        });
                        by_id
                    },
                    || data_version(&catalogue, &features),
                )
            },
        );
        Dataset {
            catalogue,
            features,
            stats,
            data_version,
            tree,
            by_id,
            layer_ranges,
        }
    }

    /// The indices of a layer's features, in file order.
    pub fn layer_range(&self, layer: usize) -> std::ops::Range<u32> {
        self.layer_ranges[layer].clone()
    }

    pub fn feature(&self, index: u32) -> &Feature {
        &self.features[index as usize]
    }

    pub fn layer_of(&self, feature: &Feature) -> &LayerSpec {
        &self.catalogue.layers[usize::from(feature.layer)]
    }

    /// The index of the feature with this id.
    pub fn find(&self, id: &str) -> Option<u32> {
        self.by_id
            .binary_search_by(|i| self.features[*i as usize].id().cmp(id))
            .ok()
            .map(|pos| self.by_id[pos])
    }

    /// The catalogue position of a layer id.
    pub fn layer_index(&self, id: &str) -> Option<usize> {
        self.catalogue.layers.iter().position(|l| l.id == id)
    }

    /// Features whose envelope intersects `rect`, in no particular order.
    pub fn envelope_candidates(&self, rect: LonLatRect) -> impl Iterator<Item = u32> + '_ {
        let aabb = AABB::from_corners([rect.min.x, rect.min.y], [rect.max.x, rect.max.y]);
        self.tree
            .locate_in_envelope_intersecting(&aabb)
            .map(|e| e.data)
    }

    /// Features whose envelope intersects `rect`, with whether the envelope lies wholly inside
    /// `rect` (then the feature itself surely intersects it), in no particular order.
    pub fn envelope_candidates_contained(
        &self,
        rect: LonLatRect,
    ) -> impl Iterator<Item = (u32, bool)> + '_ {
        let aabb = AABB::from_corners([rect.min.x, rect.min.y], [rect.max.x, rect.max.y]);
        self.tree
            .locate_in_envelope_intersecting(&aabb)
            .map(move |e| (e.data, aabb.contains_envelope(&e.envelope())))
    }

    /// Best-first traversal from `p`: yields features with a lower bound of their geodesic
    /// distance, in increasing order of that bound, stopping past `max_m`. Callers compute the
    /// exact distance and can stop as soon as the bound exceeds what they still need.
    pub fn by_lower_bound(&self, p: Coord, max_m: f64) -> LowerBoundIter<'_, u32> {
        by_lower_bound(&self.tree, QueryPoint::new(p), max_m)
    }
}

/// Best-first traversal of any tree of lon/lat envelopes from `p`: yields each entry's data with
/// a lower bound of the geodesic distance from `p` to its envelope, in increasing order of that
/// bound, stopping past `max_m`.
pub fn by_lower_bound<T: Copy>(
    tree: &RTree<Boxed<T>>,
    p: QueryPoint,
    max_m: f64,
) -> LowerBoundIter<'_, T> {
    let mut heap = BinaryHeap::new();
    heap.push(Pending {
        bound_m: 0.0,
        node: Node::Parent(tree.root()),
    });
    LowerBoundIter { p, max_m, heap }
}

enum Node<'a, T> {
    Parent(&'a ParentNode<Boxed<T>>),
    Leaf(T),
}

struct Pending<'a, T> {
    bound_m: f64,
    node: Node<'a, T>,
}

impl<T> PartialEq for Pending<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl<T> Eq for Pending<'_, T> {}
impl<T> PartialOrd for Pending<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Pending<'_, T> {
    /// Reversed, so that `BinaryHeap` pops the smallest bound first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.bound_m.total_cmp(&self.bound_m)
    }
}

/// See [`Dataset::by_lower_bound`] and [`by_lower_bound`].
pub struct LowerBoundIter<'a, T> {
    p: QueryPoint,
    max_m: f64,
    heap: BinaryHeap<Pending<'a, T>>,
}

fn rect_of(envelope: &AABB<[f64; 2]>) -> LonLatRect {
    let (lo, hi) = (envelope.lower(), envelope.upper());
    LonLatRect {
        min: Coord { x: lo[0], y: lo[1] },
        max: Coord { x: hi[0], y: hi[1] },
    }
}

impl<T: Copy> Iterator for LowerBoundIter<'_, T> {
    /// (the entry's data, e.g. a feature index; lower bound of its distance in metres)
    type Item = (T, f64);

    fn next(&mut self) -> Option<(T, f64)> {
        while let Some(Pending { bound_m, node }) = self.heap.pop() {
            if bound_m > self.max_m {
                self.heap.clear();
                return None;
            }
            match node {
                Node::Leaf(i) => return Some((i, bound_m)),
                Node::Parent(parent) => {
                    for child in parent.children() {
                        let (bound_m, node) = match child {
                            RTreeNode::Leaf(e) => (
                                rect_lower_bound_m(&self.p, rect_of(&e.envelope())),
                                Node::Leaf(e.data),
                            ),
                            RTreeNode::Parent(p) => (
                                rect_lower_bound_m(&self.p, rect_of(&p.envelope())),
                                Node::Parent(p),
                            ),
                        };
                        if bound_m <= self.max_m {
                            self.heap.push(Pending { bound_m, node });
                        }
                    }
                }
            }
        }
        None
    }
}
