//! Thematic layers (`draw: thematic`): polygons filled and outlined by status, lines with a
//! casing, status dashes, the dotted style of an unknown course and their offset slot, and point
//! symbols by status and accuracy, hollow when the site is not known — as `web/js/mapstyle.js`
//! draws them.

use super::Ctx;
use super::labels::{Label, Labels, Placement, Priority};
use super::layers::{
    Drawn, Groups, bool_field, darken, layer_colour, line_label, line_width, number_field,
};
use super::svg::{self, Stroke, alpha, rgb};
use crate::layers::Feature;
use crate::style::{ResolvedLayer, Rgba};

/// A status style's opacity of lines and outlines, or 1 for a layer without status styles.
fn status_opacity(ctx: &Ctx<'_>, ls: &ResolvedLayer, f: &Feature) -> f64 {
    let accuracy = ctx
        .style
        .accuracy
        .get(f.accuracy.as_str())
        .map_or(1.0, |a| a.opacity);
    if ls.status_styles {
        ctx.style
            .statuses
            .get(f.status.as_str())
            .map_or(1.0, |s| s.opacity)
            * accuracy
    } else {
        accuracy
    }
}

pub(super) fn draw(
    ctx: &Ctx<'_>,
    g: &mut Groups,
    labels: &mut Labels,
    ls: &ResolvedLayer,
    f: &Feature,
    index: u32,
    drawn: &mut Drawn,
) {
    let colour = route_colour(ctx, ls, index).unwrap_or_else(|| layer_colour(ls));
    let status = ctx.style.statuses.get(f.status.as_str());
    if ls.status_styles {
        drawn.statuses.insert(f.status);
    }
    let dash = if ls.status_styles {
        status.and_then(|s| s.dash.clone())
    } else {
        None
    };
    let opacity = status_opacity(ctx, ls, f);
    // Polygons: a fill by status and an outline.
    let d = svg::polygon_path(&ctx.view, &f.geometry);
    if !d.is_empty() {
        let fill_opacity = if ls.status_styles {
            status.map_or(0.15, |s| s.fill_opacity)
        } else {
            0.35
        };
        svg::filled(&mut g.fills, &d, alpha(layer_colour(ls), fill_opacity));
        let w = ctx.by_zoom(1.4);
        svg::stroked(
            &mut g.lines,
            &d,
            &Stroke {
                colour: alpha(layer_colour(ls), opacity),
                width: w,
                dash: dash.as_ref().map(|d| d.iter().map(|v| v * w).collect()),
                round: false,
            },
        );
    }
    let parts = svg::line_parts(&f.geometry);
    if !parts.is_empty() {
        let known = bool_field(f, "course_known") != Some(false);
        let cu = &ctx.style.course_unknown;
        if !known {
            drawn.course_unknown = true;
        }
        let base_w = line_width(ls, f);
        let w = ctx.by_zoom(if known { base_w } else { base_w * cu.width });
        let o = &ctx.style.line_offset;
        let offset_px = ctx.by_zoom(o.step * number_field(f, &o.field).unwrap_or(0.0));
        let line_dash = if known {
            dash.clone()
        } else {
            Some(cu.dash.clone())
        };
        let line_opacity = if known { opacity } else { opacity * cu.opacity };
        for part in &parts {
            let pts = svg::offset(&svg::pixels(&ctx.view, &part.0), offset_px);
            let mut d = String::new();
            svg::push_path(&mut d, &pts, false);
            if ls.casing && known {
                svg::stroked(
                    &mut g.lines,
                    &d,
                    &Stroke {
                        colour: alpha(rgb(0xffffff), 0.75),
                        width: ctx.by_zoom(base_w + 2.2),
                        dash: None,
                        round: false,
                    },
                );
            }
            svg::stroked(
                &mut g.lines,
                &d,
                &Stroke {
                    colour: alpha(colour, line_opacity),
                    width: w,
                    dash: line_dash
                        .as_ref()
                        .map(|d| d.iter().map(|v| v * w).collect()),
                    round: false,
                },
            );
        }
        line_label(ctx, labels, ls, f, rgb(0x3d3d3d));
    }
    let pts = svg::points(&f.geometry);
    if pts.is_empty() {
        return;
    }
    point_symbols(ctx, g, labels, ls, f, &pts, drawn);
}

/// The colour of a tourist route by its place among the routes, when the layer is coloured so.
fn route_colour(ctx: &Ctx<'_>, ls: &ResolvedLayer, index: u32) -> Option<Rgba> {
    if !ls.colour_by_route {
        return None;
    }
    let n = ctx
        .snap
        .annotations
        .routes
        .iter()
        .position(|r| *r == index)?;
    let list = &ctx.style.route_colours;
    list[n % list.len()].resolve(rgb(0))
}

fn point_symbols(
    ctx: &Ctx<'_>,
    g: &mut Groups,
    labels: &mut Labels,
    ls: &ResolvedLayer,
    f: &Feature,
    pts: &[geo::Coord],
    drawn: &mut Drawn,
) {
    let colour = layer_colour(ls);
    let z = ctx.view.zoom;
    let u = &ctx.style.unlocated;
    let unlocated = bool_field(f, "location_known") == Some(false);
    if unlocated {
        drawn.unlocated = true;
    }
    let r0 = ls.point_radius;
    let dot = |v: f64| if unlocated { v * u.dot_scale } else { v };
    let r = super::stops(
        &[
            [6.0, dot(r0 * 0.75)],
            [10.0, dot(r0 * 1.25)],
            [14.0, dot(r0 * 1.8)],
        ],
        z,
    );
    let accuracy = ctx.style.accuracy.get(f.accuracy.as_str());
    let acc_opacity = accuracy.map_or(1.0, |a| a.opacity);
    let symbol = ctx
        .style
        .statuses
        .get(f.status.as_str())
        .or_else(|| ctx.style.statuses.get("unknown"))
        .map(|s| &s.point);
    let (fill, stroke, stroke_w) = match symbol {
        Some(p) if ls.status_styles => (
            p.fill.resolve(colour).unwrap_or(colour),
            p.stroke.resolve(colour).unwrap_or(rgb(0xffffff)),
            p.stroke_width,
        ),
        _ => (colour, rgb(0xffffff), 1.0),
    };
    for p in pts {
        let at = ctx.view.project(*p);
        if unlocated {
            if let Some(km) = number_field(f, "uncertainty_km").filter(|k| *k > 0.0) {
                // Metres on the ground to pixels at the point's latitude.
                let px_per_m = ctx.view.world_px()
                    / (2.0 * std::f64::consts::PI * 6_378_137.0 * p.y.to_radians().cos());
                svg::circle(
                    &mut g.points,
                    at,
                    km * 1000.0 * px_per_m,
                    u.uncertainty_fill.resolve(colour),
                    u.uncertainty_stroke
                        .resolve(colour)
                        .map(|s| (s, u.uncertainty_stroke_width)),
                );
            }
            svg::circle(
                &mut g.points,
                at,
                ctx.by_zoom(u.ring.radius),
                None,
                u.ring.colour.resolve(colour).map(|c| (c, u.ring.width)),
            );
        } else if let Some(halo) = accuracy.and_then(|a| a.halo.as_ref()) {
            svg::circle(
                &mut g.points,
                at,
                ctx.by_zoom(halo.radius),
                halo.colour.resolve(colour),
                None,
            );
        }
        svg::circle(
            &mut g.points,
            at,
            r,
            Some(alpha(fill, acc_opacity)),
            Some((alpha(stroke, acc_opacity), stroke_w)),
        );
        if ls.label.minzoom.is_none_or(|m| z >= m) {
            labels.add(Label {
                text: ctx.lang().pick(f.name_zh(), f.name_en()).to_string(),
                at,
                placement: Placement::Around { radius: r + 2.0 },
                size: 11.5,
                colour: darken(colour),
                bold: false,
                priority: Priority::Point,
            });
        }
    }
}
