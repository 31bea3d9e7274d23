//! The deterministic synthetic data set of the benchmarks, shared by `benches/queries.rs`,
//! `examples/memory.rs` and `examples/synth_export.rs` (included with `#[path]`).
//!
//! 1,000,000 features by default: 40 % points, 35 % lines of 2–10 positions and 25 % polygons
//! whose exterior ring has 4–12 positions (3–11 distinct vertices, closed, star-shaped so it is
//! simple). 40 % of them are spread uniformly over China (lon 73–135, lat 18–53), 60 % over the
//! Chongqing–Guizhou area (lon 103.5–110.5, lat 24.5–32.5), where the service's own data lies.
//! Every feature carries an id, Chinese and English names and a source string, as loaded ones do;
//! no free properties.
//!
//! Everything comes from ChaCha8 seeded with fixed numbers, so every run, every target and every
//! machine sees the same features and the same query lists.

#![allow(dead_code)] // each including target uses a different part

use geo::{Coord, Geometry, LineString, Point, Polygon};
use geographiclib_rs::{DirectGeodesic, Geodesic};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use yuqian::index::Dataset;
use yuqian::layers::{
    Accuracy, Catalogue, Feature, GeometryKind, LayerSpec, Province, Provinces, Status, Texts,
};
use yuqian::query::Filter;
use yuqian::query::bbox::{Bbox, features_in};
use yuqian::query::corridor::QueryLine;
use yuqian::query::nearby::nearby;
use yuqian::work::Deadline;

/// Number of features of the benchmark data set.
pub const N_FEATURES: usize = 1_000_000;
/// Seed of the features.
pub const DATA_SEED: u64 = 0x5955_5149_414E; // "YUQIAN"
/// Seed of the query lists.
pub const QUERY_SEED: u64 = 20_261_123;

/// China's lon/lat box.
pub const CHINA: (f64, f64, f64, f64) = (73.0, 18.0, 135.0, 53.0);
/// The Chongqing–Guizhou area, where 60 % of the features lie.
pub const YUQIAN: (f64, f64, f64, f64) = (103.5, 24.5, 110.5, 32.5);
/// Fraction of features (and of query points) in the Chongqing–Guizhou area.
pub const DENSE_FRACTION: f64 = 0.6;

pub const LAYERS: [(&str, GeometryKind); 3] = [
    ("synthetic_points", GeometryKind::Point),
    ("synthetic_lines", GeometryKind::Line),
    ("synthetic_polygons", GeometryKind::Polygon),
];

pub fn catalogue() -> Catalogue {
    Catalogue {
        layers: LAYERS
            .iter()
            .map(|(id, kind)| LayerSpec {
                id: (*id).into(),
                title_zh: "合成数据".into(),
                title_en: "synthetic data".into(),
                geometry: vec![*kind],
                file: format!("{id}.geojson"),
                boundary: None,
                role: None,
                source: "benches/common/synth.rs".into(),
                licence: "CC0-1.0".into(),
                attribution: "Yuqian Map benchmarks".into(),
            })
            .collect(),
    }
}

fn uniform_in(rng: &mut ChaCha8Rng, b: (f64, f64, f64, f64)) -> Coord {
    Coord {
        x: rng.random_range(b.0..b.2),
        y: rng.random_range(b.1..b.3),
    }
}

/// A position drawn from the data set's own distribution (60 % Chongqing–Guizhou, 40 % China).
pub fn random_position(rng: &mut ChaCha8Rng) -> Coord {
    if rng.random_bool(DENSE_FRACTION) {
        uniform_in(rng, YUQIAN)
    } else {
        uniform_in(rng, CHINA)
    }
}

/// One geometry of the data set's kind `kind` (0 point, 1 line, 2 polygon), centred at a position
/// drawn like the data.
pub fn random_geometry(rng: &mut ChaCha8Rng, kind: usize) -> Geometry<f64> {
    let c = random_position(rng);
    match kind {
        0 => Geometry::Point(Point(c)),
        1 => {
            // A wandering line: 2–10 positions, steps of 0.2–2 km in a slowly turning direction.
            let n = rng.random_range(2..=10);
            let mut heading: f64 = rng.random_range(0.0..std::f64::consts::TAU);
            let mut pts = Vec::with_capacity(n);
            pts.push(c);
            for _ in 1..n {
                heading += rng.random_range(-0.6..0.6);
                let step = rng.random_range(0.002..0.02);
                let last = *pts.last().expect("non-empty");
                pts.push(Coord {
                    x: last.x + step * heading.cos() / last.y.to_radians().cos(),
                    y: (last.y + step * heading.sin()).clamp(-89.0, 89.0),
                });
            }
            Geometry::LineString(LineString(pts))
        }
        _ => {
            // A star-shaped ring around c: 3–11 distinct vertices at increasing angles, radius
            // 100 m – 2 km, closed (4–12 positions).
            let n = rng.random_range(3..=11);
            let scale = rng.random_range(0.001..0.02);
            let cos_lat = c.y.to_radians().cos();
            let mut ring = Vec::with_capacity(n + 1);
            for j in 0..n {
                let angle =
                    (j as f64 + rng.random_range(0.1..0.9)) * std::f64::consts::TAU / n as f64;
                let r = scale * rng.random_range(0.4..1.0);
                ring.push(Coord {
                    x: c.x + r * angle.cos() / cos_lat,
                    y: c.y + r * angle.sin(),
                });
            }
            ring.push(ring[0]);
            Geometry::Polygon(Polygon::new(LineString(ring), vec![]))
        }
    }
}

/// The features, in layer order (points, lines, polygons) as the loader would give them.
pub fn features(n: usize) -> Vec<Feature> {
    let mut rng = ChaCha8Rng::seed_from_u64(DATA_SEED);
    let counts = [n * 40 / 100, n * 35 / 100];
    let counts = [counts[0], counts[1], n - counts[0] - counts[1]];
    let mut out = Vec::with_capacity(n);
    for (kind, count) in counts.into_iter().enumerate() {
        for _ in 0..count {
            let i = out.len();
            let geometry = random_geometry(&mut rng, kind);
            let provinces: Provinces = match i % 4 {
                0 => [Province::Chongqing].into_iter().collect(),
                1 => [Province::Guizhou].into_iter().collect(),
                2 => [Province::Chongqing, Province::Guizhou]
                    .into_iter()
                    .collect(),
                _ => Provinces::default(),
            };
            let (id, name_zh, name_en) = (
                format!("syn-{i:07}"),
                format!("合成要素{i}"),
                format!("synthetic feature {i}"),
            );
            out.push(Feature::new(
                Texts {
                    id: &id,
                    name_zh: &name_zh,
                    name_en: &name_en,
                    source: "synthetic",
                },
                kind as u16,
                Status::ALL[i % Status::ALL.len()],
                provinces,
                Accuracy::Approximate,
                geometry,
                Default::default(),
            ));
        }
    }
    out
}

/// Total number of positions (vertices) of the features.
pub fn vertex_count(features: &[Feature]) -> usize {
    use geo::CoordsIter;
    features.iter().map(|f| f.geometry.coords_count()).sum()
}

/// Generates and indexes the benchmark data set.
pub fn dataset(n: usize) -> Dataset {
    Dataset::new(catalogue(), features(n))
}

/// `n` query points drawn like the data (60 % Chongqing–Guizhou, 40 % China).
pub fn query_points(n: usize, stream: u64) -> Vec<Coord> {
    let mut rng = ChaCha8Rng::seed_from_u64(QUERY_SEED ^ stream);
    (0..n).map(|_| random_position(&mut rng)).collect()
}

/// Boxes that each match between 250 and 1,000 features (`features_in` with no filter): a
/// centre drawn like the data, then the half-size (same in degrees of lon and lat) found by
/// bisection. Returns the boxes and the number each matches.
pub fn query_boxes(ds: &Dataset, n: usize) -> Vec<(Bbox, usize)> {
    let centres = query_points(n, 1);
    centres
        .into_iter()
        .map(|c| {
            let make = |h: f64| {
                let text = format!(
                    "{},{},{},{}",
                    (c.x - h).max(-180.0),
                    (c.y - h).max(-90.0),
                    (c.x + h).min(180.0),
                    (c.y + h).min(90.0)
                );
                Bbox::parse("bbox", &text).expect("valid box")
            };
            let count = |h: f64| {
                features_in(ds, make(h), &Filter::default(), 1000, 0, &Deadline::NONE)
                    .unwrap()
                    .matched
            };
            let (mut lo, mut hi) = (0.0_f64, 4.0_f64);
            let mut h = 0.25;
            for _ in 0..40 {
                let m = count(h);
                if (250..=1000).contains(&m) {
                    return (make(h), m);
                }
                if m > 1000 {
                    hi = h;
                } else {
                    lo = h;
                }
                h = (lo + hi) / 2.0;
            }
            let m = count(lo);
            (make(lo), m)
        })
        .collect()
}

/// Radius queries: a point drawn like the data and the smallest radius of a ladder (×1.25 from
/// 250 m) within which at least 20 features lie, so each returns a few tens of features.
/// Returns (point, radius, number within).
pub fn query_radii(ds: &Dataset, n: usize) -> Vec<(Coord, f64, usize)> {
    query_points(n, 2)
        .into_iter()
        .map(|p| {
            let mut r = 250.0;
            loop {
                let m = nearby(ds, p, None, Some(r), &Filter::default(), &Deadline::NONE)
                    .unwrap()
                    .matched;
                if m >= 20 || r > 200_000.0 {
                    return (p, r, m);
                }
                r *= 1.25;
            }
        })
        .collect()
}

/// A corridor query: the line's positions, the query line and the half-width in metres.
pub struct CorridorQuery {
    pub positions: Vec<Coord>,
    pub line: QueryLine,
    pub width_m: f64,
}

/// Lines of about 50 km (5 legs of 10 km, each turning up to ±20°) starting at a point drawn like
/// the data, with a half-width of 2–5 km.
pub fn query_corridors(n: usize) -> Vec<CorridorQuery> {
    let wgs84 = Geodesic::wgs84();
    let mut rng = ChaCha8Rng::seed_from_u64(QUERY_SEED ^ 3);
    (0..n)
        .map(|_| {
            let start = random_position(&mut rng);
            let mut azimuth: f64 = rng.random_range(-180.0..180.0);
            let mut positions = vec![start];
            for _ in 0..5 {
                let last = *positions.last().expect("non-empty");
                let (lat, lon): (f64, f64) = wgs84.direct(last.y, last.x, azimuth, 10_000.0);
                positions.push(Coord { x: lon, y: lat });
                azimuth += rng.random_range(-20.0..20.0);
            }
            let line = QueryLine::new(&[LineString(positions.clone())]).expect("valid line");
            CorridorQuery {
                positions,
                line,
                width_m: rng.random_range(2_000.0..5_000.0),
            }
        })
        .collect()
}

/// Median, 90th and 99th percentile and maximum of a list of durations in µs.
pub fn percentiles(mut v: Vec<f64>) -> (f64, f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.9), at(0.99), v[v.len() - 1])
}
