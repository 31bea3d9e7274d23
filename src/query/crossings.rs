//! Line features that cross the Chongqing–Guizhou border.
//!
//! Each line is split where it meets a province boundary (see [`Areas::split`]). A crossing is a
//! passage from one province straight into the other, or through a gap outside both of at most
//! [`MAX_GAP_M`]: boundaries from different surveys never meet exactly, so a line can leave one
//! polygon a few hundred metres before it enters the other. Its point is where the line enters
//! the second province.

use super::region::Areas;
use crate::index::Dataset;
use crate::layers::{Boundary, Feature, GeometryKind, Province};
use crate::work::{Deadline, OverBudget};
use geo::{Coord, Geometry};

/// Longest stretch outside both provinces that still counts as crossing the shared border.
pub const MAX_GAP_M: f64 = 5_000.0;

/// The province polygons, indexed for splitting lines.
#[derive(Debug)]
pub struct Border {
    areas: Areas,
    provinces: Vec<Province>,
}

/// One passage across the border.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    pub point: Coord,
    pub from: Province,
    pub to: Province,
    pub chainage_m: f64,
}

/// How a line divides between the provinces.
#[derive(Debug, Clone, PartialEq)]
pub struct Division {
    pub crossings: Vec<Crossing>,
    pub chongqing_m: f64,
    pub guizhou_m: f64,
    pub other_m: f64,
}

impl Border {
    /// From the province boundary layers; `None` when the data has no polygons for both.
    pub fn from_dataset(ds: &Dataset) -> Option<Border> {
        let mut geometries = Vec::new();
        let mut provinces = Vec::new();
        for f in &ds.features {
            if ds.layer_of(f).boundary == Some(Boundary::Province)
                && let Some(p) = f.provinces.only()
            {
                geometries.push(f.geometry.clone());
                provinces.push(p);
            }
        }
        let has = |p| provinces.contains(&p);
        (has(Province::Chongqing) && has(Province::Guizhou)).then(|| Border {
            areas: Areas::new(geometries),
            provinces,
        })
    }

    /// Splits parts in order (chainage runs on across parts; a crossing never spans two parts).
    pub fn divide(&self, parts: &[Vec<Coord>]) -> Division {
        let mut d = Division {
            crossings: Vec::new(),
            chongqing_m: 0.0,
            guizhou_m: 0.0,
            other_m: 0.0,
        };
        let mut offset_m = 0.0;
        for part in parts {
            // The province last inside, and metres since leaving it.
            let mut last: Option<(Province, f64)> = None;
            let mut part_m = 0.0;
            for piece in self.areas.split(part) {
                let province = piece.area.map(|i| self.provinces[i]);
                match province {
                    Some(Province::Chongqing) => d.chongqing_m += piece.length_m,
                    Some(Province::Guizhou) => d.guizhou_m += piece.length_m,
                    None => d.other_m += piece.length_m,
                }
                last = match (province, last) {
                    (Some(to), Some((from, gap_m))) => {
                        if to != from && gap_m <= MAX_GAP_M {
                            d.crossings.push(Crossing {
                                point: piece.start,
                                from,
                                to,
                                chainage_m: offset_m + piece.chainage_m,
                            });
                        }
                        Some((to, 0.0))
                    }
                    (Some(to), None) => Some((to, 0.0)),
                    (None, Some((from, gap_m))) => Some((from, gap_m + piece.length_m)),
                    (None, None) => None,
                };
                part_m = piece.chainage_m + piece.length_m;
            }
            offset_m += part_m;
        }
        d
    }
}

/// The vertex sequences of a line feature; empty for other kinds.
pub fn line_parts(f: &Feature) -> Vec<Vec<Coord>> {
    match &f.geometry {
        Geometry::LineString(l) => vec![l.0.clone()],
        Geometry::MultiLineString(ml) => ml.0.iter().map(|l| l.0.clone()).collect(),
        _ => Vec::new(),
    }
}

/// Every line feature (of `layers`, or of every layer queried by default that holds lines: see
/// [`LayerSpec::queried_by_default`](crate::layers::LayerSpec::queried_by_default)) with at
/// least one crossing, in catalogue order; stops with [`OverBudget`] once `deadline` has passed
/// (looked at once per line: splitting one costs an R-tree query per segment).
pub fn crossings(
    ds: &Dataset,
    border: &Border,
    layers: &[usize],
    deadline: &Deadline,
) -> Result<Vec<(u32, Division)>, OverBudget> {
    let mut found = Vec::new();
    for (i, f) in ds.features.iter().enumerate() {
        let l = usize::from(f.layer);
        let spec = &ds.catalogue.layers[l];
        let wanted = if layers.is_empty() {
            spec.queried_by_default() && spec.geometry.contains(&GeometryKind::Line)
        } else {
            layers.contains(&l)
        };
        if !wanted {
            continue;
        }
        let parts = line_parts(f);
        if parts.is_empty() {
            continue;
        }
        deadline.check()?;
        let d = border.divide(&parts);
        if !d.crossings.is_empty() {
            found.push((u32::try_from(i).expect("fewer than 2^32 features"), d));
        }
    }
    Ok(found)
}
