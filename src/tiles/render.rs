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
    let (min, max) = t.unit_box(BUFFER_UNITS / EXTENT);
    let bx = ClipBox {
        min: -BUFFER_UNITS,
        max: EXTENT + BUFFER_UNITS,
    };
    let low_zoom = t.z < FULL_DETAIL_ZOOM;
    // One pixel in unit mercator at this zoom.
    let pixel_unit = PIXEL_UNITS / EXTENT / t.tiles_across();
    let to_tile = |c: &Coord| {
        let [x, y] = t.to_tile([c.x, c.y], EXTENT);
        Coord { x, y }
    };
    let mut out = Vec::new();
    let mut cells: HashMap<GridXY, Cell> = HashMap::new();
    for (k, (fi, lo, hi)) in index.candidates(layer, min, max).enumerate() {
        if k % 64 == 0 {
            deadline.check()?;
        }
        let g = index.geometry(fi);
        let id = index.id(fi);
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
        // Below full detail, lines and polygons under a pixel in both directions are dropped.
        if low_zoom && hi[0] - lo[0] < pixel_unit && hi[1] - lo[1] < pixel_unit {
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
        if !lines.is_empty() {
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
                let clipped = simplify_ring(clip_ring(&tile_ring, bx), SIMPLIFY_TOLERANCE_UNITS);
                match snap_ring(&clipped, r == 0) {
                    Some(s) => rings.push(s),
                    // An exterior gone takes its holes with it.
                    None if r == 0 => break,
                    None => {}
                }
            }
        }
        if !rings.is_empty() {
            out.push(TileFeature {
                feature: fi,
                id,
                geom: TileGeom::Polygons(rings),
                point_count: None,
            });
        }
    }
    if low_zoom {
        // Step 5b: lines and polygons that would draw no pixel not drawn already, in MVT id
        // order so that the same ones are kept whatever order the tree gave.
        out.sort_unstable_by_key(|f| (f.id, f.geom.rank()));
        let mut coverage = Coverage::default();
        out.retain(|f| match &f.geom {
            TileGeom::Points(_) => true,
            TileGeom::Lines(lines) => coverage.keep_lines(lines),
            TileGeom::Polygons(rings) => coverage.keep_polygons(rings),
        });
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
