//! The parameters of `/ogc` requests, parsed by OGC API – Features' rules (which differ from
//! `/api`'s: a box may cross the antimeridian, a `limit` above the maximum is clamped, boxes and
//! coordinates may be in another CRS).

use crate::geodesy::LonLatRect;
use crate::http::error::{ApiError, ApiResult};
use crate::ogc::crs::{self, Crs};
use geo::Coord;

/// Default and largest page size of `/ogc/.../items`; a larger `limit` is clamped to the
/// maximum (the links say the limit used).
pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 10_000;

/// The parameters every items request may carry besides the queryables; a queryable of the
/// same name is reachable through `filter` only.
pub const RESERVED: [&str; 10] = [
    "f",
    "limit",
    "offset",
    "bbox",
    "bbox-crs",
    "datetime",
    "crs",
    "filter",
    "filter-lang",
    "filter-crs",
];

/// The query string as name–value pairs in the order given; a name given twice is an error.
pub fn pairs(raw: Option<&str>) -> ApiResult<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| ApiError::invalid("query", format!("the query string is malformed: {e}")))?;
    for (i, (name, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(n, _)| n == name) {
            return Err(ApiError::invalid(
                name.clone(),
                format!("{name} is given more than once"),
            ));
        }
    }
    Ok(pairs)
}

/// Refuses any parameter not in `allowed`, naming it and what is taken.
pub fn only(pairs: &[(String, String)], allowed: &[&str]) -> ApiResult<()> {
    for (name, _) in pairs {
        if !allowed.contains(&name.as_str()) {
            return Err(ApiError::invalid(
                name.clone(),
                format!(
                    "unknown parameter {name:?}; this resource takes {}",
                    if allowed.is_empty() {
                        "none".to_string()
                    } else {
                        allowed.join(", ")
                    }
                ),
            ));
        }
    }
    Ok(())
}

pub fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `limit`: a whole number ≥ 1; above [`MAX_LIMIT`] it is clamped.
pub fn limit(text: Option<&str>) -> ApiResult<usize> {
    let Some(text) = text else {
        return Ok(DEFAULT_LIMIT);
    };
    match text.trim().parse::<u64>() {
        Ok(0) => Err(ApiError::invalid("limit", "limit must be at least 1")),
        Ok(n) => Ok(usize::try_from(n).unwrap_or(usize::MAX).min(MAX_LIMIT)),
        Err(_) => Err(ApiError::invalid(
            "limit",
            format!("limit must be a whole number from 1 to {MAX_LIMIT}, got {text:?}"),
        )),
    }
}

/// `offset`: a whole number ≥ 0.
pub fn offset(text: Option<&str>) -> ApiResult<usize> {
    let Some(text) = text else { return Ok(0) };
    text.trim().parse::<usize>().map_err(|_| {
        ApiError::invalid(
            "offset",
            format!("offset must be a whole number ≥ 0, got {text:?}"),
        )
    })
}

/// A CRS parameter (`crs`, `bbox-crs`, `filter-crs`); CRS84 when absent.
pub fn crs(name: &str, text: Option<&str>) -> ApiResult<Crs> {
    text.map_or(Ok(Crs::Crs84), |t| Ok(Crs::parse(name, t)?))
}

/// `bbox`: 4 numbers (or 6, with heights, which are checked and not used) in the axis order of
/// `in_crs`. As lon/lat boxes: two when a geographic box's west edge is east of its east edge,
/// i.e. the box crosses the antimeridian (OGC 17-069r4, 7.15.3).
pub fn bbox(text: &str, in_crs: Crs) -> ApiResult<Vec<LonLatRect>> {
    let err = |detail: String| ApiError::invalid("bbox", detail);
    let parts: Vec<&str> = text.split(',').collect();
    let numbers: Vec<f64> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            p.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| {
                    err(format!(
                        "value {} must be a finite number, got {p:?}",
                        i + 1
                    ))
                })
        })
        .collect::<ApiResult<_>>()?;
    let (lo, hi) = match numbers[..] {
        [a, b, c, d] => (Coord { x: a, y: b }, Coord { x: c, y: d }),
        [a, b, z0, c, d, z1] => {
            if z0 > z1 {
                return Err(err(format!(
                    "the lower height {z0} is above the upper height {z1}"
                )));
            }
            (Coord { x: a, y: b }, Coord { x: c, y: d })
        }
        _ => {
            return Err(err(format!(
                "expected 4 numbers (or 6 with heights), got {}",
                parts.len()
            )));
        }
    };
    if !in_crs.is_geographic() {
        if lo.x > hi.x || lo.y > hi.y {
            return Err(err(format!(
                "in {} a box's lower corner ({}, {}) must not lie above or right of its upper corner ({}, {})",
                in_crs.uri(),
                lo.x,
                lo.y,
                hi.x,
                hi.y
            )));
        }
        let r = crs::rect_to_crs84(in_crs, lo, hi).map_err(|e| err(e.to_string()))?;
        return Ok(vec![r]);
    }
    // Geographic: only the axis order differs from CRS84.
    let to_lon_lat = |c: Coord| crs::to_crs84(in_crs, c).map_err(|e| err(e.to_string()));
    let (sw, ne) = (to_lon_lat(lo)?, to_lon_lat(hi)?);
    for (what, c) in [("lower", sw), ("upper", ne)] {
        if !(-180.0..=180.0).contains(&c.x) {
            return Err(err(format!(
                "the {what} corner's longitude {} is out of range [-180, 180]",
                c.x
            )));
        }
        if !(-90.0..=90.0).contains(&c.y) {
            return Err(err(format!(
                "the {what} corner's latitude {} is out of range [-90, 90]",
                c.y
            )));
        }
    }
    if sw.y > ne.y {
        return Err(err(format!(
            "the southern latitude {} is north of the northern latitude {}",
            sw.y, ne.y
        )));
    }
    let rect = |min_x: f64, max_x: f64| LonLatRect {
        min: Coord { x: min_x, y: sw.y },
        max: Coord { x: max_x, y: ne.y },
    };
    Ok(if sw.x <= ne.x {
        vec![rect(sw.x, ne.x)]
    } else {
        vec![rect(sw.x, 180.0), rect(-180.0, ne.x)]
    })
}

/// `datetime`: an instant (RFC 3339 date-time or date) or an interval `start/end` whose ends may
/// be open (`..` or empty). Checked, then not used: no layer carries time, so every feature is
/// taken to hold at every time (the README and the API document say so).
pub fn datetime(text: &str) -> ApiResult<()> {
    let err = |detail: String| ApiError::invalid("datetime", detail);
    let instant = |s: &str| -> Result<Option<i128>, String> {
        if let Ok(t) = s.parse::<jiff::Timestamp>() {
            return Ok(Some(t.as_nanosecond()));
        }
        if let Ok(d) = s.parse::<jiff::civil::Date>() {
            let t = d
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_err(|e| e.to_string())?
                .timestamp();
            return Ok(Some(t.as_nanosecond()));
        }
        Err(format!(
            "{s:?} is neither an RFC 3339 date-time (2024-05-01T08:00:00Z) nor a date (2024-05-01)"
        ))
    };
    match text.split_once('/') {
        None => instant(text).map(|_| ()).map_err(err),
        Some((a, b)) => {
            let open = |s: &str| s.is_empty() || s == "..";
            let a = if open(a) {
                None
            } else {
                instant(a).map_err(err)?
            };
            let b = if open(b) {
                None
            } else {
                instant(b).map_err(err)?
            };
            match (a, b) {
                (Some(a), Some(b)) if a > b => {
                    Err(err(format!("the interval {text:?} ends before it starts")))
                }
                (None, None) if text != "../.." && text != "/.." && text != "../" => Err(err(
                    format!("the interval {text:?} has no end given; write ../.. for all time"),
                )),
                _ => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_box_across_the_antimeridian_is_two_boxes() {
        let b = bbox("170,-10,-170,10", Crs::Crs84).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(
            (b[0].min.x, b[0].max.x, b[1].min.x, b[1].max.x),
            (170.0, 180.0, -180.0, -170.0)
        );
        // EPSG:4326 is latitude first.
        let b = bbox("28,106,29,107", Crs::Epsg4326).unwrap();
        assert_eq!(
            (b[0].min.x, b[0].min.y, b[0].max.x, b[0].max.y),
            (106.0, 28.0, 107.0, 29.0)
        );
        let b = bbox("106,28,0,107,29,500", Crs::Crs84).unwrap();
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn bad_boxes_and_limits_say_what_is_wrong() {
        for (text, needle) in [
            ("1,2,3", "expected 4"),
            ("1,2,3,x", "value 4"),
            ("106,29,107,28", "southern latitude"),
            ("106,28,200,29", "longitude 200"),
            ("1,2,9,3,4,0", "lower height"),
        ] {
            let e = bbox(text, Crs::Crs84).unwrap_err();
            assert!(e.detail.contains(needle), "{text}: {}", e.detail);
        }
        assert_eq!(limit(Some("100000")).unwrap(), MAX_LIMIT);
        assert!(limit(Some("0")).is_err());
        assert!(limit(Some("-1")).is_err());
        assert!(offset(Some("x")).is_err());
    }

    #[test]
    fn datetimes_are_checked() {
        for ok in [
            "2024-05-01",
            "2024-05-01T08:00:00Z",
            "2020-01-01/2025-12-31",
            "../2025-01-01",
            "2020-01-01T00:00:00+08:00/..",
            "../..",
        ] {
            assert!(datetime(ok).is_ok(), "{ok}");
        }
        for bad in ["yesterday", "2025-01-01/2020-01-01", "2024-13-01", "/"] {
            assert!(datetime(bad).is_err(), "{bad}");
        }
    }
}
