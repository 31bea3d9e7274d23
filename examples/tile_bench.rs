//! Vector tile benchmark helpers (issue 11, benchmarks; driven by `tools/tiles_bench/run.sh`).
//!
//! ```sh
//! target/release/examples/tile_bench list DIR LAYERS [PER_ZOOM] [SEED]  > tiles.txt
//! target/release/examples/tile_bench time DIR LAYERS tiles.txt [REPEAT]
//! ```
//!
//! `list` loads the data folder DIR, and for each zoom of 6, 8, 10, 12 and 14 draws PER_ZOOM
//! (default 100) distinct tiles that lie over the data of LAYERS (comma-separated layer ids): a
//! feature of those layers is drawn with ChaCha8 seeded by SEED (default 11), then one of its
//! positions, and the tile holding that position at the zoom is taken. So the list depends only on
//! the data and the seed, and every peer is timed on the same tiles. It prints `z x y` lines.
//!
//! `time` loads DIR, builds the tile index the way a snapshot does, and times
//! [`yuqian::tiles::render`] (select, drop, clip, simplify, thin, snap, encode; no cache) of
//! every tile of the list, REPEAT times (default 1; the fastest of the repeats is kept), one
//! thread. It prints the load and index times, then per zoom: tiles, p50 and p99 of the time in
//! ms, median and max tile size in bytes (an empty tile counts as 0 bytes).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};
use yuqian::index::Dataset;
use yuqian::tiles::mercator::lonlat_to_unit;
use yuqian::tiles::{TileCoord, TileIndex, parse_layers, render};
use yuqian::work::Deadline;

const ZOOMS: [u8; 5] = [6, 8, 10, 12, 14];

fn positions(g: &geo::Geometry) -> Vec<geo::Coord> {
    use geo::CoordsIter;
    g.coords_iter().collect()
}

fn list(ds: &Dataset, layers: &[usize], per_zoom: usize, seed: u64) {
    let members: Vec<usize> = ds
        .features
        .iter()
        .enumerate()
        .filter(|(_, f)| layers.contains(&usize::from(f.layer)))
        .map(|(i, _)| i)
        .collect();
    assert!(!members.is_empty(), "no features in those layers");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for z in ZOOMS {
        let n = 1u64 << z;
        let mut seen = BTreeSet::new();
        let mut order = Vec::new();
        let mut tries = 0;
        while order.len() < per_zoom && tries < per_zoom * 1000 {
            tries += 1;
            let f = &ds.features[members[rng.random_range(0..members.len())]];
            let ps = positions(&f.geometry);
            if ps.is_empty() {
                continue;
            }
            let [ux, uy] = lonlat_to_unit(ps[rng.random_range(0..ps.len())]);
            let x = ((ux * n as f64) as u64).min(n - 1);
            let y = ((uy * n as f64) as u64).min(n - 1);
            if seen.insert((x, y)) {
                order.push((x, y));
            }
        }
        for (x, y) in order {
            println!("{z} {x} {y}");
        }
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn time(ds: &Dataset, layers: &[usize], tiles: &[TileCoord], repeat: usize) {
    let t = Instant::now();
    let index = TileIndex::build(ds);
    println!("tile index built in {:.2?}", t.elapsed());
    let deadline = Deadline::after(Duration::from_secs(600));
    println!("zoom tiles p50_ms p99_ms median_bytes max_bytes");
    for z in ZOOMS {
        let mut ms = Vec::new();
        let mut sizes = Vec::new();
        for &t in tiles.iter().filter(|t| t.z == z) {
            let mut best = f64::INFINITY;
            let mut size = 0;
            for _ in 0..repeat.max(1) {
                let s = Instant::now();
                let bytes = render(ds, &index, layers, t, &deadline).expect("render");
                best = best.min(s.elapsed().as_secs_f64() * 1e3);
                size = bytes.map_or(0, |b| b.len());
            }
            ms.push(best);
            sizes.push(size);
        }
        if ms.is_empty() {
            continue;
        }
        ms.sort_by(f64::total_cmp);
        sizes.sort_unstable();
        println!(
            "z{z} {} {:.3} {:.3} {} {}",
            ms.len(),
            pct(&ms, 0.5),
            pct(&ms, 0.99),
            sizes[(sizes.len() - 1) / 2],
            sizes[sizes.len() - 1]
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage =
        "usage: tile_bench (list DIR LAYERS [PER_ZOOM] [SEED] | time DIR LAYERS TILES [REPEAT])";
    let (Some(cmd), Some(dir), Some(layer_list)) = (args.first(), args.get(1), args.get(2)) else {
        return Err(usage.into());
    };
    let t = Instant::now();
    let ds = Dataset::load(Path::new(dir))?;
    eprintln!(
        "loaded {} features in {:.2?}",
        ds.features.len(),
        t.elapsed()
    );
    let layers = parse_layers(&ds, layer_list)?;
    match cmd.as_str() {
        "list" => {
            let per_zoom = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(100);
            let seed = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(11);
            list(&ds, &layers, per_zoom, seed);
        }
        "time" => {
            let path = args.get(3).ok_or(usage)?;
            let repeat = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(1);
            let mut tiles = Vec::new();
            for line in std::fs::read_to_string(path)?.lines() {
                let v: Vec<u32> = line
                    .split_whitespace()
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
                if let [z, x, y] = v[..] {
                    tiles.push(TileCoord::new(u8::try_from(z)?, x, y)?);
                }
            }
            time(&ds, &layers, &tiles, repeat);
        }
        _ => return Err(usage.into()),
    }
    Ok(())
}
