//! The queryables of a collection (OGC API – Features Part 3, OGC 19-079r2): the properties a
//! filter may name, their JSON Schema, and how to read them from a feature.
//!
//! One collection is one layer. Its queryables are
//!
//! 1. the model's properties, the same on every layer: `id`, `layer`, `name_zh`, `name_en`,
//!    `status` (enum), `provinces` (array of enum), `source`, `accuracy` (enum);
//! 2. every free property seen in the layer's features, typed from the values seen (one pass);
//! 3. `geometry`, the spatial queryable, with the Part 3 `format` from the layer's catalogue kinds.
//!
//! Typing a free property, nulls aside (a JSON `null` is the same as an absent property):
//!
//! | values seen | type | filterable by |
//! |---|---|---|
//! | strings only, all RFC 3339 dates | string, format `date` | all comparisons, with strings or `DATE` |
//! | strings only, all RFC 3339 date-times | string, format `date-time` | all, with strings or `TIMESTAMP` |
//! | strings only | string | all comparisons, LIKE, IN |
//! | integers only (`3` or `3.0`) | integer | all comparisons, BETWEEN, IN |
//! | numbers | number | all comparisons, BETWEEN, IN |
//! | booleans only | boolean | `=`, `<>` (and `<` … with false < true), IN |
//! | arrays only | array | `=` / `IN` mean "contains", `<>` "does not contain"; IS NULL |
//! | objects only | object | IS NULL only |
//! | several of these | the list of JSON types | any literal; a value of another type is *unknown* |
//! | nothing but `null` | `null` | IS NULL (always true) |
//!
//! `provinces` follows the array rule: `provinces = 'guizhou'` holds when the list contains it.

use crate::index::Dataset;
use crate::layers::{Accuracy, Feature, GeometryKind, Province, Provinces, Status};
use crate::ogc::cql::Expression;
use crate::ogc::cql::eval::{CmpOp, EnumField, Lit, Operand, Pred};
use crate::ogc::cql::temporal::{Date, Timestamp, parse_date, parse_timestamp};
use crate::query::InvalidParameter;
use geo::Geometry;
use infer::Seen;
use rayon::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::LazyLock;

/// The JSON Schema dialect Part 3 requires of a queryables document (/req/queryables/get-queryables-response B).
pub const SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

static STATUS_NAMES: LazyLock<[&'static str; 6]> =
    LazyLock::new(|| Status::ALL.map(Status::as_str));
static ACCURACY_NAMES: LazyLock<[&'static str; 3]> =
    LazyLock::new(|| Accuracy::ALL.map(Accuracy::as_str));
static PROVINCE_NAMES: LazyLock<[&'static str; 2]> =
    LazyLock::new(|| Province::ALL.map(Province::as_str));

mod infer;

/// Features per parallel chunk of the typing pass.
const CHUNK: usize = 16_384;

/// The filterable properties of one collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Queryables {
    layer_id: String,
    list: Vec<Queryable>,
}

/// One filterable property.
#[derive(Debug, Clone, PartialEq)]
pub struct Queryable {
    pub name: String,
    pub title: String,
    pub description: Option<&'static str>,
    pub kind: Kind,
    pub(crate) field: Field,
}

/// What values a queryable holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String(Option<StringFormat>),
    Integer,
    Number,
    Boolean,
    /// A string from a closed set.
    Enum(&'static [&'static str]),
    /// A list of strings from a closed set.
    EnumList(&'static [&'static str]),
    /// A list of JSON values of these item types.
    Array(Types),
    Object,
    /// Values of several JSON types.
    Mixed(Types),
    /// Only ever `null` or absent.
    Null,
    /// The spatial queryable, with its Part 3 `format` (e.g. `geometry-point-or-multipoint`).
    Geometry(&'static str),
}

/// A temporal string format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFormat {
    /// RFC 3339 `full-date`.
    Date,
    /// RFC 3339 `date-time`.
    DateTime,
}

/// A set of JSON types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Types(u8);

impl Types {
    pub const STRING: Types = Types(1);
    pub const INTEGER: Types = Types(2);
    pub const NUMBER: Types = Types(4);
    pub const BOOLEAN: Types = Types(8);
    pub const ARRAY: Types = Types(16);
    pub const OBJECT: Types = Types(32);
    const NAMES: [(Types, &'static str); 6] = [
        (Types::STRING, "string"),
        (Types::INTEGER, "integer"),
        (Types::NUMBER, "number"),
        (Types::BOOLEAN, "boolean"),
        (Types::ARRAY, "array"),
        (Types::OBJECT, "object"),
    ];

    pub fn contains(self, t: Types) -> bool {
        self.0 & t.0 == t.0
    }
    fn insert(&mut self, t: Types) {
        self.0 |= t.0;
    }
    /// JSON Schema type names; `integer` is left out beside `number`, which includes it.
    pub fn names(self) -> Vec<&'static str> {
        Types::NAMES
            .iter()
            .filter(|(t, _)| {
                self.contains(*t) && !(*t == Types::INTEGER && self.contains(Types::NUMBER))
            })
            .map(|(_, n)| *n)
            .collect()
    }
    fn of(v: &Value) -> Types {
        match v {
            Value::Null => Types::default(),
            Value::Bool(_) => Types::BOOLEAN,
            Value::Number(n) if n.is_i64() || n.is_u64() => Types::INTEGER,
            Value::Number(n) if n.as_f64().is_some_and(|x| x.fract() == 0.0) => Types::INTEGER,
            Value::Number(_) => Types::NUMBER,
            Value::String(_) => Types::STRING,
            Value::Array(_) => Types::ARRAY,
            Value::Object(_) => Types::OBJECT,
        }
    }
}

/// A feature's value of a queryable (or a literal), borrowed where possible.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    Null,
    Str(&'a str),
    Num(f64),
    Bool(bool),
    Date(Date),
    Timestamp(Timestamp),
    List(List<'a>),
    Object,
    Geometry(&'a Geometry<f64>),
}

/// A list value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum List<'a> {
    Provinces(Provinces),
    Json(&'a [Value]),
}

/// Where a queryable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Layer,
    NameZh,
    NameEn,
    Status,
    Provinces,
    Source,
    Accuracy,
    Geometry,
    Extra(Box<str>),
}

impl Field {
    pub(crate) fn read<'a>(&self, f: &'a Feature, layer_id: &'a str) -> Val<'a> {
        match self {
            Field::Id => Val::Str(f.id()),
            Field::Layer => Val::Str(layer_id),
            Field::NameZh => Val::Str(f.name_zh()),
            Field::NameEn => Val::Str(f.name_en()),
            Field::Status => Val::Str(f.status.as_str()),
            Field::Provinces => Val::List(List::Provinces(f.provinces)),
            Field::Source => Val::Str(f.source()),
            Field::Accuracy => Val::Str(f.accuracy.as_str()),
            Field::Geometry => Val::Geometry(&f.geometry),
            Field::Extra(name) => match f.extra().get(&**name) {
                None | Some(Value::Null) => Val::Null,
                Some(Value::String(s)) => Val::Str(s),
                Some(Value::Number(n)) => n.as_f64().map_or(Val::Null, Val::Num),
                Some(Value::Bool(b)) => Val::Bool(*b),
                Some(Value::Array(items)) => Val::List(List::Json(items)),
                Some(Value::Object(_)) => Val::Object,
            },
        }
    }
}

impl Queryable {
    fn model(name: &str, title: &str, description: &'static str, kind: Kind, field: Field) -> Self {
        Queryable {
            name: name.into(),
            title: title.into(),
            description: Some(description),
            kind,
            field,
        }
    }

    /// This queryable's value on `f`, a feature of the layer `layer_id`; no allocation.
    pub fn value<'a>(&self, f: &'a Feature, layer_id: &'a str) -> Val<'a> {
        self.field.read(f, layer_id)
    }

    /// Its JSON Schema, as a property of the queryables document.
    pub fn schema(&self) -> Value {
        let mut s = Map::new();
        s.insert("title".into(), Value::from(self.title.as_str()));
        if let Some(d) = self.description {
            s.insert("description".into(), Value::from(d));
        }
        let mut put = |k: &str, v: Value| s.insert(k.into(), v);
        match self.kind {
            Kind::String(format) => {
                put("type", json!("string"));
                match format {
                    Some(StringFormat::Date) => put("format", json!("date")),
                    Some(StringFormat::DateTime) => put("format", json!("date-time")),
                    None => None,
                };
            }
            Kind::Integer => _ = put("type", json!("integer")),
            Kind::Number => _ = put("type", json!("number")),
            Kind::Boolean => _ = put("type", json!("boolean")),
            Kind::Enum(values) => {
                put("type", json!("string"));
                put("enum", json!(values));
            }
            Kind::EnumList(values) => {
                put("type", json!("array"));
                put("items", json!({"type": "string", "enum": values}));
            }
            Kind::Array(items) => {
                put("type", json!("array"));
                match items.names().as_slice() {
                    [] => None,
                    [one] => put("items", json!({"type": one})),
                    many => put("items", json!({"type": many})),
                };
            }
            Kind::Object => _ = put("type", json!("object")),
            Kind::Mixed(types) => _ = put("type", json!(types.names())),
            Kind::Null => _ = put("type", json!("null")),
            // A spatial property has a format and no type (/req/queryables/get-queryables-response D, E).
            Kind::Geometry(format) => _ = put("format", json!(format)),
        }
        Value::Object(s)
    }
}

/// The Part 3 format of a layer's spatial queryable; `Multi*` geometries count as their kind.
fn geometry_format(kinds: &[GeometryKind]) -> &'static str {
    match kinds {
        [GeometryKind::Point] => "geometry-point-or-multipoint",
        [GeometryKind::Line] => "geometry-linestring-or-multilinestring",
        [GeometryKind::Polygon] => "geometry-polygon-or-multipolygon",
        _ => "geometry-any",
    }
}

impl Queryables {
    /// The queryables of the layer at catalogue position `layer`: one pass over its features.
    ///
    /// # Panics
    /// If `layer` is not a catalogue position.
    pub fn of_layer(ds: &Dataset, layer: usize) -> Queryables {
        let spec = &ds.catalogue.layers[layer];
        // A layer's features are contiguous, in catalogue order.
        let start = ds
            .features
            .partition_point(|f| usize::from(f.layer) < layer);
        let end = ds
            .features
            .partition_point(|f| usize::from(f.layer) <= layer);
        // One pass, in parallel chunks whose findings are merged.
        let seen = ds.features[start..end]
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut seen: HashMap<&str, Seen> = HashMap::new();
                for f in chunk {
                    for (k, v) in f.extra() {
                        match seen.get_mut(k.as_str()) {
                            Some(s) => s.add(v),
                            None => seen.entry(k.as_str()).or_default().add(v),
                        }
                    }
                }
                seen
            })
            .reduce(HashMap::new, |mut a, b| {
                for (k, s) in b {
                    a.entry(k).or_default().merge(s);
                }
                a
            });
        let string = Kind::String(None);
        let mut list = vec![
            Queryable::model(
                "id",
                "Identifier",
                "unique across all layers",
                string,
                Field::Id,
            ),
            Queryable::model(
                "layer",
                "Layer",
                "the layer (collection) id",
                string,
                Field::Layer,
            ),
            Queryable::model(
                "name_zh",
                "Name (Chinese)",
                "the name in Chinese",
                string,
                Field::NameZh,
            ),
            Queryable::model(
                "name_en",
                "Name (English)",
                "the name in English; may be empty",
                string,
                Field::NameEn,
            ),
            Queryable::model(
                "status",
                "Status",
                "the project's stage",
                Kind::Enum(&*STATUS_NAMES),
                Field::Status,
            ),
            Queryable::model(
                "provinces",
                "Provinces",
                "the provinces the feature lies in; `provinces = 'guizhou'` means it contains guizhou",
                Kind::EnumList(&*PROVINCE_NAMES),
                Field::Provinces,
            ),
            Queryable::model(
                "source",
                "Source",
                "the document the feature is named in",
                string,
                Field::Source,
            ),
            Queryable::model(
                "accuracy",
                "Accuracy",
                "how precisely the geometry is known",
                Kind::Enum(&*ACCURACY_NAMES),
                Field::Accuracy,
            ),
        ];
        let mut free: Vec<(&str, Seen)> = seen.into_iter().collect();
        free.sort_unstable_by(|a, b| a.0.cmp(b.0));
        list.extend(free.into_iter().map(|(name, s)| Queryable {
            name: name.into(),
            title: name.into(),
            description: None,
            kind: s.kind(),
            field: Field::Extra(name.into()),
        }));
        list.push(Queryable::model(
            "geometry",
            "Geometry",
            "the feature's geometry, WGS84 longitude/latitude",
            Kind::Geometry(geometry_format(&spec.geometry)),
            Field::Geometry,
        ));
        Queryables {
            layer_id: spec.id.clone(),
            list,
        }
    }

    pub fn layer_id(&self) -> &str {
        &self.layer_id
    }

    pub fn get(&self, name: &str) -> Option<&Queryable> {
        self.list.iter().find(|q| q.name == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Queryable> {
        self.list.iter()
    }

    /// The names, comma-separated, for error messages.
    pub fn names(&self) -> String {
        self.list
            .iter()
            .map(|q| q.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The queryables document (/req/queryables/get-queryables-response).
    pub fn json_schema(&self, id_url: &str, title: &str) -> Value {
        let properties: Map<String, Value> = self
            .list
            .iter()
            .map(|q| (q.name.clone(), q.schema()))
            .collect();
        json!({
            "$schema": SCHEMA_DIALECT,
            "$id": id_url,
            "type": "object",
            "title": title,
            "properties": properties,
            "additionalProperties": false,
        })
    }

    /// The filter of the query parameter `name=text` ("Queryables as Query Parameters"): the
    /// value must be one the queryable's schema allows; a list property matches when it
    /// contains the value. Errors name the parameter.
    pub fn equality(&self, name: &str, text: &str) -> Result<Expression, InvalidParameter> {
        let err = |detail: String| InvalidParameter::new(name, detail);
        let q = self.get(name).ok_or_else(|| {
            err(format!(
                "{name:?} is not a queryable; the queryables are: {}",
                self.names()
            ))
        })?;
        let prop = || Operand::Prop(q.field.clone());
        let eq = |lit: Lit| Pred::Cmp(prop(), CmpOp::Eq, Operand::Lit(lit));
        let one_of = |values: &[&str]| {
            values.iter().position(|v| *v == text).ok_or_else(|| {
                err(format!(
                    "unknown value {text:?}; expected one of {}",
                    values.join(", ")
                ))
            })
        };
        let number = || {
            text.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| err(format!("{name} is a number; {text:?} is not one")))
        };
        let pred = match q.kind {
            Kind::Enum(values) => match EnumField::of(&q.field) {
                Some(field) => Pred::Enum(field, 1 << one_of(values)?),
                None => eq(Lit::Str(values[one_of(values)?].into())),
            },
            Kind::EnumList(values) => Pred::Provinces(1 << one_of(values)?),
            Kind::String(None) => eq(Lit::Str(text.into())),
            Kind::String(Some(StringFormat::Date)) => eq(Lit::Date(parse_date(text).ok_or_else(|| {
                err(format!("{name} is a date; {text:?} is not an RFC 3339 date such as 2024-05-01"))
            })?)),
            Kind::String(Some(StringFormat::DateTime)) => eq(Lit::Timestamp(parse_timestamp(text).ok_or_else(|| {
                err(format!(
                    "{name} is a date-time; {text:?} is not an RFC 3339 date-time such as 2024-05-01T08:00:00Z"
                ))
            })?)),
            Kind::Integer => {
                let x = number()?;
                if x.fract() != 0.0 {
                    return Err(err(format!("{name} is an integer; {text:?} is not one")));
                }
                eq(Lit::Num(x))
            }
            Kind::Number => eq(Lit::Num(number()?)),
            Kind::Boolean => match text {
                "true" => eq(Lit::Bool(true)),
                "false" => eq(Lit::Bool(false)),
                _ => return Err(err(format!("{name} is a boolean; expected true or false, got {text:?}"))),
            },
            Kind::Array(_) | Kind::Mixed(_) => {
                // Whichever JSON type the value has, the text may spell it.
                let mut items = vec![Lit::Str(text.into())];
                items.extend(text.parse::<f64>().ok().filter(|x| x.is_finite()).map(Lit::Num));
                items.extend(text.parse::<bool>().ok().map(Lit::Bool));
                Pred::in_list(prop(), items)
            }
            Kind::Object | Kind::Null | Kind::Geometry(_) => {
                return Err(err(format!(
                    "{name} has no simple value and is no query parameter; use a filter (e.g. filter={name} IS NULL)"
                )));
            }
        };
        Ok(Expression::from_pred(pred))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_follow_the_enum_order_the_evaluator_indexes_by() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
            assert_eq!(STATUS_NAMES[i], s.as_str());
        }
        for (i, a) in Accuracy::ALL.iter().enumerate() {
            assert_eq!(*a as usize, i);
        }
        for (i, p) in Province::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i);
        }
    }
}
