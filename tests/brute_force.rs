//! On a few thousand random features, `nearby` (k, radius, both) and `corridor` return exactly
//! what an exhaustive exact geodesic scan of every feature returns, order included.

use geo::line_intersection::line_intersection;
use geo::{Contains, Coord, Geometry, Line, LineString, Point, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use yuqian::geodesy::{closest_on_path, distance_m};
use yuqian::index::Dataset;
use yuqian::layers::{
    Accuracy, Catalogue, Feature, GeometryKind, LayerSpec, Provinces, Status, Texts,
};
use yuqian::query::Filter;
use yuqian::query::corridor::{QueryLine, corridor};
use yuqian::query::measure::closest;
use yuqian::query::nearby::nearby;
use yuqian::work::Deadline;

fn layer(id: &str) -> LayerSpec {
    LayerSpec {
        id: id.into(),
        title_zh: id.into(),
        title_en: id.into(),
        geometry: vec![
            GeometryKind::Point,
            GeometryKind::Line,
            GeometryKind::Polygon,
        ],
        file: format!("{id}.geojson"),
        boundary: None,
        role: None,
        source: "random".into(),
        licence: "CC0".into(),
        attribution: "tests".into(),
    }
}

fn random_coord(rng: &mut ChaCha8Rng) -> Coord {
    Coord {
        x: rng.random_range(104.0..109.0),
        y: rng.random_range(26.0..31.0),
    }
}

fn near(rng: &mut ChaCha8Rng, c: Coord, spread: f64) -> Coord {
    Coord {
        x: c.x + rng.random_range(-spread..spread),
        y: c.y + rng.random_range(-spread..spread),
    }
}

fn random_dataset(n: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let statuses = Status::ALL;
    let features = (0..n)
        .map(|i| {
            let c = random_coord(&mut rng);
            let geometry = match i % 3 {
                0 => Geometry::Point(Point(c)),
                1 => {
                    let len = rng.random_range(2..6);
                    let mut pts = vec![c];
                    for _ in 1..len {
                        let last = *pts.last().unwrap();
                        pts.push(near(&mut rng, last, 0.2));
                    }
                    Geometry::LineString(LineString(pts))
                }
                _ => {
                    let (w, h) = (rng.random_range(0.01..0.15), rng.random_range(0.01..0.15));
                    let ring = vec![
                        c,
                        Coord { x: c.x + w, y: c.y },
                        Coord {
                            x: c.x + w,
                            y: c.y + h,
                        },
                        Coord {
                            x: c.x + w / 3.0,
                            y: c.y + h * 1.2,
                        },
                        c,
                    ];
                    Geometry::Polygon(Polygon::new(LineString(ring), vec![]))
                }
            };
            let id = format!("f{i:05}");
            Feature::new(
                Texts {
                    id: &id,
                    name_zh: "随机",
                    name_en: "random",
                    source: "random",
                },
                (i % 2) as u16,
                statuses[i % statuses.len()],
                Provinces::default(),
                Accuracy::Approximate,
                geometry,
                Default::default(),
            )
        })
        .collect();
    Dataset::new(
        Catalogue {
            layers: vec![layer("a"), layer("b")],
        },
        features,
    )
}

/// Every feature with its exact distance, sorted by (distance, id).
fn scan(ds: &Dataset, p: Coord, filter: &Filter) -> Vec<(f64, String)> {
    let mut all: Vec<(f64, String)> = ds
        .features
        .iter()
        .filter(|f| filter.matches(f))
        .map(|f| {
            (
                closest(p, &f.geometry).unwrap().distance_m,
                f.id().to_string(),
            )
        })
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    all
}

#[test]
fn nearby_equals_an_exhaustive_scan_order_included() {
    let ds = random_dataset(3000, 7);
    let mut rng = ChaCha8Rng::seed_from_u64(99);
    for round in 0..40 {
        let p = random_coord(&mut rng);
        let filter = if round % 4 == 3 {
            Filter {
                layers: vec![1],
                statuses: vec![Status::Preparatory, Status::Existing],
                provinces: vec![],
            }
        } else {
            Filter::default()
        };
        let expect = scan(&ds, p, &filter);
        let as_pairs = |hits: &[yuqian::query::nearby::Hit]| -> Vec<(f64, String)> {
            hits.iter()
                .map(|h| (h.closest.distance_m, ds.feature(h.feature).id().to_string()))
                .collect()
        };
        let k = rng.random_range(1..40);
        let got = nearby(&ds, p, Some(k), None, &filter, &Deadline::NONE).unwrap();
        assert_eq!(
            as_pairs(&got.hits),
            expect[..k.min(expect.len())],
            "k = {k} at {p:?}"
        );

        let radius_m = rng.random_range(1_000.0..40_000.0);
        let within: Vec<_> = expect.iter().filter(|e| e.0 <= radius_m).cloned().collect();
        let got = nearby(&ds, p, None, Some(radius_m), &filter, &Deadline::NONE).unwrap();
        assert_eq!(as_pairs(&got.hits), within, "radius {radius_m} at {p:?}");
        assert_eq!(got.matched, within.len());

        let got = nearby(&ds, p, Some(3), Some(radius_m), &filter, &Deadline::NONE).unwrap();
        assert_eq!(as_pairs(&got.hits), within[..within.len().min(3)]);
    }
}

/// The exhaustive definition: 0 if they cross or the line enters a polygon (chainage of the
/// first such point), else the nearest approach over all vertex–line and line-vertex pairs.
fn brute_corridor_distance(line: &[Coord], g: &Geometry<f64>) -> (f64, f64) {
    let mut chainage = vec![0.0];
    for w in line.windows(2) {
        chainage.push(chainage.last().unwrap() + distance_m(w[0], w[1]));
    }
    let (paths, polygon): (Vec<Vec<Coord>>, Option<&Polygon<f64>>) = match g {
        Geometry::Point(p) => (vec![vec![p.0]], None),
        Geometry::LineString(l) => (vec![l.0.clone()], None),
        Geometry::Polygon(p) => (vec![p.exterior().0.clone()], Some(p)),
        _ => unreachable!("the random data set has no other kinds"),
    };
    let mut first_contact: Option<f64> = None;
    for (i, w) in line.windows(2).enumerate() {
        if polygon.is_some_and(|p| p.contains(&Point(w[0]))) {
            first_contact = first_contact.or(Some(chainage[i]));
        }
        for path in &paths {
            for e in path.windows(2) {
                if let Some(x) = line_intersection(Line::new(w[0], w[1]), Line::new(e[0], e[1])) {
                    let at = match x {
                        geo::line_intersection::LineIntersection::SinglePoint {
                            intersection,
                            ..
                        } => intersection,
                        geo::line_intersection::LineIntersection::Collinear { intersection } => {
                            intersection.start
                        }
                    };
                    let c = chainage[i] + distance_m(w[0], at);
                    first_contact = Some(first_contact.map_or(c, |f: f64| f.min(c)));
                }
            }
        }
    }
    if let Some(c) = first_contact {
        return (0.0, c);
    }
    let mut best = (f64::INFINITY, f64::INFINITY);
    let mut take = |d: f64, c: f64| {
        if d < best.0 || (d == best.0 && c < best.1) {
            best = (d, c);
        }
    };
    for path in &paths {
        for v in path {
            let c = closest_on_path(*v, line).unwrap();
            take(c.distance_m, c.chainage_m(line));
        }
        if path.len() >= 2 {
            for (i, v) in line.iter().enumerate() {
                take(closest_on_path(*v, path).unwrap().distance_m, chainage[i]);
            }
        }
    }
    best
}

#[test]
fn corridor_equals_an_exhaustive_scan_order_included() {
    let ds = random_dataset(2000, 11);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for _ in 0..12 {
        let mut line = vec![random_coord(&mut rng)];
        for _ in 0..rng.random_range(1..8) {
            let last = *line.last().unwrap();
            line.push(near(&mut rng, last, 0.4));
        }
        let width_m = rng.random_range(500.0..15_000.0);
        let mut expect: Vec<(f64, f64, String)> = ds
            .features
            .iter()
            .map(|f| {
                let (d, c) = brute_corridor_distance(&line, &f.geometry);
                (c, d, f.id().to_string())
            })
            .filter(|e| e.1 <= width_m)
            .collect();
        expect.sort_by(|a, b| {
            a.0.total_cmp(&b.0)
                .then(a.1.total_cmp(&b.1))
                .then(a.2.cmp(&b.2))
        });
        let q = QueryLine::new(&[LineString(line.clone())]).unwrap();
        let got: Vec<(f64, f64, String)> =
            corridor(&ds, &q, width_m, &Filter::default(), None, &Deadline::NONE)
                .unwrap()
                .iter()
                .map(|a| {
                    (
                        a.chainage_m,
                        a.distance_m,
                        ds.feature(a.feature).id().to_string(),
                    )
                })
                .collect();
        assert_eq!(got.len(), expect.len(), "width {width_m}");
        for (g, e) in got.iter().zip(&expect) {
            assert_eq!(g.2, e.2);
            assert!(
                (g.0 - e.0).abs() < 1e-6 && (g.1 - e.1).abs() < 1e-6,
                "{g:?} vs {e:?}"
            );
        }
    }
}

#[test]
fn bbox_equals_an_exhaustive_intersection_test() {
    use geo::{Intersects, Rect};
    use yuqian::query::bbox::{Bbox, features_in};
    let ds = random_dataset(3000, 21);
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut found = 0;
    for _ in 0..40 {
        let c = random_coord(&mut rng);
        let (w, h) = (rng.random_range(0.01..2.0), rng.random_range(0.01..2.0));
        let text = format!("{},{},{},{}", c.x, c.y, c.x + w, c.y + h);
        let bbox = Bbox::parse("bbox", &text).unwrap();
        let rect = Rect::new(
            c,
            Coord {
                x: c.x + w,
                y: c.y + h,
            },
        );
        let expect: Vec<u32> = (0..ds.features.len() as u32)
            .filter(|i| ds.feature(*i).geometry.intersects(&rect))
            .collect();
        let page = features_in(&ds, bbox, &Filter::default(), 10_000, 0, &Deadline::NONE).unwrap();
        assert_eq!(page.features, expect, "{text}");
        assert_eq!(page.matched, expect.len());
        found += expect.len();
    }
    assert!(found > 1000, "the boxes should hold features: {found}");
}

/// `select::page` (the path of `/api/features` and of the OGC items) against an exhaustive
/// filter over every feature: boxes (none, one, two), layers, statuses, a further test whose
/// own envelope narrows the candidates, and pages anywhere, deep ones included.
#[test]
fn selection_pages_equal_an_exhaustive_filter() {
    use geo::{Intersects, Rect};
    use yuqian::geodesy::LonLatRect;
    use yuqian::query::select::{Selection, page};
    let ds = random_dataset(3000, 33);
    let mut rng = ChaCha8Rng::seed_from_u64(34);
    let rect_at = |rng: &mut ChaCha8Rng| {
        let c = random_coord(rng);
        let (w, h) = (rng.random_range(0.05..3.0), rng.random_range(0.05..3.0));
        LonLatRect {
            min: c,
            max: Coord {
                x: c.x + w,
                y: c.y + h,
            },
        }
    };
    let mut nonempty = 0;
    for round in 0..120 {
        let boxes: Vec<LonLatRect> = (0..round % 3).map(|_| rect_at(&mut rng)).collect();
        let narrow = [rect_at(&mut rng)];
        let use_test = round % 4 >= 2;
        let filter = Filter {
            layers: if round % 5 == 0 { vec![1] } else { vec![] },
            statuses: if round % 7 == 0 {
                vec![Status::Planned]
            } else {
                vec![]
            },
            provinces: vec![],
        };
        let n = narrow[0];
        let test = move |f: &Feature| {
            f.id().ends_with(['0', '2', '4', '6'])
                && f.geometry.intersects(&Rect::new(n.min, n.max))
        };
        let sel = Selection {
            boxes: (!boxes.is_empty()).then_some(&boxes[..]),
            filter: &filter,
            test: use_test.then_some(&test as &(dyn Fn(&Feature) -> bool + Sync)),
            narrow: (use_test && round % 8 < 6).then_some(&narrow[..]),
        };
        let expect: Vec<u32> = (0..ds.features.len() as u32)
            .filter(|i| {
                let f = ds.feature(*i);
                filter.matches(f)
                    && (boxes.is_empty()
                        || boxes
                            .iter()
                            .any(|b| f.geometry.intersects(&Rect::new(b.min, b.max))))
                    && (!use_test || test(f))
            })
            .collect();
        let limit = rng.random_range(1..400);
        let offset = rng.random_range(0..expect.len().max(1) + 50);
        let got = page(&ds, &sel, limit, offset, &Deadline::NONE).unwrap();
        assert_eq!(got.matched, expect.len(), "round {round}");
        let want: Vec<u32> = expect.iter().copied().skip(offset).take(limit).collect();
        assert_eq!(
            got.features, want,
            "round {round}: limit {limit} offset {offset}"
        );
        nonempty += usize::from(!want.is_empty());
    }
    assert!(nonempty > 40, "the pages should hold features: {nonempty}");
}
