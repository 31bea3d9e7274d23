//! The coordinate reference systems served (OGC API – Features Part 2, OGC 18-058r1): their
//! URIs, their axis order, and the transforms to and from CRS84, the storage CRS.
//!
//! Every coordinate handed in or out is in the CRS's own axis order as its authority defines
//! it: EPSG:4326 and EPSG:4490 are (latitude, longitude), the Gauss-Krüger CRSs are
//! (northing, easting), EPSG:3857 and CRS84 are (x, y) as usual. The projection maths is
//! proj4rs'; this module adds the axis order, the degree/radian conversion and the domain
//! checks, so that no NaN, infinity or wrapped-around value ever reaches a response.

use std::fmt;
use std::sync::LazyLock;

use geo::{Coord, Geometry, MapCoords};
use proj4rs::proj::Proj;

use crate::geodesy::LonLatRect;
use crate::query::InvalidParameter;

/// A coordinate reference system this server can answer in and read `bbox-crs` / `filter-crs`
/// in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// WGS 84 longitude, latitude: the default and the storage CRS.
    Crs84,
    /// WGS 84 latitude, longitude (EPSG's axis order).
    Epsg4326,
    /// CGCS2000 geographic, latitude, longitude, taken as identical to WGS 84: no datum shift,
    /// only the axes swap. The ellipsoids differ by 0.1 mm and the frames by under a metre
    /// (CGCS2000 is fixed at epoch 2000.0, WGS 84 moves with ITRF), below this map's accuracy;
    /// PROJ, too, knows only a null ("ballpark") transformation between them.
    Epsg4490,
    /// WGS 84 / Pseudo-Mercator (easting, northing in metres); defined up to ±85.0511° only.
    Epsg3857,
    /// CGCS2000 / 3-degree Gauss-Kruger CM 102E (northing X, easting Y in metres).
    Epsg4543,
    /// CGCS2000 / 3-degree Gauss-Kruger CM 105E (northing X, easting Y in metres).
    Epsg4544,
    /// CGCS2000 / 3-degree Gauss-Kruger CM 108E (northing X, easting Y in metres).
    Epsg4545,
}

/// The latitude, in degrees, at which Web Mercator's square world ends: atan(sinh(π)).
const WEB_MERCATOR_MAX_LAT_DEG: f64 = 85.051_128_779_806_6;
/// Slack for values computed at a limit (a corner of the world in EPSG:3857) to stay inside it.
const LIMIT_SLACK_DEG: f64 = 1e-9;
/// How far, in metres, projecting an inverse-projected point back may land from where it
/// started before the point is deemed outside the projection's image.
const ROUND_TRIP_TOLERANCE_M: f64 = 1e-3;
/// How far, in degrees of longitude, a Gauss-Krüger CRS reaches from its central meridian.
/// proj4rs' transverse Mercator (Poder/Engsager, as PROJ's) fails only near 90° on the
/// equator, but its series lose accuracy well before: projecting there and back is off by
/// 0.01 mm at 60° from the meridian on the equator, 4.5 mm at 70°, 0.3 m at 75°, 125 m at 80°.
/// 60° covers all of China from each of the three zones (they are at most 34.5° away).
const GAUSS_KRUGER_MAX_DLON_DEG: f64 = 60.0;
/// Segments per box edge when a box is mapped between a projected CRS and CRS84.
const SEGMENTS_PER_EDGE: usize = 32;

impl Crs {
    /// Every supported CRS, CRS84 first: the order in which `crs` lists are served.
    pub const ALL: [Crs; 7] = [
        Crs::Crs84,
        Crs::Epsg4326,
        Crs::Epsg4490,
        Crs::Epsg3857,
        Crs::Epsg4543,
        Crs::Epsg4544,
        Crs::Epsg4545,
    ];

    /// The OGC URI that names the CRS in `crs`, `Content-Crs` and `storageCrs`.
    pub fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            Crs::Epsg4326 => "http://www.opengis.net/def/crs/EPSG/0/4326",
            Crs::Epsg4490 => "http://www.opengis.net/def/crs/EPSG/0/4490",
            Crs::Epsg3857 => "http://www.opengis.net/def/crs/EPSG/0/3857",
            Crs::Epsg4543 => "http://www.opengis.net/def/crs/EPSG/0/4543",
            Crs::Epsg4544 => "http://www.opengis.net/def/crs/EPSG/0/4544",
            Crs::Epsg4545 => "http://www.opengis.net/def/crs/EPSG/0/4545",
        }
    }

    /// Reads the value of `parameter` (`crs`, `bbox-crs`, …): the URI (http or https), the safe
    /// CURIE `[EPSG:4326]` or the bare `EPSG:4326` / `OGC:CRS84`. The authority (`EPSG`, `OGC`)
    /// may be in any case; the code and the URI's version must be exact.
    pub fn parse(parameter: &str, text: &str) -> Result<Crs, InvalidParameter> {
        let found = split_name(text).and_then(|(authority, version, code)| {
            Crs::ALL.into_iter().find(|crs| {
                let (a, v, c) = crs.name();
                authority.eq_ignore_ascii_case(a)
                    && version.is_none_or(|version| version == v)
                    && code == c
            })
        });
        found.ok_or_else(|| {
            let supported: Vec<&str> = Crs::ALL.iter().map(|crs| crs.uri()).collect();
            InvalidParameter::new(
                parameter,
                format!(
                    "unsupported CRS '{text}'; supported: {}",
                    supported.join(", ")
                ),
            )
        })
    }

    /// `(authority, version, code)`, the parts of [`Crs::uri`] (a test checks they agree).
    fn name(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Crs::Crs84 => ("OGC", "1.3", "CRS84"),
            Crs::Epsg4326 => ("EPSG", "0", "4326"),
            Crs::Epsg4490 => ("EPSG", "0", "4490"),
            Crs::Epsg3857 => ("EPSG", "0", "3857"),
            Crs::Epsg4543 => ("EPSG", "0", "4543"),
            Crs::Epsg4544 => ("EPSG", "0", "4544"),
            Crs::Epsg4545 => ("EPSG", "0", "4545"),
        }
    }

    /// Whether the coordinates are angles (degrees) rather than metres.
    pub fn is_geographic(self) -> bool {
        matches!(self, Crs::Crs84 | Crs::Epsg4326 | Crs::Epsg4490)
    }

    /// The CRS's name as EPSG gives it (CRS84: OGC's).
    pub fn title(self) -> &'static str {
        match self {
            Crs::Crs84 => "WGS 84 (CRS84, longitude, latitude)",
            Crs::Epsg4326 => "WGS 84",
            Crs::Epsg4490 => "China Geodetic Coordinate System 2000",
            Crs::Epsg3857 => "WGS 84 / Pseudo-Mercator",
            Crs::Epsg4543 => "CGCS2000 / 3-degree Gauss-Kruger CM 102E",
            Crs::Epsg4544 => "CGCS2000 / 3-degree Gauss-Kruger CM 105E",
            Crs::Epsg4545 => "CGCS2000 / 3-degree Gauss-Kruger CM 108E",
        }
    }

    /// Whether the first axis is latitude or northing (EPSG's order for all but CRS84 and 3857).
    fn north_first(self) -> bool {
        !matches!(self, Crs::Crs84 | Crs::Epsg3857)
    }

    /// The central meridian, in degrees, of a Gauss-Krüger CRS (a test checks its projection's).
    fn central_meridian_deg(self) -> Option<f64> {
        match self {
            Crs::Epsg4543 => Some(102.0),
            Crs::Epsg4544 => Some(105.0),
            Crs::Epsg4545 => Some(108.0),
            _ => None,
        }
    }

    /// The proj4rs projection of a projected CRS; `None` for the geographic ones.
    fn projection(self) -> Option<&'static Proj> {
        static WEB_MERCATOR: LazyLock<Proj> =
            LazyLock::new(|| proj("+proj=merc +a=6378137 +b=6378137 +units=m +no_defs"));
        static GK_102: LazyLock<Proj> = LazyLock::new(|| gauss_kruger(102.0));
        static GK_105: LazyLock<Proj> = LazyLock::new(|| gauss_kruger(105.0));
        static GK_108: LazyLock<Proj> = LazyLock::new(|| gauss_kruger(108.0));
        match self {
            Crs::Crs84 | Crs::Epsg4326 | Crs::Epsg4490 => None,
            Crs::Epsg3857 => Some(&WEB_MERCATOR),
            Crs::Epsg4543 => Some(&GK_102),
            Crs::Epsg4544 => Some(&GK_105),
            Crs::Epsg4545 => Some(&GK_108),
        }
    }
}

impl fmt::Display for Crs {
    /// `EPSG:4326`, `OGC:CRS84`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (authority, _, code) = self.name();
        write!(f, "{authority}:{code}")
    }
}

/// `(authority, version, code)` of an OGC CRS URI (any case up to the authority), or
/// `(authority, None, code)` of a CURIE, safe (`[EPSG:4326]`) or bare (`EPSG:4326`).
fn split_name(text: &str) -> Option<(&str, Option<&str>, &str)> {
    let uri_path = [
        "http://www.opengis.net/def/crs/",
        "https://www.opengis.net/def/crs/",
    ]
    .into_iter()
    .find_map(|prefix| {
        let head = text.get(..prefix.len())?;
        head.eq_ignore_ascii_case(prefix)
            .then(|| &text[prefix.len()..])
    });
    if let Some(path) = uri_path {
        let mut parts = path.split('/');
        let name = (parts.next()?, parts.next()?, parts.next()?);
        return parts
            .next()
            .is_none()
            .then_some((name.0, Some(name.1), name.2));
    }
    let curie = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    let (authority, code) = curie.split_once(':')?;
    Some((authority, None, code))
}

/// WGS 84 longitude, latitude in radians: the other end of every proj4rs transform. It names
/// no datum, and neither do the projections, so proj4rs shifts no datum (see [`Crs::Epsg4490`]).
static LON_LAT: LazyLock<Proj> = LazyLock::new(|| proj("+proj=longlat +ellps=WGS84 +no_defs"));

fn proj(definition: &str) -> Proj {
    Proj::from_proj_string(definition).expect("the PROJ strings in this file are valid")
}

/// EPSG:4543–4545 as `projinfo` gives them (PROJ 9.1.1), e.g. for 4543:
/// `+proj=tmerc +lat_0=0 +lon_0=102 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs`.
/// The CGCS2000 ellipsoid is GRS80's (a = 6378137, 1/f = 298.257222101).
fn gauss_kruger(lon_0: f64) -> Proj {
    proj(&format!(
        "+proj=tmerc +lat_0=0 +lon_0={lon_0} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m \
         +no_defs"
    ))
}

/// Which way a failed transform went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// CRS84 (lon, lat) into the CRS.
    FromCrs84,
    /// The CRS's coordinates into CRS84.
    ToCrs84,
}

/// A coordinate the transform cannot carry: outside the CRS's domain, outside the projection's
/// image, or not finite.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("{}", self.message())]
pub struct OutOfDomain {
    pub crs: Crs,
    /// CRS84 (lon, lat) for [`Direction::FromCrs84`], else the CRS's coordinates in its order.
    pub lon_lat_or_xy: Coord,
    pub direction: Direction,
}

impl OutOfDomain {
    fn message(&self) -> String {
        let Coord { x, y } = self.lon_lat_or_xy;
        match self.direction {
            Direction::FromCrs84 => {
                format!(
                    "(lon, lat) ({x}, {y}) lies outside what {} can express",
                    self.crs
                )
            }
            Direction::ToCrs84 => {
                format!("(x, y) ({x}, {y}) is not a valid {} coordinate", self.crs)
            }
        }
    }
}

/// Converts CRS84 (lon, lat) in degrees into `crs`'s coordinates in `crs`'s axis order (so for
/// EPSG:4326 x = lat, y = lon; for EPSG:4543 x = northing, y = easting).
pub fn from_crs84(crs: Crs, c: Coord) -> Result<Coord, OutOfDomain> {
    let out = || OutOfDomain {
        crs,
        lon_lat_or_xy: c,
        direction: Direction::FromCrs84,
    };
    if !lon_lat_in_domain(crs, c) {
        return Err(out());
    }
    let Some(projection) = crs.projection() else {
        return Ok(ordered(crs, c.x, c.y));
    };
    let (easting, northing) =
        project(&LON_LAT, projection, c.x.to_radians(), c.y.to_radians()).ok_or_else(out)?;
    Ok(ordered(crs, easting, northing))
}

/// Converts `crs`'s coordinates, in `crs`'s axis order, into CRS84 (lon, lat) in degrees.
pub fn to_crs84(crs: Crs, c: Coord) -> Result<Coord, OutOfDomain> {
    let out = || OutOfDomain {
        crs,
        lon_lat_or_xy: c,
        direction: Direction::ToCrs84,
    };
    let (east, north) = if crs.north_first() {
        (c.y, c.x)
    } else {
        (c.x, c.y)
    };
    let lon_lat = match crs.projection() {
        None => Coord { x: east, y: north },
        Some(projection) => {
            let (lon, lat) = project(projection, &LON_LAT, east, north).ok_or_else(out)?;
            // Inverse formulas answer for any input, even far outside the projection's image
            // (an easting beyond ±180° or a northing beyond the pole comes back wrapped), so
            // the answer must project back onto the input.
            let (e, n) = project(&LON_LAT, projection, lon, lat).ok_or_else(out)?;
            if (e - east).abs() > ROUND_TRIP_TOLERANCE_M
                || (n - north).abs() > ROUND_TRIP_TOLERANCE_M
            {
                return Err(out());
            }
            Coord {
                x: lon.to_degrees(),
                y: lat.to_degrees(),
            }
        }
    };
    if lon_lat_in_domain(crs, lon_lat) {
        Ok(lon_lat)
    } else {
        Err(out())
    }
}

/// Whether `crs` can express CRS84 `c` (false for NaN).
fn lon_lat_in_domain(crs: Crs, c: Coord) -> bool {
    let max_lat = if crs == Crs::Epsg3857 {
        WEB_MERCATOR_MAX_LAT_DEG + LIMIT_SLACK_DEG
    } else {
        90.0
    };
    let near_meridian = crs.central_meridian_deg().is_none_or(|lon_0| {
        let dlon = (c.x - lon_0 + 540.0).rem_euclid(360.0) - 180.0;
        dlon.abs() <= GAUSS_KRUGER_MAX_DLON_DEG
    });
    c.x.abs() <= 180.0 && c.y.abs() <= max_lat && near_meridian
}

/// `(east, north)` in `crs`'s axis order.
fn ordered(crs: Crs, east: f64, north: f64) -> Coord {
    if crs.north_first() {
        Coord { x: north, y: east }
    } else {
        Coord { x: east, y: north }
    }
}

/// One proj4rs transform (radians for [`LON_LAT`]); `None` on its error or a non-finite result.
fn project(from: &Proj, to: &Proj, x: f64, y: f64) -> Option<(f64, f64)> {
    let mut point = (x, y, 0.0);
    proj4rs::transform::transform(from, to, &mut point).ok()?;
    (point.0.is_finite() && point.1.is_finite()).then_some((point.0, point.1))
}

/// Every coordinate of `g` (any kind, collections included) from CRS84 into `crs`.
pub fn geometry_from_crs84(crs: Crs, g: &Geometry<f64>) -> Result<Geometry<f64>, OutOfDomain> {
    g.try_map_coords(|c| from_crs84(crs, c))
}

/// Every coordinate of `g` (any kind, collections included) from `crs` into CRS84.
pub fn geometry_to_crs84(crs: Crs, g: &Geometry<f64>) -> Result<Geometry<f64>, OutOfDomain> {
    g.try_map_coords(|c| to_crs84(crs, c))
}

/// A box given in `crs` (its min and max corners in `crs`'s axis order, as `bbox` with
/// `bbox-crs` gives it) as a CRS84 box that covers it.
///
/// For a geographic CRS this is the axis swap. A projected rectangle is no lon/lat rectangle,
/// so for a projected CRS it is the envelope of the densified edges (see [`envelope`]); a box
/// reaching beyond what the CRS can express (over a pole, say) is out of its domain. The
/// antimeridian is the caller's: a box that crosses it (minLon > maxLon) must be split first.
pub fn rect_to_crs84(crs: Crs, min: Coord, max: Coord) -> Result<LonLatRect, OutOfDomain> {
    if crs.is_geographic() {
        return Ok(LonLatRect {
            min: to_crs84(crs, min)?,
            max: to_crs84(crs, max)?,
        });
    }
    let [min_lon, min_lat, max_lon, max_lat] = envelope(min, max, |c| to_crs84(crs, c))?;
    Ok(LonLatRect {
        min: Coord {
            x: min_lon.max(-180.0),
            y: min_lat.max(-90.0),
        },
        max: Coord {
            x: max_lon.min(180.0),
            y: max_lat.min(90.0),
        },
    })
}

/// A CRS84 box as a box in `crs`, `[min x, min y, max x, max y]` in `crs`'s axis order (as
/// `storageCrsBbox`-like output wants it); for a projected CRS the envelope of its densified
/// edges (see [`envelope`]).
pub fn rect_from_crs84(crs: Crs, r: LonLatRect) -> Result<[f64; 4], OutOfDomain> {
    if crs.is_geographic() {
        let (min, max) = (from_crs84(crs, r.min)?, from_crs84(crs, r.max)?);
        return Ok([min.x, min.y, max.x, max.y]);
    }
    envelope(r.min, r.max, |c| from_crs84(crs, c))
}

/// The envelope `[min x, min y, max x, max y]` of the edges of the box `min`–`max` mapped by
/// `map`, each edge sampled at [`SEGMENTS_PER_EDGE`] + 1 points, then widened so that it holds
/// the curves between the samples too: an extremum between samples lies at most half a step
/// from one, where a curve of second derivative up to M has strayed at most M·(step/2)²/2;
/// M·step² is estimated by the largest second difference of the samples, and doubled.
fn envelope(
    min: Coord,
    max: Coord,
    map: impl Fn(Coord) -> Result<Coord, OutOfDomain>,
) -> Result<[f64; 4], OutOfDomain> {
    let corners = [
        min,
        Coord { x: max.x, y: min.y },
        max,
        Coord { x: min.x, y: max.y },
    ];
    let mut low = Coord {
        x: f64::INFINITY,
        y: f64::INFINITY,
    };
    let mut high = -low;
    let mut second_difference = Coord { x: 0.0_f64, y: 0.0 };
    for (i, &from) in corners.iter().enumerate() {
        let to = corners[(i + 1) % corners.len()];
        let mut samples = [Coord::zero(); SEGMENTS_PER_EDGE + 1];
        for (step, sample) in samples.iter_mut().enumerate() {
            *sample = map(from + (to - from) * (step as f64 / SEGMENTS_PER_EDGE as f64))?;
            low = Coord {
                x: low.x.min(sample.x),
                y: low.y.min(sample.y),
            };
            high = Coord {
                x: high.x.max(sample.x),
                y: high.y.max(sample.y),
            };
        }
        for w in samples.windows(3) {
            let d = w[0] - w[1] * 2.0 + w[2];
            second_difference.x = second_difference.x.max(d.x.abs());
            second_difference.y = second_difference.y.max(d.y.abs());
        }
    }
    let margin = second_difference / 4.0;
    Ok([
        low.x - margin.x,
        low.y - margin.y,
        high.x + margin.x,
        high.y + margin.y,
    ])
}

#[cfg(test)]
mod tests;
