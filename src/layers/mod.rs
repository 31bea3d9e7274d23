//! The layer catalogue (`layers.toml`), the feature model and loading with validation.
//!
//! Loading streams each file once: check every feature against the rules of
//! `geodata/FORMAT.md`, and collect *all* problems (file, feature index, id, reason) instead of
//! stopping at the first, so that one `yuqian check` run shows everything to fix. The data
//! version (`version`) is a content hash of what was loaded.

mod catalogue;
mod feature;
mod geojson_stream;
mod geometry;
pub mod load;
pub mod texts;
mod validate;
pub mod version;

pub use catalogue::{Boundary, Catalogue, GeometryKind, LayerSpec, Role};
pub use feature::{Accuracy, Feature, Province, Provinces, Status, Texts};
pub use load::{LoadError, Problem, load_dir};
pub use version::data_version;
