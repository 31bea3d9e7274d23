//! The cache of encoded tiles of one snapshot, with a byte budget.
//!
//! It lives in the [`crate::snapshot::Snapshot`] beside the data it was cut from, so a reload
//! (a new snapshot) starts with an empty cache and no tile of the old data can be served after
//! the swap. Eviction is moka's TinyLFU with LRU, by weight: a tile weighs its encoded bytes
//! plus [`ENTRY_OVERHEAD_BYTES`] for its key and bookkeeping, so a budget of 64 MB holds about
//! 64 MB of tiles. Empty tiles (204) are cached too. Tiles are kept gzip-compressed, as
//! [`super::Tiles`] makes them: compressed once when cut rather than by the HTTP stack on every
//! answer (a cached 300 kB tile cost its gzip on each request).

use super::coord::TileCoord;
use bytes::Bytes;
use moka::sync::Cache;

/// What a cached tile costs beyond its bytes: its key, the entry and moka's bookkeeping.
pub const ENTRY_OVERHEAD_BYTES: usize = 128;

/// Which layers (catalogue positions, in the requested order) and which tile.
type Key = (Box<[u16]>, TileCoord);

/// Encoded tiles by layers and address; an empty value is a tile with no features.
#[derive(Clone)]
pub struct TileCache {
    cache: Cache<Key, Bytes>,
    budget_bytes: u64,
}

impl std::fmt::Debug for TileCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TileCache")
            .field("budget_bytes", &self.budget_bytes)
            .field("entries", &self.cache.entry_count())
            .finish()
    }
}

fn key(layers: &[usize], t: TileCoord) -> Key {
    // Catalogue positions fit in u16: the feature model stores a layer as u16.
    let layers: Box<[u16]> = layers
        .iter()
        .map(|l| u16::try_from(*l).unwrap_or(u16::MAX))
        .collect();
    (layers, t)
}

impl TileCache {
    /// A cache holding at most about `budget_bytes` of tiles; 0 caches nothing.
    pub fn new(budget_bytes: u64) -> TileCache {
        TileCache {
            cache: Cache::builder()
                .max_capacity(budget_bytes)
                .weigher(|_k: &Key, v: &Bytes| {
                    u32::try_from(v.len() + ENTRY_OVERHEAD_BYTES).unwrap_or(u32::MAX)
                })
                .build(),
            budget_bytes,
        }
    }

    pub fn get(&self, layers: &[usize], t: TileCoord) -> Option<Bytes> {
        self.cache.get(&key(layers, t))
    }

    pub fn insert(&self, layers: &[usize], t: TileCoord, tile: Bytes) {
        if self.budget_bytes > 0 {
            self.cache.insert(key(layers, t), tile);
        }
    }

    pub fn budget_bytes(&self) -> u64 {
        self.budget_bytes
    }

    /// Tiles held now (after pending evictions are applied).
    pub fn entry_count(&self) -> u64 {
        self.cache.run_pending_tasks();
        self.cache.entry_count()
    }
}
