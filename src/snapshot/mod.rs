//! Everything derived from the data, as one immutable snapshot behind an atomic pointer.
//!
//! A [`Snapshot`] holds the data set and its R-tree, the border and county areas, the road
//! graph of the loop planner and the border crossings, all built together from one load of the
//! data folder. [`Live`] holds the snapshot being served: a request takes an `Arc` of it when it
//! starts and works on that one to the end, while a reload builds a complete new snapshot off
//! the serving path, validates it with exactly the rules of `yuqian check`, and swaps it in only
//! if it is valid (see [`reload`]). Saved loops are not data: they live in the store and are
//! never touched by a reload.

pub mod postgres;
pub mod reload;
pub mod watch;

pub use reload::{Live, ReloadOutcome, ReloadReport};

use crate::annotations::Annotations;
use crate::index::Dataset;
use crate::query::crossings::{self, Border, Division};
use crate::routing::plan::Planner;
use crate::tiles::Tiles;
use crate::work::Deadline;
use std::time::SystemTime;

/// One consistent, immutable view of the data and everything computed from it.
#[derive(Debug)]
pub struct Snapshot {
    pub dataset: Dataset,
    /// Province polygons indexed for border questions; `None` if the data has none for both.
    pub border: Option<Border>,
    /// The road graph and county areas for route loops.
    pub planner: Planner,
    /// Every line feature that crosses the border with how it divides, in catalogue order:
    /// computed once here, filtered by layer per request.
    pub crossings: Vec<(u32, Division)>,
    /// The data projected to Web Mercator and indexed for vector tiles, with this snapshot's
    /// tile cache (empty when the snapshot is new, so a reload never serves an old tile).
    pub tiles: Tiles,
    /// The border line, boundary labels and route stops the map draws.
    pub annotations: Annotations,
    /// The OGC API's queryables of each layer.
    pub ogc: crate::ogc::Derived,
    /// Static map pictures of this snapshot (empty when it is new, as the tile cache).
    pub images: crate::render::cache::ImageCache,
    /// When this snapshot was built.
    pub loaded_at: SystemTime,
}

impl Snapshot {
    /// Builds everything derived from an already validated data set, with a tile cache of the
    /// default budget ([`crate::tiles::DEFAULT_CACHE_MB`]).
    pub fn build(dataset: Dataset) -> Snapshot {
        Snapshot::build_with_tile_cache(dataset, crate::tiles::DEFAULT_CACHE_MB * 1_000_000)
    }

    /// Builds everything derived from an already validated data set, with a tile cache of
    /// `tile_cache_bytes`.
    pub fn build_with_tile_cache(dataset: Dataset, tile_cache_bytes: u64) -> Snapshot {
        let border = Border::from_dataset(&dataset);
        let planner = Planner::new(&dataset);
        let crossings = match &border {
            // Every layer that holds lines, boundary and relation layers included, so that any
            // `layers` filter a request may give is answered from this one computation.
            Some(b) => {
                let line_layers: Vec<usize> = (0..dataset.catalogue.layers.len())
                    .filter(|i| {
                        dataset.catalogue.layers[*i]
                            .geometry
                            .contains(&crate::layers::GeometryKind::Line)
                    })
                    .collect();
                if line_layers.is_empty() {
                    Vec::new()
                } else {
                    crossings::crossings(&dataset, b, &line_layers, &Deadline::NONE)
                        .expect("Deadline::NONE never expires")
                }
            }
            None => Vec::new(),
        };
        let tiles = Tiles::build(&dataset, tile_cache_bytes);
        if tiles.index.id_collisions > 0 {
            tracing::info!(
                collisions = tiles.index.id_collisions,
                "32-bit MVT ids collided; the features concerned were given salted ids"
            );
        }
        let annotations = Annotations::build(&dataset);
        let ogc = crate::ogc::Derived::build(&dataset);
        Snapshot {
            images: crate::render::cache::ImageCache::new(
                crate::render::cache::DEFAULT_BUDGET_BYTES,
            ),
            tiles,
            annotations,
            ogc,
            dataset,
            border,
            planner,
            crossings,
            loaded_at: SystemTime::now(),
        }
    }

    /// The content hash of the data this snapshot was built from (see
    /// [`crate::layers::version`]): the same data gives the same version whatever store it was
    /// read from.
    pub fn data_version(&self) -> &str {
        &self.dataset.data_version
    }
}
