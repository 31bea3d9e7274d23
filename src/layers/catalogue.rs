//! `layers.toml`: which layers exist, what they may hold and where they came from.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of geometry a layer may hold; `Multi*` variants count as their kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GeometryKind {
    Point,
    Line,
    Polygon,
}

impl fmt::Display for GeometryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GeometryKind::Point => "point",
            GeometryKind::Line => "line",
            GeometryKind::Polygon => "polygon",
        })
    }
}

/// Marks a layer whose polygons are administrative boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Boundary {
    Province,
    County,
}

/// One `[[layers]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerSpec {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub geometry: Vec<GeometryKind>,
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<Boundary>,
    pub source: String,
    pub licence: String,
    pub attribution: String,
}

/// The whole catalogue, in drawing order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub layers: Vec<LayerSpec>,
}

impl Catalogue {
    /// Parses `layers.toml` and checks the catalogue itself; returns every problem found.
    pub fn parse(text: &str) -> Result<Catalogue, Vec<String>> {
        let catalogue: Catalogue = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut problems = Vec::new();
        let mut seen = std::collections::HashSet::new();
        if catalogue.layers.is_empty() {
            problems.push("the catalogue lists no layers".to_string());
        }
        for (i, layer) in catalogue.layers.iter().enumerate() {
            let at = format!("layer {i} ({:?})", layer.id);
            if layer.id.is_empty()
                || !layer
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                problems.push(format!(
                    "{at}: id must be non-empty and use only a-z, 0-9 and _"
                ));
            }
            if !seen.insert(layer.id.as_str()) {
                problems.push(format!("{at}: id is listed twice"));
            }
            if layer.geometry.is_empty() {
                problems.push(format!("{at}: geometry must list at least one kind"));
            }
            if layer.boundary.is_some() && layer.geometry != [GeometryKind::Polygon] {
                problems.push(format!("{at}: a boundary layer must hold polygons only"));
            }
            for (name, value) in [
                ("title_zh", &layer.title_zh),
                ("title_en", &layer.title_en),
                ("file", &layer.file),
                ("source", &layer.source),
                ("licence", &layer.licence),
                ("attribution", &layer.attribution),
            ] {
                if value.trim().is_empty() {
                    problems.push(format!("{at}: {name} must not be empty"));
                }
            }
            if layer.file.contains("..") || layer.file.starts_with('/') {
                problems.push(format!("{at}: file must be a path inside the data folder"));
            }
        }
        if problems.is_empty() {
            Ok(catalogue)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_reports_every_problem_not_only_the_first() {
        let text = r#"
            [[layers]]
            id = "Rail"
            title_zh = "铁路"
            title_en = ""
            geometry = []
            file = "../x.geojson"
            source = "s"
            licence = "l"
            attribution = "a"
        "#;
        let problems = Catalogue::parse(text).unwrap_err();
        assert_eq!(problems.len(), 4, "{problems:#?}");
    }
}
