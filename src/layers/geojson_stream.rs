//! Reading one layer file without holding it, or a tree of it, in memory.
//!
//! 1. A reader thread walks the top-level object with serde_json's streaming deserializer and
//!    hands the elements of its `features` array over as raw JSON text, in batches.
//! 2. The calling thread checks each batch in parallel (rayon) and appends the features in file
//!    order, so memory holds the features built so far plus a few batches of text.
//! 3. The top-level rules (a FeatureCollection object with a `features` array) are judged once
//!    the whole file has been read, as a whole-document parse would.
//!
//! Raw elements are only scanned, not parsed, by the walk, and scanning is more lenient than
//! parsing (it lets a number out of range through). So whenever a file turns out not to be
//! valid JSON, it is read a second time, strictly, to name the problem exactly as a parse of
//! the whole document does (`strict_problem`).

use super::GeometryKind;
use super::feature::Feature;
use super::validate::{Checked, check_feature};
use rayon::prelude::*;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::mpsc::{SyncSender, sync_channel};

/// Features per batch handed from the reader to the checkers: large enough to keep both cores
/// busy between hand-overs, small enough that a few batches in flight cost little memory.
const BATCH_FEATURES: usize = 4096;
/// Batches that may wait between the reader and the checkers.
const BATCHES_IN_FLIGHT: usize = 2;
/// Read buffer of the layer file.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// A feature of the file that breaks the schema.
#[derive(Debug)]
pub(super) struct Rejected {
    /// Index in the file's `features` array.
    pub index: usize,
    pub id: Option<String>,
    pub reasons: Vec<String>,
}

/// What reading one layer file gave.
#[derive(Debug)]
pub(super) enum LayerRead {
    /// The file is a FeatureCollection; its valid features were appended (with their indices
    /// in the file) and the others are listed.
    Read {
        indices: Vec<u32>,
        rejected: Vec<Rejected>,
    },
    /// The file as a whole is wrong (unreadable, not JSON, not a FeatureCollection); nothing was
    /// appended.
    FileProblem(String),
}

/// Reads the layer file at `path`, appending its valid features to `out`.
pub(super) fn read_layer(
    path: &Path,
    layer_id: &str,
    layer: u16,
    allowed: &[GeometryKind],
    out: &mut Vec<Feature>,
) -> LayerRead {
    let cannot_read = |e: &dyn fmt::Display| format!("cannot read layer {layer_id:?}: {e}");
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) => return LayerRead::FileProblem(cannot_read(&e)),
    };
    let start = out.len();
    let mut indices = Vec::new();
    let mut rejected = Vec::new();
    let mut bad_json = false;
    let walked = std::thread::scope(|scope| {
        let (tx, rx) = sync_channel(BATCHES_IN_FLIGHT);
        let reader = scope.spawn(move || {
            let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(
                READ_BUFFER_BYTES,
                file,
            ));
            let shape = Root { batches: Some(tx) }.deserialize(&mut de)?;
            de.end().map(|()| shape)
        });
        let mut next_index = 0usize;
        for event in rx {
            match event {
                Event::Start => {
                    // A repeated "features" member: as in a parsed document, the last one counts.
                    out.truncate(start);
                    indices.clear();
                    rejected.clear();
                    bad_json = false;
                    next_index = 0;
                }
                Event::Batch(raws) => {
                    let checked: Vec<Checked> = raws
                        .par_iter()
                        .map(|raw| check_feature(raw.get(), layer, allowed))
                        .collect();
                    drop(raws);
                    for c in checked {
                        match c {
                            Checked::Valid(f) => {
                                out.push(f);
                                indices.push(u32::try_from(next_index).unwrap_or(u32::MAX));
                            }
                            Checked::Invalid { id, reasons } => rejected.push(Rejected {
                                index: next_index,
                                id,
                                reasons,
                            }),
                            Checked::BadJson => bad_json = true,
                        }
                        next_index += 1;
                    }
                }
            }
        }
        reader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    let problem = match walked {
        Err(e) => {
            Some(strict_problem(path, layer_id).unwrap_or_else(|| format!("invalid JSON: {e}")))
        }
        Ok(_) if bad_json => Some(
            strict_problem(path, layer_id)
                .unwrap_or_else(|| "invalid JSON in a feature".to_string()),
        ),
        Ok(shape) => shape.problem(),
    };
    match problem {
        Some(p) => {
            out.truncate(start);
            LayerRead::FileProblem(p)
        }
        None if indices.len() + rejected.len() > u32::MAX as usize => {
            out.truncate(start);
            LayerRead::FileProblem("more than 4294967295 features in one file".into())
        }
        None => LayerRead::Read { indices, rejected },
    }
}

/// The file-level problem, found the strict way: the file read whole (so that text that is not
/// UTF-8 is named as such) and walked with every element parsed, for the same error and position
/// as a whole-document parse. `None` if that finds nothing.
fn strict_problem(path: &Path, layer_id: &str) -> Option<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return Some(format!("cannot read layer {layer_id:?}: {e}")),
    };
    let mut de = serde_json::Deserializer::from_str(&text);
    let walked = Root { batches: None }
        .deserialize(&mut de)
        .and_then(|shape| de.end().map(|()| shape));
    match walked {
        Err(e) => Some(format!("invalid JSON: {e}")),
        Ok(shape) => shape.problem(),
    }
}

/// Sent from the reader to the checkers.
enum Event {
    /// A `features` array begins; whatever an earlier one gave is void.
    Start,
    Batch(Vec<Box<RawValue>>),
}

/// The top level of a file, as far as the rules care.
#[derive(Debug, Default)]
struct Shape {
    object: bool,
    /// The last `"type"` member, if a string.
    kind: Option<String>,
    /// Whether the last `"features"` member is an array.
    features_array: bool,
}

impl Shape {
    fn problem(&self) -> Option<String> {
        if !self.object {
            Some("the file must hold a GeoJSON FeatureCollection object".into())
        } else if self.kind.as_deref() != Some("FeatureCollection") {
            Some("the file must hold a GeoJSON object of \"type\": \"FeatureCollection\"".into())
        } else if !self.features_array {
            Some("the FeatureCollection has no \"features\" array".into())
        } else {
            None
        }
    }
}

/// The whole document. With `batches`, feature elements are sent on as raw text; without, they
/// are parsed and dropped (the strict walk).
struct Root {
    batches: Option<SyncSender<Event>>,
}

impl<'de> DeserializeSeed<'de> for Root {
    type Value = Shape;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Shape, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root {
    type Value = Shape;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut shape = Shape {
            object: true,
            ..Shape::default()
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "features" => {
                    shape.features_array = map.next_value_seed(Features {
                        batches: self.batches.as_ref(),
                    })?
                }
                "type" => {
                    shape.kind = match map.next_value::<Value>()? {
                        Value::String(s) => Some(s),
                        _ => None,
                    }
                }
                _ => drop(map.next_value::<Value>()?),
            }
        }
        Ok(shape)
    }
    // Any other document is not a FeatureCollection, but is still read to its end: invalid JSON
    // anywhere is named first.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while seq.next_element::<Value>()?.is_some() {}
        Ok(Shape::default())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape::default())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Shape, E> {
        Ok(Shape::default())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Shape, E> {
        Ok(Shape::default())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape::default())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Shape, E> {
        Ok(Shape::default())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Shape, E> {
        Ok(Shape::default())
    }
}

/// The value of a `"features"` member; gives whether it is an array.
struct Features<'a> {
    batches: Option<&'a SyncSender<Event>>,
}

impl<'de> DeserializeSeed<'de> for Features<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl Features<'_> {
    /// Hands a batch to the checkers; they outlive the reader, so a failed send cannot happen
    /// while anyone still wants the result.
    fn send(&self, event: Event) {
        if let Some(tx) = self.batches {
            let _ = tx.send(event);
        }
    }
}

impl<'de> Visitor<'de> for Features<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a features array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        if self.batches.is_none() {
            while seq.next_element::<Value>()?.is_some() {}
            return Ok(true);
        }
        self.send(Event::Start);
        let mut batch = Vec::with_capacity(BATCH_FEATURES);
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            batch.push(raw);
            if batch.len() == BATCH_FEATURES {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH_FEATURES));
                self.send(Event::Batch(full));
            }
        }
        if !batch.is_empty() {
            self.send(Event::Batch(batch));
        }
        Ok(true)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<String, Value>()?.is_some() {}
        Ok(false)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}
