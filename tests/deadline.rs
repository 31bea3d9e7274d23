//! Bounded work: with a deadline already past, every long query and the planner stop with
//! `OverBudget`; with `Deadline::NONE` (or a distant one) they give their whole answer.
//! No timings are asserted: an expired deadline fails the first look at the clock.

mod common;

use geo::{Coord, LineString};
use std::time::Duration;
use yuqian::index::Dataset;
use yuqian::query::Filter;
use yuqian::query::bbox::{Bbox, features_in};
use yuqian::query::corridor::{QueryLine, corridor};
use yuqian::query::crossings::{Border, crossings};
use yuqian::query::nearby::nearby;
use yuqian::query::search::search;
use yuqian::routing::order::{Constraints, best_order};
use yuqian::routing::plan::{Paths, PlanError, PlanRequest, Planner, StopSpec};
use yuqian::work::{Deadline, OverBudget};

fn expired() -> Deadline {
    Deadline::after(Duration::ZERO)
}

fn distant() -> Deadline {
    Deadline::after(Duration::from_secs(3600))
}

/// Positions spread over the data's extent, deterministically.
fn spread(ds: &Dataset, n: usize) -> Vec<Coord> {
    let (mut lo, mut hi): (Coord<f64>, Coord<f64>) = (
        Coord { x: 180.0, y: 90.0 },
        Coord {
            x: -180.0,
            y: -90.0,
        },
    );
    for b in ds.stats.iter().filter_map(|s| s.bbox) {
        lo = Coord {
            x: lo.x.min(b.min.x),
            y: lo.y.min(b.min.y),
        };
        hi = Coord {
            x: hi.x.max(b.max.x),
            y: hi.y.max(b.max.y),
        };
    }
    (0..n)
        .map(|i| {
            let (a, b) = (
                (i * 37 % n) as f64 / n as f64,
                (i * 61 % n) as f64 / n as f64,
            );
            Coord {
                x: lo.x + (hi.x - lo.x) * a,
                y: lo.y + (hi.y - lo.y) * b,
            }
        })
        .collect()
}

#[test]
fn nearby_stops_when_over_budget_and_answers_in_full_without_a_deadline() {
    let ds = common::small();
    let p = spread(&ds, 7)[3];
    let f = Filter::default();
    assert_eq!(
        nearby(&ds, p, Some(5), None, &f, &expired()),
        Err(OverBudget)
    );
    let full = nearby(&ds, p, Some(5), None, &f, &Deadline::NONE).unwrap();
    assert_eq!(full.hits.len(), 5);
    assert_eq!(nearby(&ds, p, Some(5), None, &f, &distant()).unwrap(), full);
}

#[test]
fn corridor_stops_when_over_budget_and_answers_in_full_without_a_deadline() {
    let ds = common::small();
    let line = QueryLine::new(&[LineString(spread(&ds, 50))]).unwrap();
    let f = Filter::default();
    assert_eq!(
        corridor(&ds, &line, 50_000.0, &f, None, &expired()),
        Err(OverBudget)
    );
    let full = corridor(&ds, &line, 50_000.0, &f, None, &Deadline::NONE).unwrap();
    assert!(!full.is_empty());
    assert_eq!(
        corridor(&ds, &line, 50_000.0, &f, None, &distant()).unwrap(),
        full
    );
}

#[test]
fn crossings_search_and_pages_stop_when_over_budget() {
    let ds = common::small();
    let border = Border::from_dataset(&ds).expect("the fixture has both provinces");
    assert_eq!(crossings(&ds, &border, &[], &expired()), Err(OverBudget));
    let full = crossings(&ds, &border, &[], &Deadline::NONE).unwrap();
    assert!(!full.is_empty());
    assert_eq!(crossings(&ds, &border, &[], &distant()).unwrap(), full);

    let f = Filter::default();
    assert_eq!(search(&ds, "a", &f, 20, &expired()), Err(OverBudget));
    let found = search(&ds, "a", &f, 20, &Deadline::NONE).unwrap();
    assert!(found.0 > 0);
    assert_eq!(search(&ds, "a", &f, 20, &distant()).unwrap(), found);

    assert_eq!(
        features_in(&ds, Bbox::WORLD, &f, 1000, 0, &expired()),
        Err(OverBudget)
    );
    let page = features_in(&ds, Bbox::WORLD, &f, 1000, 0, &Deadline::NONE).unwrap();
    assert_eq!(page.matched, ds.features.len());
}

#[test]
fn ordering_stops_when_over_budget_exactly_and_heuristically() {
    for n in [12, 60] {
        let pts = spread(&common::small(), n);
        let cost: Vec<Vec<f64>> = pts
            .iter()
            .map(|a| pts.iter().map(|b| (a.x - b.x).hypot(a.y - b.y)).collect())
            .collect();
        let c = Constraints {
            roundtrip: true,
            fixed_first: true,
            fixed_last: false,
        };
        assert_eq!(
            best_order(&cost, c, &expired()),
            Err(OverBudget),
            "{n} stops"
        );
        let full = best_order(&cost, c, &Deadline::NONE).unwrap();
        assert_eq!(best_order(&cost, c, &distant()).unwrap(), full);
    }
}

#[test]
fn planning_stops_when_over_budget_and_plans_in_full_without_a_deadline() {
    let ds = common::small();
    let border = Border::from_dataset(&ds);
    let planner = Planner::new(&ds);
    for n in [5, 30] {
        let req = PlanRequest {
            stops: spread(&ds, n).into_iter().map(StopSpec::Position).collect(),
            roundtrip: true,
            fixed_first: true,
            fixed_last: false,
            paths: Paths::Network,
            suggest_within_m: 20_000.0,
            optimise: true,
        };
        assert_eq!(
            planner.plan(&ds, border.as_ref(), &req, &expired()),
            Err(PlanError::OverBudget(OverBudget)),
            "{n} stops"
        );
        let full = planner
            .plan(&ds, border.as_ref(), &req, &Deadline::NONE)
            .unwrap();
        assert_eq!(full.legs.len(), n);
        assert_eq!(
            planner
                .plan(&ds, border.as_ref(), &req, &distant())
                .unwrap(),
            full
        );
    }
}
