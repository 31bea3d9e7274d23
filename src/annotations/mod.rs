//! What the map draws that is no feature of its own but derived from whole layers, computed once
//! per snapshot so the page never needs every feature: the Chongqing–Guizhou border line, a
//! label point inside each boundary polygon, and the numbered stops of each tourist route.
//!
//! These are for drawing only: no distance a user sees comes from here (the border questions
//! of `/api/crossings` and `/api/region` use [`crate::query`]'s exact geodesics).

mod border;

use crate::index::Dataset;
use geo::{Area, Coord, Geometry, MultiLineString, Polygon};

/// A label point of a boundary polygon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Label {
    /// Index of the feature in the data set.
    pub feature: u32,
    pub at: Coord,
}

/// One stop of a route, numbered from 1 in the route's order.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteStop {
    /// The route feature.
    pub route: u32,
    /// The stop feature.
    pub stop: u32,
    pub number: u32,
    pub at: Coord,
}

/// Everything of this module for one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Annotations {
    /// Where the Chongqing and Guizhou outlines run together; `None` without both provinces.
    pub border: Option<MultiLineString>,
    /// One per polygon feature of the boundary layers, in data order.
    pub labels: Vec<Label>,
    /// Route features (those with a `stops` list of feature ids), in data order.
    pub routes: Vec<u32>,
    /// Their stops; ids that name no feature are left out (`yuqian check` reports them).
    pub route_stops: Vec<RouteStop>,
}

impl Annotations {
    pub fn build(ds: &Dataset) -> Annotations {
        let mut labels = Vec::new();
        let mut routes = Vec::new();
        let mut route_stops = Vec::new();
        for (i, f) in ds.features.iter().enumerate() {
            let i = i as u32;
            if ds.layer_of(f).boundary.is_some()
                && let Some(at) = polygon_label(&f.geometry)
            {
                labels.push(Label { feature: i, at });
            }
            let Some(stops) = f.extra().get("stops").and_then(|s| s.as_array()) else {
                continue;
            };
            routes.push(i);
            for (n, id) in stops.iter().enumerate() {
                let number = u32::try_from(n + 1).unwrap_or(u32::MAX);
                let stop = id.as_str().and_then(|id| ds.find(id));
                if let Some(stop) = stop
                    && let Some(at) = anchor(&ds.feature(stop).geometry)
                {
                    route_stops.push(RouteStop {
                        route: i,
                        stop,
                        number,
                        at,
                    });
                }
            }
        }
        Annotations {
            border: border::shared_border(ds),
            labels,
            routes,
            route_stops,
        }
    }
}

/// The polygons of a polygon geometry (empty for other kinds).
fn polygons(g: &Geometry) -> Vec<&Polygon> {
    match g {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        _ => Vec::new(),
    }
}

/// The pole of inaccessibility of the largest part: the point inside farthest from the
/// outline, where a label fits best (the `polylabel` crate, to a hundredth of the part's size).
pub fn polygon_label(g: &Geometry) -> Option<Coord> {
    let largest = polygons(g)
        .into_iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    let r = geo::BoundingRect::bounding_rect(largest)?;
    let tolerance = (r.width().max(r.height()) / 100.0).max(1e-6);
    match polylabel::polylabel(largest, &tolerance) {
        Ok(p) => Some(p.0),
        // Degenerate rings: any vertex is as good a place as any.
        Err(_) => largest.exterior().0.first().copied(),
    }
}

/// A representative position of any geometry: a point itself, a line's middle vertex, a
/// polygon's label point.
pub fn anchor(g: &Geometry) -> Option<Coord> {
    match g {
        Geometry::Point(p) => Some(p.0),
        Geometry::MultiPoint(mp) => mp.0.first().map(|p| p.0),
        Geometry::LineString(l) => l.0.get(l.0.len() / 2).copied(),
        Geometry::MultiLineString(ml) => ml.0.first().and_then(|l| l.0.get(l.0.len() / 2).copied()),
        _ => polygon_label(g),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, polygon};

    #[test]
    fn a_label_lies_inside_the_largest_part_away_from_its_outline() {
        // An L: the centroid of its box lies outside it.
        let l = polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 2.0), (x: 2.0, y: 2.0), (x: 2.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)];
        let small = polygon![(x: 20.0, y: 20.0), (x: 21.0, y: 20.0), (x: 21.0, y: 21.0), (x: 20.0, y: 21.0), (x: 20.0, y: 20.0)];
        let g = Geometry::MultiPolygon(geo::MultiPolygon(vec![small, l.clone()]));
        let at = polygon_label(&g).unwrap();
        assert!(geo::Contains::contains(&l, &geo::Point(at)), "{at:?}");
        assert!(at.x < 2.0 || at.y < 2.0);
    }

    #[test]
    fn anchors_of_each_kind() {
        assert_eq!(
            anchor(&Geometry::Point(geo::Point::new(1.0, 2.0))),
            Some(Coord { x: 1.0, y: 2.0 })
        );
        let line = LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (2.0, 0.0)]);
        assert_eq!(
            anchor(&Geometry::LineString(line)),
            Some(Coord { x: 1.0, y: 0.0 })
        );
        assert_eq!(anchor(&Geometry::LineString(LineString::new(vec![]))), None);
    }
}
