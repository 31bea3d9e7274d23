//! Resident memory of the 1,000,000-feature benchmark data set (`benches/common/synth.rs`)
//! against the target of issue 2: at most 2 × the raw coordinate bytes (16 bytes per position)
//! plus 200 bytes per feature.
//!
//! Run: `cargo run --release --example memory [N_FEATURES]`
//!
//! It reads VmRSS and VmHWM from /proc/self/status before generating the features, after
//! generating them and after indexing them, and counts live heap bytes with a counting global
//! allocator, so the figure is the data set's own and not the allocator's slack. It then prints
//! where the bytes go, from the sizes of the types involved.

#[path = "common/counting.rs"]
mod counting;
#[path = "../benches/common/synth.rs"]
mod synth;

use counting::{live, malloc_trim, rss};
use std::time::Instant;

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse().expect("N_FEATURES must be a number"))
        .unwrap_or(synth::N_FEATURES);

    let (rss0, _) = rss();
    let heap0 = live();

    let t = Instant::now();
    let features = synth::features(n);
    let generated_in = t.elapsed();
    let vertices = synth::vertex_count(&features) as u64;
    let (rss1, _) = rss();
    let heap1 = live();

    let t = Instant::now();
    let ds = yuqian::index::Dataset::new(synth::catalogue(), features);
    let indexed_in = t.elapsed();
    let (rss2, hwm2) = rss();
    let heap2 = live();
    unsafe { malloc_trim(0) };
    let (rss3, _) = rss();

    let raw = 16 * vertices;
    let budget = 2 * raw + 200 * n as u64;
    let measured_rss = rss3.saturating_sub(rss0);
    let measured_heap = heap2 - heap0;

    println!("features                 {n}");
    println!("positions (vertices)     {vertices}");
    println!("generated in             {generated_in:.2?}; indexed in {indexed_in:.2?}");
    println!("raw coordinate bytes     {} (16 B x positions)", mb(raw));
    println!(
        "budget                   {} (2 x raw + 200 B x features)",
        mb(budget)
    );
    println!();
    println!(
        "VmRSS before / after generating / after indexing / after malloc_trim: {} / {} / {} / {}; VmHWM {}",
        mb(rss0),
        mb(rss1),
        mb(rss2),
        mb(rss3),
        mb(hwm2)
    );
    println!(
        "live heap bytes: features alone {}, whole Dataset {}",
        mb(heap1 - heap0),
        mb(measured_heap)
    );
    println!(
        "measured resident (VmRSS after indexing and trim - before): {}  = {:.2} x budget, {:.0} B per feature -> target {}",
        mb(measured_rss),
        measured_rss as f64 / budget as f64,
        measured_rss as f64 / n as f64,
        if measured_rss <= budget {
            "MET"
        } else {
            "NOT MET"
        }
    );
    println!(
        "measured live heap (Dataset):                             {}  = {:.2} x budget, {:.0} B per feature -> target {}",
        mb(measured_heap),
        measured_heap as f64 / budget as f64,
        measured_heap as f64 / n as f64,
        if measured_heap <= budget {
            "MET"
        } else {
            "NOT MET"
        }
    );
    println!(
        "peak during generation + indexing (VmHWM - VmRSS before): {}",
        mb(hwm2.saturating_sub(rss0))
    );

    // Where the bytes go (sizes of the types; heap blocks at their requested size, before the
    // allocator's own rounding and headers).
    let feature_size = std::mem::size_of::<yuqian::layers::Feature>();
    let strings: usize = ds
        .features
        .iter()
        .map(|f| f.id().len() + f.name_zh().len() + f.name_en().len() + f.source().len())
        .sum();
    // The four texts share one heap block per feature (none when all are empty).
    let string_blocks: usize = ds
        .features
        .iter()
        .filter(|f| {
            !(f.id().is_empty()
                && f.name_zh().is_empty()
                && f.name_en().is_empty()
                && f.source().is_empty())
        })
        .count();
    let geometry_blocks = ds
        .features
        .iter()
        .filter(|f| !matches!(f.geometry, geo::Geometry::Point(_)))
        .count();
    println!();
    println!("per-feature breakdown (1 feature = 1 entry):");
    println!(
        "  Feature struct            {feature_size} B  (geo::Geometry {} B, free properties {} B when absent, texts {} B + 3 x u32)",
        std::mem::size_of::<geo::Geometry<f64>>(),
        std::mem::size_of::<Option<Box<serde_json::Map<String, serde_json::Value>>>>(),
        std::mem::size_of::<Box<str>>()
    );
    println!(
        "  string bytes              {:.1} B in {:.1} heap blocks (glibc: >= 32 B each with header)",
        strings as f64 / n as f64,
        string_blocks as f64 / n as f64
    );
    println!(
        "  coordinate heap blocks    {:.2} per feature (points are inline)",
        geometry_blocks as f64 / n as f64
    );
    println!(
        "  R-tree entry              {} B (GeomWithData<Rectangle<[f64;2]>, u32>); node slot {} B",
        std::mem::size_of::<yuqian::index::Entry>(),
        std::mem::size_of::<rstar::RTreeNode<yuqian::index::Entry>>()
    );
    println!("  by_id                     4 B");
    drop(ds);
}
