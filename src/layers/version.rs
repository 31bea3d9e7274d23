//! The data version: a content hash of the catalogue and the features as loaded.
//!
//! It names *what* is served, not where it was read from: two stores holding the same content
//! (the GeoJSON folder today, a database later) give the same version, and reformatting a file
//! (whitespace, key order, number spelling such as `106` vs `106.0`) does not change it. The
//! order of the features is content: it is the order they are served in.
//!
//! Format: `"sha256:"` followed by 64 lowercase hex digits, the SHA-256 of
//!
//! 1. the ASCII bytes `yuqian-data-version-1\n`;
//! 2. the number of catalogue layers (u64 little-endian), then each layer in catalogue order as
//!    its compact JSON text (every field of [`LayerSpec`] in declaration order, `boundary` left out
//!    when absent), each preceded by its byte length (u64 LE);
//! 3. the number of features (u64 LE), then for each feature in order (layer by layer in
//!    catalogue order, each layer in its source's order) the 32-byte SHA-256 of:
//!    - the id's byte length (u64 LE) and its UTF-8 bytes;
//!    - the geometry: a kind tag byte (1 Point, 2 MultiPoint, 3 LineString, 4 MultiLineString,
//!      5 Polygon, 6 MultiPolygon, 7 GeometryCollection, 8 Line, 9 Rect, 10 Triangle), then for
//!      each nesting level its count (u64 LE) and at the bottom each position as lon then lat,
//!      the f64 bit patterns in little-endian; a polygon is its exterior ring then its interior
//!      rings;
//!    - the feature's served properties ([`Feature::properties`]) as compact JSON text, in their
//!      order.
//!
//! The per-feature digests are computed in parallel; combining them in order keeps the result
//! independent of the thread count.

use super::{Catalogue, Feature, LayerSpec};
use geo::{Coord, Geometry, LineString, Polygon};
use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// Features hashed per parallel step: bounds the digests held at once to 32 B × this.
const CHUNK_FEATURES: usize = 1 << 16;

/// The data version of `catalogue` and `features` (see the module documentation).
pub fn data_version(catalogue: &Catalogue, features: &[Feature]) -> String {
    let mut outer = Sha256::new();
    outer.update(b"yuqian-data-version-1\n");
    outer.update((catalogue.layers.len() as u64).to_le_bytes());
    for layer in &catalogue.layers {
        let text = layer_json(layer);
        outer.update((text.len() as u64).to_le_bytes());
        outer.update(text.as_bytes());
    }
    outer.update((features.len() as u64).to_le_bytes());
    for chunk in features.chunks(CHUNK_FEATURES) {
        let digests: Vec<[u8; 32]> = chunk
            .par_iter()
            .map(|f| feature_digest(catalogue, f))
            .collect();
        for d in &digests {
            outer.update(d);
        }
    }
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256:");
    for b in outer.finalize() {
        write!(out, "{b:02x}").expect("writing to a String cannot fail");
    }
    out
}

fn layer_json(layer: &LayerSpec) -> String {
    serde_json::to_string(layer).expect("a LayerSpec has only string keys and serialises")
}

fn feature_digest(catalogue: &Catalogue, f: &Feature) -> [u8; 32] {
    let mut h = Sha256::new();
    let id = f.id();
    h.update((id.len() as u64).to_le_bytes());
    h.update(id.as_bytes());
    geometry(&mut h, &f.geometry);
    // A layer outside the catalogue cannot come from the loader; hash it with an empty layer id
    // rather than fail.
    let layer_id = catalogue
        .layers
        .get(usize::from(f.layer))
        .map_or("", |l| l.id.as_str());
    let mut writer = HashWriter(&mut h);
    serde_json::to_writer(&mut writer, &ServedProperties(f, layer_id))
        .expect("hashing cannot fail and the properties have string keys");
    h.finalize().into()
}

fn count(h: &mut Sha256, n: usize) {
    h.update((n as u64).to_le_bytes());
}

fn coords(h: &mut Sha256, cs: &[Coord]) {
    count(h, cs.len());
    for c in cs {
        h.update(c.x.to_bits().to_le_bytes());
        h.update(c.y.to_bits().to_le_bytes());
    }
}

fn polygon(h: &mut Sha256, p: &Polygon<f64>) {
    count(h, 1 + p.interiors().len());
    coords(h, &p.exterior().0);
    for r in p.interiors() {
        coords(h, &r.0);
    }
}

fn geometry(h: &mut Sha256, g: &Geometry<f64>) {
    match g {
        Geometry::Point(p) => {
            h.update([1]);
            coords(h, &[p.0]);
        }
        Geometry::MultiPoint(mp) => {
            h.update([2]);
            let cs: Vec<Coord> = mp.0.iter().map(|p| p.0).collect();
            coords(h, &cs);
        }
        Geometry::LineString(l) => {
            h.update([3]);
            coords(h, &l.0);
        }
        Geometry::MultiLineString(ml) => {
            h.update([4]);
            count(h, ml.0.len());
            for LineString(cs) in &ml.0 {
                coords(h, cs);
            }
        }
        Geometry::Polygon(p) => {
            h.update([5]);
            polygon(h, p);
        }
        Geometry::MultiPolygon(mp) => {
            h.update([6]);
            count(h, mp.0.len());
            for p in &mp.0 {
                polygon(h, p);
            }
        }
        Geometry::GeometryCollection(gc) => {
            h.update([7]);
            count(h, gc.0.len());
            for g in &gc.0 {
                geometry(h, g);
            }
        }
        Geometry::Line(l) => {
            h.update([8]);
            coords(h, &[l.start, l.end]);
        }
        Geometry::Rect(r) => {
            h.update([9]);
            coords(h, &[r.min(), r.max()]);
        }
        Geometry::Triangle(t) => {
            h.update([10]);
            coords(h, &t.to_array());
        }
    }
}

/// Feeds serialised text into a hash without building the text.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// [`Feature::properties`] serialised in place, without building the map: same keys, same
/// order (a test checks the text is identical).
struct ServedProperties<'a>(&'a Feature, &'a str);

impl serde::Serialize for ServedProperties<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = self.0;
        let extra = f.extra();
        let mut map = s.serialize_map(Some(8 + extra.len()))?;
        map.serialize_entry("id", f.id())?;
        map.serialize_entry("layer", self.1)?;
        map.serialize_entry("name_zh", f.name_zh())?;
        map.serialize_entry("name_en", f.name_en())?;
        map.serialize_entry("status", f.status.as_str())?;
        let provinces: Vec<&str> = f.provinces.iter().map(|p| p.as_str()).collect();
        map.serialize_entry("provinces", &provinces)?;
        map.serialize_entry("source", f.source())?;
        map.serialize_entry("accuracy", f.accuracy.as_str())?;
        for (k, v) in extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::load_dir;

    const CATALOGUE: &str = r#"
        [[layers]]
        id = "towns"
        title_zh = "镇"
        title_en = "towns"
        geometry = ["point", "line"]
        file = "towns.geojson"
        source = "test"
        licence = "CC0"
        attribution = "tests"
    "#;

    const COMPACT: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"t1","geometry":{"type":"Point","coordinates":[106.5,28]},"properties":{"name_zh":"镇","name_en":"town","status":"existing","provinces":["chongqing"],"source":"s","accuracy":"real","pop":1200,"tags":["a","b"]}},{"type":"Feature","id":"l1","geometry":{"type":"LineString","coordinates":[[106,28],[107,28.5]]},"properties":{"name_zh":"路","name_en":"road","status":"planned","provinces":["guizhou","chongqing"],"source":"s","accuracy":"schematic"}}]}"#;

    /// The same content: indented, members of objects in another order, numbers spelt otherwise.
    const REFORMATTED: &str = r#"{
      "features": [
        {
          "id": "t1",
          "properties": {
            "name_zh": "镇", "name_en": "town", "status": "existing",
            "provinces": ["chongqing"], "source": "s", "accuracy": "real",
            "pop": 1200, "tags": [ "a", "b" ]
          },
          "geometry": { "coordinates": [106.50, 28.0], "type": "Point" },
          "type": "Feature"
        },
        {
          "type": "Feature", "id": "l1",
          "geometry": {"type": "LineString", "coordinates": [[106.0, 28], [107, 2.85e1]]},
          "properties": {"name_zh": "路", "name_en": "road", "status": "planned",
            "provinces": ["guizhou", "chongqing"], "source": "s", "accuracy": "schematic"}
        }
      ],
      "type": "FeatureCollection"
    }"#;

    fn version_of(layer_text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("layers.toml"), CATALOGUE).unwrap();
        std::fs::write(dir.path().join("towns.geojson"), layer_text).unwrap();
        let (catalogue, features) = load_dir(dir.path()).unwrap();
        data_version(&catalogue, &features)
    }

    #[test]
    fn the_version_is_a_sha256_of_content_not_of_formatting() {
        let v = version_of(COMPACT);
        assert!(v.starts_with("sha256:") && v.len() == 7 + 64, "{v}");
        assert!(v[7..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(version_of(REFORMATTED), v);
    }

    #[test]
    fn a_changed_coordinate_property_or_order_changes_the_version() {
        let v = version_of(COMPACT);
        assert_ne!(
            version_of(&COMPACT.replace("106.5,28", "106.5,28.000001")),
            v
        );
        assert_ne!(
            version_of(&COMPACT.replace("\"pop\":1200", "\"pop\":1201")),
            v
        );
        assert_ne!(version_of(&COMPACT.replace("\"town\"", "\"Town\"")), v);
        let reordered = COMPACT.replace("guizhou\",\"chongqing", "chongqing\",\"guizhou");
        // The provinces are a set: listing them in another order is the same content.
        assert_eq!(version_of(&reordered), v);
        let catalogue_changed = {
            let (mut catalogue, features) = {
                let dir = tempfile::tempdir().unwrap();
                std::fs::write(dir.path().join("layers.toml"), CATALOGUE).unwrap();
                std::fs::write(dir.path().join("towns.geojson"), COMPACT).unwrap();
                load_dir(dir.path()).unwrap()
            };
            catalogue.layers[0].licence = "CC-BY-4.0".into();
            data_version(&catalogue, &features)
        };
        assert_ne!(catalogue_changed, v);
    }

    #[test]
    fn served_properties_are_hashed_as_the_text_the_server_sends() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("layers.toml"), CATALOGUE).unwrap();
        std::fs::write(dir.path().join("towns.geojson"), COMPACT).unwrap();
        let (_, features) = load_dir(dir.path()).unwrap();
        for f in &features {
            let served = serde_json::to_string(&f.properties("towns")).unwrap();
            let ours = serde_json::to_string(&ServedProperties(f, "towns")).unwrap();
            assert_eq!(ours, served);
        }
    }
}
