//! Importers that turn other data into layer files of our schema.

pub mod osm;
