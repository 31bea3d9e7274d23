//! Route loops on the shipped `geodata/`: planning 12 stops exactly with network paths, 100 stops
//! heuristically, and saving a loop in SQLite.
//!
//! `cargo bench --bench loops`. Targets (BENCHMARKS.md): each plan under 50 ms median, a save
//! under 5 ms median.

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;
use std::path::Path;
use yuqian::index::Dataset;
use yuqian::query::crossings::Border;
use yuqian::routing::plan::{Paths, PlanRequest, Planner, StopSpec};
use yuqian::store::NewLoop;
use yuqian::store::sqlite::SqliteStore;
use yuqian::work::Deadline;

fn request(stops: Vec<StopSpec>) -> PlanRequest {
    PlanRequest {
        stops,
        roundtrip: true,
        fixed_first: true,
        fixed_last: false,
        paths: Paths::Network,
        suggest_within_m: 10_000.0,
        optimise: true,
    }
}

fn loops(c: &mut Criterion) {
    let ds = Dataset::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/geodata")))
        .expect("geodata/ loads");
    let border = Border::from_dataset(&ds);
    let planner = Planner::new(&ds);
    let attractions = ds.layer_index("attractions").expect("an attractions layer");
    let ids: Vec<String> = ds
        .features
        .iter()
        .filter(|f| usize::from(f.layer) == attractions)
        .map(|f| f.id().to_string())
        .collect();
    // Twelve attractions spread over the list (a deterministic choice).
    let twelve: Vec<StopSpec> = (0..12)
        .map(|i| StopSpec::Feature(ids[(i * 5) % ids.len()].clone()))
        .collect();
    // A hundred positions on a deterministic grid-like spread over Qijiang, Zunyi and Jiangjin.
    let hundred: Vec<StopSpec> = (0..100)
        .map(|i| {
            let (a, b) = ((i * 37 % 100) as f64 / 100.0, (i * 61 % 100) as f64 / 100.0);
            StopSpec::Position(geo::Coord {
                x: 105.9 + 1.4 * a,
                y: 27.6 + 1.7 * b,
            })
        })
        .collect();
    let exact = request(twelve);
    let heuristic = request(hundred);

    let mut group = c.benchmark_group("loops");
    group.sample_size(30);
    group.bench_function("plan 12 stops exact, network paths", |b| {
        b.iter(|| {
            black_box(
                planner
                    .plan(&ds, border.as_ref(), &exact, &Deadline::NONE)
                    .unwrap(),
            )
        })
    });
    group.bench_function("plan 100 stops heuristic, network paths", |b| {
        b.iter(|| {
            black_box(
                planner
                    .plan(&ds, border.as_ref(), &heuristic, &Deadline::NONE)
                    .unwrap(),
            )
        })
    });

    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("bench.sqlite")).unwrap();
    let plan = planner
        .plan(&ds, border.as_ref(), &exact, &Deadline::NONE)
        .unwrap();
    let plan_json = json!({"type": "Feature", "geometry": {"type": "LineString", "coordinates": plan.geometry.iter().map(|c| [c.x, c.y]).collect::<Vec<_>>()}});
    let request_json = json!({"stops": ids.iter().take(12).collect::<Vec<_>>()});
    let new = NewLoop {
        name: "红色精品文旅环线".into(),
        notes: "notes".into(),
        request: request_json,
        plan: plan_json,
    };
    group.bench_function("save a loop (SQLite insert, WAL)", |b| {
        b.iter(|| black_box(store.insert(&new, None).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, loops);
criterion_main!(benches);
