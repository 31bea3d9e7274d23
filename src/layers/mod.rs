//! The layer catalogue (`layers.toml`), the feature model and loading with validation.
//!
//! Loading is one pass per file: parse, check every feature against the rules of
//! `geodata/FORMAT.md`, and collect *all* problems (file, feature index, id, reason) instead of
//! stopping at the first, so that one `yuqian check` run shows everything to fix.

mod catalogue;
mod feature;
pub mod load;

pub use catalogue::{Boundary, Catalogue, GeometryKind, LayerSpec};
pub use feature::{Accuracy, Feature, Province, Provinces, Status, Texts};
pub use load::{LoadError, Problem, load_dir};
