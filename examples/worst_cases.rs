//! The slowest requests the documented caps allow, on the shipped `geodata/` (operations issue,
//! part 2; figures in BENCHMARKS.md, "Worst cases inside the caps").
//!
//! Run: `cargo run --release --example worst_cases [NAME_SUBSTRING]`
//!
//! Each case calls the query behind one endpoint with the largest parameters the caps accept
//! (the HTTP layer adds parsing and serialisation, a few milliseconds at most) and prints the
//! fastest and the median of a few runs. Lines are deterministic (ChaCha8, fixed seeds).

use geo::{Coord, LineString};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::time::{Duration, Instant};
use yuqian::index::Dataset;
use yuqian::query::Filter;
use yuqian::query::bbox::{self, Bbox, features_in};
use yuqian::query::corridor::{MAX_LINE_POSITIONS, MAX_WIDTH_M, QueryLine, corridor};
use yuqian::query::crossings::{Border, crossings, line_parts};
use yuqian::query::nearby::{MAX_K, MAX_RADIUS_M, nearby};
use yuqian::query::search::{self, MAX_QUERY_CHARS};
use yuqian::routing::plan::{
    MAX_STOPS, MAX_SUGGEST_WITHIN_M, Paths, PlanRequest, Planner, StopSpec,
};
use yuqian::work::Deadline;

/// The map's extent (lon/lat of nearly every shipped feature).
const WEST: f64 = 103.6;
const EAST: f64 = 110.2;
const SOUTH: f64 = 22.8;
const NORTH: f64 = 32.3;

/// West–east sweeps stepping north across the whole extent: every feature lies within metres
/// of the line and within 100 km of thousands of its segments.
fn zig_zag(n: usize) -> Vec<Coord> {
    (0..n)
        .map(|i| Coord {
            x: if i % 2 == 0 { WEST } else { EAST },
            y: SOUTH + (NORTH - SOUTH) * i as f64 / (n - 1) as f64,
        })
        .collect()
}

/// A random walk of ~2 km steps reflected at the extent: a long GPS track.
fn random_walk(n: usize, seed: u64) -> Vec<Coord> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut p = Coord { x: 107.0, y: 27.5 };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(p);
        let a: f64 = rng.random_range(0.0..std::f64::consts::TAU);
        p.x += 0.02 * a.cos();
        p.y += 0.02 * a.sin();
        if !(WEST..=EAST).contains(&p.x) {
            p.x = p.x.clamp(WEST, EAST);
        }
        if !(SOUTH..=NORTH).contains(&p.y) {
            p.y = p.y.clamp(SOUTH, NORTH);
        }
    }
    out.dedup();
    out
}

/// A random walk of ~200 m steps inside a 0.4° box over central Chongqing: every segment is
/// within 100 km of most features, and none is far from any other.
fn tangle(n: usize, seed: u64) -> Vec<Coord> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (cx, cy) = (106.55, 29.56);
    let mut p = Coord { x: cx, y: cy };
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(p);
        let a: f64 = rng.random_range(0.0..std::f64::consts::TAU);
        p.x = (p.x + 0.002 * a.cos()).clamp(cx - 0.2, cx + 0.2);
        p.y = (p.y + 0.002 * a.sin()).clamp(cy - 0.2, cy + 0.2);
    }
    out.dedup();
    out
}

/// A circle of radius ~95 km around (`cx`, `cy`): the features inside are at nearly equal
/// distances from thousands of its segments, which defeats pruning by bounds (the spherical
/// bound is within 0.6 % of the exact distance, so every segment within ~550 m of the nearest
/// is refined). Around central Chongqing, the small urban districts put hundreds of county
/// boundary vertices near the centre: the worst line found.
fn circle(n: usize, cx: f64, cy: f64) -> Vec<Coord> {
    let r = 0.85;
    (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / (n - 1) as f64;
            Coord {
                x: cx + r * a.cos() / cy.to_radians().cos(),
                y: cy + r * a.sin(),
            }
        })
        .collect()
}

fn time(name: &str, filter: &Option<String>, mut f: impl FnMut() -> usize) {
    if filter.as_ref().is_some_and(|s| !name.contains(s.as_str())) {
        return;
    }
    let mut times: Vec<Duration> = Vec::new();
    let mut results = 0;
    let started = Instant::now();
    // At least 3 runs, up to 7 or two seconds.
    while times.len() < 3 || (times.len() < 7 && started.elapsed() < Duration::from_secs(2)) {
        let t = Instant::now();
        results = f();
        times.push(t.elapsed());
        if times[0] > Duration::from_secs(5) {
            break; // one run of a slow case is enough
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{name:<58} min {:>9.1} ms  median {:>9.1} ms  runs {}  results {results}",
        ms(times[0]),
        ms(times[times.len() / 2]),
        times.len()
    );
}

fn main() {
    let filter = std::env::args().nth(1);
    let ds = Dataset::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/geodata")))
        .expect("geodata/ loads");
    let border = Border::from_dataset(&ds).expect("the shipped data has both provinces");
    let planner = Planner::new(&ds);
    let none = Deadline::NONE;
    let non_boundary = Filter {
        layers: (0..ds.catalogue.layers.len())
            .filter(|i| ds.catalogue.layers[*i].boundary.is_none())
            .collect(),
        ..Filter::default()
    };
    let everything = Filter::default();

    let n = MAX_LINE_POSITIONS;
    // YUQIAN_CIRCLE=lon,lat times one more circle, round that centre.
    if let Some((x, y)) = std::env::var("YUQIAN_CIRCLE").ok().and_then(|v| {
        let (x, y) = v.split_once(',')?;
        Some((x.trim().parse::<f64>().ok()?, y.trim().parse::<f64>().ok()?))
    }) {
        let coords = circle(n, x, y);
        time(
            &format!("corridor POST circle round {x},{y}, {n} pos, 100 km, all layers"),
            &None,
            || {
                let line = QueryLine::new(&[LineString(coords.clone())]).expect("valid");
                corridor(&ds, &line, MAX_WIDTH_M, &everything, None, &none)
                    .expect("no deadline")
                    .len()
            },
        );
        return;
    }
    let lines: [(&str, Vec<Coord>); 5] = [
        ("zig-zag", zig_zag(n)),
        ("random walk", random_walk(n, 1)),
        ("tangle", tangle(n, 2)),
        ("circle round Qijiang", circle(n, 106.65, 29.03)),
        ("circle round Chongqing", circle(n, 106.55, 29.56)),
    ];
    for (line_name, coords) in &lines {
        for (filter_name, f) in [
            ("default layers", &non_boundary),
            ("all layers", &everything),
        ] {
            let name = format!("corridor POST {line_name}, {n} pos, 100 km, {filter_name}");
            time(&name, &filter, || {
                let line = QueryLine::new(&[LineString(coords.clone())]).expect("valid");
                corridor(&ds, &line, MAX_WIDTH_M, f, None, &none)
                    .expect("no deadline")
                    .len()
            });
        }
    }

    // The line feature with the most positions, as GET /api/corridor?feature=… takes it.
    let longest = (0..ds.features.len() as u32)
        .max_by_key(|i| {
            line_parts(ds.feature(*i))
                .iter()
                .map(Vec::len)
                .sum::<usize>()
        })
        .expect("the data has lines");
    let parts: Vec<LineString<f64>> = line_parts(ds.feature(longest))
        .into_iter()
        .map(LineString)
        .collect();
    for (filter_name, f) in [
        ("default layers", &non_boundary),
        ("all layers", &everything),
    ] {
        let name = format!(
            "corridor GET {} ({} pos), 100 km, {filter_name}",
            ds.feature(longest).id(),
            parts.iter().map(|p| p.0.len()).sum::<usize>()
        );
        time(&name, &filter, || {
            let line = QueryLine::new(&parts).expect("valid");
            corridor(&ds, &line, MAX_WIDTH_M, f, Some(longest), &none)
                .expect("no deadline")
                .len()
        });
    }

    let centre = Coord {
        x: 106.65,
        y: 29.03,
    };
    time("nearby k = 1000, all layers", &filter, || {
        nearby(&ds, centre, Some(MAX_K), None, &everything, &none)
            .expect("no deadline")
            .hits
            .len()
    });
    time("nearby radius 1000 km, all layers", &filter, || {
        nearby(&ds, centre, None, Some(MAX_RADIUS_M), &everything, &none)
            .expect("no deadline")
            .hits
            .len()
    });
    let line_layers: Vec<usize> = (0..ds.catalogue.layers.len())
        .filter(|i| {
            ds.catalogue.layers[*i]
                .geometry
                .contains(&yuqian::layers::GeometryKind::Line)
        })
        .collect();
    time("crossings, every line layer", &filter, || {
        crossings(&ds, &border, &line_layers, &none)
            .expect("no deadline")
            .len()
    });
    time("crossings, default layers", &filter, || {
        crossings(&ds, &border, &[], &none)
            .expect("no deadline")
            .len()
    });
    let q: String = "重庆贵州綦江遵义"
        .chars()
        .cycle()
        .take(MAX_QUERY_CHARS)
        .collect();
    time("search, 100-character query", &filter, || {
        search::search(&ds, &q, &everything, search::MAX_LIMIT, &none)
            .expect("no deadline")
            .0
    });
    time("search, 1-character query (matches most)", &filter, || {
        search::search(&ds, "a", &everything, search::MAX_LIMIT, &none)
            .expect("no deadline")
            .0
    });
    time("features, world, limit 10000", &filter, || {
        features_in(&ds, Bbox::WORLD, &everything, bbox::MAX_LIMIT, 0, &none)
            .expect("no deadline")
            .features
            .len()
    });

    // 200 stops spread over the map, network paths, the widest suggestions.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let stops: Vec<StopSpec> = (0..MAX_STOPS)
        .map(|_| {
            StopSpec::Position(Coord {
                x: rng.random_range(105.0..109.0),
                y: rng.random_range(26.0..31.0),
            })
        })
        .collect();
    for (name, roundtrip, fixed_last) in [
        ("round trip", true, false),
        ("open, fixed last", false, true),
    ] {
        let req = PlanRequest {
            stops: stops.clone(),
            roundtrip,
            fixed_first: true,
            fixed_last,
            paths: Paths::Network,
            suggest_within_m: MAX_SUGGEST_WITHIN_M,
            optimise: true,
        };
        time(
            &format!("loop plan {MAX_STOPS} stops, {name}, suggest 50 km"),
            &filter,
            || {
                planner
                    .plan(&ds, Some(&border), &req, &none)
                    .expect("plans")
                    .legs
                    .len()
            },
        );
    }
    let twelve = PlanRequest {
        stops: stops[..12].to_vec(),
        roundtrip: true,
        fixed_first: true,
        fixed_last: false,
        paths: Paths::Network,
        suggest_within_m: MAX_SUGGEST_WITHIN_M,
        optimise: true,
    };
    time(
        "loop plan 12 stops (Held-Karp), suggest 50 km",
        &filter,
        || {
            planner
                .plan(&ds, Some(&border), &twelve, &none)
                .expect("plans")
                .legs
                .len()
        },
    );
}
