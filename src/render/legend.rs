//! The legend's rows and their samples: the overlays, the layers drawn, the statuses drawn
//! (by their dash), the border, lines of unknown course and points whose site is not known.

use super::Lang;
use super::labels::text_width;
use super::layers::layer_colour;
use super::overlays::{BAND_FILL, BAND_LINE, LOOP, MARKER, NEAR_LINE};
use super::svg::{self, Stroke, alpha, rgb};
use crate::layers::{GeometryKind, LayerSpec, Status};
use crate::style::{ResolvedLayer, Rgba};
use std::fmt::Write;

/// Text size of a row.
pub const LEGEND_TEXT: f64 = 10.5;
/// Width of a row's sample.
pub const SWATCH: f64 = 24.0;

/// How a legend row is drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Symbol {
    Line {
        colour: Rgba,
        dash: Option<Vec<f64>>,
        width: f64,
    },
    Point {
        fill: Rgba,
        stroke: Rgba,
    },
    Area {
        colour: Rgba,
    },
    Hollow {
        colour: Rgba,
    },
    Border,
    Band,
    Near,
    Route,
    Marker,
}

/// The rows of the legend, in the order they were noted.
#[derive(Debug, Default)]
pub struct Legend {
    /// A sample and the title in Chinese and English of each layer drawn.
    pub layers: Vec<(Symbol, String, String)>,
    pub overlays: Vec<(Symbol, String)>,
}

impl Legend {
    /// A drawn data layer: a sample of its lines, points or areas and its title.
    pub fn layer(&mut self, ls: &ResolvedLayer, spec: &LayerSpec) {
        let colour = layer_colour(ls);
        let symbol = if spec.geometry.contains(&GeometryKind::Line) {
            Symbol::Line {
                colour,
                dash: None,
                width: ls.line_width.max(1.5),
            }
        } else if spec.geometry.contains(&GeometryKind::Point) {
            Symbol::Point {
                fill: colour,
                stroke: rgb(0xffffff),
            }
        } else {
            Symbol::Area { colour }
        };
        self.layers
            .push((symbol, spec.title_zh.clone(), spec.title_en.clone()));
    }

    pub fn overlay(&mut self, symbol: Symbol, text: String) {
        self.overlays.push((symbol, text));
    }
}

pub fn status_name(s: Status, lang: Lang) -> &'static str {
    match (s, lang) {
        (Status::Existing, Lang::Zh) => "已建成",
        (Status::UnderConstruction, Lang::Zh) => "在建",
        (Status::Planned, Lang::Zh) => "规划",
        (Status::Preparatory, Lang::Zh) => "前期工作",
        (Status::UnderStudy, Lang::Zh) => "研究论证",
        (Status::Unknown, Lang::Zh) => "未注明",
        (Status::Existing, Lang::En) => "Existing",
        (Status::UnderConstruction, Lang::En) => "Under construction",
        (Status::Planned, Lang::En) => "Planned",
        (Status::Preparatory, Lang::En) => "Preparatory work",
        (Status::UnderStudy, Lang::En) => "Under study",
        (Status::Unknown, Lang::En) => "Not stated",
    }
}

/// Cuts `t` to at most `max_px` at the legend's size, ending it with "…" when cut.
pub fn shorten(t: &mut String, max_px: f64) {
    if text_width(t, LEGEND_TEXT) <= max_px {
        return;
    }
    let budget = max_px - text_width("…", LEGEND_TEXT);
    let mut kept = String::new();
    for c in t.chars() {
        let mut next = kept.clone();
        next.push(c);
        if text_width(&next, LEGEND_TEXT) > budget {
            break;
        }
        kept = next;
    }
    *t = format!("{}…", kept.trim_end());
}

/// The sample of a row, centred on `y`, from `x`.
pub fn swatch(out: &mut String, symbol: &Symbol, x: f64, y: f64) {
    let line = |out: &mut String, colour: Rgba, width: f64, dash: Option<Vec<f64>>| {
        let mut d = String::new();
        svg::push_path(&mut d, &[[x, y], [x + SWATCH, y]], false);
        svg::stroked(
            out,
            &d,
            &Stroke {
                colour,
                width,
                dash: dash.map(|d| d.iter().map(|v| v * width).collect()),
                round: false,
            },
        );
    };
    let rect = |out: &mut String, fill: Rgba, stroke: Rgba| {
        let _ = writeln!(
            out,
            r#"<rect x="{}" y="{}" width="{SWATCH}" height="10" fill="{}" fill-opacity="{}" stroke="{}" stroke-width="1.2"/>"#,
            svg::num(x),
            svg::num(y - 5.0),
            svg::hex(fill),
            svg::num3(fill.a),
            svg::hex(stroke)
        );
    };
    let c = x + SWATCH / 2.0;
    match symbol {
        Symbol::Line {
            colour,
            dash,
            width,
        } => line(out, *colour, *width, dash.clone()),
        Symbol::Point { fill, stroke } => {
            svg::circle(out, [c, y], 5.0, Some(*fill), Some((*stroke, 1.5)))
        }
        Symbol::Area { colour } => {
            if colour.a > 0.0 {
                rect(out, alpha(*colour, 0.35), *colour)
            }
        }
        Symbol::Hollow { colour } => {
            svg::circle(out, [c, y], 6.5, None, Some((*colour, 1.4)));
            svg::circle(out, [c, y], 2.7, Some(*colour), None);
        }
        Symbol::Border => line(out, rgb(0xb3245a), 2.0, Some(vec![5.0, 1.6, 1.2, 1.6])),
        Symbol::Band => rect(out, alpha(rgb(BAND_FILL), 0.3), rgb(BAND_LINE)),
        Symbol::Near => {
            svg::circle(
                out,
                [c, y],
                6.0,
                Some(alpha(rgb(NEAR_LINE), 0.15)),
                Some((rgb(NEAR_LINE), 1.4)),
            );
            svg::circle(out, [c, y], 2.5, Some(rgb(NEAR_LINE)), None);
        }
        Symbol::Route => {
            line(out, rgb(LOOP), 4.0, None);
            svg::circle(
                out,
                [c, y],
                5.5,
                Some(rgb(LOOP)),
                Some((rgb(0xffffff), 1.5)),
            );
        }
        Symbol::Marker => svg::circle(
            out,
            [c, y],
            5.0,
            Some(rgb(MARKER)),
            Some((rgb(0xffffff), 1.5)),
        ),
    }
}
