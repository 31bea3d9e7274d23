//! Spatial and text queries: pure functions over a [`Dataset`](crate::index::Dataset) with
//! parameter types that were validated once, at the edge.
//!
//! | query | module |
//! |---|---|
//! | features in a box | [`bbox`] |
//! | a page of features by area, layer, status, province and a further test | [`select`] |
//! | nearest features to a point | [`nearby`] |
//! | features along a line | [`corridor`] |
//! | province and county of a point | [`region`] |
//! | lines crossing the Chongqing–Guizhou border | [`crossings`] |
//! | names | [`search`] |

pub mod bbox;
pub mod corridor;
pub mod crossings;
mod filter;
pub mod measure;
pub mod nearby;
pub mod region;
pub mod search;
pub mod select;

pub use filter::Filter;

/// A query parameter that failed validation: which one, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {detail}")]
pub struct InvalidParameter {
    pub parameter: String,
    pub detail: String,
}

impl InvalidParameter {
    pub fn new(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        InvalidParameter {
            parameter: parameter.into(),
            detail: detail.into(),
        }
    }
}
