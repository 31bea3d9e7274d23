//! The GeoJSON loader: the input is the file of a layer that takes every geometry kind, loaded
//! and indexed by `Dataset::load` exactly as `serve` and `check` do. Any error is fine; a panic
//! is a crash.

use std::path::Path;

const CATALOGUE: &str = r#"
[[layers]]
id = "fuzz"
title_zh = "模糊"
title_en = "Fuzz"
geometry = ["point", "line", "polygon"]
file = "fuzz.geojson"
source = "fuzz"
licence = "CC0"
attribution = "fuzz"
"#;

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("layers.toml"), CATALOGUE).expect("write the catalogue");
    let file = dir.path().join("fuzz.geojson");
    afl::fuzz!(|data: &[u8]| {
        std::fs::write(&file, data).expect("write the layer file");
        load(dir.path());
    });
}

fn load(dir: &Path) {
    if let Ok(ds) = yuqian::index::Dataset::load(dir) {
        // Every loaded feature must be findable by its id.
        for f in &ds.features {
            assert!(ds.find(f.id()).is_some(), "feature {} not found by id", f.id());
        }
    }
}
