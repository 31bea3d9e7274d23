//! Tile addressing: `z/x/y` in the XYZ scheme (y from the north), validated once at the edge.

use super::mercator::UnitXY;

/// The deepest zoom a tile is served at. TileJSON advertises [`super::TILEJSON_MAX_ZOOM`];
/// clients overzoom past that, but a client may ask for deeper tiles up to this one.
pub const MAX_ZOOM: u8 = 22;

/// A tile address, with `x, y < 2^z` and `z <= MAX_ZOOM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileCoord {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

/// Why a tile address is not valid; the variant names the part at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoordError {
    #[error("z must be a whole number from 0 to {MAX_ZOOM}, not {0:?}")]
    Z(String),
    #[error("x must be a whole number from 0 to 2^z - 1 = {max} at z = {z}, not {value:?}")]
    X { value: String, z: u8, max: u32 },
    #[error("y must be a whole number from 0 to 2^z - 1 = {max} at z = {z}, not {value:?}")]
    Y { value: String, z: u8, max: u32 },
}

impl CoordError {
    /// The name of the part at fault: `z`, `x` or `y`.
    pub fn parameter(&self) -> &'static str {
        match self {
            CoordError::Z(_) => "z",
            CoordError::X { .. } => "x",
            CoordError::Y { .. } => "y",
        }
    }
}

impl TileCoord {
    /// Checks `z <= MAX_ZOOM` and `x, y < 2^z`.
    pub fn new(z: u8, x: u32, y: u32) -> Result<TileCoord, CoordError> {
        Self::parse(&z.to_string(), &x.to_string(), &y.to_string())
    }

    /// Parses the three parts of a path; anything but a whole number in range (negative, too
    /// large for any integer type, empty, `1.5`) is an error naming that part.
    pub fn parse(z: &str, x: &str, y: &str) -> Result<TileCoord, CoordError> {
        let z_num = z
            .parse::<u8>()
            .ok()
            .filter(|z| *z <= MAX_ZOOM)
            .ok_or_else(|| CoordError::Z(z.to_string()))?;
        let max = (1u32 << z_num) - 1;
        let in_range = |s: &str| s.parse::<u32>().ok().filter(|v| *v <= max);
        let x_num = in_range(x).ok_or_else(|| CoordError::X {
            value: x.to_string(),
            z: z_num,
            max,
        })?;
        let y_num = in_range(y).ok_or_else(|| CoordError::Y {
            value: y.to_string(),
            z: z_num,
            max,
        })?;
        Ok(TileCoord {
            z: z_num,
            x: x_num,
            y: y_num,
        })
    }

    /// Tiles across the world at this zoom: `2^z`.
    pub fn tiles_across(&self) -> f64 {
        f64::from(1u32 << self.z)
    }

    /// The tile's box in unit mercator, grown by `buffer` tile widths on every side
    /// (`64.0 / 4096.0` for the usual buffer): `(min, max)`.
    pub fn unit_box(&self, buffer: f64) -> (UnitXY, UnitXY) {
        let n = self.tiles_across();
        let (x, y) = (f64::from(self.x), f64::from(self.y));
        (
            [(x - buffer) / n, (y - buffer) / n],
            [(x + 1.0 + buffer) / n, (y + 1.0 + buffer) / n],
        )
    }

    /// A unit-mercator point in this tile's coordinates: 0..extent across the tile, y down.
    pub fn to_tile(&self, p: UnitXY, extent: f64) -> UnitXY {
        let n = self.tiles_across();
        [
            (p[0] * n - f64::from(self.x)) * extent,
            (p[1] * n - f64::from(self.y)) * extent,
        ]
    }

    /// The four tiles one zoom deeper covering this one; `None` at [`MAX_ZOOM`].
    pub fn children(&self) -> Option<[TileCoord; 4]> {
        if self.z >= MAX_ZOOM {
            return None;
        }
        let (z, x, y) = (self.z + 1, self.x * 2, self.y * 2);
        Some([
            TileCoord { z, x, y },
            TileCoord { z, x: x + 1, y },
            TileCoord { z, x, y: y + 1 },
            TileCoord {
                z,
                x: x + 1,
                y: y + 1,
            },
        ])
    }
}

impl std::fmt::Display for TileCoord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bad_part_is_named() {
        assert_eq!(
            TileCoord::parse("23", "0", "0").unwrap_err().parameter(),
            "z"
        );
        assert_eq!(
            TileCoord::parse("-1", "0", "0").unwrap_err().parameter(),
            "z"
        );
        assert_eq!(
            TileCoord::parse("99999999999999999999", "0", "0")
                .unwrap_err()
                .parameter(),
            "z"
        );
        assert_eq!(
            TileCoord::parse("1", "2", "0").unwrap_err().parameter(),
            "x"
        );
        assert_eq!(
            TileCoord::parse("1", "0", "2").unwrap_err().parameter(),
            "y"
        );
        assert_eq!(
            TileCoord::parse("1", "0", "a").unwrap_err().parameter(),
            "y"
        );
        assert_eq!(
            TileCoord::parse("1", "-0", "0").unwrap_err().parameter(),
            "x"
        );
        assert!(TileCoord::parse("22", "4194303", "4194303").is_ok());
    }

    #[test]
    fn the_tile_box_maps_to_zero_and_extent() {
        let t = TileCoord::new(3, 5, 2).unwrap();
        let (min, max) = t.unit_box(0.0);
        assert_eq!(t.to_tile(min, 4096.0), [0.0, 0.0]);
        assert_eq!(t.to_tile(max, 4096.0), [4096.0, 4096.0]);
    }
}
