//! Reading a data folder: the catalogue, then every layer file, validated feature by feature.
//!
//! Each layer file is streamed (`geojson_stream`): its features are checked in parallel as the
//! file is read, so memory holds the features built so far, never the file's text or a tree of
//! it. Several files are read at once (one per core), since reading a file is sequential. Ids
//! are then checked for uniqueness across all layers, and every problem is reported in file
//! order.

use super::geojson_stream::{LayerRead, read_layer};
use super::{Catalogue, Feature};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

pub use super::geometry::parse_geometry;
pub use super::validate::{RESERVED_PROPERTIES, is_valid_id};

/// One thing wrong with the data, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// Index of the feature in its file's `features` array.
    pub feature: Option<usize>,
    pub id: Option<String>,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(i) = self.feature {
            write!(f, ": feature {i}")?;
        }
        if let Some(id) = &self.id {
            write!(f, " (id {id:?})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Loading failed; `problems` lists all that was found, in file order.
#[derive(Debug, thiserror::Error)]
#[error("{} problem(s) in the data:\n{}", problems.len(), problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

/// Loads and validates the catalogue and all layer files of `dir`.
///
/// The features come layer by layer in catalogue order, each layer in file order.
pub fn load_dir(dir: &Path) -> Result<(Catalogue, Vec<Feature>), LoadError> {
    let catalogue_path = dir.join("layers.toml");
    let problem = |reason: String| Problem {
        file: catalogue_path.clone(),
        feature: None,
        id: None,
        reason,
    };
    let text = std::fs::read_to_string(&catalogue_path).map_err(|e| LoadError {
        problems: vec![problem(format!("cannot read the catalogue: {e}"))],
    })?;
    let catalogue = Catalogue::parse(&text).map_err(|reasons| LoadError {
        problems: reasons.into_iter().map(problem).collect(),
    })?;
    if catalogue.layers.len() > usize::from(u16::MAX) {
        return Err(LoadError {
            problems: vec![problem("more than 65535 layers".into())],
        });
    }

    let paths: Vec<PathBuf> = catalogue.layers.iter().map(|l| dir.join(&l.file)).collect();
    // Problems keyed by (layer, feature index) so that the duplicate ids, found last, can be
    // put back in file order; a file-level problem is its layer's only one.
    let mut problems: Vec<((usize, usize), Problem)> = Vec::new();
    let reads = read_layers(&catalogue, &paths);
    let total: usize = reads.iter().map(|(f, _)| f.len()).sum();
    let mut features = Vec::new();
    // Index in its file of each feature of `features`, for the duplicate messages.
    let mut file_index: Vec<u32> = Vec::with_capacity(total);
    for (layer_index, ((mut layer_features, read), path)) in
        reads.into_iter().zip(&paths).enumerate()
    {
        if features.is_empty() {
            // Taken over, not copied: a copy would leave the first vector's memory with the
            // allocator, and a single large layer would cost twice.
            features = layer_features;
            features.reserve_exact(total - features.len());
        } else {
            features.append(&mut layer_features);
        }
        match read {
            LayerRead::FileProblem(reason) => problems.push((
                (layer_index, 0),
                Problem {
                    file: path.clone(),
                    feature: None,
                    id: None,
                    reason,
                },
            )),
            LayerRead::Read { indices, rejected } => {
                file_index.extend(indices);
                for r in rejected {
                    problems.extend(r.reasons.into_iter().map(|reason| {
                        (
                            (layer_index, r.index),
                            Problem {
                                file: path.clone(),
                                feature: Some(r.index),
                                id: r.id.clone(),
                                reason,
                            },
                        )
                    }));
                }
            }
        }
    }
    for (k, first) in duplicates(&features) {
        let (f, other) = (&features[k], &features[first]);
        let index = file_index[k] as usize;
        let layer = usize::from(f.layer);
        problems.push((
            (layer, index),
            Problem {
                file: paths[layer].clone(),
                feature: Some(index),
                id: Some(f.id().to_string()),
                reason: format!(
                    "duplicate id: already used by feature {} of {}",
                    file_index[first],
                    paths[usize::from(other.layer)].display()
                ),
            },
        ));
    }
    if problems.is_empty() {
        // The vector grew by doubling; give back the unused tail, as it is kept for good.
        features.shrink_to_fit();
        Ok((catalogue, features))
    } else {
        // Stable: a feature's several reasons keep their order.
        problems.sort_by_key(|(at, _)| *at);
        Err(LoadError {
            problems: problems.into_iter().map(|(_, p)| p).collect(),
        })
    }
}

/// One layer file's valid features and what else reading it found.
type LayerFeatures = (Vec<Feature>, LayerRead);

/// Reads every layer file, a few at a time (as many as there are cores), so that the reader
/// threads' scans, which are sequential within a file, overlap; results in catalogue order.
fn read_layers(catalogue: &Catalogue, paths: &[PathBuf]) -> Vec<LayerFeatures> {
    let n = catalogue.layers.len();
    let workers = std::thread::available_parallelism()
        .map_or(1, |c| c.get())
        .min(n);
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<LayerFeatures>>> = (0..n).map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let (Some(layer), Some(path)) = (catalogue.layers.get(i), paths.get(i)) else {
                        break;
                    };
                    let layer_u16 = u16::try_from(i).expect("checked: at most 65535 layers");
                    let mut features = Vec::new();
                    let read =
                        read_layer(path, &layer.id, layer_u16, &layer.geometry, &mut features);
                    *slots[i].lock().unwrap_or_else(PoisonError::into_inner) =
                        Some((features, read));
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .expect("every layer was read: the workers stop only when none is left")
        })
        .collect()
}

/// Every feature whose id an earlier feature already uses, as (its index, the first one's).
pub(super) fn duplicates(features: &[Feature]) -> Vec<(usize, usize)> {
    let mut first_seen: HashMap<&str, usize> = HashMap::with_capacity(features.len());
    let mut found = Vec::new();
    for (k, f) in features.iter().enumerate() {
        match first_seen.entry(f.id()) {
            Entry::Occupied(e) => found.push((k, *e.get())),
            Entry::Vacant(e) => {
                e.insert(k);
            }
        }
    }
    found
}
