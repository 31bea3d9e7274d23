//! Loading measurements (operations issue, part 6): writes synthetic data folders in our schema
//! and loads them the way the server does, reporting time and memory.
//!
//! Run (release build; `/usr/bin/time -v` adds the process's own maximum RSS):
//!
//! ```sh
//! cargo run --release --example load_measure -- write-lines DIR [N]   # N lines, one layer (200,000)
//! cargo run --release --example load_measure -- write-synth DIR [N]   # the benchmark set (1,000,000)
//! target/release/examples/load_measure load DIR                        # load, validate, index
//! ```
//!
//! `write-lines` draws N line features (2–10 positions) from the benchmark generator
//! (`benches/common/synth.rs`); `write-synth` writes the benchmark data set itself as three layer
//! files (points, lines, polygons). Coordinates are written with six decimals. Both add the properties our schema requires (name_zh,
//! name_en, status, provinces, source, accuracy) and a `layers.toml`.
//!
//! `load` runs `Dataset::load` and prints the elapsed time, VmRSS (resident now) and VmHWM (peak)
//! from /proc/self/status, and the memory target of issue 2 (2 × raw coordinate bytes + 200 B per
//! feature).

#[path = "common/counting.rs"]
mod counting;
#[path = "../benches/common/synth.rs"]
mod synth;

use counting::{LIVE, malloc_trim, rss};
use geo::{Coord, CoordsIter, Geometry};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;
use yuqian::layers::{Catalogue, Feature, GeometryKind, LayerSpec};

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

/// Six decimals (about 0.1 m), as RFC 7946 suggests and most exporters write.
fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn positions(out: &mut String, coords: &[Coord]) {
    out.push('[');
    for (j, c) in coords.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        write!(out, "[{},{}]", round6(c.x), round6(c.y)).expect("write to String");
    }
    out.push(']');
}

/// One feature as a GeoJSON line of our schema.
fn feature_json(out: &mut String, f: &Feature) {
    out.clear();
    let text = |s: &str| serde_json::to_string(s).expect("a string serialises");
    write!(
        out,
        r#"{{"type":"Feature","id":{},"geometry":"#,
        text(f.id())
    )
    .expect("write to String");
    match &f.geometry {
        Geometry::Point(p) => write!(
            out,
            r#"{{"type":"Point","coordinates":[{},{}]}}"#,
            round6(p.x()),
            round6(p.y())
        )
        .expect("write to String"),
        Geometry::LineString(l) => {
            out.push_str(r#"{"type":"LineString","coordinates":"#);
            positions(out, &l.0);
            out.push('}');
        }
        Geometry::Polygon(p) => {
            out.push_str(r#"{"type":"Polygon","coordinates":["#);
            positions(out, &p.exterior().0);
            for r in p.interiors() {
                out.push(',');
                positions(out, &r.0);
            }
            out.push_str("]}");
        }
        other => panic!("the synthetic data has no {other:?}"),
    }
    // The schema requires at least one province; the generator leaves a quarter without.
    let provinces: Vec<&str> = if f.provinces.is_empty() {
        vec!["guizhou"]
    } else {
        f.provinces.iter().map(|p| p.as_str()).collect()
    };
    write!(
        out,
        r#","properties":{{"name_zh":{},"name_en":{},"status":"{}","provinces":{},"source":{},"accuracy":"{}"}}}}"#,
        text(f.name_zh()),
        text(f.name_en()),
        f.status.as_str(),
        serde_json::to_string(&provinces).expect("strings serialise"),
        text(f.source()),
        f.accuracy.as_str(),
    )
    .expect("write to String");
}

fn write_layer(path: &Path, features: &[Feature]) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    let mut line = String::new();
    for (i, f) in features.iter().enumerate() {
        feature_json(&mut line, f);
        if i > 0 {
            w.write_all(b",\n")?;
        }
        w.write_all(line.as_bytes())?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}

fn write_dir(dir: &Path, catalogue: &Catalogue, features: &[Feature]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("layers.toml"),
        toml::to_string(catalogue).expect("the catalogue serialises"),
    )?;
    for (i, layer) in catalogue.layers.iter().enumerate() {
        let of_layer: Vec<Feature> = features
            .iter()
            .filter(|f| usize::from(f.layer) == i)
            .cloned()
            .collect();
        write_layer(&dir.join(&layer.file), &of_layer)?;
    }
    Ok(())
}

fn lines(n: usize) -> Vec<Feature> {
    let mut rng = ChaCha8Rng::seed_from_u64(synth::DATA_SEED ^ 0x4c49_4e45); // "LINE"
    (0..n)
        .map(|i| {
            let (id, name_zh, name_en) = (
                format!("line-{i:07}"),
                format!("合成线路{i}"),
                format!("synthetic line {i}"),
            );
            Feature::new(
                yuqian::layers::Texts {
                    id: &id,
                    name_zh: &name_zh,
                    name_en: &name_en,
                    source: "synthetic",
                },
                0,
                yuqian::layers::Status::ALL[i % 6],
                [yuqian::layers::Province::Chongqing].into_iter().collect(),
                yuqian::layers::Accuracy::Schematic,
                synth::random_geometry(&mut rng, 1),
                Default::default(),
            )
        })
        .collect()
}

fn lines_catalogue() -> Catalogue {
    Catalogue {
        layers: vec![LayerSpec {
            id: "synthetic_lines".into(),
            title_zh: "合成线路".into(),
            title_en: "synthetic lines".into(),
            geometry: vec![GeometryKind::Line],
            file: "synthetic_lines.geojson".into(),
            boundary: None,
            role: None,
            source: "examples/load_measure.rs".into(),
            licence: "CC0-1.0".into(),
            attribution: "Yuqian Map benchmarks".into(),
        }],
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: load_measure (write-lines DIR [N] | write-synth DIR [N] | load DIR)";
    let (command, dir) = match (args.first(), args.get(1)) {
        (Some(c), Some(d)) => (c.as_str(), Path::new(d)),
        _ => return Err(usage.into()),
    };
    let n = |default: usize| -> Result<usize, Box<dyn std::error::Error>> {
        Ok(args
            .get(2)
            .map(|s| s.parse())
            .transpose()?
            .unwrap_or(default))
    };
    match command {
        "write-lines" => {
            let n = n(200_000)?;
            write_dir(dir, &lines_catalogue(), &lines(n))?;
            eprintln!("wrote {n} line features to {}", dir.display());
        }
        "write-synth" => {
            let n = n(synth::N_FEATURES)?;
            write_dir(dir, &synth::catalogue(), &synth::features(n))?;
            eprintln!("wrote {n} synthetic features to {}", dir.display());
        }
        "load" => {
            let (rss0, _) = rss();
            let heap0 = LIVE.load(Ordering::Relaxed);
            let t = Instant::now();
            // Dataset::load in its two steps, to see each one's share.
            let (catalogue, features) = yuqian::layers::load_dir(dir)?;
            let validated = t.elapsed();
            let (rss_validated, _) = rss();
            let ds = yuqian::index::Dataset::new(catalogue, features);
            let elapsed = t.elapsed();
            let (rss1, hwm1) = rss();
            let heap = (LIVE.load(Ordering::Relaxed) - heap0).max(0) as u64;
            let n = ds.features.len() as u64;
            let vertices: u64 = ds
                .features
                .iter()
                .map(|f| f.geometry.coords_count() as u64)
                .sum();
            let budget = 2 * 16 * vertices + 200 * n;
            let resident = rss1.saturating_sub(rss0);
            println!("features {n}, positions {vertices}");
            println!(
                "loaded, validated and indexed in {elapsed:.2?} (validated after {validated:.2?}, VmRSS then {})",
                mb(rss_validated)
            );
            println!("data version {}", ds.data_version);
            println!(
                "VmRSS before {} / after loading {}; VmHWM (peak) {}",
                mb(rss0),
                mb(rss1),
                mb(hwm1)
            );
            println!(
                "peak / resident after loading: {:.2}",
                hwm1 as f64 / rss1 as f64
            );
            println!(
                "resident of the data set {} vs budget {} (2 x 16 B x positions + 200 B x features): {:.2} x",
                mb(resident),
                mb(budget),
                resident as f64 / budget as f64
            );
            println!(
                "live heap bytes of the Dataset {} ({:.0} B per feature)",
                mb(heap),
                heap as f64 / n as f64
            );
            // What the allocator keeps of the loading's freed memory: glibc gives it back on
            // request (the serving process does not ask; this shows how much there is).
            unsafe { malloc_trim(0) };
            let (rss2, _) = rss();
            println!(
                "VmRSS after malloc_trim {} (the allocator kept {} of freed memory)",
                mb(rss2),
                mb(rss1.saturating_sub(rss2))
            );
            drop(ds);
        }
        _ => return Err(usage.into()),
    }
    Ok(())
}
