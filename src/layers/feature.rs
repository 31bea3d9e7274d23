//! The feature model: what every feature of every layer carries.

use geo::Geometry;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;
use std::str::FromStr;

/// A project's stage, following the plan's wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Built and in use.
    Existing,
    UnderConstruction,
    /// 推进开工建设 / 开工建设 / 力争开工.
    Planned,
    /// 前期工作.
    Preparatory,
    /// 研究论证.
    UnderStudy,
    Unknown,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Existing,
        Status::UnderConstruction,
        Status::Planned,
        Status::Preparatory,
        Status::UnderStudy,
        Status::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Existing => "existing",
            Status::UnderConstruction => "under_construction",
            Status::Planned => "planned",
            Status::Preparatory => "preparatory",
            Status::UnderStudy => "under_study",
            Status::Unknown => "unknown",
        }
    }
}

/// The closed set of values of an enumerated property, for error messages.
fn one_of<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str) -> String {
    all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", ")
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown status {s:?} (expected one of {})",
                    one_of(&Status::ALL, Status::as_str)
                )
            })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One side of the border.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Province {
    Chongqing,
    Guizhou,
}

impl Province {
    pub const ALL: [Province; 2] = [Province::Chongqing, Province::Guizhou];

    pub fn as_str(self) -> &'static str {
        match self {
            Province::Chongqing => "chongqing",
            Province::Guizhou => "guizhou",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Province::Chongqing => 1,
            Province::Guizhou => 2,
        }
    }
}

impl FromStr for Province {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Province::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown province {s:?} (expected one of {})",
                    one_of(&Province::ALL, Province::as_str)
                )
            })
    }
}

impl fmt::Display for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The provinces a feature lies in: a small set kept as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Provinces(u8);

impl Provinces {
    pub fn insert(&mut self, p: Province) -> bool {
        let new = self.0 & p.bit() == 0;
        self.0 |= p.bit();
        new
    }
    pub fn contains(self, p: Province) -> bool {
        self.0 & p.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Province> {
        Province::ALL.into_iter().filter(move |p| self.contains(*p))
    }
    pub fn only(self) -> Option<Province> {
        let mut it = self.iter();
        match (it.next(), it.next()) {
            (Some(p), None) => Some(p),
            _ => None,
        }
    }
}

impl FromIterator<Province> for Provinces {
    fn from_iter<I: IntoIterator<Item = Province>>(iter: I) -> Self {
        let mut set = Provinces::default();
        for p in iter {
            set.insert(p);
        }
        set
    }
}

/// How precisely a feature's geometry is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Accuracy {
    /// From a named data set.
    Real,
    /// Placed at a known place, about 1 km.
    Approximate,
    /// A line drawn through the places it connects.
    Schematic,
}

impl Accuracy {
    pub const ALL: [Accuracy; 3] = [Accuracy::Real, Accuracy::Approximate, Accuracy::Schematic];
    pub fn as_str(self) -> &'static str {
        match self {
            Accuracy::Real => "real",
            Accuracy::Approximate => "approximate",
            Accuracy::Schematic => "schematic",
        }
    }
}

impl FromStr for Accuracy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Accuracy::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown accuracy {s:?} (expected one of {})",
                    one_of(&Accuracy::ALL, Accuracy::as_str)
                )
            })
    }
}

/// One feature of one layer. Coordinates are WGS84 lon/lat (x = lon, y = lat).
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// Unique across all layers.
    pub id: Box<str>,
    /// Index of the layer in the catalogue.
    pub layer: u16,
    pub name_zh: Box<str>,
    pub name_en: Box<str>,
    pub status: Status,
    pub provinces: Provinces,
    pub source: Box<str>,
    pub accuracy: Accuracy,
    pub geometry: Geometry<f64>,
    /// Every other property, as given in the file.
    pub extra: Map<String, Value>,
}

impl Feature {
    /// A point on the feature (the point itself, a vertex of a line, a point inside a polygon):
    /// where a stop at this feature is.
    pub fn geometry_point(&self) -> Option<geo::Coord> {
        use geo::InteriorPoint;
        self.geometry.interior_point().map(|p| p.0)
    }

    /// The feature's properties as served: the model's fields first, then the free ones.
    pub fn properties(&self, layer_id: &str) -> Map<String, Value> {
        let mut props = Map::with_capacity(self.extra.len() + 8);
        props.insert("id".into(), Value::from(&*self.id));
        props.insert("layer".into(), Value::from(layer_id));
        props.insert("name_zh".into(), Value::from(&*self.name_zh));
        props.insert("name_en".into(), Value::from(&*self.name_en));
        props.insert("status".into(), Value::from(self.status.as_str()));
        props.insert(
            "provinces".into(),
            Value::from(
                self.provinces
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>(),
            ),
        );
        props.insert("source".into(), Value::from(&*self.source));
        props.insert("accuracy".into(), Value::from(self.accuracy.as_str()));
        for (k, v) in &self.extra {
            props.insert(k.clone(), v.clone());
        }
        props
    }
}
