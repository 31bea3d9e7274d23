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
