//! The SVG to PNG, with `resvg` (usvg parses, tiny-skia paints), and the fonts it draws text
//! with.
//!
//! Fonts come from fontconfig's folders (fontdb's system fonts: `/usr/share/fonts`,
//! `~/.fonts`, …) plus the folder or file named by the environment variable
//! [`FONT_PATH_ENV`]. Labels are Chinese, so a CJK font is needed: Debian's `fonts-noto-cjk`
//! (Noto Sans CJK SC, the style's first family). Without one the server still starts and draws,
//! but warns once at start-up that Chinese labels will be missing ([`check_fonts`]).

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use std::sync::{Arc, OnceLock};

/// A font folder or file to load besides the system fonts.
pub const FONT_PATH_ENV: &str = "YUQIAN_FONT_PATH";

/// The fonts pictures are drawn with, loaded once.
pub struct Fonts {
    db: Arc<fontdb::Database>,
    /// The CJK family found (`None` when there is none).
    pub cjk_family: Option<String>,
    /// How many font faces were loaded.
    pub faces: usize,
}

/// The fonts, loaded on first use.
pub fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        if let Some(path) = std::env::var_os(FONT_PATH_ENV) {
            let path = std::path::PathBuf::from(path);
            if path.is_dir() {
                db.load_fonts_dir(&path);
            } else if let Err(e) = db.load_font_file(&path) {
                tracing::warn!(path = %path.display(), error = %e, "{FONT_PATH_ENV} names no font that could be read");
            }
        }
        let families: Vec<String> = db
            .faces()
            .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
            .collect();
        let wanted = crate::style::MapStyle::shipped().fonts.regular.first().cloned();
        let cjk_family = wanted
            .filter(|w| families.iter().any(|f| f == w))
            .or_else(|| families.iter().find(|f| f.contains("CJK")).cloned())
            .or_else(|| {
                families
                    .iter()
                    .find(|f| {
                        ["WenQuanYi", "Source Han", "Droid Sans Fallback"]
                            .iter()
                            .any(|k| f.contains(k))
                    })
                    .cloned()
            });
        // `sans-serif` (the style's last resort) is the CJK family when there is one, so
        // that a label never falls to a font without Chinese.
        if let Some(f) = &cjk_family {
            db.set_sans_serif_family(f.clone());
        }
        Fonts {
            faces: db.len(),
            db: Arc::new(db),
            cjk_family,
        }
    })
}

/// Loads the fonts and logs what was found: one line, a warning when no CJK font is there.
pub fn check_fonts() {
    let f = fonts();
    match &f.cjk_family {
        Some(family) => {
            tracing::info!(family = %family, faces = f.faces, "static maps: fonts found")
        }
        None => tracing::warn!(
            faces = f.faces,
            "static maps: no CJK font found, so Chinese labels of /api/static.png will be missing; install Debian's fonts-noto-cjk or point {FONT_PATH_ENV} at a folder with Noto Sans CJK"
        ),
    }
}

/// What went wrong while rasterising (a fault of the server: the SVG is ours).
#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error("the SVG built does not parse: {0}")]
    Parse(#[from] usvg::Error),
    #[error("no pixmap of {0}×{1} pixels")]
    Pixmap(u32, u32),
    #[error("PNG encoding: {0}")]
    Encode(String),
}

/// The PNG of `svg`, `width × height` CSS pixels at `scale` device pixels each.
pub fn png(svg: &str, width: u32, height: u32, scale: u32) -> Result<Vec<u8>, RasterError> {
    let opt = usvg::Options {
        fontdb: fonts().db.clone(),
        font_family: fonts()
            .cjk_family
            .clone()
            .unwrap_or_else(|| "sans-serif".into()),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &opt)?;
    let (pw, ph) = (width * scale, height * scale);
    let mut pixmap = Pixmap::new(pw, ph).ok_or(RasterError::Pixmap(pw, ph))?;
    // The SVG's own size is already scaled; its viewBox maps the CSS pixels onto it.
    let sx = pw as f32 / tree.size().width();
    let sy = ph as f32 / tree.size().height();
    resvg::render(&tree, Transform::from_scale(sx, sy), &mut pixmap.as_mut());
    encode_rgb(&pixmap).map_err(|e| RasterError::Encode(e.to_string()))
}

/// The pixmap as an 8-bit RGB PNG. The picture is opaque (its first element is a background
/// rectangle over the whole of it), so the alpha channel would only cost bytes, and a
/// premultiplied pixel of alpha 255 is its own colour.
fn encode_rgb(pixmap: &Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let mut out = Vec::with_capacity(rgb.len() / 4);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // `Fast` (fdeflate): a 1280×800 map comes out ~20 % larger than with `Balanced` (zlib
    // level 6) but encodes in a fraction of the time, and a cold picture's time is what the
    // user waits for (`examples/static_bench.rs`: 254 → 197 ms median for the corridor map);
    // cached pictures are served as they were encoded. (`High` was no smaller than `Balanced`.)
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(out)
}
