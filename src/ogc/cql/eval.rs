//! The compiled form of a filter and its evaluation in three-valued (Kleene) logic:
//! `Some(true)`, `Some(false)` and `None` for *unknown* (a null, a missing property, or values of
//! two types at run time).

use super::like::Pattern;
use super::spatial::Spatial;
use super::temporal::{Date, Timestamp, parse_date, parse_timestamp};
use crate::geodesy::LonLatRect;
use crate::layers::{Feature, Province};
use crate::ogc::queryables::{Field, List, Val};
use serde_json::Value;
use std::cmp::Ordering;

/// A predicate, compiled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pred {
    Const(Option<bool>),
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Not(Box<Pred>),
    /// `x IS NULL` on a value.
    IsNull(Operand),
    /// `(predicate) IS NULL`: whether the predicate is unknown.
    IsUnknown(Box<Pred>),
    Cmp(Operand, CmpOp, Operand),
    /// An enumerated field (`status`, `accuracy`) whose value's position in its `ALL` list is
    /// one of the set bits.
    Enum(EnumField, u8),
    /// The feature's provinces contain one of the set bits (positions in `Province::ALL`).
    Provinces(u8),
    Like(Operand, Pattern),
    Between(Operand, Operand, Operand),
    In(Operand, InList),
    Intersects(Box<Spatial>),
}

/// The model's enumerated fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnumField {
    Status,
    Accuracy,
}

impl EnumField {
    pub(crate) fn of(field: &Field) -> Option<EnumField> {
        match field {
            Field::Status => Some(EnumField::Status),
            Field::Accuracy => Some(EnumField::Accuracy),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Prop(Field),
    Lit(Lit),
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Null,
    Str(Box<str>),
    Num(f64),
    Bool(bool),
    Date(Date),
    Timestamp(Timestamp),
}

impl Lit {
    pub(crate) fn val(&self) -> Val<'_> {
        match self {
            Lit::Null => Val::Null,
            Lit::Str(s) => Val::Str(s),
            Lit::Num(x) => Val::Num(*x),
            Lit::Bool(b) => Val::Bool(*b),
            Lit::Date(d) => Val::Date(*d),
            Lit::Timestamp(t) => Val::Timestamp(*t),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub(crate) fn holds(self, o: Ordering) -> bool {
        match self {
            CmpOp::Eq => o.is_eq(),
            CmpOp::Ne => o.is_ne(),
            CmpOp::Lt => o.is_lt(),
            CmpOp::Le => o.is_le(),
            CmpOp::Gt => o.is_gt(),
            CmpOp::Ge => o.is_ge(),
        }
    }
    /// The operator with its operands swapped: `a < b` is `b > a`.
    pub(crate) fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }
}

/// The list of an IN predicate: sorted strings or numbers for a binary search, else any literals.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InList {
    Strs(Vec<Box<str>>),
    Nums(Vec<f64>),
    Any(Vec<Lit>),
}

impl Pred {
    /// An IN list, sorted for a binary search when its literals are all strings or all numbers.
    pub(crate) fn in_list(operand: Operand, items: Vec<Lit>) -> Pred {
        let list = if items.iter().all(|l| matches!(l, Lit::Str(_))) {
            let mut v: Vec<Box<str>> = items
                .into_iter()
                .filter_map(|l| match l {
                    Lit::Str(s) => Some(s),
                    _ => None,
                })
                .collect();
            v.sort_unstable();
            InList::Strs(v)
        } else if items
            .iter()
            .all(|l| matches!(l, Lit::Num(x) if !x.is_nan()))
        {
            let mut v: Vec<f64> = items
                .iter()
                .filter_map(|l| match l {
                    Lit::Num(x) => Some(zero(*x)),
                    _ => None,
                })
                .collect();
            v.sort_unstable_by(f64::total_cmp);
            InList::Nums(v)
        } else {
            InList::Any(items)
        };
        Pred::In(operand, list)
    }

    pub(crate) fn eval(&self, f: &Feature, layer_id: &str) -> Option<bool> {
        let read = |o| read(o, f, layer_id);
        match self {
            Pred::Const(v) => *v,
            Pred::And(ps) => {
                let mut all = Some(true);
                for p in ps {
                    match p.eval(f, layer_id) {
                        Some(false) => return Some(false),
                        None => all = None,
                        Some(true) => {}
                    }
                }
                all
            }
            Pred::Or(ps) => {
                let mut any = Some(false);
                for p in ps {
                    match p.eval(f, layer_id) {
                        Some(true) => return Some(true),
                        None => any = None,
                        Some(false) => {}
                    }
                }
                any
            }
            Pred::Not(p) => p.eval(f, layer_id).map(|b| !b),
            Pred::IsNull(o) => Some(matches!(read(o), Val::Null)),
            Pred::IsUnknown(p) => Some(p.eval(f, layer_id).is_none()),
            Pred::Cmp(a, op, b) => compare_op(read(a), *op, read(b)),
            Pred::Enum(field, mask) => {
                let i = match field {
                    EnumField::Status => f.status as u8,
                    EnumField::Accuracy => f.accuracy as u8,
                };
                Some(mask >> i & 1 == 1)
            }
            Pred::Provinces(mask) => Some(
                Province::ALL
                    .iter()
                    .any(|p| mask >> (*p as u8) & 1 == 1 && f.provinces.contains(*p)),
            ),
            Pred::Like(o, pattern) => match read(o) {
                Val::Str(s) => Some(pattern.matches(s)),
                _ => None,
            },
            Pred::Between(x, lo, hi) => match (read(x), read(lo), read(hi)) {
                (Val::Num(x), Val::Num(lo), Val::Num(hi)) => Some(lo <= x && x <= hi),
                _ => None,
            },
            Pred::In(o, list) => in_values(read(o), list),
            Pred::Intersects(s) => Some(s.intersects(&f.geometry)),
        }
    }

    /// Envelopes one of which a matching feature's envelope must intersect; `None` when the
    /// predicate does not narrow space.
    pub(crate) fn envelopes(&self) -> Option<Vec<LonLatRect>> {
        match self {
            // Never true: no feature can match.
            Pred::Const(Some(false) | None) => Some(Vec::new()),
            Pred::Intersects(s) => Some(s.envelopes.clone()),
            // Every conjunct must hold, so any one narrows; the smallest does best.
            Pred::And(ps) => ps
                .iter()
                .filter_map(Pred::envelopes)
                .min_by(|a, b| total_area(a).total_cmp(&total_area(b))),
            // One disjunct must hold: the union, if each one narrows.
            Pred::Or(ps) => ps
                .iter()
                .map(Pred::envelopes)
                .collect::<Option<Vec<_>>>()
                .map(|lists| lists.concat()),
            _ => None,
        }
    }
}

/// -0 as 0, so that a total order keeps them equal.
fn zero(x: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x }
}

fn read<'a>(o: &'a Operand, f: &'a Feature, layer_id: &'a str) -> Val<'a> {
    match o {
        Operand::Prop(field) => field.read(f, layer_id),
        Operand::Lit(l) => l.val(),
    }
}

fn total_area(rects: &[LonLatRect]) -> f64 {
    rects
        .iter()
        .map(|r| (r.max.x - r.min.x) * (r.max.y - r.min.y))
        .sum()
}

/// The order of two scalar values of one type; `None` for a null or two types. A string meets
/// a date or timestamp by being read as one (a property of format `date` or `date-time`).
pub(crate) fn order(a: Val<'_>, b: Val<'_>) -> Option<Ordering> {
    match (a, b) {
        // UTF-8 byte order is Unicode code point order.
        (Val::Str(a), Val::Str(b)) => Some(a.cmp(b)),
        (Val::Num(a), Val::Num(b)) => a.partial_cmp(&b),
        (Val::Bool(a), Val::Bool(b)) => Some(a.cmp(&b)),
        (Val::Date(a), Val::Date(b)) => Some(a.cmp(&b)),
        (Val::Timestamp(a), Val::Timestamp(b)) => Some(a.cmp(&b)),
        (Val::Str(s), Val::Date(d)) => parse_date(s).map(|x| x.cmp(&d)),
        (Val::Date(d), Val::Str(s)) => parse_date(s).map(|x| d.cmp(&x)),
        (Val::Str(s), Val::Timestamp(t)) => parse_timestamp(s).map(|x| x.cmp(&t)),
        (Val::Timestamp(t), Val::Str(s)) => parse_timestamp(s).map(|x| t.cmp(&x)),
        _ => None,
    }
}

/// Whether a list holds an element equal to `v`.
fn contains(list: List<'_>, v: Val<'_>) -> bool {
    match list {
        List::Provinces(ps) => match v {
            Val::Str(s) => ps.iter().any(|p| p.as_str() == s),
            _ => false,
        },
        List::Json(items) => items.iter().any(|item| {
            let item = match item {
                Value::String(s) => Val::Str(s),
                Value::Number(n) => n.as_f64().map_or(Val::Null, Val::Num),
                Value::Bool(b) => Val::Bool(*b),
                _ => Val::Null,
            };
            order(item, v) == Some(Ordering::Equal)
        }),
    }
}

pub(crate) fn compare_op(a: Val<'_>, op: CmpOp, b: Val<'_>) -> Option<bool> {
    match (a, b) {
        (Val::Null, _) | (_, Val::Null) => None,
        // A list "equals" a value it contains.
        (Val::List(l), v) | (v, Val::List(l)) => match op {
            CmpOp::Eq => Some(contains(l, v)),
            CmpOp::Ne => Some(!contains(l, v)),
            _ => None,
        },
        (a, b) => order(a, b).map(|o| op.holds(o)),
    }
}

pub(crate) fn in_values(v: Val<'_>, list: &InList) -> Option<bool> {
    match (v, list) {
        (Val::Null, _) => None,
        (Val::Str(s), InList::Strs(items)) => {
            Some(items.binary_search_by(|i| (**i).cmp(s)).is_ok())
        }
        (Val::Num(x), InList::Nums(items)) => {
            let x = zero(x);
            Some(!x.is_nan() && items.binary_search_by(|i| i.total_cmp(&x)).is_ok())
        }
        (v, list) => {
            // x IN (a, b) is x = a OR x = b.
            let eq = |l: Val<'_>| compare_op(v, CmpOp::Eq, l);
            let mut any = Some(false);
            let mut each = |r: Option<bool>| match r {
                Some(true) => true,
                None => {
                    any = None;
                    false
                }
                Some(false) => false,
            };
            let found = match list {
                InList::Strs(items) => items.iter().any(|s| each(eq(Val::Str(s)))),
                InList::Nums(items) => items.iter().any(|x| each(eq(Val::Num(*x)))),
                InList::Any(items) => items.iter().any(|l| each(eq(l.val()))),
            };
            if found { Some(true) } else { any }
        }
    }
}
