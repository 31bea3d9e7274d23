//! LIKE patterns (/req/advanced-comparison-operators/like-predicate): `%` matches zero or more
//! characters, `_` exactly one, and a backslash makes the character after it literal. Case and
//! accents matter (CASEI and ACCENTI are not supported). Characters are Unicode scalar values.

/// A compiled pattern; the common shapes (no wildcard, `abc%`, `%abc`, `%abc%`) skip the
/// general matcher.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pattern {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    General(Vec<Tok>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Char(char),
    One,
    Many,
}

impl Pattern {
    pub(crate) fn parse(pattern: &str) -> Result<Pattern, String> {
        let mut toks = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(escaped) => toks.push(Tok::Char(escaped)),
                    None => {
                        return Err(format!(
                            "the LIKE pattern {pattern:?} ends with the escape character \\; write \\\\ for a backslash"
                        ));
                    }
                },
                '%' if toks.last() == Some(&Tok::Many) => {}
                '%' => toks.push(Tok::Many),
                '_' => toks.push(Tok::One),
                c => toks.push(Tok::Char(c)),
            }
        }
        let literal = |ts: &[Tok]| -> Option<String> {
            ts.iter()
                .map(|t| match t {
                    Tok::Char(c) => Some(*c),
                    _ => None,
                })
                .collect()
        };
        let n = toks.len();
        let starts = toks.first() == Some(&Tok::Many);
        let ends = n > 0 && toks[n - 1] == Tok::Many;
        Ok(match (starts, ends) {
            (false, false) => literal(&toks).map(Pattern::Exact),
            (false, true) => literal(&toks[..n - 1]).map(Pattern::Prefix),
            (true, false) => literal(&toks[1..]).map(Pattern::Suffix),
            (true, true) if n == 1 => Some(Pattern::Prefix(String::new())),
            (true, true) => literal(&toks[1..n - 1]).map(Pattern::Contains),
        }
        .unwrap_or(Pattern::General(toks)))
    }

    pub(crate) fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Exact(p) => s == p,
            Pattern::Prefix(p) => s.starts_with(p.as_str()),
            Pattern::Suffix(p) => s.ends_with(p.as_str()),
            Pattern::Contains(p) => s.contains(p.as_str()),
            Pattern::General(toks) => general(toks, s),
        }
    }
}

/// Greedy matching with one backtrack point, the last `%` seen: O(len(s) × len(pattern)).
fn general(toks: &[Tok], s: &str) -> bool {
    let next_len = |at: usize| s[at..].chars().next().map_or(0, char::len_utf8);
    let (mut t, mut i) = (0, 0);
    // After the last `%`: the token after it, and where in `s` its match was tried.
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        match toks.get(t) {
            Some(Tok::Char(c)) if s[i..].starts_with(*c) => {
                t += 1;
                i += c.len_utf8();
                continue;
            }
            Some(Tok::One) => {
                t += 1;
                i += next_len(i);
                continue;
            }
            Some(Tok::Many) => {
                t += 1;
                star = Some((t, i));
                continue;
            }
            _ => {}
        }
        match star {
            // Let the last `%` swallow one more character and try again.
            Some((after, from)) => {
                let from = from + next_len(from);
                star = Some((after, from));
                t = after;
                i = from;
            }
            None => return false,
        }
    }
    toks[t..].iter().all(|tok| *tok == Tok::Many)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn like(s: &str, p: &str) -> bool {
        Pattern::parse(p).unwrap().matches(s)
    }

    #[test]
    fn percent_matches_any_run_and_underscore_one_character() {
        assert!(like("渝黔铁路", "渝%"));
        assert!(like("渝黔铁路", "%铁路"));
        assert!(like("渝黔铁路", "%黔铁%"));
        assert!(like("渝黔铁路", "渝_铁路"));
        assert!(!like("渝黔铁路", "渝_路"));
        assert!(like("渝黔铁路", "%"));
        assert!(like("", "%"));
        assert!(!like("", "_"));
        assert!(like("abcabd", "%ab_"));
        assert!(like("aXbXc", "a%b%c"));
        assert!(!like("aXbXd", "a%b%c"));
        assert!(like("mississippi", "m%iss%pi"));
        assert!(like("abc", "a%%c"));
        assert!(!like("Abc", "a%"), "LIKE is case-sensitive");
    }

    #[test]
    fn backslash_makes_wildcards_literal() {
        assert!(like("100%", "100\\%"));
        assert!(!like("1000", "100\\%"));
        assert!(like("a_b", "a\\_b"));
        assert!(!like("axb", "a\\_b"));
        assert!(like("a\\b", "a\\\\b"));
        assert!(like("50% off", "%\\% off"));
        assert!(
            Pattern::parse("abc\\")
                .unwrap_err()
                .contains("escape character")
        );
    }
}
