//! The map's look in one description: colours, widths, dashes by status, accuracy symbols and
//! label zooms per layer, in our own small schema ([`MapStyle`], the file `map.json` beside
//! this one, compiled into the binary).
//!
//! The web page reads it from `GET /api/style` and turns it into MapLibre style layers
//! (`web/js/mapstyle.js`); the server's own renderer of static maps reads the same value, so the
//! two can never drift apart. Our own schema rather than a MapLibre style, so that the server
//! needs no MapLibre expression engine: everything here is a plain value, a value per status or
//! accuracy, or a value per field value ([`ByField`]).
//!
//! A colour is `#rrggbb`, `layer` (the layer's own colour) or `layer/A` (the layer's colour at
//! opacity A). Widths are screen pixels at zoom 8, scaled by zoom with
//! [`MapStyle::width_by_zoom`]; dashes are in line widths, as MapLibre's `line-dasharray`.

use crate::layers::{Accuracy, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The shipped style, as written in `src/style/map.json`.
pub const SHIPPED_JSON: &str = include_str!("map.json");

/// Schema version this code reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapStyle {
    pub version: u32,
    /// What the file is, for whoever opens it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub about: String,
    pub fonts: Fonts,
    pub background: Colour,
    /// `[zoom, factor]` pairs, zoom ascending: a width `w` is drawn `w × factor` at that zoom,
    /// linearly between.
    pub width_by_zoom: Vec<[f64; 2]>,
    pub border: BorderStyle,
    /// Fill of a province polygon by its (only) province; `other` for any other.
    pub province_fill: BTreeMap<String, Colour>,
    /// Colours of layers the style does not name, chosen by a hash of the layer id.
    pub palette: Vec<Colour>,
    /// Colours of the individual tourist routes, in the order the data lists them.
    pub route_colours: Vec<Colour>,
    /// One entry per status of the data model.
    pub statuses: BTreeMap<String, StatusStyle>,
    /// One entry per positional accuracy of the data model.
    pub accuracy: BTreeMap<String, AccuracyStyle>,
    /// How a point whose site is not known (`location_known = false`) is drawn instead.
    pub unlocated: UnlocatedStyle,
    /// Lines whose course is not known (`course_known = false`): a direction only.
    pub course_unknown: CourseUnknownStyle,
    /// Lines that share a corridor, side by side.
    pub line_offset: LineOffset,
    /// What a layer entry leaves out, and the whole style of a layer not named in `layers`.
    pub default_layer: LayerStyle,
    /// By layer id.
    pub layers: BTreeMap<String, LayerStyle>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fonts {
    pub regular: Vec<String>,
    pub bold: Vec<String>,
}

/// A colour as the schema writes it: `#rrggbb`, `layer` or `layer/A`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Colour(pub String);

/// A colour once the layer's own colour is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: f64,
}

impl Colour {
    /// The colour, with `layer` standing for `layer_colour`.
    pub fn resolve(&self, layer_colour: Rgba) -> Option<Rgba> {
        let s = self.0.as_str();
        if s == "layer" {
            return Some(layer_colour);
        }
        if let Some(alpha) = s.strip_prefix("layer/") {
            let a: f64 = alpha.parse().ok().filter(|a| (0.0..=1.0).contains(a))?;
            return Some(Rgba { a, ..layer_colour });
        }
        let hex = s.strip_prefix('#').filter(|h| h.len() == 6)?;
        let n = u32::from_str_radix(hex, 16).ok()?;
        Some(Rgba {
            r: (n >> 16) as u8,
            g: (n >> 8) as u8,
            b: n as u8,
            a: 1.0,
        })
    }

    fn is_fixed(&self) -> bool {
        self.0.starts_with('#')
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BorderStyle {
    pub colour: Colour,
    /// `[zoom, px]` pairs.
    pub width: Vec<[f64; 2]>,
    pub halo_width: Vec<[f64; 2]>,
    pub halo_opacity: f64,
    pub dash: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusStyle {
    /// Dash pattern of lines and outlines; `null` for solid.
    pub dash: Option<Vec<f64>>,
    /// Opacity of lines and outlines.
    pub opacity: f64,
    /// Opacity of polygon fills.
    pub fill_opacity: f64,
    pub point: PointSymbol,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointSymbol {
    pub fill: Colour,
    pub stroke: Colour,
    pub stroke_width: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccuracyStyle {
    /// Multiplies the status opacity of lines, outlines and points.
    pub opacity: f64,
    /// A soft disc under a point that says its place is approximate; `null` for none.
    pub halo: Option<Halo>,
}

/// A point that stands at the town or seat it belongs to (`location_known = false`,
/// geodata/FORMAT.md "Positions"): a hollow marker, its status symbol shrunk inside a ring, and
/// a faint disc as wide as its `uncertainty_km` on the ground instead of the accuracy halo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnlocatedStyle {
    /// The status symbol's radius, as a share of the layer's point radius.
    pub dot_scale: f64,
    /// The ring around it.
    pub ring: Ring,
    /// The disc of `uncertainty_km` (its radius on the ground).
    pub uncertainty_fill: Colour,
    pub uncertainty_stroke: Colour,
    pub uncertainty_stroke_width: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ring {
    /// Pixels at zoom 8 (scaled by `width_by_zoom`).
    pub radius: f64,
    pub colour: Colour,
    pub width: f64,
}

/// How a line with `course_known = false` is drawn (geodata/FORMAT.md, Courses): thinner than
/// the layer's lines and dotted, whatever its status, so that it reads as a direction only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseUnknownStyle {
    /// Multiplies the layer's line width (0..1).
    pub width: f64,
    /// Dash pattern, in line widths, replacing the status dash.
    pub dash: Vec<f64>,
    /// Multiplies the line's opacity.
    pub opacity: f64,
    /// The legend entry.
    pub legend_zh: String,
    pub legend_en: String,
}

/// Lines that share a corridor drawn side by side: each line is shifted `step` pixels (at zoom 8,
/// scaled by `width_by_zoom`) per unit of its `field` (the build's `offset_slot`: 0, 1, -1, 2, …),
/// to the right of its direction (MapLibre `line-offset`); a line without the field is not shifted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineOffset {
    pub field: String,
    pub step: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Halo {
    /// Pixels at zoom 8 (scaled by `width_by_zoom`).
    pub radius: f64,
    pub colour: Colour,
}

/// How a layer is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Draw {
    /// Points, lines and polygons with status dashes and point symbols.
    Thematic,
    /// Province polygons: a fill by province, a dashed outline, a big label.
    Province,
    /// County outlines and labels.
    County,
    /// Rivers: plain blue lines under everything.
    River,
    /// Towns: county seats and other towns by `kind`.
    Towns,
}

/// A width that depends on a field of the feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByField {
    pub field: String,
    pub values: BTreeMap<String, f64>,
    pub default: f64,
}

/// Polygons filled by a field's value (e.g. counties by their 一区两群 group), switched on and
/// off on the page as one toggle, with one legend entry per value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillBy {
    pub field: String,
    /// What the colouring shows, for the toggle and the legend.
    pub title_zh: String,
    pub title_en: String,
    /// Opacity of the fill.
    pub opacity: f64,
    /// Off until switched on.
    #[serde(default)]
    pub off_by_default: bool,
    /// In legend order; a feature with any other value (or none) is not filled.
    pub values: Vec<FillValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillValue {
    pub value: String,
    pub colour: Colour,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelStyle {
    /// Labels of points and polygons from this zoom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minzoom: Option<f64>,
    /// Labels up to this zoom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxzoom: Option<f64>,
    /// Labels along lines from this zoom.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_minzoom: Option<f64>,
}

/// The style of one layer; every field left out is taken from `default_layer`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerStyle {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour: Option<Colour>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw: Option<Draw>,
    /// Part of the base map (listed apart in the layer list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<bool>,
    /// Off until switched on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off_by_default: Option<bool>,
    /// Line width in pixels at zoom 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_width: Option<f64>,
    /// The line width by a field's value instead of `line_width`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width_by: Option<ByField>,
    /// A white casing under lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub casing: Option<bool>,
    /// Dashes and opacities by status (off for layers whose status says little, e.g. OSM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_styles: Option<bool>,
    /// Each feature in the next of `route_colours`, by the order of the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colour_by_route: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point_radius: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<LabelStyle>,
    /// Polygons filled by a field's value, as a toggle of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_by: Option<FillBy>,
}

/// A layer's style with every default filled in, as both renderers use it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedLayer {
    pub colour: Colour,
    pub draw: Draw,
    pub base: bool,
    pub off_by_default: bool,
    pub line_width: f64,
    pub width_by: Option<ByField>,
    pub casing: bool,
    pub status_styles: bool,
    pub colour_by_route: bool,
    pub point_radius: f64,
    pub label: LabelStyle,
    pub fill_by: Option<FillBy>,
}

/// What is wrong with a style description.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StyleError {
    #[error("the style is not valid JSON of the schema: {0}")]
    Json(String),
    #[error("style version {0} is not {VERSION}")]
    Version(u32),
    #[error("{at}: {what}")]
    Invalid { at: String, what: String },
}

fn invalid(at: impl Into<String>, what: impl Into<String>) -> StyleError {
    StyleError::Invalid {
        at: at.into(),
        what: what.into(),
    }
}

impl MapStyle {
    /// Parses and checks a style description.
    pub fn parse(text: &str) -> Result<MapStyle, StyleError> {
        let style: MapStyle =
            serde_json::from_str(text).map_err(|e| StyleError::Json(e.to_string()))?;
        style.check()?;
        Ok(style)
    }

    /// The style compiled into the binary (checked by the tests, so this never fails).
    pub fn shipped() -> &'static MapStyle {
        static SHIPPED: OnceLock<MapStyle> = OnceLock::new();
        SHIPPED.get_or_init(|| {
            MapStyle::parse(SHIPPED_JSON).expect("src/style/map.json is checked by the tests")
        })
    }

    fn check(&self) -> Result<(), StyleError> {
        if self.version != VERSION {
            return Err(StyleError::Version(self.version));
        }
        let fixed = |at: &str, c: &Colour| {
            if c.is_fixed() && c.resolve(BLACK).is_some() {
                Ok(())
            } else {
                Err(invalid(at, format!("{:?} is not a #rrggbb colour", c.0)))
            }
        };
        let any = |at: &str, c: &Colour| match c.resolve(BLACK) {
            Some(_) => Ok(()),
            None => Err(invalid(
                at,
                format!("{:?} is not #rrggbb, layer or layer/A", c.0),
            )),
        };
        fixed("background", &self.background)?;
        fixed("border.colour", &self.border.colour)?;
        stops("width_by_zoom", &self.width_by_zoom)?;
        stops("border.width", &self.border.width)?;
        stops("border.halo_width", &self.border.halo_width)?;
        unit("border.halo_opacity", self.border.halo_opacity)?;
        dashes("border.dash", &self.border.dash)?;
        if !self.province_fill.contains_key("other") {
            return Err(invalid("province_fill", "needs an `other` entry"));
        }
        for (k, c) in &self.province_fill {
            fixed(&format!("province_fill.{k}"), c)?;
        }
        for (name, list) in [
            ("palette", &self.palette),
            ("route_colours", &self.route_colours),
        ] {
            if list.is_empty() {
                return Err(invalid(name, "needs at least one colour"));
            }
            for (i, c) in list.iter().enumerate() {
                fixed(&format!("{name}[{i}]"), c)?;
            }
        }
        let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        same_keys("statuses", self.statuses.keys(), &statuses)?;
        for (k, s) in &self.statuses {
            let at = format!("statuses.{k}");
            if let Some(d) = &s.dash {
                dashes(&format!("{at}.dash"), d)?;
            }
            unit(&format!("{at}.opacity"), s.opacity)?;
            unit(&format!("{at}.fill_opacity"), s.fill_opacity)?;
            any(&format!("{at}.point.fill"), &s.point.fill)?;
            any(&format!("{at}.point.stroke"), &s.point.stroke)?;
            positive(&format!("{at}.point.stroke_width"), s.point.stroke_width)?;
        }
        let accuracies: Vec<&str> = Accuracy::ALL.iter().map(|a| a.as_str()).collect();
        same_keys("accuracy", self.accuracy.keys(), &accuracies)?;
        for (k, a) in &self.accuracy {
            unit(&format!("accuracy.{k}.opacity"), a.opacity)?;
            if let Some(h) = &a.halo {
                positive(&format!("accuracy.{k}.halo.radius"), h.radius)?;
                any(&format!("accuracy.{k}.halo.colour"), &h.colour)?;
            }
        }
        let u = &self.unlocated;
        unit("unlocated.dot_scale", u.dot_scale)?;
        positive("unlocated.ring.radius", u.ring.radius)?;
        positive("unlocated.ring.width", u.ring.width)?;
        any("unlocated.ring.colour", &u.ring.colour)?;
        any("unlocated.uncertainty_fill", &u.uncertainty_fill)?;
        any("unlocated.uncertainty_stroke", &u.uncertainty_stroke)?;
        positive(
            "unlocated.uncertainty_stroke_width",
            u.uncertainty_stroke_width,
        )?;
        let c = &self.course_unknown;
        unit("course_unknown.width", c.width)?;
        positive("course_unknown.width", c.width)?;
        dashes("course_unknown.dash", &c.dash)?;
        unit("course_unknown.opacity", c.opacity)?;
        if c.legend_zh.is_empty() || c.legend_en.is_empty() {
            return Err(invalid("course_unknown", "needs legend_zh and legend_en"));
        }
        positive("line_offset.step", self.line_offset.step)?;
        if self.line_offset.field.is_empty() {
            return Err(invalid("line_offset.field", "is empty"));
        }
        let d = &self.default_layer;
        for (field, missing) in [
            ("draw", d.draw.is_none()),
            ("line_width", d.line_width.is_none()),
            ("casing", d.casing.is_none()),
            ("point_radius", d.point_radius.is_none()),
        ] {
            if missing {
                return Err(invalid("default_layer", format!("needs `{field}`")));
            }
        }
        for (id, l) in std::iter::once(("default_layer", d))
            .chain(self.layers.iter().map(|(k, v)| (k.as_str(), v)))
        {
            let at = if id == "default_layer" {
                id.to_string()
            } else {
                format!("layers.{id}")
            };
            if let Some(c) = &l.colour {
                fixed(&format!("{at}.colour"), c)?;
            }
            for (name, v) in [
                ("line_width", l.line_width),
                ("point_radius", l.point_radius),
            ] {
                if let Some(v) = v {
                    positive(&format!("{at}.{name}"), v)?;
                }
            }
            if let Some(w) = &l.width_by {
                positive(&format!("{at}.width_by.default"), w.default)?;
                for (k, v) in &w.values {
                    positive(&format!("{at}.width_by.values.{k}"), *v)?;
                }
                if w.field.is_empty() {
                    return Err(invalid(format!("{at}.width_by.field"), "is empty"));
                }
            }
            if let Some(f) = &l.fill_by {
                let at = format!("{at}.fill_by");
                for (name, v) in [
                    ("field", &f.field),
                    ("title_zh", &f.title_zh),
                    ("title_en", &f.title_en),
                ] {
                    if v.is_empty() {
                        return Err(invalid(format!("{at}.{name}"), "is empty"));
                    }
                }
                unit(&format!("{at}.opacity"), f.opacity)?;
                if f.values.is_empty() {
                    return Err(invalid(format!("{at}.values"), "needs at least one value"));
                }
                for (i, v) in f.values.iter().enumerate() {
                    let at = format!("{at}.values[{i}]");
                    fixed(&format!("{at}.colour"), &v.colour)?;
                    if v.value.is_empty() || v.name_zh.is_empty() || v.name_en.is_empty() {
                        return Err(invalid(at, "needs a value, name_zh and name_en"));
                    }
                    if f.values[..i].iter().any(|w| w.value == v.value) {
                        return Err(invalid(at, format!("{:?} is listed twice", v.value)));
                    }
                }
            }
        }
        Ok(())
    }

    /// The style of layer `id`, defaults filled in.
    pub fn layer(&self, id: &str) -> ResolvedLayer {
        let d = &self.default_layer;
        let l = self.layers.get(id).cloned().unwrap_or_default();
        let label = LabelStyle {
            minzoom: l
                .label
                .as_ref()
                .and_then(|x| x.minzoom)
                .or(d.label.as_ref().and_then(|x| x.minzoom)),
            maxzoom: l.label.as_ref().and_then(|x| x.maxzoom),
            line_minzoom: l
                .label
                .as_ref()
                .and_then(|x| x.line_minzoom)
                .or(d.label.as_ref().and_then(|x| x.line_minzoom)),
        };
        ResolvedLayer {
            colour: l.colour.unwrap_or_else(|| self.palette_colour(id)),
            draw: l.draw.or(d.draw).unwrap_or(Draw::Thematic),
            base: l.base.or(d.base).unwrap_or(false),
            off_by_default: l.off_by_default.or(d.off_by_default).unwrap_or(false),
            line_width: l.line_width.or(d.line_width).unwrap_or(2.0),
            width_by: l.width_by.or_else(|| d.width_by.clone()),
            casing: l.casing.or(d.casing).unwrap_or(true),
            status_styles: l.status_styles.or(d.status_styles).unwrap_or(true),
            colour_by_route: l.colour_by_route.or(d.colour_by_route).unwrap_or(false),
            point_radius: l.point_radius.or(d.point_radius).unwrap_or(5.0),
            label,
            fill_by: l.fill_by.or_else(|| d.fill_by.clone()),
        }
    }

    /// The palette colour of a layer the style does not name: a hash of its id
    /// (`h = h × 31 + UTF-16 unit`, so it is stable for an id on every machine).
    pub fn palette_colour(&self, id: &str) -> Colour {
        let h = id
            .encode_utf16()
            .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)));
        self.palette[h as usize % self.palette.len()].clone()
    }
}

const BLACK: Rgba = Rgba {
    r: 0,
    g: 0,
    b: 0,
    a: 1.0,
};

fn stops(at: &str, s: &[[f64; 2]]) -> Result<(), StyleError> {
    if s.is_empty() {
        return Err(invalid(at, "needs at least one [zoom, value] pair"));
    }
    if s.windows(2).any(|w| w[1][0] <= w[0][0]) {
        return Err(invalid(at, "zooms must ascend"));
    }
    if s.iter()
        .any(|[z, v]| !((0.0..=24.0).contains(z) && v.is_finite() && *v >= 0.0))
    {
        return Err(invalid(at, "zooms are 0..24 and values finite and ≥ 0"));
    }
    Ok(())
}

fn unit(at: &str, v: f64) -> Result<(), StyleError> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(invalid(at, format!("{v} is not an opacity in 0..1")))
    }
}

fn positive(at: &str, v: f64) -> Result<(), StyleError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(invalid(at, format!("{v} is not a positive number")))
    }
}

fn dashes(at: &str, d: &[f64]) -> Result<(), StyleError> {
    if d.len() < 2 || !d.len().is_multiple_of(2) || d.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(invalid(
            at,
            "a dash pattern is an even number (≥ 2) of positive lengths",
        ));
    }
    Ok(())
}

fn same_keys<'a>(
    at: &str,
    keys: impl Iterator<Item = &'a String>,
    want: &[&str],
) -> Result<(), StyleError> {
    let have: Vec<&str> = keys.map(String::as_str).collect();
    for w in want {
        if !have.contains(w) {
            return Err(invalid(at, format!("has no entry for {w:?}")));
        }
    }
    for h in &have {
        if !want.contains(h) {
            return Err(invalid(at, format!("{h:?} is not one of {want:?}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_style_is_valid() {
        MapStyle::parse(SHIPPED_JSON).unwrap();
    }

    #[test]
    fn a_layer_takes_what_it_leaves_out_from_the_default() {
        let s = MapStyle::shipped();
        let hw = s.layer("highways");
        assert_eq!(hw.colour, Colour("#d4542b".into()));
        assert_eq!(hw.line_width, 2.2);
        assert!(hw.casing && hw.status_styles);
        assert_eq!(hw.label.minzoom, Some(9.0));
        let osm = s.layer("osm_highways");
        assert!(!osm.casing && !osm.status_styles);
        assert_eq!(osm.width_by.unwrap().values["motorway"], 2.2);
        // A layer the style does not name gets a palette colour, the same for the same id.
        let other = s.layer("synthetic_roads");
        assert_eq!(other.colour, s.layer("synthetic_roads").colour);
        assert!(s.palette.contains(&other.colour));
        assert_eq!(other.draw, Draw::Thematic);
    }

    #[test]
    fn counties_can_be_coloured_by_their_group() {
        let f = MapStyle::shipped().layer("counties").fill_by.unwrap();
        assert_eq!(f.field, "group_id");
        assert!(f.off_by_default);
        let values: Vec<(&str, &str)> = f
            .values
            .iter()
            .map(|v| (v.value.as_str(), v.name_zh.as_str()))
            .collect();
        assert_eq!(
            values,
            [
                ("metro", "主城都市区"),
                ("northeast", "渝东北三峡库区城镇群"),
                ("southeast", "渝东南武陵山区城镇群")
            ]
        );
        assert_eq!(MapStyle::shipped().layer("railways").fill_by, None);
    }

    #[test]
    fn lines_of_unknown_course_are_thinner_and_dotted() {
        let c = &MapStyle::shipped().course_unknown;
        assert!(c.width < 1.0);
        assert_eq!(c.legend_en, "direction only");
        let e = edited(|v| v["course_unknown"]["width"] = 1.5.into()).unwrap_err();
        assert!(e.to_string().contains("course_unknown.width"), "{e}");
        let e = edited(|v| v["course_unknown"]["dash"] = serde_json::json!([1])).unwrap_err();
        assert!(e.to_string().contains("course_unknown.dash"), "{e}");
    }

    #[test]
    fn lines_sharing_a_corridor_are_offset_by_their_slot() {
        let o = &MapStyle::shipped().line_offset;
        assert_eq!(o.field, "offset_slot");
        assert!(o.step > 0.0);
        let e = edited(|v| v["line_offset"]["step"] = 0.into()).unwrap_err();
        assert!(e.to_string().contains("line_offset.step"), "{e}");
    }

    #[test]
    fn the_palette_hash_is_the_pages() {
        // The page: for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0.
        let mut h: u64 = 0;
        for c in "synthetic_roads".chars() {
            h = (h * 31 + c as u64) % (1 << 32);
        }
        let s = MapStyle::shipped();
        assert_eq!(
            s.palette_colour("synthetic_roads"),
            s.palette[h as usize % s.palette.len()]
        );
    }

    #[test]
    fn colours_resolve_against_the_layer() {
        let layer = Rgba {
            r: 10,
            g: 20,
            b: 30,
            a: 1.0,
        };
        assert_eq!(Colour("layer".into()).resolve(layer), Some(layer));
        assert_eq!(
            Colour("layer/0.4".into()).resolve(layer),
            Some(Rgba { a: 0.4, ..layer })
        );
        assert_eq!(
            Colour("#ff8000".into()).resolve(layer),
            Some(Rgba {
                r: 255,
                g: 128,
                b: 0,
                a: 1.0
            })
        );
        for bad in ["red", "#ff80", "layer/2", "layer/x", "#gg0000"] {
            assert_eq!(Colour(bad.into()).resolve(layer), None, "{bad}");
        }
    }

    fn edited(f: impl FnOnce(&mut serde_json::Value)) -> Result<MapStyle, StyleError> {
        let mut v: serde_json::Value = serde_json::from_str(SHIPPED_JSON).unwrap();
        f(&mut v);
        MapStyle::parse(&v.to_string())
    }

    #[test]
    fn a_broken_style_names_what_is_wrong() {
        let e = edited(|v| {
            v["statuses"]
                .as_object_mut()
                .unwrap()
                .remove("planned")
                .map(drop)
                .unwrap()
        })
        .unwrap_err();
        assert!(
            e.to_string().contains("statuses") && e.to_string().contains("planned"),
            "{e}"
        );
        let e = edited(|v| v["layers"]["railways"]["colour"] = "layer".into()).unwrap_err();
        assert!(e.to_string().contains("layers.railways.colour"), "{e}");
        let e = edited(|v| v["statuses"]["planned"]["dash"] = serde_json::json!([1, 2, 3]))
            .unwrap_err();
        assert!(e.to_string().contains("statuses.planned.dash"), "{e}");
        let e = edited(|v| v["layers"]["railways"]["colour_by"] = "x".into()).unwrap_err();
        assert!(
            matches!(e, StyleError::Json(_)) && e.to_string().contains("colour_by"),
            "{e}"
        );
        let e =
            edited(|v| v["layers"]["counties"]["fill_by"]["values"][1]["value"] = "metro".into())
                .unwrap_err();
        assert!(
            e.to_string().contains("layers.counties.fill_by.values[1]")
                && e.to_string().contains("twice"),
            "{e}"
        );
        let e = edited(|v| v["layers"]["counties"]["fill_by"]["opacity"] = 1.5.into()).unwrap_err();
        assert!(
            e.to_string().contains("layers.counties.fill_by.opacity"),
            "{e}"
        );
        let e = edited(|v| v["unlocated"]["dot_scale"] = 1.5.into()).unwrap_err();
        assert!(e.to_string().contains("unlocated.dot_scale"), "{e}");
        let e = edited(|v| v["version"] = 2.into()).unwrap_err();
        assert_eq!(e, StyleError::Version(2));
        let e = edited(|v| v["width_by_zoom"] = serde_json::json!([[8, 1], [5, 2]])).unwrap_err();
        assert!(e.to_string().contains("ascend"), "{e}");
    }
}
