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

/// The texts of a feature, for [`Feature::new`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Texts<'a> {
    /// Unique across all layers.
    pub id: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    /// Where the feature is named, e.g. `004_2465fec52345bd8c.txt 专栏3-1`.
    pub source: &'a str,
}

/// One feature of one layer. Coordinates are WGS84 lon/lat (x = lon, y = lat).
///
/// Kept compact, for data sets of millions of features: the four texts share one allocation,
/// and the free properties, empty for most features, cost one pointer when absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// id, name_zh, name_en and source, one after the other; `ends` marks where the first
    /// three end.
    texts: Box<str>,
    ends: [u32; 3],
    /// Index of the layer in the catalogue.
    pub layer: u16,
    pub status: Status,
    pub provinces: Provinces,
    pub accuracy: Accuracy,
    pub geometry: Geometry<f64>,
    /// Every other property, as given in the file; `None` when there are none.
    extra: Option<Box<Map<String, Value>>>,
}

static NO_PROPERTIES: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl Feature {
    /// # Panics
    /// If the texts together exceed 4 GiB.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        texts: Texts<'_>,
        layer: u16,
        status: Status,
        provinces: Provinces,
        accuracy: Accuracy,
        geometry: Geometry<f64>,
        extra: Map<String, Value>,
    ) -> Feature {
        let joined = [texts.id, texts.name_zh, texts.name_en, texts.source].concat();
        let end = |n: usize| u32::try_from(n).expect("a feature's texts are under 4 GiB");
        let a = texts.id.len();
        let b = a + texts.name_zh.len();
        let c = b + texts.name_en.len();
        Feature {
            texts: joined.into_boxed_str(),
            ends: [end(a), end(b), end(c)],
            layer,
            status,
            provinces,
            accuracy,
            geometry,
            extra: (!extra.is_empty()).then(|| Box::new(extra)),
        }
    }

    fn text(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = if i < 3 {
            self.ends[i] as usize
        } else {
            self.texts.len()
        };
        &self.texts[start..end]
    }

    /// Unique across all layers.
    pub fn id(&self) -> &str {
        self.text(0)
    }
    pub fn name_zh(&self) -> &str {
        self.text(1)
    }
    pub fn name_en(&self) -> &str {
        self.text(2)
    }
    pub fn source(&self) -> &str {
        self.text(3)
    }
    /// The free properties.
    pub fn extra(&self) -> &Map<String, Value> {
        self.extra.as_deref().unwrap_or(&NO_PROPERTIES)
    }

    /// A point on the feature (the point itself, a vertex of a line, a point inside a polygon):
    /// where a stop at this feature is.
    pub fn geometry_point(&self) -> Option<geo::Coord> {
        use geo::InteriorPoint;
        self.geometry.interior_point().map(|p| p.0)
    }

    /// The feature's properties as served: the model's fields first, then the free ones.
    pub fn properties(&self, layer_id: &str) -> Map<String, Value> {
        let mut props = Map::with_capacity(self.extra().len() + 8);
        props.insert("id".into(), Value::from(self.id()));
        props.insert("layer".into(), Value::from(layer_id));
        props.insert("name_zh".into(), Value::from(self.name_zh()));
        props.insert("name_en".into(), Value::from(self.name_en()));
        props.insert("status".into(), Value::from(self.status.as_str()));
        let provinces: Vec<&str> = self.provinces.iter().map(|p| p.as_str()).collect();
        props.insert("provinces".into(), Value::from(provinces));
        props.insert("source".into(), Value::from(self.source()));
        props.insert("accuracy".into(), Value::from(self.accuracy.as_str()));
        for (k, v) in self.extra() {
            props.insert(k.clone(), v.clone());
        }
        props
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_as_given_and_free_properties_may_be_absent() {
        let texts = Texts {
            id: "rail-1",
            name_zh: "川黔铁路",
            name_en: "",
            source: "004 专栏3-1",
        };
        let point = Geometry::Point(geo::Point::new(106.0, 28.0));
        let f = Feature::new(
            texts,
            0,
            Status::Existing,
            Provinces::default(),
            Accuracy::Real,
            point,
            Map::new(),
        );
        assert_eq!(
            (f.id(), f.name_zh(), f.name_en(), f.source()),
            ("rail-1", "川黔铁路", "", "004 专栏3-1")
        );
        assert!(f.extra().is_empty());
    }
}
