//! Yuqian Map (渝黔): a map service for the cross-border infrastructure of the
//! Chongqing–Guizhou border and Chongqing's paired-district cooperation.
//!
//! | module | what it holds |
//! |---|---|
//! | [`annotations`] | drawn from whole layers once per snapshot: the border line, labels, route stops |
//! | [`geodesy`] | geodesic distances on WGS84 (Karney): point to point, to edges, to boxes |
//! | [`layers`] | the catalogue `layers.toml`, the feature model, loading and validation |
//! | [`ogc`] | OGC API – Features beyond the shared queries: CRSs, queryables, CQL2 |
//! | [`import`] | `yuqian import osm`: OpenStreetMap extracts into layer files |
//! | [`index`] | the in-memory data set: features, R-tree, id look-up |
//! | [`query`] | bbox, nearby, corridor, region, border crossings and name search |
//! | [`render`] | static maps: the map as SVG and PNG, drawn on the server from the style |
//! | [`routing`] | route loops: road graph, stop ordering, plans |
//! | [`http`] | the axum application: API routes, errors, static web map |
//! | [`store`] | saved loops in SQLite or PostgreSQL: migrations, versions for ETags, idempotency keys |
//! | [`server`] | binding, serving and graceful shutdown |
//! | [`snapshot`] | one immutable snapshot of the data and all derived from it; reload, watch |
//! | [`tiles`] | vector tiles: mercator index per snapshot, clip, simplify, MVT, cache, PMTiles |
//! | [`style`] | the map's look (our own schema), read by the web page and the static renderer |
//! | [`work`] | bounded work: the heavy pool and the time budget of a request |
//! | [`config`] | settings from flags, environment and a TOML file |
//!
//! Coordinates are WGS84 lon/lat throughout (`geo::Coord`: x = longitude, y = latitude).

pub mod annotations;
pub mod config;
pub mod geodesy;
pub mod http;
pub mod import;
pub mod index;
pub mod layers;
pub mod ogc;
pub mod query;
pub mod render;
pub mod routing;
pub mod server;
pub mod snapshot;
pub mod store;
pub mod style;
pub mod tiles;
pub mod work;
