//! Reading a data folder: the catalogue, then every layer file, validated feature by feature.

use super::{Accuracy, Catalogue, Feature, GeometryKind, Province, Provinces, Texts};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Property names the server itself sets on every served feature; a file may not use them.
pub const RESERVED_PROPERTIES: [&str; 6] = [
    "id",
    "layer",
    "distance_m",
    "nearest",
    "chainage_m",
    "crossings",
];

/// One thing wrong with the data, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// Index of the feature in its file's `features` array.
    pub feature: Option<usize>,
    pub id: Option<String>,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(i) = self.feature {
            write!(f, ": feature {i}")?;
        }
        if let Some(id) = &self.id {
            write!(f, " (id {id:?})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Loading failed; `problems` lists all that was found, in file order.
#[derive(Debug, thiserror::Error)]
#[error("{} problem(s) in the data:\n{}", problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

/// Loads and validates the catalogue and all layer files of `dir`.
pub fn load_dir(dir: &Path) -> Result<(Catalogue, Vec<Feature>), LoadError> {
    let catalogue_path = dir.join("layers.toml");
    let problem = |reason: String| Problem {
        file: catalogue_path.clone(),
        feature: None,
        id: None,
        reason,
    };
    let text = std::fs::read_to_string(&catalogue_path).map_err(|e| LoadError {
        problems: vec![problem(format!("cannot read the catalogue: {e}"))],
    })?;
    let catalogue = Catalogue::parse(&text).map_err(|reasons| LoadError {
        problems: reasons.into_iter().map(problem).collect(),
    })?;
    if catalogue.layers.len() > usize::from(u16::MAX) {
        return Err(LoadError {
            problems: vec![problem("more than 65535 layers".into())],
        });
    }

    let mut problems = Vec::new();
    let mut features = Vec::new();
    let mut first_seen: HashMap<Box<str>, (PathBuf, usize)> = HashMap::new();
    for (layer_index, layer) in catalogue.layers.iter().enumerate() {
        let path = dir.join(&layer.file);
        let file_problem = |reason: String| Problem {
            file: path.clone(),
            feature: None,
            id: None,
            reason,
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                problems.push(file_problem(format!(
                    "cannot read layer {:?}: {e}",
                    layer.id
                )));
                continue;
            }
        };
        let items = match parse_collection(&text) {
            Ok(items) => items,
            Err(reason) => {
                problems.push(file_problem(reason));
                continue;
            }
        };
        for (index, item) in items.into_iter().enumerate() {
            let layer_index =
                u16::try_from(layer_index).expect("checked above: at most 65535 layers");
            match parse_feature(item, layer_index, &layer.geometry) {
                Ok(feature) => {
                    if let Some((other_file, other_index)) = first_seen.get(feature.id()) {
                        problems.push(Problem {
                            file: path.clone(),
                            feature: Some(index),
                            id: Some(feature.id().to_string()),
                            reason: format!(
                                "duplicate id: already used by feature {other_index} of {}",
                                other_file.display()
                            ),
                        });
                    } else {
                        first_seen.insert(feature.id().into(), (path.clone(), index));
                        features.push(feature);
                    }
                }
                Err((id, reasons)) => problems.extend(reasons.into_iter().map(|reason| Problem {
                    file: path.clone(),
                    feature: Some(index),
                    id: id.clone(),
                    reason,
                })),
            }
        }
    }
    if problems.is_empty() {
        Ok((catalogue, features))
    } else {
        Err(LoadError { problems })
    }
}

/// Parses a GeoJSON text that must be a FeatureCollection; returns its raw features.
fn parse_collection(text: &str) -> Result<Vec<Value>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
    let Value::Object(mut root) = value else {
        return Err("the file must hold a GeoJSON FeatureCollection object".into());
    };
    if root.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(
            "the file must hold a GeoJSON object of \"type\": \"FeatureCollection\"".into(),
        );
    }
    match root.remove("features") {
        Some(Value::Array(items)) => Ok(items),
        _ => Err("the FeatureCollection has no \"features\" array".into()),
    }
}

type FeatureResult = Result<Feature, (Option<String>, Vec<String>)>;

/// Validates one raw feature; on failure returns its id (if readable) and every reason.
fn parse_feature(item: Value, layer: u16, allowed: &[GeometryKind]) -> FeatureResult {
    let Value::Object(mut obj) = item else {
        return Err((None, vec!["a feature must be a JSON object".into()]));
    };
    let mut reasons = Vec::new();
    if obj.get("type").and_then(Value::as_str) != Some("Feature") {
        reasons.push("\"type\" must be \"Feature\"".into());
    }
    let id = match obj.get("id") {
        Some(Value::String(s)) if is_valid_id(s) => Some(s.clone()),
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
    let geometry = match obj.remove("geometry") {
        None | Some(Value::Null) => {
            reasons.push("missing geometry".into());
            None
        }
        Some(g) => match parse_geometry(&g) {
            Ok((geometry, kind)) => {
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
            Err(reason) => {
                reasons.push(reason);
                None
            }
        },
    };
    let mut props = match obj.remove("properties") {
        Some(Value::Object(props)) => props,
        _ => {
            reasons.push("missing properties object".into());
            Map::new()
        }
    };
    let name_zh = text_property(&mut props, "name_zh", &mut reasons);
    let name_en = text_property(&mut props, "name_en", &mut reasons);
    let source = text_property(&mut props, "source", &mut reasons);
    let status = enum_property(&mut props, "status", &mut reasons);
    let accuracy = enum_property::<Accuracy>(&mut props, "accuracy", &mut reasons);
    let provinces = parse_provinces(props.remove("provinces"), &mut reasons);
    for name in RESERVED_PROPERTIES {
        if props.contains_key(name) {
            reasons.push(format!("property {name:?} is reserved: the server sets it"));
        }
    }
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
        ) if reasons.is_empty() => Ok(Feature::new(
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
        (id, ..) => Err((id, reasons)),
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
    let g: geojson::Geometry =
        serde_json::from_value(value.clone()).map_err(|e| format!("invalid geometry: {e}"))?;
    use geojson::GeometryValue as G;
    Ok(match &g.value {
        G::Point { coordinates } => (
            Geometry::Point(Point(position(coordinates)?)),
            GeometryKind::Point,
        ),
        G::MultiPoint { coordinates } => {
            if coordinates.is_empty() {
                return Err("MultiPoint has no points".into());
            }
            let points = coordinates
                .iter()
                .map(|p| position(p).map(Point))
                .collect::<Result<_, _>>()?;
            (
                Geometry::MultiPoint(MultiPoint(points)),
                GeometryKind::Point,
            )
        }
        G::LineString { coordinates } => {
            (Geometry::LineString(line(coordinates)?), GeometryKind::Line)
        }
        G::MultiLineString { coordinates } => (
            Geometry::MultiLineString(MultiLineString(parts(
                coordinates,
                "MultiLineString",
                "line",
                |l| line(l),
            )?)),
            GeometryKind::Line,
        ),
        G::Polygon { coordinates } => (
            Geometry::Polygon(polygon(coordinates)?),
            GeometryKind::Polygon,
        ),
        G::MultiPolygon { coordinates } => (
            Geometry::MultiPolygon(MultiPolygon(parts(
                coordinates,
                "MultiPolygon",
                "polygon",
                |p| polygon(p),
            )?)),
            GeometryKind::Polygon,
        ),
        G::GeometryCollection { .. } => {
            return Err("GeometryCollection is not supported: use one feature per geometry".into());
        }
    })
}

/// Every part of a Multi* geometry, naming the part at fault.
fn parts<P, T>(
    items: &[P],
    kind: &str,
    part: &str,
    parse: impl Fn(&P) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    if items.is_empty() {
        return Err(format!("{kind} has no {part}s"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse(item).map_err(|e| format!("{part} {i}: {e}")))
        .collect()
}

fn position(p: &geojson::Position) -> Result<Coord, String> {
    let s = p.as_slice();
    if s.len() != 2 {
        return Err(format!(
            "a position must be [lon, lat], got {} numbers",
            s.len()
        ));
    }
    let (lon, lat) = (s[0], s[1]);
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

fn coords(positions: &[geojson::Position]) -> Result<Vec<Coord>, String> {
    positions.iter().map(position).collect()
}

fn distinct_count(coords: &[Coord]) -> usize {
    let mut seen: Vec<(u64, u64)> = coords
        .iter()
        .map(|c| (c.x.to_bits(), c.y.to_bits()))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

fn line(positions: &[geojson::Position]) -> Result<LineString<f64>, String> {
    let cs = coords(positions)?;
    if distinct_count(&cs) < 2 {
        return Err("a line needs at least 2 distinct points".into());
    }
    Ok(LineString(cs))
}

fn polygon(rings: &[Vec<geojson::Position>]) -> Result<Polygon<f64>, String> {
    if rings.is_empty() {
        return Err("a polygon needs an exterior ring".into());
    }
    let mut parsed = Vec::with_capacity(rings.len());
    for (i, ring) in rings.iter().enumerate() {
        let cs = coords(ring)?;
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
        if distinct_count(&cs) < 3 {
            return Err(format!("{which} must have at least 3 distinct points"));
        }
        parsed.push(LineString(cs));
    }
    let exterior = parsed.remove(0);
    Ok(Polygon::new(exterior, parsed))
}
