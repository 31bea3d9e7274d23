//! Query-string parsing that names the parameter at fault.
//!
//! Every handler lists the parameters it takes; an unknown or repeated one is an error rather
//! than silently ignored, so a typo (`radius=` for `radius_m=`) gets a clear answer.

use super::error::{ApiError, ApiResult};
use crate::index::Dataset;
use crate::layers::{Province, Status};
use crate::query::Filter;
use std::collections::BTreeMap;
use std::str::FromStr;

pub struct Params {
    values: BTreeMap<String, String>,
}

impl Params {
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> ApiResult<Params> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|e| {
                ApiError::invalid("query", format!("the query string is malformed: {e}"))
            })?;
        let mut values = BTreeMap::new();
        for (name, value) in pairs {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::invalid(
                    name.clone(),
                    format!(
                        "unknown parameter {name:?}; this endpoint takes {}",
                        allowed.join(", ")
                    ),
                ));
            }
            if values.contains_key(&name) {
                return Err(ApiError::invalid(
                    name.clone(),
                    format!("{name} is given more than once"),
                ));
            }
            values.insert(name, value);
        }
        Ok(Params { values })
    }

    pub fn str(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn required(&self, name: &str) -> ApiResult<&str> {
        self.str(name)
            .ok_or_else(|| ApiError::invalid(name, format!("{name} is required")))
    }

    /// A finite number.
    pub fn f64(&self, name: &str) -> ApiResult<Option<f64>> {
        self.str(name)
            .map(|s| {
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| {
                        ApiError::invalid(
                            name,
                            format!("{name} must be a finite number, got {s:?}"),
                        )
                    })
            })
            .transpose()
    }

    /// A whole number in `0..=max`.
    pub fn usize(&self, name: &str, max: usize) -> ApiResult<Option<usize>> {
        self.str(name)
            .map(|s| {
                let n = s.trim().parse::<usize>().map_err(|_| {
                    ApiError::invalid(
                        name,
                        format!("{name} must be a whole number ≥ 0, got {s:?}"),
                    )
                })?;
                if n > max {
                    return Err(ApiError::invalid(
                        name,
                        format!("{name} {n} exceeds the maximum of {max}"),
                    ));
                }
                Ok(n)
            })
            .transpose()
    }

    /// `lon` and `lat` in range.
    pub fn lon_lat(&self) -> ApiResult<geo::Coord> {
        let lon = self
            .f64("lon")?
            .ok_or_else(|| ApiError::invalid("lon", "lon is required"))?;
        let lat = self
            .f64("lat")?
            .ok_or_else(|| ApiError::invalid("lat", "lat is required"))?;
        check_lon_lat(lon, lat, "lon", "lat")
    }

    /// Like [`Params::filter`], but without `layers` it covers only the layers queried by
    /// default: neither boundary nor relation layers (see [`LayerSpec::queried_by_default`]).
    ///
    /// [`LayerSpec::queried_by_default`]: crate::layers::LayerSpec::queried_by_default
    pub fn filter_or_default_layers(&self, ds: &Dataset) -> ApiResult<Filter> {
        let mut filter = self.filter(ds)?;
        if filter.layers.is_empty() {
            filter.layers = default_layers(ds);
        }
        Ok(filter)
    }

    /// `layers`, `status` and `province`, each a comma-separated list.
    pub fn filter(&self, ds: &Dataset) -> ApiResult<Filter> {
        Ok(Filter {
            layers: self
                .str("layers")
                .map(|s| layer_list(ds, "layers", split(s)))
                .transpose()?
                .unwrap_or_default(),
            statuses: self
                .str("status")
                .map(|s| enum_list::<Status>("status", s))
                .transpose()?
                .unwrap_or_default(),
            provinces: self
                .str("province")
                .map(|s| enum_list::<Province>("province", s))
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

pub fn check_lon_lat(lon: f64, lat: f64, lon_name: &str, lat_name: &str) -> ApiResult<geo::Coord> {
    if !(-180.0..=180.0).contains(&lon) {
        return Err(ApiError::invalid(
            lon_name,
            format!("{lon_name} {lon} is out of range [-180, 180]"),
        ));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(ApiError::invalid(
            lat_name,
            format!("{lat_name} {lat} is out of range [-90, 90]"),
        ));
    }
    Ok(geo::Coord { x: lon, y: lat })
}

/// Catalogue positions of every layer that nearby and corridor look at when a request names no
/// `layers`: neither boundary nor relation layers.
pub fn default_layers(ds: &Dataset) -> Vec<usize> {
    (0..ds.catalogue.layers.len())
        .filter(|i| ds.catalogue.layers[*i].queried_by_default())
        .collect()
}

fn split(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty())
}

/// Catalogue positions of the named layers.
pub fn layer_list<'a>(
    ds: &Dataset,
    parameter: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> ApiResult<Vec<usize>> {
    let mut out = Vec::new();
    for name in names {
        let i = ds.layer_index(name).ok_or_else(|| {
            let known: Vec<&str> = ds.catalogue.layers.iter().map(|l| l.id.as_str()).collect();
            ApiError::invalid(
                parameter,
                format!("unknown layer {name:?}; known layers: {}", known.join(", ")),
            )
        })?;
        if !out.contains(&i) {
            out.push(i);
        }
    }
    if out.is_empty() {
        return Err(ApiError::invalid(
            parameter,
            format!("{parameter} must name at least one layer"),
        ));
    }
    Ok(out)
}

pub fn enum_list<T: FromStr<Err = String> + PartialEq>(
    parameter: &str,
    s: &str,
) -> ApiResult<Vec<T>> {
    enum_values(parameter, split(s))
}

pub fn enum_values<'a, T: FromStr<Err = String> + PartialEq>(
    parameter: &str,
    values: impl IntoIterator<Item = &'a str>,
) -> ApiResult<Vec<T>> {
    let mut out = Vec::new();
    for v in values {
        let parsed: T = v
            .parse()
            .map_err(|e: String| ApiError::invalid(parameter, e))?;
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    if out.is_empty() {
        return Err(ApiError::invalid(
            parameter,
            format!("{parameter} must name at least one value"),
        ));
    }
    Ok(out)
}
