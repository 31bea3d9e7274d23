//! Reading a filter with `cql2`: the text escapes its grammar lacks, and error messages that
//! say where and what.

use serde_json::Value;
use std::borrow::Cow;

/// Rewrites the backslash escapes of cql2-text character literals (/req/cql2-text/escaping)
/// into what the `cql2` grammar reads (it knows only `''`): `\'` becomes `''`; `\a \b \t \n \v
/// \f \r` the control character; `\\` one backslash. Any other `\x` is kept as written, so a
/// LIKE pattern `'100\%'` still reaches LIKE as `100\%`. Double-quoted identifiers are skipped.
/// The text comes back borrowed when no literal holds a backslash.
pub(crate) fn unescape_text(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        match c {
            '"' => {
                // An identifier, `""` inside it is a quote.
                while let Some(c) = chars.next() {
                    out.push(c);
                    if c == '"' {
                        if chars.peek() == Some(&'"') {
                            out.extend(chars.next());
                        } else {
                            break;
                        }
                    }
                }
            }
            '\'' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\'' if chars.peek() == Some(&'\'') => {
                            chars.next();
                            out.push_str("''");
                        }
                        '\'' => {
                            out.push('\'');
                            break;
                        }
                        '\\' => match chars.next() {
                            Some('\'') => out.push_str("''"),
                            Some('\\') => out.push('\\'),
                            Some('a') => out.push('\x07'),
                            Some('b') => out.push('\x08'),
                            Some('t') => out.push('\t'),
                            Some('n') => out.push('\n'),
                            Some('v') => out.push('\x0B'),
                            Some('f') => out.push('\x0C'),
                            Some('r') => out.push('\r'),
                            Some(other) => {
                                out.push('\\');
                                out.push(other);
                            }
                            None => out.push('\\'),
                        },
                        c => out.push(c),
                    }
                }
            }
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// One line from a `cql2` error: pest's multi-line report becomes "at line L, column C: …".
pub(crate) fn text_error(e: &cql2::Error) -> String {
    let full = e.to_string();
    let mut at = None;
    let mut what = None;
    let mut source = None;
    for line in full.lines() {
        let t = line.trim();
        if let Some(pos) = t.strip_prefix("--> ") {
            at = pos.split_once(':');
        } else if let Some(msg) = t.strip_prefix("= ") {
            what = Some(msg);
        } else if let Some((_, code)) = t.split_once(" | ")
            && source.is_none()
        {
            source = Some(code);
        }
    }
    match (at, what) {
        (Some((line, col)), Some(what)) => {
            let near = source
                .zip(col.parse::<usize>().ok())
                .map(|(code, col)| {
                    code.chars()
                        .skip(col.saturating_sub(1))
                        .take(24)
                        .collect::<String>()
                })
                .filter(|s| !s.is_empty())
                .map(|s| format!(" near {s:?}"))
                .unwrap_or_default();
            format!(
                "cql2-text does not parse at line {line}, column {col}{near}: {}",
                readable(what)
            )
        }
        _ => format!("cql2-text does not parse: {}", full.replace('\n', " ")),
    }
}

/// pest's "expected A, B, or C" with the grammar's rule names put in words.
fn readable(what: &str) -> String {
    let Some(list) = what.strip_prefix("expected ") else {
        return what.to_string();
    };
    let mut words: Vec<&str> = Vec::new();
    for rule in list.split(", ").flat_map(|r| r.split("or ")).map(str::trim) {
        let word = match rule {
            "" => continue,
            "GEOMETRY" => "a geometry",
            "Identifier" => "a property name",
            "Negative" => "-",
            "UnaryNot" | "NotFlag" => "NOT",
            "True" | "False" => "TRUE or FALSE",
            "Null" => "NULL",
            "DECIMAL" | "Double" | "Integer" => "a number",
            "SingleQuotedString" => "a 'string'",
            "ExpressionInParentheses" | "Array" => "(",
            "Function" => "a function",
            "EOI" => "the end of the filter",
            other => other,
        };
        if !words.contains(&word) {
            words.push(word);
        }
    }
    format!("expected {}", words.join(", "))
}

/// Where a cql2-json document departs from the shapes of the CQL2 JSON schema, as a JSON
/// pointer and a sentence; `None` if its shapes look right.
pub(crate) fn json_problem(v: &Value, at: &str) -> Option<String> {
    let here = if at.is_empty() { "/" } else { at };
    match v {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| json_problem(item, &format!("{at}/{i}"))),
        Value::Object(o) => {
            if let Some(op) = o.get("op") {
                if !op.is_string() {
                    return Some(format!("at {here}: \"op\" must be a string"));
                }
                return match o.get("args") {
                    Some(args @ Value::Array(_)) => json_problem(args, &format!("{at}/args")),
                    Some(_) => Some(format!("at {here}: \"args\" must be an array")),
                    None => Some(format!(
                        "at {here}: the operation {op} has no \"args\" array"
                    )),
                };
            }
            for (key, want_string) in [("property", true), ("date", true), ("timestamp", true)] {
                if let Some(x) = o.get(key) {
                    return (want_string && !x.is_string())
                        .then(|| format!("at {here}: \"{key}\" must be a string"));
                }
            }
            for key in ["interval", "bbox"] {
                if let Some(x) = o.get(key) {
                    return (!x.is_array())
                        .then(|| format!("at {here}: \"{key}\" must be an array"));
                }
            }
            if o.contains_key("type") {
                return None; // a GeoJSON geometry, checked when read
            }
            let keys: Vec<&str> = o.keys().map(String::as_str).collect();
            Some(format!(
                "at {here}: an object must be an operation {{\"op\", \"args\"}}, a {{\"property\"}}, a {{\"date\"}}, a {{\"timestamp\"}}, a {{\"bbox\"}} or a GeoJSON geometry; this one has the keys {keys:?}"
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backslash_escapes_become_what_the_grammar_reads() {
        assert_eq!(unescape_text("a = 'x'"), "a = 'x'");
        assert_eq!(unescape_text(r"a = 'it\'s'"), "a = 'it''s'");
        assert_eq!(unescape_text(r"a = 'l1\nl2\t'"), "a = 'l1\nl2\t'");
        assert_eq!(
            unescape_text(r"a = 'c:\\x' AND b LIKE '9\%'"),
            r"a = 'c:\x' AND b LIKE '9\%'"
        );
        assert_eq!(
            unescape_text(r#""we\ird" = 'it''s \'x\''"#),
            r#""we\ird" = 'it''s ''x'''"#
        );
    }

    #[test]
    fn json_problems_are_located_by_pointer() {
        let v: Value =
            serde_json::from_str(r#"{"op":"and","args":[{"op":"=","args":[{"prop":"a"},1]}]}"#)
                .unwrap();
        let p = json_problem(&v, "").unwrap();
        assert!(
            p.starts_with("at /args/0/args/0:") && p.contains("\"prop\""),
            "{p}"
        );
        let v: Value = serde_json::from_str(r#"{"op":"=","args":{"property":"a"}}"#).unwrap();
        assert_eq!(
            json_problem(&v, "").unwrap(),
            "at /: \"args\" must be an array"
        );
    }
}
