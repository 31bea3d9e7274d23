//! Rendered pictures by their normalised request, with a byte budget.
//!
//! Like the tile cache it lives in the [`crate::snapshot::Snapshot`], so a reload starts with an
//! empty cache and no picture of old data is served. Saved loops are not data: a picture that
//! shows one has the loop's version in its key ([`key`]), so after the loop changes its old
//! picture is never found again (and ages out). Eviction is moka's, by weight: the bytes plus
//! [`ENTRY_OVERHEAD_BYTES`] and the key.

use bytes::Bytes;
use moka::sync::Cache;

/// The default budget: 32 MB.
pub const DEFAULT_BUDGET_BYTES: u64 = 32_000_000;
/// What an entry costs beyond its bytes and its key.
pub const ENTRY_OVERHEAD_BYTES: usize = 128;

#[derive(Clone)]
pub struct ImageCache {
    cache: Cache<String, Bytes>,
    budget_bytes: u64,
}

impl std::fmt::Debug for ImageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageCache")
            .field("budget_bytes", &self.budget_bytes)
            .field("entries", &self.cache.entry_count())
            .finish()
    }
}

/// The cache key of a picture: its format, the normalised request (parameters sorted, values as
/// parsed) and the version of the saved loop it shows, if any.
pub fn key(format: &str, normalised: &str, loop_version: Option<i64>) -> String {
    match loop_version {
        Some(v) => format!("{format}\u{0}{normalised}\u{0}loop-v{v}"),
        None => format!("{format}\u{0}{normalised}"),
    }
}

impl ImageCache {
    /// A cache of at most about `budget_bytes`; 0 caches nothing.
    pub fn new(budget_bytes: u64) -> ImageCache {
        ImageCache {
            cache: Cache::builder()
                .max_capacity(budget_bytes)
                .weigher(|k: &String, v: &Bytes| {
                    u32::try_from(k.len() + v.len() + ENTRY_OVERHEAD_BYTES).unwrap_or(u32::MAX)
                })
                .build(),
            budget_bytes,
        }
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        self.cache.get(key)
    }

    pub fn insert(&self, key: String, image: Bytes) {
        if self.budget_bytes > 0 {
            self.cache.insert(key, image);
        }
    }

    /// Forgets every picture (the benchmark's cold runs; a reload needs no call, its snapshot
    /// starts with a new cache).
    pub fn clear(&self) {
        self.cache.invalidate_all();
        self.cache.run_pending_tasks();
    }

    /// Pictures held now (after pending evictions are applied).
    pub fn entry_count(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_loop_version_is_a_new_key() {
        let c = ImageCache::new(1_000_000);
        c.insert(key("png", "loop=1", Some(1)), Bytes::from_static(b"old"));
        assert!(c.get(&key("png", "loop=1", Some(1))).is_some());
        assert!(c.get(&key("png", "loop=1", Some(2))).is_none());
        assert!(c.get(&key("svg", "loop=1", Some(1))).is_none());
    }

    #[test]
    fn a_budget_of_zero_caches_nothing() {
        let c = ImageCache::new(0);
        c.insert(key("png", "x", None), Bytes::from_static(b"x"));
        assert!(c.get(&key("png", "x", None)).is_none());
    }
}
