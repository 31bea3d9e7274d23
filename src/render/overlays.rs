//! What is drawn over the map, in the page's colours and order (`web/app.js`): a white veil
//! over the map while a corridor or nearby answer is shown, the band or circle, the features
//! found (a coloured halo under their own colour), the corridor's axis, a loop with numbered
//! stops, and markers.

use super::Ctx;
use super::labels::{Label, Labels, Placement, Priority};
use super::layers::layer_colour;
use super::legend::{Legend, Symbol};
use super::svg::{self, Stroke, TextStyle, alpha, rgb};
use crate::geodesy::circle_ring;
use std::fmt::Write;

/// The band's fill and outline (`tool:band`).
pub const BAND_FILL: u32 = 0xf2a900;
pub const BAND_LINE: u32 = 0xc98600;
/// The halo of corridor features (`hl:corridor`) and of nearby features (`hl:nearby`).
pub const CORRIDOR_HALO: u32 = 0xffc21a;
pub const NEAR_HALO: u32 = 0x2ab0f0;
pub const NEAR_LINE: u32 = 0x0a84c6;
pub const AXIS: u32 = 0x8a4b00;
/// The loop being planned (`LOOP_COLOUR`).
pub const LOOP: u32 = 0xd9480f;
pub const MARKER: u32 = 0xc92a2a;

pub fn draw(ctx: &Ctx<'_>, out: &mut String, labels: &mut Labels, legend: &mut Legend) {
    let o = &ctx.spec.overlays;
    let lang = ctx.lang();
    if o.corridor.is_some() || o.near.is_some() {
        let _ = writeln!(
            out,
            r##"<rect width="{}" height="{}" fill="#ffffff" fill-opacity="0.6"/>"##,
            ctx.view.width, ctx.view.height
        );
    }
    if let Some(c) = &o.corridor {
        let mut d = String::new();
        for p in &c.band.0 {
            let g = geo::Geometry::Polygon(p.clone());
            d.push_str(&svg::polygon_path(&ctx.view, &g));
        }
        svg::filled(out, &d, alpha(rgb(BAND_FILL), 0.14));
        svg::stroked(
            out,
            &d,
            &Stroke {
                colour: rgb(BAND_LINE),
                width: 1.6,
                dash: Some(vec![4.8, 3.2]),
                round: false,
            },
        );
        let km = c.width_m / 1000.0;
        legend.overlay(
            Symbol::Band,
            match lang {
                super::Lang::Zh => format!("走廊 {} km", super::svg::num(km)),
                super::Lang::En => format!("corridor, {} km each side", super::svg::num(km)),
            },
        );
        found(ctx, out, labels, &c.features, CORRIDOR_HALO);
        let mut d = String::new();
        for part in &c.axis {
            svg::push_path(&mut d, &svg::pixels(&ctx.view, &part.0), false);
        }
        for (colour, width) in [(rgb(0xffffff), 7.0), (rgb(AXIS), 4.0)] {
            svg::stroked(
                out,
                &d,
                &Stroke {
                    colour,
                    width,
                    dash: None,
                    round: true,
                },
            );
        }
    }
    if let Some(n) = &o.near {
        if let Some(r) = n.radius_m.filter(|r| *r > 0.0) {
            let ring = circle_ring(n.at, r, 96);
            let mut d = String::new();
            svg::push_path(&mut d, &svg::pixels(&ctx.view, &ring), true);
            svg::filled(out, &d, alpha(rgb(NEAR_LINE), 0.07));
            svg::stroked(
                out,
                &d,
                &Stroke {
                    colour: rgb(NEAR_LINE),
                    width: 1.6,
                    dash: Some(vec![4.8, 3.2]),
                    round: false,
                },
            );
        }
        found(ctx, out, labels, &n.features, NEAR_HALO);
        svg::circle(
            out,
            ctx.view.project(n.at),
            6.0,
            Some(rgb(NEAR_LINE)),
            Some((rgb(0xffffff), 2.5)),
        );
        legend.overlay(
            Symbol::Near,
            match (lang, n.radius_m) {
                (super::Lang::Zh, Some(r)) => format!("周边 {} km 内", svg::num(r / 1000.0)),
                (super::Lang::Zh, None) => "周边最近".to_string(),
                (super::Lang::En, Some(r)) => format!("within {} km", svg::num(r / 1000.0)),
                (super::Lang::En, None) => "nearest".to_string(),
            },
        );
    }
    if let Some(r) = &o.route {
        let pts = svg::pixels(&ctx.view, &r.path);
        let mut d = String::new();
        svg::push_path(&mut d, &pts, false);
        let w = ctx.zoom_stops(&[[6.0, 3.0], [12.0, 6.0]]);
        svg::stroked(
            out,
            &d,
            &Stroke {
                colour: alpha(rgb(0xffffff), 0.85),
                width: w * 2.0,
                dash: None,
                round: true,
            },
        );
        svg::stroked(
            out,
            &d,
            &Stroke {
                colour: rgb(LOOP),
                width: w,
                dash: None,
                round: true,
            },
        );
        for (i, (at, name)) in r.stops.iter().enumerate() {
            let p = ctx.view.project(*at);
            numbered(ctx, out, p, i + 1, rgb(LOOP));
            labels.reserve([p[0] - 11.0, p[1] - 11.0, p[0] + 11.0, p[1] + 11.0]);
            labels.add(Label {
                text: name.clone(),
                at: p,
                placement: Placement::Around { radius: 13.0 },
                size: 12.0,
                colour: rgb(0x5c2a0a),
                bold: true,
                priority: Priority::Overlay,
            });
        }
        legend.overlay(Symbol::Route, r.name.clone());
    }
    for (i, m) in o.markers.iter().enumerate() {
        let p = ctx.view.project(*m);
        // A pin: a drop whose tip is on the place.
        let _ = writeln!(
            out,
            r##"<path d="M{x} {y}C{x0} {ya} {x0} {yb} {x} {yb}C{x1} {yb} {x1} {ya} {x} {y}Z" fill="#{MARKER:06x}" stroke="#ffffff" stroke-width="1.5"/>"##,
            x = svg::num(p[0]),
            y = svg::num(p[1]),
            x0 = svg::num(p[0] - 9.0),
            x1 = svg::num(p[0] + 9.0),
            ya = svg::num(p[1] - 12.0),
            yb = svg::num(p[1] - 24.0),
        );
        svg::text(
            out,
            [p[0], p[1] - 13.5],
            &(i + 1).to_string(),
            &TextStyle {
                size: 10.0,
                colour: rgb(0xffffff),
                bold: true,
                halo: 0.0,
                anchor: "middle",
                family: &ctx.family,
            },
        );
        labels.reserve([p[0] - 10.0, p[1] - 25.0, p[0] + 10.0, p[1]]);
    }
    if !o.markers.is_empty() {
        legend.overlay(
            Symbol::Marker,
            match lang {
                super::Lang::Zh => "标记".to_string(),
                super::Lang::En => "markers".to_string(),
            },
        );
    }
}

/// A filled disc with a white number.
fn numbered(ctx: &Ctx<'_>, out: &mut String, p: [f64; 2], n: usize, colour: crate::style::Rgba) {
    svg::circle(out, p, 10.5, Some(colour), Some((rgb(0xffffff), 2.0)));
    svg::text(
        out,
        [p[0], p[1] + 4.2],
        &n.to_string(),
        &TextStyle {
            size: 12.0,
            colour: rgb(0xffffff),
            bold: true,
            halo: 0.0,
            anchor: "middle",
            family: &ctx.family,
        },
    );
}

/// The features of an answer: a halo in `halo` under their own colour, and their labels first.
fn found(ctx: &Ctx<'_>, out: &mut String, labels: &mut Labels, features: &[u32], halo: u32) {
    let ds = &ctx.snap.dataset;
    let halo = rgb(halo);
    let z = ctx.view.zoom;
    let halo_w = super::stops(&[[6.0, 5.0], [12.0, 9.0]], z);
    let halo_r = super::stops(&[[6.0, 8.0], [12.0, 13.0]], z);
    let mut cores = String::new();
    for &i in features {
        let f = ds.feature(i);
        let ls = ctx.style.layer(&ds.layer_of(f).id);
        let colour = layer_colour(&ls);
        let dash = ctx
            .style
            .statuses
            .get(f.status.as_str())
            .and_then(|s| s.dash.clone())
            .map(|d| d.iter().map(|v| v * 2.2).collect());
        let poly = svg::polygon_path(&ctx.view, &f.geometry);
        svg::filled(out, &poly, alpha(halo, 0.3));
        let mut d = poly;
        for part in svg::line_parts(&f.geometry) {
            svg::push_path(&mut d, &svg::pixels(&ctx.view, &part.0), false);
        }
        svg::stroked(
            out,
            &d,
            &Stroke {
                colour: alpha(halo, 0.5),
                width: halo_w,
                dash: None,
                round: true,
            },
        );
        svg::stroked(
            &mut cores,
            &d,
            &Stroke {
                colour,
                width: 2.2,
                dash,
                round: false,
            },
        );
        let mut anchor = None;
        for p in svg::points(&f.geometry) {
            let at = ctx.view.project(p);
            svg::circle(out, at, halo_r, Some(alpha(halo, 0.45)), Some((halo, 1.5)));
            svg::circle(
                &mut cores,
                at,
                4.0,
                Some(colour),
                Some((rgb(0xffffff), 1.0)),
            );
            anchor.get_or_insert((at, Placement::Around { radius: 6.0 }));
        }
        if anchor.is_none()
            && let Some(p) = f.geometry_point()
        {
            anchor = Some((ctx.view.project(p), Placement::Centre));
        }
        if let Some((at, placement)) = anchor {
            labels.add(Label {
                text: ctx.lang().pick(f.name_zh(), f.name_en()).to_string(),
                at,
                placement,
                size: 12.0,
                colour: rgb(0x262626),
                bold: false,
                priority: Priority::Overlay,
            });
        }
    }
    out.push_str(&cores);
}
