//! What part of the world a picture shows: a centre and a zoom in Web Mercator, as MapLibre
//! has them (512-pixel tiles, so the world is `512 × 2^zoom` CSS pixels wide), and the
//! picture's size in CSS pixels.

use crate::geodesy::{LonLatRect, distance_m};
use crate::tiles::mercator::{UnitXY, lonlat_to_unit, unit_to_lonlat};
use geo::Coord;

/// MapLibre's tile size in CSS pixels.
pub const TILE_PX: f64 = 512.0;
/// The deepest zoom a picture may have (as the tiles).
pub const MAX_ZOOM: f64 = 22.0;
/// A fitted box keeps this share of the picture free on each side.
pub const FIT_PADDING: f64 = 0.04;

/// A picture's view: centre (unit mercator), zoom and size (CSS pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub centre: UnitXY,
    pub zoom: f64,
    pub width: u32,
    pub height: u32,
}

impl View {
    /// Centred on `centre` (lon/lat) at `zoom`.
    pub fn at(centre: Coord, zoom: f64, width: u32, height: u32) -> View {
        View {
            centre: lonlat_to_unit(centre),
            zoom,
            width,
            height,
        }
    }

    /// The largest zoom (up to [`MAX_ZOOM`]) at which `rect` fits into the picture, centred,
    /// with [`FIT_PADDING`] on each side; the box is never stretched, so one of its sides has
    /// room to spare.
    pub fn fit(rect: LonLatRect, width: u32, height: u32) -> View {
        View::fit_beside(rect, width, height, 0.0)
    }

    /// Like [`View::fit`], with `left_px` on the left kept free too (for the legend): the box is
    /// centred in the rest of the picture.
    pub fn fit_beside(rect: LonLatRect, width: u32, height: u32, left_px: f64) -> View {
        let a = lonlat_to_unit(Coord {
            x: rect.min.x,
            y: rect.max.y,
        });
        let b = lonlat_to_unit(Coord {
            x: rect.max.x,
            y: rect.min.y,
        });
        let (dx, dy) = ((b[0] - a[0]).max(1e-12), (b[1] - a[1]).max(1e-12));
        let usable = 1.0 - 2.0 * FIT_PADDING;
        let left_px = left_px.clamp(0.0, f64::from(width) / 2.0);
        let zx = ((f64::from(width) - left_px) * usable / (dx * TILE_PX)).log2();
        let zy = (f64::from(height) * usable / (dy * TILE_PX)).log2();
        let zoom = zx.min(zy).clamp(0.0, MAX_ZOOM);
        // The box's centre at the centre of the part right of `left_px`.
        let shift_px = left_px / 2.0;
        let world = TILE_PX * zoom.exp2();
        View {
            centre: [(a[0] + b[0]) / 2.0 - shift_px / world, (a[1] + b[1]) / 2.0],
            zoom,
            width,
            height,
        }
    }

    /// CSS pixels the whole world spans at this zoom.
    pub fn world_px(&self) -> f64 {
        TILE_PX * self.zoom.exp2()
    }

    /// Where lon/lat `c` lies in the picture (CSS pixels from the top left).
    pub fn project(&self, c: Coord) -> [f64; 2] {
        let u = lonlat_to_unit(c);
        let w = self.world_px();
        [
            (u[0] - self.centre[0]) * w + f64::from(self.width) / 2.0,
            (u[1] - self.centre[1]) * w + f64::from(self.height) / 2.0,
        ]
    }

    /// The lon/lat of a pixel.
    pub fn unproject(&self, p: [f64; 2]) -> Coord {
        let w = self.world_px();
        unit_to_lonlat([
            self.centre[0] + (p[0] - f64::from(self.width) / 2.0) / w,
            self.centre[1] + (p[1] - f64::from(self.height) / 2.0) / w,
        ])
    }

    pub fn centre_lonlat(&self) -> Coord {
        unit_to_lonlat(self.centre)
    }

    /// The lon/lat box the picture shows, widened by `margin_px` on each side.
    pub fn lonlat_rect(&self, margin_px: f64) -> LonLatRect {
        let nw = self.unproject([-margin_px, -margin_px]);
        let se = self.unproject([
            f64::from(self.width) + margin_px,
            f64::from(self.height) + margin_px,
        ]);
        LonLatRect {
            min: Coord {
                x: nw.x.max(-180.0),
                y: se.y.max(-90.0),
            },
            max: Coord {
                x: se.x.min(180.0),
                y: nw.y.min(90.0),
            },
        }
    }

    /// Geodesic metres per CSS pixel along the parallel through the centre (what a scale bar
    /// shows), measured over 100 pixels.
    pub fn metres_per_px(&self) -> f64 {
        let c = [f64::from(self.width) / 2.0, f64::from(self.height) / 2.0];
        let a = self.unproject([c[0] - 50.0, c[1]]);
        let b = self.unproject([c[0] + 50.0, c[1]]);
        distance_m(a, b) / 100.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projecting_the_centre_gives_the_middle_of_the_picture() {
        let v = View::at(Coord { x: 106.5, y: 29.5 }, 8.0, 800, 600);
        let p = v.project(Coord { x: 106.5, y: 29.5 });
        assert!((p[0] - 400.0).abs() < 1e-6 && (p[1] - 300.0).abs() < 1e-6);
        let back = v.unproject([123.0, 456.0]);
        let again = v.project(back);
        assert!((again[0] - 123.0).abs() < 1e-6 && (again[1] - 456.0).abs() < 1e-6);
    }

    #[test]
    fn a_fitted_box_lies_inside_the_picture_and_touches_one_padding() {
        let rect = LonLatRect {
            min: Coord { x: 106.0, y: 28.0 },
            max: Coord { x: 108.0, y: 29.0 },
        };
        let v = View::fit(rect, 1000, 1000);
        let nw = v.project(Coord { x: 106.0, y: 29.0 });
        let se = v.project(Coord { x: 108.0, y: 28.0 });
        assert!((nw[0] - 40.0).abs() < 1e-6 && (se[0] - 960.0).abs() < 1e-6);
        assert!(nw[1] > 40.0 && se[1] < 960.0);
    }

    #[test]
    fn zoom_0_shows_the_world_in_one_tile() {
        let v = View::at(Coord { x: 0.0, y: 0.0 }, 0.0, 512, 512);
        let p = v.project(Coord { x: 180.0, y: 0.0 });
        assert!((p[0] - 512.0).abs() < 1e-9);
    }
}
