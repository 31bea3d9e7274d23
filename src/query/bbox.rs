//! Features intersecting a lon/lat box, paged: the box rule of `/api/features` (min ≤ max:
//! no box crosses the antimeridian) over [`select::page`].

use super::select::{self, Page, Selection};
use super::{Filter, InvalidParameter};
use crate::geodesy::LonLatRect;
use crate::index::Dataset;
use crate::work::{Deadline, OverBudget};
use geo::Coord;

/// Default and largest page size of `/api/features`.
pub const DEFAULT_LIMIT: usize = 1000;
pub const MAX_LIMIT: usize = 10_000;

/// A validated lon/lat box (WGS84 degrees): min ≤ max, inside [-180, 180] × [-90, 90].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox(LonLatRect);

impl Bbox {
    pub const WORLD: Bbox = Bbox(LonLatRect {
        min: Coord {
            x: -180.0,
            y: -90.0,
        },
        max: Coord { x: 180.0, y: 90.0 },
    });

    /// Parses `minLon,minLat,maxLon,maxLat`.
    pub fn parse(parameter: &str, text: &str) -> Result<Bbox, InvalidParameter> {
        let err = |detail: String| InvalidParameter::new(parameter, detail);
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() != 4 {
            return Err(err(format!(
                "expected 4 comma-separated numbers minLon,minLat,maxLon,maxLat, got {} value(s)",
                parts.len()
            )));
        }
        let mut v = [0.0; 4];
        for (i, (part, name)) in parts
            .iter()
            .zip(["minLon", "minLat", "maxLon", "maxLat"])
            .enumerate()
        {
            v[i] = part
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| err(format!("{name} must be a finite number, got {part:?}")))?;
        }
        let [min_lon, min_lat, max_lon, max_lat] = v;
        for (name, lon) in [("minLon", min_lon), ("maxLon", max_lon)] {
            if !(-180.0..=180.0).contains(&lon) {
                return Err(err(format!("{name} {lon} is out of range [-180, 180]")));
            }
        }
        for (name, lat) in [("minLat", min_lat), ("maxLat", max_lat)] {
            if !(-90.0..=90.0).contains(&lat) {
                return Err(err(format!("{name} {lat} is out of range [-90, 90]")));
            }
        }
        if min_lon > max_lon {
            return Err(err(format!(
                "minLon {min_lon} is greater than maxLon {max_lon}"
            )));
        }
        if min_lat > max_lat {
            return Err(err(format!(
                "minLat {min_lat} is greater than maxLat {max_lat}"
            )));
        }
        Ok(Bbox(LonLatRect {
            min: Coord {
                x: min_lon,
                y: min_lat,
            },
            max: Coord {
                x: max_lon,
                y: max_lat,
            },
        }))
    }

    pub fn rect(self) -> LonLatRect {
        self.0
    }
}

/// Features whose geometry intersects `bbox` (boundary included) and pass `filter`, in
/// catalogue order then file order; stops with [`OverBudget`] once `deadline` has passed.
pub fn features_in(
    ds: &Dataset,
    bbox: Bbox,
    filter: &Filter,
    limit: usize,
    offset: usize,
    deadline: &Deadline,
) -> Result<Page, OverBudget> {
    let boxes = [bbox.rect()];
    let sel = Selection {
        boxes: Some(&boxes),
        ..Selection::filtered(filter)
    };
    select::page(ds, &sel, limit, offset, deadline)
}
