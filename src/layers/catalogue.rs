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

/// What a layer's features stand for, where that changes how the spatial queries treat them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Links between places (district pairings, town partnerships), drawn as lines between the
    /// places they join: not things on the ground along those lines.
    Relation,
}

impl Role {
    /// Every role, as `layers.toml` spells them.
    pub const ALL: [Role; 1] = [Role::Relation];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Relation => "relation",
        }
    }
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    pub source: String,
    pub licence: String,
    pub attribution: String,
}

impl LayerSpec {
    /// Whether nearby, corridor and crossings look at the layer when a request names no
    /// `layers`. Boundary layers are left out because every point lies inside a province and a
    /// county, which would head every nearby list and fill every corridor; relation layers
    /// because a pairing drawn as a line between two seats is not a thing near the places the
    /// line passes. Named in `layers`, both are answered like any other.
    pub fn queried_by_default(&self) -> bool {
        self.boundary.is_none() && self.role.is_none()
    }
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
        let catalogue: Catalogue = toml::from_str(text).map_err(|e| {
            // An unknown role fails the typed parse; the raw table can name the layer it is in.
            let roles = role_problems(text);
            if roles.is_empty() {
                vec![e.to_string()]
            } else {
                roles
            }
        })?;
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
            if layer.boundary.is_some() && layer.role.is_some() {
                problems.push(format!(
                    "{at}: a layer is either a boundary layer (`boundary`) or a relation layer \
                     (`role = \"relation\"`), not both: boundaries are areas that answer /api/region, \
                     relations are links between places"
                ));
            }
            if layer.role == Some(Role::Relation) && layer.geometry != [GeometryKind::Line] {
                problems.push(format!(
                    "{at}: a relation layer must hold lines only (each a link between the places \
                     it joins)"
                ));
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

/// The layers of `text` whose `role` is not one of [`Role::ALL`], each named with the allowed
/// values; empty when `text` is not a table of layers.
fn role_problems(text: &str) -> Vec<String> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(layers) = table.get("layers").and_then(toml::Value::as_array) else {
        return Vec::new();
    };
    let allowed: Vec<String> = Role::ALL
        .iter()
        .map(|r| format!("{:?}", r.as_str()))
        .collect();
    let mut problems = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        let Some(role) = layer.get("role") else {
            continue;
        };
        if role
            .as_str()
            .is_some_and(|r| Role::ALL.iter().any(|a| a.as_str() == r))
        {
            continue;
        }
        let id = layer.get("id").and_then(toml::Value::as_str).unwrap_or("");
        problems.push(format!(
            "layer {i} ({id:?}): role {role} is not a known role; the allowed roles are {} \
             (or leave role out)",
            allowed.join(", ")
        ));
    }
    problems
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

    fn layer_with(extra: &str, geometry: &str) -> String {
        format!(
            r#"
            [[layers]]
            id = "railways"
            title_zh = "铁路"
            title_en = "Railways"
            geometry = ["line"]
            file = "railways.geojson"
            source = "s"
            licence = "l"
            attribution = "a"

            [[layers]]
            id = "district_pairs"
            title_zh = "区县结对"
            title_en = "District pairs"
            geometry = {geometry}
            file = "district_pairs.geojson"
            {extra}
            source = "s"
            licence = "l"
            attribution = "a"
            "#
        )
    }

    #[test]
    fn a_relation_layer_is_read_and_left_out_of_the_default_query_layers() {
        let c = Catalogue::parse(&layer_with(r#"role = "relation""#, r#"["line"]"#)).unwrap();
        assert_eq!(c.layers[1].role, Some(Role::Relation));
        assert!(!c.layers[1].queried_by_default());
        assert_eq!(c.layers[0].role, None);
        assert!(c.layers[0].queried_by_default());
    }

    #[test]
    fn an_unknown_role_names_the_layer_and_the_allowed_roles() {
        for bad in [r#"role = "relations""#, "role = 3"] {
            let problems =
                Catalogue::parse(&layer_with(bad, r#"["line"]"#)).expect_err("an unknown role");
            assert_eq!(problems.len(), 1, "{problems:#?}");
            let p = &problems[0];
            assert!(p.starts_with(r#"layer 1 ("district_pairs"): role "#), "{p}");
            assert!(p.contains(r#"the allowed roles are "relation""#), "{p}");
        }
    }

    #[test]
    fn a_layer_is_not_both_a_boundary_and_a_relation() {
        let text = layer_with(
            "boundary = \"county\"\nrole = \"relation\"",
            r#"["polygon"]"#,
        );
        let problems = Catalogue::parse(&text).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p
                    .starts_with(r#"layer 1 ("district_pairs"): a layer is either a boundary"#)),
            "{problems:#?}"
        );
    }

    #[test]
    fn a_relation_layer_holds_lines_only() {
        let text = layer_with(r#"role = "relation""#, r#"["line", "point"]"#);
        let problems = Catalogue::parse(&text).unwrap_err();
        assert_eq!(
            problems,
            [
                r#"layer 1 ("district_pairs"): a relation layer must hold lines only (each a link between the places it joins)"#
            ]
        );
    }
}
