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

/// What the OGC endpoints derive from a snapshot's data, built with the snapshot (off the
/// serving path: one pass over each layer's features, about 0.3 s for a million).
#[derive(Debug)]
pub struct Derived {
    queryables: Vec<Queryables>,
}

impl Derived {
    pub fn build(ds: &Dataset) -> Derived {
        Derived {
            queryables: (0..ds.catalogue.layers.len())
                .map(|l| Queryables::of_layer(ds, l))
                .collect(),
        }
    }

    /// Every layer's queryables, in catalogue order.
    pub fn queryables(&self) -> &[Queryables] {
        &self.queryables
    }
}
