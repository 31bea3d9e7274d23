//! Criterion benchmarks of the index and the spatial queries on 1,000,000 synthetic features
//! (see `benches/common/synth.rs` for the data set and BENCHMARKS.md for the figures).
//!
//! Run: `cargo bench --bench queries`. Filter as usual: `cargo bench --bench queries -- nearest`.
//!
//! Each query benchmark cycles through a precomputed list of different queries (points, boxes,
//! radii, lines), so a sample's mean covers the spread of the workload rather than one cached
//! case. Before criterion runs, the binary also times every query of each list once on its own
//! and prints the median, p90, p99 and maximum of those single-query latencies (set
//! `YUQIAN_BENCH_NO_DISTRIBUTION=1` to skip that).

#[path = "common/synth.rs"]
mod synth;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group};
use std::hint::black_box;
use std::sync::LazyLock;
use std::time::{Duration, Instant};
use yuqian::index::Dataset;
use yuqian::layers::Feature;
use yuqian::query::Filter;
use yuqian::query::bbox::{Bbox, features_in};
use yuqian::query::corridor::corridor;
use yuqian::query::nearby::nearby;
use yuqian::work::Deadline;

/// Features, generated once per process (the build benchmark indexes clones of them).
static FEATURES: LazyLock<Vec<Feature>> = LazyLock::new(|| {
    let t = Instant::now();
    let f = synth::features(synth::N_FEATURES);
    eprintln!(
        "generated {} features ({} positions) in {:.2?}",
        f.len(),
        synth::vertex_count(&f),
        t.elapsed()
    );
    f
});

static DATASET: LazyLock<Dataset> = LazyLock::new(|| {
    let features = FEATURES.clone();
    let t = Instant::now();
    let ds = Dataset::new(synth::catalogue(), features);
    eprintln!("indexed in {:.2?}", t.elapsed());
    ds
});

const N_POINTS: usize = 1024;
const N_BOXES: usize = 256;
const N_RADII: usize = 256;
const N_CORRIDORS: usize = 128;

static POINTS: LazyLock<Vec<geo::Coord>> = LazyLock::new(|| synth::query_points(N_POINTS, 0));
static BOXES: LazyLock<Vec<(Bbox, usize)>> = LazyLock::new(|| {
    let b = synth::query_boxes(&DATASET, N_BOXES);
    let total: usize = b.iter().map(|x| x.1).sum();
    eprintln!(
        "bbox queries: {} boxes matching {:.0} features on average (min {}, max {})",
        b.len(),
        total as f64 / b.len() as f64,
        b.iter().map(|x| x.1).min().unwrap_or(0),
        b.iter().map(|x| x.1).max().unwrap_or(0)
    );
    b
});
static RADII: LazyLock<Vec<(geo::Coord, f64, usize)>> = LazyLock::new(|| {
    let r = synth::query_radii(&DATASET, N_RADII);
    let (radii, counts): (Vec<f64>, Vec<f64>) = r.iter().map(|x| (x.1, x.2 as f64)).unzip();
    eprintln!(
        "radius queries: {} points, radius median {:.0} m, {:.1} features within on average (median {:.0})",
        r.len(),
        synth::percentiles(radii).0,
        counts.iter().sum::<f64>() / counts.len() as f64,
        synth::percentiles(counts.clone()).0,
    );
    r
});
static CORRIDORS: LazyLock<Vec<synth::CorridorQuery>> = LazyLock::new(|| {
    let c = synth::query_corridors(N_CORRIDORS);
    let found: Vec<f64> = c
        .iter()
        .map(|q| {
            corridor(
                &DATASET,
                &q.line,
                q.width_m,
                &Filter::default(),
                None,
                &Deadline::NONE,
            )
            .unwrap()
            .len() as f64
        })
        .collect();
    eprintln!(
        "corridor queries: {} lines of {:.1} km, {:.1} features found on average (median {:.0})",
        c.len(),
        c.iter().map(|q| q.line.length_m()).sum::<f64>() / c.len() as f64 / 1000.0,
        found.iter().sum::<f64>() / found.len() as f64,
        synth::percentiles(found.clone()).0,
    );
    c
});

/// One query of a list, by position (cycling); returns the number of results.
type Query = fn(usize) -> usize;

fn run_bbox(i: usize) -> usize {
    let (b, _) = BOXES[i % BOXES.len()];
    features_in(&DATASET, b, &Filter::default(), 1000, 0, &Deadline::NONE)
        .unwrap()
        .features
        .len()
}

fn run_nearest(i: usize) -> usize {
    let p = POINTS[i % POINTS.len()];
    nearby(
        &DATASET,
        p,
        Some(10),
        None,
        &Filter::default(),
        &Deadline::NONE,
    )
    .unwrap()
    .hits
    .len()
}

fn run_radius(i: usize) -> usize {
    let (p, r, _) = RADII[i % RADII.len()];
    nearby(
        &DATASET,
        p,
        None,
        Some(r),
        &Filter::default(),
        &Deadline::NONE,
    )
    .unwrap()
    .hits
    .len()
}

fn run_corridor(i: usize) -> usize {
    let q = &CORRIDORS[i % CORRIDORS.len()];
    corridor(
        &DATASET,
        &q.line,
        q.width_m,
        &Filter::default(),
        None,
        &Deadline::NONE,
    )
    .unwrap()
    .len()
}

/// Times every query of each list once, alone, after one warm pass, and prints percentiles.
fn distribution() {
    if std::env::var_os("YUQIAN_BENCH_NO_DISTRIBUTION").is_some() {
        return;
    }
    let cases: [(&str, usize, Query); 4] = [
        ("bbox (250-1000 features)", BOXES.len(), run_bbox),
        ("nearest k=10", POINTS.len(), run_nearest),
        ("radius (tens of features)", RADII.len(), run_radius),
        ("corridor 50 km x 2-5 km", CORRIDORS.len(), run_corridor),
    ];
    eprintln!("single-query latencies, each query of the list timed alone (µs):");
    for (name, n, f) in cases {
        for i in 0..n {
            black_box(f(i));
        }
        let times: Vec<f64> = (0..n)
            .map(|i| {
                let t = Instant::now();
                black_box(f(i));
                t.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        let mean = times.iter().sum::<f64>() / times.len() as f64;
        let (p50, p90, p99, max) = synth::percentiles(times);
        eprintln!(
            "  {name:<28} n={n:<5} median {p50:>9.1}  p90 {p90:>9.1}  p99 {p99:>9.1}  max {max:>9.1}  mean {mean:>9.1}"
        );
    }
}

fn bench_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("build");
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(FEATURES.len() as u64));
    g.bench_function("dataset_new_1M", |b| {
        b.iter_batched(
            || FEATURES.clone(),
            |features| Dataset::new(synth::catalogue(), features),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn bench_queries(c: &mut Criterion) {
    // Force the lazy data and query lists before any timing.
    LazyLock::force(&BOXES);
    LazyLock::force(&RADII);
    LazyLock::force(&CORRIDORS);
    distribution();

    let mut g = c.benchmark_group("query");
    let cases: [(&str, Query); 4] = [
        ("bbox_le_1000", run_bbox),
        ("nearest_k10", run_nearest),
        ("radius_tens", run_radius),
        ("corridor_50km", run_corridor),
    ];
    for (name, f) in cases {
        g.bench_function(name, |b| {
            let mut i = 0usize;
            b.iter(|| {
                i = i.wrapping_add(1);
                black_box(f(i))
            })
        });
    }
    g.finish();
}

/// `GET /api/features` without a bbox: the whole world, first page of 1,000 (no target; it
/// touches every feature, see BENCHMARKS.md).
fn bench_world_page(c: &mut Criterion) {
    let mut g = c.benchmark_group("query");
    g.sampling_mode(SamplingMode::Flat);
    g.bench_function("bbox_world_first_page", |b| {
        b.iter(|| {
            black_box(
                features_in(
                    &DATASET,
                    Bbox::WORLD,
                    &Filter::default(),
                    1000,
                    0,
                    &Deadline::NONE,
                )
                .unwrap()
                .matched,
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = world;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    targets = bench_world_page
}

criterion_group! {
    name = build;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    targets = bench_build
}

criterion_group! {
    name = queries;
    config = Criterion::default()
        .sample_size(50)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8));
    targets = bench_queries
}

fn main() {
    queries();
    world();
    build();
    Criterion::default().configure_from_args().final_summary();
}
