//! From `cql2`'s expression tree to [`Pred`], checked against the queryables: every property
//! must be one, every comparison must be between values of one type when the types are known,
//! and whatever lies beyond the declared conformance classes is refused by name.

use super::eval::{CmpOp, EnumField, InList, Lit, Operand, Pred, compare_op, in_values};
use super::like::Pattern;
use super::temporal::{parse_date, parse_timestamp};
use crate::ogc::queryables::{Kind, Queryable, Queryables, StringFormat};
use cql2::Expr;
use geo::Geometry;

/// What the evaluator offers, for error messages.
pub const SUPPORTED: &str = "supported: AND, OR, NOT, =, <>, <, <=, >, >=, LIKE, BETWEEN, \
IN, IS NULL, S_INTERSECTS; literals: strings, numbers, booleans, DATE, TIMESTAMP, WKT or GeoJSON \
geometries, BBOX";

/// The static type of an operand, for type checks at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Str,
    /// A string property of format `date` / `date-time`: meets strings and DATE / TIMESTAMP.
    StrDate,
    StrTimestamp,
    Num,
    Bool,
    Date,
    Timestamp,
    List,
    Object,
    Geometry,
    /// A property of several types: checked at run time.
    Dynamic,
    /// A property never set, or the literal NULL.
    Null,
}

impl Ty {
    pub(super) fn of(kind: Kind) -> Ty {
        match kind {
            Kind::String(None) | Kind::Enum(_) => Ty::Str,
            Kind::String(Some(StringFormat::Date)) => Ty::StrDate,
            Kind::String(Some(StringFormat::DateTime)) => Ty::StrTimestamp,
            Kind::Integer | Kind::Number => Ty::Num,
            Kind::Boolean => Ty::Bool,
            Kind::EnumList(_) | Kind::Array(_) => Ty::List,
            Kind::Object => Ty::Object,
            Kind::Mixed(_) => Ty::Dynamic,
            Kind::Null => Ty::Null,
            Kind::Geometry(_) => Ty::Geometry,
        }
    }
    pub(super) fn describe(self) -> &'static str {
        match self {
            Ty::Str => "a string",
            Ty::StrDate => "a string of format date",
            Ty::StrTimestamp => "a string of format date-time",
            Ty::Num => "a number",
            Ty::Bool => "a boolean",
            Ty::Date => "a date",
            Ty::Timestamp => "a timestamp",
            Ty::List => "an array",
            Ty::Object => "an object",
            Ty::Geometry => "a geometry",
            Ty::Dynamic => "of several types",
            Ty::Null => "never set",
        }
    }
    fn is_scalar(self) -> bool {
        !matches!(self, Ty::List | Ty::Object | Ty::Geometry)
    }
}

/// Whether values of two types can be compared.
fn comparable(a: Ty, b: Ty) -> bool {
    use Ty::*;
    match (a, b) {
        (Dynamic | Null, x) | (x, Dynamic | Null) => x.is_scalar(),
        (Str, Str | StrDate | StrTimestamp) | (StrDate | StrTimestamp, Str) => true,
        (StrDate, StrDate | Date) | (Date, StrDate | Date) => true,
        (StrTimestamp, StrTimestamp | Timestamp) | (Timestamp, StrTimestamp | Timestamp) => true,
        (Num, Num) | (Bool, Bool) => true,
        _ => false,
    }
}

/// A compiled operand with what messages need.
struct Side<'q> {
    operand: Operand,
    ty: Ty,
    /// The property name, or the literal as written.
    text: String,
    queryable: Option<&'q Queryable>,
}

type ToCrs84<'a> = &'a dyn Fn(Geometry<f64>) -> Result<Geometry<f64>, String>;

pub(crate) struct Compiler<'a> {
    pub queryables: &'a Queryables,
    pub to_crs84: ToCrs84<'a>,
}

pub(super) fn render(e: &Expr) -> String {
    e.to_text().unwrap_or_else(|_| format!("{e:?}"))
}

fn arity(op: &str, args: &[Box<Expr>], n: usize) -> Result<(), String> {
    if args.len() == n {
        Ok(())
    } else {
        Err(format!(
            "{} takes {n} argument(s), got {}",
            op.to_uppercase(),
            args.len()
        ))
    }
}

fn is_predicate_op(op: &str) -> bool {
    matches!(
        op,
        "and"
            | "or"
            | "not"
            | "="
            | "<>"
            | "<"
            | "<="
            | ">"
            | ">="
            | "like"
            | "between"
            | "in"
            | "isNull"
    ) || op.starts_with("s_")
        || op.starts_with("t_")
        || op.starts_with("a_")
}

/// Names what an unsupported operator belongs to.
fn unsupported(op: &str) -> String {
    let lower = op.to_lowercase();
    let what = if lower.starts_with("s_") {
        format!(
            "{} (Spatial Functions; only S_INTERSECTS is offered)",
            op.to_uppercase()
        )
    } else if lower.starts_with("t_") {
        format!(
            "the temporal function {} (Temporal Functions)",
            op.to_uppercase()
        )
    } else if lower.starts_with("a_") {
        format!("the array function {} (Array Functions)", op.to_uppercase())
    } else if lower == "casei" {
        "CASEI (Case-insensitive Comparison)".into()
    } else if lower == "accenti" {
        "ACCENTI (Accent-insensitive Comparison)".into()
    } else if ["+", "-", "*", "/", "%", "^", "div"].contains(&lower.as_str()) {
        format!("the arithmetic operator {op} (Arithmetic Expressions)")
    } else {
        format!("the function {op} (this server defines no functions)")
    };
    format!("{what} is not supported; {SUPPORTED}")
}

fn and(preds: Vec<Pred>) -> Pred {
    let mut out = Vec::with_capacity(preds.len());
    for p in preds {
        match p {
            Pred::Const(Some(true)) => {}
            Pred::Const(Some(false)) => return Pred::Const(Some(false)),
            Pred::And(inner) => out.extend(inner),
            p => out.push(p),
        }
    }
    match out.len() {
        0 => Pred::Const(Some(true)),
        1 => out.pop().expect("one predicate"),
        _ => Pred::And(out),
    }
}

fn or(preds: Vec<Pred>) -> Pred {
    let mut out = Vec::with_capacity(preds.len());
    for p in preds {
        match p {
            Pred::Const(Some(false)) => {}
            Pred::Const(Some(true)) => return Pred::Const(Some(true)),
            Pred::Or(inner) => out.extend(inner),
            p => out.push(p),
        }
    }
    match out.len() {
        0 => Pred::Const(Some(false)),
        1 => out.pop().expect("one predicate"),
        _ => Pred::Or(out),
    }
}

fn not(p: Pred) -> Pred {
    match p {
        Pred::Const(v) => Pred::Const(v.map(|b| !b)),
        Pred::Not(inner) => *inner,
        p => Pred::Not(Box::new(p)),
    }
}

impl<'a> Compiler<'a> {
    pub(crate) fn predicate(&self, e: &Expr) -> Result<Pred, String> {
        match e {
            Expr::Bool(b) => Ok(Pred::Const(Some(*b))),
            Expr::Operation { op, args } => match op.as_str() {
                "and" | "or" => {
                    if args.is_empty() {
                        return Err(format!("{} needs at least one argument", op.to_uppercase()));
                    }
                    let preds = args
                        .iter()
                        .map(|a| self.predicate(a))
                        .collect::<Result<_, _>>()?;
                    Ok(if op == "and" { and(preds) } else { or(preds) })
                }
                "not" => {
                    arity(op, args, 1)?;
                    Ok(not(self.predicate(&args[0])?))
                }
                "=" | "<>" | "<" | "<=" | ">" | ">=" => {
                    arity(op, args, 2)?;
                    let cmp = match op.as_str() {
                        "=" => CmpOp::Eq,
                        "<>" => CmpOp::Ne,
                        "<" => CmpOp::Lt,
                        "<=" => CmpOp::Le,
                        ">" => CmpOp::Gt,
                        _ => CmpOp::Ge,
                    };
                    self.comparison(op, cmp, &args[0], &args[1])
                }
                "like" => {
                    arity(op, args, 2)?;
                    self.like(&args[0], &args[1])
                }
                "between" => {
                    arity(op, args, 3)?;
                    self.between(&args[0], &args[1], &args[2])
                }
                "in" => {
                    arity(op, args, 2)?;
                    self.in_list(&args[0], &args[1])
                }
                "isNull" => {
                    arity("IS NULL", args, 1)?;
                    self.is_null(&args[0])
                }
                "s_intersects" => {
                    arity(op, args, 2)?;
                    self.intersects(&args[0], &args[1])
                }
                other => Err(unsupported(other)),
            },
            Expr::Property { property } => {
                self.queryable(property)?;
                Err(format!(
                    "the property {property} alone is not a predicate; compare it, e.g. {property} = true"
                ))
            }
            Expr::Interval { .. } => Err(unsupported("t_intervals")),
            other => Err(format!("{} is not a predicate; {SUPPORTED}", render(other))),
        }
    }

    pub(super) fn queryable(&self, name: &str) -> Result<&'a Queryable, String> {
        self.queryables.get(name).ok_or_else(|| {
            format!(
                "{name:?} is not a queryable of collection {}; its queryables are: {}",
                self.queryables.layer_id(),
                self.queryables.names()
            )
        })
    }

    fn operand(&self, e: &Expr) -> Result<Side<'a>, String> {
        let lit = |l: Lit, ty: Ty| Side {
            operand: Operand::Lit(l),
            ty,
            text: render(e),
            queryable: None,
        };
        let instant = |inner: &Expr, what: &str, example: &str| match inner {
            Expr::Literal(s) => Ok(s.clone()),
            other => Err(format!(
                "{what} takes a string such as '{example}', got {}",
                render(other)
            )),
        };
        Ok(match e {
            Expr::Property { property } => {
                let q = self.queryable(property)?;
                Side {
                    operand: Operand::Prop(q.field.clone()),
                    ty: Ty::of(q.kind),
                    text: property.clone(),
                    queryable: Some(q),
                }
            }
            Expr::Literal(s) => lit(Lit::Str(s.as_str().into()), Ty::Str),
            Expr::Float(x) => lit(Lit::Num(*x), Ty::Num),
            Expr::Bool(b) => lit(Lit::Bool(*b), Ty::Bool),
            Expr::Null => lit(Lit::Null, Ty::Null),
            Expr::Date { date } => {
                let s = instant(date, "DATE", "2024-05-01")?;
                let d = parse_date(&s).ok_or_else(|| {
                    format!("DATE('{s}') is not an RFC 3339 full-date such as 2024-05-01")
                })?;
                lit(Lit::Date(d), Ty::Date)
            }
            Expr::Timestamp { timestamp } => {
                let s = instant(timestamp, "TIMESTAMP", "2024-05-01T08:00:00Z")?;
                let t = parse_timestamp(&s).ok_or_else(|| {
                    format!(
                        "TIMESTAMP('{s}') is not an RFC 3339 date-time such as 2024-05-01T08:00:00Z"
                    )
                })?;
                lit(Lit::Timestamp(t), Ty::Timestamp)
            }
            Expr::Geometry(_) | Expr::BBox { .. } => {
                return Err(format!(
                    "the spatial literal {} can only be an argument of S_INTERSECTS",
                    render(e)
                ));
            }
            Expr::Interval { .. } => return Err(unsupported("t_intervals")),
            Expr::Array(_) => return Err(format!("the list {} can only follow IN", render(e))),
            Expr::Operation { op, .. } if is_predicate_op(op) => {
                return Err(format!(
                    "the predicate {} is not a value; only IS NULL takes a predicate",
                    render(e)
                ));
            }
            Expr::Operation { op, .. } => return Err(unsupported(op)),
        })
    }

    /// The error for two sides whose types do not meet.
    fn mismatch(l: &Side<'_>, r: &Side<'_>) -> String {
        let what = |s: &Side<'_>| match s.operand {
            Operand::Prop(_) => format!("{} ({})", s.text, s.ty.describe()),
            Operand::Lit(_) => format!("{}, {}", s.text, s.ty.describe()),
        };
        format!(
            "{} is {}; it cannot be compared with {}",
            l.text,
            l.ty.describe(),
            what(r)
        )
    }

    fn comparison(&self, op: &str, cmp: CmpOp, a: &Expr, b: &Expr) -> Result<Pred, String> {
        let (mut l, mut r) = (self.operand(a)?, self.operand(b)?);
        let mut cmp = cmp;
        // The property, if any, on the left.
        if matches!(l.operand, Operand::Lit(_)) && matches!(r.operand, Operand::Prop(_)) {
            std::mem::swap(&mut l, &mut r);
            cmp = cmp.flipped();
        }
        for side in [&l, &r] {
            match side.ty {
                Ty::Geometry => {
                    return Err(format!(
                        "{} is the spatial queryable; compare it with S_INTERSECTS({}, …)",
                        side.text, side.text
                    ));
                }
                Ty::Object => {
                    return Err(format!(
                        "{} is an object; only IS NULL and IS NOT NULL apply",
                        side.text
                    ));
                }
                _ => {}
            }
        }
        if matches!(l.operand, Operand::Lit(Lit::Null))
            || matches!(r.operand, Operand::Lit(Lit::Null))
        {
            return Ok(Pred::Const(None)); // a comparison with NULL is unknown
        }
        if l.ty == Ty::List || r.ty == Ty::List {
            let (list, other) = if l.ty == Ty::List { (&l, &r) } else { (&r, &l) };
            if !matches!(cmp, CmpOp::Eq | CmpOp::Ne) || !other.ty.is_scalar() {
                return Err(format!(
                    "{} is an array: only = (contains), <> (does not contain), IN and IS NULL apply, with a single value; got {op} {}",
                    list.text, other.text
                ));
            }
        } else if !comparable(l.ty, r.ty) {
            return Err(Self::mismatch(&l, &r));
        }
        if let (Operand::Lit(a), Operand::Lit(b)) = (&l.operand, &r.operand) {
            return Ok(Pred::Const(compare_op(a.val(), cmp, b.val())));
        }
        if let (Some(q), Operand::Lit(Lit::Str(s))) = (l.queryable, &r.operand) {
            match q.kind {
                Kind::Enum(values) if EnumField::of(&q.field).is_some() => {
                    if matches!(cmp, CmpOp::Eq | CmpOp::Ne) {
                        known_value(q, values, s)?;
                    }
                    let mask = values
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| cmp.holds((**v).cmp(&**s)))
                        .fold(0u8, |m, (i, _)| m | 1 << i);
                    let field = EnumField::of(&q.field).expect("checked above");
                    return Ok(Pred::Enum(field, mask));
                }
                Kind::EnumList(values) => {
                    let bit = 1u8 << known_value(q, values, s)?;
                    let has = Pred::Provinces(bit);
                    return Ok(if cmp == CmpOp::Eq { has } else { not(has) });
                }
                _ => {}
            }
        }
        Ok(Pred::Cmp(l.operand, cmp, r.operand))
    }

    fn like(&self, a: &Expr, b: &Expr) -> Result<Pred, String> {
        let pattern = match b {
            Expr::Literal(p) => Pattern::parse(p)?,
            Expr::Null => return Ok(Pred::Const(None)),
            Expr::Operation { op, .. } if !is_predicate_op(op) => return Err(unsupported(op)),
            other => {
                return Err(format!(
                    "a LIKE pattern must be a string literal, got {}",
                    render(other)
                ));
            }
        };
        let s = self.operand(a)?;
        if !matches!(
            s.ty,
            Ty::Str | Ty::StrDate | Ty::StrTimestamp | Ty::Dynamic | Ty::Null
        ) {
            return Err(format!(
                "LIKE matches strings; {} is {}",
                s.text,
                s.ty.describe()
            ));
        }
        Ok(
            match (
                &s.operand,
                s.queryable.map(|q| (q.kind, EnumField::of(&q.field))),
            ) {
                (Operand::Lit(Lit::Str(v)), _) => Pred::Const(Some(pattern.matches(v))),
                (Operand::Lit(_), _) => Pred::Const(None),
                (_, Some((Kind::Enum(values), Some(field)))) => {
                    let mask = values
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| pattern.matches(v))
                        .fold(0u8, |m, (i, _)| m | 1 << i);
                    Pred::Enum(field, mask)
                }
                _ => Pred::Like(s.operand, pattern),
            },
        )
    }

    fn between(&self, x: &Expr, lo: &Expr, hi: &Expr) -> Result<Pred, String> {
        let sides = [self.operand(x)?, self.operand(lo)?, self.operand(hi)?];
        if sides
            .iter()
            .any(|s| matches!(s.operand, Operand::Lit(Lit::Null)))
        {
            return Ok(Pred::Const(None));
        }
        if let Some(s) = sides
            .iter()
            .find(|s| !matches!(s.ty, Ty::Num | Ty::Dynamic | Ty::Null))
        {
            return Err(format!(
                "BETWEEN compares numbers; {} is {}",
                s.text,
                s.ty.describe()
            ));
        }
        let [x, lo, hi] = sides.map(|s| s.operand);
        Ok(match (&x, &lo, &hi) {
            (Operand::Lit(Lit::Num(x)), Operand::Lit(Lit::Num(lo)), Operand::Lit(Lit::Num(hi))) => {
                Pred::Const(Some(lo <= x && x <= hi))
            }
            _ => Pred::Between(x, lo, hi),
        })
    }

    fn in_list(&self, x: &Expr, list: &Expr) -> Result<Pred, String> {
        let Expr::Array(items) = list else {
            return Err(format!(
                "IN needs a list in parentheses, got {}",
                render(list)
            ));
        };
        let x = self.operand(x)?;
        if matches!(x.ty, Ty::Object | Ty::Geometry) {
            return Err(format!(
                "{} is {}; IN does not apply",
                x.text,
                x.ty.describe()
            ));
        }
        let mut lits = Vec::with_capacity(items.len());
        for item in items {
            let side = self.operand(item)?;
            let Operand::Lit(l) = side.operand else {
                return Err(format!(
                    "the list of IN holds literals only; {} is a property",
                    side.text
                ));
            };
            let ok = if x.ty == Ty::List {
                side.ty.is_scalar()
            } else {
                comparable(x.ty, side.ty)
            };
            if !ok {
                return Err(Self::mismatch(
                    &x,
                    &Side {
                        operand: Operand::Lit(l),
                        ..side
                    },
                ));
            }
            lits.push(l);
        }
        if let Operand::Lit(v) = &x.operand {
            let list = match Pred::in_list(Operand::Lit(Lit::Null), lits) {
                Pred::In(_, list) => list,
                _ => InList::Any(Vec::new()),
            };
            return Ok(Pred::Const(in_values(v.val(), &list)));
        }
        if let Some(q) = x.queryable {
            let strings: Option<Vec<&str>> = lits
                .iter()
                .map(|l| match l {
                    Lit::Str(s) => Some(&**s),
                    _ => None,
                })
                .collect();
            match (q.kind, strings) {
                (Kind::Enum(values), Some(strings)) if EnumField::of(&q.field).is_some() => {
                    let mut mask = 0u8;
                    for s in strings {
                        mask |= 1 << known_value(q, values, s)?;
                    }
                    return Ok(Pred::Enum(
                        EnumField::of(&q.field).expect("checked above"),
                        mask,
                    ));
                }
                (Kind::EnumList(values), Some(strings)) => {
                    let mut mask = 0u8;
                    for s in strings {
                        mask |= 1 << known_value(q, values, s)?;
                    }
                    return Ok(Pred::Provinces(mask));
                }
                _ => {}
            }
        }
        Ok(Pred::in_list(x.operand, lits))
    }

    fn is_null(&self, e: &Expr) -> Result<Pred, String> {
        match e {
            Expr::Operation { op, .. } if is_predicate_op(op) => {
                Ok(Pred::IsUnknown(Box::new(self.predicate(e)?)))
            }
            Expr::Geometry(_) | Expr::BBox { .. } | Expr::Bool(_) => Ok(Pred::Const(Some(false))),
            e => {
                let s = self.operand(e)?;
                Ok(match s.operand {
                    Operand::Lit(l) => Pred::Const(Some(l == Lit::Null)),
                    prop => Pred::IsNull(prop),
                })
            }
        }
    }
}

/// The position of `s` among an enum's values, or an error listing them.
fn known_value(q: &Queryable, values: &[&str], s: &str) -> Result<usize, String> {
    values.iter().position(|v| *v == s).ok_or_else(|| {
        format!(
            "{:?} is not a value of {}; its values are: {}",
            s,
            q.name,
            values.join(", ")
        )
    })
}
