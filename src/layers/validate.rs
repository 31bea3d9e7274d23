//! Checking one feature against the rules of `geodata/FORMAT.md` and turning it into a
//! [`Feature`].
//!
//! Two paths give the same result:
//! 1. The fast path deserializes the feature's JSON text straight into coordinates and typed
//!    slots, without building a `serde_json::Value` for the geometry. It accepts only the usual
//!    shape (a geometry object whose `"type"` comes before `"coordinates"`, positions of exactly
//!    two numbers, no repeated keys) and gives up on anything else.
//! 2. The slow path parses the feature into a `Value` and checks it with the same rules, naming
//!    every problem. It runs only where the fast path gave up, so it is the reference: the fast
//!    path never accepts what the slow path would word differently.

use super::{Accuracy, Feature, GeometryKind, Province, Provinces, Status, Texts};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// Property names the server itself sets on every served feature; a file may not use them.
pub const RESERVED_PROPERTIES: [&str; 6] = [
    "id",
    "layer",
    "distance_m",
    "nearest",
    "chainage_m",
    "crossings",
];

/// What checking one raw feature gives.
#[derive(Debug)]
pub(super) enum Checked {
    Valid(Feature),
    /// The feature breaks the schema: its id (if readable) and every reason, in rule order.
    Invalid {
        id: Option<String>,
        reasons: Vec<String>,
    },
    /// The feature's text is not JSON that a whole-document parse accepts (a number out of
    /// range, a bad escape): the caller names the problem as that parse would, for the file.
    BadJson,
}

/// Checks one feature given as JSON text (one element of a `features` array).
pub(super) fn check_feature(raw: &str, layer: u16, allowed: &[GeometryKind]) -> Checked {
    if let Ok(fast) = serde_json::from_str::<FastFeature>(raw) {
        return validate(fast.0, layer, allowed);
    }
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Object(mut obj)) => {
            let geometry = match obj.remove("geometry") {
                None | Some(Value::Null) => GeometryPart::Missing,
                Some(g) => GeometryPart::Parsed(parse_geometry(&g)),
            };
            let parts = Parts {
                is_feature: obj.get("type").and_then(Value::as_str) == Some("Feature"),
                id: obj.remove("id"),
                geometry,
                properties: PropertiesPart::Json(obj.remove("properties")),
            };
            validate(parts, layer, allowed)
        }
        Ok(_) => Checked::Invalid {
            id: None,
            reasons: vec!["a feature must be a JSON object".into()],
        },
        Err(_) => Checked::BadJson,
    }
}

/// A feature's members, whichever path read them.
struct Parts<'a> {
    /// Whether `"type"` is `"Feature"`.
    is_feature: bool,
    id: Option<Value>,
    geometry: GeometryPart,
    properties: PropertiesPart<'a>,
}

enum PropertiesPart<'a> {
    /// The member as parsed (`None` if absent), for the rules to check.
    Json(Option<Value>),
    /// Exactly the schema's properties, already found valid by the fast path.
    Plain(PlainProperties<'a>),
}

struct PlainProperties<'a> {
    name_zh: Cow<'a, str>,
    name_en: Cow<'a, str>,
    source: Cow<'a, str>,
    status: Status,
    accuracy: Accuracy,
    provinces: Provinces,
}

enum GeometryPart {
    /// Absent or `null`.
    Missing,
    Parsed(Result<(Geometry<f64>, GeometryKind), String>),
}

/// Applies every rule to a feature's members; collects all reasons, in a fixed order.
fn validate(parts: Parts<'_>, layer: u16, allowed: &[GeometryKind]) -> Checked {
    let mut reasons = Vec::new();
    if !parts.is_feature {
        reasons.push("\"type\" must be \"Feature\"".into());
    }
    let id = match parts.id {
        Some(Value::String(s)) if is_valid_id(&s) => Some(s),
        Some(Value::String(s)) => {
            reasons.push(format!(
                "id {s:?} must be non-empty and use only letters, digits, '.', '_', ':' and '-'"
            ));
            None
        }
        Some(other) => {
            reasons.push(format!("id must be a string, got {other}"));
            None
        }
        None => {
            reasons.push("missing id (a string at the feature's top level)".into());
            None
        }
    };
    let geometry = match parts.geometry {
        GeometryPart::Missing => {
            reasons.push("missing geometry".into());
            None
        }
        GeometryPart::Parsed(Ok((geometry, kind))) => {
            if allowed.contains(&kind) {
                Some(geometry)
            } else {
                let allowed: Vec<String> = allowed.iter().map(|k| k.to_string()).collect();
                reasons.push(format!(
                    "wrong geometry kind for the layer: {kind}, expected {}",
                    allowed.join(" or ")
                ));
                None
            }
        }
        GeometryPart::Parsed(Err(reason)) => {
            reasons.push(reason);
            None
        }
    };
    let (name_zh, name_en, source, status, accuracy, provinces, props) = match parts.properties {
        PropertiesPart::Plain(p) => (
            Some(p.name_zh),
            Some(p.name_en),
            Some(p.source),
            Some(p.status),
            Some(p.accuracy),
            Some(p.provinces),
            Map::new(),
        ),
        PropertiesPart::Json(value) => {
            let mut props = match value {
                Some(Value::Object(props)) => props,
                _ => {
                    reasons.push("missing properties object".into());
                    Map::new()
                }
            };
            let name_zh = text_property(&mut props, "name_zh", &mut reasons).map(Cow::Owned);
            let name_en = text_property(&mut props, "name_en", &mut reasons).map(Cow::Owned);
            let source = text_property(&mut props, "source", &mut reasons).map(Cow::Owned);
            let status = enum_property(&mut props, "status", &mut reasons);
            let accuracy = enum_property::<Accuracy>(&mut props, "accuracy", &mut reasons);
            let provinces = parse_provinces(props.remove("provinces"), &mut reasons);
            for name in RESERVED_PROPERTIES {
                if props.contains_key(name) {
                    reasons.push(format!("property {name:?} is reserved: the server sets it"));
                }
            }
            (name_zh, name_en, source, status, accuracy, provinces, props)
        }
    };
    match (
        id, geometry, name_zh, name_en, source, status, accuracy, provinces,
    ) {
        (
            Some(id),
            Some(geometry),
            Some(name_zh),
            Some(name_en),
            Some(source),
            Some(status),
            Some(accuracy),
            Some(provinces),
        ) if reasons.is_empty() => Checked::Valid(Feature::new(
            Texts {
                id: &id,
                name_zh: &name_zh,
                name_en: &name_en,
                source: &source,
            },
            layer,
            status,
            provinces,
            accuracy,
            geometry,
            props,
        )),
        (id, ..) => Checked::Invalid { id, reasons },
    }
}

/// Ids appear in URLs (`/api/features/{id}`), so they stay within a safe alphabet.
pub fn is_valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 200
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// A required string property, removed from `props`; a reason is recorded if it is missing or
/// not a string.
fn string_property(
    props: &mut Map<String, Value>,
    name: &str,
    reasons: &mut Vec<String>,
) -> Option<String> {
    match props.remove(name) {
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            reasons.push(format!("{name} must be a string, got {other}"));
            None
        }
        None => {
            reasons.push(format!("missing {name}"));
            None
        }
    }
}

/// A required, non-blank text property.
fn text_property(
    props: &mut Map<String, Value>,
    name: &str,
    reasons: &mut Vec<String>,
) -> Option<String> {
    let s = string_property(props, name, reasons)?;
    if s.trim().is_empty() {
        reasons.push(format!("{name} must not be empty"));
        return None;
    }
    Some(s)
}

/// A required property whose string names one of an enumeration's values.
fn enum_property<T: std::str::FromStr<Err = String>>(
    props: &mut Map<String, Value>,
    name: &str,
    reasons: &mut Vec<String>,
) -> Option<T> {
    let s = string_property(props, name, reasons)?;
    s.parse().map_err(|e: String| reasons.push(e)).ok()
}

fn parse_provinces(value: Option<Value>, reasons: &mut Vec<String>) -> Option<Provinces> {
    let Some(Value::Array(items)) = value else {
        reasons
            .push("provinces must be a non-empty array of \"chongqing\" and/or \"guizhou\"".into());
        return None;
    };
    let mut set = Provinces::default();
    let before = reasons.len();
    for item in &items {
        match item.as_str().map(str::parse::<Province>) {
            Some(Ok(p)) => {
                if !set.insert(p) {
                    reasons.push(format!("provinces lists {p} twice"));
                }
            }
            Some(Err(e)) => reasons.push(e),
            None => reasons.push(format!("provinces must hold strings, got {item}")),
        }
    }
    if set.is_empty() && reasons.len() == before {
        reasons.push("provinces must not be empty".into());
    }
    (reasons.len() == before).then_some(set)
}

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

/// The fast path's feature: its members read directly, the geometry without a `Value`.
/// Fails (and the caller takes the slow path) on a repeated member or an unusual geometry.
struct FastFeature<'a>(Parts<'a>);

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum FeatureKey {
    Type,
    Id,
    Geometry,
    Properties,
    #[serde(other)]
    Other,
}

impl<'de> Deserialize<'de> for FastFeature<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FastFeature<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON Feature object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FastFeature<'de>, A::Error> {
                let repeated = || de::Error::custom("a member is repeated");
                let (mut kind, mut id, mut geometry, mut properties) = (None, None, None, None);
                while let Some(key) = map.next_key::<FeatureKey>()? {
                    match key {
                        FeatureKey::Type if kind.is_none() => {
                            kind = Some(map.next_value::<Value>()?.as_str() == Some("Feature"))
                        }
                        FeatureKey::Id if id.is_none() => id = Some(map.next_value()?),
                        FeatureKey::Geometry if geometry.is_none() => {
                            geometry = Some(match map.next_value::<FastGeometry>()? {
                                FastGeometry::Null => GeometryPart::Missing,
                                FastGeometry::Parsed(r) => GeometryPart::Parsed(r),
                            })
                        }
                        FeatureKey::Properties if properties.is_none() => {
                            properties = Some(map.next_value::<FastProperties>()?.0)
                        }
                        // Read as a Value, not skipped: the whole-document parse this replaces
                        // rejected bad numbers and escapes anywhere in the file.
                        FeatureKey::Other => drop(map.next_value::<Value>()?),
                        _ => return Err(repeated()),
                    }
                }
                Ok(FastFeature(Parts {
                    is_feature: kind.unwrap_or(false),
                    id,
                    geometry: geometry.unwrap_or(GeometryPart::Missing),
                    properties: properties.unwrap_or(PropertiesPart::Json(None)),
                }))
            }
        }
        d.deserialize_map(V)
    }
}

/// The schema's property names.
const SCHEMA_PROPERTIES: [&str; 6] = [
    "name_zh",
    "name_en",
    "source",
    "status",
    "accuracy",
    "provinces",
];

/// A string, borrowed from the text where it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A schema property's value as the fast path reads it, before any rule.
enum Read<'a> {
    Text(Cow<'a, str>),
    /// `provinces`.
    List(Vec<Cow<'a, str>>),
}

impl Read<'_> {
    fn into_value(self) -> Value {
        match self {
            Read::Text(s) => Value::String(s.into_owned()),
            Read::List(l) => Value::Array(
                l.into_iter()
                    .map(|s| Value::String(s.into_owned()))
                    .collect(),
            ),
        }
    }
}

/// The `properties` member read without a `Value` when it holds exactly the schema's
/// properties, all valid; otherwise the same member as a `Value`, in its order, for the rules
/// to check and word.
struct FastProperties<'a>(PropertiesPart<'a>);

impl<'de> Deserialize<'de> for FastProperties<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FastProperties<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a properties object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FastProperties<'de>, A::Error> {
                let mut read: Vec<(Cow<'de, str>, Read<'de>)> = Vec::with_capacity(6);
                while let Some(Text(key)) = map.next_key::<Text>()? {
                    let schema = SCHEMA_PROPERTIES.contains(&key.as_ref())
                        && !read.iter().any(|(k, _)| *k == key);
                    if !schema {
                        // A free property, or a repeated one: the rest is read as a parse would.
                        let mut all = Map::new();
                        for (k, v) in read {
                            all.insert(k.into_owned(), v.into_value());
                        }
                        all.insert(key.into_owned(), map.next_value()?);
                        while let Some((k, v)) = map.next_entry::<String, Value>()? {
                            all.insert(k, v);
                        }
                        return Ok(FastProperties(PropertiesPart::Json(Some(Value::Object(
                            all,
                        )))));
                    }
                    let value = if key == "provinces" {
                        let list: Vec<Text> = map.next_value()?;
                        Read::List(list.into_iter().map(|t| t.0).collect())
                    } else {
                        Read::Text(map.next_value::<Text>()?.0)
                    };
                    read.push((key, value));
                }
                Ok(FastProperties(plain_properties(read)))
            }
        }
        d.deserialize_map(V)
    }
}

/// The typed properties if all six are present and valid; else the general form.
fn plain_properties<'a>(read: Vec<(Cow<'a, str>, Read<'a>)>) -> PropertiesPart<'a> {
    let get = |name: &str| read.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    let text = |name: &str| match get(name) {
        Some(Read::Text(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    };
    let word = |name: &str| match get(name) {
        Some(Read::Text(s)) => Some(s.as_ref()),
        _ => None,
    };
    let provinces = match get("provinces") {
        Some(Read::List(list)) if !list.is_empty() => {
            let mut set = Provinces::default();
            list.iter()
                .all(|p| p.parse::<Province>().is_ok_and(|p| set.insert(p)))
                .then_some(set)
        }
        _ => None,
    };
    let typed = (|| {
        Some(PlainProperties {
            name_zh: text("name_zh")?,
            name_en: text("name_en")?,
            source: text("source")?,
            status: word("status")?.parse().ok()?,
            accuracy: word("accuracy")?.parse().ok()?,
            provinces: provinces?,
        })
    })();
    match typed {
        Some(p) => PropertiesPart::Plain(p),
        None => {
            let mut all = Map::new();
            for (k, v) in read {
                all.insert(k.into_owned(), v.into_value());
            }
            PropertiesPart::Json(Some(Value::Object(all)))
        }
    }
}

/// A geometry read without a `Value`: `null`, or a geometry object of the usual shape with its
/// checks applied.
enum FastGeometry {
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

    fn feature(geometry: &str) -> String {
        format!(
            r#"{{"type":"Feature","id":"f1","geometry":{geometry},"properties":{{"name_zh":"名","name_en":"name","status":"existing","provinces":["chongqing"],"source":"s","accuracy":"real","extra":{{"a":[1,2]}}}}}}"#
        )
    }

    /// Both paths on the same feature text: a repeated "type" member makes the fast path give up.
    fn both_paths(text: &str, allowed: &[GeometryKind]) -> (String, String) {
        assert!(
            serde_json::from_str::<FastFeature>(text).is_ok(),
            "the fast path should read {text}"
        );
        let fast = check_feature(text, 0, allowed);
        let slow_text = format!("{},\"type\":\"Feature\"}}", &text[..text.len() - 1]);
        let slow = check_feature(&slow_text, 0, allowed);
        (format!("{fast:?}"), format!("{slow:?}"))
    }

    #[test]
    fn fast_and_slow_paths_agree_on_valid_and_invalid_geometries() {
        for g in [
            r#"{"type":"LineString","coordinates":[[106,28],[107.5,28.25]]}"#,
            r#"{"type":"LineString","coordinates":[[106,28],[106,28]]}"#,
            r#"{"type":"LineString","coordinates":[[200,28],[106,28]]}"#,
            r#"{"type":"MultiLineString","coordinates":[[[106,28],[107,28]],[[1,1],[1,1]]]}"#,
            r#"{"type":"MultiLineString","coordinates":[]}"#,
            r#"{"type":"Point","coordinates":[106,28]}"#,
            r#"{"type":"Polygon","coordinates":[[[106,28],[107,28],[107,29],[106,28]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[106,28],[107,28],[107,29],[106,29]]]}"#,
            r#"{"type":"MultiPolygon","coordinates":[[[[106,28],[107,28],[106,28],[106,28]]]]}"#,
            r#"{"type":"MultiPoint","coordinates":[]}"#,
        ] {
            let (fast, slow) = both_paths(&feature(g), &[GeometryKind::Line]);
            assert_eq!(fast, slow, "{g}");
        }
    }

    #[test]
    fn fast_and_slow_paths_agree_on_properties() {
        let point = r#"{"type":"Point","coordinates":[106,28]}"#;
        let with = |props: &str| {
            format!(r#"{{"type":"Feature","id":"f1","geometry":{point},"properties":{props}}}"#)
        };
        let schema = r#""name_zh":"名","name_en":"name","status":"existing","provinces":["chongqing"],"source":"s","accuracy":"real""#;
        for props in [
            format!("{{{schema}}}"),
            format!(r#"{{"z":1,{schema},"a":{{"b":[1,2]}},"m":null}}"#),
            format!(r#"{{{schema},"layer":"x"}}"#),
            format!(r#"{{{schema},"name_zh":"again"}}"#),
            r#"{"name_zh":"\u540d","name_en":"a \"quoted\" name","status":"existing","provinces":["guizhou","chongqing"],"source":"s","accuracy":"real"}"#.to_string(),
            r#"{"name_zh":" ","name_en":"n","status":"built","provinces":["chongqing","chongqing"],"source":"s","accuracy":"rough"}"#.to_string(),
            r#"{"name_zh":"名","name_en":"n","provinces":[],"source":"s","accuracy":"real"}"#.to_string(),
        ] {
            let (fast, slow) = both_paths(&with(&props), &[GeometryKind::Point]);
            assert_eq!(fast, slow, "{props}");
        }
    }

    #[test]
    fn unusual_shapes_take_the_slow_path_and_keep_its_messages() {
        let three = feature(r#"{"type":"LineString","coordinates":[[106,28,5],[107,28]]}"#);
        let Checked::Invalid { reasons, .. } = check_feature(&three, 0, &[GeometryKind::Line])
        else {
            panic!("three numbers in a position must be refused");
        };
        assert_eq!(reasons, ["a position must be [lon, lat], got 3 numbers"]);
        let collection = feature(r#"{"type":"GeometryCollection","geometries":[]}"#);
        let Checked::Invalid { reasons, .. } = check_feature(&collection, 0, &[GeometryKind::Line])
        else {
            panic!("a GeometryCollection must be refused");
        };
        assert!(reasons[0].contains("GeometryCollection is not supported"));
        let huge = feature(r#"{"type":"Point","coordinates":[1e999,0]}"#);
        assert!(matches!(
            check_feature(&huge, 0, &[GeometryKind::Point]),
            Checked::BadJson
        ));
    }

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
