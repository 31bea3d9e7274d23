//! Writing SVG: colours, path data from projected geometry, strokes, text. Plain string
//! building: the document is small and flat, and its shape is fixed by this module, so an XML
//! library would only add allocations.

use super::view::View;
use crate::style::Rgba;
use geo::{Coord, Geometry, LineString, Polygon};
use std::fmt::Write;

/// `#rrggbb` of a colour (its alpha goes into an opacity attribute).
pub fn hex(c: Rgba) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

/// Text and attribute values with `&`, `<`, `>` and `"` escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A number with at most 2 decimals and no trailing zeros.
pub fn num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// Pixel positions of a lon/lat path, dropping positions that move less than half a pixel
/// (they cannot be seen, and a boundary at a small zoom has thousands of them).
pub fn pixels(view: &View, coords: &[Coord]) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::with_capacity(coords.len());
    for (i, c) in coords.iter().enumerate() {
        let p = view.project(*c);
        let last = i + 1 == coords.len();
        match out.last() {
            Some(q) if !last && (p[0] - q[0]).abs() < 0.5 && (p[1] - q[1]).abs() < 0.5 => {}
            _ => out.push(p),
        }
    }
    out
}

/// A path coordinate to a tenth of a pixel (finer than antialiasing shows).
fn coord(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

/// Appends `M x y L x y …` (and `Z` when `close`) to `d`.
pub fn push_path(d: &mut String, pts: &[[f64; 2]], close: bool) {
    for (i, p) in pts.iter().enumerate() {
        let _ = write!(
            d,
            "{}{} {}",
            if i == 0 { "M" } else { "L" },
            coord(p[0]),
            coord(p[1])
        );
    }
    if close && !pts.is_empty() {
        d.push('Z');
    }
}

fn push_polygon(d: &mut String, view: &View, p: &Polygon<f64>) {
    push_path(d, &pixels(view, &p.exterior().0), true);
    for r in p.interiors() {
        push_path(d, &pixels(view, &r.0), true);
    }
}

/// Path data of the polygons of a geometry (`fill-rule: evenodd` draws their holes).
pub fn polygon_path(view: &View, g: &Geometry<f64>) -> String {
    let mut d = String::new();
    match g {
        Geometry::Polygon(p) => push_polygon(&mut d, view, p),
        Geometry::MultiPolygon(mp) => mp.0.iter().for_each(|p| push_polygon(&mut d, view, p)),
        Geometry::GeometryCollection(gc) => {
            for g in &gc.0 {
                d.push_str(&polygon_path(view, g));
            }
        }
        _ => {}
    }
    d
}

/// The line parts of a geometry.
pub fn line_parts(g: &Geometry<f64>) -> Vec<&LineString<f64>> {
    match g {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(ml) => ml.0.iter().collect(),
        Geometry::GeometryCollection(gc) => gc.0.iter().flat_map(line_parts).collect(),
        _ => Vec::new(),
    }
}

/// The points of a geometry.
pub fn points(g: &Geometry<f64>) -> Vec<Coord> {
    match g {
        Geometry::Point(p) => vec![p.0],
        Geometry::MultiPoint(mp) => mp.0.iter().map(|p| p.0).collect(),
        Geometry::GeometryCollection(gc) => gc.0.iter().flat_map(points).collect(),
        _ => Vec::new(),
    }
}

/// `pts` shifted `offset_px` to the right of their direction (MapLibre's `line-offset`): each
/// vertex moves along the mean of the normals of its two segments, lengthened at corners (a
/// miter, capped at 2× so a sharp turn does not spike).
pub fn offset(pts: &[[f64; 2]], offset_px: f64) -> Vec<[f64; 2]> {
    if offset_px == 0.0 || pts.len() < 2 {
        return pts.to_vec();
    }
    let normal = |a: [f64; 2], b: [f64; 2]| {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = dx.hypot(dy);
        if len == 0.0 {
            [0.0, 0.0]
        } else {
            // Right of the direction, with y pointing down.
            [-dy / len, dx / len]
        }
    };
    let n = pts.len();
    (0..n)
        .map(|i| {
            let before = if i > 0 {
                normal(pts[i - 1], pts[i])
            } else {
                [0.0, 0.0]
            };
            let after = if i + 1 < n {
                normal(pts[i], pts[i + 1])
            } else {
                [0.0, 0.0]
            };
            let mut m = [before[0] + after[0], before[1] + after[1]];
            let len = m[0].hypot(m[1]);
            if len > 0.0 {
                m = [m[0] / len, m[1] / len];
            }
            // The miter: the mean normal, lengthened by 1/cos of its angle to a segment's.
            let one = if i > 0 { before } else { after };
            let cos = (m[0] * one[0] + m[1] * one[1]).max(0.5);
            let k = offset_px / cos;
            [pts[i][0] + m[0] * k, pts[i][1] + m[1] * k]
        })
        .collect()
}

/// How a path is stroked.
#[derive(Debug, Clone)]
pub struct Stroke {
    pub colour: Rgba,
    pub width: f64,
    /// In pixels.
    pub dash: Option<Vec<f64>>,
    pub round: bool,
}

/// A `<path>` stroked and not filled.
pub fn stroked(out: &mut String, d: &str, s: &Stroke) {
    if d.is_empty() || s.width <= 0.0 {
        return;
    }
    let _ = write!(
        out,
        r#"<path d="{d}" fill="none" stroke="{}" stroke-width="{}""#,
        hex(s.colour),
        num(s.width)
    );
    if s.colour.a < 1.0 {
        let _ = write!(out, r#" stroke-opacity="{}""#, num3(s.colour.a));
    }
    if let Some(dash) = &s.dash {
        let list: Vec<String> = dash.iter().map(|v| num(*v)).collect();
        let _ = write!(out, r#" stroke-dasharray="{}""#, list.join(" "));
    }
    if s.round {
        out.push_str(r#" stroke-linecap="round""#);
    }
    out.push_str(" stroke-linejoin=\"round\"/>\n");
}

/// A filled `<path>` (even-odd, for holes).
pub fn filled(out: &mut String, d: &str, colour: Rgba) {
    if d.is_empty() || colour.a <= 0.0 {
        return;
    }
    let _ = write!(
        out,
        r#"<path d="{d}" fill="{}" fill-rule="evenodd""#,
        hex(colour)
    );
    if colour.a < 1.0 {
        let _ = write!(out, r#" fill-opacity="{}""#, num3(colour.a));
    }
    out.push_str("/>\n");
}

/// A circle with a fill and a stroke, either of which may be `None`.
pub fn circle(
    out: &mut String,
    at: [f64; 2],
    r: f64,
    fill: Option<Rgba>,
    stroke: Option<(Rgba, f64)>,
) {
    let _ = write!(
        out,
        r#"<circle cx="{}" cy="{}" r="{}""#,
        num(at[0]),
        num(at[1]),
        num(r.max(0.1))
    );
    match fill {
        Some(f) => {
            let _ = write!(out, r#" fill="{}""#, hex(f));
            if f.a < 1.0 {
                let _ = write!(out, r#" fill-opacity="{}""#, num3(f.a));
            }
        }
        None => out.push_str(r#" fill="none""#),
    }
    if let Some((s, w)) = stroke
        && w > 0.0
    {
        let _ = write!(out, r#" stroke="{}" stroke-width="{}""#, hex(s), num(w));
        if s.a < 1.0 {
            let _ = write!(out, r#" stroke-opacity="{}""#, num3(s.a));
        }
    }
    out.push_str("/>\n");
}

/// An opacity with 3 decimals.
pub fn num3(v: f64) -> String {
    let r = (v.clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
    format!("{r}")
}

/// How a text is written.
#[derive(Debug, Clone)]
pub struct TextStyle<'a> {
    pub size: f64,
    pub colour: Rgba,
    pub bold: bool,
    /// A white halo of this width (0 for none).
    pub halo: f64,
    pub anchor: &'static str,
    pub family: &'a str,
}

/// A `<text>` whose baseline starts (or is centred, by the anchor) at `at`.
pub fn text(out: &mut String, at: [f64; 2], content: &str, t: &TextStyle<'_>) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" font-family="{}" font-size="{}" fill="{}" text-anchor="{}""#,
        num(at[0]),
        num(at[1]),
        escape(t.family),
        num(t.size),
        hex(t.colour),
        t.anchor
    );
    if t.colour.a < 1.0 {
        let _ = write!(out, r#" fill-opacity="{}""#, num3(t.colour.a));
    }
    if t.bold {
        out.push_str(r#" font-weight="bold""#);
    }
    if t.halo > 0.0 {
        let _ = write!(
            out,
            r##" stroke="#ffffff" stroke-width="{}" stroke-opacity="0.85" stroke-linejoin="round" paint-order="stroke""##,
            num(t.halo * 2.0)
        );
    }
    let _ = writeln!(out, ">{}</text>", escape(content));
}

/// An opaque colour from `#rrggbb` written in code (the fixed colours of the furniture and
/// overlays, mirroring the page's).
pub const fn rgb(n: u32) -> Rgba {
    Rgba {
        r: (n >> 16) as u8,
        g: (n >> 8) as u8,
        b: n as u8,
        a: 1.0,
    }
}

/// `c` at opacity `a` (multiplied with its own).
pub fn alpha(c: Rgba, a: f64) -> Rgba {
    Rgba { a: c.a * a, ..c }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.256), "1.26");
        assert_eq!(num(-0.5), "-0.5");
    }

    #[test]
    fn an_offset_line_moves_to_the_right_of_its_direction() {
        // Eastwards, with y down: the right is +y.
        let o = offset(&[[0.0, 0.0], [10.0, 0.0]], 2.0);
        assert_eq!(o, vec![[0.0, 2.0], [10.0, 2.0]]);
    }
}
