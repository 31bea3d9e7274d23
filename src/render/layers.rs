//! The data layers, drawn as the web map draws them (`web/js/mapstyle.js` turns the same style
//! description into MapLibre layers): by group over all layers — polygon fills, boundaries,
//! rivers, the border, lines, points — and within a group in catalogue order, then data order.

use super::Ctx;
use super::labels::{Label, Labels, Placement, Priority};
use super::legend::Legend;
use super::svg::{self, Stroke, alpha, rgb};
use super::thematic;
use super::{MAX_FEATURES, RenderError};
use crate::layers::{Boundary, Feature, Status};
use crate::style::{Draw, ResolvedLayer, Rgba};
use serde_json::Value;
use std::collections::BTreeSet;

/// Features drawn between two looks at the clock.
const FEATURES_PER_CHECK: usize = 256;
/// Pixels around the picture whose features are still drawn (wide lines, halos, labels).
const MARGIN_PX: f64 = 64.0;

/// What was drawn, for the legend and the attributions.
#[derive(Debug, Default)]
pub struct Drawn {
    /// Catalogue positions of the layers with at least one feature in the picture.
    pub layers: Vec<usize>,
    /// Statuses of the thematic features drawn with status styles.
    pub statuses: BTreeSet<Status>,
    /// Whether a line of unknown course was drawn.
    pub course_unknown: bool,
    /// Whether a point whose site is not known was drawn.
    pub unlocated: bool,
}

#[derive(Default)]
pub(super) struct Groups {
    pub(super) fills: String,
    pub(super) boundaries: String,
    pub(super) province_boundaries: String,
    pub(super) base_lines: String,
    pub(super) lines: String,
    pub(super) points: String,
}

/// The layer's colour as an opaque [`Rgba`].
pub fn layer_colour(ls: &ResolvedLayer) -> Rgba {
    ls.colour.resolve(rgb(0x555555)).unwrap_or(rgb(0x555555))
}

/// The page's label colour of a thematic layer: its colour at 70 %.
pub(super) fn darken(c: Rgba) -> Rgba {
    let f = |v: u8| (f64::from(v) * 0.7).round() as u8;
    Rgba {
        r: f(c.r),
        g: f(c.g),
        b: f(c.b),
        a: 1.0,
    }
}

pub(super) fn bool_field(f: &Feature, name: &str) -> Option<bool> {
    f.extra().get(name).and_then(Value::as_bool)
}

pub(super) fn number_field(f: &Feature, name: &str) -> Option<f64> {
    match f.extra().get(name)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

pub(super) fn string_field(f: &Feature, name: &str) -> Option<String> {
    match f.extra().get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        v => Some(v.to_string()),
    }
}

/// Draws the layers of the picture into `out`, queues their labels and notes what was drawn.
pub fn draw(
    ctx: &Ctx<'_>,
    out: &mut String,
    labels: &mut Labels,
    legend: &mut Legend,
) -> Result<Drawn, RenderError> {
    let ds = &ctx.snap.dataset;
    let rect = ctx.view.lonlat_rect(MARGIN_PX);
    let mut by_layer: Vec<Vec<u32>> = vec![Vec::new(); ds.catalogue.layers.len()];
    let mut count = 0usize;
    for i in ds.envelope_candidates(rect) {
        let l = usize::from(ds.feature(i).layer);
        if ctx.spec.layers.contains(&l) {
            by_layer[l].push(i);
            count += 1;
        }
    }
    if count > MAX_FEATURES {
        return Err(RenderError::TooManyFeatures(count));
    }
    let mut g = Groups::default();
    let mut drawn = Drawn::default();
    let mut step = 0usize;
    for &l in &ctx.spec.layers {
        let features = &mut by_layer[l];
        if features.is_empty() {
            continue;
        }
        features.sort_unstable();
        drawn.layers.push(l);
        let spec = &ds.catalogue.layers[l];
        let ls = ctx.style.layer(&spec.id);
        let draw = match spec.boundary {
            Some(Boundary::Province) => Draw::Province,
            Some(Boundary::County) => Draw::County,
            None => ls.draw,
        };
        for &i in features.iter() {
            if step.is_multiple_of(FEATURES_PER_CHECK) {
                ctx.deadline.check()?;
            }
            step += 1;
            let f = ds.feature(i);
            match draw {
                Draw::Province => province(ctx, &mut g, &ls, f),
                Draw::County => county(ctx, &mut g, &ls),
                Draw::River => river(ctx, &mut g, labels, &ls, f),
                Draw::Towns => town(ctx, &mut g, labels, &ls, f),
                Draw::Thematic => thematic::draw(ctx, &mut g, labels, &ls, f, i, &mut drawn),
            }
            if matches!(draw, Draw::County) {
                county_outline(ctx, &mut g, &ls, f);
            }
        }
        if draw != Draw::Province && draw != Draw::County {
            legend.layer(&ls, spec);
        }
    }
    boundary_labels(ctx, labels, &drawn.layers);
    out.push_str(&g.fills);
    out.push_str(&g.boundaries);
    out.push_str(&g.province_boundaries);
    out.push_str(&g.base_lines);
    border(ctx, out);
    out.push_str(&g.lines);
    out.push_str(&g.points);
    Ok(drawn)
}

fn province(ctx: &Ctx<'_>, g: &mut Groups, ls: &ResolvedLayer, f: &Feature) {
    let fills = &ctx.style.province_fill;
    let key = f.provinces.only().map_or("other", |p| p.as_str());
    let fill = fills
        .get(key)
        .or_else(|| fills.get("other"))
        .and_then(|c| c.resolve(rgb(0xf6f4ee)))
        .unwrap_or(rgb(0xf6f4ee));
    let d = svg::polygon_path(&ctx.view, &f.geometry);
    svg::filled(&mut g.fills, &d, fill);
    let w = ctx.by_zoom(1.3);
    svg::stroked(
        &mut g.province_boundaries,
        &d,
        &Stroke {
            colour: layer_colour(ls),
            width: w,
            dash: Some([5.0, 1.5, 1.0, 1.5].iter().map(|v| v * w).collect()),
            round: false,
        },
    );
}

fn county(_ctx: &Ctx<'_>, _g: &mut Groups, _ls: &ResolvedLayer) {
    // Counties are outlines only; their fill by group (`fill_by`) is off by default on the page
    // and so here.
}

fn county_outline(ctx: &Ctx<'_>, g: &mut Groups, ls: &ResolvedLayer, f: &Feature) {
    let d = svg::polygon_path(&ctx.view, &f.geometry);
    svg::stroked(
        &mut g.boundaries,
        &d,
        &Stroke {
            colour: alpha(layer_colour(ls), 0.8),
            width: ctx.zoom_stops(&[[6.0, 0.5], [10.0, 1.2]]),
            dash: None,
            round: false,
        },
    );
}

/// The labels of the boundary polygons at their label points (computed once per snapshot).
fn boundary_labels(ctx: &Ctx<'_>, labels: &mut Labels, drawn: &[usize]) {
    let ds = &ctx.snap.dataset;
    let z = ctx.view.zoom;
    for l in &ctx.snap.annotations.labels {
        let f = ds.feature(l.feature);
        let layer = usize::from(f.layer);
        if !drawn.contains(&layer) {
            continue;
        }
        let spec = &ds.catalogue.layers[layer];
        let ls = ctx.style.layer(&spec.id);
        if ls.label.minzoom.is_some_and(|m| z < m) || ls.label.maxzoom.is_some_and(|m| z >= m) {
            continue;
        }
        let province = spec.boundary == Some(Boundary::Province);
        let text = ctx.lang().pick(f.name_zh(), f.name_en()).to_string();
        labels.add(Label {
            text,
            at: ctx.view.project(l.at),
            placement: Placement::Centre,
            size: if province {
                ctx.zoom_stops(&[[5.0, 16.0], [8.0, 24.0]])
            } else {
                ctx.zoom_stops(&[[7.0, 11.0], [11.0, 14.0]])
            },
            colour: if province {
                Rgba {
                    r: 120,
                    g: 104,
                    b: 80,
                    a: 0.55,
                }
            } else {
                rgb(0x8f8676)
            },
            bold: province,
            priority: if province {
                Priority::Province
            } else {
                Priority::County
            },
        });
    }
}

fn river(ctx: &Ctx<'_>, g: &mut Groups, labels: &mut Labels, ls: &ResolvedLayer, f: &Feature) {
    let colour = alpha(layer_colour(ls), 0.85);
    let w = ctx.by_zoom(line_width(ls, f));
    for part in svg::line_parts(&f.geometry) {
        let pts = svg::pixels(&ctx.view, &part.0);
        let mut d = String::new();
        svg::push_path(&mut d, &pts, false);
        svg::stroked(
            &mut g.base_lines,
            &d,
            &Stroke {
                colour,
                width: w,
                dash: None,
                round: true,
            },
        );
    }
    line_label(ctx, labels, ls, f, rgb(0x2f6fae));
}

pub(super) fn line_width(ls: &ResolvedLayer, f: &Feature) -> f64 {
    match &ls.width_by {
        Some(by) => string_field(f, &by.field)
            .and_then(|v| by.values.get(&v).copied())
            .unwrap_or(by.default),
        None => ls.line_width,
    }
}

/// A line's label, horizontal, at the middle of its longest part in the picture (the page
/// writes it along the line; a horizontal label reads as well on paper and needs no glyph
/// placement of our own).
pub(super) fn line_label(
    ctx: &Ctx<'_>,
    labels: &mut Labels,
    ls: &ResolvedLayer,
    f: &Feature,
    colour: Rgba,
) {
    if ls.label.line_minzoom.is_some_and(|m| ctx.view.zoom < m) {
        return;
    }
    let text = ctx.lang().pick(f.name_zh(), f.name_en());
    if text.is_empty() {
        return;
    }
    let (w, h) = (f64::from(ctx.view.width), f64::from(ctx.view.height));
    let inside = |p: &[f64; 2]| p[0] >= 0.0 && p[0] <= w && p[1] >= 0.0 && p[1] <= h;
    let mut best: Option<[f64; 2]> = None;
    let mut best_len = 0.0;
    for part in svg::line_parts(&f.geometry) {
        let pts: Vec<[f64; 2]> = svg::pixels(&ctx.view, &part.0)
            .into_iter()
            .filter(inside)
            .collect();
        if pts.len() < 2 {
            continue;
        }
        let len: f64 = pts
            .windows(2)
            .map(|s| (s[1][0] - s[0][0]).hypot(s[1][1] - s[0][1]))
            .sum();
        if len > best_len {
            best_len = len;
            // The point half way along.
            let mut left = len / 2.0;
            for s in pts.windows(2) {
                let l = (s[1][0] - s[0][0]).hypot(s[1][1] - s[0][1]);
                if l >= left && l > 0.0 {
                    let t = left / l;
                    best = Some([
                        s[0][0] + t * (s[1][0] - s[0][0]),
                        s[0][1] + t * (s[1][1] - s[0][1]),
                    ]);
                    break;
                }
                left -= l;
            }
        }
    }
    if let Some(at) = best.filter(|_| best_len > 40.0) {
        labels.add(Label {
            text: text.to_string(),
            at,
            placement: Placement::Centre,
            size: ctx.zoom_stops(&[[8.0, 11.0], [12.0, 13.0]]),
            colour,
            bold: false,
            priority: Priority::Line,
        });
    }
}

/// The page's border line: a wide translucent halo under a dashed line.
fn border(ctx: &Ctx<'_>, out: &mut String) {
    let Some(border) = &ctx.snap.annotations.border else {
        return;
    };
    let b = &ctx.style.border;
    let colour = b.colour.resolve(rgb(0xb3245a)).unwrap_or(rgb(0xb3245a));
    let mut d = String::new();
    for part in &border.0 {
        svg::push_path(&mut d, &svg::pixels(&ctx.view, &part.0), false);
    }
    svg::stroked(
        out,
        &d,
        &Stroke {
            colour: alpha(colour, b.halo_opacity),
            width: ctx.zoom_stops(&b.halo_width),
            dash: None,
            round: true,
        },
    );
    let w = ctx.zoom_stops(&b.width);
    svg::stroked(
        out,
        &d,
        &Stroke {
            colour,
            width: w,
            dash: Some(b.dash.iter().map(|v| v * w).collect()),
            round: false,
        },
    );
}

fn town(ctx: &Ctx<'_>, g: &mut Groups, labels: &mut Labels, ls: &ResolvedLayer, f: &Feature) {
    let kind = string_field(f, "kind");
    let seat = kind.as_deref() == Some("county_seat");
    let major = seat || kind.is_none();
    let r = if seat {
        ctx.zoom_stops(&[[6.0, 3.0], [11.0, 5.5]])
    } else {
        ctx.zoom_stops(&[[6.0, 2.0], [11.0, 4.0]])
    };
    let fill = if seat { rgb(0xffffff) } else { rgb(0x5a5a5a) };
    let stroke = (layer_colour(ls), if seat { 1.6 } else { 0.8 });
    for p in svg::points(&f.geometry) {
        let at = ctx.view.project(p);
        svg::circle(&mut g.points, at, r, Some(fill), Some(stroke));
        if !major && ls.label.minzoom.is_some_and(|m| ctx.view.zoom < m) {
            continue;
        }
        let small = if major { 0.0 } else { 1.5 };
        labels.add(Label {
            text: ctx.lang().pick(f.name_zh(), f.name_en()).to_string(),
            at,
            placement: Placement::Around { radius: r + 2.0 },
            size: ctx.zoom_stops(&[[6.0, 12.0 - small], [11.0, 14.0 - small]]),
            colour: if major { rgb(0x262626) } else { rgb(0x4a4a4a) },
            bold: false,
            priority: if major {
                Priority::Seat
            } else {
                Priority::Town
            },
        });
    }
}
