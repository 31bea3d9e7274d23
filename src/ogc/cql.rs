//! CQL2 filters (OGC 21-065r2) for OGC API – Features Part 3 (OGC 19-079r2): parsed by the
//! `cql2` crate, compiled against a collection's [`Queryables`] into our own evaluator.
//!
//! 1. Parse: cql2-text (after turning the text's backslash escapes into what `cql2` reads) or
//!    cql2-json, with errors that say where.
//! 2. Compile ([`compile`]): every property must be a queryable; comparisons must be between
//!    values of one type where the queryable's type is known; geometry and BBOX literals are
//!    converted to CRS84 once; enum comparisons become bit sets; anything outside the declared
//!    classes is refused by name.
//! 3. Evaluate ([`Expression::matches`]): three-valued logic, no allocation per feature.
//!
//! | file | what |
//! |---|---|
//! | `cql/parse.rs` | text escapes, parse error messages |
//! | `cql/compile.rs` | `cql2::Expr` → predicate, type checks |
//! | `cql/eval.rs` | the compiled predicate, evaluation, envelopes for the R-tree |
//! | `cql/spatial.rs` | S_INTERSECTS, geometry and BBOX literals |
//! | `cql/like.rs` | LIKE patterns |
//! | `cql/temporal.rs` | DATE and TIMESTAMP values |

mod compile;
pub(crate) mod eval;
mod like;
mod parse;
mod spatial;
pub(crate) mod temporal;
#[cfg(test)]
mod tests;

use crate::geodesy::LonLatRect;
use crate::layers::Feature;
use crate::ogc::queryables::Queryables;
use crate::query::InvalidParameter;
use eval::Pred;

pub use compile::SUPPORTED;

/// The conformance classes implemented in full: Part 3's four and CQL2's six.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
];

/// The encoding of a filter (`filter-lang`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `cql2-text`, the default.
    Text,
    /// `cql2-json`.
    Json,
}

impl Lang {
    /// The `filter-lang` values, the default first.
    pub const NAMES: [&str; 2] = ["cql2-text", "cql2-json"];

    /// Reads a `filter-lang` value.
    pub fn parse(text: &str) -> Result<Lang, InvalidParameter> {
        match text {
            "cql2-text" => Ok(Lang::Text),
            "cql2-json" => Ok(Lang::Json),
            other => Err(InvalidParameter::new(
                "filter-lang",
                format!("unknown filter language {other:?}; expected cql2-text or cql2-json"),
            )),
        }
    }
}

/// A compiled filter, ready to test features of one collection.
#[derive(Debug, Clone, PartialEq)]
pub struct Expression {
    root: Pred,
}

/// Compiles `text` against the collection's queryables. `to_crs84` converts every geometry
/// literal (and BBOX literal) from the filter-crs into CRS84 lon/lat (identity when the
/// filter-crs is CRS84). Errors name the parameter `filter` and say what is wrong.
pub fn compile(
    text: &str,
    lang: Lang,
    q: &Queryables,
    to_crs84: &dyn Fn(geo::Geometry<f64>) -> Result<geo::Geometry<f64>, String>,
) -> Result<Expression, InvalidParameter> {
    let err = |detail: String| InvalidParameter::new("filter", detail);
    let expr = match lang {
        Lang::Text => {
            cql2::parse_text(&parse::unescape_text(text)).map_err(|e| err(parse::text_error(&e)))?
        }
        Lang::Json => {
            let value: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| err(format!("cql2-json is not valid JSON: {e}")))?;
            cql2::parse_json(text).map_err(|e| {
                err(match parse::json_problem(&value, "") {
                    Some(problem) => format!("cql2-json {problem}"),
                    None => format!("cql2-json does not read as CQL2: {e}"),
                })
            })?
        }
    };
    let compiler = compile::Compiler {
        queryables: q,
        to_crs84,
    };
    let root = compiler.predicate(&expr).map_err(err)?;
    Ok(Expression { root })
}

impl Expression {
    pub(crate) fn from_pred(root: Pred) -> Expression {
        Expression { root }
    }

    /// Both filters: what the `filter` parameter and the other query parameters make together
    /// (/req/filter/mixing-expressions).
    pub fn and(self, other: Expression) -> Expression {
        Expression {
            root: Pred::And(vec![self.root, other.root]),
        }
    }

    /// Whether `f`, a feature of the layer `layer_id`, satisfies the filter: true, not false or
    /// unknown (a null, a missing property or a value of another type makes a predicate
    /// unknown, and NOT unknown is unknown).
    pub fn matches(&self, f: &Feature, layer_id: &str) -> bool {
        self.root.eval(f, layer_id) == Some(true)
    }

    /// Lon/lat envelopes one of which a matching feature's envelope must intersect, when a
    /// spatial predicate must hold (S_INTERSECTS at the top level or under AND, recursively; an
    /// OR of such predicates gives the union). `Some(vec![])` when nothing can match; `None`
    /// when space is not narrowed (the caller then scans the layer).
    pub fn envelopes(&self) -> Option<Vec<LonLatRect>> {
        self.root.envelopes()
    }
}
