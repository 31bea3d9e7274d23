//! Typing a free property from the values one pass over a layer sees (the table in the
//! parent module's documentation).

use super::{Kind, StringFormat, Types};
use crate::ogc::cql::temporal::{parse_date, parse_timestamp};
use serde_json::Value;

/// What one pass saw of a free property.
#[derive(Default)]
pub(super) struct Seen {
    types: Types,
    items: Types,
    all_dates: bool,
    all_timestamps: bool,
    strings: usize,
}

impl Seen {
    pub(super) fn add(&mut self, v: &Value) {
        let t = Types::of(v);
        self.types.insert(t);
        match v {
            Value::String(s) => {
                if self.strings == 0 {
                    (self.all_dates, self.all_timestamps) = (true, true);
                }
                self.strings += 1;
                self.all_dates = self.all_dates && parse_date(s).is_some();
                self.all_timestamps = self.all_timestamps && parse_timestamp(s).is_some();
            }
            Value::Array(items) => items.iter().for_each(|i| self.items.insert(Types::of(i))),
            _ => {}
        }
    }

    pub(super) fn merge(&mut self, other: Seen) {
        self.types.insert(other.types);
        self.items.insert(other.items);
        if self.strings == 0 {
            (self.all_dates, self.all_timestamps) = (other.all_dates, other.all_timestamps);
        } else if other.strings > 0 {
            self.all_dates &= other.all_dates;
            self.all_timestamps &= other.all_timestamps;
        }
        self.strings += other.strings;
    }

    pub(super) fn kind(&self) -> Kind {
        let t = self.types;
        let only = |x: Types| t == x;
        if t == Types::default() {
            Kind::Null
        } else if only(Types::STRING) {
            Kind::String(if self.all_dates {
                Some(StringFormat::Date)
            } else if self.all_timestamps {
                Some(StringFormat::DateTime)
            } else {
                None
            })
        } else if only(Types::INTEGER) {
            Kind::Integer
        } else if only(Types::NUMBER) || only(Types(Types::NUMBER.0 | Types::INTEGER.0)) {
            Kind::Number
        } else if only(Types::BOOLEAN) {
            Kind::Boolean
        } else if only(Types::ARRAY) {
            Kind::Array(self.items)
        } else if only(Types::OBJECT) {
            Kind::Object
        } else {
            Kind::Mixed(t)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn free_property_types_are_as_loose_as_the_values_seen() {
        let kind = |values: &[Value]| {
            let mut s = Seen::default();
            values.iter().for_each(|v| s.add(v));
            s.kind()
        };
        assert_eq!(kind(&[json!(1), json!(2.0), Value::Null]), Kind::Integer);
        assert_eq!(kind(&[json!(1), json!(2.5)]), Kind::Number);
        assert_eq!(
            kind(&[json!("2024-01-02"), json!("1999-12-31")]),
            Kind::String(Some(StringFormat::Date))
        );
        assert_eq!(
            kind(&[json!("2024-01-02T00:00:00Z")]),
            Kind::String(Some(StringFormat::DateTime))
        );
        assert_eq!(
            kind(&[json!("2024-01-02"), json!("soon")]),
            Kind::String(None)
        );
        assert_eq!(kind(&[json!(true)]), Kind::Boolean);
        assert_eq!(
            kind(&[json!(["a", 1])]),
            Kind::Array(Types(Types::STRING.0 | Types::INTEGER.0))
        );
        assert_eq!(kind(&[json!({"a": 1})]), Kind::Object);
        assert_eq!(kind(&[Value::Null]), Kind::Null);
        let mixed = kind(&[json!("a"), json!(2.5), json!(1)]);
        assert_eq!(
            mixed,
            Kind::Mixed(Types(Types::STRING.0 | Types::INTEGER.0 | Types::NUMBER.0))
        );
        let Kind::Mixed(t) = mixed else {
            unreachable!()
        };
        assert_eq!(t.names(), ["string", "number"]);
        // Chunks seen apart and merged type as one pass would.
        let merged = |a: &[Value], b: &[Value]| {
            let (mut x, mut y) = (Seen::default(), Seen::default());
            a.iter().for_each(|v| x.add(v));
            b.iter().for_each(|v| y.add(v));
            x.merge(y);
            x.kind()
        };
        let date = Kind::String(Some(StringFormat::Date));
        assert_eq!(
            merged(&[json!(1)], &[json!("2024-01-02")]),
            kind(&[json!(1), json!("2024-01-02")])
        );
        assert_eq!(
            merged(&[json!(1)], &[json!("2024-01-02")]),
            Kind::Mixed(Types(Types::STRING.0 | Types::INTEGER.0))
        );
        assert_eq!(merged(&[Value::Null], &[json!("2024-01-02")]), date);
        assert_eq!(merged(&[json!("2024-01-02")], &[]), date);
        assert_eq!(
            merged(&[json!("2024-01-02")], &[json!("x")]),
            Kind::String(None)
        );
    }
}
