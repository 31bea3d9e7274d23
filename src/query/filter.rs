//! Which features a query may return: by layer, status and province.

use crate::layers::{Feature, Province, Status};

/// An empty set means "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Catalogue positions of the layers to include.
    pub layers: Vec<usize>,
    pub statuses: Vec<Status>,
    pub provinces: Vec<Province>,
}

impl Filter {
    pub fn matches(&self, f: &Feature) -> bool {
        (self.layers.is_empty() || self.layers.contains(&usize::from(f.layer)))
            && (self.statuses.is_empty() || self.statuses.contains(&f.status))
            && (self.provinces.is_empty()
                || self.provinces.iter().any(|p| f.provinces.contains(*p)))
    }
}
