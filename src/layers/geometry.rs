//! GeoJSON geometries: reading them into geo types and checking them (positions in range,
//! lines with 2 distinct points, closed rings of 4 positions and 3 distinct points).
//!
//! As for features (`validate`), a fast path reads the usual shape straight into coordinates and
//! the geojson crate reads everything else; the checks are the same functions for both, so the
//! two cannot word a problem differently.

use super::GeometryKind;
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// Parses and validates a GeoJSON geometry object into a geo geometry.
pub fn parse_geometry(value: &Value) -> Result<(Geometry<f64>, GeometryKind), String> {
    // The usual shape reads straight from the Value; anything else goes through the geojson
    // crate, whose errors name what is wrong.
    if let Ok(FastGeometry::Parsed(result)) = FastGeometry::deserialize(value) {
        return result;
    }
    let g: geojson::Geometry =
        serde_json::from_value(value.clone()).map_err(|e| format!("invalid geometry: {e}"))?;
    use geojson::GeometryValue as G;
    match g.value {
        G::Point { coordinates } => build(Coordinates::Point(coordinates)),
        G::MultiPoint { coordinates } => build(Coordinates::MultiPoint(coordinates)),
        G::LineString { coordinates } => build(Coordinates::LineString(coordinates)),
        G::MultiLineString { coordinates } => build(Coordinates::MultiLineString(coordinates)),
        G::Polygon { coordinates } => build(Coordinates::Polygon(coordinates)),
        G::MultiPolygon { coordinates } => build(Coordinates::MultiPolygon(coordinates)),
        G::GeometryCollection { .. } => {
            Err("GeometryCollection is not supported: use one feature per geometry".into())
        }
    }
}

/// A position as read by either path: the geojson crate's (any count of numbers) or the fast
/// path's (exactly two).
trait AsPosition: Sized {
    /// The numbers of the position; only the slow path can see other counts than two.
    fn lon_lat(&self) -> Result<(f64, f64), String>;

    /// The checked coordinates, in a vector of exactly their number: they stay resident for
    /// the life of the server, so no growth slack.
    fn into_coords(positions: Vec<Self>) -> Result<Vec<Coord>, String> {
        let mut out = Vec::with_capacity(positions.len());
        for p in &positions {
            out.push(position(p)?);
        }
        Ok(out)
    }
}

impl AsPosition for geojson::Position {
    fn lon_lat(&self) -> Result<(f64, f64), String> {
        match self.as_slice() {
            [lon, lat] => Ok((*lon, *lat)),
            s => Err(format!(
                "a position must be [lon, lat], got {} numbers",
                s.len()
            )),
        }
    }
}

impl AsPosition for Coord {
    fn lon_lat(&self) -> Result<(f64, f64), String> {
        Ok((self.x, self.y))
    }

    /// Checked where they are: the fast path already sized the vector exactly.
    fn into_coords(positions: Vec<Coord>) -> Result<Vec<Coord>, String> {
        for p in &positions {
            position(p)?;
        }
        Ok(positions)
    }
}

/// The coordinates of a geometry by kind, nested as GeoJSON nests them.
enum Coordinates<P> {
    Point(P),
    MultiPoint(Vec<P>),
    LineString(Vec<P>),
    MultiLineString(Vec<Vec<P>>),
    Polygon(Vec<Vec<P>>),
    MultiPolygon(Vec<Vec<Vec<P>>>),
}

/// Checks coordinates and builds the geometry; the first problem found, in file order, wins.
fn build<P: AsPosition>(c: Coordinates<P>) -> Result<(Geometry<f64>, GeometryKind), String> {
    Ok(match c {
        Coordinates::Point(p) => (Geometry::Point(Point(position(&p)?)), GeometryKind::Point),
        Coordinates::MultiPoint(ps) => {
            if ps.is_empty() {
                return Err("MultiPoint has no points".into());
            }
            let points = P::into_coords(ps)?.into_iter().map(Point).collect();
            (
                Geometry::MultiPoint(MultiPoint(points)),
                GeometryKind::Point,
            )
        }
        Coordinates::LineString(ps) => (Geometry::LineString(line(ps)?), GeometryKind::Line),
        Coordinates::MultiLineString(ls) => (
            Geometry::MultiLineString(MultiLineString(parts(ls, "MultiLineString", "line", line)?)),
            GeometryKind::Line,
        ),
        Coordinates::Polygon(rings) => (Geometry::Polygon(polygon(rings)?), GeometryKind::Polygon),
        Coordinates::MultiPolygon(polys) => (
            Geometry::MultiPolygon(MultiPolygon(parts(
                polys,
                "MultiPolygon",
                "polygon",
                polygon,
            )?)),
            GeometryKind::Polygon,
        ),
    })
}

/// Every part of a Multi* geometry, naming the part at fault.
fn parts<P, T>(
    items: Vec<P>,
    kind: &str,
    part: &str,
    parse: impl Fn(P) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    if items.is_empty() {
        return Err(format!("{kind} has no {part}s"));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        out.push(parse(item).map_err(|e| format!("{part} {i}: {e}"))?);
    }
    Ok(out)
}

fn position<P: AsPosition>(p: &P) -> Result<Coord, String> {
    let (lon, lat) = p.lon_lat()?;
    if !lon.is_finite() || !lat.is_finite() {
        return Err(format!("coordinates must be finite, got [{lon}, {lat}]"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(format!("longitude {lon} is out of range [-180, 180]"));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!("latitude {lat} is out of range [-90, 90]"));
    }
    Ok(Coord { x: lon, y: lat })
}

/// Whether `coords` holds at least `n` (1 to 3) distinct positions, comparing bit patterns.
/// One pass without allocating, since every line and ring of the data goes through it.
fn has_distinct(coords: &[Coord], n: usize) -> bool {
    let bits = |c: &Coord| (c.x.to_bits(), c.y.to_bits());
    let mut first = [(0, 0); 3];
    let mut count = 0;
    for c in coords {
        let b = bits(c);
        if !first[..count].contains(&b) {
            first[count] = b;
            count += 1;
            if count >= n {
                return true;
            }
        }
    }
    false
}

fn line<P: AsPosition>(positions: Vec<P>) -> Result<LineString<f64>, String> {
    let cs = P::into_coords(positions)?;
    if !has_distinct(&cs, 2) {
        return Err("a line needs at least 2 distinct points".into());
    }
    Ok(LineString(cs))
}

fn polygon<P: AsPosition>(rings: Vec<Vec<P>>) -> Result<Polygon<f64>, String> {
    if rings.is_empty() {
        return Err("a polygon needs an exterior ring".into());
    }
    // No allocation for the interiors of the usual polygon, which has none: the geometries stay
    // resident for the life of the server.
    let mut exterior = None;
    let mut interiors = Vec::with_capacity(rings.len() - 1);
    for (i, ring) in rings.into_iter().enumerate() {
        let cs = P::into_coords(ring)?;
        let which = if i == 0 {
            "exterior ring".to_string()
        } else {
            format!("interior ring {i}")
        };
        if cs.len() < 4 {
            return Err(format!(
                "{which} must have at least 4 positions, got {}",
                cs.len()
            ));
        }
        if cs.first() != cs.last() {
            return Err(format!(
                "{which} is not closed: its first and last positions differ"
            ));
        }
        if !has_distinct(&cs, 3) {
            return Err(format!("{which} must have at least 3 distinct points"));
        }
        if i == 0 {
            exterior = Some(LineString(cs));
        } else {
            interiors.push(LineString(cs));
        }
    }
    let exterior = exterior.expect("rings is not empty, so ring 0 was read");
    Ok(Polygon::new(exterior, interiors))
}

/// A geometry read without a `Value`: `null`, or a geometry object of the usual shape with its
/// checks applied.
pub(super) enum FastGeometry {
    Null,
    Parsed(Result<(Geometry<f64>, GeometryKind), String>),
}

#[derive(Deserialize)]
enum FastKind {
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
}

impl<'de> Deserialize<'de> for FastGeometry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FastGeometry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("null or a geometry object with \"type\" before \"coordinates\"")
            }
            fn visit_unit<E: de::Error>(self) -> Result<FastGeometry, E> {
                Ok(FastGeometry::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastGeometry, A::Error> {
                let unusual = || de::Error::custom("an unusual geometry object");
                if map.next_key::<&str>()? != Some("type") {
                    return Err(unusual());
                }
                let kind: FastKind = map.next_value()?;
                if map.next_key::<&str>()? != Some("coordinates") {
                    return Err(unusual());
                }
                let result = match kind {
                    FastKind::Point => build(Coordinates::Point(map.next_value::<Pos>()?.0)),
                    FastKind::MultiPoint => {
                        build(Coordinates::MultiPoint(map.next_value::<Positions>()?.0))
                    }
                    FastKind::LineString => {
                        build(Coordinates::LineString(map.next_value::<Positions>()?.0))
                    }
                    FastKind::MultiLineString => {
                        let ls: Vec<Positions> = map.next_value()?;
                        build(Coordinates::MultiLineString(
                            ls.into_iter().map(|p| p.0).collect(),
                        ))
                    }
                    FastKind::Polygon => {
                        let rings: Vec<Positions> = map.next_value()?;
                        build(Coordinates::Polygon(
                            rings.into_iter().map(|p| p.0).collect(),
                        ))
                    }
                    FastKind::MultiPolygon => {
                        let polys: Vec<Vec<Positions>> = map.next_value()?;
                        build(Coordinates::MultiPolygon(
                            polys
                                .into_iter()
                                .map(|p| p.into_iter().map(|r| r.0).collect())
                                .collect(),
                        ))
                    }
                };
                if map.next_key::<IgnoredAny>()?.is_some() {
                    return Err(unusual());
                }
                Ok(FastGeometry::Parsed(result))
            }
        }
        d.deserialize_any(V)
    }
}

/// A position of exactly two numbers; other counts fail, for the slow path to name.
struct Pos(Coord);

/// A list of positions in a vector of exactly their number, without the growth steps (and the
/// freed blocks they leave between the resident ones) of collecting into a `Vec`.
struct Positions(Vec<Coord>);

/// Positions gathered on the stack before the one allocation; longer lists spill to a `Vec`.
const STACK_POSITIONS: usize = 32;

impl<'de> Deserialize<'de> for Positions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Positions;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of positions")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Positions, A::Error> {
                let mut stack = [Coord { x: 0.0, y: 0.0 }; STACK_POSITIONS];
                let mut n = 0;
                while n < STACK_POSITIONS {
                    match seq.next_element::<Pos>()? {
                        Some(p) => stack[n] = p.0,
                        None => return Ok(Positions(stack[..n].to_vec())),
                    }
                    n += 1;
                }
                let mut spilled = stack.to_vec();
                while let Some(p) = seq.next_element::<Pos>()? {
                    spilled.push(p.0);
                }
                spilled.shrink_to_fit();
                Ok(Positions(spilled))
            }
        }
        d.deserialize_seq(V)
    }
}

impl<'de> Deserialize<'de> for Pos {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pos;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("[lon, lat]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Pos, A::Error> {
                let wrong = || de::Error::custom("not two numbers");
                let x: f64 = seq.next_element()?.ok_or_else(wrong)?;
                let y: f64 = seq.next_element()?.ok_or_else(wrong)?;
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(wrong());
                }
                Ok(Pos(Coord { x, y }))
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_geometry_reads_a_posted_line() {
        let v = serde_json::json!({"type": "LineString", "coordinates": [[106, 28], [107, 29]]});
        let (g, kind) = parse_geometry(&v).unwrap();
        assert_eq!(kind, GeometryKind::Line);
        assert_eq!(
            g,
            Geometry::LineString(vec![(106.0, 28.0), (107.0, 29.0)].into())
        );
        let bad = serde_json::json!({"coordinates": [[106, 28]], "type": "LineString"});
        assert_eq!(
            parse_geometry(&bad).unwrap_err(),
            "a line needs at least 2 distinct points"
        );
    }
}
