//! Steps 1–5b of the pipeline for one layer of one tile: select, clip, drop, simplify, thin,
//! snap, leave out what draws no new pixel (see the module doc of [`super`]).

use super::clip::{ClipBox, clip_line, clip_ring};
use super::coord::TileCoord;
use super::coverage::Coverage;
use super::index::TileIndex;
use super::simplify::{GridXY, simplify_line, simplify_ring, snap, snap_ring};
use super::{BUFFER_UNITS, EXTENT, FULL_DETAIL_ZOOM, PIXEL_UNITS, SIMPLIFY_TOLERANCE_UNITS};
use crate::work::{Deadline, OverBudget};
use geo::Coord;
use std::collections::HashMap;

/// A tile feature's geometry on the tile grid, ready to encode.
#[derive(Debug, Clone, PartialEq)]
pub enum TileGeom {
    Points(Vec<GridXY>),
    Lines(Vec<Vec<GridXY>>),
    /// Rings in order: each exterior (positive area) followed by its holes (negative).
    Polygons(Vec<Vec<GridXY>>),
}

impl TileGeom {
    fn rank(&self) -> u8 {
        match self {
            TileGeom::Points(_) => 0,
            TileGeom::Lines(_) => 1,
            TileGeom::Polygons(_) => 2,
        }
    }
}

/// One feature of a tile layer: the data set's feature, its MVT id and its clipped geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct TileFeature {
    /// Index in the data set.
    pub feature: u32,
    pub id: u64,
    pub geom: TileGeom,
    /// For a thinned point: how many single points fell in its pixel cell (itself included).
    pub point_count: Option<u32>,
}

/// The point kept for one pixel cell: the one with the smallest MVT id, so that every tile
/// whose buffer holds the cell keeps the same one.
struct Cell {
    id: u64,
    feature: u32,
    at: GridXY,
    count: u32,
}

/// The features of catalogue layer `layer` in tile `t`, in MVT id order.
pub fn layer_features(
    index: &TileIndex,
    layer: usize,
    t: TileCoord,
    deadline: &Deadline,
) -> Result<Vec<TileFeature>, OverBudget> {
    if t.z < FULL_DETAIL_ZOOM {
        Coverage::with(|c| cut(index, layer, t, deadline, Some(c)))
    } else {
        cut(index, layer, t, deadline, None)
    }
}

/// [`layer_features`], with the pixel coverage of step 5b below full detail.
fn cut(
    index: &TileIndex,
    layer: usize,
    t: TileCoord,
    deadline: &Deadline,
    mut coverage: Option<&mut Coverage>,
) -> Result<Vec<TileFeature>, OverBudget> {
    let (min, max) = t.unit_box(BUFFER_UNITS / EXTENT);
    let bx = ClipBox {
        min: -BUFFER_UNITS,
        max: EXTENT + BUFFER_UNITS,
    };
    let low_zoom = t.z < FULL_DETAIL_ZOOM;
    let to_tile = |c: &Coord| {
        let [x, y] = t.to_tile([c.x, c.y], EXTENT);
        Coord { x, y }
    };
    let mut out = Vec::new();
    let mut cells: HashMap<GridXY, Cell> = HashMap::new();
    let mut candidates: Vec<(u64, u32, [f64; 2], [f64; 2])> = index
        .candidates(layer, min, max)
        .map(|(fi, lo, hi)| (index.id(fi), fi, lo, hi))
        .collect();
    deadline.check()?;
    if low_zoom {
        // Lines and polygons go through the pixel coverage in MVT id order, so that the same
        // ones are kept whatever order the tree gave.
        candidates.sort_unstable_by_key(|c| c.0);
    }
    for (k, (id, fi, lo, hi)) in candidates.into_iter().enumerate() {
        if k % 64 == 0 {
            deadline.check()?;
        }
        let g = index.geometry(fi);
        if !g.points.is_empty() {
            let pts: Vec<Coord> = g
                .points
                .iter()
                .map(to_tile)
                .filter(|p| bx.contains(*p))
                .collect();
            let pts = snap(&pts);
            let single = g.points.len() == 1 && g.lines.is_empty() && g.polygons.is_empty();
            if low_zoom
                && single
                && let [at] = pts[..]
            {
                // Cells of a pixel; tile origins are multiples of it, so the cells are the
                // same in every tile that holds them.
                let key = (
                    at.0.div_euclid(PIXEL_UNITS as i32),
                    at.1.div_euclid(PIXEL_UNITS as i32),
                );
                let cell = cells.entry(key).or_insert(Cell {
                    id,
                    feature: fi,
                    at,
                    count: 0,
                });
                cell.count += 1;
                if id < cell.id {
                    (cell.id, cell.feature, cell.at) = (id, fi, at);
                }
            } else if !pts.is_empty() {
                out.push(TileFeature {
                    feature: fi,
                    id,
                    geom: TileGeom::Points(pts),
                    point_count: None,
                });
            }
        }
        if g.lines.is_empty() && g.polygons.is_empty() {
            continue;
        }
        // Below full detail, a line or polygon whose whole box lies on drawn pixels is left
        // out before it is cut (step 5b).
        if let Some(c) = coverage.as_deref()
            && c.box_drawn(t.to_tile(lo, EXTENT), t.to_tile(hi, EXTENT))
        {
            continue;
        }
        let mut lines = Vec::new();
        for line in &g.lines {
            let tile_line: Vec<Coord> = line.iter().map(to_tile).collect();
            let mut parts = Vec::new();
            clip_line(&tile_line, bx, &mut parts);
            for part in parts {
                let snapped = snap(&simplify_line(part, SIMPLIFY_TOLERANCE_UNITS));
                if snapped.len() >= 2 {
                    lines.push(snapped);
                }
            }
        }
        if !lines.is_empty() && coverage.as_deref_mut().is_none_or(|c| c.keep_lines(&lines)) {
            out.push(TileFeature {
                feature: fi,
                id,
                geom: TileGeom::Lines(lines),
                point_count: None,
            });
        }
        let mut rings = Vec::new();
        for polygon in &g.polygons {
            for (r, ring) in polygon.iter().enumerate() {
                let tile_ring: Vec<Coord> = ring.iter().map(to_tile).collect();
                let simplified = simplify_ring(clip_ring(&tile_ring, bx), SIMPLIFY_TOLERANCE_UNITS);
                // A ring a few grid units across can lose its area to the simplification
                // alone: then it goes in as cut, if snapping leaves it an area.
                let snapped = snap_ring(&simplified, r == 0)
                    .or_else(|| snap_ring(&clip_ring(&tile_ring, bx), r == 0));
                match snapped {
                    Some(s) => rings.push(s),
                    // An exterior gone takes its holes with it.
                    None if r == 0 => break,
                    None => {}
                }
            }
        }
        if !rings.is_empty()
            && coverage
                .as_deref_mut()
                .is_none_or(|c| c.keep_polygons(&rings))
        {
            out.push(TileFeature {
                feature: fi,
                id,
                geom: TileGeom::Polygons(rings),
                point_count: None,
            });
        }
    }
    out.extend(cells.into_values().map(|c| TileFeature {
        feature: c.feature,
        id: c.id,
        geom: TileGeom::Points(vec![c.at]),
        point_count: Some(c.count),
    }));
    // The same bytes for the same tile, whatever order the tree and the cells came in.
    out.sort_unstable_by_key(|f| (f.id, f.geom.rank()));
    Ok(out)
}
