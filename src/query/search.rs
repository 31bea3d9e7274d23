//! Case-insensitive substring search over Chinese and English names.

use super::Filter;
use crate::index::Dataset;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 200;
/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// Matches ranked: exact name first, then names that start with the query, then the rest; within
/// a rank, shorter names first, then by id. Returns (matched in all, the first `limit`).
pub fn search(ds: &Dataset, query: &str, filter: &Filter, limit: usize) -> (usize, Vec<u32>) {
    let q = query.trim().to_lowercase();
    let mut hits: Vec<(u8, usize, &str, u32)> = ds
        .features
        .iter()
        .enumerate()
        .filter(|(_, f)| filter.matches(f))
        .filter_map(|(i, f)| {
            let rank = [f.name_zh(), f.name_en()]
                .into_iter()
                .filter_map(|name| {
                    let name = name.to_lowercase();
                    if name == q {
                        Some((0, name.chars().count()))
                    } else if name.starts_with(&q) {
                        Some((1, name.chars().count()))
                    } else if name.contains(&q) {
                        Some((2, name.chars().count()))
                    } else {
                        None
                    }
                })
                .min()?;
            Some((
                rank.0,
                rank.1,
                f.id(),
                u32::try_from(i).expect("fewer than 2^32 features"),
            ))
        })
        .collect();
    hits.sort_unstable();
    let matched = hits.len();
    (matched, hits.into_iter().take(limit).map(|h| h.3).collect())
}
