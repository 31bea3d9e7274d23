//! Checking one feature against the rules of `geodata/FORMAT.md` and turning it into a
//! [`Feature`]; its geometry is read and checked by `geometry`.
//!
//! Two paths give the same result:
//! 1. The fast path deserializes the feature's JSON text straight into coordinates and typed
//!    slots, without building a `serde_json::Value` for the geometry. It accepts only the usual
//!    shape (a geometry object whose `"type"` comes before `"coordinates"`, positions of exactly
//!    two numbers, no repeated keys) and gives up on anything else.
//! 2. The slow path parses the feature into a `Value` and checks it with the same rules, naming
//!    every problem. It runs only where the fast path gave up, so it is the reference: the fast
//!    path never accepts what the slow path would word differently.

use super::geometry::{FastGeometry, parse_geometry};
use super::{Accuracy, Feature, GeometryKind, Province, Provinces, Status, Texts};
use geo::Geometry;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
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
            let provinces = parse_provinces(props.shift_remove("provinces"), &mut reasons);
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
    // shift_remove, not remove: remove swaps the last member into the hole, and the free
    // properties would be served out of their file order.
    match props.shift_remove(name) {
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
}
