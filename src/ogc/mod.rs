//! OGC API – Features: what the `/ogc` endpoints need beyond the shared query path, kept free of
//! HTTP (the handlers and representations are in `crate::http::ogc`).
//!
//! | file | what |
//! |---|---|
//! | `crs.rs` | the coordinate reference systems served (Part 2): URIs, axis order, transforms |
//! | `queryables.rs` | each collection's filterable properties and their JSON Schema |
//! | `cql.rs` | CQL2 text and JSON (Part 3), compiled against the queryables and evaluated |
//!
//! The features are selected by [`crate::query::select`], the same function `/api/features`
//! uses: one query path, two representations.

pub mod cql;
pub mod crs;
pub mod queryables;

use crate::index::Dataset;
use queryables::Queryables;
use std::sync::OnceLock;

/// What the OGC endpoints derive from a snapshot's data, each computed on first use (a pass
/// over a layer's features) and kept for the snapshot's life.
#[derive(Default)]
pub struct Derived {
    queryables: OnceLock<Vec<Queryables>>,
}

impl Derived {
    /// Every layer's queryables, in catalogue order.
    pub fn queryables(&self, ds: &Dataset) -> &[Queryables] {
        self.queryables.get_or_init(|| {
            (0..ds.catalogue.layers.len())
                .map(|l| Queryables::of_layer(ds, l))
                .collect()
        })
    }
}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Derived")
            .field("queryables", &self.queryables.get().map(Vec::len))
            .finish()
    }
}
