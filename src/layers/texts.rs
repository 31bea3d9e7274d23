//! Features kept as JSON texts somewhere other than a layer file (a database's data version):
//! written out as a layer file holds them, and read back with exactly the rules of a layer file.
//!
//! [`feature_text`] gives a feature's text; [`TextLoader`] checks texts in parallel batches as
//! they arrive (so memory holds the features built so far plus one batch), keeps ids unique
//! across all layers and collects every problem, as [`super::load_dir`] does for a folder. A
//! feature written by `feature_text` reads back equal, so the data version of what a database
//! holds is the data version of the folder it was loaded from.

use super::validate::{Checked, check_feature};
use super::{Catalogue, Feature, LoadError, Problem};
use rayon::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::path::PathBuf;

/// The feature as an element of a layer file's `features` array: `type`, `id`, `geometry`,
/// then the properties in the order they are served (the model's fields, then the free ones).
pub fn feature_text(f: &Feature) -> String {
    json!({
        "type": "Feature",
        "id": f.id(),
        "geometry": geojson::Geometry::from(&f.geometry),
        "properties": file_properties(f),
    })
    .to_string()
}

/// The feature's properties as a layer file holds them: as served, less what the server sets
/// and a file may not hold (the top-level `id` and the `layer`).
pub fn file_properties(f: &Feature) -> Map<String, Value> {
    let mut properties = f.properties("");
    properties.shift_remove("id");
    properties.shift_remove("layer");
    properties
}

/// Checks features given as (layer id, text) pairs, in the order they are served.
pub struct TextLoader<'a> {
    catalogue: &'a Catalogue,
    layer_by_id: HashMap<&'a str, u16>,
    /// Names the place the texts come from in problems (e.g. `postgres data version 3`).
    origin: String,
    features: Vec<Feature>,
    /// Per feature of `features`: its index among its layer's texts.
    index_in_layer: Vec<u32>,
    /// Texts seen so far per layer (valid or not).
    seen: Vec<u32>,
    /// Problems keyed by (layer, index in layer), for the final order.
    problems: Vec<((usize, usize), Problem)>,
    last_layer: usize,
}

impl<'a> TextLoader<'a> {
    pub fn new(catalogue: &'a Catalogue, origin: impl Into<String>) -> TextLoader<'a> {
        let layer_by_id = catalogue
            .layers
            .iter()
            .enumerate()
            .filter_map(|(i, l)| Some((l.id.as_str(), u16::try_from(i).ok()?)))
            .collect();
        TextLoader {
            catalogue,
            layer_by_id,
            origin: origin.into(),
            features: Vec::new(),
            index_in_layer: Vec::new(),
            seen: vec![0; catalogue.layers.len()],
            problems: Vec::new(),
            last_layer: 0,
        }
    }

    fn file(&self, layer: &str) -> PathBuf {
        PathBuf::from(format!("{}, layer {layer}", self.origin))
    }

    /// Checks one batch (in parallel) and keeps its valid features.
    pub fn push_batch(&mut self, batch: Vec<(String, String)>) {
        // Where each text stands: its layer and its index in that layer, in arrival order.
        let mut placed = Vec::with_capacity(batch.len());
        for (layer, _) in &batch {
            match self.layer_by_id.get(layer.as_str()) {
                Some(&l) => {
                    let l_us = usize::from(l);
                    if l_us < self.last_layer {
                        let at = (l_us, self.seen[l_us] as usize);
                        self.problems.push((at, Problem {
                            file: self.file(layer),
                            feature: Some(self.seen[l_us] as usize),
                            id: None,
                            reason: format!(
                                "comes after features of layer {:?}: the features must come layer by layer in catalogue order",
                                self.catalogue.layers[self.last_layer].id
                            ),
                        }));
                    }
                    self.last_layer = self.last_layer.max(l_us);
                    placed.push(Some((l, self.seen[l_us])));
                    self.seen[l_us] += 1;
                }
                None => {
                    self.problems.push((
                        (usize::MAX, 0),
                        Problem {
                            file: self.file(layer),
                            feature: None,
                            id: None,
                            reason: format!("layer {layer:?} is not in the catalogue"),
                        },
                    ));
                    placed.push(None);
                }
            }
        }
        let catalogue = self.catalogue;
        let checked: Vec<Option<Checked>> = batch
            .par_iter()
            .zip(&placed)
            .map(|((_, text), at)| {
                at.map(|(l, _)| check_feature(text, l, &catalogue.layers[usize::from(l)].geometry))
            })
            .collect();
        for (((layer, _), at), checked) in batch.iter().zip(placed).zip(checked) {
            let (Some((l, index)), Some(checked)) = (at, checked) else {
                continue;
            };
            let key = (usize::from(l), index as usize);
            match checked {
                Checked::Valid(f) => {
                    self.features.push(f);
                    self.index_in_layer.push(index);
                }
                Checked::Invalid { id, reasons } => {
                    for reason in reasons {
                        self.problems.push((
                            key,
                            Problem {
                                file: self.file(layer),
                                feature: Some(index as usize),
                                id: id.clone(),
                                reason,
                            },
                        ));
                    }
                }
                Checked::BadJson => self.problems.push((
                    key,
                    Problem {
                        file: self.file(layer),
                        feature: Some(index as usize),
                        id: None,
                        reason: "the feature's text is not valid JSON".into(),
                    },
                )),
            }
        }
    }

    /// The valid features in order, or every problem found (ids repeated across layers too).
    pub fn finish(mut self) -> Result<Vec<Feature>, LoadError> {
        for (k, first) in super::load::duplicates(&self.features) {
            let (f, other) = (&self.features[k], &self.features[first]);
            let layer = &self.catalogue.layers[usize::from(f.layer)].id;
            let other_layer = &self.catalogue.layers[usize::from(other.layer)].id;
            let index = self.index_in_layer[k] as usize;
            self.problems.push((
                (usize::from(f.layer), index),
                Problem {
                    file: self.file(layer),
                    feature: Some(index),
                    id: Some(f.id().to_string()),
                    reason: format!(
                        "duplicate id: already used by feature {} of layer {other_layer}",
                        self.index_in_layer[first]
                    ),
                },
            ));
        }
        if self.problems.is_empty() {
            self.features.shrink_to_fit();
            Ok(self.features)
        } else {
            self.problems.sort_by_key(|(at, _)| *at);
            Err(LoadError {
                problems: self.problems.into_iter().map(|(_, p)| p).collect(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_data_reads_back_equal_from_its_texts_with_the_same_version() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("geodata");
        let (catalogue, features) = super::super::load_dir(&dir).expect("the shipped data loads");
        let mut loader = TextLoader::new(&catalogue, "test");
        for chunk in features.chunks(100) {
            let batch = chunk
                .iter()
                .map(|f| {
                    (
                        catalogue.layers[usize::from(f.layer)].id.clone(),
                        feature_text(f),
                    )
                })
                .collect();
            loader.push_batch(batch);
        }
        let back = loader.finish().expect("the texts are valid");
        assert_eq!(back, features);
        assert_eq!(
            super::super::data_version(&catalogue, &back),
            super::super::data_version(&catalogue, &features)
        );
    }

    #[test]
    fn bad_texts_unknown_layers_disorder_and_repeated_ids_are_all_named() {
        let catalogue = Catalogue::parse(
            "[[layers]]\nid = \"a\"\ntitle_zh = \"甲\"\ntitle_en = \"A\"\ngeometry = [\"point\"]\nfile = \"a.geojson\"\nsource = \"s\"\nlicence = \"l\"\nattribution = \"x\"\n\n[[layers]]\nid = \"b\"\ntitle_zh = \"乙\"\ntitle_en = \"B\"\ngeometry = [\"point\"]\nfile = \"b.geojson\"\nsource = \"s\"\nlicence = \"l\"\nattribution = \"x\"\n",
        )
        .expect("a valid catalogue");
        let point = |id: &str| {
            format!(
                r#"{{"type":"Feature","id":"{id}","geometry":{{"type":"Point","coordinates":[106.6,28.9]}},"properties":{{"name_zh":"点","name_en":"Point","status":"existing","provinces":["chongqing"],"source":"test","accuracy":"real"}}}}"#
            )
        };
        let mut loader = TextLoader::new(&catalogue, "db version 7");
        loader.push_batch(vec![
            ("a".into(), point("p1")),
            ("b".into(), point("p1")),
            ("b".into(), "{\"type\":\"Feature\"".into()),
            ("a".into(), point("p2")),
            ("c".into(), point("p3")),
        ]);
        let problems = loader.finish().expect_err("problems").problems;
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("layer \"c\" is not in the catalogue")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("db version 7, layer b: feature 0 (id \"p1\"): duplicate id")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("layer b: feature 1") && m.contains("not valid JSON")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("layer a: feature 1") && m.contains("catalogue order")),
            "{messages:?}"
        );
    }
}
