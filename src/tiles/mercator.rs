//! Web Mercator (EPSG:3857) as the unit square: what tiles are cut from.
//!
//! Coordinates here are *unit mercator*: x from 0 (180° W) to 1 (180° E), y from 0 (85.0511° N)
//! to 1 (85.0511° S), so y grows southwards as in tile coordinates, and the tile `z/x/y` covers
//! `[x, x + 1] / 2^z` by `[y, y + 1] / 2^z`. EPSG:3857 metres are these times 40 075 016.69 m,
//! shifted by half of it; nothing in the tile pipeline needs metres.

use geo::Coord;
use std::f64::consts::PI;

/// The latitude at which Web Mercator's square ends, in degrees.
pub const MAX_LAT_DEG: f64 = 85.051_128_779_806_59;

/// A point in unit mercator (x east, y south; both 0..=1).
pub type UnitXY = [f64; 2];

/// WGS84 lon/lat in degrees to unit mercator; latitudes beyond ±85.0511° are clamped.
pub fn lonlat_to_unit(c: Coord) -> UnitXY {
    let x = c.x / 360.0 + 0.5;
    let lat = c.y.clamp(-MAX_LAT_DEG, MAX_LAT_DEG).to_radians();
    let y = 0.5 - (PI / 4.0 + lat / 2.0).tan().ln() / (2.0 * PI);
    [x, y.clamp(0.0, 1.0)]
}

/// Unit mercator back to WGS84 lon/lat in degrees.
pub fn unit_to_lonlat(p: UnitXY) -> Coord {
    let lon = (p[0] - 0.5) * 360.0;
    let lat = (2.0 * ((0.5 - p[1]) * 2.0 * PI).exp().atan() - PI / 2.0).to_degrees();
    Coord { x: lon, y: lat }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_equator_and_greenwich_are_the_middle_of_the_square() {
        let p = lonlat_to_unit(Coord { x: 0.0, y: 0.0 });
        assert!((p[0] - 0.5).abs() < 1e-12 && (p[1] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn projecting_and_back_returns_the_point() {
        let c = Coord {
            x: 106.55,
            y: 29.56,
        };
        let back = unit_to_lonlat(lonlat_to_unit(c));
        assert!((back.x - c.x).abs() < 1e-9 && (back.y - c.y).abs() < 1e-9);
    }

    #[test]
    fn north_is_up_so_y_grows_southwards() {
        let north = lonlat_to_unit(Coord { x: 0.0, y: 60.0 });
        let south = lonlat_to_unit(Coord { x: 0.0, y: -60.0 });
        assert!(north[1] < south[1]);
        assert_eq!(lonlat_to_unit(Coord { x: 0.0, y: 89.9 })[1], 0.0);
    }
}
