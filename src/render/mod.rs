//! Static maps: a picture of the map drawn on the server, as SVG and as PNG, for reports,
//! slides, brochures and e-mail (issue 14).
//!
//! The picture is built as one SVG document, and the PNG is that document rasterised by
//! `resvg`, so the two are the same picture. The pipeline:
//!
//! 1. [`View`]: the picture's part of the world in Web Mercator, as the web map has it (512-px
//!    tiles, MapLibre's zoom), from a bbox fitted into the picture or a centre and zoom.
//! 2. [`layers`]: the features of the chosen layers whose envelope meets the view, from the
//!    snapshot's R-tree, drawn with the style description of [`crate::style`] in the page's
//!    order (fills, boundaries, rivers, the border, lines, points); [`thematic`] draws the
//!    thematic layers: status dashes, hollow unlocated points, dotted lines of unknown course
//!    and line offsets included.
//! 3. [`overlays`]: the corridor band and its features, the nearby circle and its features, a
//!    loop with numbered stops, markers.
//! 4. [`labels`]: labels by priority, each placed only where it overlaps no other.
//! 5. [`furniture`]: title, legend of what was drawn ([`legend`]), scale bar, north arrow,
//!    attributions.
//! 6. [`raster`]: the SVG to PNG with the fonts found at start-up (Noto CJK).
//!
//! Rendered images are cached per snapshot by [`cache::ImageCache`].

pub mod cache;
mod furniture;
mod labels;
mod layers;
mod legend;
mod overlays;
pub mod raster;
mod svg;
mod thematic;
pub mod view;

pub use view::View;

use crate::geodesy::LonLatRect;
use crate::snapshot::Snapshot;
use crate::style::MapStyle;
use crate::work::{Deadline, OverBudget};
use geo::{Coord, LineString, MultiPolygon};
use std::fmt::Write;

/// Largest width or height in CSS pixels.
pub const MAX_SIDE_PX: u32 = 4096;
/// Largest picture in device pixels (width × height × scale²): 4096 × 4096.
pub const MAX_PIXELS: u64 = 4096 * 4096;
/// Scales (device pixels per CSS pixel) a picture may have.
pub const SCALES: [u32; 3] = [1, 2, 3];
/// Most markers one picture may show.
pub const MAX_MARKERS: usize = 100;
/// Most features one picture draws. Rasterising cannot be stopped half way, so the cost is
/// bounded before it starts: 20,000 features take about 1–2 s to draw on the project's 2-core
/// machine (BENCHMARKS.md, "Static maps"), well inside the 5 s budget, and a picture holding
/// more is unreadable anyway.
pub const MAX_FEATURES: usize = 20_000;

/// Why a picture was not drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    OverBudget(#[from] OverBudget),
    #[error(
        "the picture would hold {0} features, more than the {MAX_FEATURES} a static map draws: show a smaller area or fewer layers"
    )]
    TooManyFeatures(usize),
}

/// The language of labels, title and legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// `zh` or `en` of a pair of texts, the other when it is empty.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh if !zh.is_empty() => zh,
            Lang::En if !en.is_empty() => en,
            Lang::Zh => en,
            Lang::En => zh,
        }
    }
}

/// What one picture shows.
#[derive(Debug, Clone)]
pub struct MapSpec {
    pub view: View,
    /// Device pixels per CSS pixel: the PNG's pixels and the SVG's width and height grow with
    /// it, the extent does not.
    pub scale: u32,
    /// Catalogue positions of the layers drawn, in catalogue order.
    pub layers: Vec<usize>,
    pub lang: Lang,
    pub overlays: Overlays,
}

/// What is drawn over the map.
#[derive(Debug, Clone, Default)]
pub struct Overlays {
    pub corridor: Option<CorridorOverlay>,
    pub route: Option<RouteOverlay>,
    /// Pins, numbered in order.
    pub markers: Vec<Coord>,
    pub near: Option<NearOverlay>,
}

/// A corridor: its axis, the band (computed by [`crate::query::corridor::band`]) and the
/// features found in it.
#[derive(Debug, Clone)]
pub struct CorridorOverlay {
    /// The axis feature's name (or "drawn line").
    pub name_zh: String,
    pub name_en: String,
    pub axis: Vec<LineString<f64>>,
    pub width_m: f64,
    pub band: MultiPolygon<f64>,
    pub features: Vec<u32>,
}

/// A loop: its path and its stops in order (numbered from 1).
#[derive(Debug, Clone)]
pub struct RouteOverlay {
    pub name: String,
    pub path: Vec<Coord>,
    pub stops: Vec<(Coord, String)>,
}

/// The nearby answer: the query point, its radius (when given) and the features found.
#[derive(Debug, Clone)]
pub struct NearOverlay {
    pub at: Coord,
    pub radius_m: Option<f64>,
    pub features: Vec<u32>,
}

impl Overlays {
    /// The lon/lat box of everything drawn over the map (to fit the view to when no bbox or
    /// centre is given); `None` when there is nothing.
    pub fn extent(&self) -> Option<LonLatRect> {
        let mut pts: Vec<Coord> = Vec::new();
        if let Some(c) = &self.corridor {
            pts.extend(c.band.0.iter().flat_map(|p| p.exterior().0.iter().copied()));
            pts.extend(c.axis.iter().flat_map(|l| l.0.iter().copied()));
        }
        if let Some(r) = &self.route {
            pts.extend(r.path.iter().copied());
            pts.extend(r.stops.iter().map(|s| s.0));
        }
        pts.extend(self.markers.iter().copied());
        if let Some(n) = &self.near {
            pts.push(n.at);
            if let Some(r) = n.radius_m.filter(|r| *r > 0.0) {
                pts.extend(crate::geodesy::circle_ring(n.at, r, 16));
            }
        }
        let first = *pts.first()?;
        let mut rect = LonLatRect {
            min: first,
            max: first,
        };
        for p in &pts {
            rect.min.x = rect.min.x.min(p.x);
            rect.min.y = rect.min.y.min(p.y);
            rect.max.x = rect.max.x.max(p.x);
            rect.max.y = rect.max.y.max(p.y);
        }
        Some(rect)
    }
}

/// Everything drawing needs, in one place.
pub(crate) struct Ctx<'a> {
    pub snap: &'a Snapshot,
    pub style: &'a MapStyle,
    pub spec: &'a MapSpec,
    pub view: View,
    pub family: String,
    pub deadline: &'a Deadline,
}

impl Ctx<'_> {
    pub fn lang(&self) -> Lang {
        self.spec.lang
    }

    /// A width at zoom 8 scaled by the style's `width_by_zoom` at this view's zoom.
    pub fn by_zoom(&self, w: f64) -> f64 {
        w * stops(&self.style.width_by_zoom, self.view.zoom)
    }

    /// `[zoom, value]` stops at this view's zoom.
    pub fn zoom_stops(&self, s: &[[f64; 2]]) -> f64 {
        stops(s, self.view.zoom)
    }
}

/// Linear interpolation of `[zoom, value]` stops at `zoom`, constant beyond the ends (as
/// MapLibre's `interpolate linear`).
pub fn stops(s: &[[f64; 2]], zoom: f64) -> f64 {
    let Some(first) = s.first() else { return 1.0 };
    if zoom <= first[0] {
        return first[1];
    }
    for w in s.windows(2) {
        if zoom <= w[1][0] {
            let t = (zoom - w[0][0]) / (w[1][0] - w[0][0]);
            return w[0][1] + t * (w[1][1] - w[0][1]);
        }
    }
    s[s.len() - 1][1]
}

/// The picture as an SVG document; stops with [`OverBudget`] once `deadline` has passed, and
/// refuses a view of more than [`MAX_FEATURES`] features.
pub fn svg(snap: &Snapshot, spec: &MapSpec, deadline: &Deadline) -> Result<String, RenderError> {
    let style = MapStyle::shipped();
    let ctx = Ctx {
        snap,
        style,
        spec,
        view: spec.view,
        family: style.fonts.regular.join(", "),
        deadline,
    };
    let (w, h) = (spec.view.width, spec.view.height);
    let mut out = String::with_capacity(256 * 1024);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {w} {h}" font-family="{}">"#,
        w * spec.scale,
        h * spec.scale,
        svg::escape(&ctx.family)
    );
    let _ = writeln!(
        out,
        r#"<rect width="{w}" height="{h}" fill="{}"/>"#,
        svg::escape(&style.background.0)
    );
    // Everything of the map proper is clipped to the picture; the furniture is drawn over it.
    let _ = writeln!(
        out,
        r#"<clipPath id="frame"><rect width="{w}" height="{h}"/></clipPath><g clip-path="url(#frame)">"#
    );
    let mut legend = legend::Legend::default();
    let mut labels = labels::Labels::new(w, h);
    let drawn = layers::draw(&ctx, &mut out, &mut labels, &mut legend)?;
    overlays::draw(&ctx, &mut out, &mut labels, &mut legend);
    out.push_str("</g>\n");
    // The furniture's boxes first, so that no label is placed under them.
    let furniture = furniture::Furniture::lay_out(&ctx, &drawn, &legend);
    for b in furniture.boxes() {
        labels.reserve(b);
    }
    labels.place_and_write(&ctx, &mut out, deadline)?;
    furniture.write(&ctx, &mut out);
    out.push_str("</svg>\n");
    Ok(out)
}
