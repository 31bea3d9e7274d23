//! What a printed map needs besides the map: a title, a legend of what was drawn, a scale bar
//! (geodesic metres along the parallel through the centre), a north arrow (Web Mercator keeps
//! north up) and the attributions of the layers drawn.

use super::labels::{Box2, text_width};
use super::layers::Drawn;
use super::legend::{LEGEND_TEXT, Legend, SWATCH, Symbol, shorten, status_name, swatch};
use super::svg::{self, TextStyle, rgb};
use super::{Ctx, Lang};
use crate::style::Rgba;
use std::fmt::Write;

const MARGIN: f64 = 10.0;
const PAD: f64 = 7.0;
const ROW: f64 = 15.0;
const TITLE_SIZE: f64 = 17.0;
const ATTRIBUTION_SIZE: f64 = 9.5;

/// Where each piece goes, decided before anything is written.
pub struct Furniture {
    title: String,
    title_box: Box2,
    legend: Vec<(Symbol, String)>,
    legend_box: Option<Box2>,
    scale_m: f64,
    scale_px: f64,
    scale_box: Box2,
    north_box: Box2,
    attribution: Vec<String>,
    attribution_box: Box2,
}

impl Furniture {
    pub fn lay_out(ctx: &Ctx<'_>, drawn: &Drawn, legend: &Legend) -> Furniture {
        let (w, h) = (f64::from(ctx.view.width), f64::from(ctx.view.height));
        let lang = ctx.lang();
        let ds = &ctx.snap.dataset;

        let title = title(ctx);
        let tw = text_width(&title, TITLE_SIZE).min(w - 2.0 * MARGIN - 2.0 * PAD - 40.0);
        let title_box = [
            MARGIN,
            MARGIN,
            MARGIN + tw + 2.0 * PAD,
            MARGIN + TITLE_SIZE + 2.0 * PAD,
        ];

        let north_box = [w - MARGIN - 28.0, MARGIN, w - MARGIN, MARGIN + 44.0];

        // Attributions of the layers drawn, each once, wrapped to lines of at most 60 % of the
        // width, at the bottom right.
        let mut sources: Vec<String> = Vec::new();
        for &l in &drawn.layers {
            let a = ds.catalogue.layers[l].attribution.trim().to_string();
            if !a.is_empty() && !sources.contains(&a) {
                sources.push(a);
            }
        }
        sources.push(match lang {
            Lang::Zh => "渝黔地图 Yuqian Map".to_string(),
            Lang::En => "Yuqian Map".to_string(),
        });
        let max_w = (w * 0.6).max(120.0);
        let mut attribution: Vec<String> = Vec::new();
        for s in sources {
            match attribution.last_mut() {
                Some(line) if text_width(&format!("{line} · {s}"), ATTRIBUTION_SIZE) <= max_w => {
                    line.push_str(" · ");
                    line.push_str(&s);
                }
                _ => attribution.push(s),
            }
        }
        let aw = attribution
            .iter()
            .map(|l| text_width(l, ATTRIBUTION_SIZE))
            .fold(0.0, f64::max)
            .min(w - 2.0 * MARGIN);
        let ah = attribution.len() as f64 * (ATTRIBUTION_SIZE + 3.0) + 6.0;
        let attribution_box = [w - aw - 8.0, h - ah, w, h];

        // Scale bar: the longest round length (1, 2 or 5 × 10ⁿ m) up to 120 px.
        let mpp = ctx.view.metres_per_px();
        let max_px = (w * 0.25).clamp(40.0, 120.0);
        let target = mpp * max_px;
        let mut scale_m = 10f64.powf(target.log10().floor());
        for k in [5.0, 2.0] {
            if scale_m * k <= target {
                scale_m *= k;
                break;
            }
        }
        let scale_px = scale_m / mpp;
        let scale_box = [
            w - MARGIN - scale_px - 4.0,
            attribution_box[1] - 26.0,
            w - MARGIN + 4.0,
            attribution_box[1] - 4.0,
        ];

        // Legend: overlays first, then layers, statuses, special symbols; as many rows as fit
        // between the title and the bottom.
        let mut rows: Vec<(Symbol, String)> = legend.overlays.clone();
        for (symbol, zh, en) in &legend.layers {
            rows.push((symbol.clone(), lang.pick(zh, en).to_string()));
        }
        if ctx.snap.annotations.border.is_some()
            && drawn
                .layers
                .iter()
                .any(|l| ds.catalogue.layers[*l].boundary.is_some())
        {
            rows.push((
                Symbol::Border,
                lang.pick("渝黔省界", "Chongqing–Guizhou border")
                    .to_string(),
            ));
        }
        for s in &drawn.statuses {
            let dash = ctx
                .style
                .statuses
                .get(s.as_str())
                .and_then(|st| st.dash.clone());
            rows.push((
                Symbol::Line {
                    colour: rgb(0x555555),
                    dash,
                    width: 2.0,
                },
                status_name(*s, lang).to_string(),
            ));
        }
        if drawn.course_unknown {
            let c = &ctx.style.course_unknown;
            rows.push((
                Symbol::Line {
                    colour: rgb(0x555555),
                    dash: Some(c.dash.clone()),
                    width: 2.0 * c.width,
                },
                lang.pick(&c.legend_zh, &c.legend_en).to_string(),
            ));
        }
        if drawn.unlocated {
            rows.push((
                Symbol::Hollow {
                    colour: rgb(0x555555),
                },
                lang.pick(
                    "位置不明，置于所属城镇",
                    "site not known, shown at its town",
                )
                .to_string(),
            ));
        }
        // At most a third of the width: longer texts are cut with an ellipsis.
        let max_text = (w / 3.0 - SWATCH - 6.0 - 2.0 * PAD).max(40.0);
        for (_, t) in rows.iter_mut() {
            shorten(t, max_text);
        }
        let lw = rows
            .iter()
            .map(|(_, t)| text_width(t, LEGEND_TEXT))
            .fold(0.0, f64::max)
            .min(max_text)
            + SWATCH
            + 6.0
            + 2.0 * PAD;
        // Above the attributions when they reach under the legend (a narrow picture).
        let bottom = if MARGIN + lw > attribution_box[0] {
            attribution_box[1] - 4.0
        } else {
            h - MARGIN
        };
        let room = bottom - title_box[3] - MARGIN - 2.0 * PAD;
        let fit = ((room / ROW).floor().max(0.0)) as usize;
        if rows.len() > fit {
            rows.truncate(fit.saturating_sub(1));
            if fit > 0 {
                rows.push((Symbol::Area { colour: rgba0() }, "…".to_string()));
            }
        }
        let legend_box = (!rows.is_empty()).then(|| {
            let lh = rows.len() as f64 * ROW + 2.0 * PAD;
            [MARGIN, bottom - lh, MARGIN + lw, bottom]
        });
        Furniture {
            title,
            title_box,
            legend: rows,
            legend_box,
            scale_m,
            scale_px,
            scale_box,
            north_box,
            attribution,
            attribution_box,
        }
    }

    /// The boxes the furniture covers (no label may go under them).
    pub fn boxes(&self) -> Vec<Box2> {
        let mut b = vec![
            self.title_box,
            self.scale_box,
            self.north_box,
            self.attribution_box,
        ];
        b.extend(self.legend_box);
        b
    }

    pub fn write(&self, ctx: &Ctx<'_>, out: &mut String) {
        let family = ctx.family.as_str();
        let text = |size: f64, bold: bool, anchor: &'static str| TextStyle {
            size,
            colour: rgb(0x222222),
            bold,
            halo: 0.0,
            anchor,
            family,
        };
        panel(out, self.title_box);
        svg::text(
            out,
            [
                self.title_box[0] + PAD,
                self.title_box[1] + PAD + TITLE_SIZE * 0.85,
            ],
            &self.title,
            &text(TITLE_SIZE, true, "start"),
        );

        // North arrow: a split arrowhead over an N.
        let [x0, y0, x1, _] = self.north_box;
        let cx = (x0 + x1) / 2.0;
        panel(out, self.north_box);
        let _ = writeln!(
            out,
            r##"<path d="M{cx} {t}L{r} {b}L{cx} {m}Z" fill="#222222"/><path d="M{cx} {t}L{l} {b}L{cx} {m}Z" fill="#ffffff" stroke="#222222" stroke-width="1"/>"##,
            cx = svg::num(cx),
            t = svg::num(y0 + 4.0),
            m = svg::num(y0 + 20.0),
            b = svg::num(y0 + 25.0),
            l = svg::num(cx - 7.0),
            r = svg::num(cx + 7.0),
        );
        svg::text(
            out,
            [cx, y0 + 40.0],
            ctx.lang().pick("北", "N"),
            &text(12.0, true, "middle"),
        );

        // Scale bar.
        let [_, sy0, sx1, sy1] = self.scale_box;
        panel(out, self.scale_box);
        let (bx0, bx1, by) = (sx1 - 4.0 - self.scale_px, sx1 - 4.0, sy1 - 5.0);
        let _ = writeln!(
            out,
            r##"<path d="M{a} {t}L{a} {y}L{b} {y}L{b} {t}" fill="none" stroke="#222222" stroke-width="1.5"/>"##,
            a = svg::num(bx0),
            b = svg::num(bx1),
            y = svg::num(by),
            t = svg::num(by - 5.0),
        );
        let label = if self.scale_m >= 1000.0 {
            format!("{} km", svg::num(self.scale_m / 1000.0))
        } else {
            format!("{} m", svg::num(self.scale_m))
        };
        svg::text(
            out,
            [(bx0 + bx1) / 2.0, sy0 + 11.0],
            &label,
            &text(10.5, false, "middle"),
        );

        // Attributions.
        panel(out, self.attribution_box);
        for (i, line) in self.attribution.iter().enumerate() {
            svg::text(
                out,
                [
                    self.attribution_box[2] - 4.0,
                    self.attribution_box[1] + 3.0 + (i as f64 + 1.0) * (ATTRIBUTION_SIZE + 3.0)
                        - 3.0,
                ],
                line,
                &TextStyle {
                    size: ATTRIBUTION_SIZE,
                    colour: rgb(0x444444),
                    bold: false,
                    halo: 0.0,
                    anchor: "end",
                    family,
                },
            );
        }

        // Legend.
        if let Some(b) = self.legend_box {
            panel(out, b);
            for (i, (symbol, label)) in self.legend.iter().enumerate() {
                let y = b[1] + PAD + ROW * i as f64 + ROW / 2.0;
                let x = b[0] + PAD;
                swatch(out, symbol, x, y);
                svg::text(
                    out,
                    [x + SWATCH + 6.0, y + LEGEND_TEXT * 0.35],
                    label,
                    &text(LEGEND_TEXT, false, "start"),
                );
            }
        }
    }
}

fn rgba0() -> Rgba {
    Rgba {
        r: 0,
        g: 0,
        b: 0,
        a: 0.0,
    }
}

/// A white, slightly transparent panel under a piece of furniture.
fn panel(out: &mut String, b: Box2) {
    let _ = writeln!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="#ffffff" fill-opacity="0.88" stroke="#999999" stroke-opacity="0.5" stroke-width="0.8"/>"##,
        svg::num(b[0]),
        svg::num(b[1]),
        svg::num(b[2] - b[0]),
        svg::num(b[3] - b[1])
    );
}

/// The title: the corridor's or loop's name, else the area at the centre.
fn title(ctx: &Ctx<'_>) -> String {
    let lang = ctx.lang();
    let o = &ctx.spec.overlays;
    if let Some(c) = &o.corridor {
        let km = svg::num(c.width_m / 1000.0);
        return match lang {
            Lang::Zh => format!("{} 沿线 {km} km 走廊", lang.pick(&c.name_zh, &c.name_en)),
            Lang::En => format!("{}: {km} km corridor", lang.pick(&c.name_zh, &c.name_en)),
        };
    }
    if let Some(r) = &o.route {
        return r.name.clone();
    }
    let ds = &ctx.snap.dataset;
    let centre = ctx.view.centre_lonlat();
    if let Some(r) = crate::query::region::region_of(ds, centre) {
        let p = ds.feature(r.province);
        let province = lang.pick(p.name_zh(), p.name_en());
        return match r.county.map(|c| ds.feature(c)) {
            Some(c) => {
                let county = lang.pick(c.name_zh(), c.name_en());
                match lang {
                    Lang::Zh => format!("{province} {county}一带"),
                    Lang::En => format!("Around {county}, {province}"),
                }
            }
            None => province.to_string(),
        };
    }
    let (ns, ew) = (
        if centre.y >= 0.0 { "N" } else { "S" },
        if centre.x >= 0.0 { "E" } else { "W" },
    );
    format!(
        "{}{:.2}°{ew} {:.2}°{ns}",
        lang.pick("渝黔地图 · ", "Yuqian Map · "),
        centre.x.abs(),
        centre.y.abs()
    )
}
