//! Case-insensitive substring search over Chinese and English names.

use super::Filter;
use crate::index::Dataset;
use crate::work::{Deadline, OverBudget};

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 200;
/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;
/// Features compared between two looks at the clock (each costs two lower-casings and up to
/// six substring tests: well under a microsecond).
const FEATURES_PER_CHECK: usize = 1024;

/// Matches ranked: exact name first, then names that start with the query, then the rest; within
/// a rank, shorter names first, then by id. Returns (matched in all, the first `limit`), or
/// [`OverBudget`] once `deadline` has passed.
pub fn search(
    ds: &Dataset,
    query: &str,
    filter: &Filter,
    limit: usize,
    deadline: &Deadline,
) -> Result<(usize, Vec<u32>), OverBudget> {
    let q = query.trim().to_lowercase();
    let mut hits: Vec<(u8, usize, &str, u32)> = Vec::new();
    for (i, f) in ds.features.iter().enumerate() {
        if i.is_multiple_of(FEATURES_PER_CHECK) {
            deadline.check()?;
        }
        if !filter.matches(f) {
            continue;
        }
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
            .min();
        if let Some((rank, chars)) = rank {
            hits.push((
                rank,
                chars,
                f.id(),
                u32::try_from(i).expect("fewer than 2^32 features"),
            ));
        }
    }
    hits.sort_unstable();
    let matched = hits.len();
    Ok((matched, hits.into_iter().take(limit).map(|h| h.3).collect()))
}
