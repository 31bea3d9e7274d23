//! S_INTERSECTS and the spatial literals (Basic Spatial Functions, with additional Spatial
//! Literals): WKT or GeoJSON geometries and BBOX, converted to CRS84 once at compile time.

use super::compile::{Compiler, Ty, render};
use super::eval::Pred;
use crate::geodesy::LonLatRect;
use crate::ogc::queryables::Kind;
use cql2::Expr;
use geo::{BoundingRect, Coord, Geometry, Intersects, MultiPolygon, Rect};

/// A spatial literal in CRS84 lon/lat, with the envelopes the R-tree is asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Spatial {
    pub geometry: Geometry<f64>,
    pub bounds: Option<Rect<f64>>,
    pub envelopes: Vec<LonLatRect>,
}

/// Parts of a multi-geometry beyond which its envelopes are merged into one.
const MAX_ENVELOPES: usize = 64;

impl Spatial {
    pub(crate) fn new(geometry: Geometry<f64>) -> Spatial {
        let rect = |g: &dyn BoundingRect<f64, Output = Option<Rect<f64>>>| g.bounding_rect();
        let parts: Vec<Option<Rect<f64>>> = match &geometry {
            Geometry::MultiPoint(m) if m.0.len() <= MAX_ENVELOPES => {
                m.0.iter().map(|p| Some(Rect::new(p.0, p.0))).collect()
            }
            Geometry::MultiLineString(m) if m.0.len() <= MAX_ENVELOPES => {
                m.0.iter().map(|l| rect(l)).collect()
            }
            Geometry::MultiPolygon(m) if m.0.len() <= MAX_ENVELOPES => {
                m.0.iter().map(|p| rect(p)).collect()
            }
            Geometry::GeometryCollection(c) if c.0.len() <= MAX_ENVELOPES => {
                c.0.iter().map(|g| rect(g)).collect()
            }
            g => vec![g.bounding_rect()],
        };
        let envelopes = parts
            .into_iter()
            .flatten()
            .map(|r| LonLatRect {
                min: r.min(),
                max: r.max(),
            })
            .collect();
        Spatial {
            bounds: geometry.bounding_rect(),
            geometry,
            envelopes,
        }
    }

    pub(crate) fn intersects(&self, g: &Geometry<f64>) -> bool {
        let Some(bounds) = self.bounds else {
            return false; // an empty literal intersects nothing
        };
        // A point outside the literal's box is out without the exact test.
        if let Geometry::Point(p) = g
            && !bounds.intersects(p)
        {
            return false;
        }
        match &self.geometry {
            Geometry::Rect(r) => g.intersects(r),
            other => g.intersects(other),
        }
    }
}

enum SpatialArg {
    Property,
    Literal(Spatial),
    Null,
}

impl Compiler<'_> {
    fn spatial_arg(&self, e: &Expr) -> Result<SpatialArg, String> {
        let literal = |g: Geometry<f64>| -> Result<SpatialArg, String> {
            let g = (self.to_crs84)(g).map_err(|why| {
                format!(
                    "the spatial literal {} cannot be converted to CRS84: {why}",
                    render(e)
                )
            })?;
            Ok(SpatialArg::Literal(Spatial::new(g)))
        };
        match e {
            Expr::Property { property } => {
                let q = self.queryable(property)?;
                match q.kind {
                    Kind::Geometry(_) => Ok(SpatialArg::Property),
                    _ => Err(format!(
                        "S_INTERSECTS compares geometries; {property} is {}",
                        Ty::of(q.kind).describe()
                    )),
                }
            }
            Expr::Geometry(_) => {
                let g = Geometry::try_from(e.clone()).map_err(|why| {
                    format!("the geometry literal {} cannot be read: {why}", render(e))
                })?;
                check_literal(&g).map_err(|why| {
                    format!("the geometry literal {} is invalid: {why}", render(e))
                })?;
                literal(g)
            }
            Expr::BBox { bbox } => literal(bbox_geometry(bbox)?),
            Expr::Null => Ok(SpatialArg::Null),
            other => Err(format!(
                "S_INTERSECTS takes the spatial queryable and a geometry literal or BBOX; got {}",
                render(other)
            )),
        }
    }

    pub(super) fn intersects(&self, a: &Expr, b: &Expr) -> Result<Pred, String> {
        Ok(match (self.spatial_arg(a)?, self.spatial_arg(b)?) {
            (SpatialArg::Null, _) | (_, SpatialArg::Null) => Pred::Const(None),
            (SpatialArg::Property, SpatialArg::Literal(s))
            | (SpatialArg::Literal(s), SpatialArg::Property) => Pred::Intersects(Box::new(s)),
            (SpatialArg::Literal(a), SpatialArg::Literal(b)) => Pred::Const(Some(
                a.bounds.is_some() && b.bounds.is_some() && a.geometry.intersects(&b.geometry),
            )),
            // Every feature has a geometry, and it intersects itself.
            (SpatialArg::Property, SpatialArg::Property) => Pred::Const(Some(true)),
        })
    }
}

/// The WKT rules `cql2` leaves to the reader: a line has at least 2 positions, a polygon ring
/// at least 4 (closed).
fn check_literal(g: &Geometry<f64>) -> Result<(), String> {
    use geo::{LineString, Polygon};
    let line = |l: &LineString<f64>| {
        if l.0.len() == 1 {
            Err("a linestring needs at least 2 positions".to_string())
        } else {
            Ok(())
        }
    };
    let polygon = |p: &Polygon<f64>| {
        std::iter::once(p.exterior()).chain(p.interiors()).try_for_each(|r| {
            if !r.0.is_empty() && r.0.len() < 4 {
                Err(format!("a polygon ring needs at least 4 positions, first and last equal; this one has {}", r.0.len()))
            } else {
                Ok(())
            }
        })
    };
    match g {
        Geometry::LineString(l) => line(l),
        Geometry::MultiLineString(m) => m.0.iter().try_for_each(line),
        Geometry::Polygon(p) => polygon(p),
        Geometry::MultiPolygon(m) => m.0.iter().try_for_each(polygon),
        Geometry::GeometryCollection(c) => c.0.iter().try_for_each(check_literal),
        _ => Ok(()),
    }
}

/// A BBOX literal (west, south, [min z,] east, north [, max z]) as a geometry; a west edge east
/// of the east edge crosses the antimeridian, as in Part 1's `bbox`.
fn bbox_geometry(values: &[Box<Expr>]) -> Result<Geometry<f64>, String> {
    let n: Vec<f64> = values
        .iter()
        .map(|v| match **v {
            Expr::Float(x) if x.is_finite() => Ok(x),
            ref other => Err(format!("BBOX takes numbers, got {}", render(other))),
        })
        .collect::<Result<_, _>>()?;
    let (w, s, e, north) = match n.as_slice() {
        [w, s, e, north] | [w, s, _, e, north, _] => (*w, *s, *e, *north),
        _ => return Err(format!("BBOX takes 4 or 6 numbers, got {}", n.len())),
    };
    if s > north {
        return Err(format!("BBOX south {s} is greater than north {north}"));
    }
    let rect = |w: f64, e: f64| Rect::new(Coord { x: w, y: s }, Coord { x: e, y: north });
    Ok(if w <= e {
        Geometry::Rect(rect(w, e))
    } else {
        Geometry::MultiPolygon(MultiPolygon(vec![
            rect(w, 180.0).to_polygon(),
            rect(-180.0, e).to_polygon(),
        ]))
    })
}
