//! Which province, prefecture and county a point lies in, from the boundary layers, and how a
//! path divides among a set of areas (used for border crossings and for route loops).

use crate::geodesy::{LonLatRect, distance_m};
use crate::index::Dataset;
use crate::layers::{Boundary, Feature};
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{BoundingRect, Contains, Coord, Geometry, Line, Point};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// The boundary features holding a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub province: u32,
    pub county: Option<u32>,
}

/// The province feature (from a `boundary = "province"` layer) and county feature (from a
/// `boundary = "county"` layer) containing `p`; `None` outside every province polygon.
pub fn region_of(ds: &Dataset, p: Coord) -> Option<Region> {
    let containing = |kind: Boundary| {
        let mut hits: Vec<u32> = ds
            .envelope_candidates(LonLatRect { min: p, max: p })
            .filter(|i| {
                let f = ds.feature(*i);
                ds.layer_of(f).boundary == Some(kind) && f.geometry.contains(&Point(p))
            })
            .collect();
        hits.sort_unstable();
        hits.first().copied()
    };
    Some(Region {
        province: containing(Boundary::Province)?,
        county: containing(Boundary::County),
    })
}

/// The prefecture (地级市, or the municipality itself for Chongqing) a county names in its
/// `prefecture_id`, `prefecture_zh`, `prefecture_en` and `prefecture_adcode` properties
/// (geodata/FORMAT.md). No layer holds prefecture polygons: a point's prefecture is its county's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefecture<'a> {
    /// `prefecture-<adcode>`: an identifier, not a feature id.
    pub id: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub adcode: Option<&'a str>,
}

/// The prefecture of a county feature; `None` when the county carries no `prefecture_id`.
/// A missing name falls back to the id, so a partial record still names the prefecture.
pub fn prefecture_of(county: &Feature) -> Option<Prefecture<'_>> {
    let text = |k: &str| county.extra().get(k).and_then(|v| v.as_str());
    let id = text("prefecture_id").filter(|s| !s.is_empty())?;
    Some(Prefecture {
        id,
        name_zh: text("prefecture_zh").unwrap_or(id),
        name_en: text("prefecture_en").unwrap_or(id),
        adcode: text("prefecture_adcode"),
    })
}

/// A stretch of a path inside one area (or outside all: `area` = `None`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub area: Option<usize>,
    pub start: Coord,
    pub end: Coord,
    /// Geodesic metres from the path's start to `start`.
    pub chainage_m: f64,
    pub length_m: f64,
}

/// Labelled polygons with an index of their edges, to split paths where they cross a boundary.
#[derive(Debug)]
pub struct Areas {
    envelopes: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    /// Every ring edge with the area it bounds.
    edges: RTree<AreaEdge>,
}

/// A ring edge, boxed, with the index of its area.
type AreaEdge = GeomWithData<Rectangle<[f64; 2]>, (Line<f64>, usize)>;

fn rect(a: Coord, b: Coord) -> Rectangle<[f64; 2]> {
    Rectangle::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)])
}

impl Areas {
    /// `geometries[i]` is area `i`; only polygonal geometries have edges.
    pub fn new(geometries: Vec<Geometry<f64>>) -> Areas {
        let envelopes = RTree::bulk_load(
            geometries
                .iter()
                .enumerate()
                .filter_map(|(i, g)| {
                    g.bounding_rect()
                        .map(|r| GeomWithData::new(rect(r.min(), r.max()), i))
                })
                .collect(),
        );
        let edges = RTree::bulk_load(
            geometries
                .iter()
                .enumerate()
                .flat_map(|(i, g)| polygon_edges(g).into_iter().map(move |l| (l, i)))
                .map(|(l, i)| GeomWithData::new(rect(l.start, l.end), (l, i)))
                .collect(),
        );
        Areas { envelopes, edges }
    }

    /// The area holding `p` (the first, if areas overlap).
    ///
    /// By ray casting through the edge index: the edges that a ray from `p` eastwards to the
    /// areas' envelopes crosses, counted per area (odd: inside). That looks at the few edges the
    /// ray meets instead of every vertex of a province outline (thousands) per point. A point
    /// exactly on an edge may count either way, as it may with any crossing test.
    pub fn area_of(&self, p: Coord) -> Option<usize> {
        let aabb = AABB::from_point([p.x, p.y]);
        let mut candidates: Vec<(usize, f64)> = self
            .envelopes
            .locate_in_envelope_intersecting(&aabb)
            .map(|e| (e.data, e.geom().upper()[0]))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        candidates.sort_by_key(|c| c.0);
        let east = candidates.iter().map(|c| c.1).fold(p.x, f64::max);
        let ray = AABB::from_corners([p.x, p.y], [east, p.y]);
        let mut inside: Vec<(usize, bool)> = candidates.iter().map(|c| (c.0, false)).collect();
        for e in self.edges.locate_in_envelope_intersecting(&ray) {
            let (l, area) = e.data;
            let (a, b) = (l.start, l.end);
            // Half-open in y, so a ray through a vertex counts the two edges there once.
            if (a.y > p.y) != (b.y > p.y) {
                let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
                if x > p.x
                    && let Some(slot) = inside.iter_mut().find(|s| s.0 == area)
                {
                    slot.1 = !slot.1;
                }
            }
        }
        inside.into_iter().find(|s| s.1).map(|s| s.0)
    }

    /// Splits a path at every boundary crossing; consecutive pieces in the same area are merged.
    /// Piece lengths are geodesic and sum to the path's length.
    pub fn split(&self, path: &[Coord]) -> Vec<Piece> {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut chainage_m = 0.0;
        for w in path.windows(2) {
            let (a, b) = (w[0], w[1]);
            let seg_m = distance_m(a, b);
            // Fractions of the segment where it meets a boundary edge.
            let mut cuts = vec![0.0, 1.0];
            let seg = Line::new(a, b);
            let seg_box =
                AABB::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)]);
            let mut touches = false;
            for e in self.edges.locate_in_envelope_intersecting(&seg_box) {
                match line_intersection(seg, e.data.0) {
                    Some(LineIntersection::SinglePoint { intersection, .. }) => {
                        touches = true;
                        cuts.push(fraction_along(a, b, intersection));
                    }
                    Some(_) => touches = true,
                    None => {}
                }
            }
            cuts.sort_by(f64::total_cmp);
            cuts.dedup_by(|x, y| (*x - *y).abs() < 1e-12);
            // A segment that meets no boundary at all stays in the area it started in.
            if !touches && let Some(last) = pieces.last_mut() {
                last.end = b;
                last.length_m += seg_m;
                chainage_m += seg_m;
                continue;
            }
            for c in cuts.windows(2) {
                let (t0, t1) = (c[0], c[1]);
                let at = |t: f64| Coord {
                    x: a.x + (b.x - a.x) * t,
                    y: a.y + (b.y - a.y) * t,
                };
                let area = self.area_of(at((t0 + t1) / 2.0));
                let length_m = seg_m * (t1 - t0);
                match pieces.last_mut() {
                    Some(last) if last.area == area => {
                        last.end = at(t1);
                        last.length_m += length_m;
                    }
                    _ => pieces.push(Piece {
                        area,
                        start: at(t0),
                        end: at(t1),
                        chainage_m,
                        length_m,
                    }),
                }
                chainage_m += length_m;
            }
        }
        pieces
    }
}

/// The ring edges of a polygonal geometry (none for other kinds).
fn polygon_edges(g: &Geometry<f64>) -> Vec<Line<f64>> {
    let polygons: Vec<&geo::Polygon<f64>> = match g {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        _ => Vec::new(),
    };
    polygons
        .into_iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|ring| ring.lines())
        .collect()
}

fn fraction_along(a: Coord, b: Coord, x: Coord) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        0.0
    } else {
        (((x.x - a.x) * dx + (x.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    }
}
