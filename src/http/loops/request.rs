//! The bodies of the loop endpoints: the planning fields, and `name` and `notes` for saving.

use super::super::MAX_BODY_BYTES;
use super::super::error::{ApiError, ApiResult};
use crate::routing::plan::{MAX_STOPS, MAX_SUGGEST_WITHIN_M, Paths, PlanRequest, StopSpec};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use serde_json::{Map, Value};

/// Longest loop name and notes, in characters.
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_NOTES_CHARS: usize = 10_000;
/// Default `suggest_within_m`.
pub const DEFAULT_SUGGEST_WITHIN_M: f64 = 10_000.0;

pub const PLAN_FIELDS: [&str; 7] = [
    "stops",
    "roundtrip",
    "fixed_first",
    "fixed_last",
    "paths",
    "suggest_within_m",
    "optimise",
];

pub fn body_json(body: Result<Bytes, BytesRejection>) -> ApiResult<Map<String, Value>> {
    let body = body.map_err(|e| ApiError::body(e, MAX_BODY_BYTES))?;
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(_) => Err(ApiError::invalid("body", "the body must be a JSON object")),
        Err(e) => Err(ApiError::invalid(
            "body",
            format!("the body is not valid JSON: {e}"),
        )),
    }
}

fn boolean(obj: &Map<String, Value>, field: &str, default: bool) -> ApiResult<bool> {
    match obj.get(field) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(ApiError::invalid(
            field,
            format!("{field} must be true or false, got {other}"),
        )),
    }
}

/// Validates the planning fields of a body; `extra` names the other fields the endpoint takes.
pub fn plan_request(obj: &Map<String, Value>, extra: &[&str]) -> ApiResult<PlanRequest> {
    if let Some(unknown) = obj
        .keys()
        .find(|k| !PLAN_FIELDS.contains(&k.as_str()) && !extra.contains(&k.as_str()))
    {
        let mut all: Vec<&str> = PLAN_FIELDS.to_vec();
        all.extend(extra);
        return Err(ApiError::invalid(
            unknown.clone(),
            format!(
                "unknown field {unknown:?}; the body takes {}",
                all.join(", ")
            ),
        ));
    }
    let items = match obj.get("stops") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(ApiError::invalid(
                "stops",
                format!(
                    "stops must be an array of feature ids or [lon, lat] positions, got {other}"
                ),
            ));
        }
        None => {
            return Err(ApiError::invalid(
                "stops",
                "stops is required: an array of feature ids or [lon, lat] positions",
            ));
        }
    };
    if items.len() < 2 {
        return Err(ApiError::invalid(
            "stops",
            format!("a loop needs at least 2 stops, got {}", items.len()),
        ));
    }
    if items.len() > MAX_STOPS {
        return Err(ApiError::invalid(
            "stops",
            format!("{} stops exceed the maximum of {MAX_STOPS}", items.len()),
        ));
    }
    let stops = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let field = format!("stops[{i}]");
            match item {
                Value::String(id) => Ok(StopSpec::Feature(id.clone())),
                Value::Array(pair) if pair.len() == 2 => {
                    let lon = pair[0].as_f64().ok_or_else(|| ApiError::invalid(&field, format!("{field}: lon must be a number, got {}", pair[0])))?;
                    let lat = pair[1].as_f64().ok_or_else(|| ApiError::invalid(&field, format!("{field}: lat must be a number, got {}", pair[1])))?;
                    if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                        return Err(ApiError::invalid(&field, format!("{field}: [{lon}, {lat}] is out of range (lon in [-180, 180], lat in [-90, 90])")));
                    }
                    Ok(StopSpec::Position(geo::Coord { x: lon, y: lat }))
                }
                other => Err(ApiError::invalid(&field, format!("{field} must be a feature id or [lon, lat], got {other}"))),
            }
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let paths = match obj.get("paths") {
        None => Paths::Network,
        Some(Value::String(s)) if s == "network" => Paths::Network,
        Some(Value::String(s)) if s == "straight" => Paths::Straight,
        Some(other) => {
            return Err(ApiError::invalid(
                "paths",
                format!("paths must be \"network\" or \"straight\", got {other}"),
            ));
        }
    };
    let suggest_within_m = match obj.get("suggest_within_m") {
        None => DEFAULT_SUGGEST_WITHIN_M,
        Some(v) => match v.as_f64() {
            Some(m) if (0.0..=MAX_SUGGEST_WITHIN_M).contains(&m) => m,
            _ => {
                return Err(ApiError::invalid(
                    "suggest_within_m",
                    format!(
                        "suggest_within_m must be a number from 0 to {MAX_SUGGEST_WITHIN_M}, got {v}"
                    ),
                ));
            }
        },
    };
    Ok(PlanRequest {
        stops,
        roundtrip: boolean(obj, "roundtrip", true)?,
        fixed_first: boolean(obj, "fixed_first", true)?,
        fixed_last: boolean(obj, "fixed_last", false)?,
        paths,
        suggest_within_m,
        optimise: boolean(obj, "optimise", true)?,
    })
}

fn text_field(
    obj: &Map<String, Value>,
    field: &str,
    max: usize,
    required: bool,
) -> ApiResult<String> {
    match obj.get(field) {
        None if required => Err(ApiError::invalid(field, format!("{field} is required"))),
        None => Ok(String::new()),
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n > max {
                Err(ApiError::invalid(
                    field,
                    format!("{field} is {n} characters; the maximum is {max}"),
                ))
            } else if required && s.trim().is_empty() {
                Err(ApiError::invalid(
                    field,
                    format!("{field} must not be empty"),
                ))
            } else {
                Ok(s.clone())
            }
        }
        Some(other) => Err(ApiError::invalid(
            field,
            format!("{field} must be a string, got {other}"),
        )),
    }
}

/// The body of POST and PUT /api/loops: the planning fields plus `name` and `notes`.
pub struct SaveBody {
    pub req: PlanRequest,
    pub name: String,
    pub notes: String,
    /// The planning fields as given, to store beside the plan.
    pub request: Value,
}

pub fn save_body(body: Result<Bytes, BytesRejection>) -> ApiResult<SaveBody> {
    let obj = body_json(body)?;
    let req = plan_request(&obj, &["name", "notes"])?;
    let name = text_field(&obj, "name", MAX_NAME_CHARS, true)?;
    let notes = text_field(&obj, "notes", MAX_NOTES_CHARS, false)?;
    let request = Value::Object(
        obj.into_iter()
            .filter(|(k, _)| PLAN_FIELDS.contains(&k.as_str()))
            .collect(),
    );
    Ok(SaveBody {
        req,
        name,
        notes,
        request,
    })
}
